package main

import (
	"bytes"
	"context"
	"fmt"

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
	rank := map[string]int{review.Error: 3, review.Warning: 2, review.Info: 1, "none": 4}
	if _, ok := rank[*failOn]; !ok {
		fmt.Fprintf(e.stderr, "composenet lint: unknown --fail-on %q (want error, warning, info or none)\n", *failOn)
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	findings := review.Lint(t)
	var buf bytes.Buffer
	switch *format {
	case "json":
		if findings == nil {
			findings = []review.Finding{}
		}
		ok = e.emitJSON(ctx, "lint", nil, findings)
	case "sarif":
		review.WriteSARIF(&buf, findings, version)
	default:
		review.WriteLintText(&buf, findings)
	}
	if buf.Len() > 0 {
		ok = e.emit(ctx, "lint", nil, *format, buf.Bytes())
	}
	if !ok {
		return exitBadInput
	}
	for _, f := range findings {
		if rank[f.Severity] >= rank[*failOn] {
			return exitNegative
		}
	}
	return exitOK
}
