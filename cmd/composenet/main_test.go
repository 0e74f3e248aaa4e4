package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the script tests run composenet as a command in-process.
// The SVG helper is the real cmd/composenet-graphviz binary, built once per
// test binary (see helperDir): linking go-graphviz into this test binary
// would make every composenet invocation in a script pay its WebAssembly
// start-up.
func TestMain(m *testing.M) {
	if os.Getenv("COMPOSENET_TEST_MAIN") == "1" {
		// The process tests (signal_test.go) run the real main.
		main()
	}
	testscript.Main(m, map[string]func(){
		"composenet": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// helperDir builds composenet-graphviz into a temporary folder and returns
// it, with a folder for go-graphviz's compilation cache (it lives under
// $TMPDIR, which testscript makes fresh for every script; sharing it keeps
// the 4 s cold WebAssembly compile to once per test run).
func helperDir(t *testing.T) (bin, tmp string) {
	t.Helper()
	root := t.TempDir()
	bin, tmp = filepath.Join(root, "bin"), filepath.Join(root, "tmp")
	for _, d := range []string{bin, tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "build", "-o", bin, "../composenet-graphviz")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the SVG helper: %v\n%s", err, out)
	}
	return bin, tmp
}

// TestScripts runs the CLI script tests in testdata/script: each .txtar
// holds inline compose files, the commands, and their expected output and
// exit status. Set COMPOSENET_UPDATE=1 to rewrite expected output files
// in place.
func TestScripts(t *testing.T) {
	bin, tmp := helperDir(t)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("COMPOSENET_UPDATE") == "1",
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			e.Setenv("TMPDIR", tmp)
			e.Setenv("PATH", bin+string(os.PathListSeparator)+e.Getenv("PATH"))
			return nil
		},
	})
}
