package svg_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/svg"
)

// All tests share the one lazily started Graphviz instance of the package.

func renderCase(t *testing.T, c fixture.Case) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (svg.Renderer{}).Render(&buf, c.Top(), c.Opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// texts decodes out as XML (failing on malformed XML) and returns the
// root element name, all character data and all class attributes.
func texts(t *testing.T, out []byte) (root string, text string, classes map[string]bool) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(out))
	d.Strict = true
	var sb strings.Builder
	classes = map[string]bool{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = x.Name.Local
			}
			for _, a := range x.Attr {
				if a.Name.Local == "class" {
					for _, c := range strings.Fields(a.Value) {
						classes[c] = true
					}
				}
			}
		case xml.CharData:
			sb.Write(x)
			sb.WriteByte('\n')
		}
	}
	return root, sb.String(), classes
}

func TestWellFormedAndComplete(t *testing.T) {
	for _, c := range fixture.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			root, text, _ := texts(t, renderCase(t, c))
			if root != "svg" {
				t.Fatalf("root element %q, want svg", root)
			}
			v, err := render.Build(c.Top(), c.Opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range v.Networks {
				if !strings.Contains(text, n.Name()) {
					t.Errorf("network %s missing", n.Name())
				}
			}
			// The service name is always visible, and the engine name
			// too when it says more (container_name, replicas).
			for _, x := range v.Containers {
				if !strings.Contains(text, x.Short()) {
					t.Errorf("service %s missing", x.Short())
				}
				if x.Title(" · ") != x.Short() && !strings.Contains(text, x.Name()) {
					t.Errorf("container %s missing", x.Name())
				}
			}
		})
	}
}

func TestEveryContainerOfProduction(t *testing.T) {
	_, text, _ := texts(t, renderCase(t, fixture.Case{Top: fixture.Production}))
	top := fixture.Production()
	if len(top.Containers) != 16 || len(top.Networks) != 9 {
		t.Fatalf("fixture has %d containers, %d networks", len(top.Containers), len(top.Networks))
	}
	for _, c := range top.Containers {
		if !strings.Contains(text, c.Service) {
			t.Errorf("service %s missing", c.Service)
		}
	}
	for _, n := range top.Networks {
		if !strings.Contains(text, n.Name) {
			t.Errorf("network %s missing", n.Name)
		}
	}
}

func TestMarkings(t *testing.T) {
	_, text, classes := texts(t, renderCase(t, fixture.Case{Top: fixture.ECommerce, Opt: render.Options{
		Highlights: []render.Flow{fixture.GatewayToDB(), fixture.GatewayBlocked()}}}))
	for _, c := range []string{"reachable", "blocked", "endpoint", "port", "egress", "network", "container", "bridge"} {
		if !classes[c] {
			t.Errorf("no element of class %q", c)
		}
	}
	for _, want := range []string{"total 0.106 ms", "dropped: R6-9 name not resolvable; R7-2 isolation", "0.0.0.0:80 → 80/tcp", "· api-gateway", "· postgres-db", "Legend"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q missing", want)
		}
	}
	_, _, plain := texts(t, renderCase(t, fixture.Case{Top: fixture.ECommerce}))
	if plain["flow"] || plain["blocked"] {
		t.Error("flow markings without flows")
	}
}

func TestDeterministic(t *testing.T) {
	c := fixture.Case{Top: fixture.ECommerce, Opt: render.Options{Highlights: []render.Flow{fixture.GatewayBlocked()}}}
	if a, b := renderCase(t, c), renderCase(t, c); !bytes.Equal(a, b) {
		t.Error("two renders differ")
	}
}

// TestFontsFixed: every text names the embedded font first, and the SVG
// carries it (regular and bold) as WOFF2 data right after the <svg> tag.
func TestFontsFixed(t *testing.T) {
	out := renderCase(t, fixture.Case{Top: fixture.Modes})
	if bytes.Contains(out, []byte(`font-family="Helvetica,sans-Serif"`)) || !bytes.Contains(out, []byte(`font-family="`+svg.FontFamily+`"`)) {
		t.Error("font family not set to the embedded font")
	}
	if n := bytes.Count(out, []byte(`@font-face{font-family:"composenet-sans"`)); n != 2 {
		t.Errorf("%d @font-face rules, want 2", n)
	}
	svgTag := bytes.Index(out, []byte("<svg "))
	style := bytes.Index(out, []byte("<style>@font-face"))
	graph := bytes.Index(out, []byte(`<g id="graph0"`))
	if svgTag < 0 || !(svgTag < style && style < graph) {
		t.Errorf("<style> at %d, want between <svg> at %d and the graph at %d", style, svgTag, graph)
	}
	// The font data is valid WOFF2: base64 of a file starting "wOF2".
	if !bytes.Contains(out, []byte("data:font/woff2;base64,d09GMg")) {
		t.Error("embedded font is not WOFF2")
	}
}

func TestBadDOT(t *testing.T) {
	if _, err := svg.FromDOT(t.Context(), []byte("digraph { a -> }")); err == nil {
		t.Error("want an error for broken DOT")
	}
}

// TestRoutes: each route is an edge group with its own id and the route
// classes; the labels carry the rule and port, the blocked one its verdict.
func TestRoutes(t *testing.T) {
	out := renderCase(t, fixture.Case{Top: fixture.Proxy, Opt: render.Options{Routes: fixture.ProxyRoutes()}})
	_, text, classes := texts(t, out)
	for _, c := range []string{"route", "blocked", "unknown"} {
		if !classes[c] {
			t.Errorf("no element of class %q", c)
		}
	}
	// Graphviz writes the id's "-" as "&#45;".
	for _, want := range []string{`<g id="route&#45;0" class="edge route blocked">`, `<g id="route&#45;1" class="edge route">`, `<g id="route&#45;2" class="edge route unknown">`, `<g id="route&#45;3" class="edge route">`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("SVG lacks %s", want)
		}
	}
	for _, want := range []string{"api.example.com/v1 → :8080", "admin.example.com → :3000", "✗ dropped-isolation", "cdn.example.com, +5 more → :?", "route the proxy cannot reach (simulated)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q missing", want)
		}
	}
}
