package main

import (
	"strings"
	"testing"
)

// Flags stand before or after the positional arguments, -f and --file are
// one repeatable flag, and "--" ends the flags.
func TestParseArgsInterspersed(t *testing.T) {
	e := &env{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	fs := newFlagSet(e, cmdSpec{name: "x"})
	f := fs.String("format", "text", "")
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
