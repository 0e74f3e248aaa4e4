package main

import (
	"context"
	"io"

	"github.com/composenet/composenet/scenarios"
)

func cmdCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "check", minArgs: 1, maxArgs: -1,
		args:    "SCENARIO...",
		summary: "Run the expectations, what-ifs and flows of scenario files (see scenarios/README.md)\nand report each failure with its counterexample trace and a fix. Exit status: 0 when\nevery expectation holds, 1 when any fails, 2 on bad input.",
		examples: []string{
			"composenet check examples/ecommerce/ecommerce.scenario.yaml",
			"composenet check --format junit examples/*/*.scenario.yaml > report.xml",
		},
	})
	format := fs.formatFlag("output `FORMAT`: text, json or junit", "text", "json", "junit")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	reports, errs := scenarios.RunFiles(ctx, pos, e.loadHelper().Load)
	for _, err := range errs {
		printError(e, err)
	}
	if len(errs) > 0 {
		return exitBadInput
	}
	if !e.emitWith(ctx, "check", nil, *format, reports, func(w io.Writer) error {
		if *format == "junit" {
			return scenarios.WriteJUnit(w, reports)
		}
		return scenarios.WriteText(w, reports)
	}) {
		return exitBadInput
	}
	if scenarios.AnyFailed(reports) {
		return exitNegative
	}
	return exitOK
}
