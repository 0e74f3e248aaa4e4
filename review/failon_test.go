package review

import "testing"

func TestFailOn(t *testing.T) {
	info, warn := []Finding{{Severity: Info}}, []Finding{{Severity: Info}, {Severity: Warning}}
	for _, c := range []struct {
		failOn     string
		info, warn bool
	}{
		{"info", true, true},
		{"warning", false, true},
		{"error", false, false},
		{"none", false, false},
	} {
		f, err := ParseFailOn(c.failOn)
		if err != nil {
			t.Fatal(err)
		}
		if f.Fails(info) != c.info || f.Fails(warn) != c.warn || f.Fails(nil) {
			t.Errorf("%s: info %v warn %v", c.failOn, f.Fails(info), f.Fails(warn))
		}
	}
	if _, err := ParseFailOn("warn"); err == nil || err.Error() != `unknown --fail-on "warn" (want error, warning, info or none)` {
		t.Errorf("warn: %v", err)
	}
}
