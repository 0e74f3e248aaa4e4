package answers

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/topology"
)

// WriteWarnings writes the warnings that are not tie-break notices, one a
// line ("warning: file:line:col: message [CODE, RULE]"), at most maxPerCode
// of each code (0: all), then how many of each code were left out.
func WriteWarnings(w io.Writer, ws []topology.Warning, maxPerCode int) {
	perCode := map[string]int{}
	var held []string
	for _, wa := range ws {
		if wa.Notice {
			continue
		}
		perCode[wa.Code]++
		if maxPerCode > 0 && perCode[wa.Code] > maxPerCode {
			if perCode[wa.Code] == maxPerCode+1 {
				held = append(held, wa.Code)
			}
			continue
		}
		fmt.Fprintf(w, "warning: %s\n", formatWarning(wa))
	}
	for _, code := range held {
		fmt.Fprintf(w, "warning: %d more %s warnings not shown (composenet lint or inspect --format json lists them all)\n", perCode[code]-maxPerCode, code)
	}
}

// MaxWarningsPerCode is how many warnings of one code a command prints
// (WriteWarnings), so that a large estate's output stays readable.
const MaxWarningsPerCode = 10

// WriteError writes err one problem a line: every problem of a
// *topology.LoadError (positioned, sorted by the loader), each escaped
// whole (termsafe.Escape) so that a newline inside a file name or a
// ${VAR:?message} text cannot forge a line; any other error as its text.
func WriteError(w io.Writer, err error) {
	var le *topology.LoadError
	if errors.As(err, &le) && len(le.Problems) > 0 {
		for _, p := range le.Problems {
			fmt.Fprintln(w, termsafe.Escape(p.String()))
		}
		return
	}
	fmt.Fprintln(w, strings.TrimRight(err.Error(), "\n"))
}

// WriteNotices writes the tie-break notices, one a line ("note: ...").
func WriteNotices(w io.Writer, ws []topology.Warning) {
	for _, wa := range ws {
		if wa.Notice {
			fmt.Fprintf(w, "note: %s\n", formatWarning(wa))
		}
	}
}

// formatWarning is "file:line:col: message [CODE, RULE]", escaped whole so
// that a newline in a name cannot forge a line.
func formatWarning(w topology.Warning) string {
	s := w.Message + " [" + w.Code
	if w.Rule != "" {
		s += ", " + w.Rule
	}
	s += "]"
	if p := w.Pos.String(); p != "" {
		s = p + ": " + s
	}
	return termsafe.Escape(s)
}
