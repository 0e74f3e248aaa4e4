package verify

import (
	"encoding/json"
	"io"
)

// WriteJSON writes r as JSON, indented by two spaces, one value and a
// newline (the schema in the README; Model and Notes are text only).
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
