package main

import (
	"context"
	"fmt"
	"io"

	"github.com/composenet/composenet/review"
)

// cmdExposure answers `composenet exposure`: what the internet/LAN and the
// host reach, and the transitive attack surface through declared calls.
// Exit 0, or 2 on bad input.
func cmdExposure(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "exposure",
		summary: "What the internet/LAN and the host can reach: every published binding (host_ip:port ->\n" +
			"container:port/proto; loopback bindings reach the host only, R7-9), network_mode: host\n" +
			"listeners, and the host's direct access to every container address (R7-6). Then, for\n" +
			"each exposed service, what its declared calls (environment URLs, host:port values,\n" +
			"*_HOST keys) reach in turn, transitively: the attack surface, with each service's depth\n" +
			"(hops from the internet) and the path that makes it reachable. --format svg draws the\n" +
			"exposure graph. The format comes from --format, else from -o's extension (.txt .json\n" +
			".svg), else text.",
		examples: []string{
			"composenet exposure -f examples/production/compose.yaml",
			"composenet exposure --format json | jq '.surface[] | select(.depth > 1)'",
			"composenet exposure -o exposure.svg",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.String("format", "", "output `FORMAT`: text, json or svg (default: from -o's extension, else text)")
	out := addOutputFlag(fs, "the report")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	f, err := formatFor(*format, out, map[string]string{".txt": "text", ".json": "json", ".svg": "svg"}, "text")
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet exposure: %v\n", err)
		return exitBadInput
	}
	if !checkFormat(e, "exposure", f, "text", "json", "svg") {
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	rep := review.Exposure(t)
	if f != "json" {
		printWarnings(e, t)
	}
	return exitCode(e.emitWith(ctx, "exposure", out, f, rep, func(w io.Writer) error {
		if f != "svg" {
			return review.WriteExposureText(w, rep)
		}
		svg, err := e.svgHelper().FromDOT(ctx, []byte(rep.DOT()))
		w.Write(svg)
		return err
	}))
}
