package viewer

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"regexp"
	"sync"

	"github.com/composenet/composenet/internal/drawroutes"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Layout turns DOT text into SVG (render/svgcmd.FromDOT with the helper
// process in the command; anything equivalent in tests).
type Layout func(ctx context.Context, dot []byte) ([]byte, error)

// Diagram draws t with the DOT renderer, its reverse-proxy routes included,
// lays it out, and marks the SVG for the page: every container's group
// carries data-node (engine name), data-service and data-kind="container";
// every network's cluster data-network (engine name) and
// data-kind="network"; a network's bridge node data-bridge (engine name);
// the host and the internet data-kind="host" and "internet"; with several
// projects on the host, each project's cluster data-kind="project" and
// data-project (its name); a route's
// edge data-kind="route" and data-route, its index in the page's
// exposure.routes (internal/drawroutes keeps that order). The XML prolog
// and doctype are removed so the SVG can be inlined in HTML.
func Diagram(ctx context.Context, t *topology.Topology, layout Layout) ([]byte, error) {
	v, err := render.Build(t, render.Options{Routes: drawroutes.Routes(t, sim.New(t))})
	if err != nil {
		return nil, err
	}
	svg, err := layout(ctx, []byte(dot.String(v)))
	if err != nil {
		return nil, err
	}
	return Annotate(svg, v), nil
}

// gTitle matches a Graphviz group header and its title: the DOT node (or
// cluster) name is the title.
var gTitle = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`<g id="([^"]*)" class="(node|cluster)((?: [^"]*)?)">\s*<title>([^<]*)</title>`)
})

// gRoute matches the group of a route edge (Graphviz writes the id's "-"
// as "&#45;").
var gRoute = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<g id="route(?:-|&#45;)(\d+)" class="(edge[^"]*)">`) })

var prolog = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)\A.*?(<svg\b)`) })

// Annotate adds the data attributes of Diagram to an SVG that Graphviz drew
// from v's DOT text. Groups it cannot place are left as they are.
func Annotate(svg []byte, v *render.View) []byte {
	attrs := map[string]string{
		render.HostID:     `data-kind="host"`,
		render.InternetID: `data-kind="internet"`,
	}
	for _, c := range v.Containers {
		attrs[c.ID] = fmt.Sprintf(`data-kind="container" data-node="%s" data-service="%s"`, esc(c.Name()), esc(c.C.Service))
	}
	for _, pv := range v.Projects {
		attrs["cluster_"+pv.ID] = fmt.Sprintf(`data-kind="project" data-project="%s"`, esc(pv.Name))
	}
	for _, n := range v.Networks {
		attrs["cluster_"+n.ID] = fmt.Sprintf(`data-kind="network" data-network="%s"`, esc(n.Name()))
		attrs[n.GatewayID()] = fmt.Sprintf(`data-kind="bridge" data-bridge="%s"`, esc(n.Name()))
	}
	svg = prolog().ReplaceAll(svg, []byte("$1"))
	svg = gRoute().ReplaceAll(svg, []byte(`<g id="route-$1" class="$2" data-kind="route" data-route="$1">`))
	return gTitle().ReplaceAllFunc(svg, func(m []byte) []byte {
		sub := gTitle().FindSubmatch(m)
		a, ok := attrs[html.UnescapeString(string(sub[4]))]
		if !ok {
			return m
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, `<g id="%s" class="%s%s" %s>`, sub[1], sub[2], sub[3], a)
		b.Write(m[bytes.IndexByte(m, '>')+1:])
		return b.Bytes()
	})
}

func esc(s string) string { return html.EscapeString(s) }
