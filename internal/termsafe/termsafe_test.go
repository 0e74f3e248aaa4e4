package termsafe

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestEscape(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"web", "web"},
		{"a\x1b]0;pwned\x07b", `a\x1b]0;pwned\x07b`},
		{"x\nfake.yaml:1:1: services.x: injected", `x\nfake.yaml:1:1: services.x: injected`},
		{"tab\there\r", `tab\there\r`},
		{"del\x7f", `del\x7f`},
		{"csi\u009b31m", `csi\u009b31m`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"bad\xffbyte", `bad\xffbyte`},
		{"box ● │ ✗ é", "box ● │ ✗ é"},
	} {
		if got := Escape(c.in); got != c.want {
			t.Errorf("Escape(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestWriterKeepsLinesEscapesTheRest(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Write([]byte("line 1\tx\n\x1b[31mred\n"))
	if got, want := b.String(), "line 1\tx\n\\x1b[31mred\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A multi-byte character split across writes passes whole; an incomplete
// one at the end is escaped by Flush.
func TestWriterSplitRune(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	s := []byte("a●b\u009b")
	for i := range s {
		w.Write(s[i : i+1])
	}
	w.Write([]byte{0xe2, 0x97})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), `a●b\u009b\xe2\x97`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// JSON stays valid and decodes to the original string.
func TestJSONWriter(t *testing.T) {
	in := "x\u009b\x7f\u202e●"
	doc, _ := json.Marshal(map[string]string{"name": in})
	var b bytes.Buffer
	w := NewJSONWriter(&b)
	w.Write(doc)
	if bytes.ContainsAny(b.Bytes(), "\x7f\u009b\u202e") {
		t.Errorf("raw control left: %q", b.String())
	}
	var back map[string]string
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back["name"] != in {
		t.Errorf("round trip: %v %q", err, back["name"])
	}
}

// ForFormat escapes JSON and SARIF the JSON way, everything else as text.
func TestForFormat(t *testing.T) {
	for format, want := range map[string]string{"json": `\u001b`, "sarif": `\u001b`, "text": `\x1b`, "svg": `\x1b`, "csv": `\x1b`} {
		var b bytes.Buffer
		w := ForFormat(&b, format)
		w.Write([]byte("a\x1bb"))
		w.Flush()
		if b.String() != "a"+want+"b" {
			t.Errorf("%s: %q", format, b.String())
		}
	}
}
