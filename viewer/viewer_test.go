package viewer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/drawroutes"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

func load(t *testing.T, file string) *topology.Topology { return loadB(t, file) }

func loadB(t testing.TB, file string) *topology.Topology {
	t.Helper()
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{file}, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return top
}

var examples = []string{"../examples/ecommerce/compose.yaml", "../examples/secure/compose.yaml", "../examples/production/compose.yaml"}

// TestBuildEcommerceClaims checks the guide's claims in the page data: the
// gateway does not reach the database (by name: R6-7), the order service
// does, the internet reaches the database's published port (R7-9).
func TestBuildEcommerceClaims(t *testing.T) {
	m := NewModel(load(t, "../examples/ecommerce/compose.yaml"))
	p, err := Build(m, Options{Mode: "report", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Embedded != EmbedJourneys || p.Limit != "" {
		t.Fatalf("embedded %q, limit %q; want every journey", p.Embedded, p.Limit)
	}
	for _, c := range []struct{ key, verdict string }{
		{"api-gateway|postgres-db|5432/tcp", "name-not-resolved"},
		{"order-service|postgres-db|5432/tcp", "delivered"},
		{"internet|postgres-db|5432/tcp", "delivered"},
		{"host|api-gateway|80/tcp", "delivered"},
		{"postgres-db|api-gateway|80/tcp", "name-not-resolved"},
	} {
		if got := p.Verdicts[c.key]; got != c.verdict {
			t.Errorf("%s: verdict %q, want %q", c.key, got, c.verdict)
		}
		var r sim.Result
		if err := json.Unmarshal(p.Journeys[c.key], &r); err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		if r.Verdict.String() != c.verdict || len(r.Hops) == 0 {
			t.Errorf("%s: journey verdict %s with %d hops", c.key, r.Verdict, len(r.Hops))
		}
	}
	// The internet asks for the published port on the host's address, as
	// the matrix does.
	var r sim.Result
	json.Unmarshal(p.Journeys["internet|postgres-db|5432/tcp"], &r)
	if r.To != "192.168.1.10" || r.Port != 5432 {
		t.Errorf("internet journey asked %s:%d, want the host address 192.168.1.10:5432", r.To, r.Port)
	}
	// A journey is exactly what composenet reach answers.
	want, _ := json.Marshal(m.S.Reach(sim.Query{From: "order-service", To: "postgres-db", Port: 5432, Protocol: "tcp"}))
	if got := p.Journeys["order-service|postgres-db|5432/tcp"]; !bytes.Equal(got, want) {
		t.Errorf("journey differs from Reach:\n%s\n%s", got, want)
	}
	wantSources := []string{"api-gateway", "order-service", "payment-service", "postgres-db", "product-service", "user-service", "host", "internet"}
	if !reflect.DeepEqual(p.Sources, wantSources) {
		t.Errorf("sources %v", p.Sources)
	}
	n := 0
	for _, tg := range p.Targets {
		n += len(tg.Ports) * len(p.Sources)
	}
	if len(p.Journeys) != n || len(p.Verdicts) != n {
		t.Errorf("%d journeys, %d verdicts; want %d", len(p.Journeys), len(p.Verdicts), n)
	}
}

// TestVerdictsOnlyMatchJourneys is differential: above --max-journeys the
// verdicts come from sim.Matrix alone; they must equal the verdicts of the
// full journeys (sim.Reach) on every bundled example.
func TestVerdictsOnlyMatchJourneys(t *testing.T) {
	for _, f := range examples {
		m := NewModel(load(t, f))
		full, err := Build(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		small, err := Build(NewModel(m.T), Options{MaxJourneys: 1})
		if err != nil {
			t.Fatal(err)
		}
		if small.Embedded != EmbedVerdicts || small.Journeys != nil || !strings.Contains(small.Limit, "exceed --max-journeys 1") {
			t.Fatalf("%s: embedded %q, limit %q", f, small.Embedded, small.Limit)
		}
		if !reflect.DeepEqual(full.Verdicts, small.Verdicts) {
			for k, v := range full.Verdicts {
				if small.Verdicts[k] != v {
					t.Errorf("%s: %s: matrix says %s, reach says %s", f, k, small.Verdicts[k], v)
				}
			}
		}
		live, _ := Build(NewModel(m.T), Options{Live: true})
		if live.Embedded != EmbedLive || live.Journeys != nil || !reflect.DeepEqual(live.Verdicts, full.Verdicts) {
			t.Errorf("%s: live page: embedded %q, %d journeys, verdicts equal %v", f, live.Embedded, len(live.Journeys), reflect.DeepEqual(live.Verdicts, full.Verdicts))
		}
	}
}

func TestPorts(t *testing.T) {
	c := func(listen bool, l, e []topology.PortProto, pub ...uint16) *topology.Container {
		x := &topology.Container{Listen: l, ListenKnown: listen, Expose: e}
		for _, p := range pub {
			x.Ports = append(x.Ports, topology.PortBinding{ContainerPort: p, Protocol: "tcp", HostPort: p})
		}
		return x
	}
	pp := func(n uint16, p string) topology.PortProto { return topology.PortProto{Port: n, Protocol: p} }
	for _, tc := range []struct {
		name string
		c    *topology.Container
		want []string
	}{
		{"nothing declared: IP level", c(false, nil, nil), []string{""}},
		{"published and exposed, sorted, deduplicated", c(false, nil, []topology.PortProto{pp(9090, "tcp"), pp(80, "tcp")}, 80, 443), []string{"80/tcp", "443/tcp", "9090/tcp"}},
		{"declared listeners win", c(true, []topology.PortProto{pp(53, "udp"), pp(53, "tcp")}, []topology.PortProto{pp(80, "tcp")}, 80), []string{"53/tcp", "53/udp"}},
		{"declared to listen on nothing: IP level", c(true, nil, nil, 80), []string{""}},
	} {
		if got := Ports(tc.c); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestQuestionErrors(t *testing.T) {
	m := NewModel(load(t, "../examples/ecommerce/compose.yaml"))
	for _, tc := range []struct{ from, to, port, want string }{
		{"nobody", "postgres-db", "5432/tcp", `unknown source "nobody" (want a container name, host or internet)`},
		{"host", "nothing", "80/tcp", `unknown container "nothing"`},
		{"host", "postgres-db", "80/xyz", `unknown protocol "xyz" (want tcp, udp or sctp)`},
		{"host", "postgres-db", "99999", `invalid port "99999" (want PORT or PORT/PROTO)`},
	} {
		_, err := m.Question(tc.from, tc.to, tc.port)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s -> %s:%s: error %v, want %s", tc.from, tc.to, tc.port, err, tc.want)
		}
	}
}

// fakeLayout stands in for Graphviz: it writes an SVG with the structure
// Graphviz gives DOT nodes and clusters (a group with the DOT id attribute
// as its id and the DOT name as its title), for every node of the view.
func fakeLayout(v *render.View) Layout {
	return func(_ context.Context, dot []byte) ([]byte, error) {
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n")
		b.WriteString(`<svg width="100pt" height="100pt" viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg"><g id="graph0" class="graph">` + "\n")
		for _, n := range v.Networks {
			fmt.Fprintf(&b, "<g id=\"net&#45;%s\" class=\"cluster network\">\n<title>cluster_%s</title>\n</g>\n", n.ID, n.ID)
			fmt.Fprintf(&b, "<g id=\"node9\" class=\"node bridge\">\n<title>%s</title>\n</g>\n", n.GatewayID())
		}
		for _, c := range v.Containers {
			fmt.Fprintf(&b, "<g id=\"ctr&#45;%s\" class=\"node container\">\n<title>%s</title>\n<text>%s</text>\n</g>\n", c.ID, c.ID, c.Name())
		}
		for _, r := range v.Routes {
			fmt.Fprintf(&b, "<g id=\"route&#45;%d\" class=\"edge route\">\n<title>%s&#45;&gt;%s</title>\n</g>\n", r.Index, r.FromID, r.ToID)
		}
		b.WriteString("<g id=\"node&#45;host\" class=\"node host\">\n<title>host</title>\n</g>\n<g id=\"edge1\" class=\"edge\">\n<title>host&#45;&gt;internet</title>\n</g>\n</g></svg>\n")
		if !bytes.Contains(dot, []byte("digraph")) {
			return nil, fmt.Errorf("not DOT")
		}
		return []byte(b.String()), nil
	}
}

func TestDiagramMarks(t *testing.T) {
	top := load(t, "../examples/ecommerce/compose.yaml")
	v, _ := render.Build(top, render.Options{})
	svg, err := Diagram(context.Background(), top, fakeLayout(v))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<svg ") {
		t.Errorf("prolog kept: %.60q", s)
	}
	for _, want := range []string{
		`class="node container" data-kind="container" data-node="postgres-db" data-service="database">`,
		`class="node container" data-kind="container" data-node="api-gateway" data-service="gateway">`,
		`class="cluster network" data-kind="network" data-network="ecommerce_backend-network">`,
		`class="node bridge" data-kind="bridge" data-bridge="ecommerce_frontend-network">`,
		`class="node host" data-kind="host">`,
		`<g id="edge1" class="edge">`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %s", want)
		}
	}
	if n := strings.Count(s, "data-node="); n != len(top.Containers) {
		t.Errorf("%d data-node marks, want %d", n, len(top.Containers))
	}
}

// TestDiagramRoutes: the viewer's diagram draws the reverse-proxy routes,
// and route i of the picture (data-route) is route i of the page's
// exposure report, with the same proxy, backend and verdict.
func TestDiagramRoutes(t *testing.T) {
	top := load(t, "../render/testdata/routes/traefik.yaml")
	routes := drawroutes.Routes(top, sim.New(top))
	v, _ := render.Build(top, render.Options{Routes: routes})
	if len(v.Routes) != 2 {
		t.Fatalf("%d routes drawn, want 2 (api, admin)", len(v.Routes))
	}
	svg, err := Diagram(context.Background(), top, fakeLayout(v))
	if err != nil {
		t.Fatal(err)
	}
	p, err := Build(NewModel(top), Options{Mode: "report", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Exposure.Routes) != len(routes) {
		t.Fatalf("%d exposure routes, %d drawn routes", len(p.Exposure.Routes), len(routes))
	}
	for i, r := range routes {
		want := fmt.Sprintf(`<g id="route-%d" class="edge route" data-kind="route" data-route="%d">`, i, i)
		if !strings.Contains(string(svg), want) {
			t.Errorf("missing %s", want)
		}
		e := p.Exposure.Routes[i]
		hop := ""
		if e.Hop != nil {
			hop = e.Hop.String()
		}
		if e.Proxy != r.Proxy || e.Backend != r.Backend || hop != r.Verdict {
			t.Errorf("route %d: drawn %s -> %s (%s), page %s -> %s (%s)", i, r.Proxy, r.Backend, r.Verdict, e.Proxy, e.Backend, hop)
		}
	}
	if routes[0].Backend != "admin" || routes[0].State != render.RouteBlocked || routes[1].Backend != "api" || routes[1].State != render.RouteOK {
		t.Errorf("routes %+v, want admin blocked then api delivered", routes)
	}
}

func TestWriteReport(t *testing.T) {
	top := load(t, "../examples/ecommerce/compose.yaml")
	v, _ := render.Build(top, render.Options{})
	svg, _ := Diagram(context.Background(), top, fakeLayout(v))
	p, err := Build(NewModel(top), Options{Mode: "report", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := WriteReport(&a, p, svg); err != nil {
		t.Fatal(err)
	}
	p2, _ := Build(NewModel(top), Options{Mode: "report", Version: "test"})
	WriteReport(&b, p2, svg)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same input, different bytes")
	}
	got, err := ReadReportData(a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Verdicts, p.Verdicts) || len(got.Journeys) != len(p.Journeys) || got.Topology.Project != "ecommerce" {
		t.Error("the embedded data does not round-trip")
	}
	html := a.String()
	if !strings.Contains(html, `<meta http-equiv="Content-Security-Policy" content="default-src 'none';`) {
		t.Error("no CSP that forbids loading anything")
	}
	// Nothing is loaded from anywhere: no src= or href= other than the
	// empty data: favicon, no @import or url(.
	if m := regexp.MustCompile(`\b(src|href)="(?:[^"d]|d[^a])[^"]*"|@import|url\(`).FindString(html); m != "" {
		t.Errorf("the report references %s", m)
	}
	for _, ph := range []string{"{{CSS}}", "{{JS}}", "{{SVG}}", "{{DATA}}", "{{TITLE}}"} {
		if strings.Contains(html, ph) {
			t.Errorf("placeholder %s left", ph)
		}
	}
}
