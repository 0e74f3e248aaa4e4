package helperbin

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindOrder: the environment variable wins, then PATH's first
// executable of that name; a non-executable file, a directory of that name
// and an empty PATH entry are passed over; nothing found is not ok.
func TestFindOrder(t *testing.T) {
	const name = "composenet-helperbin-test"
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(a, name), []byte("#!/bin/sh\n"), 0o644); err != nil { // not executable
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(b, name), 0o755); err != nil { // a directory
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": "" + string(filepath.ListSeparator) + a + string(filepath.ListSeparator) + b + string(filepath.ListSeparator) + c}
	get := func(k string) string { return env[k] }
	if p, ok := Find(name, "HELPERBIN_TEST", get); !ok || p != filepath.Join(c, name) {
		t.Errorf("PATH search: %q %v, want %s", p, ok, filepath.Join(c, name))
	}
	env["HELPERBIN_TEST"] = "/x/y"
	if p, ok := Find(name, "HELPERBIN_TEST", get); !ok || p != "/x/y" {
		t.Errorf("variable: %q %v, want /x/y", p, ok)
	}
	if p, ok := Find(name, "UNSET", nil); ok {
		t.Errorf("empty environment found %q", p)
	}
}
