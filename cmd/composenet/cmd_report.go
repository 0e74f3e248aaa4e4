package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/composenet/composenet/viewer"
)

// cmdReport writes the interactive viewer as one offline HTML file.
func cmdReport(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "report",
		summary: "Write an interactive review page as one self-contained HTML file (no network, no\n" +
			"server): the diagram with pan, zoom and search; each container's endpoints, addresses,\n" +
			"names, ports and lint findings; the journey of any source to any container port (hops,\n" +
			"latencies, DNS, blockers with rule and fix), drawn on the diagram; lint, exposure and\n" +
			"a reachability heat map. Every answer is precomputed by the simulator.",
		examples: []string{
			"composenet report -o review.html",
			"composenet report -f examples/ecommerce/compose.yaml -o ecommerce.html",
		},
	})
	lf := addLoadFlags(fs)
	out := addOutputFlag(fs, "the page (required)")
	maxJ := fs.Int("max-journeys", viewer.DefaultMaxJourneys, "embed at most `N` journeys in full; above, only their verdicts")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if *out == "" {
		fmt.Fprintf(e.stderr, "composenet report: -o FILE is required (the page is HTML)\n")
		return exitBadInput
	}
	if *maxJ < 1 {
		fmt.Fprintf(e.stderr, "composenet report: --max-journeys must be at least 1\n")
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	printWarnings(e, t)
	stop := newProgress(e, "computing the journeys").Spin()
	p, err := viewer.Build(viewer.NewModel(t), viewer.Options{Mode: "report", Version: version, MaxJourneys: *maxJ})
	stop()
	if err != nil {
		printError(e, err)
		return exitBadInput
	}
	if p.Limit != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", p.Limit)
	}
	stop = newProgress(e, "laying out the diagram").Spin()
	svg, err := viewer.Diagram(ctx, t, e.svgHelper().FromDOT)
	stop()
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet report: %s\n", strings.TrimPrefix(err.Error(), "svg: "))
		return exitBadInput
	}
	var buf bytes.Buffer
	if err := viewer.WriteReport(&buf, p, svg); err != nil {
		printError(e, err)
		return exitBadInput
	}
	return exitCode(e.emit(ctx, "report", out, "html", buf.Bytes()))
}
