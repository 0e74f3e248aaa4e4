package main

import (
	"context"
	"io"
	"os"

	"github.com/composenet/composenet/scenarios"
	"github.com/composenet/composenet/topology"
)

func cmdCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "check", minArgs: 1, maxArgs: -1,
		args:    "SCENARIO...",
		summary: "Run the expectations, what-ifs and flows of scenario files (see scenarios/README.md)\nand report each failure with its counterexample trace and a fix. Exit status: 0 when\nevery expectation holds, 1 when any fails, 2 on bad input.",
		examples: []string{
			"composenet check examples/ecommerce/ecommerce.scenario.yaml",
			"composenet check --with ../proxy app.scenario.yaml     # the proxy project is up on the same host",
			"composenet check --format junit examples/*/*.scenario.yaml > report.xml",
		},
	})
	format := fs.formatFlag("output `FORMAT`: text, json or junit", "text", "json", "junit")
	var with multiFlag
	fs.Var(&with, "with", "run every scenario on a host where the compose project in `DIR_OR_FILE` is up too, brought up before the scenario's own with: projects (repeatable, in up order; relative to the current folder)")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	var refs []topology.ProjectRef
	if len(with) > 0 {
		wd, err := os.Getwd()
		if err != nil {
			printError(e, err)
			return exitBadInput
		}
		var problems []topology.Problem
		for _, w := range with {
			r := topology.ProjectRef{Path: w, Base: wd, Flag: "--with"}
			// Checked once here, not once per scenario file.
			_, ps := r.Options(topology.Options{Dir: wd})
			problems = append(problems, ps...)
			refs = append(refs, r)
		}
		if len(problems) > 0 {
			printError(e, &topology.LoadError{Problems: topology.SortProblems(problems)})
			return exitBadInput
		}
	}
	reports, errs := scenarios.RunFiles(ctx, pos, refs, e.loadHelper().Load)
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
