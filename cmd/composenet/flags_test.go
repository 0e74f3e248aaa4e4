package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteFileAtomic: the output appears whole with mode 0644, no
// temporary file is left behind, and a failed write leaves nothing.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "arch.svg")
	if err := writeFileAtomic(out, []byte("<svg/>")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("stat %v %v", st, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("leftovers: %v", entries)
	}
	err = writeFileAtomic(filepath.Join(dir, "missing", "x.svg"), []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Errorf("want a cannot write error, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Error("a failed write created something")
	}
}

func TestParseArgsInterspersed(t *testing.T) {
	e := &env{stdout: &strings.Builder{}, stderr: &strings.Builder{}}
	fs := newFlagSet(e, cmdSpec{name: "x"})
	f := fs.String("format", "text", "")
	lf := addLoadFlags(fs)
	pos, _, ok := parseArgs(e, fs, []string{"web", "--format", "json", "api:80", "-f", "a.yaml", "--", "-notaflag"})
	if !ok || strings.Join(pos, ",") != "web,api:80,-notaflag" || *f != "json" || strings.Join(lf.files, ",") != "a.yaml" {
		t.Errorf("pos %v format %s files %v ok %v", pos, *f, lf.files, ok)
	}
}
