package main

import (
	"bytes"
	"context"

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
	if *format == "json" {
		return exitCode(e.emitJSON(ctx, "inspect", nil, t.Doc()))
	}
	var buf bytes.Buffer
	answers.WriteInspect(&buf, t)
	printNotices(e, t)
	printWarnings(e, t)
	return exitCode(e.emit(ctx, "inspect", nil, *format, buf.Bytes()))
}
