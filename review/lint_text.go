package review

import (
	"fmt"
	"io"

	"github.com/composenet/composenet/internal/termsafe"
)

// WriteLintText writes findings for people, one with its fix per entry,
// then the count.
func WriteLintText(w io.Writer, fs []Finding) error {
	for _, f := range fs {
		fmt.Fprintf(w, "%s: %s %s: %s\n", orDash(termsafe.Escape(f.Position)), f.Severity, f.Code, f.Message)
		fmt.Fprintf(w, "    fix: %s\n", f.Fix)
	}
	_, err := fmt.Fprintf(w, "%d finding(s)\n", len(fs))
	return err
}
