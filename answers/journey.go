// Package answers writes the simulator's answers for people and programs:
// the hop-by-hop journey of a reach question drawn top to bottom, a DNS
// answer, and the reachability matrix as a grid with a legend or as CSV;
// and all three as JSON (stable field order, two-space indent).
//
// Text output fits 80 columns (long details wrap under their hop); with
// Options.ASCIIOnly it uses plain ASCII instead of box-drawing characters
// and check marks. The writers only format values from package sim: they
// never load files or route packets.
package answers

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/composenet/composenet/sim"
)

// Options controls text output.
type Options struct {
	// ASCIIOnly degrades box-drawing characters, arrows and marks to ASCII.
	ASCIIOnly bool
	// Width is the line width to wrap at; 0 means 80.
	Width int
	// Summary, when set, is printed first (a matrix of a project on one
	// network: "57 containers on one network: all pairs reach each other").
	Summary string
	// Engine, when set, is the Docker Engine version the answer modelled;
	// WriteReach ends with it ("model: Docker Engine 28 (--engine)").
	Engine string
}

type glyphs struct{ pipe, arrow, ok, no, dot, ret string }

func (o Options) glyphs() glyphs {
	if o.ASCIIOnly {
		return glyphs{pipe: "|", arrow: "v", ok: "OK", no: "X", dot: "*", ret: "^"}
	}
	return glyphs{pipe: "│", arrow: "▼", ok: "✓", no: "✗", dot: "●", ret: "▲"}
}

func (o Options) width() int {
	if o.Width <= 0 {
		return 80
	}
	return o.Width
}

// asciiReplacer maps the few non-ASCII characters that details may carry.
var asciiReplacer = strings.NewReplacer("→", "->", "←", "<-", "…", "...", "µ", "u")

// WriteJSON encodes v (a sim.Result, sim.DNSResult or *sim.Matrix) with a
// two-space indent, HTML characters unescaped, and a final newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// printer accumulates text lines and the first write error.
type printer struct {
	w     io.Writer
	err   error
	ascii bool
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	s := fmt.Sprintf(format, args...)
	if p.ascii {
		s = asciiReplacer.Replace(s)
	}
	_, p.err = io.WriteString(p.w, strings.TrimRight(s, " ")+"\n")
}

// wrap splits s into lines of at most width runes, breaking at spaces
// (a word longer than width stays whole).
func wrap(s string, width int) []string {
	if width < 20 {
		width = 20
	}
	var out []string
	var cur strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		wl := utf8.RuneCountInString(word)
		if n > 0 && n+1+wl > width {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(word)
		n += wl
	}
	if n > 0 || len(out) == 0 {
		out = append(out, cur.String())
	}
	return out
}

func fmtMS(v float64) string {
	return strconv.FormatFloat(v, 'f', 3, 64) + " ms"
}

func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

// WriteReach draws r as a journey: a title, the verdict, each hop top to
// bottom with its node, detail and latency, the reply path, the blockers
// with rule, position and fix, and the notes.
func WriteReach(w io.Writer, r sim.Result, opt Options) error {
	g := opt.glyphs()
	p := &printer{w: w, ascii: opt.ASCIIOnly}
	width := opt.width()
	to := r.To
	if r.Port != 0 {
		to += ":" + strconv.Itoa(int(r.Port))
	}
	if r.Route != nil {
		writeRouteHead(p, r, g, width)
		if r.Route.Route == nil {
			return p.err
		}
	} else {
		p.line("reach %s -> %s/%s", r.From, to, r.Protocol)
	}
	if r.Verdict == sim.InvalidQuery {
		for i, l := range wrap("invalid query: "+r.Error, width-len(g.no)-1) {
			if i == 0 {
				p.line("%s %s", g.no, l)
			} else {
				p.line("%s %s", strings.Repeat(" ", len(g.no)), l)
			}
		}
		return p.err
	}
	if r.Destination != "" && r.Destination != to {
		p.line("destination %s", r.Destination)
	}
	p.line("")
	p.line("%s %s", g.dot, r.From)
	var fwd, back []sim.Hop
	for _, h := range r.Hops {
		if h.Return {
			back = append(back, h)
		} else {
			fwd = append(fwd, h)
		}
	}
	writeHops(p, fwd, g, width, g.arrow)
	p.line("%s", g.pipe)
	if r.Reachable {
		p.line("%s delivered  (one way %s)", g.ok, fmtMS(sumMS(fwd)))
	} else {
		for i, l := range wrap(r.Verdict.String()+": "+r.Reason, width-len(g.no)-1) {
			if i == 0 {
				p.line("%s %s", g.no, l)
			} else {
				p.line("%s %s", strings.Repeat(" ", len(g.no)), l)
			}
		}
	}
	if r.ClientSees != "" && !r.Reachable {
		for _, l := range wrap("client sees: "+r.ClientSees, width-len(g.no)-1) {
			p.line("%s %s", strings.Repeat(" ", len(g.no)), l)
		}
	}
	if len(back) > 0 {
		p.line("")
		p.line("reply path")
		writeHops(p, back, g, width, g.ret)
		p.line("%s", g.pipe)
		p.line("%s back at %s  (round trip %s)", g.ok, r.From, fmtMS(r.LatencyMS))
	}
	if len(r.BlockedBy) > 0 {
		p.line("")
		p.line("blocked by")
		for i, b := range r.BlockedBy {
			num := strconv.Itoa(i+1) + ". "
			ind := strings.Repeat(" ", 2+len(num))
			for j, l := range wrap(b.Component, width-len(ind)) {
				if j == 0 {
					p.line("  %s%s", num, l)
				} else {
					p.line("%s%s", ind, l)
				}
			}
			field := func(name, v string) {
				if v == "" {
					return
				}
				for j, l := range wrap(v, width-len(ind)-6) {
					if j == 0 {
						p.line("%s%-6s%s", ind, name+":", l)
					} else {
						p.line("%s      %s", ind, l)
					}
				}
			}
			field("rule", b.Rule)
			field("at", b.Position)
			field("fix", b.Fix)
		}
	}
	writeNotes(p, r.Rules, r.Notes, width)
	if opt.Engine != "" {
		p.line("model: Docker Engine %s (--engine)", opt.Engine)
	}
	return p.err
}

// writeRouteHead writes the layer-7 part of a route question: the route
// that matches (with its position) and both hops' verdicts; or, when no
// route matches, the verdict, the routes that exist and the closest host
// names.
func writeRouteHead(p *printer, r sim.Result, g glyphs, width int) {
	ra := r.Route
	p.line("reach %s -> %s%s (reverse-proxy route)", r.From, ra.Host, ra.Path)
	if ra.Route == nil {
		for i, l := range wrap(r.Verdict.String()+": "+r.Reason, width-len(g.no)-1) {
			if i == 0 {
				p.line("%s %s", g.no, l)
			} else {
				p.line("%s %s", strings.Repeat(" ", len(g.no)), l)
			}
		}
		if r.ClientSees != "" {
			for _, l := range wrap("client sees: "+r.ClientSees, width-len(g.no)-1) {
				p.line("%s %s", strings.Repeat(" ", len(g.no)), l)
			}
		}
		if len(ra.DidYouMean) > 0 {
			p.line("did you mean %s?", strings.Join(ra.DidYouMean, ", "))
		}
		if len(ra.Routes) > 0 {
			p.line("")
			p.line("routes of this project (read from configuration)")
			for _, l := range ra.Routes {
				for i, w := range wrap(l, width-4) {
					if i == 0 {
						p.line("  %s", w)
					} else {
						p.line("    %s", w)
					}
				}
			}
		}
		writeNotes(p, nil, r.Notes, width)
		return
	}
	rt := ra.Route
	field := func(name, v string) {
		for i, l := range wrap(v, width-9) {
			if i == 0 {
				p.line("%-9s%s", name, l)
			} else {
				p.line("         %s", l)
			}
		}
	}
	field("route:", rt.Rule)
	field("at:", rt.Position+" (read from configuration, not probed)")
	leg := func(name string, l *sim.Leg) {
		if l == nil {
			field(name, "not evaluated")
			return
		}
		to := l.To
		if l.Port != 0 {
			to += ":" + strconv.Itoa(int(l.Port))
		}
		v := l.Verdict.String()
		if l.Verdict != sim.Delivered {
			v += " (" + l.Reason + ")"
		}
		field(name, l.From+" -> "+to+": "+v)
	}
	leg("entry:", ra.Entry)
	leg("proxied:", ra.Proxied)
}

func sumMS(hs []sim.Hop) float64 {
	var t float64
	for _, h := range hs {
		t += h.LatencyMS
	}
	// Round to the microsecond the model works in.
	return float64(int64(t*1000+0.5)) / 1000
}

// writeHops draws each hop as
//
//	│
//	▼ step     node                                       +0.002 ms
//	│            detail, wrapped
func writeHops(p *printer, hs []sim.Hop, g glyphs, width int, arrow string) {
	const stepW = 15
	for _, h := range hs {
		p.line("%s", g.pipe)
		lat := "+" + fmtMS(h.LatencyMS)
		head := arrow + " " + pad(h.Step, stepW-1) + h.Node
		if n := utf8.RuneCountInString(head); n+1+len(lat) <= width {
			p.line("%s%s", pad(head, width-len(lat)), lat)
		} else {
			p.line("%s", head)
			p.line("%s%s", pad(g.pipe, width-len(lat)), lat)
		}
		for _, l := range wrap(h.Detail, width-stepW-1) {
			p.line("%s%s", pad(g.pipe, stepW+1), l)
		}
	}
}

func writeNotes(p *printer, rules, notes []string, width int) {
	if len(rules) > 0 {
		p.line("")
		for i, l := range wrap("rules: "+strings.Join(rules, ", "), width) {
			if i == 0 {
				p.line("%s", l)
			} else {
				p.line("       %s", l)
			}
		}
	}
	for _, n := range notes {
		for i, l := range wrap(n, width-6) {
			if i == 0 {
				p.line("note: %s", l)
			} else {
				p.line("      %s", l)
			}
		}
	}
}

// WriteDNS prints a DNS answer: the rcode and who answered, one line per
// record, the rules and notes.
func WriteDNS(w io.Writer, r sim.DNSResult, opt Options) error {
	g := opt.glyphs()
	p := &printer{w: w, ascii: opt.ASCIIOnly}
	width := opt.width()
	if r.Type != "" {
		p.line("dns %s -> %s (%s)", r.From, r.Name, r.Type)
	} else {
		p.line("dns %s -> %s", r.From, r.Name)
	}
	src := map[string]string{
		sim.SourceEmbedded: "embedded DNS 127.0.0.11",
		sim.SourceHosts:    "/etc/hosts",
		sim.SourceUpstream: "upstream resolver",
		sim.SourceNone:     "no resolver",
	}[r.Source]
	if r.Server != "" {
		src = "dns: server " + r.Server
		for _, sv := range r.Servers {
			if sv.Address == r.Server && sv.Container != "" {
				src += " (" + sv.Container + ")"
			}
		}
	}
	head := r.Rcode + " from " + src
	if r.Network != "" {
		head += ", network " + r.Network + " (" + r.NetworkName + ")"
	}
	if r.External {
		head += ", external name"
	}
	mark := g.ok
	// A public name answered by an upstream is an answer, not a failure.
	if !r.Resolved() && !(r.External && r.Rcode == sim.RcodeNoError) {
		mark = g.no
	}
	p.line("%s %s  [%s]", mark, head, fmtMS(r.LatencyMS))
	if len(r.Answers) > 0 {
		p.line("")
		ipW, cW := 2, 9
		for _, a := range r.Answers {
			ipW = max(ipW, len(a.IP.String()))
			cW = max(cW, len(a.Container))
		}
		p.line("  %s  %s  %s", pad("IP", ipW), pad("CONTAINER", cW), "SERVICE / NETWORK")
		for _, a := range r.Answers {
			tail := a.Service
			if a.Network != "" {
				if tail != "" {
					tail += " / "
				}
				tail += a.Network
			}
			p.line("  %s  %s  %s", pad(a.IP.String(), ipW), pad(a.Container, cW), tail)
			if a.PTR != "" {
				p.line("  %s  PTR %s", pad("", ipW), a.PTR)
			}
		}
	}
	writeNotes(p, r.Rules, r.Notes, width)
	return p.err
}

// WriteMatrix prints the matrix as a grid: rows are sources, columns are
// numbered destinations listed under the grid, cells are verdict symbols
// explained by the legend.
func WriteMatrix(w io.Writer, m *sim.Matrix, opt Options) error {
	p := &printer{w: w, ascii: opt.ASCIIOnly}
	width := opt.width()
	what := "ping (IP level)"
	if m.Port != 0 {
		what = strconv.Itoa(int(m.Port)) + "/" + m.Protocol
	}
	if opt.Summary != "" {
		p.line("%s", opt.Summary)
		p.line("")
	}
	p.line("matrix %s: rows reach columns", what)
	p.line("")
	labW := 4
	for _, r := range m.Rows {
		labW = max(labW, utf8.RuneCountInString(r))
	}
	numW := len(strconv.Itoa(len(m.Cols)))
	cellW := max(2, numW)
	var hdr strings.Builder
	hdr.WriteString(strings.Repeat(" ", labW+2))
	for j := range m.Cols {
		hdr.WriteString(" " + padLeft(strconv.Itoa(j+1), cellW))
	}
	p.line("%s", hdr.String())
	for i, r := range m.Rows {
		var b strings.Builder
		b.WriteString(pad(r, labW+2))
		for j := range m.Cols {
			b.WriteString(" " + padLeft(m.At(i, j).Symbol(), cellW))
		}
		p.line("%s", b.String())
	}
	p.line("")
	p.line("columns")
	var items []string
	for j, c := range m.Cols {
		items = append(items, padLeft(strconv.Itoa(j+1), numW)+" "+c)
	}
	writeColumns(p, items, width)
	p.line("")
	p.line("legend")
	counts := m.Counts()
	writeLegend(p, counts, m.Port, what, width)
	return p.err
}

// writeLegend writes the verdict legend with each verdict's count, and for
// a port question the note on how the internet row is asked.
func writeLegend(p *printer, counts []int, port uint16, what string, width int) {
	var leg []string
	for _, v := range sim.Verdicts() {
		if counts[v] == 0 {
			continue
		}
		leg = append(leg, v.Symbol()+" "+v.String()+" ("+strconv.Itoa(counts[v])+")")
	}
	writeColumns(p, leg, width)
	if port != 0 {
		p.line("")
		for _, l := range wrap("internet row: through the column's published binding of "+what+" when it has one, else straight at its address.", width) {
			p.line("%s", l)
		}
	}
}

func padLeft(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

// writeColumns lays items out in as many equal columns as fit in width.
func writeColumns(p *printer, items []string, width int) {
	cw := 1
	for _, it := range items {
		cw = max(cw, utf8.RuneCountInString(it)+3)
	}
	per := max(1, (width-2)/cw)
	for i := 0; i < len(items); i += per {
		var b strings.Builder
		b.WriteString("  ")
		for _, it := range items[i:min(i+per, len(items))] {
			b.WriteString(pad(it, cw))
		}
		p.line("%s", b.String())
	}
}
