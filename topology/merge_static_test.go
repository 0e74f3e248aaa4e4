package topology_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// loadHost loads the projects under dir with topology.LoadProjects, the
// last one as the main project and the others as --with, in up order.
func loadHost(t *testing.T, dir string, projects ...string) (*topology.Topology, error) {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	last := projects[len(projects)-1]
	main := topology.Options{Dir: abs, Files: []string{last + "/compose.yaml"}, Env: []string{}}
	return topology.LoadProjects(context.Background(), main, projects[:len(projects)-1], loader.Load)
}

// writeHost writes each project's compose.yaml under a new folder and
// returns the folder.
func writeHost(t *testing.T, projects ...[2]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range projects {
		if err := os.MkdirAll(filepath.Join(dir, p[0]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p[0], "compose.yaml"), []byte(p[1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func problems(t *testing.T, err error) []string {
	t.Helper()
	var le *topology.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("want a LoadError, got %v", err)
	}
	var out []string
	for _, p := range le.Problems {
		out = append(out, p.String())
	}
	return out
}

// TestMergeStaticAddressOnSharedNetwork: a static ipv4_address on another
// project's network is checked against that project's configured subnet
// (R3-10), and the dynamic addresses given out after it skip it (R3-8).
// The network belongs to the project that created it (R2-4, R2-5).
func TestMergeStaticAddressOnSharedNetwork(t *testing.T) {
	m, err := loadHost(t, "testdata/hosts", "proxy", "app")
	if err != nil {
		t.Fatal(err)
	}
	proxy := m.NetworkByName("proxy")
	tests := []struct{ what, got, want string }{
		{"R3-10 traefik's own static address", addr(t, m, "proxy-traefik-1", "proxy"), "10.20.0.10"},
		{"R3-10 app's static address in proxy's subnet", addr(t, m, "app-web-1", "proxy"), "10.20.0.20"},
		{"R3-8 worker: lowest free on proxy after the static ones", addr(t, m, "app-worker-1", "proxy"), "10.20.0.2"},
		{"R3-10 the static endpoint is marked", boolStr(m.Container("app-web-1").Endpoint(proxy).Static), "true"},
		{"R3-10 the address position is kept", m.Container("app-web-1").Endpoint(proxy).AddrPos.String(), "app/compose.yaml:7:9"},
		{"R2-4 proxy network owned by its creator", proxy.Project, "proxy"},
		{"R2-4 app's default network owned by app", m.NetworkByName("app_default").Project, "app"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.what, tc.got, tc.want)
		}
	}
	if d := m.Doc(); d.Networks[0].Name != "app_default" || d.Networks[0].Project != "app" || d.Networks[1].Project != "proxy" {
		t.Errorf("inspect JSON networks: %+v", d.Networks)
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// TestMergeStaticAddressRefused: Docker's refusals of a static address on
// a shared network (R3-10, the rule book's M8-M11), each at its
// ipv4_address line, every one at once, sorted.
func TestMergeStaticAddressRefused(t *testing.T) {
	const staticApp = `name: app
services:
  web:
    image: nginx
    networks:
      proxy:
        ipv4_address: 10.20.0.20
networks:
  proxy:
    external: true
`
	tests := []struct {
		name     string
		dir      string
		projects []string
		want     []string
	}{
		{
			name:     "R3-10 M9 M10 outside the creator's subnet, the gateway, taken by an earlier project",
			dir:      "testdata/hosts",
			projects: []string{"proxy", "badapp"},
			want: []string{
				"badapp/compose.yaml:7:9: invalid config for network proxy: invalid endpoint settings: no configured subnet or ip-range contain the IP address 10.99.0.5: the network's subnet is 10.20.0.0/24, configured by project proxy (proxy/compose.yaml:10:3) (R3-10)",
				"badapp/compose.yaml:12:9: Address already in use: 10.20.0.1 on network proxy is taken by the network's gateway (R3-10)",
				"badapp/compose.yaml:17:9: Address already in use: 10.20.0.10 on network proxy is taken by proxy-traefik-1 of project proxy (proxy/compose.yaml:3:3) (R3-10)",
			},
		},
		{
			name:     "R3-10 M8 one project alone: the external network's subnet is unknown",
			dir:      "testdata/hosts",
			projects: []string{"app"},
			want: []string{
				"app/compose.yaml:7:9: services.web.networks.proxy.ipv4_address: invalid config for network proxy: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets",
			},
		},
		{
			name: "R3-10 M8 the creator configures no subnet",
			dir: writeHost(t, [2]string{"proxy", `name: proxy
services:
  traefik: {image: traefik, networks: [proxy]}
networks:
  proxy: {name: proxy}
`}, [2]string{"app", staticApp}),
			projects: []string{"proxy", "app"},
			want: []string{
				"app/compose.yaml:7:9: invalid config for network proxy: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: project proxy creates network proxy (proxy/compose.yaml:5:3) without an ipam config subnet (R3-10)",
			},
		},
		{
			name: "R3-10 M8 no project creates the network",
			dir: writeHost(t, [2]string{"other", `name: other
services:
  web: {image: x}
`}, [2]string{"app", staticApp}),
			projects: []string{"other", "app"},
			want: []string{
				"app/compose.yaml:7:9: invalid config for network proxy: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: no project on this host creates network proxy, so it is assumed to exist with an automatic subnet; describe it with its subnet in the host description (--host), or bring up the project that creates it first (--with) (R3-10)",
			},
		},
		{
			name: "R3-10 M11 a static address with two replicas",
			dir: writeHost(t, [2]string{"proxy", `name: proxy
services:
  traefik: {image: traefik, networks: [proxy]}
networks:
  proxy: {name: proxy, ipam: {config: [{subnet: 10.20.0.0/24}]}}
`}, [2]string{"app", `name: app
services:
  web:
    image: nginx
    deploy: {replicas: 2}
    networks:
      proxy:
        ipv4_address: 10.20.0.20
networks:
  proxy:
    external: true
`}),
			projects: []string{"proxy", "app"},
			want: []string{
				"app/compose.yaml:8:9: services.web.networks.proxy.ipv4_address: Address already in use: replica app-web-2 asks for 10.20.0.20 too (ipv4_address cannot be combined with more than one replica)",
			},
		},
		{
			name: "R3-10 M10 two later projects ask for one address",
			dir: writeHost(t, [2]string{"proxy", `name: proxy
services:
  traefik: {image: traefik, networks: [proxy]}
networks:
  proxy: {name: proxy, ipam: {config: [{subnet: 10.20.0.0/24}]}}
`}, [2]string{"first", strings.Replace(staticApp, "name: app", "name: first", 1)}, [2]string{"app", staticApp}),
			projects: []string{"proxy", "first", "app"},
			want: []string{
				"app/compose.yaml:7:9: Address already in use: 10.20.0.20 on network proxy is taken by first-web-1 of project first (first/compose.yaml:3:3) (R3-10)",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadHost(t, tc.dir, tc.projects...)
			got := problems(t, err)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestMergeNetworkOwner: R2-4/R2-5, a network belongs to the project that
// creates it (declares it non-external), even when it comes up later than
// a project that names it external, and to nobody when no project creates
// it; one project alone sets no owner.
func TestMergeNetworkOwner(t *testing.T) {
	dir := writeHost(t, [2]string{"joiner", `name: joiner
services:
  web: {image: x, networks: [shared, loose]}
networks:
  shared: {name: shared, external: true}
  loose: {name: loose, external: true}
`}, [2]string{"maker", `name: maker
services:
  api: {image: x, networks: [shared]}
networks:
  shared: {name: shared}
`})
	m, err := loadHost(t, dir, "maker", "joiner")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.NetworkByName("shared").Project; got != "maker" {
		t.Errorf("shared: owner %q, want maker", got)
	}
	if got := m.NetworkByName("loose").Project; got != "" {
		t.Errorf("loose (created by no project): owner %q, want none", got)
	}
	one, err := loadHost(t, dir, "maker")
	if err != nil {
		t.Fatal(err)
	}
	if got := one.NetworkByName("shared").Project; got != "" {
		t.Errorf("one project: owner %q, want none", got)
	}
}

// TestMergeStaticIPv6OnSharedNetwork: R3-10 and R3-11 for ipv6_address on
// another project's network: checked against the creating project's
// configured IPv6 subnet; dynamic IPv6 addresses given out after it skip
// it; every refusal at its line, all at once.
func TestMergeStaticIPv6OnSharedNetwork(t *testing.T) {
	proxy := `name: proxy
services:
  traefik:
    image: traefik
    networks:
      proxy:
        ipv6_address: "fd00:20::10"
networks:
  proxy:
    name: proxy
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.20.0.0/24
        - subnet: "fd00:20::/64"
`
	app := `name: app
services:
  web:
    image: nginx
    networks:
      proxy:
        ipv6_address: "fd00:20::20"
  worker:
    image: busybox
    networks: [proxy]
networks:
  proxy:
    external: true
`
	m, err := loadHost(t, writeHost(t, [2]string{"proxy", proxy}, [2]string{"app", app}), "proxy", "app")
	if err != nil {
		t.Fatal(err)
	}
	n := m.NetworkByName("proxy")
	v6 := func(ctr string) string { return m.Container(ctr).Endpoint(n).IPv6.String() }
	for _, tc := range []struct{ what, got, want string }{
		{"R3-10 traefik's own static IPv6 address", v6("proxy-traefik-1"), "fd00:20::10"},
		{"R3-10 app's static IPv6 address in proxy's subnet", v6("app-web-1"), "fd00:20::20"},
		{"R3-11 worker: lowest free from ::2", v6("app-worker-1"), "fd00:20::2"},
		{"R3-10 marked static", boolStr(m.Container("app-web-1").Endpoint(n).Static6), "true"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.what, tc.got, tc.want)
		}
	}

	bad := `name: app
services:
  outside:
    image: nginx
    networks:
      proxy:
        ipv6_address: "fd00:99::5"
  taken:
    image: nginx
    networks:
      proxy:
        ipv6_address: "fd00:20::10"
networks:
  proxy:
    external: true
`
	_, err = loadHost(t, writeHost(t, [2]string{"proxy", proxy}, [2]string{"app", bad}), "proxy", "app")
	want := []string{
		"app/compose.yaml:7:9: invalid config for network proxy: invalid endpoint settings: no configured subnet or ip-range contain the IP address fd00:99::5: the network's IPv6 subnet is fd00:20::/64, configured by project proxy (proxy/compose.yaml:9:3) (R3-10)",
		"app/compose.yaml:12:9: Address already in use: fd00:20::10 on network proxy is taken by proxy-traefik-1 of project proxy (proxy/compose.yaml:3:3) (R3-10)",
	}
	if got := problems(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	ula := strings.Replace(strings.Replace(proxy, "        - subnet: \"fd00:20::/64\"\n", "", 1), "        ipv6_address: \"fd00:20::10\"\n", "", 1)
	ula = strings.Replace(ula, "    networks:\n      proxy:\n", "    networks: [proxy]\n", 1)
	_, err = loadHost(t, writeHost(t, [2]string{"proxy", ula}, [2]string{"app", app}), "proxy", "app")
	want = []string{
		"app/compose.yaml:7:9: invalid config for network proxy: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: project proxy creates network proxy (proxy/compose.yaml:7:3) without an IPv6 ipam config subnet (R3-10)",
	}
	if got := problems(t, err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("ULA subnet: got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMergeExternalBeforeCreator: R2-5 (M6), a project that names a
// network external comes up before the project that creates it: a
// warning says that its up fails on a fresh host and how to order them,
// instead of compose's "not created by compose" reuse warning (R2-4).
func TestMergeExternalBeforeCreator(t *testing.T) {
	dir := writeHost(t, [2]string{"joiner", `name: joiner
services:
  web: {image: x, networks: [shared]}
networks:
  shared: {name: shared, external: true}
`}, [2]string{"maker", `name: maker
services:
  api: {image: x, networks: [shared]}
networks:
  shared: {name: shared}
`})
	m, err := loadHost(t, dir, "joiner", "maker")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range m.Warnings {
		if w.Code == "W-EXTERNAL-BEFORE-CREATOR" || w.Code == "W-NETWORK-REUSED" {
			got = append(got, w.Code+" "+w.Pos.String()+": "+w.Message+" | "+w.Fix)
		}
	}
	want := `W-EXTERNAL-BEFORE-CREATOR joiner/compose.yaml:5:3: project joiner names network shared external but comes up before project maker creates it (maker/compose.yaml:5:3): on a host where it does not exist yet, its up fails with "network shared declared as external, but could not be found"; the network is modelled as an existing plain bridge, not with project maker's settings | bring project maker up before project joiner (list it earlier: --with or projects:)`
	if strings.Join(got, "\n") != want {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), want)
	}
	if owner := m.NetworkByName("shared").Project; owner != "" {
		t.Errorf("owner %q, want none (no project created it in this order)", owner)
	}
}
