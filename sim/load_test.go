package sim

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// loadYAML writes compose YAML to a temp project directory named dir and
// loads it with the real loader.
func loadYAML(t testing.TB, dir, yaml string, daemon ...string) *topology.Topology {
	t.Helper()
	root := filepath.Join(t.TempDir(), dir)
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: root, Env: []string{}, Daemon: daemon})
	if err != nil {
		t.Fatal(err)
	}
	return top
}

func loadFile(t testing.TB, path string) *topology.Topology {
	t.Helper()
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{filepath.Base(path)}, Dir: filepath.Dir(path), Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return top
}

const shopYAML = `services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
    depends_on: [api]
  api:
    image: api
    networks:
      front: {}
      back: {aliases: [backend]}
    depends_on: [db]
  db:
    image: postgres
    deploy: {replicas: 2}
    networks: [back]
networks:
  front: {}
  back: {internal: true}
`
