package answers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/sim"
)

// WriteMatrixAs picks the writer for each format and fold, and hands the
// summary line to the full text matrix only.
func TestWriteMatrixAs(t *testing.T) {
	m := sim.New(fixture.ECommerce()).Matrix(5432, "tcp")
	opt := Options{ASCIIOnly: true, Summary: "SUMMARY LINE"}
	cases := []struct {
		format  string
		classes bool
		direct  func(*bytes.Buffer) error
	}{
		{"text", false, func(b *bytes.Buffer) error { return WriteMatrix(b, m, opt) }},
		{"csv", false, func(b *bytes.Buffer) error { return WriteMatrixCSV(b, m) }},
		{"json", false, func(b *bytes.Buffer) error { return WriteMatrixJSON(b, m) }},
		{"text", true, func(b *bytes.Buffer) error { return WriteClassMatrix(b, m.Classes(), Options{ASCIIOnly: true}) }},
		{"csv", true, func(b *bytes.Buffer) error { return WriteClassMatrixCSV(b, m.Classes()) }},
		{"json", true, func(b *bytes.Buffer) error { return WriteClassMatrixJSON(b, m.Classes()) }},
	}
	outs := map[string]bool{}
	for _, c := range cases {
		var want, got bytes.Buffer
		if err := c.direct(&want); err != nil {
			t.Fatal(err)
		}
		if err := WriteMatrixAs(&got, m, c.format, c.classes, opt); err != nil {
			t.Fatalf("%s classes=%v: %v", c.format, c.classes, err)
		}
		if !bytes.Equal(want.Bytes(), got.Bytes()) {
			t.Errorf("%s classes=%v:\n%s\nwant\n%s", c.format, c.classes, got.Bytes(), want.Bytes())
		}
		if hasSummary := strings.Contains(got.String(), "SUMMARY LINE"); hasSummary != (c.format == "text" && !c.classes) {
			t.Errorf("%s classes=%v: summary shown %v", c.format, c.classes, hasSummary)
		}
		outs[got.String()] = true
	}
	if len(outs) != len(cases) {
		t.Errorf("%d distinct outputs for %d cases", len(outs), len(cases))
	}
	var b bytes.Buffer
	if err := WriteMatrixAs(&b, m, "xml", false, opt); err == nil || b.Len() != 0 {
		t.Errorf("xml: err %v, wrote %q", err, b.String())
	}
}
