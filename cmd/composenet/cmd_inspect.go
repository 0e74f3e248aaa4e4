package main

import (
	"context"
	"io"

	"github.com/composenet/composenet/answers"
)

func cmdInspect(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name:    "inspect",
		summary: "Show the topology Docker would build: each network with subnet, gateway and flags and\nits members with addresses; each container with endpoints, aliases and published ports;\nthe warnings.",
		examples: []string{
			"composenet inspect",
			"composenet inspect -f examples/ecommerce/compose.yaml --format json",
			"composenet inspect -f compose.yaml -f compose.prod.yaml --profile debug",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text or json", "text", "json")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	if *format == "text" {
		printNotices(e, t)
		printWarnings(e, t)
	}
	return exitCode(e.emitWith(ctx, "inspect", nil, *format, t.Doc(), func(w io.Writer) error { return answers.WriteInspect(w, t) }))
}
