package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRunsBeforeGraphviz checks that package gcoff turns the collector off
// before go-graphviz's initialiser starts Graphviz: it runs this test
// binary again with GODEBUG=inittrace=1 (which prints one line per package
// initialiser, in order) and compares the positions of the two lines.
func TestRunsBeforeGraphviz(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	gc, gv := -1, -1
	for i, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "init github.com/composenet/composenet/cmd/composenet-graphviz/internal/gcoff "):
			gc = i
		case strings.HasPrefix(line, "init github.com/goccy/go-graphviz/internal/wasm "):
			gv = i
		}
	}
	if gc < 0 || gv < 0 {
		t.Fatalf("inittrace names gcoff at line %d and go-graphviz's wasm at line %d; want both:\n%s", gc, gv, out)
	}
	if gc > gv {
		t.Errorf("gcoff initialises after go-graphviz (lines %d and %d): Graphviz starts with the collector on", gc, gv)
	}
}
