package scenarios

import (
	"fmt"
	"io"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
)

// WriteText writes the reports for people: each expectation's status, and
// for a failure its counterexample trace, blockers and fixes; then the
// counts.
func WriteText(w io.Writer, reports []*Report) error {
	var pass, fail, xfail int
	for _, rep := range reports {
		if len(rep.Projects) > 1 {
			fmt.Fprintf(w, "%s  (%s, projects %s in up order)\n", rep.Name, termsafe.Escape(rep.File), strings.Join(rep.Projects, ", "))
		} else {
			fmt.Fprintf(w, "%s  (%s, project %s)\n", rep.Name, termsafe.Escape(rep.File), rep.Project)
		}
		for _, wi := range rep.WhatIfs {
			fmt.Fprintf(w, "  what-if: %s\n", wi)
		}
		for _, r := range rep.Results {
			switch r.Status {
			case Pass:
				pass++
			case XFail:
				xfail++
			default:
				fail++
			}
			writeResult(w, r)
		}
	}
	_, err := fmt.Fprintf(w, "\n%d passed, %d failed, %d known failures\n", pass, fail, xfail)
	return err
}

// writeResult writes one result: the status line, the message, and for a
// failure the trace, the blockers and the fixes.
func writeResult(w io.Writer, r Result) {
	mark := map[Status]string{Pass: "PASS ", Fail: "FAIL ", XFail: "XFAIL", XPass: "XPASS"}[r.Status]
	fmt.Fprintf(w, "  %s %s: %s: %s\n", mark, termsafe.Escape(r.Position), r.Kind, r.Text)
	fmt.Fprintf(w, "        %s\n", r.Message)
	if r.Status == XFail || r.Status == XPass {
		fmt.Fprintf(w, "        known: %s\n", r.XFail)
	}
	if r.Status == XPass {
		fmt.Fprintf(w, "        fix: it holds now; remove the xfail mark\n")
	}
	if r.Status != Fail {
		return
	}
	if len(r.Trace) > 0 {
		fmt.Fprintf(w, "        trace:\n")
		for _, h := range r.Trace {
			ret := ""
			if h.Return {
				ret = " (reply)"
			}
			fmt.Fprintf(w, "          %-12s %s: %s%s\n", h.Step, h.Node, h.Detail, ret)
		}
	}
	for _, b := range r.BlockedBy {
		fmt.Fprintf(w, "        blocked by %s: %s", b.Component, b.Rule)
		if b.Position != "" {
			fmt.Fprintf(w, " (%s)", termsafe.Escape(b.Position))
		}
		fmt.Fprintln(w)
	}
	seen := map[string]bool{}
	for _, f := range r.Fixes {
		if f != "" && !seen[f] {
			seen[f] = true
			fmt.Fprintf(w, "        fix: %s\n", f)
		}
	}
}
