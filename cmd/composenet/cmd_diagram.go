package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
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
var diagramFormats = map[string]func() render.Renderer{
	"svg":     func() render.Renderer { return svgcmd.Renderer{} },
	"dot":     func() render.Renderer { return dot.Renderer{} },
	"mermaid": func() render.Renderer { return mermaid.Renderer{} },
	"ascii":   func() render.Renderer { return ascii.Renderer{} },
}

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
	out := fs.String("o", "", "write the picture to `FILE` (atomically) instead of stdout")
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
	f := *format
	if f == "" && *out != "" {
		f = formatByExt[strings.ToLower(filepath.Ext(*out))]
		if f == "" {
			return usage("cannot tell the format from %q: use --format svg, dot, mermaid or ascii", *out)
		}
	}
	if f == "" {
		f = "ascii"
	}
	newRenderer, known := diagramFormats[f]
	if !known {
		return usage("unknown format %q (want svg, dot, mermaid or ascii)", f)
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
		q, err := parseFlowSpec(h)
		if err != nil {
			return usage("--highlight %q: %v", h, err)
		}
		queries = append(queries, q)
	}

	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	s := sim.New(t)
	for _, q := range queries {
		r := s.Reach(q)
		if r.Verdict == sim.InvalidQuery {
			return usage("--highlight %s->%s: %s", q.From, q.To, r.Error)
		}
		opt.Highlights = append(opt.Highlights, flowOf(t, q, r))
	}
	if *from != "" {
		reach, err := reachFrom(t, s, *from)
		if err != nil {
			return usage("--from: %v", err)
		}
		opt.ReachableFrom, opt.Reach = *from, reach
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
	var err error
	switch {
	case useSummary && f == "dot":
		buf.WriteString(dot.Summary(t))
	case useSummary:
		var out []byte
		out, err = svgcmd.FromDOT(ctx, "", []byte(dot.Summary(t)))
		buf.Write(out)
	default:
		err = newRenderer().Render(&buf, t, opt)
	}
	stop()
	if err != nil {
		return usage("%v", err)
	}
	printWarnings(e, t)
	if *out == "" {
		e.stdout.Write(buf.Bytes())
		return exitOK
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		printError(e, err)
		return exitBadInput
	}
	return exitOK
}

// parseFlowSpec parses FROM->TO[:PORT][/PROTO].
func parseFlowSpec(s string) (sim.Query, error) {
	from, to, found := strings.Cut(s, "->")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !found || from == "" || to == "" {
		return sim.Query{}, fmt.Errorf("want FROM->TO[:PORT][/PROTO]")
	}
	target, port, proto, err := sim.ParseTarget(to)
	if err != nil {
		return sim.Query{}, err
	}
	return sim.Query{From: from, To: target, Port: port, Protocol: proto}, nil
}

var ruleIDRE = regexp.MustCompile(`\bR\d+-\d+\b`)

// flowOf converts a sim result into the overlay the renderers draw: the
// forward hops (reply steps are left out) placed on the picture's nodes,
// one-way latency, and for a blocked flow the component that drops it and
// the rule-book IDs of every blocker.
func flowOf(t *topology.Topology, q sim.Query, r sim.Result) render.Flow {
	f := render.Flow{From: q.From, To: q.To, Reachable: r.Reachable}
	if !r.Reachable {
		f.Reason = r.Reason
	}
	if q.Port != 0 {
		f.Port = fmt.Sprintf("%d/%s", q.Port, r.Protocol)
	}
	nodes := newNodeMap(t)
	cur := nodes.source(q.From)
	for _, h := range r.Hops {
		if h.Return {
			continue
		}
		n := nodes.of(h.Node, cur)
		if h.Step == sim.StepDNS {
			n = cur
		}
		cur = n
		f.Hops = append(f.Hops, render.Hop{Node: n, Label: hopLabel(h), LatencyMS: h.LatencyMS})
		f.TotalMS += h.LatencyMS
	}
	if len(f.Hops) == 0 {
		f.Hops = append(f.Hops, render.Hop{Node: cur})
	}
	if !r.Reachable {
		var ids []string
		seen := map[string]bool{}
		for _, b := range r.BlockedBy {
			for _, id := range ruleIDRE.FindAllString(b.Rule, -1) {
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		f.Rule = strings.Join(ids, ", ")
		if f.Rule == "" {
			f.Rule = r.Verdict.String()
		}
		if len(r.BlockedBy) > 0 {
			f.BlockedAt = nodes.of(r.BlockedBy[0].Component, cur)
		}
	}
	return f
}

// hopLabel is the short text of a hop on the picture: the step kind, with
// the address rewrite for NAT steps and the reason for drops.
func hopLabel(h sim.Hop) string {
	switch h.Step {
	case sim.StepDNAT, sim.StepSNAT, sim.StepDrop:
		d := h.Detail
		if len(d) > 48 {
			d = d[:47] + "…"
		}
		return d
	case sim.StepDNS:
		// "A db? -> NOERROR 172.18.0.2 from ..." or "... -> NXDOMAIN".
		if i := strings.Index(h.Detail, "-> "); i >= 0 {
			f := strings.Fields(h.Detail[i+3:])
			if len(f) > 1 && f[0] == "NOERROR" {
				if len(f) > 2 && strings.HasSuffix(f[1], ",") {
					return "dns " + strings.TrimSuffix(f[1], ",") + " (+more)"
				}
				return "dns " + f[1]
			}
			if len(f) > 0 {
				return "dns " + f[0]
			}
		}
	}
	return h.Step
}

// nodeMap places sim hop nodes (devices, chains, processes) on the
// picture's nodes: containers, networks (by bridge device), the host and
// the internet.
type nodeMap struct {
	ctrs    map[string]bool
	svc     map[string]string
	bridges map[string]string
}

func newNodeMap(t *topology.Topology) *nodeMap {
	m := &nodeMap{ctrs: map[string]bool{}, svc: map[string]string{}, bridges: map[string]string{}}
	for _, c := range t.Containers {
		m.ctrs[c.Name] = true
		if _, ok := m.svc[c.Service]; !ok && c.Service != "" {
			m.svc[c.Service] = c.Name
		}
	}
	for _, n := range append([]*topology.Network{t.Bridge0}, t.Networks...) {
		if n != nil && n.Bridge != "" {
			m.bridges[n.Bridge] = n.Name
		}
	}
	return m
}

// source is the node a flow starts at.
func (m *nodeMap) source(from string) string {
	switch {
	case from == sim.Host || from == sim.Internet:
		return from
	case m.ctrs[from]:
		return from
	case m.svc[from] != "":
		return m.svc[from]
	}
	return from
}

// of places a hop node or blocker component; cur is the node of the hop
// before.
func (m *nodeMap) of(s, cur string) string {
	switch {
	case m.ctrs[s]:
		return s
	case s == sim.Internet:
		return render.NodeInternet
	case s == sim.Host:
		return render.NodeHost
	case m.bridges[s] != "":
		return m.bridges[s]
	case strings.Contains(s, "remote client"):
		return render.NodeInternet
	case s == "upstream resolver":
		return cur
	}
	// "X eth0 -> veth", "veth -> X eth0", "embedded DNS ... in X".
	for _, part := range []string{strings.TrimPrefix(s, "veth -> "), s[strings.LastIndex(s, " in ")+1:]} {
		part = strings.TrimPrefix(part, "in ")
		if f := strings.Fields(part); len(f) > 0 && m.ctrs[f[0]] {
			return f[0]
		}
	}
	return render.NodeHost
}

// reachFrom colours the picture for --from: every container, the host and
// the internet by an IP-level question (sim reach with no port), each
// network by whether the source joins it or reaches one of its members.
func reachFrom(t *topology.Topology, s *sim.Sim, from string) (map[string]bool, error) {
	if r := s.Reach(sim.Query{From: from, To: sim.Host}); r.Verdict == sim.InvalidQuery {
		return nil, fmt.Errorf("%s", r.Error)
	}
	reach := map[string]bool{}
	for _, c := range t.Containers {
		reach[c.Name] = s.Reach(sim.Query{From: from, To: c.Name}).Reachable
	}
	reach[render.NodeHost] = s.Reach(sim.Query{From: from, To: sim.Host}).Reachable
	reach[render.NodeInternet] = s.Reach(sim.Query{From: from, To: sim.Internet}).Reachable
	nets := append([]*topology.Network{t.Bridge0}, t.Networks...)
	for _, n := range nets {
		if n == nil {
			continue
		}
		ok := false
		for _, ep := range n.Endpoints {
			if reach[ep.Container.Name] || ep.Container.Name == from || ep.Container.Service == from {
				ok = true
			}
		}
		reach[n.Name] = ok
	}
	return reach, nil
}
