package bench_test

import (
	"strconv"
	"testing"

	"github.com/composenet/composenet/sim"
)

// The bodies are plain functions so that TestBodies can run each once.
// Each checks its answer, so a benchmark never times a wrong shortcut.

func reachBody(tb testing.TB, fx *fixture) {
	r := fx.sim.Reach(sim.Query{From: fx.from.Name, To: fx.to, Port: fx.port, Protocol: "tcp"})
	if r.Verdict != sim.Delivered {
		tb.Fatalf("reach %s -> %s:%d: %s (%s)", fx.from.Name, fx.to, fx.port, r.Verdict, r.Reason)
	}
}

func resolveBody(tb testing.TB, fx *fixture) {
	if r := fx.sim.Resolve(fx.from, fx.to); !r.Resolved() {
		tb.Fatalf("resolve %s from %s: %s", fx.to, fx.from.Name, r.Rcode)
	}
}

func newBody(tb testing.TB, fx *fixture) {
	if sim.New(fx.top).Topology() != fx.top {
		tb.Fatal("sim.New lost the topology")
	}
}

func matrixBody(tb testing.TB, fx *fixture) {
	m := fx.sim.Matrix(fx.port, "tcp")
	if len(m.Cols) != len(fx.top.Containers) || len(m.Rows) != len(fx.top.Containers)+2 {
		tb.Fatalf("matrix %dx%d for %d containers", len(m.Rows), len(m.Cols), len(fx.top.Containers))
	}
}

// BenchmarkReach is one reachability question with its trace, after the
// index is built (sim.New outside the loop).
func BenchmarkReach(b *testing.B) { forSizes(b, sizes, reachBody) }

// BenchmarkResolve is one DNS lookup after the index is built.
func BenchmarkResolve(b *testing.B) { forSizes(b, sizes, resolveBody) }

// BenchmarkSimNew builds the simulation indexes of a loaded topology.
func BenchmarkSimNew(b *testing.B) { forSizes(b, sizes, newBody) }

// BenchmarkMatrix is the all-pairs matrix for one port.
func BenchmarkMatrix(b *testing.B) { forSizes(b, sizes, matrixBody) }

// BenchmarkClasses folds the port matrix into classes (matrix --classes),
// after the matrix is computed; it reports the class count beside the
// container count.
func BenchmarkClasses(b *testing.B) {
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			fx := load(b, n)
			m := fx.sim.Matrix(fx.port, "tcp")
			var cm *sim.ClassMatrix
			for b.Loop() {
				cm = classesBody(b, m)
			}
			b.ReportMetric(float64(len(m.Cols)), "containers")
			b.ReportMetric(float64(len(cm.Classes)), "classes")
			b.ReportMetric(float64(cm.Splits), "splits")
		})
	}
}

func classesBody(tb testing.TB, m *sim.Matrix) *sim.ClassMatrix {
	cm := m.Classes()
	if len(cm.Of) != len(m.Cols) || len(cm.Classes) == 0 || len(cm.Classes) > len(m.Cols) {
		tb.Fatalf("%d classes for %d containers", len(cm.Classes), len(m.Cols))
	}
	return cm
}
