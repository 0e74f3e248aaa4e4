package loader

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestReloadKeepsVersionWarning: compose-go warns about a top-level
// version: key once per file per process; every Load must still report
// W-VERSION-OBSOLETE, so that a second load in one process (serve, a
// cache's cold reload) gives the same topology as the first.
func TestReloadKeepsVersionWarning(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(f, []byte("version: \"3\"\nservices:\n  a:\n    image: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := topology.Options{Files: []string{f}, Dir: dir, Env: []string{}}
	first, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(first, "W-VERSION-OBSOLETE") || !reflect.DeepEqual(first.Warnings, second.Warnings) {
		t.Fatalf("warnings differ between loads:\n%v\n%v", first.Warnings, second.Warnings)
	}
	if got := first.Warnings[len(first.Warnings)-1].Pos.String(); got != "compose.yaml:1:1" {
		t.Errorf("position %q", got)
	}
}
