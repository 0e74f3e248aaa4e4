package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"

	"go.yaml.in/yaml/v4"
)

// FuzzLoad feeds arbitrary compose files to Load: it must return a
// topology or a *LoadError whose problems all carry a position, and never
// panic. Seeds come from the bundled examples and the real-world corpus.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(section14))
	for _, p := range []string{"../../examples/ecommerce/compose.yaml", "../../examples/production/compose.yaml", "../../examples/production/compose.guide.yaml"} {
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
		topo, err := Load(context.Background(), topology.Options{Dir: dir, ProjectName: "fuzz", Env: []string{}})
		if err != nil {
			var le *topology.LoadError
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

// FuzzPositions feeds arbitrary YAML, aliases and merge keys included, to
// the position walker: it must not panic, must stay within its limits
// (the index never holds more than two entries per node of the document
// plus two per node reached through aliases) and must position every
// refusal.
func FuzzPositions(f *testing.F) {
	f.Add([]byte(billionLaughs("x-a:")))
	f.Add([]byte("x: &a {p: 1, q: [1, 2]}\ny:\n  <<: *a\n  r: *a\nz: [*a, *a]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("services:\n  web:\n    environment: [A=1, B=2]\n    ports: ['80:80']\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			return
		}
		nodes := 0
		var count func(n *yaml.Node)
		count = func(n *yaml.Node) {
			nodes++
			for _, c := range n.Content {
				count(c)
			}
		}
		count(doc.Content[0])
		out := map[string]topology.Position{}
		p := walkNode(doc.Content[0], "", "f.yaml", out)
		if limit := 2*nodes + 2*maxAliasVisits + 2; len(out) > limit {
			t.Fatalf("index of %d entries for %d nodes (limit %d)", len(out), nodes, limit)
		}
		if p != nil && (p.Pos.File != "f.yaml" || p.Pos.Line < 1) {
			t.Fatalf("refusal without a position: %+v", p)
		}
	})
}
