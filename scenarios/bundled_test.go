package scenarios

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/topology/loader"
)

// TestBundledScenarios runs every bundled scenario file (examples/*/
// *.scenario.yaml): each must load and every expectation must hold or be a
// known, marked failure (xfail).
func TestBundledScenarios(t *testing.T) {
	files, err := filepath.Glob("../examples/*/*.scenario.yaml")
	if err != nil || len(files) < 2 {
		t.Fatalf("want at least two bundled scenario files, got %v (%v)", files, err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			sc, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run(context.Background(), sc, loader.Load)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) == 0 {
				t.Fatal("no results")
			}
			for _, r := range rep.Results {
				if !r.Status.OK() {
					t.Errorf("%s: %s %q: %s: %s %v", r.Position, r.Kind, r.Text, r.Status, r.Message, r.Fixes)
				}
			}
		})
	}
}
