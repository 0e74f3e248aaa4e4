package answers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/composenet/composenet/sim"
)

// WriteMatrixJSON writes m as WriteJSON(w, m) would, byte for byte, but a
// row at a time: memory stays at one row of text however many pairs there
// are (json.Encoder would first build all of them, then indent a copy).
func WriteMatrixJSON(w io.Writer, m *sim.Matrix) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("{\n  \"port\": ")
	bw.WriteString(strconv.Itoa(int(m.Port)))
	bw.WriteString(",\n  \"protocol\": ")
	bw.Write(jsonString(m.Protocol))
	bw.WriteString(",\n  \"rows\": ")
	writeJSONStrings(bw, m.Rows)
	bw.WriteString(",\n  \"columns\": ")
	writeJSONStrings(bw, m.Cols)
	bw.WriteString(",\n  \"verdicts\": ")
	writeJSONGrid(bw, m.Rows, len(m.Cols), m.At)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// writeJSONGrid writes the verdict rows (one per item of rows, ncols
// each) the way json.Encoder with a two-space indent does at the second
// level, a row at a time.
func writeJSONGrid(bw *bufio.Writer, rows []string, ncols int, at func(i, j int) sim.Verdict) {
	var verdicts [][]byte
	for _, v := range sim.Verdicts() {
		verdicts = append(verdicts, jsonString(v.String()))
	}
	switch {
	case rows == nil:
		bw.WriteString("null")
		return
	case len(rows) == 0:
		bw.WriteString("[]")
		return
	}
	bw.WriteString("[")
	for i := range rows {
		if i > 0 {
			bw.WriteByte(',')
		}
		if ncols == 0 {
			bw.WriteString("\n    []")
			continue
		}
		bw.WriteString("\n    [")
		for j := 0; j < ncols; j++ {
			if j > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n      ")
			bw.Write(verdicts[at(i, j)])
		}
		bw.WriteString("\n    ]")
	}
	bw.WriteString("\n  ]")
}

// writeJSONStrings writes a string array the way json.Encoder with a
// two-space indent does at the second level.
func writeJSONStrings(bw *bufio.Writer, xs []string) {
	switch {
	case xs == nil:
		bw.WriteString("null")
		return
	case len(xs) == 0:
		bw.WriteString("[]")
		return
	}
	bw.WriteString("[")
	for i, x := range xs {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(jsonString(x))
	}
	bw.WriteString("\n  ]")
}

// jsonString quotes s as json.Encoder with SetEscapeHTML(false) does.
// Names are validated, so the fast path (printable ASCII without quote or
// backslash) is the usual one.
func jsonString(s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		return []byte(`"` + s + `"`)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// WriteMatrixCSV writes m as CSV: a header row ("from", then the column
// names) and one row per source with the verdict names, as encoding/csv
// would write them. Only the names are checked for quoting, once each;
// verdict names never need it.
func WriteMatrixCSV(w io.Writer, m *sim.Matrix) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var cells [][]byte
	for _, v := range sim.Verdicts() {
		cells = append(cells, []byte(","+v.String()))
	}
	bw.Write(csvField("from"))
	for _, c := range m.Cols {
		bw.WriteByte(',')
		bw.Write(csvField(c))
	}
	bw.WriteByte('\n')
	for i, r := range m.Rows {
		bw.Write(csvField(r))
		for j := range m.Cols {
			bw.Write(cells[m.At(i, j)])
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// csvField is field as encoding/csv writes it (quoted when needed).
func csvField(field string) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{field})
	cw.Flush()
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
