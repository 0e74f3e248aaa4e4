package bench_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composenet/composenet/internal/gen"
)

// Whole-process benchmarks. Each sub-benchmark is a pair of commands run
// alternately, once each per iteration, so that both see the same machine
// load; it reports the median wall time, CPU time (user+system) and peak
// RSS of each side and the median of the per-iteration ratios A/B. The
// machine is shared, so the ratios are the figures to quote; absolute
// times move with the load.
//
//	go test -run '^$' -bench 'Process/' -benchtime 20x ./bench/
//
// The binaries (composenet, its composenet-load helper and bench/floor,
// compose-go's load alone) are built once into a temporary folder.

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

func binaries(b *testing.B) (composenet, floor string) {
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "composenet-procbench-")
		if binErr != nil {
			return
		}
		// composenet-load next to composenet, where composenet finds it.
		for pkg, name := range map[string]string{"../cmd/composenet": "composenet", "../cmd/composenet-load": "composenet-load", "./floor": "floor"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(binDir, name), pkg).CombinedOutput()
			if err != nil {
				binErr = fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
				return
			}
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return filepath.Join(binDir, "composenet"), filepath.Join(binDir, "floor")
}

// proc is one command line; fresh, when set, gives the command a new empty
// cache folder on every run (a cold load that stores a snapshot); mem
// measures its peak RSS through /usr/bin/time (the rusage of a process
// that Go starts counts the parent's memory shared before exec, so small
// processes would all show the benchmark's own size).
type proc struct {
	args  []string
	dir   string
	fresh bool
	mem   bool
}

type sample struct {
	wall, cpu time.Duration
	rssKiB    int64
}

func (p proc) run(b *testing.B, cacheDir string) sample {
	b.Helper()
	if p.fresh {
		d, err := os.MkdirTemp(cacheDir, "fresh-")
		if err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(d)
		cacheDir = d
	}
	args := p.args
	var rssFile string
	if p.mem {
		f, err := os.CreateTemp(cacheDir, "rss-")
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		rssFile = f.Name()
		defer os.Remove(rssFile)
		args = append([]string{"/usr/bin/time", "-f", "%M", "-o", rssFile}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), "COMPOSENET_CACHE_DIR="+cacheDir, "COMPOSENET_PROGRESS=never")
	start := time.Now()
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok || cmd.ProcessState.ExitCode() > 1 {
			b.Fatalf("%v: %v", p.args, err)
		}
	}
	s := sample{wall: time.Since(start), cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if rssFile != "" {
		raw, _ := os.ReadFile(rssFile)
		fields := strings.Fields(string(raw))
		if len(fields) > 0 {
			s.rssKiB, _ = strconv.ParseInt(fields[len(fields)-1], 10, 64)
		}
	}
	return s
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// procPair runs a and b alternately and reports their medians and ratios.
func procPair(b *testing.B, cacheDir string, a, c proc) {
	// one untimed run of each: warm caches, OS page cache, snapshots
	a.run(b, cacheDir)
	c.run(b, cacheDir)
	var as, cs []sample
	var wallRatio, cpuRatio []float64
	for b.Loop() {
		x, y := a.run(b, cacheDir), c.run(b, cacheDir)
		as, cs = append(as, x), append(cs, y)
		wallRatio = append(wallRatio, float64(x.wall)/float64(y.wall))
		cpuRatio = append(cpuRatio, float64(x.cpu)/float64(y.cpu))
	}
	get := func(ss []sample, f func(sample) float64) float64 {
		v := make([]float64, len(ss))
		for i, s := range ss {
			v[i] = f(s)
		}
		return median(v)
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	b.ReportMetric(get(as, func(s sample) float64 { return ms(s.wall) }), "A-ms")
	b.ReportMetric(get(cs, func(s sample) float64 { return ms(s.wall) }), "B-ms")
	b.ReportMetric(median(wallRatio), "A/B-wall")
	b.ReportMetric(get(as, func(s sample) float64 { return ms(s.cpu) }), "A-cpu-ms")
	b.ReportMetric(get(cs, func(s sample) float64 { return ms(s.cpu) }), "B-cpu-ms")
	b.ReportMetric(median(cpuRatio), "A/B-cpu")
	if a.mem {
		b.ReportMetric(get(as, func(s sample) float64 { return float64(s.rssKiB) / 1024 }), "A-MiB")
	}
	if c.mem {
		b.ReportMetric(get(cs, func(s sample) float64 { return float64(s.rssKiB) / 1024 }), "B-MiB")
	}
}

// BenchmarkProcess compares whole commands pair by pair (A/B): warm runs
// read a snapshot from the load cache, cold ones use --no-cache, "store"
// ones start from an empty cache folder and write a snapshot, and "floor"
// is compose-go's load alone (bench/floor).
func BenchmarkProcess(b *testing.B) {
	cn, floor := binaries(b)
	cacheDir := b.TempDir()
	eco, err := filepath.Abs("../examples/ecommerce")
	if err != nil {
		b.Fatal(err)
	}
	data, err := gen.Generate(gen.Config{Services: 2000, Networks: 200, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	work := b.TempDir()
	big := filepath.Join(work, "compose.yaml")
	if err := os.WriteFile(big, data, 0o644); err != nil {
		b.Fatal(err)
	}
	// snapshots are stored only for files older than the load
	old := time.Now().Add(-time.Hour)
	os.Chtimes(big, old, old)

	reach := []string{cn, "reach", "gateway", "user-service:3001"}
	with := func(args []string, more ...string) []string { return append(slices.Clone(args), more...) }
	matrix := func(format string) []string { return []string{cn, "matrix", "--port", "5432", "--format", format} }
	pairs := []struct {
		name string
		a, b proc
	}{
		{"reach-warm/version", proc{args: reach, dir: eco}, proc{args: []string{cn, "version"}, dir: eco}},
		{"reach-warm/reach-cold", proc{args: reach, dir: eco}, proc{args: with(reach, "--no-cache"), dir: eco}},
		{"reach-cold/floor", proc{args: with(reach, "--no-cache"), dir: eco}, proc{args: []string{floor, "-f", "compose.yaml"}, dir: eco}},
		{"reach-store/reach-cold", proc{args: reach, dir: eco, fresh: true}, proc{args: with(reach, "--no-cache"), dir: eco}},
		{"inspect2000-warm/inspect2000-cold", proc{args: []string{cn, "inspect", "--format", "json"}, dir: work}, proc{args: []string{cn, "inspect", "--format", "json", "--no-cache"}, dir: work}},
		{"inspect2000-store/inspect2000-cold", proc{args: []string{cn, "inspect", "--format", "json"}, dir: work, fresh: true}, proc{args: []string{cn, "inspect", "--format", "json", "--no-cache"}, dir: work}},
		{"inspect2000-cold/floor", proc{args: []string{cn, "inspect", "--format", "json", "--no-cache"}, dir: work, mem: true}, proc{args: []string{floor, "-f", "compose.yaml"}, dir: work, mem: true}},
		{"matrix2000-json/matrix2000-csv", proc{args: matrix("json"), dir: work}, proc{args: matrix("csv"), dir: work}},
		{"matrix2000-json-cold/matrix2000-csv-cold", proc{args: with(matrix("json"), "--no-cache"), dir: work, mem: true}, proc{args: with(matrix("csv"), "--no-cache"), dir: work, mem: true}},
		{"matrix2000-json-cold/floor", proc{args: with(matrix("json"), "--no-cache"), dir: work, mem: true}, proc{args: []string{floor, "-f", "compose.yaml"}, dir: work, mem: true}},
	}
	for _, p := range pairs {
		b.Run(p.name, func(b *testing.B) { procPair(b, cacheDir, p.a, p.b) })
	}
}
