package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/composenet/composenet/render/svg"
)

// TestMain lets the script tests run composenet as a command in-process.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"composenet": func() {
			os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
		},
		// The SVG helper process (cmd/composenet-graphviz), on PATH in scripts.
		"composenet-graphviz": func() {
			os.Exit(svg.Serve(os.Stdin, os.Stdout, os.Stderr))
		},
	})
}

// TestScripts runs the CLI script tests in testdata/script: each .txtar
// holds inline compose files, the commands, and their expected output and
// exit status. Set COMPOSENET_UPDATE=1 to rewrite expected output files
// in place.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("COMPOSENET_UPDATE") == "1",
		Setup: func(e *testscript.Env) error {
			e.Setenv("HOME", e.WorkDir)
			return nil
		},
	})
}
