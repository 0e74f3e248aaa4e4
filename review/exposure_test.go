package review

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/scenarios"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// loadYAML loads an inline compose file the way composenet would.
func loadYAML(t *testing.T, yaml string) *topology.Topology {
	t.Helper()
	dir := t.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	tp, err := loader.Load(context.Background(), topology.Options{Files: []string{f}, Dir: dir, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func loadFile(t *testing.T, f string) *topology.Topology {
	t.Helper()
	tp, err := loader.Load(context.Background(), topology.Options{Files: []string{f}, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// shopYAML: web is published (and has a loopback-only debug port), web
// calls api, api calls db and cache on an internal network and audit,
// which it shares no network with; admin is published on loopback only;
// probe uses host networking with a declared listener.
const shopYAML = `name: shop
services:
  web:
    image: nginx
    ports: ["8080:80", "127.0.0.1:9090:9090"]
    environment:
      API_URL: http://api:3000
    networks: [front]
  api:
    image: api
    environment:
      DB_URL: postgres://db:5432/app
      CACHE_HOST: cache
      AUDIT_URL: http://audit:7000
    networks: [front, back]
  db:
    image: postgres:16
    networks: [back]
  cache:
    image: redis:7
    networks: [back]
  audit:
    image: audit
    networks: [other]
  admin:
    image: admin
    ports: ["127.0.0.1:8443:443"]
    networks: [front]
  probe:
    image: probe
    network_mode: host
    x-composenet: {listen: ["7070"]}
networks:
  front:
  back:
    internal: true
  other:
`

// exposedLabels returns "who label" for every entry.
func entryLines(r *ExposureReport) []string {
	var out []string
	for _, e := range r.Entries {
		who := "none"
		switch {
		case e.Exposed():
			who = "internet"
		case e.HostOnly():
			who = "host-only"
		}
		out = append(out, who+" "+e.Label()+" "+e.Rule)
	}
	return out
}

func surfaceLines(r *ExposureReport) []string {
	var out []string
	for _, n := range r.Surface {
		calls := 0
		for _, c := range n.Calls {
			if c.Verdict == sim.Delivered {
				calls++
			}
		}
		out = append(out, fmt.Sprintf("%d %s via %q calls=%d/%d", n.Depth, strings.Join(n.Path, ">"), n.Via, calls, len(n.Calls)))
	}
	return out
}

func TestExposure(t *testing.T) {
	tests := []struct {
		name    string
		load    func(t *testing.T) *topology.Topology
		entries []string
		surface []string
	}{
		{
			// The guide file publishes every service port, the database's
			// included: the internet reaches all six directly (R7-9); the
			// calls (DATABASE_URL, *_SERVICE_URL) add no new service.
			name: "R7-9 ecommerce guide: gateway:80 and 3001-3004 and 5432",
			load: func(t *testing.T) *topology.Topology { return loadFile(t, "../examples/ecommerce/compose.yaml") },
			entries: []string{
				"internet 0.0.0.0:80 -> api-gateway:80/tcp R7-9",
				"internet 0.0.0.0:3001 -> user-service:3001/tcp R7-9",
				"internet 0.0.0.0:3002 -> product-service:3002/tcp R7-9",
				"internet 0.0.0.0:3003 -> order-service:3003/tcp R7-9",
				"internet 0.0.0.0:3004 -> payment-service:3004/tcp R7-9",
				"internet 0.0.0.0:5432 -> postgres-db:5432/tcp R7-9",
			},
			surface: []string{
				`1 internet>database via "0.0.0.0:5432 -> postgres-db:5432/tcp" calls=0/0`,
				`1 internet>gateway via "0.0.0.0:80 -> api-gateway:80/tcp" calls=0/0`,
				`1 internet>order-service via "0.0.0.0:3003 -> order-service:3003/tcp" calls=4/4`,
				`1 internet>payment-service via "0.0.0.0:3004 -> payment-service:3004/tcp" calls=1/1`,
				`1 internet>product-service via "0.0.0.0:3002 -> product-service:3002/tcp" calls=1/1`,
				`1 internet>user-service via "0.0.0.0:3001 -> user-service:3001/tcp" calls=1/1`,
			},
		},
		{
			// Only nginx publishes; nginx declares no calls (its upstreams
			// live in nginx.conf), so nothing is reached transitively.
			name: "R7-9 production: only nginx 80/443, no transitive surface",
			load: func(t *testing.T) *topology.Topology { return loadFile(t, "../examples/production/compose.yaml") },
			entries: []string{
				"internet 0.0.0.0:80 -> nginx-gateway:80/tcp R7-9",
				"internet 0.0.0.0:443 -> nginx-gateway:443/tcp R7-9",
			},
			surface: []string{
				`1 internet>nginx via "0.0.0.0:80 -> nginx-gateway:80/tcp, 0.0.0.0:443 -> nginx-gateway:443/tcp" calls=0/0`,
			},
		},
		{
			// Loopback bindings reach the host only (R7-9); a host-network
			// listener is an entry (R7-10); calls are followed through the
			// internal network, and the call to audit (no shared network)
			// does not extend the surface.
			name: "R7-9 R7-10 shop: loopback host-only, transitive calls with depth",
			load: func(t *testing.T) *topology.Topology { return loadYAML(t, shopYAML) },
			entries: []string{
				"internet 0.0.0.0:7070/tcp -> shop-probe-1 (network_mode: host) R7-10",
				"internet 0.0.0.0:8080 -> shop-web-1:80/tcp R7-9",
				"host-only 127.0.0.1:8443 -> shop-admin-1:443/tcp R7-9",
				"host-only 127.0.0.1:9090 -> shop-web-1:9090/tcp R7-9",
			},
			surface: []string{
				`1 internet>probe via "0.0.0.0:7070/tcp -> shop-probe-1 (network_mode: host)" calls=0/0`,
				`1 internet>web via "0.0.0.0:8080 -> shop-web-1:80/tcp" calls=1/1`,
				`2 internet>web>api via "API_URL api:3000" calls=2/3`,
				`3 internet>web>api>cache via "CACHE_HOST cache" calls=0/0`,
				`3 internet>web>api>db via "DB_URL db:5432" calls=0/0`,
			},
		},
		{
			// Gateway mode routed lifts the direct-access filter (R8-13): the
			// LAN reaches the container address itself, unpublished.
			name: "R8-13 routed network: container address is an entry",
			load: func(t *testing.T) *topology.Topology {
				return loadYAML(t, `name: r
services:
  app:
    image: app
    networks: [lan]
networks:
  lan:
    driver_opts: {com.docker.network.bridge.gateway_mode_ipv4: routed}
    ipam: {config: [{subnet: 10.20.0.0/24}]}
`)
			},
			entries: []string{"internet 10.20.0.2 (any port) -> r-app-1, routed from the LAN R8-13"},
			surface: []string{`1 internet>app via "10.20.0.2 (any port) -> r-app-1, routed from the LAN" calls=0/0`},
		},
		{
			name: "nothing published: empty surface",
			load: func(t *testing.T) *topology.Topology {
				return loadYAML(t, "name: q\nservices:\n  a:\n    image: a\n")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Exposure(tc.load(t))
			if got := entryLines(r); !slices.Equal(got, tc.entries) {
				t.Errorf("entries:\n got %q\nwant %q", got, tc.entries)
			}
			if got := surfaceLines(r); !slices.Equal(got, tc.surface) {
				t.Errorf("surface:\n got %q\nwant %q", got, tc.surface)
			}
		})
	}
}

// TestExposureShopDetails checks the call verdicts, the R7-6 summary, the
// edges and the picture of the shop example.
func TestExposureShopDetails(t *testing.T) {
	r := Exposure(loadYAML(t, shopYAML))
	var api SurfaceNode
	for _, n := range r.Surface {
		if n.Name == "api" {
			api = n
		}
	}
	var calls []string
	for _, c := range api.Calls {
		calls = append(calls, fmt.Sprintf("%s %s %s %s", c.Target, c.Env, c.Verdict, c.Service))
	}
	want := []string{
		"audit:7000 AUDIT_URL name-not-resolved ",
		"cache CACHE_HOST delivered cache",
		"db:5432 DB_URL delivered db",
	}
	if !slices.Equal(calls, want) {
		t.Errorf("api calls = %q, want %q", calls, want)
	}
	// R7-6: every container, the internal network's included; probe (host
	// networking) is the host itself.
	if h := r.Host; h.Containers != 7 || h.Reachable != 7 || h.InternalNetworks != 1 || h.Networks != 3 {
		t.Errorf("R7-6 host summary = %+v, want 7 of 7 containers on 3 networks, 1 internal", h)
	}
	var edges []string
	for _, e := range r.Edges {
		edges = append(edges, fmt.Sprintf("%s->%s %s path=%t", e.From, e.To, e.Kind, e.Path))
	}
	wantEdges := []string{
		"internet->probe host-network path=true",
		"internet->web binding path=true",
		"host->admin binding path=false",
		"host->web binding path=false",
		"api->cache call path=true",
		"api->db call path=true",
		"web->api call path=true",
	}
	if !slices.Equal(edges, wantEdges) {
		t.Errorf("edges:\n got %q\nwant %q", edges, wantEdges)
	}
	dot := r.DOT()
	for _, s := range []string{
		`internet -> "svc_web" [class="binding", label="0.0.0.0:8080 -> shop-web-1:80/tcp", color="#cf222e"`,
		`"svc_web" -> "svc_api" [class="call", label="API_URL api:3000"`,
		`host -> "svc_admin" [class="binding", label="127.0.0.1:8443 -> shop-admin-1:443/tcp", style=dotted]`,
		`{ rank=same; "svc_cache"; "svc_db"; }`,
		`depth 3<br/><font point-size="9" color="#57606a">no declared calls (environment URLs)</font>`,
		// The title in short lines, not one sentence as wide as the page.
		`label=<<b>exposure of shop</b><br align="left"/><font point-size="11">`,
		`<font point-size="11">3 more through declared calls</font><br align="left"/>>`,
	} {
		if !strings.Contains(dot, s) {
			t.Errorf("DOT lacks %s\n%s", s, dot)
		}
	}
	if strings.Contains(dot, "audit") {
		t.Errorf("DOT draws audit, which no delivered call reaches:\n%s", dot)
	}
}

// TestExposureMatchesScenarios: the services and ports the internet
// reaches are exactly what scenarios.Exposed (the check command's
// `exposed` expectation) reports, on every bundled example.
func TestExposureMatchesScenarios(t *testing.T) {
	files := []string{"../examples/ecommerce/compose.yaml", "../examples/production/compose.yaml", "../examples/secure/compose.yaml"}
	for _, f := range files {
		tp := loadFile(t, f)
		var got, want []string
		for _, e := range Exposure(tp).Entries {
			if e.Exposed() && e.Kind == EntryBinding {
				k := fmt.Sprintf("%s:%d/%s", e.Service, e.ContainerPort, e.Protocol)
				if !slices.Contains(got, k) {
					got = append(got, k)
				}
			}
		}
		for _, x := range scenarios.Exposed(sim.New(tp), sim.Internet) {
			want = append(want, fmt.Sprintf("%s:%d/%s", x.Service, x.Port, x.Proto))
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: exposure %q, scenarios.Exposed %q", f, got, want)
		}
	}
}

// TestExposureDeterministic: same input, same bytes (maps must not leak
// into the order).
func TestExposureDeterministic(t *testing.T) {
	tp := loadYAML(t, shopYAML)
	first, _ := json.Marshal(Exposure(tp))
	dot := Exposure(tp).DOT()
	for range 20 {
		again, _ := json.Marshal(Exposure(tp))
		if string(again) != string(first) {
			t.Fatalf("JSON differs between runs:\n%s\n%s", first, again)
		}
		if d := Exposure(tp).DOT(); d != dot {
			t.Fatalf("DOT differs between runs")
		}
	}
}

// TestExposureTiePath: two exposed services call the same backend; the
// path goes through the name-first one (documented tie-break).
func TestExposureTiePath(t *testing.T) {
	r := Exposure(loadYAML(t, `name: tie
services:
  zeta:
    image: z
    ports: ["81:80"]
    environment: [BACKEND_URL=http://backend:9000]
  alpha:
    image: a
    ports: ["80:80"]
    environment: [BACKEND_URL=http://backend:9000]
  backend:
    image: b
`))
	got := surfaceLines(r)
	want := []string{
		`1 internet>alpha via "0.0.0.0:80 -> tie-alpha-1:80/tcp" calls=1/1`,
		`1 internet>zeta via "0.0.0.0:81 -> tie-zeta-1:80/tcp" calls=1/1`,
		`2 internet>alpha>backend via "BACKEND_URL backend:9000" calls=0/0`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("surface:\n got %q\nwant %q", got, want)
	}
}

// TestFoldLabels: runs of consecutive bindings fold into one edge line,
// other lines stay, and an edge has at most maxEdgeLines lines.
func TestFoldLabels(t *testing.T) {
	var run []string
	for p := 20000; p <= 20050; p++ {
		run = append(run, fmt.Sprintf("0.0.0.0:%d -> j-1:%d/udp", p, p))
	}
	var many []string
	for p := 1; p <= 8; p++ {
		many = append(many, fmt.Sprintf("0.0.0.0:%d -> w-1:80/tcp", p*10))
	}
	for _, tc := range []struct {
		name string
		in   []string
		want string
	}{
		{"run", run, "0.0.0.0:20000-20050 -> j-1:20000-20050/udp"},
		{"two bindings", []string{"0.0.0.0:80 -> w-1:80/tcp", "0.0.0.0:443 -> w-1:443/tcp"}, "0.0.0.0:80 -> w-1:80/tcp|0.0.0.0:443 -> w-1:443/tcp"},
		{"a call", []string{"API_URL api:3000"}, "API_URL api:3000"},
		{"capped", many, "0.0.0.0:10 -> w-1:80/tcp|0.0.0.0:20 -> w-1:80/tcp|0.0.0.0:30 -> w-1:80/tcp|0.0.0.0:40 -> w-1:80/tcp|0.0.0.0:50 -> w-1:80/tcp|… 3 more"},
	} {
		if got := strings.Join(foldLabels(tc.in), "|"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
