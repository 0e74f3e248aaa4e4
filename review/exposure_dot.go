package review

import (
	"fmt"
	"strings"

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
	p("  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=14, labelloc=t, labeljust=l, label=<%s>, pad=0.3, nodesep=0.35, ranksep=0.9, bgcolor=\"white\"];\n", title)
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
		attrs := fmt.Sprintf("class=%q, label=%s", e.Kind, dotQuote(strings.Join(e.Labels, "\n")))
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
