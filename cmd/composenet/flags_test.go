package main

import (
	"strings"
	"testing"
)

// Flags stand before or after the positional arguments, -f and --file are
// one repeatable flag, and "--" ends the flags.
func TestParseArgsInterspersed(t *testing.T) {
	e := &env{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	fs := newFlagSet(e, cmdSpec{name: "x", maxArgs: -1})
	f := fs.formatFlag("", "text", "json")
	lf := addLoadFlags(fs)
	pos, _, ok := parseArgs(e, fs, []string{"web", "--format", "json", "api:80", "-f", "a.yaml", "--file=b.yaml", "--", "-notaflag", "--format"})
	if !ok || strings.Join(pos, ",") != "web,api:80,-notaflag,--format" || *f != "json" || strings.Join(lf.files, ",") != "a.yaml,b.yaml" {
		t.Errorf("pos %v format %s files %v ok %v", pos, *f, lf.files, ok)
	}
}

// -o ” is a usage error, not "write to stdout".
func TestEmptyOutputRefused(t *testing.T) {
	var errb strings.Builder
	e := &env{stdout: &strings.Builder{}, stderr: &errb}
	fs := newFlagSet(e, cmdSpec{name: "x"})
	addOutputFlag(fs, "it")
	if _, code, ok := parseArgs(e, fs, []string{"-o", ""}); ok || code != exitBadInput || !strings.Contains(errb.String(), "empty file name") {
		t.Errorf("ok %v code %d stderr %q", ok, code, errb.String())
	}
}

// parseArgs checks the positional count of the spec and then --format
// ("ascii" standing for "text" where allowed), each a usage error.
func TestParseArgsChecks(t *testing.T) {
	for _, c := range []struct {
		args      []string
		asciiText bool
		want      string // stderr; "" means accepted
		format    string
	}{
		{[]string{"a"}, false, "composenet x: missing arguments (want 2, got 1)\nRun 'composenet x --help' for usage.\n", ""},
		{[]string{"a", "b", "c", "d"}, false, "composenet x: too many arguments: c d\nRun 'composenet x --help' for usage.\n", ""},
		{[]string{"a", "--format", "xml"}, false, "composenet x: missing arguments (want 2, got 1)\nRun 'composenet x --help' for usage.\n", ""},
		{[]string{"a", "b", "--format", "xml"}, false, "composenet x: unknown format \"xml\" (want text, csv or json)\n", ""},
		{[]string{"a", "b", "--format", "ascii"}, false, "composenet x: unknown format \"ascii\" (want text, csv or json)\n", ""},
		{[]string{"a", "b", "--format", "ascii"}, true, "", "text"},
		{[]string{"a", "b", "--format=csv"}, false, "", "csv"},
		{[]string{"a", "b"}, false, "", "text"},
	} {
		var errb strings.Builder
		e := &env{stdout: &strings.Builder{}, stderr: &errb}
		fs := newFlagSet(e, cmdSpec{name: "x", minArgs: 2, maxArgs: 2})
		f := fs.formatFlag("", "text", "csv", "json")
		fs.format.asciiText = c.asciiText
		_, code, ok := parseArgs(e, fs, c.args)
		if errb.String() != c.want || ok != (c.want == "") || !ok && code != exitBadInput || ok && *f != c.format {
			t.Errorf("%v: ok %v code %d format %q stderr %q", c.args, ok, code, *f, errb.String())
		}
	}
}
