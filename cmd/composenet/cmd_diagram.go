package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/ascii"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/render/mermaid"
	"github.com/composenet/composenet/render/svgcmd"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// diagramFormats maps a --format value to its renderer.
func diagramFormats(ctx context.Context, e *env) map[string]render.Renderer {
	return map[string]render.Renderer{
		"svg":     svgcmd.Renderer{Helper: e.svgHelper(), Context: ctx},
		"dot":     dot.Renderer{},
		"mermaid": mermaid.Renderer{},
		"ascii":   ascii.Renderer{},
	}
}

// Limits on what diagram draws: past them the picture is unreadable and
// Graphviz works for minutes (one service on 1,000 networks: 29 s and
// 724 MB of SVG layout), so the command refuses and says so.
const (
	maxHighlights  = 50  // --highlight flags
	maxNetworksSVG = 100 // networks one container joins, for svg and dot
)

// summaryThreshold is the container count above which --summary=auto
// draws the summarised picture: the full SVG of 500 services lays out in
// about 1.5 s, of 5000 in minutes.
const summaryThreshold = 800

// formatByExt infers the format from an output file name.
var formatByExt = map[string]string{
	".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid", ".txt": "ascii",
}

func cmdDiagram(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "diagram",
		summary: "Draw the topology: each network as a group with its subnet and markers (internal,\n" +
			"external, icc off), each container once with its address on every network, the host\n" +
			"with its published ports, egress, network_mode sharing and a legend. Overlays:\n" +
			"--highlight draws a simulated flow (bold with per-hop latency, or red and dashed up to\n" +
			"the component that drops it); --from colours every node by whether SERVICE reaches it\n" +
			"(an IP-level connection by name); --focus keeps SERVICE and what shares a network with it.\n" +
			"The format comes from --format, else from -o's extension (.svg .dot .gv .mmd .mermaid\n" +
			".txt), else ascii.",
		examples: []string{
			"composenet diagram -o arch.svg",
			"composenet diagram --format mermaid > docs/network.mmd",
			"composenet diagram -o flows.svg --highlight 'gateway->user-service:3001' --highlight 'gateway->database:5432'",
			"composenet diagram --from gateway --focus database",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.String("format", "", "output `FORMAT`: svg, dot, mermaid or ascii (default: from -o's extension, else ascii)")
	out := addOutputFlag(fs, "the picture")
	var highlights, hide multiFlag
	fs.Var(&highlights, "highlight", "draw the simulated flow `FROM->TO[:PORT][/PROTO]` (repeatable)")
	from := fs.String("from", "", "colour nodes by whether `SERVICE` (or container) can reach them")
	focus := fs.String("focus", "", "keep only `SERVICE` (or container) and what shares a network with it")
	fs.Var(&hide, "hide", "leave out `WHAT`: ports (repeatable)")
	asciiOnly := fs.Bool("ascii-only", false, "plain 7-bit ASCII for the ascii format")
	summary := fs.String("summary", "auto", "`MODE` for svg and dot: on draws networks as nodes with containers counted; auto does so above "+fmt.Sprint(summaryThreshold)+" containers (without --focus); off never")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if !wantArgs(e, fs, pos, 0, 0) {
		return exitBadInput
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "composenet diagram: "+format+"\n", a...)
		return exitBadInput
	}
	f, err := formatFor(*format, out, formatByExt, "ascii")
	if err != nil {
		return usage("%v", err)
	}
	renderer, known := diagramFormats(ctx, e)[f]
	if !known {
		return usage("unknown format %q (want svg, dot, mermaid or ascii)", f)
	}
	if len(highlights) > maxHighlights {
		return usage("%d --highlight flags: at most %d flows can be drawn readably in one picture", len(highlights), maxHighlights)
	}
	opt := render.Options{Focus: *focus, ASCIIOnly: *asciiOnly}
	for _, h := range hide {
		for _, w := range strings.Split(h, ",") {
			switch strings.TrimSpace(w) {
			case "ports":
				opt.HidePorts = true
			default:
				return usage("--hide: unknown %q (want ports)", w)
			}
		}
	}
	var queries []sim.Query
	for _, h := range highlights {
		q, err := sim.ParseFlow(h)
		if err != nil {
			return usage("--highlight %q: %v", h, err)
		}
		queries = append(queries, q)
	}

	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	if f == "svg" || f == "dot" {
		for _, c := range t.Containers {
			if n := len(c.Endpoints); n > maxNetworksSVG {
				return usage("%s joins %d networks: at most %d per container can be laid out in %s (Graphviz takes minutes); use --format ascii or --focus on another service", c.Name, n, maxNetworksSVG, f)
			}
		}
	}
	s := sim.New(t)
	if p, err := s.Peer(*focus); *focus != "" && err == nil && p.Kind == sim.PeerContainer {
		opt.Focus = p.Name // any spelling sim accepts; render reports unknown names
	}
	for _, q := range queries {
		r := s.Reach(q)
		if r.Verdict == sim.InvalidQuery {
			return usage("--highlight %s->%s: %s", q.From, q.To, r.Error)
		}
		opt.Highlights = append(opt.Highlights, flowOf(q, r))
	}
	if *from != "" {
		src, err := s.Peer(*from)
		if err != nil {
			return usage("--from: %v", err)
		}
		opt.ReachableFrom, opt.Reach = src.Name, reachFrom(t, s, src)
	}

	switch *summary {
	case "on", "off", "auto":
	default:
		return usage("--summary: want on, off or auto, got %q", *summary)
	}
	useSummary := (f == "svg" || f == "dot") && (*summary == "on" ||
		*summary == "auto" && *focus == "" && len(t.Containers) > summaryThreshold)
	if useSummary && *summary == "auto" {
		fmt.Fprintf(e.stderr, "note: %d containers: drawing a summary (networks as nodes, containers counted), because laying out every container takes Graphviz minutes; use --focus SERVICE or --summary=off for the full picture\n", len(t.Containers))
	}
	if useSummary && (len(opt.Highlights) > 0 || opt.ReachableFrom != "" || opt.HidePorts) {
		fmt.Fprintf(e.stderr, "note: the summary does not draw --highlight, --from or --hide\n")
	}

	var buf bytes.Buffer
	stop := func() {}
	if f == "svg" {
		stop = newProgress(e, "laying out the SVG").spin()
	}
	switch {
	case useSummary && f == "dot":
		buf.WriteString(dot.Summary(t))
	case useSummary:
		var svg []byte
		svg, err = e.svgHelper().FromDOT(ctx, []byte(dot.Summary(t)))
		buf.Write(svg)
	default:
		err = renderer.Render(&buf, t, opt)
	}
	stop()
	if err != nil {
		return usage("%v", err)
	}
	printWarnings(e, t)
	return exitCode(e.emit(ctx, "diagram", out, f, buf.Bytes()))
}

// flowOf converts a sim result into the overlay the renderers draw: the
// forward hops (reply steps are left out) placed on the picture's nodes by
// their typed place, one-way latency, and for a blocked flow the node of
// the first blocker and the rule-book IDs of every blocker. The source is
// named as sim resolved it, so any spelling of a name draws the same.
func flowOf(q sim.Query, r sim.Result) render.Flow {
	f := render.Flow{From: r.Source.Name, To: q.To, Reachable: r.Reachable}
	if !r.Reachable {
		f.Reason = r.Reason
	}
	if q.Port != 0 {
		f.Port = fmt.Sprintf("%d/%s", q.Port, r.Protocol)
	}
	cur := peerNode(r.Source)
	for _, h := range r.Hops {
		if h.Return {
			continue
		}
		cur = placeNode(h.Place, h.Container, h.Network, cur)
		f.Hops = append(f.Hops, render.Hop{Node: cur, Label: hopLabel(h, r.DNS), LatencyMS: h.LatencyMS})
		f.TotalMS += h.LatencyMS
	}
	if len(f.Hops) == 0 {
		f.Hops = append(f.Hops, render.Hop{Node: cur})
	}
	if !r.Reachable {
		var ids []string
		for _, b := range r.BlockedBy {
			for _, id := range b.RuleIDs {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		f.Rule = strings.Join(ids, ", ")
		if f.Rule == "" {
			f.Rule = r.Verdict.String()
		}
		if len(r.BlockedBy) > 0 {
			b := r.BlockedBy[0]
			f.BlockedAt = placeNode(b.Place, b.Container, b.Network, cur)
		}
	}
	return f
}

// peerNode is the picture node of a flow's source.
func peerNode(p sim.Peer) string {
	switch p.Kind {
	case sim.PeerContainer:
		return p.Container
	case sim.PeerInternet:
		return render.NodeInternet
	}
	return render.NodeHost
}

// placeNode is the picture node of a hop or blocker: the container, the
// network (engine name), the host or the internet; cur when the place
// names nothing drawable.
func placeNode(p sim.Place, ctr, network, cur string) string {
	switch {
	case p == sim.AtContainer && ctr != "":
		return ctr
	case p == sim.AtNetwork && network != "":
		return network
	case p == sim.AtHost:
		return render.NodeHost
	case p == sim.AtInternet:
		return render.NodeInternet
	}
	return cur
}

// hopLabel is the short text of a hop on the picture: the step kind, the
// address rewrite for NAT steps, the reason for drops, the answer for DNS.
func hopLabel(h sim.Hop, dns *sim.DNSResult) string {
	switch {
	case h.Kind == sim.HopNAT || h.Step == sim.StepDrop:
		d := h.Detail
		if len(d) > 48 {
			d = d[:47] + "…"
		}
		return d
	case h.Kind == sim.HopDNS && dns != nil:
		switch {
		case !dns.Resolved():
			return "dns " + dns.Rcode
		case len(dns.Answers) > 1:
			return "dns " + dns.Answers[0].IP.String() + " (+more)"
		}
		return "dns " + dns.Answers[0].IP.String()
	}
	return h.Step
}

// reachFrom colours the picture for --from: every container, the host and
// the internet by an IP-level question (sim reach with no port), each
// network by whether the source joins it or reaches one of its members.
func reachFrom(t *topology.Topology, s *sim.Sim, src sim.Peer) map[string]bool {
	reach := map[string]bool{}
	for _, c := range t.Containers {
		reach[c.Name] = s.Reach(sim.Query{From: src.Name, To: c.Name}).Reachable
	}
	reach[render.NodeHost] = s.Reach(sim.Query{From: src.Name, To: sim.Host}).Reachable
	reach[render.NodeInternet] = s.Reach(sim.Query{From: src.Name, To: sim.Internet}).Reachable
	bySvc := src.Kind == sim.PeerContainer && src.Service != "" && src.Name == src.Service
	for _, n := range append([]*topology.Network{t.Bridge0}, t.Networks...) {
		if n == nil {
			continue
		}
		ok := false
		for _, ep := range n.Endpoints {
			c := ep.Container
			if reach[c.Name] || src.Kind == sim.PeerContainer && (c.Name == src.Container || bySvc && c.Service == src.Service) {
				ok = true
			}
		}
		reach[n.Name] = ok
	}
	return reach
}
