package topology

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Problem is one reason a project cannot be loaded or would not start.
type Problem struct {
	Pos Position
	// Path is the dotted compose path ("services.web.ports.0"), if known.
	Path    string
	Message string
}

// String formats the problem as file:line:col: path: message, on one
// line: control characters (from file names, keys or values of hostile
// input) come out escaped as \xNN, so no problem can forge another line
// or reach the terminal as an escape sequence.
func (p Problem) String() string {
	var b strings.Builder
	if s := p.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return EscapeControl(b.String())
}

// EscapeControl replaces control characters (C0, DEL, C1) and invalid
// UTF-8 in s by \xNN escapes (\u00NN for C1); other text is unchanged.
func EscapeControl(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		case r >= 0x80 && r < 0xa0:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// LoadError carries every problem found in the input, sorted by position.
type LoadError struct {
	Problems []Problem
}

// Error lists the problems, one per line.
func (e *LoadError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// SortProblems sorts problems by position, then message, and drops exact
// duplicates; it reorders ps in place.
func SortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		return a.Message < b.Message
	})
	// drop exact duplicates
	out := ps[:0]
	for i, p := range ps {
		if i > 0 && p == ps[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// SortWarnings sorts warnings by position, code and message, and drops
// exact duplicates; it reorders ws in place.
func SortWarnings(ws []Warning) []Warning {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	out := ws[:0]
	for i, w := range ws {
		if i > 0 && w == ws[i-1] {
			continue
		}
		out = append(out, w)
	}
	return out
}

func sortWarnings(ws []Warning) []Warning { return SortWarnings(ws) }

// ShortHash is the 12-hex-digit identifier the model derives from parts
// (container and network IDs, bridge names).
func ShortHash(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])[:12]
}

func shortHash(parts ...string) string { return ShortHash(parts...) }
