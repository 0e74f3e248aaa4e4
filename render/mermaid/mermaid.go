// Package mermaid renders a topology as a Mermaid flowchart for Markdown
// documents (GitHub, GitLab and most wikis draw it inline).
//
// The picture mirrors package dot: a subgraph per network holding its
// gateway node and the containers that join only that network; containers
// on several networks between the subgraphs, joined to each gateway by a
// link labelled with their address; the Docker host with published ports
// as links; egress links from each masquerading network to the internet.
// Reverse-proxy routes are dashed teal links from the proxy to the backend
// labelled with the host/path rule and port (red, ending in a cross, when
// the proxy cannot reach the backend). Highlighted flows are thick coloured
// links with per-hop labels; a blocked flow is a red dashed link ending in a
// cross at the dropping component.
// Styles use classDef and linkStyle (by link index), so the text is plain
// Mermaid with no HTML beyond <br/>. The output is deterministic.
package mermaid

import (
	"fmt"
	"io"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/topology"
)

// Renderer writes Mermaid flowchart text. The zero value is ready to use.
type Renderer struct{}

// Render writes the Mermaid picture of t with the overlays of opt to w.
func (Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	v, err := render.Build(t, opt)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, String(v))
	return err
}

var netPalette = []struct{ fill, line string }{
	{"#f0f6ff", "#54aeff"}, {"#f0fbf2", "#4ac26b"}, {"#fbf5ff", "#c297ff"}, {"#fff8eb", "#d4a72c"},
	{"#eefbfb", "#3bb3b3"}, {"#fff2f8", "#e85aad"}, {"#fff4ed", "#fb8f44"}, {"#f4f7ff", "#8ca4f0"},
}

var flowPalette = []string{"#0969da", "#8250df", "#1a7f37", "#bf3989"}

// String returns the Mermaid text for v.
func String(v *render.View) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	title := v.Project
	if title == "" {
		title = "compose project"
	}
	p("---\ntitle: %s · Docker network topology\n---\n", text(title))
	p("flowchart TB\n")
	if v.Focus != "" {
		p("  %%%% focus: %s\n", v.Focus)
	}
	p("  %s((\"Internet / LAN\"))\n", render.InternetID)
	host := "<b>Docker host</b>"
	for _, a := range v.Host.Addresses {
		host += "<br/>" + a.String()
	}
	p("  %s[[\"%s\"]]\n", render.HostID, host)

	writeNet := func(n *render.NetView, pre string) {
		lbl := n.Name()
		if n.Net.Subnet.IsValid() {
			lbl += " · " + n.Net.Subnet.String()
		}
		if m := n.Markers(); len(m) > 0 {
			lbl += " · " + strings.ToUpper(strings.Join(m, ", "))
		}
		p(pre+"  subgraph %s[\"%s\"]\n", n.ID, text(lbl))
		p("%s    direction TB\n", pre)
		gw := "bridge"
		if n.Net.Gateway.IsValid() {
			gw = "gateway " + n.Net.Gateway.String()
		}
		p(pre+"    %s([\"%s\"])\n", n.GatewayID(), text(gw))
		for _, c := range n.Home {
			p(pre+"    %s\n", container(c))
		}
		p("%s  end\n", pre)
	}
	// Several projects on one host: a subgraph per project around its
	// own networks and its other containers (see render.ProjectView).
	for _, pv := range v.Projects {
		p("  subgraph %s[\"%s\"]\n", pv.ID, text("project "+pv.Name))
		p("    direction TB\n")
		for _, n := range pv.Networks {
			writeNet(n, "  ")
		}
		for _, c := range pv.Containers {
			if c.Home == nil {
				p("    %s\n", container(c))
			}
		}
		p("  end\n")
	}
	for _, n := range v.Networks {
		if n.Project == nil {
			writeNet(n, "")
		}
	}
	for _, c := range v.Containers {
		if c.Home == nil && c.Project == nil {
			p("  %s\n", container(c))
		}
	}
	for _, x := range v.Extra {
		p("  %s([\"%s\"])\n", x.ID, text(x.Name))
	}

	// Links, counted for linkStyle.
	link := 0
	var styles []string
	add := func(from, arrow, label, to, style string) {
		if label != "" {
			p("  %s %s|\"%s\"| %s\n", from, arrow, label, to)
		} else {
			p("  %s %s %s\n", from, arrow, to)
		}
		if style != "" {
			styles = append(styles, fmt.Sprintf("  linkStyle %d %s\n", link, style))
		}
		link++
	}
	public := false
	for _, pv := range v.Ports {
		public = public || !pv.Loopback()
	}
	if public {
		add(render.InternetID, "-->", "inbound to published ports", render.HostID, "stroke:#bc4c00,color:#bc4c00")
	}
	for _, n := range v.Networks {
		if n.Egress {
			add(n.GatewayID(), "-.->", "egress (masquerade)", render.InternetID, "stroke:#8c959f,color:#57606a")
		}
	}
	for _, c := range v.Containers {
		for i, m := range c.Nets {
			n := c.NetNet[i]
			col := lineOf(v, n)
			add(c.ID, "---", m.Addr.String(), n.GatewayID(), "stroke:"+col)
		}
	}
	for _, c := range v.Containers {
		switch {
		case c.Provider != nil:
			add(c.ID, "-.->", "shares network namespace", c.Provider.ID, "stroke:#6639ba,color:#6639ba")
		case c.C.NetworkMode == "host":
			add(c.ID, "-.->", "host network namespace", render.HostID, "stroke:#6639ba,color:#6639ba")
		}
	}
	for _, pv := range v.Ports {
		st := "stroke:#bc4c00,color:#bc4c00"
		if pv.Loopback() {
			st += ",stroke-dasharray:2 3"
		}
		add(render.HostID, "-->", text(pv.Label("→")), pv.C.ID, st)
	}
	for _, r := range v.Routes {
		lines := r.Lines("→")
		arrow, style := "-.->", "stroke:#1b7c83,stroke-width:2px,stroke-dasharray:5 4,color:#1b7c83"
		switch r.Route.State {
		case render.RouteBlocked:
			lines = append(lines, "✗ "+r.Route.Verdict)
			arrow, style = "--x", "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 4,color:#cf222e"
		case render.RouteUnknown:
			lines = append(lines, "not evaluated")
			style = "stroke:#57606a,stroke-width:1.5px,stroke-dasharray:2 3,color:#57606a"
		}
		for j := range lines {
			lines[j] = text(lines[j])
		}
		label := strings.Join(lines, "<br/>")
		if r.Repeat {
			label = ""
		}
		add(r.FromID, arrow, label, r.ToID, style)
	}
	for _, f := range v.Flows {
		col := flowPalette[f.Index%len(flowPalette)]
		for i, s := range f.Steps {
			var lines []string
			lines = append(lines, s.Labels...)
			if s.LatencyMS > 0 {
				lines = append(lines, render.FormatMS(s.LatencyMS))
			}
			last := i == len(f.Steps)-1
			if last {
				if f.Flow.Reachable {
					lines = append(lines, fmt.Sprintf("✓ total %s", render.FormatMS(f.Flow.TotalMS)))
				} else {
					r := "✗ dropped"
					if f.Flow.Rule != "" {
						r += ": " + f.Flow.Rule
					}
					lines = append(lines, r)
				}
			}
			for j := range lines {
				lines[j] = text(lines[j])
			}
			label := fmt.Sprintf("%d%c", f.Index+1, rune('a'+i%26))
			if len(lines) > 0 {
				label += " " + strings.Join(lines, "<br/>")
			}
			if f.Flow.Reachable {
				add(s.FromID, "==>", label, s.ToID, fmt.Sprintf("stroke:%s,stroke-width:3px,color:%s", col, col))
			} else {
				arrow := "-.->"
				if last {
					arrow = "--x"
				}
				add(s.FromID, arrow, label, s.ToID, "stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4,color:#cf222e")
			}
		}
	}

	// Legend.
	leg := []string{"── endpoint: address on the network"}
	if len(v.Ports) > 0 {
		leg = append(leg, "──▶ published port (host → container DNAT)")
	}
	leg = append(leg, "┄┄▶ egress (masquerade) / shared namespace")
	if v.HasRouteOK {
		leg = append(leg, "┄┄▶ route: reverse proxy → backend (host/path → port)")
	}
	if v.HasRouteBlocked {
		leg = append(leg, "┄┄x route the proxy cannot reach (simulated)")
	}
	if v.HasRouteUnknown {
		leg = append(leg, "┄┄▶ grey: route not evaluated (no backend address)")
	}
	for _, f := range v.Flows {
		if f.Flow.Reachable {
			leg = append(leg, fmt.Sprintf("%d ✓ %s · %s", f.Index+1, f.Flow.Title(), render.FormatMS(f.Flow.TotalMS)))
		} else {
			s := fmt.Sprintf("%d ✗ %s", f.Index+1, f.Flow.Title())
			if f.Flow.Rule != "" {
				s += ": " + f.Flow.Rule
			}
			leg = append(leg, s)
		}
	}
	if v.From != "" {
		leg = append(leg, "blue: source "+v.From, "green: reachable", "red: not reachable")
	}
	for i := range leg {
		leg[i] = text(leg[i])
	}
	p("  legend[\"<b>Legend</b><br/>%s\"]\n", strings.Join(leg, "<br/>"))

	// Styles.
	p("  classDef container fill:#ffffff,stroke:#57606a,color:#24292f\n")
	p("  classDef gateway fill:#57606a,stroke:#57606a,color:#ffffff\n")
	p("  classDef host fill:#f6f8fa,stroke:#57606a,color:#24292f\n")
	p("  classDef outside fill:#eaeef2,stroke:#57606a,color:#24292f\n")
	p("  classDef legend fill:#ffffff,stroke:#d0d7de,color:#24292f,text-align:left\n")
	p("  classDef source fill:#ddf4ff,stroke:#0969da,stroke-width:3px\n")
	p("  classDef reach fill:#dafbe1,stroke:#1a7f37,stroke-width:2px\n")
	p("  classDef noreach fill:#ffebe9,stroke:#cf222e,stroke-width:2px\n")
	p("  classDef blocked stroke:#cf222e,stroke-width:4px\n")
	p("  class %s outside\n", render.InternetID)
	p("  class %s host\n", render.HostID)
	p("  class legend legend\n")
	var ids []string
	for _, c := range v.Containers {
		ids = append(ids, c.ID)
	}
	if len(ids) > 0 {
		p("  class %s container\n", strings.Join(ids, ","))
	}
	for i, n := range v.Networks {
		pal := netPalette[i%len(netPalette)]
		fill, line := pal.fill, pal.line
		dash := ""
		if n.Net.Internal {
			fill, line, dash = "#f6f8fa", "#6e7781", ",stroke-dasharray:5 4"
		}
		p("  style %s fill:%s,stroke:%s%s\n", n.ID, fill, line, dash)
		p("  style %s fill:%s,stroke:%s,color:#ffffff\n", n.GatewayID(), line, line)
	}
	for _, pv := range v.Projects {
		p("  style %s fill:#ffffff,stroke:#57606a,stroke-dasharray:6 4\n", pv.ID)
	}
	reach := map[render.ReachState][]string{}
	add2 := func(r render.ReachState, id string) {
		if r != render.ReachUnknown {
			reach[r] = append(reach[r], id)
		}
	}
	add2(v.Host.InternetReach, render.InternetID)
	add2(v.Host.Reach, render.HostID)
	for _, n := range v.Networks {
		add2(n.Reach, n.GatewayID())
	}
	for _, c := range v.Containers {
		add2(c.Reach, c.ID)
	}
	for _, r := range []struct {
		s   render.ReachState
		cls string
	}{{render.ReachSource, "source"}, {render.ReachYes, "reach"}, {render.ReachNo, "noreach"}} {
		if len(reach[r.s]) > 0 {
			p("  class %s %s\n", strings.Join(reach[r.s], ","), r.cls)
		}
	}
	var blocked []string
	seen := map[string]bool{}
	for _, f := range v.Flows {
		if f.BlockedID != "" && !seen[f.BlockedID] {
			seen[f.BlockedID] = true
			blocked = append(blocked, f.BlockedID)
		}
	}
	if len(blocked) > 0 {
		p("  class %s blocked\n", strings.Join(blocked, ","))
	}
	for _, s := range styles {
		b.WriteString(s)
	}
	return b.String()
}

func lineOf(v *render.View, n *render.NetView) string {
	if n.Net.Internal {
		return "#6e7781"
	}
	for i, m := range v.Networks {
		if m == n {
			return netPalette[i%len(netPalette)].line
		}
	}
	return "#8c959f"
}

func container(c *render.ContainerView) string {
	lbl := "<b>" + text(c.Title(" · ")) + "</b>"
	if c.Image != "" {
		lbl += "<br/><small>" + text(c.Image) + "</small>"
	}
	if m := c.Mode(); m != "" {
		lbl += "<br/><i>" + text(m) + "</i>"
	}
	return fmt.Sprintf("%s[\"%s\"]", c.ID, lbl)
}

// text escapes s for a quoted Mermaid label: quotes and the characters
// Mermaid treats as markup become entity codes.
func text(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "\n", "<br/>")
	return r.Replace(s)
}
