package topology

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary compose files to Load: it must return a
// topology or a *LoadError whose problems all carry a position, and never
// panic. Seeds come from the bundled examples and the real-world corpus.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(section14))
	for _, p := range []string{"../examples/ecommerce/compose.yaml", "../examples/production/compose.yaml", "../examples/production/compose.guide.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	if root := corpusDir(f); root != "" {
		n := 0
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) && n < 60 {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
					n++
				}
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		topo, err := Load(context.Background(), Options{Dir: dir, ProjectName: "fuzz", Env: []string{}})
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("not a LoadError: %T", err)
			}
			for _, p := range le.Problems {
				if strings.Contains(p.Message, "internal error") {
					t.Fatalf("panic: %s", p.Message)
				}
				if p.Pos.File == "" {
					t.Fatalf("problem without a file: %s", p)
				}
			}
			return
		}
		checkInvariants(t, topo)
	})
}
