package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/composenet/composenet/scenarios"
)

func cmdCheck(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name:    "check",
		args:    "SCENARIO...",
		summary: "Run the expectations, what-ifs and flows of scenario files (see scenarios/README.md)\nand report each failure with its counterexample trace and a fix. Exit status: 0 when\nevery expectation holds, 1 when any fails, 2 on bad input.",
		examples: []string{
			"composenet check examples/ecommerce/ecommerce.scenario.yaml",
			"composenet check --format junit examples/*/*.scenario.yaml > report.xml",
		},
	})
	format := fs.String("format", "text", "output `FORMAT`: text, json or junit")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if !wantArgs(e, fs, pos, 1, 1<<20) {
		return exitBadInput
	}
	switch *format {
	case "text", "json", "junit":
	default:
		fmt.Fprintf(e.stderr, "composenet check: unknown format %q (want text, json or junit)\n", *format)
		return exitBadInput
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
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(reports); err != nil {
			printError(e, err)
			return exitBadInput
		}
	case "junit":
		writeJUnit(&buf, reports)
	default:
		writeCheckText(&buf, reports)
	}
	e.stdout.Write(buf.Bytes())
	for _, r := range reports {
		if r.Failed() > 0 {
			return exitNegative
		}
	}
	return exitOK
}

func writeCheckText(w io.Writer, reports []*scenarios.Report) {
	var pass, fail, xfail int
	for _, rep := range reports {
		fmt.Fprintf(w, "%s  (%s, project %s)\n", rep.Name, rep.File, rep.Project)
		for _, wi := range rep.WhatIfs {
			fmt.Fprintf(w, "  what-if: %s\n", wi)
		}
		for _, r := range rep.Results {
			mark := map[scenarios.Status]string{scenarios.Pass: "PASS ", scenarios.Fail: "FAIL ", scenarios.XFail: "XFAIL", scenarios.XPass: "XPASS"}[r.Status]
			switch r.Status {
			case scenarios.Pass:
				pass++
			case scenarios.XFail:
				xfail++
			default:
				fail++
			}
			fmt.Fprintf(w, "  %s %s: %s: %s\n", mark, r.Position, r.Kind, r.Text)
			fmt.Fprintf(w, "        %s\n", r.Message)
			if r.Status == scenarios.XFail || r.Status == scenarios.XPass {
				fmt.Fprintf(w, "        known: %s\n", r.XFail)
			}
			if r.Status == scenarios.XPass {
				fmt.Fprintf(w, "        fix: it holds now; remove the xfail mark\n")
			}
			if r.Status != scenarios.Fail {
				continue
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
					fmt.Fprintf(w, " (%s)", b.Position)
				}
				fmt.Fprintln(w)
			}
			for _, f := range dedupeStrings(r.Fixes) {
				fmt.Fprintf(w, "        fix: %s\n", f)
			}
		}
	}
	fmt.Fprintf(w, "\n%d passed, %d failed, %d known failures\n", pass, fail, xfail)
}

func dedupeStrings(l []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range l {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitFailure `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, reports []*scenarios.Report) {
	var all junitSuites
	for _, rep := range reports {
		s := junitSuite{Name: rep.Name}
		for _, r := range rep.Results {
			c := junitCase{Name: r.Kind + ": " + r.Text, Classname: rep.File, File: r.Position}
			switch r.Status {
			case scenarios.Fail, scenarios.XPass:
				var b bytes.Buffer
				writeCheckText(&b, []*scenarios.Report{{File: rep.File, Name: rep.Name, Project: rep.Project, Results: []scenarios.Result{r}}})
				c.Failure = &junitFailure{Message: r.Message, Type: string(r.Status), Body: strings.TrimSpace(b.String())}
				s.Failures++
			case scenarios.XFail:
				c.Skipped = &junitFailure{Message: "known failure: " + r.XFail}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Suites = append(all.Suites, s)
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	enc.Encode(all)
	io.WriteString(w, "\n")
}
