// Package termsafe keeps text from input files and command lines from
// reaching a terminal as control sequences. A container_name holding
// "\x1b]0;pwned\a" retitles a terminal when printed raw; a name holding a
// newline forges an output line. composenet reads compose files from
// strangers, so every byte it prints that a terminal would interpret is
// written as an escape instead:
//
//   - C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
//     (U+0080–U+009F, among them U+009B, a one-character CSI) as \x1b-style
//     escapes (C1 as \u009b);
//   - the bidirectional overrides and isolates U+202A–U+202E and
//     U+2066–U+2069, which reorder what a reader sees, as \u202e;
//   - bytes that are not UTF-8 as \xff.
//
// Escape does this to one field (a name, a file name, a message), newlines
// and tabs included. NewWriter does it to a stream whose line structure
// belongs to the program (a report, an error list): there newline and tab
// pass, everything else is escaped. NewJSONWriter does it to JSON, where
// control characters can only stand inside strings, with JSON's \u00XX
// escapes so that the document stays valid.
//
// Only cmd and the report writers import termsafe.
package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// unsafe reports whether r must not reach a terminal raw.
func unsafe(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// Escape returns s with every control character, bidirectional override and
// invalid byte written as an escape (newline as \n, ESC as \x1b).
func Escape(s string) string {
	if !needs(s, false) {
		return s
	}
	var b strings.Builder
	appendEscaped(&b, s, false, false)
	return b.String()
}

// needs reports whether s has something to escape; keepLines lets newline
// and tab pass.
func needs(s string, keepLines bool) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return true
			}
		}
		if unsafe(r) && !(keepLines && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return false
}

func appendEscaped(b *strings.Builder, s string, keepLines, json bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			if json {
				// A JSON encoder never writes invalid UTF-8; keep the
				// byte's meaning visible without breaking the document.
				b.WriteString(`\ufffd`)
			} else {
				fmt.Fprintf(b, `\x%02x`, s[i])
			}
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case !unsafe(r):
			b.WriteString(s[i : i+n])
		case json:
			fmt.Fprintf(b, `\u%04x`, r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(b, `\x%02x`, r)
		default:
			fmt.Fprintf(b, `\u%04x`, r)
		}
		i += n
	}
}

// NewWriter returns a writer that passes newlines and tabs and escapes
// every other control character, bidirectional override and invalid byte
// before writing to w. A multi-byte character split across two Writes is
// recognised; Flush writes an incomplete one left at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// NewJSONWriter is NewWriter for a JSON document: it escapes with \u00XX,
// which is valid inside JSON strings, the only place where such characters
// can stand in JSON.
func NewJSONWriter(w io.Writer) *Writer { return &Writer{w: w, json: true} }

// ForFormat returns the escaping writer for an output format over w: JSON
// and SARIF escaped the JSON way (NewJSONWriter), everything else (text,
// ASCII, CSV, DOT, Mermaid, SVG, JUnit XML, HTML, YAML) as text
// (NewWriter). The caller flushes it.
func ForFormat(w io.Writer, format string) *Writer {
	if format == "json" || format == "sarif" {
		return NewJSONWriter(w)
	}
	return NewWriter(w)
}

// Writer is an escaping writer.
type Writer struct {
	w       io.Writer
	json    bool
	pending []byte // an incomplete UTF-8 sequence at the end of the last Write
}

// Write escapes p and writes it. It reports len(p) on success.
func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.pending) > 0 {
		data = append(w.pending, p...)
		w.pending = nil
	}
	// Hold back a trailing incomplete character.
	if cut := incompleteTail(data); cut < len(data) {
		w.pending = append([]byte(nil), data[cut:]...)
		data = data[:cut]
	}
	s := string(data)
	if !needs(s, true) {
		if _, err := io.WriteString(w.w, s); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	var b strings.Builder
	appendEscaped(&b, s, true, w.json)
	if _, err := io.WriteString(w.w, b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes what an incomplete character left pending, escaped.
func (w *Writer) Flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	var b strings.Builder
	appendEscaped(&b, string(w.pending), true, w.json)
	w.pending = nil
	_, err := io.WriteString(w.w, b.String())
	return err
}

// incompleteTail returns where a trailing, possibly incomplete UTF-8
// sequence starts in p, or len(p) when p ends on a whole character.
func incompleteTail(p []byte) int {
	for i := len(p) - 1; i >= 0 && i >= len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				return i
			}
			return len(p)
		}
	}
	return len(p)
}
