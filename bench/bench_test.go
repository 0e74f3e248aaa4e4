// Package bench_test holds the benchmarks of the simulation and of the
// renderers on generated projects (package gen) of 50, 500 and 5000
// services. The load benchmarks live beside the loader, in
// topology/bench_test.go. Run them with
//
//	go test -run '^$' -bench . -benchmem ./bench/ ./topology/
//
// or scripts/bench-report.sh for a markdown table. TestBodies runs every
// benchmark body once on a small project, so `go test` keeps them working.
package bench_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// sizes are the project sizes (services) of the benchmarks.
var sizes = []int{50, 500, 5000}

// fixture is one generated, loaded and indexed project with a question
// whose answer is a delivered flow: from's container asks for to's
// service name on a network they share, on a port to listens on.
type fixture struct {
	top      *topology.Topology
	sim      *sim.Sim
	from     *topology.Container
	to       string // the target's service name
	port     uint16
	services int
}

var (
	cacheMu  sync.Mutex
	cacheDir string
	cache    = map[int]*fixture{}
)

// TestMain removes the generated files after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if cacheDir != "" {
		os.RemoveAll(cacheDir)
	}
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// load returns the fixture of n services (n/10 networks, seed 1),
// generating the file once per process into a package-level folder and
// loading it once; benchmarks share it.
func load(tb testing.TB, n int) *fixture {
	tb.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if fx, ok := cache[n]; ok {
		return fx
	}
	if cacheDir == "" {
		d, err := os.MkdirTemp("", "composenet-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		cacheDir = d
	}
	data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/10, 1), Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	f := filepath.Join(cacheDir, fmt.Sprintf("compose-%d.yaml", n))
	if err := os.WriteFile(f, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{f}, Dir: cacheDir})
	if err != nil {
		tb.Fatal(err)
	}
	fx := &fixture{top: top, sim: sim.New(top), services: n}
	fx.pickPair(tb)
	cache[n] = fx
	return fx
}

// pickPair chooses the first container that shares a non-internal network
// with a container of another service that declares a listener, and that
// service as the target: the same question at every size.
func (fx *fixture) pickPair(tb testing.TB) {
	for _, c := range fx.top.Containers {
		for _, ep := range c.Endpoints {
			if ep.Network.Internal {
				continue
			}
			for i := len(ep.Network.Endpoints) - 1; i >= 0; i-- {
				d := ep.Network.Endpoints[i].Container
				if d.Service != c.Service && d.Replica == 1 && len(d.Listen) > 0 {
					fx.from, fx.to, fx.port = c, d.Service, d.Listen[0].Port
					return
				}
			}
		}
	}
	tb.Fatal("no container pair shares a network")
}

// forSizes runs body as a sub-benchmark per size, with allocations
// reported; the fixture is built outside the timed loop.
func forSizes(b *testing.B, sizes []int, body func(tb testing.TB, fx *fixture)) {
	for _, n := range sizes {
		fx := load(b, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				body(b, fx)
			}
		})
	}
}
