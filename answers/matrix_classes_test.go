package answers

import (
	"bytes"
	"slices"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/sim"
)

// TestClassMatrixGoldens: the class matrix of the shop example as text,
// CSV and JSON (the two db replicas form one class).
func TestClassMatrixGoldens(t *testing.T) {
	cm := shop(t).Matrix(5432, "tcp").Classes()
	if len(cm.Classes) != 3 {
		t.Fatalf("want 3 classes (api, db x2, web), got %d", len(cm.Classes))
	}
	var b bytes.Buffer
	if err := WriteClassMatrix(&b, cm, Options{}); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, "matrix_classes.txt", b.Bytes(), false)
	golden(t, "matrix_classes.txt", b.Bytes())
	b.Reset()
	if err := WriteClassMatrixCSV(&b, cm); err != nil {
		t.Fatal(err)
	}
	golden(t, "matrix_classes.csv", b.Bytes())
	b.Reset()
	if err := WriteClassMatrixJSON(&b, cm); err != nil {
		t.Fatal(err)
	}
	golden(t, "matrix_classes.json", b.Bytes())
}

// TestClassLegendCountsArePairs: the class legend counts container pairs,
// so it equals the full matrix's legend.
func TestClassLegendCountsArePairs(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		data, err := gen.Generate(gen.Config{Services: 60, Networks: 6, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		s := sim.New(fixture.Load(string(data)))
		for _, port := range []uint16{0, 80} {
			m := s.Matrix(port, "tcp")
			if got, want := classPairCounts(m.Classes()), m.Counts(); !slices.Equal(got, want) {
				t.Errorf("seed %d port %d: class legend %v, matrix %v", seed, port, got, want)
			}
		}
	}
}
