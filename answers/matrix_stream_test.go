package answers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/sim"
)

// csvReference is the matrix CSV written field by field by encoding/csv,
// as WriteMatrixCSV did before it streamed.
func csvReference(m *sim.Matrix) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(append([]string{"from"}, m.Cols...))
	for i, r := range m.Rows {
		row := []string{r}
		for j := range m.Cols {
			row = append(row, m.At(i, j).String())
		}
		cw.Write(row)
	}
	cw.Flush()
	return b.Bytes()
}

// TestMatrixWritersMatchReference: on generated projects (several seeds,
// sizes and ports) the streaming JSON writer gives exactly the bytes of
// json.Encoder (WriteJSON) and the CSV writer those of encoding/csv.
func TestMatrixWritersMatchReference(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		n := 5 + int(seed)*7
		data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/6, 1), Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		top := fixture.Load(string(data))
		for _, port := range []uint16{0, 80, 5432} {
			m := sim.New(top).Matrix(port, "tcp")
			name := fmt.Sprintf("seed %d port %d", seed, port)
			var want, got bytes.Buffer
			if err := WriteJSON(&want, m); err != nil {
				t.Fatal(err)
			}
			if err := WriteMatrixJSON(&got, m); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				t.Errorf("%s: JSON differs:\n%s\nvs\n%s", name, want.Bytes(), got.Bytes())
			}
			got.Reset()
			if err := WriteMatrixCSV(&got, m); err != nil {
				t.Fatal(err)
			}
			if ref := csvReference(m); !bytes.Equal(ref, got.Bytes()) {
				t.Errorf("%s: CSV differs:\n%s\nvs\n%s", name, ref, got.Bytes())
			}
		}
	}
}

// TestQuotingMatchesEncoders: strings that need escaping or quoting take
// the slow path and come out as the standard encoders write them.
func TestQuotingMatchesEncoders(t *testing.T) {
	for _, s := range []string{"", "web-1", `a"b`, `back\slash`, "tab\there", "é", "<html>&", "\u2028", "a,b", " lead", "line\nbreak", `\.`} {
		var b bytes.Buffer
		WriteJSON(&b, s)
		if want := bytes.TrimSuffix(b.Bytes(), []byte("\n")); !bytes.Equal(jsonString(s), want) {
			t.Errorf("jsonString(%q) = %s, want %s", s, jsonString(s), want)
		}
		b.Reset()
		cw := csv.NewWriter(&b)
		cw.Write([]string{"x", s})
		cw.Flush()
		if want := append([]byte("x,"), csvField(s)...); !bytes.Equal(append(want, '\n'), b.Bytes()) {
			t.Errorf("csvField(%q) = %s, want %s", s, csvField(s), b.Bytes())
		}
	}
}
