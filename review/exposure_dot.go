package review

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/composenet/composenet/sim"
)

// DOT returns the exposure graph as Graphviz DOT text, left to right: the
// internet/LAN node, the services it reaches directly (published ports,
// host-network listeners, routed addresses), then the services their
// declared calls reach, one column per depth. Edges on the path that first
// reaches a service are bold; other edges between reachable services are
// thin. Services reachable from the host only (loopback bindings, R7-9)
// hang off a grey "host" node. Node IDs are stable ("internet", "host",
// "svc_" plus the service name); the text is deterministic.
func (r *ExposureReport) DOT() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	more := 0
	for _, n := range r.Surface {
		if n.Depth > 1 {
			more++
		}
	}
	// The title is three short left-aligned lines, so that a small
	// graph is not stretched to the width of one long sentence.
	title := `<b>exposure of ` + dotHTML(r.Project) + `</b><br align="left"/>` +
		`<font point-size="11">` + dotHTML(fmt.Sprintf("%d service(s) reached from the internet/LAN directly,", len(r.Surface)-more)) + `</font><br align="left"/>` +
		`<font point-size="11">` + dotHTML(fmt.Sprintf("%d more through declared calls", more)) + `</font><br align="left"/>`
	p("digraph %s {\n", dotQuote("exposure "+r.Project))
	p("  graph [rankdir=%s, fontname=\"Helvetica\", fontsize=14, labelloc=t, labeljust=l, label=<%s>, pad=0.3, nodesep=0.35, ranksep=0.9, bgcolor=\"white\"];\n", r.rankdir(), title)
	p("  node [fontname=\"Helvetica\", fontsize=12, shape=box, style=\"rounded,filled\", color=\"#57606a\", fillcolor=\"#f6f8fa\", fontcolor=\"#24292f\"];\n")
	p("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#8c959f\", fontcolor=\"#57606a\", arrowsize=0.7];\n")
	p("  internet [id=\"internet\", class=\"source\", label=\"internet / LAN\", shape=ellipse, color=\"#cf222e\", fillcolor=\"#ffebe9\"];\n")

	hostOnly := map[string]bool{}
	inSurface := map[string]bool{}
	for _, n := range r.Surface {
		inSurface[n.Name] = true
	}
	hasHost := false
	for _, e := range r.Edges {
		if e.From == sim.Host {
			hasHost = true
			if !inSurface[e.To] {
				hostOnly[e.To] = true
			}
		}
	}
	if hasHost {
		p("  host [id=\"host\", class=\"source\", label=\"host (loopback only)\", shape=ellipse, color=\"#8c959f\", fillcolor=\"#ffffff\"];\n")
	}
	maxDepth := 0
	for _, n := range r.Surface {
		if n.Depth > maxDepth {
			maxDepth = n.Depth
		}
		fill, line := "#fff4ed", "#bc4c00"
		if n.Depth == 1 {
			fill, line = "#ffebe9", "#cf222e"
		}
		label := fmt.Sprintf("<b>%s</b><br/>depth %d", dotHTML(n.Name), n.Depth)
		if len(n.Calls) == 0 {
			label += `<br/><font point-size="9" color="#57606a">` + dotHTML(NoCalls) + `</font>`
		}
		p("  %s [id=%s, class=\"exposed depth-%d\", label=<%s>, color=%q, fillcolor=%q];\n", dotID(n.Name), dotQuote("svc_"+n.Name), n.Depth, label, line, fill)
	}
	for _, e := range r.Edges {
		if e.From == sim.Host && hostOnly[e.To] {
			hostOnly[e.To] = false
			p("  %s [id=%s, class=\"host-only\", label=%s, color=\"#8c959f\", fillcolor=\"#ffffff\", fontcolor=\"#57606a\"];\n", dotID(e.To), dotQuote("svc_"+e.To), dotQuote(e.To+"\nhost only"))
		}
	}
	// One column per depth.
	for d := 1; d <= maxDepth; d++ {
		var ids []string
		for _, n := range r.Surface {
			if n.Depth == d {
				ids = append(ids, dotID(n.Name))
			}
		}
		p("  { rank=same; %s; }\n", strings.Join(ids, "; "))
	}
	for _, e := range r.Edges {
		from := dotID(e.From)
		attrs := fmt.Sprintf("class=%q, label=%s", e.Kind, dotQuote(strings.Join(foldLabels(e.Labels), "\n")))
		switch {
		case e.From == sim.Host:
			attrs += ", style=dotted"
		case e.Path && e.From == sim.Internet:
			attrs += ", color=\"#cf222e\", fontcolor=\"#cf222e\", penwidth=2"
		case e.Path:
			attrs += ", color=\"#bc4c00\", fontcolor=\"#953800\", penwidth=2"
		default:
			attrs += ", constraint=false"
		}
		p("  %s -> %s [%s];\n", from, dotID(e.To), attrs)
	}
	if len(r.Surface) == 0 {
		p("  nothing [id=\"nothing\", label=\"nothing is reachable\\nfrom the internet/LAN\", shape=plaintext, style=\"\"];\n")
		p("  internet -> nothing [style=invis];\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// dotID is the DOT node name of a graph node.
func dotID(name string) string {
	switch name {
	case sim.Internet, sim.Host:
		return name
	}
	return dotQuote("svc_" + name)
}

// dotQuote returns s as a DOT double-quoted string.
func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// dotHTML escapes s for a DOT HTML-like label.
func dotHTML(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

// rankdir picks the direction of the exposure graph: left to right (one
// column per depth) unless that makes a flat strip, as a graph of one or
// two columns of one or two services does; then top to bottom. The
// estimate uses typical node sizes (about 300 px per column with its edge
// labels, 70 px per node in a column; 220 px per node side by side, 110
// px per layer, and 80 px of title).
func (r *ExposureReport) rankdir() string {
	cols := map[int]int{0: 1}
	for _, n := range r.Surface {
		cols[n.Depth]++
	}
	for _, e := range r.Edges {
		if e.From == sim.Host {
			cols[0] = 2
		}
	}
	rows := 0
	for _, k := range cols {
		rows = max(rows, k)
	}
	skew := func(w, h float64) float64 { return max(w/h, h/w) }
	lr := skew(float64(len(cols))*300, float64(rows)*70+80)
	tb := skew(float64(rows)*220, float64(len(cols))*110+80)
	if tb < lr {
		return "TB"
	}
	return "LR"
}

// bindingLabel matches a binding edge label, "0.0.0.0:20000 ->
// proj-jigasi-1:20000/udp".
var bindingLabel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(.*):(\d+) -> (.*):(\d+)/(\w+)$`) })

// maxEdgeLines caps the lines of an edge label; the last one counts the rest.
const maxEdgeLines = 6

// foldLabels folds runs of consecutive port bindings into one line
// ("0.0.0.0:20000-20050 -> proj-jigasi-1:20000-20050/udp") and caps the
// lines at maxEdgeLines.
func foldLabels(ls []string) []string {
	type run struct {
		m     []string
		h, c  int
		count int
		plain string
	}
	var runs []run
	for _, l := range ls {
		m := bindingLabel().FindStringSubmatch(l)
		if m == nil {
			runs = append(runs, run{plain: l})
			continue
		}
		h, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[4])
		if k := len(runs) - 1; k >= 0 && runs[k].m != nil {
			r := &runs[k]
			if r.m[1] == m[1] && r.m[3] == m[3] && r.m[5] == m[5] && h == r.h+r.count && c == r.c+r.count {
				r.count++
				continue
			}
		}
		runs = append(runs, run{m: m, h: h, c: c, count: 1})
	}
	var out []string
	for i, r := range runs {
		if i == maxEdgeLines-1 && len(runs) > maxEdgeLines {
			out = append(out, fmt.Sprintf("… %d more", len(runs)-i))
			break
		}
		switch {
		case r.m == nil:
			out = append(out, r.plain)
		case r.count == 1:
			out = append(out, r.m[0])
		default:
			out = append(out, fmt.Sprintf("%s:%d-%d -> %s:%d-%d/%s", r.m[1], r.h, r.h+r.count-1, r.m[3], r.c, r.c+r.count-1, r.m[5]))
		}
	}
	return out
}
