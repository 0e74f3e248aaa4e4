package gen

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

func TestSameSeedSameBytes(t *testing.T) {
	cfg := Config{Services: 300, Networks: 20, Seed: 42}
	a, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different bytes")
	}
	cfg.Seed = 43
	c, err := Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 gave the same bytes")
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Services: 0, Networks: 1}, {Services: 1, Networks: 0}, {Services: MaxServices + 1, Networks: 1}} {
		if _, err := Generate(cfg); err == nil {
			t.Errorf("%+v: want an error", cfg)
		}
	}
}

// TestOutputLoads loads generated projects of several sizes and seeds
// through loader.Load and checks that the topology has what the
// generator promises: every service, replicas, internal networks,
// published ports (some on 127.0.0.1), aliases and declared listeners.
func TestOutputLoads(t *testing.T) {
	cases := []Config{
		{Services: 1, Networks: 1, Seed: 1},
		{Services: 12, Networks: 3, Seed: 7},
		{Services: 50, Networks: 6, Seed: 1},
		{Services: 150, Networks: 12, Seed: 2},
		{Services: 400, Networks: 40, Seed: 3},
		{Services: 1200, Networks: 100, Seed: 4},
		{Services: 30, Networks: 60, Seed: 5},
	}
	if testing.Short() {
		cases = cases[:4]
	}
	dir := t.TempDir()
	for _, cfg := range cases {
		data, err := Generate(cfg)
		if err != nil {
			t.Fatalf("%+v: %v", cfg, err)
		}
		f := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(f, data, 0o644); err != nil {
			t.Fatal(err)
		}
		top, err := loader.Load(context.Background(), topology.Options{Files: []string{f}, Dir: dir})
		if err != nil {
			t.Fatalf("%+v: does not load:\n%v", cfg, err)
		}
		if len(top.Services) != cfg.Services {
			t.Errorf("%+v: %d services, want %d", cfg, len(top.Services), cfg.Services)
		}
		if top.Project != "gen" {
			t.Errorf("%+v: project %q", cfg, top.Project)
		}
		if cfg.Services < 50 {
			continue
		}
		var internal, replicated, published, loopback, aliases, listen int
		for _, n := range top.Networks {
			if n.Internal {
				internal++
			}
		}
		for _, s := range top.Services {
			if s.Replicas > 1 {
				replicated++
			}
		}
		for _, c := range top.Containers {
			for _, p := range c.Ports {
				published++
				if p.HostIP.IsLoopback() {
					loopback++
				}
			}
			for _, e := range c.Endpoints {
				aliases += len(e.Aliases)
			}
			if c.ListenKnown {
				listen++
			}
		}
		if internal == 0 || replicated == 0 || published == 0 || loopback == 0 || aliases == 0 || listen == 0 {
			t.Errorf("%+v: internal=%d replicated=%d published=%d loopback=%d aliases=%d listen=%d: want all > 0",
				cfg, internal, replicated, published, loopback, aliases, listen)
		}
		if len(top.Containers) <= cfg.Services {
			t.Errorf("%+v: %d containers for %d services: replicas missing", cfg, len(top.Containers), cfg.Services)
		}
		if !strings.Contains(string(data), "_URL: ") {
			t.Errorf("%+v: no URL environment variables", cfg)
		}
	}
}
