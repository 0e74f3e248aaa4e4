package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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
	testscript.Main(removeHelpers{m}, map[string]func(){
		"composenet": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// removeHelpers runs the tests, then removes the helpers' folder.
type removeHelpers struct{ m *testing.M }

func (r removeHelpers) Run() int {
	code := r.m.Run()
	if helpersBin != "" {
		os.RemoveAll(filepath.Dir(helpersBin))
	}
	return code
}

var (
	helpersOnce            sync.Once
	helpersBin, helpersTmp string
	helpersErr             error
)

// helperDir builds the helpers, composenet-graphviz and composenet-load,
// into a temporary folder once per test binary and returns it, with a
// folder for go-graphviz's compilation cache (it lives under $TMPDIR,
// which testscript makes fresh for every script; sharing it keeps the 4 s
// cold WebAssembly compile to once per test run). Every composenet run in
// these tests loads projects through the real composenet-load, as the
// installed command does.
func helperDir(t *testing.T) (bin, tmp string) {
	t.Helper()
	helpersOnce.Do(func() {
		root, err := os.MkdirTemp("", "composenet-helpers-")
		if err != nil {
			helpersErr = err
			return
		}
		helpersBin, helpersTmp = filepath.Join(root, "bin"), filepath.Join(root, "tmp")
		for _, d := range []string{helpersBin, helpersTmp} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				helpersErr = err
				return
			}
		}
		cmd := exec.Command("go", "build", "-o", helpersBin, "../composenet-graphviz", "../composenet-load")
		if out, err := cmd.CombinedOutput(); err != nil {
			helpersErr = fmt.Errorf("building the helpers: %v\n%s", err, out)
		}
	})
	if helpersErr != nil {
		t.Fatal(helpersErr)
	}
	return helpersBin, helpersTmp
}

// helperEnv is an environment in which composenet finds composenet-load.
func helperEnv(t *testing.T, environ ...string) []string {
	t.Helper()
	bin, _ := helperDir(t)
	return append([]string{"COMPOSENET_LOAD=" + filepath.Join(bin, "composenet-load")}, environ...)
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
