package answers

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/composenet/composenet/sim"
)

// classLabel names class i (0-based) as the writers show it: C1, C2, …
func classLabel(i int) string { return "C" + strconv.Itoa(i+1) }

// classPairCounts counts container pairs per verdict as the full matrix
// would (a class cell stands for |A|·|B| pairs, or |A|·(|A|-1) inside a
// class plus |A| self pairs), so the legend matches the full matrix's.
func classPairCounts(cm *sim.ClassMatrix) []int {
	counts := make([]int, len(sim.Verdicts()))
	k := len(cm.Classes)
	for a, ca := range cm.Classes {
		na := len(ca.Members)
		counts[ca.Self] += na
		for b, cb := range cm.Classes {
			pairs := na * len(cb.Members)
			if a == b {
				pairs = na * (na - 1)
			}
			counts[cm.At(a, b)] += pairs
		}
	}
	for b, cb := range cm.Classes {
		counts[cm.At(k, b)] += len(cb.Members)
		counts[cm.At(k+1, b)] += len(cb.Members)
	}
	return counts
}

// WriteClassMatrix prints a class matrix as a grid (rows and columns are
// classes, then host and internet rows), the members and networks of each
// class, and a legend whose counts are container pairs, as in the full
// matrix.
func WriteClassMatrix(w io.Writer, cm *sim.ClassMatrix, opt Options) error {
	p := &printer{w: w, ascii: opt.ASCIIOnly}
	width := opt.width()
	what := "ping (IP level)"
	if cm.Port != 0 {
		what = strconv.Itoa(int(cm.Port)) + "/" + cm.Protocol
	}
	k := len(cm.Classes)
	n := len(cm.Of)
	p.line("matrix %s by class: rows reach columns (%d containers in %d classes)", what, n, k)
	p.line("")
	rows := make([]string, 0, k+2)
	for i := range cm.Classes {
		rows = append(rows, classLabel(i))
	}
	rows = append(rows, sim.Host, sim.Internet)
	labW := 4
	for _, r := range rows {
		labW = max(labW, utf8.RuneCountInString(r))
	}
	cellW := max(2, len(strconv.Itoa(k)))
	var hdr strings.Builder
	hdr.WriteString(strings.Repeat(" ", labW+2))
	for j := 0; j < k; j++ {
		hdr.WriteString(" " + padLeft(strconv.Itoa(j+1), cellW))
	}
	p.line("%s", hdr.String())
	for i, r := range rows {
		var b strings.Builder
		b.WriteString(pad(r, labW+2))
		for j := 0; j < k; j++ {
			b.WriteString(" " + padLeft(cm.At(i, j).Symbol(), cellW))
		}
		p.line("%s", b.String())
	}
	p.line("")
	p.line("classes (column j is class Cj; a cell holds for every member of the row's")
	p.line("class to every member of the column's class other than itself)")
	for i, c := range cm.Classes {
		head := classLabel(i) + "  " + strconv.Itoa(len(c.Members)) + " member"
		if len(c.Members) != 1 {
			head += "s"
		}
		if len(c.Members) > 1 && c.Self != cm.At(i, i) {
			head += ", each to itself " + c.Self.Symbol() + " " + c.Self.String()
		}
		head += ": networks " + strings.Join(c.Networks, ", ")
		for _, l := range wrap(head, width-2) {
			p.line("  %s", l)
		}
		for _, l := range wrap(strings.Join(c.Members, " "), width-6) {
			p.line("      %s", l)
		}
	}
	p.line("")
	p.line("legend (container pairs)")
	counts := classPairCounts(cm)
	writeLegend(p, counts, cm.Port, what, width)
	return p.err
}

// classDoc is one class in the JSON form.
type classDoc struct {
	Name     string   `json:"name"`
	Members  []string `json:"members"`
	Networks []string `json:"networks"`
	Self     string   `json:"self"`
}

// WriteClassMatrixJSON writes a class matrix as JSON: port, protocol, the
// number of containers, the classes (name, members, networks, verdict of
// each member to itself), and rows (class names, host, internet), columns
// (class names) and verdicts as in the full matrix's JSON. The verdict
// grid is written a row at a time.
func WriteClassMatrixJSON(w io.Writer, cm *sim.ClassMatrix) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	k := len(cm.Classes)
	docs := make([]classDoc, k)
	cols := make([]string, k)
	for i, c := range cm.Classes {
		cols[i] = classLabel(i)
		docs[i] = classDoc{Name: cols[i], Members: c.Members, Networks: c.Networks, Self: c.Self.String()}
		if docs[i].Networks == nil {
			docs[i].Networks = []string{}
		}
	}
	classes, err := json.MarshalIndent(docs, "  ", "  ")
	if err != nil {
		return err
	}
	bw.WriteString("{\n  \"port\": ")
	bw.WriteString(strconv.Itoa(int(cm.Port)))
	bw.WriteString(",\n  \"protocol\": ")
	bw.Write(jsonString(cm.Protocol))
	bw.WriteString(",\n  \"containers\": ")
	bw.WriteString(strconv.Itoa(len(cm.Of)))
	bw.WriteString(",\n  \"classes\": ")
	bw.Write(classes)
	rows := append(append([]string{}, cols...), sim.Host, sim.Internet)
	bw.WriteString(",\n  \"rows\": ")
	writeJSONStrings(bw, rows)
	bw.WriteString(",\n  \"columns\": ")
	writeJSONStrings(bw, cols)
	bw.WriteString(",\n  \"verdicts\": ")
	writeJSONGrid(bw, rows, k, cm.At)
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// WriteClassMatrixCSV writes a class matrix as CSV: a header row ("from",
// "members", then the class names) and one row per class (its members
// separated by spaces) and for host and internet (no members).
func WriteClassMatrixCSV(w io.Writer, cm *sim.ClassMatrix) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	k := len(cm.Classes)
	bw.WriteString("from,members")
	for i := 0; i < k; i++ {
		bw.WriteString("," + classLabel(i))
	}
	bw.WriteByte('\n')
	for i := 0; i < k+2; i++ {
		switch {
		case i < k:
			bw.WriteString(classLabel(i) + ",")
			bw.Write(csvField(strings.Join(cm.Classes[i].Members, " ")))
		case i == k:
			bw.WriteString(sim.Host + ",")
		default:
			bw.WriteString(sim.Internet + ",")
		}
		for j := 0; j < k; j++ {
			bw.WriteString("," + cm.At(i, j).String())
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
