package verify

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// elfInterp agrees with debug/elf on real executables (static and
// dynamic, where the machine has them) and refuses what is not ELF.
func TestELFInterpMatchesDebugELF(t *testing.T) {
	paths := []string{os.Args[0]}
	for _, name := range []string{"sh", "env", "ls", "busybox"} {
		if p, err := exec.LookPath(name); err == nil {
			paths = append(paths, p)
		}
	}
	static := filepath.Join(t.TempDir(), "static")
	src := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "build", "-o", static, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err == nil {
		paths = append(paths, static)
	} else {
		t.Logf("no static binary: %s", out)
	}
	sawStatic, sawDynamic := false, false
	for _, p := range paths {
		f, err := elf.Open(p)
		if err != nil {
			continue // a script
		}
		want := false
		for _, ph := range f.Progs {
			want = want || ph.Type == elf.PT_INTERP
		}
		f.Close()
		raw, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := elfInterp(raw)
		raw.Close()
		if err != nil || got != want {
			t.Errorf("%s: interp %v, %v; debug/elf says %v", p, got, err, want)
		}
		sawStatic, sawDynamic = sawStatic || !want, sawDynamic || want
		if err := staticBinary(p); (err == nil) != !want {
			t.Errorf("%s: staticBinary: %v", p, err)
		}
	}
	if !sawStatic {
		t.Error("no static executable was checked")
	}
	if !sawDynamic {
		t.Log("no dynamic executable on this machine")
	}
	good, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty":       nil,
		"text":        []byte("#!/bin/sh\necho hi\n"),
		"header only": good[:20],
		"bad class":   append([]byte("\x7fELF\x09\x01"), make([]byte, 100)...),
	} {
		if _, err := elfInterp(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A 64-bit header whose program headers lie past the end of the file.
	trunc := append([]byte{}, good[:64]...)
	if _, err := elfInterp(bytes.NewReader(trunc)); err == nil {
		t.Error("program headers past the end: no error")
	}
}
