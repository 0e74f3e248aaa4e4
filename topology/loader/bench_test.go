package loader_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/sirupsen/logrus"

	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// benchSizes are the project sizes (services) of the load benchmarks.
var benchSizes = []int{50, 500, 5000}

// benchProject writes the generated project of n services (n/10 networks,
// seed 1) into dir and returns its path. The generator is deterministic,
// so every benchmark of a size reads the same bytes.
func benchProject(tb testing.TB, dir string, n int) string {
	tb.Helper()
	data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/10, 1), Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	f := filepath.Join(dir, fmt.Sprintf("compose-%d.yaml", n))
	if err := os.WriteFile(f, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return f
}

// composeLoad is the floor: compose-go alone, with the options
// topology.Load passes, on the same file.
func composeLoad(tb testing.TB, f string) int {
	po, err := cli.NewProjectOptions([]string{f},
		cli.WithWorkingDirectory(""),
		cli.WithEnv(nil),
		cli.WithDotEnv,
		cli.WithProfiles(nil),
		cli.WithName(""),
		cli.WithResolvedPaths(true),
		cli.WithDefaultProfiles(),
	)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := po.LoadProject(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return len(p.WithoutUnnecessaryResources().Services)
}

func topologyLoad(tb testing.TB, f string) *topology.Topology {
	t, err := loader.Load(context.Background(), topology.Options{Files: []string{f}, Dir: filepath.Dir(f)})
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// BenchmarkComposeLoad measures compose-go's own load of a generated
// project: the floor that BenchmarkLoad builds on.
func BenchmarkComposeLoad(b *testing.B) {
	logrus.SetOutput(io.Discard)
	dir := b.TempDir()
	for _, n := range benchSizes {
		f := benchProject(b, dir, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				composeLoad(b, f)
			}
		})
	}
}

// BenchmarkLoad measures topology.Load (compose-go plus the topology
// build) on the same files as BenchmarkComposeLoad.
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	for _, n := range benchSizes {
		f := benchProject(b, dir, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				topologyLoad(b, f)
			}
		})
	}
}

// TestBenchLoadBodies runs the load benchmark bodies once on a small
// project so that they cannot rot, and checks that both loaders see the
// same services.
func TestBenchLoadBodies(t *testing.T) {
	logrus.SetOutput(io.Discard)
	f := benchProject(t, t.TempDir(), 30)
	n := composeLoad(t, f)
	top := topologyLoad(t, f)
	if n != 30 || len(top.Services) != 30 {
		t.Fatalf("compose-go saw %d services, topology %d; want 30", n, len(top.Services))
	}
}
