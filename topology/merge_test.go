package topology_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// proxyProject is a traefik project that creates the shared network
// "proxy" and publishes 80 and 443.
const proxyProject = `name: proxy
services:
  traefik:
    image: traefik:v3.1
    ports: ["80:80", "443:443"]
    networks: [proxy]
networks:
  proxy:
    name: proxy
`

// appProject joins the proxy's network and keeps its database on its own
// default network.
const appProject = `name: app
services:
  web:
    image: nginx
    networks: [proxy, default]
    labels:
      traefik.enable: "true"
      traefik.http.routers.web.rule: Host(` + "`app.example.com`" + `)
  db:
    image: postgres
networks:
  proxy:
    external: true
`

// writeProjects writes each project's compose.yaml under dir/<key> and
// returns the load options of each, in the order given.
func writeProjects(t *testing.T, projects ...[2]string) (string, []topology.Options) {
	t.Helper()
	dir := t.TempDir()
	var opts []topology.Options
	for _, p := range projects {
		sub := filepath.Join(dir, p[0])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(sub, "compose.yaml")
		if err := os.WriteFile(f, []byte(p[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, topology.Options{Dir: dir, Files: []string{filepath.Join(p[0], "compose.yaml")}, Env: []string{}})
	}
	return dir, opts
}

func loadAll(t *testing.T, opts []topology.Options) []*topology.Topology {
	t.Helper()
	var ts []*topology.Topology
	for _, o := range opts {
		x, err := loader.Load(context.Background(), o)
		if err != nil {
			t.Fatalf("load %v: %v", o.Files, err)
		}
		ts = append(ts, x)
	}
	return ts
}

func mergeAll(t *testing.T, projects ...[2]string) (*topology.Topology, error) {
	t.Helper()
	_, opts := writeProjects(t, projects...)
	return topology.Merge(loadAll(t, opts))
}

func addr(t *testing.T, top *topology.Topology, ctr, net string) string {
	t.Helper()
	c := top.Container(ctr)
	if c == nil {
		t.Fatalf("no container %s", ctr)
	}
	n := top.NetworkByName(net)
	if n == nil {
		t.Fatalf("no network %s", net)
	}
	e := c.Endpoint(n)
	if e == nil {
		t.Fatalf("%s is not on %s", ctr, net)
	}
	return e.IPv4.String()
}

// TestMergeOneIsIdentity: merging one project with itself alone changes
// nothing, and the first of several projects gets exactly the subnets,
// addresses and ports it gets alone (R3-2, R3-8, R8-5 in up order).
func TestMergeFirstProjectUnchanged(t *testing.T) {
	first := `name: first
services:
  a: {image: x, networks: [front, back], ports: ["8080:80", "80", "9000-9005:90"]}
  b: {image: x, networks: [back], depends_on: [a], deploy: {replicas: 2}, ports: ["81"]}
  c: {image: x, networks: {fixed: {ipv4_address: 10.9.0.9}}, ports: ["9000-9005:91"]}
  d: {image: x, network_mode: bridge}
  e: {image: x, networks: [v6]}
networks:
  front: {}
  back: {}
  fixed: {ipam: {config: [{subnet: 10.9.0.0/24}]}}
  v6: {enable_ipv6: true}
`
	_, opts := writeProjects(t, [2]string{"first", first}, [2]string{"second", proxyProject})
	ts := loadAll(t, opts)
	alone, err := json.Marshal(ts[0].Doc())
	if err != nil {
		t.Fatal(err)
	}
	m, err := topology.Merge(ts)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(ts[0].Doc())
	if string(alone) != string(again) {
		t.Fatal("Merge modified its input")
	}
	for _, c := range ts[0].Containers {
		mc := m.Container(c.Name)
		if mc == nil {
			t.Fatalf("%s missing", c.Name)
		}
		if mc.Service != "first/"+c.Service {
			t.Errorf("%s: service %q, want first/%s", c.Name, mc.Service, c.Service)
		}
		if len(mc.Endpoints) != len(c.Endpoints) {
			t.Fatalf("%s: %d endpoints, want %d", c.Name, len(mc.Endpoints), len(c.Endpoints))
		}
		for i, e := range c.Endpoints {
			f := mc.Endpoints[i]
			if f.Network.Name != e.Network.Name || f.IPv4 != e.IPv4 || f.IPv6 != e.IPv6 {
				t.Errorf("%s on %s: %s %s, alone %s %s", c.Name, e.Network.Name, f.IPv4, f.IPv6, e.IPv4, e.IPv6)
			}
		}
		for i, p := range c.Ports {
			q := mc.Ports[i]
			if q.HostPort != p.HostPort || q.HostIP != p.HostIP {
				t.Errorf("%s port %d: host port %d, alone %d", c.Name, i, q.HostPort, p.HostPort)
			}
		}
	}
	for _, n := range ts[0].Networks {
		mn := m.NetworkByName(n.Name)
		if mn.Subnet != n.Subnet || mn.Gateway != n.Gateway || mn.Subnet6 != n.Subnet6 {
			t.Errorf("%s: %s %s %s, alone %s %s %s", n.Name, mn.Subnet, mn.Gateway, mn.Subnet6, n.Subnet, n.Gateway, n.Subnet6)
		}
	}
	if one, err := topology.Merge(ts[:1]); err != nil || one != ts[0] {
		t.Errorf("Merge of one project: %v, %v", one, err)
	}
}

// TestMergeProxyAndApp is the two-project set-up: the app's external
// network is the proxy's (R2-5), subnets continue in up order (R3-2), the
// app's containers take the next free addresses on the shared network
// (R3-8).
func TestMergeProxyAndApp(t *testing.T) {
	m, err := mergeAll(t, [2]string{"proxy", proxyProject}, [2]string{"app", appProject})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ what, got, want string }{
		{"R3-2 proxy network first pool after docker0", m.NetworkByName("proxy").Subnet.String(), "172.18.0.0/16"},
		{"R3-2 app default network next pool", m.NetworkByName("app_default").Subnet.String(), "172.19.0.0/16"},
		{"R3-8 traefik first on proxy", addr(t, m, "proxy-traefik-1", "proxy"), "172.18.0.2"},
		{"R3-8 app web joins after traefik", addr(t, m, "app-web-1", "proxy"), "172.18.0.3"},
		{"R3-8 db on app_default", addr(t, m, "app-db-1", "app_default"), "172.19.0.2"},
		{"project", m.Project, "app"},
		{"service qualified", m.Container("app-web-1").Service, "app/web"},
		{"projects", projectNames(m), "proxy,app"},
		{"files", strings.Join(m.Files, ","), "proxy/compose.yaml,app/compose.yaml"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.what, tc.got, tc.want)
		}
	}
	if m.Service("app/web") == nil || m.Service("proxy/traefik") == nil || m.Service("web") != nil {
		t.Errorf("services by qualified name: %v", m.Services)
	}
	if n := len(m.NetworkByName("proxy").Endpoints); n != 2 {
		t.Errorf("proxy network has %d members, want 2", n)
	}
	for _, w := range m.Warnings {
		if w.Code == "W-EXTERNAL-ASSUMED" {
			t.Errorf("external network still assumed: %s", w.Message)
		}
	}
	if !hasCode(m, "W-PROJECT-ORDER") {
		t.Error("no W-PROJECT-ORDER notice")
	}
}

func projectNames(m *topology.Topology) string {
	var s []string
	for _, p := range m.Projects {
		s = append(s, p.Name)
	}
	return strings.Join(s, ",")
}

func hasCode(m *topology.Topology, code string) bool {
	for _, w := range m.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

// TestMergeProblems: every cross-project clash is reported at once, with
// both positions.
func TestMergeProblems(t *testing.T) {
	tests := []struct {
		name     string
		projects [][2]string
		want     []string
	}{
		{
			name: "R8-8 a later project publishes a taken port",
			projects: [][2]string{{"proxy", proxyProject}, {"other", `name: other
services:
  web:
    image: nginx
    ports: ["8080:80", "80:80"]
`}},
			want: []string{"other/compose.yaml:5:24: Bind for 0.0.0.0:80 failed: port is already allocated (by proxy-traefik-1 of project proxy, proxy/compose.yaml:5:13) (R8-8)"},
		},
		{
			name:     "R1-1 two projects with one name",
			projects: [][2]string{{"proxy", proxyProject}, {"again", proxyProject}},
			want:     []string{`again/compose.yaml:1:1: project name "proxy" is already the name of the project of proxy/compose.yaml (proxy/compose.yaml:1:1): Compose would treat both as one project and recreate its containers; give one of them another name (name: or -p)`},
		},
		{
			name: "R1-4 container names unique across projects",
			projects: [][2]string{{"a", `name: a
services:
  web: {image: x, container_name: web}
`}, {"b", `name: b
services:
  site: {image: x, container_name: web}
`}},
			want: []string{`b/compose.yaml:3:3: services.site.container_name: Error response from daemon: Conflict. The container name "/web" is already in use by container `},
		},
		{
			name: "R3-4 a configured subnet overlaps an earlier project's automatic one",
			projects: [][2]string{{"a", `name: a
services:
  web: {image: x}
`}, {"b", `name: b
services:
  web: {image: x, networks: [lan]}
networks:
  lan: {ipam: {config: [{subnet: 172.18.0.0/24}]}}
`}},
			want: []string{`b/compose.yaml:5:3: networks.lan: failed to create network b_lan: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (172.18.0.0/24 overlaps 172.18.0.0/16 of network a_default) (R3-4)`},
		},
		{
			name: "R2-4 one network name under two keys",
			projects: [][2]string{{"a", `name: a
services:
  web: {image: x, networks: [edge]}
networks:
  edge: {name: shared}
`}, {"b", `name: b
services:
  web: {image: x, networks: [front]}
networks:
  front: {name: shared}
`}},
			want: []string{`b/compose.yaml:5:3: networks.front: network shared was found but has incorrect label com.docker.compose.network set to "edge" (expected: "front"): project a created it (a/compose.yaml:5:3) (R2-4)`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mergeAll(t, tc.projects...)
			var le *topology.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want a LoadError, got %v", err)
			}
			if len(le.Problems) != len(tc.want) {
				t.Fatalf("got %d problems:\n%v", len(le.Problems), err)
			}
			for i, p := range le.Problems {
				if !strings.HasPrefix(p.String(), tc.want[i]) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, p, tc.want[i])
				}
			}
		})
	}
}

// BenchmarkMerge measures Merge alone (the loads are done once, outside
// the loop) for the proxy project and a generated project of n services:
// the cost every command pays on top of the (cached) loads when several
// projects share the host.
func BenchmarkMerge(b *testing.B) {
	for _, n := range []int{100, 2000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/10, 1), Seed: 1, Project: "app"})
			if err != nil {
				b.Fatal(err)
			}
			dir := b.TempDir()
			for name, body := range map[string][]byte{"proxy": []byte(proxyProject), "app": data} {
				if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name, "compose.yaml"), body, 0o644); err != nil {
					b.Fatal(err)
				}
			}
			var ts []*topology.Topology
			for _, p := range []string{"proxy", "app"} {
				t, err := loader.Load(context.Background(), topology.Options{Dir: dir, Files: []string{p + "/compose.yaml"}, Env: []string{}})
				if err != nil {
					b.Fatal(err)
				}
				ts = append(ts, t)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := topology.Merge(ts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMergeContainerModeAcrossProjects: network_mode container:NAME naming
// a container of an earlier project shares that container's namespace
// (R7-10) instead of being modelled without network access.
func TestMergeContainerModeAcrossProjects(t *testing.T) {
	m, err := mergeAll(t, [2]string{"vpn", `name: vpn
services:
  gw: {image: x, container_name: vpn-gw, networks: [front]}
networks:
  front: {}
`}, [2]string{"app", `name: app
services:
  client: {image: x, network_mode: "container:vpn-gw"}
`})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Container("app-client-1")
	if c == nil || c.NetNS == nil || c.NetNS.Name != "vpn-gw" {
		t.Fatalf("app-client-1 shares %v, want vpn-gw's namespace", c.NetNS)
	}
	if hasCode(m, "W-CONTAINER-UNKNOWN") {
		t.Error("W-CONTAINER-UNKNOWN kept for a container of an earlier project")
	}
}

// TestMergeNetworkReused: R2-4, a non-external network whose name an
// earlier project created under the same key is reused with compose's
// warning, and its members share it.
func TestMergeNetworkReused(t *testing.T) {
	m, err := mergeAll(t, [2]string{"a", `name: a
services:
  web: {image: x, networks: [edge]}
networks:
  edge: {name: shared}
`}, [2]string{"b", `name: b
services:
  api: {image: x, networks: [edge]}
networks:
  edge: {name: shared}
`})
	if err != nil {
		t.Fatal(err)
	}
	if !hasCode(m, "W-NETWORK-REUSED") {
		t.Error("no W-NETWORK-REUSED warning")
	}
	if got := addr(t, m, "b-api-1", "shared"); got != "172.18.0.3" {
		t.Errorf("b-api-1 on shared: %s, want 172.18.0.3 (after a-web-1)", got)
	}
}
