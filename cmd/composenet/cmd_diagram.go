package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/composenet/composenet/internal/drawroutes"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/ascii"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/render/mermaid"
	"github.com/composenet/composenet/render/overlay"
	"github.com/composenet/composenet/render/svgcmd"
	"github.com/composenet/composenet/sim"
)

// diagramFormats maps a --format value to its renderer; summary draws
// the summarised picture (svg and dot).
func diagramFormats(ctx context.Context, e *env, summary bool) map[string]render.Renderer {
	return map[string]render.Renderer{
		"svg":     svgcmd.Renderer{Helper: e.svgHelper(), Context: ctx, Summary: summary},
		"dot":     dot.Renderer{Summary: summary},
		"mermaid": mermaid.Renderer{},
		"ascii":   ascii.Renderer{},
	}
}

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
			"Reverse-proxy routes (traefik, nginx-proxy, caddy labels) are dashed edges proxy -> backend\n" +
			"labelled with the host/path rule and port, red when the proxy cannot reach the backend\n" +
			"(--hide routes leaves them out).\n" +
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
	fs.Var(&hide, "hide", "leave out `WHAT`: ports, routes (repeatable)")
	asciiOnly := fs.Bool("ascii-only", false, "plain 7-bit ASCII for the ascii format")
	summary := fs.String("summary", "auto", "`MODE` for svg and dot: on draws networks as nodes with containers counted; auto does so above "+fmt.Sprint(render.SummaryThreshold)+" containers (without --focus); off never")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "composenet diagram: "+format+"\n", a...)
		return exitBadInput
	}
	f, err := formatFor(*format, out, formatByExt, "ascii")
	if err != nil {
		return usage("%v", err)
	}
	if _, known := diagramFormats(ctx, e, false)[f]; !known {
		return usage("unknown format %q (want svg, dot, mermaid or ascii)", f)
	}
	if len(highlights) > render.MaxHighlights {
		return usage("%d --highlight flags: at most %d flows can be drawn readably in one picture", len(highlights), render.MaxHighlights)
	}
	opt := render.Options{Focus: *focus, ASCIIOnly: *asciiOnly}
	if err := opt.ParseHide(hide); err != nil {
		return usage("%v", err)
	}
	queries, err := overlay.ParseHighlights(highlights)
	if err != nil {
		return usage("%v", err)
	}

	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	if err := render.CheckLayout(t, f); err != nil {
		return usage("%v", err)
	}
	s := sim.New(t)
	if err := overlay.Apply(&opt, t, s, queries, *from); err != nil {
		return usage("%v", err)
	}
	if !opt.HideRoutes {
		opt.Routes = drawroutes.Routes(t, s)
	}
	useSummary, auto, err := render.UseSummary(t, f, *summary, *focus)
	if err != nil {
		return usage("%v", err)
	}
	if auto {
		fmt.Fprintf(e.stderr, "note: %d containers: drawing a summary (networks as nodes, containers counted), because laying out every container takes Graphviz minutes; use --focus SERVICE or --summary=off for the full picture\n", len(t.Containers))
	}
	if useSummary && (len(opt.Highlights) > 0 || opt.ReachableFrom != "" || opt.HidePorts || len(opt.Routes) > 0) {
		fmt.Fprintf(e.stderr, "note: the summary does not draw --highlight, --from, --hide or proxy routes\n")
	}

	var buf bytes.Buffer
	stop := func() {}
	if f == "svg" {
		stop = newProgress(e, "laying out the SVG").Spin()
	}
	err = diagramFormats(ctx, e, useSummary)[f].Render(&buf, t, opt)
	stop()
	if err != nil {
		return usage("%v", err)
	}
	printWarnings(e, t)
	return exitCode(e.emit(ctx, "diagram", out, f, buf.Bytes()))
}
