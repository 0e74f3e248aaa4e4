package main

import (
	"context"
	"fmt"
	"io"

	"github.com/composenet/composenet/review"
)

func cmdLint(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name:    "lint",
		summary: "Design review of a compose project: intended calls (service addresses in environment\nvalues) that cannot work, depends_on without a network path, datastores published on\nevery interface, unused network attachments, the default network in a segmented\nproject, and the rule book's silent misconfigurations (section 11). Each finding has a\nstable code, a severity, the compose position and a fix. Exit 1 when a finding at or\nabove --fail-on exists.\n\nCodes: L-ENV-UNRESOLVED, L-ENV-UNREACHABLE, L-DATASTORE-PUBLISHED, L-NET-UNUSED, L-DEFAULT-NETWORK, and the topology's W-* codes.",
		examples: []string{
			"composenet lint -f examples/production/compose.yaml",
			"composenet lint --format sarif > composenet.sarif",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text, json or sarif", "text", "json", "sarif")
	failOn := fs.String("fail-on", "warning", "exit 1 when a finding of this `SEVERITY` or worse exists: error, warning, info or none")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	threshold, err := review.ParseFailOn(*failOn)
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet lint: %v\n", err)
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	findings := review.Lint(t)
	if findings == nil {
		findings = []review.Finding{}
	}
	if !e.emitWith(ctx, "lint", nil, *format, findings, func(w io.Writer) error {
		if *format == "sarif" {
			return review.WriteSARIF(w, findings, version)
		}
		return review.WriteLintText(w, findings)
	}) {
		return exitBadInput
	}
	if threshold.Fails(findings) {
		return exitNegative
	}
	return exitOK
}
