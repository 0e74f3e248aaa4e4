package dot_test

import (
	"bytes"
	"strings"
	"testing"

	gdot "gonum.org/v1/gonum/graph/formats/dot"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
)

func renderCase(t *testing.T, c fixture.Case) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (dot.Renderer{}).Render(&buf, c.Top(), c.Opt); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	for _, c := range fixture.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			fixture.Golden(t, c.Name+".dot", renderCase(t, c))
		})
	}
}

// TestParses checks that every picture is valid DOT for an independent
// parser (gonum's), with exactly one graph.
func TestParses(t *testing.T) {
	for _, c := range fixture.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			out := renderCase(t, c)
			// One statement per line: a raw new line inside a label
			// would be valid DOT but break the golden diffs and layout.
			for i, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
				if l := strings.TrimSpace(line); l != "" && !strings.HasSuffix(l, ";") && !strings.HasSuffix(l, "{") && !strings.HasSuffix(l, "}") {
					t.Errorf("line %d is not a whole statement: %s", i+1, line)
				}
			}
			f, err := gdot.ParseBytes(out)
			if err != nil {
				t.Fatalf("generated DOT does not parse: %v", err)
			}
			if len(f.Graphs) != 1 || !f.Graphs[0].Directed {
				t.Fatalf("want one digraph, got %d graphs", len(f.Graphs))
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range fixture.Cases() {
		a, b := renderCase(t, c), renderCase(t, c)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders differ", c.Name)
		}
	}
}

func TestContent(t *testing.T) {
	out := string(renderCase(t, fixture.Case{Top: fixture.ECommerce}))
	for _, want := range []string{
		// Each network once as a cluster with its subnet.
		"subgraph cluster_n_shop_backend_network {", "subgraph cluster_n_shop_frontend_network {",
		"172.18.0.0/16", "172.19.0.0/16",
		// Each container drawn exactly once (checked below) and its
		// address on each network as an edge label, or inside its box
		// when it lives in the network's group.
		`c_user_service -> n_shop_backend_network_gw [class="endpoint", dir=none`,
		`label="172.18.0.5"`, `label="172.19.0.4"`, `<font point-size="9" color="#116329">172.19.0.6</font>`,
		// The service name, and the container_name beside it.
		`<b>gateway</b><font color="#57606a">&#160;· api-gateway</font>`,
		// NAT edge from the host; the binding in the container's box.
		`host -> c_api_gateway [class="port"`, `<font point-size="9" color="#bc4c00">0.0.0.0:80 → 80/tcp</font>`,
		// Egress.
		`n_shop_backend_network_gw -> n_shop_backend_network_egress [class="egress"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, id := range []string{"c_api_gateway", "c_user_service", "c_postgres_db"} {
		if n := strings.Count(out, "\n  "+id+" [id=") + strings.Count(out, "\n    "+id+" [id="); n != 1 {
			t.Errorf("%s declared %d times, want once", id, n)
		}
	}
	// Home members sit inside their cluster, multi-homed ones outside.
	front := out[strings.Index(out, "subgraph cluster_n_shop_frontend_network"):]
	front = front[:strings.Index(front, "\n  }\n")]
	if !strings.Contains(front, "c_api_gateway [") || strings.Contains(front, "c_user_service [") {
		t.Errorf("frontend cluster holds the wrong containers:\n%s", front)
	}
}

func TestFlowsClaimEdges(t *testing.T) {
	out := string(renderCase(t, fixture.Case{Top: fixture.ECommerce, Opt: render.Options{Highlights: []render.Flow{fixture.GatewayToDB()}}}))
	// The path runs along the drawn endpoint edges, not parallel ones.
	for _, want := range []string{
		`c_user_service -> n_shop_backend_network_gw [class="flow reachable endpoint"`,
		// postgres-db publishes a port, so it is drawn above its bridge
		// and the flow runs the edge backwards.
		`c_postgres_db -> n_shop_backend_network_gw [class="flow reachable endpoint"`, `dir=back, arrowtail=normal`,
		`total 0.106 ms`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, `class="flow blocked`) {
		t.Error("a reachable flow is drawn blocked")
	}
	blocked := string(renderCase(t, fixture.Case{Top: fixture.ECommerce, Opt: render.Options{Highlights: []render.Flow{fixture.GatewayBlocked()}}}))
	for _, want := range []string{
		`class="flow blocked endpoint"`, `style="bold,dashed", color="#cf222e"`, `arrowhead=tee`,
		`dropped: R6-9 name not resolvable; R7-2 isolation`,
		// The dropping component is outlined.
		`n_shop_frontend_network_gw [class="bridge"`,
	} {
		if !strings.Contains(blocked, want) {
			t.Errorf("blocked: missing %q", want)
		}
	}
	gw := blocked[strings.Index(blocked, "n_shop_frontend_network_gw [class"):]
	gw = gw[:strings.Index(gw, "\n")]
	if !strings.Contains(gw, "peripheries=2") {
		t.Errorf("dropping bridge not outlined: %s", gw)
	}
}

// TestRoutes: a route is an edge from the proxy to the backend (ranking
// the proxy above it: no constraint=false), labelled with its rule and port; a blocked one
// is red and dashed with a tee like a blocked flow; the legend explains
// the states drawn, and no route means no route legend.
func TestRoutes(t *testing.T) {
	out := string(renderCase(t, fixture.Case{Top: fixture.Proxy, Opt: render.Options{Routes: fixture.ProxyRoutes()}}))
	for _, want := range []string{
		`c_edge_traefik_1 -> c_edge_api_1 [class="route", id="route-1", style=dashed, color="#1b7c83"`,
		`label="api.example.com/v1 → :8080"`,
		`c_edge_traefik_1 -> c_edge_admin_1 [class="route blocked", id="route-0", style=dashed, color="#cf222e", fontcolor="#cf222e", penwidth=2, arrowhead=tee`,
		`label="admin.example.com → :3000\n✗ dropped-isolation"`,
		`tooltip="traefik router admin: admin.example.com → admin:3000 (compose.yaml:29:7): dropped-isolation, R7-2 (edge-traefik-1 and edge-admin-1 share no network)"`,
		`[class="route unknown", id="route-2", style=dotted`,
		"route: reverse proxy → backend (host/path → port)", "route the proxy cannot reach (simulated)", "route not evaluated (no backend address)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(out, `id="route-1", constraint=false`) {
		t.Error("route edges must rank the proxy above the backend")
	}
	plain := string(renderCase(t, fixture.Case{Top: fixture.Proxy}))
	if strings.Contains(plain, `class="route`) || strings.Contains(plain, "reverse proxy") {
		t.Error("route markings without routes")
	}
}
