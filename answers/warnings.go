package answers

import (
	"fmt"
	"io"

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
