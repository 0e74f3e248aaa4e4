package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"

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
	format := fs.String("format", "text", "output `FORMAT`: text, json or sarif")
	failOn := fs.String("fail-on", "warning", "exit 1 when a finding of this `SEVERITY` or worse exists: error, warning, info or none")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if !wantArgs(e, fs, pos, 0, 0) {
		return exitBadInput
	}
	rank := map[string]int{review.Error: 3, review.Warning: 2, review.Info: 1, "none": 4}
	if _, ok := rank[*failOn]; !ok {
		fmt.Fprintf(e.stderr, "composenet lint: unknown --fail-on %q (want error, warning, info or none)\n", *failOn)
		return exitBadInput
	}
	switch *format {
	case "text", "json", "sarif":
	default:
		fmt.Fprintf(e.stderr, "composenet lint: unknown format %q (want text, json or sarif)\n", *format)
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	fs2 := review.Lint(t)
	var buf bytes.Buffer
	switch *format {
	case "json":
		out := fs2
		if out == nil {
			out = []review.Finding{}
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(out)
	case "sarif":
		writeSARIF(&buf, fs2)
	default:
		for _, f := range fs2 {
			p := f.Position
			if p == "" {
				p = "-"
			}
			fmt.Fprintf(&buf, "%s: %s %s: %s\n", p, f.Severity, f.Code, f.Message)
			fmt.Fprintf(&buf, "    fix: %s\n", f.Fix)
		}
		fmt.Fprintf(&buf, "%d finding(s)\n", len(fs2))
	}
	e.stdout.Write(buf.Bytes())
	for _, f := range fs2 {
		if rank[f.Severity] >= rank[*failOn] {
			return exitNegative
		}
	}
	return exitOK
}

// writeSARIF writes findings as a SARIF 2.1.0 log with one run.
func writeSARIF(w io.Writer, fs []review.Finding) {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string `json:"id"`
		ShortDescription msg    `json:"shortDescription"`
	}
	type region struct {
		StartLine   int `json:"startLine,omitempty"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type phys struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *region `json:"region,omitempty"`
	}
	type loc struct {
		PhysicalLocation phys `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string `json:"ruleId"`
		Level     string `json:"level"`
		Message   msg    `json:"message"`
		Locations []loc  `json:"locations,omitempty"`
	}
	levels := map[string]string{review.Error: "error", review.Warning: "warning", review.Info: "note"}
	seen := map[string]bool{}
	rules := []rule{}
	results := []result{}
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			d := review.Rules[f.Code]
			if d == "" {
				d = "silent misconfiguration (rule book section 11)"
			}
			rules = append(rules, rule{ID: f.Code, ShortDescription: msg{d}})
		}
		r := result{RuleID: f.Code, Level: levels[f.Severity], Message: msg{f.Message + " Fix: " + f.Fix}}
		if f.Pos.File != "" {
			var p phys
			p.ArtifactLocation.URI = filepath.ToSlash(f.Pos.File)
			if f.Pos.Line > 0 {
				p.Region = &region{StartLine: f.Pos.Line, StartColumn: f.Pos.Col}
			}
			r.Locations = []loc{{p}}
		}
		results = append(results, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "composenet", "version": version,
				"informationUri": "https://github.com/composenet/composenet",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(doc)
}
