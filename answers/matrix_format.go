package answers

import (
	"bufio"
	"fmt"
	"io"

	"github.com/composenet/composenet/sim"
)

// WriteMatrixAs writes m in format, "text", "csv" or "json", folded into
// classes of containers the matrix cannot tell apart (m.Classes) when
// classes is true. Text follows opt; its Summary heads the full matrix
// only. A matrix grows with the square of the project (5000 containers:
// 25 M cells), so it is streamed through a 64 KiB buffer, not held whole.
func WriteMatrixAs(w io.Writer, m *sim.Matrix, format string, classes bool, opt Options) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	switch {
	case format != "text" && format != "csv" && format != "json":
		return fmt.Errorf("unknown matrix format %q (want text, csv or json)", format)
	case classes && format == "json":
		err = WriteClassMatrixJSON(bw, m.Classes())
	case classes && format == "csv":
		err = WriteClassMatrixCSV(bw, m.Classes())
	case classes:
		err = WriteClassMatrix(bw, m.Classes(), Options{ASCIIOnly: opt.ASCIIOnly, Width: opt.Width})
	case format == "json":
		err = WriteMatrixJSON(bw, m)
	case format == "csv":
		err = WriteMatrixCSV(bw, m)
	default:
		err = WriteMatrix(bw, m, opt)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}
