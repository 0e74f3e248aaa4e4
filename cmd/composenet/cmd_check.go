package main

import (
	"bytes"
	"context"

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
	var reports []*scenarios.Report
	bad := false
	for _, f := range pos {
		sc, err := scenarios.Load(f)
		if err == nil {
			var rep *scenarios.Report
			if rep, err = scenarios.Run(ctx, sc); err == nil {
				reports = append(reports, rep)
				continue
			}
		}
		printError(e, err)
		bad = true
	}
	if bad {
		return exitBadInput
	}
	var buf bytes.Buffer
	switch *format {
	case "json":
		if !e.emitJSON(ctx, "check", nil, reports) {
			return exitBadInput
		}
	case "junit":
		scenarios.WriteJUnit(&buf, reports)
	default:
		scenarios.WriteText(&buf, reports)
	}
	if buf.Len() > 0 && !e.emit(ctx, "check", nil, *format, buf.Bytes()) {
		return exitBadInput
	}
	for _, r := range reports {
		if r.Failed() > 0 {
			return exitNegative
		}
	}
	return exitOK
}
