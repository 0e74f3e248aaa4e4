// Package dot renders a topology as Graphviz DOT text.
//
// Layout: top to bottom. The internet/LAN node sits on top, the Docker host
// below it; each network is a cluster holding a bridge node (its gateway
// address on the host) and the containers that join only that network.
// Containers on several networks sit between the clusters and are joined to
// each bridge by an edge labelled with their address there. Published ports
// are orange NAT edges from the host; egress (masquerade) is a dashed grey
// edge from a bridge to the internet. Overlays: a highlighted flow is a bold
// coloured path with per-hop labels and latencies; a blocked flow is red and
// dashed and ends at the dropping component, labelled with the rule.
// Overlay edges do not constrain the layout, so the picture keeps its shape
// with and without them. Reverse-proxy routes are dashed teal edges from
// the proxy to the backend, labelled with the host/path rule and port (red
// with a tee when the proxy cannot reach the backend); they do rank the
// proxy above its backends, so that each label sits on its edge.
//
// The output is deterministic: statements follow the sorted view model of
// package render, with stable IDs and no timestamps.
package dot

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/topology"
)

// Renderer writes DOT text. The zero value is ready to use.
type Renderer struct {
	// Summary draws the summarised picture (Summary: networks as nodes,
	// containers counted) and leaves opt's overlays out.
	Summary bool
}

// Render writes the DOT picture of t with the overlays of opt to w.
func (r Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	if r.Summary {
		_, err := io.WriteString(w, Summary(t))
		return err
	}
	v, err := render.Build(t, opt)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, String(v))
	return err
}

// Font is the font of every label. It must be a single name Graphviz has
// metrics for: with a list such as "Helvetica,Arial" Graphviz estimates text
// widths with Times metrics, and labels overflow their boxes. The SVG
// output names "Helvetica,sans-Serif", which viewers map to Arial or
// Liberation Sans (same metrics).
const Font = "Helvetica"

// Colours of the picture (GitHub Primer palette).
const (
	colInk       = "#24292f"
	colMuted     = "#57606a"
	colFaint     = "#8c959f"
	colPort      = "#bc4c00"
	colEgress    = "#8c959f"
	colBlocked   = "#cf222e"
	colShare     = "#6639ba"
	colRoute     = "#1b7c83"
	colReachYes  = "#1a7f37"
	colReachNo   = "#cf222e"
	colReachSrc  = "#0969da"
	fillReachYes = "#dafbe1"
	fillReachNo  = "#ffebe9"
	fillReachSrc = "#ddf4ff"
)

// netPalette gives each network a soft fill and a stronger border/edge
// colour, assigned in sorted network order.
var netPalette = []struct{ fill, line, text string }{
	{"#f0f6ff", "#54aeff", "#0550ae"},
	{"#f0fbf2", "#4ac26b", "#116329"},
	{"#fbf5ff", "#c297ff", "#6639ba"},
	{"#fff8eb", "#d4a72c", "#7d4e00"},
	{"#eefbfb", "#3bb3b3", "#0b6e6e"},
	{"#fff2f8", "#e85aad", "#99286e"},
	{"#fff4ed", "#fb8f44", "#953800"},
	{"#f4f7ff", "#8ca4f0", "#2f4b9c"},
}

// flowPalette colours highlighted (reachable) flows in order.
var flowPalette = []string{"#0969da", "#8250df", "#1a7f37", "#bf3989"}

type netStyle struct{ fill, line, text string }

func styleOf(i int, n *render.NetView) netStyle {
	if n.Net.Internal {
		return netStyle{"#f6f8fa", "#6e7781", "#424a53"}
	}
	p := netPalette[i%len(netPalette)]
	return netStyle{p.fill, p.line, p.text}
}

// String returns the DOT text for v.
func String(v *render.View) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	title := v.Project
	if title == "" {
		title = "compose project"
	}
	if len(v.Projects) > 1 {
		var names []string
		for _, pv := range v.Projects {
			names = append(names, pv.Name)
		}
		title = strings.Join(names, ", ")
	}
	sub := []string{}
	if v.Focus != "" {
		sub = append(sub, "focus: "+v.Focus)
	}
	if v.From != "" {
		sub = append(sub, "colour: reachable from "+v.From)
	}
	p("digraph %s {\n", quote(title))
	lbl := "<b>" + html(title) + `</b><br align="left"/><font point-size="10" color="` + colMuted + `">` + html(strings.Join(append([]string{"Docker network topology"}, sub...), " · ")) + `</font><br align="left"/>`
	p("  graph [rankdir=TB, newrank=true, splines=true, fontname=%s, fontsize=16, fontcolor=%s, labelloc=t, labeljust=l, label=<%s>, pad=0.3, nodesep=0.3, ranksep=0.45, bgcolor=\"white\"%s];\n",
		quote(Font), quote(colInk), lbl, mincrossAttrs(len(v.Containers)))
	p("  node [fontname=%s, fontsize=11, fontcolor=%s, shape=box, style=\"rounded,filled\", fillcolor=\"white\", color=%s, penwidth=1.2, margin=\"0.14,0.06\"];\n",
		quote(Font), quote(colInk), quote(colMuted))
	p("  edge [fontname=%s, fontsize=9, fontcolor=%s, color=%s, arrowsize=0.7, penwidth=1.1];\n\n",
		quote(Font), quote(colMuted), quote(colFaint))

	nodeAttr := overlayNodeAttrs(v)

	// Outside world and host.
	p("  %s [id=%s, class=\"internet\", shape=ellipse, style=\"filled\", fillcolor=\"#eaeef2\", color=%s, label=<<b>Internet / LAN</b>>%s];\n",
		render.InternetID, quote("node-internet"), quote(colMuted), reachAttrs(v.Host.InternetReach)+nodeAttr[render.InternetID])
	hostLbl := "<b>Docker host</b>"
	for _, a := range v.Host.Addresses {
		hostLbl += `<br/><font point-size="9" color="` + colMuted + `">` + html(a.String()) + "</font>"
	}
	p("  %s [id=%s, class=\"host\", shape=box3d, style=\"filled\", fillcolor=\"#f6f8fa\", label=<%s>%s];\n",
		render.HostID, quote("node-host"), hostLbl, reachAttrs(v.Host.Reach)+nodeAttr[render.HostID])
	b.WriteString("\n")

	// Networks as clusters, with their bridge and home containers.
	ports := portsByContainer(v)
	styles := map[*render.NetView]netStyle{}
	for i, n := range v.Networks {
		styles[n] = styleOf(i, n)
	}
	// writeNet writes a network's cluster, indented by pre (nested in a
	// project's cluster when the host runs several projects).
	writeNet := func(n *render.NetView, pre string) {
		st := styles[n]
		q := func(format string, a ...any) { p(pre+format, a...) }
		style := "rounded,filled"
		if n.Net.Internal {
			style = "rounded,filled,dashed"
		}
		q("  subgraph cluster_%s {\n", n.ID)
		q("    id=%s; class=\"network\"; label=<%s>; style=%s; fillcolor=%s; color=%s; penwidth=1.4; fontsize=12; labeljust=l; labelloc=b; margin=10;\n",
			quote("net-"+render.Sanitize(n.Name())), netLabel(n, st), quote(style), quote(st.fill), quote(st.line))
		gwLbl := "bridge"
		if n.Net.Gateway.IsValid() {
			gwLbl += `<br/><font point-size="9">host side ` + html(n.Net.Gateway.String()) + `</font>`
		}
		q("    %s [class=\"bridge\", shape=box, style=\"rounded,filled\", fillcolor=%s, color=%s, fontcolor=%s, fontsize=10, height=0.3, margin=\"0.1,0.03\", label=<%s>%s];\n",
			n.GatewayID(), quote(st.line), quote(st.line), quote("white"), gwLbl, reachAttrs(n.Reach)+nodeAttr[n.GatewayID()])
		if n.Egress {
			q("    %s [class=\"egress\", shape=plaintext, style=\"\", fontsize=9, fontcolor=%s, margin=0, label=\"to internet\\n(masquerade)\"];\n",
				egressID(n), quote(colMuted))
			q("    { rank=same; %s; %s; }\n", n.GatewayID(), egressID(n))
		}
		for _, c := range n.Home {
			q("    %s\n", containerNode(c, st, ports[c], nodeAttr[c.ID]))
		}
		if rows := gridRows(n); rows != nil {
			writeGrid(q, n, rows)
		}
		q("  }\n")
	}
	// Several projects on one host: a dashed group per project holding
	// its own networks and the containers outside them; shared networks
	// stay outside every project.
	for _, pv := range v.Projects {
		p("  subgraph cluster_%s {\n", pv.ID)
		p("    id=%s; class=\"project\"; label=<<b>project %s</b>>; style=\"rounded,dashed\"; color=%s; fontcolor=%s; penwidth=1.2; fontsize=12; labeljust=l; labelloc=t; margin=12;\n",
			quote("project-"+render.Sanitize(pv.Name)), html(pv.Name), quote(colMuted), quote(colMuted))
		for _, n := range pv.Networks {
			writeNet(n, "  ")
		}
		for _, c := range pv.Containers {
			if c.Home == nil {
				p("    %s\n", containerNode(c, netStyle{text: colMuted}, ports[c], nodeAttr[c.ID]))
			}
		}
		p("  }\n")
	}
	for _, n := range v.Networks {
		if n.Project == nil {
			writeNet(n, "")
		}
	}
	b.WriteString("\n")

	// Containers between clusters.
	for _, c := range v.Containers {
		if c.Home == nil && c.Project == nil {
			p("  %s\n", containerNode(c, netStyle{text: colMuted}, ports[c], nodeAttr[c.ID]))
		}
	}
	for _, x := range v.Extra {
		p("  %s [class=\"extra\", shape=ellipse, style=\"dashed\", label=%s%s];\n", x.ID, quote(x.Name), nodeAttr[x.ID])
	}
	b.WriteString("\n")

	// Edges: collected first so that flows can claim the edges they run
	// along instead of drawing parallel ones.
	var es edges
	if hasPublic(v) {
		es.add(render.InternetID, render.HostID, "inbound", fmt.Sprintf("color=%s, fontcolor=%s, penwidth=1.4", quote(colPort), quote(colPort)), "inbound to\npublished ports", false)
	} else {
		es.add(render.InternetID, render.HostID, "", "style=invis", "", false)
	}
	if hasEgress(v) {
		es.add(render.InternetID, render.HostID, "egress", fmt.Sprintf("dir=back, style=dashed, color=%s, fontcolor=%s", quote(colEgress), quote(colMuted)), "egress\n(SNAT)", false)
	}
	for _, n := range v.Networks {
		if n.Egress {
			es.add(n.GatewayID(), egressID(n), "egress", fmt.Sprintf("style=dashed, color=%s, arrowsize=0.6", quote(colEgress)), "", false)
		}
	}
	// Membership, layered from the host down (ContainerView.Above). A
	// container that lives in its network's group shows its address
	// inside its box: its edge to the bridge has no label, and in a
	// grid (a large group) there is no edge at all.
	for _, c := range v.Containers {
		for i, m := range c.Nets {
			n := c.NetNet[i]
			st := styles[n]
			attrs := fmt.Sprintf("color=%s, fontcolor=%s", quote(st.line), quote(st.text))
			label := endpointLabel(m)
			if c.Home == n {
				if gridRows(n) != nil {
					continue
				}
				label = ""
			}
			if c.Above(n) {
				es.add(n.GatewayID(), c.ID, "endpoint", attrs, label, true)
			} else {
				es.add(c.ID, n.GatewayID(), "endpoint", attrs, label, true)
			}
		}
	}
	// Namespace sharing and host mode.
	for _, c := range v.Containers {
		switch {
		case c.Provider != nil:
			es.add(c.ID, c.Provider.ID, "netns", fmt.Sprintf("style=dashed, color=%s, fontcolor=%s", quote(colShare), quote(colShare)), "shares network\nnamespace", false)
		case c.C.NetworkMode == "host":
			es.add(render.HostID, c.ID, "netns", fmt.Sprintf("dir=back, style=dashed, color=%s, fontcolor=%s", quote(colShare), quote(colShare)), "host network\nnamespace", false)
		}
	}
	// Published ports: listed inside each container's box; the edge from
	// the host goes to the container, or to the bridge of a grid (a
	// large group), dotted when every binding is on loopback only.
	toBridge := map[*render.NetView][]render.PortView{}
	for _, c := range v.Containers {
		ps := ports[c]
		if len(ps) == 0 {
			continue
		}
		if c.Home != nil && gridRows(c.Home) != nil {
			toBridge[c.Home] = append(toBridge[c.Home], ps...)
			continue
		}
		es.add(render.HostID, c.ID, "port", portEdgeAttrs(ps), "", false)
	}
	for _, n := range v.Networks {
		if ps := toBridge[n]; len(ps) > 0 {
			es.add(render.HostID, n.GatewayID(), "port", portEdgeAttrs(ps), fmt.Sprintf("DNAT: %s\n(in the boxes)", plural(len(ps), "published port")), false)
		}
	}

	// Flows.
	egressOf := map[string]string{}
	for _, n := range v.Networks {
		if n.Egress {
			egressOf[n.GatewayID()] = egressID(n)
		}
	}
	var extra []*edge
	for _, f := range v.Flows {
		col := flowPalette[f.Index%len(flowPalette)]
		cls := "flow reachable"
		style := "bold"
		if !f.Flow.Reachable {
			col, cls, style = colBlocked, "flow blocked", "bold,dashed"
		}
		steps := mergeSteps(f.Steps, &es, egressOf)
		for i, s := range steps {
			lines := packLabels(s.Labels)
			if s.LatencyMS > 0 {
				lines = append(lines, render.FormatMS(s.LatencyMS))
			}
			last := i == len(steps)-1
			if last {
				if f.Flow.Reachable {
					lines = append(lines, fmt.Sprintf("reachable: %s · total %s", f.Flow.Title(), render.FormatMS(f.Flow.TotalMS)))
				} else {
					lines = append(lines, "dropped"+ruleSuffix(f.Flow))
				}
			}
			label := fmt.Sprintf("%d%s", f.Index+1, stepMark(i))
			if len(lines) > 0 {
				label += " " + strings.Join(lines, "\n")
			}
			head := "normal"
			if last && !f.Flow.Reachable {
				head = "tee"
			}
			over := fmt.Sprintf("style=%q, color=%s, fontcolor=%s, penwidth=3, arrowhead=%s, fontsize=10", style, quote(col), quote(col), head)
			if e, back := es.find(s.FromID, s.ToID); e != nil && e.flow == "" {
				e.flow, e.flowAttrs = cls, over
				if back {
					e.flowAttrs += ", dir=back, arrowtail=" + head
				} else {
					e.flowAttrs += ", dir=forward"
				}
				if e.label != "" && (e.class == "endpoint" || e.class == "port") {
					label = e.label + "\n" + label
				}
				e.label = label
				continue
			}
			extra = append(extra, &edge{from: s.FromID, to: s.ToID, class: cls, attrs: "constraint=false, " + over, label: label})
		}
	}
	extra = append(extra, routeEdges(v)...)
	for _, e := range append(es.list, extra...) {
		attrs := e.attrs
		cls := e.class
		if e.flow != "" {
			cls = e.flow + " " + e.class
			attrs = e.flowAttrs
		} else if e.undirected {
			attrs = "dir=none, " + attrs
		}
		if cls != "" {
			attrs = "class=" + quote(cls) + ", " + attrs
		}
		if e.label != "" {
			attrs += ", label=" + quote(e.label)
		}
		p("  %s -> %s [%s];\n", e.from, e.to, attrs)
	}

	// Legend.
	b.WriteString("\n")
	// The legend goes below everything (a flat drawing gets taller, not
	// wider), tied to the nodes below which nothing is drawn
	// (legendTies); not in drawings of more than legendBelowMax
	// containers, where those constraints cost Graphviz seconds (500
	// containers: 2.3 s -> 5.5 s).
	p("  legend [id=\"legend\", class=\"legend\", shape=plain, style=\"\", label=<%s>];\n", legend(v))
	if len(v.Containers) <= legendBelowMax {
		for _, id := range legendTies(v) {
			p("  %s -> legend [style=invis, weight=0];\n", id)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// routeEdges draws each route as an edge from the proxy to the backend,
// labelled with its rule and port: teal and dashed, red with a tee when
// the proxy cannot reach the backend (the style of blocked flows), grey and
// dotted when not evaluated. Unlike flows, routes constrain the layout:
// the proxy is ranked above its backends, which gives each label a place
// on its own edge (unconstrained, Graphviz parks the labels of long edges
// far from them and widens the picture: 40 generated services with 14
// routes, 7,339 px instead of 5,376). A repeated route (another proxy
// serving the same rule on the same backend) has no label of its own. The
// tooltip names the route and its position.
func routeEdges(v *render.View) []*edge {
	var out []*edge
	for _, r := range v.Routes {
		lines := r.Lines("→")
		cls, attrs := "route", fmt.Sprintf("style=dashed, color=%s, fontcolor=%s, penwidth=1.6, arrowhead=vee", quote(colRoute), quote(colRoute))
		switch r.Route.State {
		case render.RouteBlocked:
			cls = "route blocked"
			attrs = fmt.Sprintf("style=dashed, color=%s, fontcolor=%s, penwidth=2, arrowhead=tee", quote(colBlocked), quote(colBlocked))
			lines = append(lines, "✗ "+r.Route.Verdict)
		case render.RouteUnknown:
			cls = "route unknown"
			attrs = fmt.Sprintf("style=dotted, color=%s, fontcolor=%s, penwidth=1.4, arrowhead=vee", quote(colMuted), quote(colMuted))
			lines = append(lines, "not evaluated")
		}
		tip := r.Route.Kind
		if r.Route.Name != "" {
			tip += " router " + r.Route.Name
		}
		tip += ": " + r.Route.Match() + " → " + r.Route.Backend + r.Route.PortText()
		if r.Route.Position != "" {
			tip += " (" + r.Route.Position + ")"
		}
		if r.Route.Verdict != "" {
			tip += ": " + r.Route.Verdict
		}
		if r.Route.Rule != "" {
			tip += ", " + r.Route.Rule
		}
		if r.Route.Reason != "" {
			tip += " (" + r.Route.Reason + ")"
		}
		attrs = fmt.Sprintf("id=%s, %s, fontsize=9, tooltip=%s", quote(fmt.Sprintf("route-%d", r.Index)), attrs, quote(tip))
		label := strings.Join(lines, "\n")
		if r.Repeat {
			label = ""
		}
		out = append(out, &edge{from: r.FromID, to: r.ToID, class: cls, attrs: attrs, label: label})
	}
	return out
}

// edge is one DOT edge; flow and flowAttrs are set when a flow claims it.
type edge struct {
	from, to, class, attrs, label string
	undirected                    bool
	flow, flowAttrs               string
}

type edges struct{ list []*edge }

// add appends an edge; label is plain text (escaped when written).
func (es *edges) add(from, to, class, attrs, label string, undirected bool) {
	es.list = append(es.list, &edge{from: from, to: to, class: class, attrs: attrs, label: label, undirected: undirected})
}

// find returns the first edge from -> to, or an undirected or
// dir=back edge to -> from (back is then true).
func (es *edges) find(from, to string) (e *edge, back bool) {
	for _, e := range es.list {
		if e.from == from && e.to == to && !strings.Contains(e.attrs, "invis") {
			return e, false
		}
	}
	for _, e := range es.list {
		if e.from == to && e.to == from && e.undirected {
			return e, true
		}
	}
	return nil, false
}

// mergeSteps adapts a flow's steps to the drawn edges: a step from a bridge
// to the internet ends at the bridge's egress marker, and a step from X to
// a bridge followed by one from the bridge to C becomes one step X -> C
// when X -> C is drawn (a published port) and X -> bridge is not.
func mergeSteps(in []render.FlowStep, es *edges, egressOf map[string]string) []render.FlowStep {
	var out []render.FlowStep
	for i := 0; i < len(in); i++ {
		s := in[i]
		s.Labels = slices.Clone(s.Labels)
		if s.ToID == render.InternetID && egressOf[s.FromID] != "" {
			s.ToID = egressOf[s.FromID]
		}
		if i+1 < len(in) {
			n := in[i+1]
			if e, _ := es.find(s.FromID, s.ToID); e == nil && n.FromID == s.ToID {
				if e2, back := es.find(s.FromID, n.ToID); e2 != nil && !back {
					s.ToID = n.ToID
					s.Labels = append(s.Labels, n.Labels...)
					s.LatencyMS += n.LatencyMS
					i++
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// packLabels puts runs of short hop labels (step kinds such as "route",
// "veth", "bridge") on one line, and long ones on lines of their own.
func packLabels(ls []string) []string {
	var out []string
	run := ""
	for _, l := range ls {
		if len(l) <= 12 && len(run)+len(l) < 36 {
			if run != "" {
				run += " · "
			}
			run += l
			continue
		}
		if run != "" {
			out = append(out, run)
			run = ""
		}
		if len(l) <= 12 {
			run = l
		} else {
			out = append(out, l)
		}
	}
	if run != "" {
		out = append(out, run)
	}
	return out
}

func stepMark(i int) string { return string(rune('a' + i%26)) }

func ruleSuffix(f render.Flow) string {
	s := ""
	if f.Rule != "" {
		s = ": " + f.Rule
	}
	if f.Reason != "" {
		s += "\n(" + f.Reason + ")"
	}
	return s
}

func egressID(n *render.NetView) string { return n.ID + "_egress" }

func hasEgress(v *render.View) bool {
	for _, n := range v.Networks {
		if n.Egress {
			return true
		}
	}
	return false
}

func hasPublic(v *render.View) bool {
	for _, p := range v.Ports {
		if !p.Loopback() {
			return true
		}
	}
	return false
}

func legend(v *render.View) string {
	type row struct{ sample, color, text string }
	rows := []row{
		{"───", colMuted, "endpoint: address on a network (in the box: its group's)"},
		{"■", "#54aeff", "bridge: the network's switch (host side: gateway)"},
	}
	if len(v.Ports) > 0 {
		rows = append(rows, row{"──→", colPort, "published ports (host → container DNAT), in the box"})
	}
	if v.HasLoopbackPort {
		rows = append(rows, row{"·····→", colPort, "published on loopback only (host-local)"})
	}
	if hasEgress(v) {
		rows = append(rows, row{"- - →", colEgress, "egress: routed by the host, SNAT (masquerade)"})
	}
	if v.HasShared || len(v.Host.HostMode) > 0 {
		rows = append(rows, row{"- - →", colShare, "shared network namespace (network_mode)"})
	}
	if v.HasInternal {
		rows = append(rows, row{"■", "#6e7781", "INTERNAL: no egress, no published ports"})
	}
	if v.HasICCOff {
		rows = append(rows, row{"■", colBlocked, "ICC OFF: members cannot reach each other"})
	}
	if v.HasNoMasq {
		rows = append(rows, row{"■", colBlocked, "NO MASQUERADE: no NAT to the outside"})
	}
	if v.HasExternal {
		rows = append(rows, row{"■", colBlocked, "EXTERNAL: created outside the project"})
	}
	if len(v.Projects) > 1 {
		rows = append(rows, row{"┅┅", colMuted, "project: its containers and the networks it created"})
	}
	if v.HasRouteOK {
		rows = append(rows, row{"- - →", colRoute, "route: reverse proxy → backend (host/path → port)"})
	}
	if v.HasRouteBlocked {
		rows = append(rows, row{"- - |", colBlocked, "route the proxy cannot reach (simulated)"})
	}
	if v.HasRouteUnknown {
		rows = append(rows, row{"·····→", colMuted, "route not evaluated (no backend address)"})
	}
	for _, f := range v.Flows {
		if f.Flow.Reachable {
			col := flowPalette[f.Index%len(flowPalette)]
			rows = append(rows, row{"──→", col, fmt.Sprintf("%d reachable: %s · %s", f.Index+1, f.Flow.Title(), render.FormatMS(f.Flow.TotalMS))})
		} else {
			rows = append(rows, row{"- - |", colBlocked, fmt.Sprintf("%d blocked: %s%s", f.Index+1, f.Flow.Title(), strings.ReplaceAll(ruleSuffix(f.Flow), "\n", " "))})
		}
	}
	if v.From != "" {
		rows = append(rows,
			row{"■", colReachSrc, "source: " + v.From},
			row{"■", colReachYes, "reachable from " + v.From},
			row{"■", colReachNo, "not reachable from " + v.From})
	}
	var b strings.Builder
	b.WriteString(`<table border="1" color="#d0d7de" cellborder="0" cellspacing="0" cellpadding="3" bgcolor="#ffffff">`)
	b.WriteString(`<tr><td colspan="2" align="left"><b>Legend</b></td></tr>`)
	for _, r := range rows {
		fmt.Fprintf(&b, `<tr><td align="center"><font color="%s"><b>%s</b></font></td><td align="left"><font point-size="9">%s</font></td></tr>`,
			r.color, html(r.sample), html(r.text))
	}
	b.WriteString(`</table>`)
	return b.String()
}

// quote returns s as a DOT double-quoted string.
func quote(s string) string { return `"` + esc(s) + `"` }

// esc escapes s for the inside of a DOT double-quoted string.
func esc(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return r.Replace(s)
}

// html escapes s for a DOT HTML-like label.
func html(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
