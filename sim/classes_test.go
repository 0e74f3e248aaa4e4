package sim

import (
	"fmt"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/internal/gen"
)

// expandsExactly checks that every cell of m equals its class cell: the
// class matrix expands back to exactly the full matrix.
func expandsExactly(t *testing.T, name string, m *Matrix, cm *ClassMatrix) {
	t.Helper()
	n := len(m.Cols)
	k := len(cm.Classes)
	members := 0
	for c, cl := range cm.Classes {
		if len(cl.Members) == 0 {
			t.Fatalf("%s: class %d is empty", name, c)
		}
		members += len(cl.Members)
	}
	if members != n || len(cm.Of) != n {
		t.Fatalf("%s: classes hold %d members, matrix has %d containers", name, members, n)
	}
	for i := 0; i < n+2; i++ {
		for j := 0; j < n; j++ {
			var want Verdict
			switch {
			case i >= n:
				want = cm.At(k+i-n, cm.Of[j])
			case i == j:
				want = cm.Classes[cm.Of[i]].Self
			default:
				want = cm.At(cm.Of[i], cm.Of[j])
			}
			if got := m.At(i, j); got != want {
				t.Fatalf("%s: matrix[%s][%s] = %s, class matrix says %s", name, m.Rows[i], m.Cols[j], got, want)
			}
		}
	}
}

// TestClassesExpandToMatrix is the differential test of matrix --classes
// on random topologies (the generator of TestMatrixEqualsPairwiseReach:
// network modes, links, extra_hosts, icc off, published ports) and on
// generated projects: expanding the classes gives exactly the matrix.
func TestClassesExpandToMatrix(t *testing.T) {
	splits := 0
	for seed := range uint64(150) {
		top := randomTopology(seed)
		s := New(top)
		for _, pp := range []struct {
			port  uint16
			proto string
		}{{0, "tcp"}, {80, "tcp"}, {53, "udp"}, {8001, "tcp"}} {
			m := s.Matrix(pp.port, pp.proto)
			cm := m.Classes()
			splits += cm.Splits
			expandsExactly(t, fmt.Sprintf("seed %d port %d/%s", seed, pp.port, pp.proto), m, cm)
		}
	}
	t.Logf("random topologies: %d splits after the signature grouping", splits)
}

// TestClassesOnGeneratedProjects: on generated projects the signature
// grouping alone explains the matrix (no split needed) and folds it.
func TestClassesOnGeneratedProjects(t *testing.T) {
	seeds := uint64(8)
	if testing.Short() {
		seeds = 2
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		n := 40 + int(seed)*20
		data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/10, 1), Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		top := fixture.Load(string(data))
		s := New(top)
		for _, port := range []uint16{0, 80, 5432} {
			m := s.Matrix(port, "tcp")
			cm := m.Classes()
			name := fmt.Sprintf("gen seed %d, %d services, port %d", seed, n, port)
			expandsExactly(t, name, m, cm)
			if cm.Splits != 0 {
				t.Errorf("%s: %d splits after the signature grouping", name, cm.Splits)
			}
			if len(cm.Classes) >= len(m.Cols) {
				t.Errorf("%s: %d classes for %d containers", name, len(cm.Classes), len(m.Cols))
			}
			t.Logf("%s: %d containers in %d classes", name, len(m.Cols), len(cm.Classes))
		}
	}
}

// TestClassesRefineCoarsePartition starts the refinement from one class
// holding every container, so that every split is the refinement's work:
// the result must still expand to the matrix exactly.
func TestClassesRefineCoarsePartition(t *testing.T) {
	for seed := range uint64(150) {
		top := randomTopology(seed)
		s := New(top)
		for _, port := range []uint16{0, 80} {
			m := s.Matrix(port, "tcp")
			cm := m.classesFrom(make([]int, len(m.Cols)))
			expandsExactly(t, fmt.Sprintf("seed %d port %d", seed, port), m, cm)
		}
	}
	seeds := uint64(3)
	if testing.Short() {
		seeds = 1
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		data, err := gen.Generate(gen.Config{Services: 200, Networks: 20, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		m := New(fixture.Load(string(data))).Matrix(80, "tcp")
		coarse := m.classesFrom(make([]int, len(m.Cols)))
		expandsExactly(t, fmt.Sprintf("gen seed %d", seed), m, coarse)
		t.Logf("gen seed %d: %d containers, %d signature classes, %d coarsest exact classes", seed, len(m.Cols), len(m.Classes().Classes), len(coarse.Classes))
	}
}
