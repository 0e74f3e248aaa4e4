package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// loadYAML writes compose to dir/compose.yaml and loads it.
func loadYAML(t *testing.T, dir, compose string, opts topology.Options) (*topology.Topology, error) {
	t.Helper()
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "proj")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Dir = dir
	return Load(context.Background(), opts)
}

func mustLoad(t *testing.T, compose string, opts topology.Options) *topology.Topology {
	t.Helper()
	topo, err := loadYAML(t, "", compose, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return topo
}

func ip(t *testing.T, topo *topology.Topology, ctr, netKey string) string {
	t.Helper()
	c := topo.Container(ctr)
	if c == nil {
		t.Fatalf("no container %s", ctr)
	}
	n := topo.Network(netKey)
	if n == nil {
		t.Fatalf("no network %s", netKey)
	}
	e := c.Endpoint(n)
	if e == nil {
		t.Fatalf("%s not on %s", ctr, netKey)
	}
	return e.IPv4.String()
}

func TestProjectName(t *testing.T) {
	tests := []struct {
		name, dir, compose string
		opts               topology.Options
		want, wantErr      string
	}{
		{name: "R1-1 directory basename, R1-2 normalized", dir: "My App.v2", compose: "services: {a: {image: x}}\n", want: "myappv2"},
		{name: "R1-1 name: key wins over the directory, interpolated", dir: "src", compose: "name: ${STAGE:-dev}-shop\nservices: {a: {image: x}}\n", want: "dev-shop"},
		{name: "R1-1 -p wins over name:", dir: "src", compose: "name: shop\nservices: {a: {image: x}}\n", opts: topology.Options{ProjectName: "other"}, want: "other"},
		{name: "R1-1 COMPOSE_PROJECT_NAME wins over name:", dir: "src", compose: "name: shop\nservices: {a: {image: x}}\n", opts: topology.Options{Env: []string{"COMPOSE_PROJECT_NAME=envname"}}, want: "envname"},
		{name: "R1-2 -p is not normalized", dir: "src", compose: "services: {a: {image: x}}\n", opts: topology.Options{ProjectName: "My_App"}, wantErr: `invalid project name "My_App"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.dir)
			topo, err := loadYAML(t, dir, tc.compose, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if topo.Project != tc.want {
				t.Errorf("project %q, want %q", topo.Project, tc.want)
			}
		})
	}
}

func TestNaming(t *testing.T) {
	topo := mustLoad(t, `name: p
services:
  web: {image: x, networks: [a, b, c]}
  db: {image: x, container_name: the-db, networks: [a]}
networks:
  a: {}
  b: {name: microservices}
  c: {external: true, name: shared-net}
`, topology.Options{})
	for _, tc := range []struct{ key, want string }{
		{"a", "p_a"}, {"b", "microservices"}, {"c", "shared-net"},
	} {
		t.Run("R1-3 network "+tc.key, func(t *testing.T) {
			if n := topo.Network(tc.key); n == nil || n.Name != tc.want {
				t.Errorf("network %s: got %+v, want name %s", tc.key, n, tc.want)
			}
		})
	}
	t.Run("R1-4 container names", func(t *testing.T) {
		if topo.Container("p-web-1") == nil || topo.Container("the-db") == nil {
			t.Errorf("containers: %v", names(topo))
		}
	})
	t.Run("R2-5 external network assumed with a warning", func(t *testing.T) {
		if !hasWarning(topo, "W-EXTERNAL-ASSUMED") {
			t.Errorf("warnings: %+v", topo.Warnings)
		}
	})
	t.Run("R1-6 bridge device names", func(t *testing.T) {
		b := topo.Network("a").Bridge
		if !strings.HasPrefix(b, "br-") || len(b) != 15 {
			t.Errorf("bridge %q", b)
		}
	})
}

func names(topo *topology.Topology) []string {
	var out []string
	for _, c := range topo.Containers {
		out = append(out, c.Name)
	}
	return out
}

func hasWarning(topo *topology.Topology, code string) bool {
	for _, w := range topo.Warnings {
		if w.Code == code {
			return true
		}
	}
	return false
}

func TestDefaultNetwork(t *testing.T) {
	tests := []struct {
		name, compose string
		want          []string
	}{
		{"R2-1 services without networks get default", "name: p\nservices: {a: {image: x}, b: {image: x}}\n", []string{"p_default"}},
		{"R2-1 no default when every service lists networks", "name: p\nservices: {a: {image: x, networks: [f]}}\nnetworks: {f: {}}\n", []string{"p_f"}},
		{"R2-1 no network at all with network_mode host", "name: p\nservices: {a: {image: x, network_mode: host}}\n", nil},
		{"R2-1 declared default configures it", "name: p\nservices: {a: {image: x}}\nnetworks: {default: {name: custom}}\n", []string{"custom"}},
		{"R2-2 unused networks are not created", "name: p\nservices: {a: {image: x}}\nnetworks: {unused: {}}\n", []string{"p_default"}},
		{"R1-10 R2-2 a network used only by a disabled profile is not created", "name: p\nservices:\n  a: {image: x}\n  adminer: {image: x, profiles: [debug], networks: [admin]}\nnetworks: {admin: {}}\n", []string{"p_default"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			topo := mustLoad(t, tc.compose, topology.Options{})
			var got []string
			for _, n := range topo.Networks {
				got = append(got, n.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("networks %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIPAM(t *testing.T) {
	t.Run("R2-6 R3-2 auto subnets in sorted key order after docker0 (section 14)", func(t *testing.T) {
		topo := mustLoad(t, section14, topology.Options{})
		if s := topo.Network("back").Subnet.String(); s != "172.18.0.0/16" {
			t.Errorf("back %s", s)
		}
		if s := topo.Network("front").Subnet.String(); s != "172.19.0.0/16" {
			t.Errorf("front %s", s)
		}
		if !hasWarning(topo, "W-SUBNET-ORDER") {
			t.Error("no W-SUBNET-ORDER warning")
		}
	})
	t.Run("R3-4 explicit subnets are reserved before auto ones", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices: {a: {image: x, networks: [a, b]}}\nnetworks:\n  a: {}\n  b: {ipam: {config: [{subnet: 172.18.0.0/16}]}}\n", topology.Options{})
		if s := topo.Network("a").Subnet.String(); s != "172.19.0.0/16" {
			t.Errorf("a got %s", s)
		}
		if !hasWarning(topo, "W-SUBNET-RACE") {
			t.Error("no W-SUBNET-RACE warning")
		}
	})
	t.Run("R3-2 auto subnets skip host routes", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices: {a: {image: x}}\n", topology.Options{Daemon: []string{"default-address-pools=192.168.0.0/16/20"}})
		// The default host is on 192.168.1.0/24, which 192.168.0.0/20 overlaps.
		if s := topo.Network("default").Subnet.String(); s != "192.168.16.0/20" {
			t.Errorf("got %s", s)
		}
	})
	t.Run("R3-6 R3-9 gateway from ip_range", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices: {a: {image: x}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.243.0.0/16, ip_range: 10.243.3.0/24}]}}\n", topology.Options{})
		n := topo.Network("default")
		if n.Gateway.String() != "10.243.3.0" || ip(t, topo, "p-a-1", "default") != "10.243.3.1" {
			t.Errorf("gateway %s, a %s", n.Gateway, ip(t, topo, "p-a-1", "default"))
		}
	})
	t.Run("R3-8 R4-3 addresses in dependency order", func(t *testing.T) {
		topo := mustLoad(t, section14, topology.Options{})
		for _, tc := range []struct{ ctr, net, want string }{
			{"shop-db-1", "back", "172.18.0.2"}, {"shop-db-2", "back", "172.18.0.3"}, {"shop-api-1", "back", "172.18.0.4"},
			{"shop-api-1", "front", "172.19.0.2"}, {"shop-web-1", "front", "172.19.0.3"},
		} {
			if got := ip(t, topo, tc.ctr, tc.net); got != tc.want {
				t.Errorf("%s on %s: %s, want %s", tc.ctr, tc.net, got, tc.want)
			}
		}
	})
	t.Run("R3-10 static addresses are claimed before dynamic ones", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.2}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n", topology.Options{})
		if ip(t, topo, "p-a-1", "default") != "10.0.0.3" || ip(t, topo, "p-b-1", "default") != "10.0.0.2" {
			t.Errorf("a %s b %s", ip(t, topo, "p-a-1", "default"), ip(t, topo, "p-b-1", "default"))
		}
		if !hasWarning(topo, "W-STATIC-IN-RANGE") {
			t.Error("no W-STATIC-IN-RANGE warning")
		}
	})
	t.Run("R3-10 R4-2 no race when every dynamic container waits for the static one", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.2}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n", topology.Options{})
		if hasWarning(topo, "W-STATIC-IN-RANGE") {
			t.Errorf("spurious warning: %+v", topo.Warnings)
		}
	})
	t.Run("R3-8 R3-10 no race when the dynamic containers cannot reach the static address", func(t *testing.T) {
		// mailcow's shape: a few dynamic containers take .2, .3; the
		// static .254 is never the lowest free address.
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x}\n  c: {image: x}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.254}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n", topology.Options{})
		if hasWarning(topo, "W-STATIC-IN-RANGE") {
			t.Errorf("spurious warning: %+v", topo.Warnings)
		}
		two := mustLoad(t, "name: p\nservices:\n  a: {image: x}\n  c: {image: x}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.4}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n", topology.Options{})
		if hasWarning(two, "W-STATIC-IN-RANGE") {
			t.Errorf("two dynamic containers take .2 and .3, never .4: %+v", two.Warnings)
		}
	})
	t.Run("R3-8 R3-10 the warning names the address and the container that takes it", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x}\n  c: {image: x}\n  d: {image: x}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.4}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24}]}}\n", topology.Options{})
		var msg string
		for _, w := range topo.Warnings {
			if w.Code == "W-STATIC-IN-RANGE" {
				msg = w.Message
			}
		}
		want := "ipv4_address 10.0.0.4 lies inside the dynamic range of p_default, and 3 dynamically addressed container(s) do not wait for p-b-1: if they start first, the lowest free addresses (R3-8) reach 10.0.0.4 and p-d-1 takes it, so p-b-1 fails to start (nondeterministic)"
		if msg != want {
			t.Errorf("message\n%s\nwant\n%s", msg, want)
		}
	})
	t.Run("R3-10 no race when the static address lies outside ip_range", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x}\n  b: {image: x, networks: {default: {ipv4_address: 10.0.0.2}}}\nnetworks:\n  default: {ipam: {config: [{subnet: 10.0.0.0/24, ip_range: 10.0.0.128/25}]}}\n", topology.Options{})
		if hasWarning(topo, "W-STATIC-IN-RANGE") {
			t.Errorf("spurious warning: %+v", topo.Warnings)
		}
	})
}

const section14 = `name: shop
services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
    depends_on: [api]
  api:
    image: api
    networks:
      front: {}
      back: {aliases: [backend]}
    depends_on: [db]
  db:
    image: postgres
    deploy: {replicas: 2}
    networks: [back]
networks:
  front: {}
  back: {internal: true}
`

func TestEndpoints(t *testing.T) {
	topo := mustLoad(t, section14, topology.Options{})
	t.Run("R5-3 non-internal network carries the default route", func(t *testing.T) {
		api := topo.Container("shop-api-1")
		if gw := api.GatewayEndpoint(); gw == nil || gw.Network.Key != "front" {
			t.Errorf("gateway endpoint %+v", gw)
		}
		if api.Endpoints[0].Network.Key != "front" {
			t.Errorf("endpoint order: first %s", api.Endpoints[0].Network.Key)
		}
	})
	t.Run("R5-3 gw_priority beats name order", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices:\n  a: {image: x, networks: {aa: {}, zz: {gw_priority: 1}}}\nnetworks: {aa: {}, zz: {}}\n", topology.Options{})
		if k := topo.Container("p-a-1").GatewayEndpoint().Network.Key; k != "zz" {
			t.Errorf("gateway %s", k)
		}
	})
	t.Run("R6-3 DNS names: container, service, aliases, id, hostname", func(t *testing.T) {
		api := topo.Container("shop-api-1")
		e := api.Endpoint(topo.Network("back"))
		want := "shop-api-1,api,backend," + api.ID
		if got := strings.Join(e.DNSNames, ","); got != want {
			t.Errorf("dns names %s, want %s", got, want)
		}
	})
	t.Run("R8-6 R8-7 published port on the gateway endpoint", func(t *testing.T) {
		web := topo.Container("shop-web-1")
		if len(web.Ports) != 1 || topology.FormatBinding(web.Ports[0]) != "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" || web.Ports[0].Endpoint.Network.Key != "front" {
			t.Errorf("ports %+v", web.Ports)
		}
	})
}

func TestNetworkModes(t *testing.T) {
	topo := mustLoad(t, `name: p
services:
  db: {image: x}
  side: {image: x, network_mode: "service:db"}
  h: {image: x, network_mode: host, ports: ["80:80"]}
  n: {image: x, network_mode: none}
  legacy: {image: x, network_mode: bridge, ports: ["9000:9000"]}
  internal: {image: x, networks: [priv], ports: ["5000:5000"]}
networks:
  priv: {internal: true}
`, topology.Options{})
	for _, tc := range []struct {
		name string
		ok   func() bool
	}{
		{"R7-10 service:X shares X's namespace and has no endpoints", func() bool {
			s := topo.Container("p-side-1")
			return s.NetNS == topo.Container("p-db-1") && len(s.Endpoints) == 0 && s.Hostname == topo.Container("p-db-1").Hostname
		}},
		{"R7-10 host has no namespace of its own", func() bool { c := topo.Container("p-h-1"); return c.NetworkMode == "host" && c.NetNS == nil }},
		{"R8-11 host mode discards ports with a warning", func() bool { return len(topo.Container("p-h-1").Ports) == 0 && hasWarning(topo, "W-PORTS-HOST") }},
		{"R7-10 none", func() bool { c := topo.Container("p-n-1"); return c.NetworkMode == "none" && len(c.Endpoints) == 0 }},
		{"R7-10 bridge joins docker0", func() bool {
			c := topo.Container("p-legacy-1")
			return len(c.Endpoints) == 1 && c.Endpoints[0].Network == topo.Bridge0 && c.Endpoints[0].IPv4.String() == "172.17.0.2" && len(c.Ports) == 1
		}},
		{"R7-5 M22 internal-only ports silently unpublished", func() bool {
			return len(topo.Container("p-internal-1").Ports) == 0 && hasWarning(topo, "W-PORTS-INTERNAL")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.ok() {
				t.Fail()
			}
		})
	}
}

func TestPorts(t *testing.T) {
	topo := mustLoad(t, `name: p
services:
  a:
    image: x
    ports: ["3000-3002", "9090-9091:8080-8081", "6060:6060/udp", "127.0.0.1::5000", "8000-8010:80"]
  b:
    image: x
    ports: ["4000"]
    deploy: {replicas: 2}
`, topology.Options{})
	got := func(c string) []string {
		var out []string
		for _, p := range topo.Container(c).Ports {
			out = append(out, topology.FormatBinding(p))
		}
		return out
	}
	want := []string{
		"0.0.0.0:32768->3000/tcp, [::]:32768->3000/tcp",
		"0.0.0.0:32769->3001/tcp, [::]:32769->3001/tcp",
		"0.0.0.0:32770->3002/tcp, [::]:32770->3002/tcp",
		"0.0.0.0:9090->8080/tcp, [::]:9090->8080/tcp",
		"0.0.0.0:9091->8081/tcp, [::]:9091->8081/tcp",
		"0.0.0.0:6060->6060/udp, [::]:6060->6060/udp",
		"127.0.0.1:32771->5000/tcp",
		"0.0.0.0:8000->80/tcp, [::]:8000->80/tcp",
	}
	t.Run("R8-1 R8-5 short syntax, ranges, ephemeral ports in start order", func(t *testing.T) {
		if g := got("p-a-1"); strings.Join(g, "\n") != strings.Join(want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(g, "\n"), strings.Join(want, "\n"))
		}
	})
	t.Run("R8-5 ephemeral ports keep counting for the next service", func(t *testing.T) {
		if g := strings.Join(append(got("p-b-1"), got("p-b-2")...), ";"); g != "0.0.0.0:32772->4000/tcp, [::]:32772->4000/tcp;0.0.0.0:32773->4000/tcp, [::]:32773->4000/tcp" {
			t.Errorf("got %s", g)
		}
	})
}

// TestRejections checks each section 11 rejection: exact message and
// position, all problems at once.
func TestRejections(t *testing.T) {
	tests := []struct {
		name, compose, want string
	}{
		{"M1 container_name with replicas", "services:\n  a:\n    image: x\n    container_name: fixed\n    deploy: {replicas: 2}\n",
			"compose.yaml:4:5: services.a.container_name: can't set container_name together with deploy.replicas > 1: a container name must be unique, so the service cannot be scaled; remove container_name"},
		{"M2 duplicate container_name", "services:\n  a: {image: x, container_name: same}\n  b: {image: x, container_name: same}\n",
			`compose.yaml:3:17: services.b.container_name: Conflict. The container name "/same" is already in use by the container of service "a"`},
		{"M3 undefined network", "services:\n  a:\n    image: x\n    networks: [nope]\n",
			`compose.yaml:4:16: services.a.networks.nope: service "a" refers to undefined network nope`},
		{"M4 network_mode with networks", "services:\n  a:\n    image: x\n    network_mode: host\n    networks: [n]\nnetworks: {n: {}}\n",
			"compose.yaml:4:5: services.a.network_mode: service a declares mutually exclusive `network_mode` and `networks`"},
		{"M5 unknown service in network_mode", "services:\n  a:\n    image: x\n    network_mode: service:zot\n",
			`compose.yaml:4:5: services.a.network_mode: service "a" depends on undefined service "zot"`},
		{"M8 ipv4_address without configured subnet", "services:\n  a:\n    image: x\n    networks:\n      n: {ipv4_address: 172.18.0.9}\nnetworks: {n: {}}\n",
			"compose.yaml:5:11: services.a.networks.n.ipv4_address: invalid config for network compose_n: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets"},
		{"M9 ipv4_address outside the subnet", "services:\n  a:\n    image: x\n    networks:\n      n: {ipv4_address: 10.9.0.9}\nnetworks: {n: {ipam: {config: [{subnet: 10.1.0.0/16}]}}}\n",
			"compose.yaml:5:11: services.a.networks.n.ipv4_address: invalid config for network compose_n: invalid endpoint settings: no configured subnet or ip-range contain the IP address 10.9.0.9"},
		{"M10 ipv4_address equal to the gateway", "services:\n  a:\n    image: x\n    networks:\n      n: {ipv4_address: 10.1.0.1}\nnetworks: {n: {ipam: {config: [{subnet: 10.1.0.0/16}]}}}\n",
			"compose.yaml:5:11: services.a.networks.n.ipv4_address: Address already in use: 10.1.0.1 on network compose_n is taken by the network's gateway"},
		// Networks are processed in sorted key order, so m (10.1.2.0/24) is
		// reserved first and n is the one that fails (R2-6 tie-break).
		{"M12 overlapping explicit subnets", "services:\n  a: {image: x, networks: [n, m]}\nnetworks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/16}]}}\n  m: {ipam: {config: [{subnet: 10.1.2.0/24}]}}\n",
			"compose.yaml:4:24: networks.n.ipam.config.0.subnet: failed to create network compose_n: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (10.1.0.0/16 overlaps 10.1.2.0/24)"},
		{"M12 explicit subnet overlapping docker0", "services:\n  a: {image: x, networks: [n]}\nnetworks:\n  n: {ipam: {config: [{subnet: 172.17.5.0/24}]}}\n",
			"compose.yaml:4:24: networks.n.ipam.config.0.subnet: failed to create network compose_n: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (172.17.5.0/24 overlaps 172.17.0.0/16)"},
		{"M15 fixed host port used twice", "services:\n  a: {image: x, ports: [\"8080:80\"]}\n  b: {image: x, ports: [\"8080:81\"]}\n",
			"compose.yaml:3:25: services.b.ports.0: Bind for 0.0.0.0:8080 failed: port is already allocated (by compose-a-1, compose.yaml:2:25)"},
		{"M15 fixed host port on two replicas", "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n    deploy: {replicas: 2}\n",
			"compose.yaml:4:13: services.a.ports.0: Bind for 0.0.0.0:8080 failed: port is already allocated (by compose-a-1, compose.yaml:4:13)"},
		{"M19 ports with network_mode service", "services:\n  a: {image: x}\n  b:\n    image: x\n    network_mode: service:a\n    ports: [\"80:80\"]\n",
			"compose.yaml:6:5: services.b.ports: conflicting options: port publishing and the container type network mode"},
		{"M20 hostname with network_mode service", "services:\n  a: {image: x}\n  b:\n    image: x\n    network_mode: service:a\n    hostname: bee\n",
			"compose.yaml:6:5: services.b.hostname: conflicting options: hostname and the network mode"},
		{"M21 links with host networking", "services:\n  a: {image: x}\n  b:\n    image: x\n    network_mode: host\n    links: [a]\n",
			"compose.yaml:6:5: services.b.links: conflicting options: host type networking can't be used with links. This would result in undefined behavior"},
		{"M26 default bridge under networks", "services:\n  a: {image: x, networks: [b]}\nnetworks:\n  b: {external: true, name: bridge}\n",
			"compose.yaml:4:3: networks.b: invalid config for network bridge: invalid endpoint settings: network-scoped alias is supported only for containers in user defined networks (use network_mode: bridge)"},
		{"M38 unequal port ranges", "services:\n  a:\n    image: x\n    ports: [\"8080-8082:80-81\"]\n",
			"compose.yaml:4:24: Invalid ranges specified for container and host Ports: 80-81 and 8080-8082"},
		{"R3-5 two IPv4 subnets on a bridge", "services:\n  a: {image: x, networks: [n]}\nnetworks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/16}, {subnet: 10.2.0.0/16}]}}\n",
			"compose.yaml:4:47: networks.n.ipam.config.1.subnet: bridge driver doesn't support multiple subnets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "compose")
			_, err := loadYAML(t, dir, tc.compose, topology.Options{})
			var le *topology.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want a LoadError, got %v", err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("got\n  %s\nwant\n  %s", got, tc.want)
			}
		})
	}
}

func TestHostDescription(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "host.yaml"), []byte(`daemon: {userland-proxy: false}
networks:
  - name: shared
    subnet: 172.30.0.0/16
containers:
  - name: billing-db-1
    networks: {shared: {aliases: [db], ipv4_address: 172.30.0.5}}
`), 0o644)
	topo, err := loadYAML(t, dir, "name: app\nservices:\n  db: {image: x, networks: [s]}\nnetworks: {s: {external: true, name: shared}}\n", topology.Options{HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if topo.Daemon.UserlandProxy {
		t.Error("daemon setting not applied")
	}
	n := topo.Network("s")
	if n == nil || n.Subnet.String() != "172.30.0.0/16" || !n.Declared {
		t.Fatalf("shared network %+v", n)
	}
	if got := ip(t, topo, "app-db-1", "s"); got != "172.30.0.2" {
		t.Errorf("app-db-1 %s", got)
	}
	if hasWarning(topo, "W-EXTERNAL-ASSUMED") {
		t.Error("declared network reported as assumed")
	}
	if !hasWarning(topo, "W-SHARED-DNS") {
		t.Errorf("M23 shared DNS name not warned: %+v", topo.Warnings)
	}
}

func TestComposeWarningsAreCaptured(t *testing.T) {
	topo := mustLoad(t, "version: '3.8'\nservices:\n  a:\n    image: x\n    environment: [\"A=${UNSET_VAR_FOR_TEST}\"]\n", topology.Options{})
	if !hasWarning(topo, "W-VERSION-OBSOLETE") || !hasWarning(topo, "W-ENV-UNSET") {
		t.Errorf("warnings %+v", topo.Warnings)
	}
	for _, w := range topo.Warnings {
		if w.Code == "W-ENV-UNSET" && w.Pos.Line != 5 {
			t.Errorf("W-ENV-UNSET at %s", w.Pos)
		}
	}
}

func TestProfiles(t *testing.T) {
	const compose = `name: p
services:
  api: {image: x, depends_on: [cache]}
  cache: {image: x}
  mock: {image: x, profiles: [test, ci]}
  tracing: {image: x, profiles: [ops]}
`
	tests := []struct {
		name   string
		opts   topology.Options
		dotenv string
		want   string
	}{
		{name: "R1-10 no profile: only services without profiles", want: "p-api-1,p-cache-1"},
		{name: "R1-10 --profile ci enables mock", opts: topology.Options{Profiles: []string{"ci"}}, want: "p-api-1,p-cache-1,p-mock-1"},
		{name: "R1-10 COMPOSE_PROFILES from .env (R1-7)", dotenv: "COMPOSE_PROFILES=ops\n", want: "p-api-1,p-cache-1,p-tracing-1"},
		{name: "R1-10 --profile wins over COMPOSE_PROFILES", opts: topology.Options{Profiles: []string{"test"}}, dotenv: "COMPOSE_PROFILES=ops\n", want: "p-api-1,p-cache-1,p-mock-1"},
		{name: "R1-10 * activates all", opts: topology.Options{Profiles: []string{"*"}}, want: "p-api-1,p-cache-1,p-mock-1,p-tracing-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "p")
			os.MkdirAll(dir, 0o755)
			if tc.dotenv != "" {
				os.WriteFile(filepath.Join(dir, ".env"), []byte(tc.dotenv), 0o644)
			}
			topo, err := loadYAML(t, dir, compose, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(names(topo), ","); got != tc.want {
				t.Errorf("containers %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIncludedFilePositions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "inc")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "db.yaml"), []byte("services:\n  db:\n    image: postgres\n    networks:\n      n:\n        ipv4_address: 10.0.0.300\nnetworks:\n  n: {}\n"), 0o644)
	_, err := loadYAML(t, dir, "name: inc\ninclude:\n  - sub/db.yaml\nservices:\n  web: {image: nginx, depends_on: [db]}\n", topology.Options{})
	want := `sub/db.yaml:6:9: services.db.networks.n.ipv4_address: invalid IPv4 address "10.0.0.300"`
	if err == nil || err.Error() != want {
		t.Errorf("R1-9 included file position: got %v, want %s", err, want)
	}
	os.WriteFile(filepath.Join(dir, "sub", "db.yaml"), []byte("services:\n  db: {image: postgres}\n"), 0o644)
	topo, err := loadYAML(t, dir, "name: inc\ninclude:\n  - sub/db.yaml\nservices:\n  web: {image: nginx, depends_on: [db]}\n", topology.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(topo.Files, ",") != "compose.yaml" || topo.Container("inc-db-1") == nil {
		t.Errorf("R1-9 files %v, containers %v", topo.Files, names(topo))
	}
}

func TestReindex(t *testing.T) {
	topo := mustLoad(t, section14, topology.Options{})
	cp := *topo
	cp.Reindex()
	if cp.Container("shop-web-1") != topo.Container("shop-web-1") || cp.Network("back") != topo.Network("back") || cp.NetworkByName("bridge") != topo.Bridge0 || cp.Service("db") == nil {
		t.Error("Reindex lost an entry")
	}
}

func TestIPv6(t *testing.T) {
	topo := mustLoad(t, `name: p
services:
  a:
    image: x
    networks:
      v6auto: {}
      v6: {ipv6_address: "2001:db8:1::10"}
  b: {image: x, networks: [v6auto, v6], depends_on: [a]}
networks:
  v6auto: {enable_ipv6: true}
  v6:
    ipam:
      config:
        - subnet: 10.6.0.0/24
        - subnet: 2001:db8:1::/64
`, topology.Options{})
	auto, v6 := topo.Network("v6auto"), topo.Network("v6")
	t.Run("R3-11 enable_ipv6 without a subnet gets a ULA /64", func(t *testing.T) {
		if !auto.Subnet6.IsValid() || auto.Subnet6.Bits() != 64 || auto.Subnet6.Addr().As16()[0] != 0xfd || auto.Subnet6Configured {
			t.Errorf("subnet6 %s", auto.Subnet6)
		}
		if auto.Gateway6 != auto.Subnet6.Addr().Next() {
			t.Errorf("gateway6 %s", auto.Gateway6)
		}
	})
	t.Run("R3-11 an IPv6 subnet turns IPv6 on; containers from ::2 in start order", func(t *testing.T) {
		if !v6.EnableIPv6 || v6.Subnet6.String() != "2001:db8:1::/64" || v6.Gateway6.String() != "2001:db8:1::1" {
			t.Fatalf("v6 %+v", v6)
		}
		a, b := topo.Container("p-a-1").Endpoint(v6), topo.Container("p-b-1").Endpoint(v6)
		if a.IPv6.String() != "2001:db8:1::10" || b.IPv6.String() != "2001:db8:1::2" {
			t.Errorf("a %s b %s", a.IPv6, b.IPv6)
		}
		if got := topo.Container("p-b-1").Endpoint(auto).IPv6; got != auto.Subnet6.Addr().Next().Next().Next() {
			t.Errorf("b on v6auto %s", got)
		}
	})
	t.Run("R5-3 dual-stack endpoints sort before IPv4-only ones", func(t *testing.T) {
		topo := mustLoad(t, "name: p\nservices: {a: {image: x, networks: [aa, zz]}}\nnetworks: {aa: {}, zz: {enable_ipv6: true}}\n", topology.Options{})
		if k := topo.Container("p-a-1").GatewayEndpoint().Network.Key; k != "zz" {
			t.Errorf("gateway endpoint on %s", k)
		}
	})
}

// TestBundledGuideExamples: the guide's production file as written is
// rejected (M1) with its position; the corrected copy and the other
// examples load.
func TestBundledGuideExamples(t *testing.T) {
	_, err := Load(context.Background(), topology.Options{Files: []string{"compose.guide.yaml"}, Dir: "../../examples/production", Env: []string{}})
	want := "compose.guide.yaml:34:5: services.user-service.container_name: can't set container_name together with deploy.replicas > 1: a container name must be unique, so the service cannot be scaled; remove container_name"
	if err == nil || err.Error() != want {
		t.Errorf("M1 guide file: got %v\nwant %s", err, want)
	}
	for _, dir := range []string{"production", "ecommerce", "secure"} {
		topo, err := Load(context.Background(), topology.Options{Dir: "../../examples/" + dir, Env: []string{}})
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		checkInvariants(t, topo)
		if dir == "production" && len(topo.Containers) != 16 {
			t.Errorf("production: %d containers, want 16 (user-service has 3 replicas)", len(topo.Containers))
		}
	}
}
