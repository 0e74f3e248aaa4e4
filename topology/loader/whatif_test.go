package loader

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

const whatIfCompose = `name: p
services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
  api:
    image: x
    deploy: {replicas: 2}
    networks:
      front: {}
      back: {aliases: [service-api]}
  db:
    image: postgres
    networks: [back]
  side:
    image: x
    network_mode: service:db
  worker:
    image: x
    depends_on: [db]
    networks: [back, v6, tiny]
networks:
  tiny:
    ipam: {config: [{subnet: 10.8.0.0/30}]}
  front: {}
  back: {}
  v6:
    enable_ipv6: true
    ipam: {config: [{subnet: 10.9.0.0/29}, {subnet: "fd00:9::/64"}]}
`

// snapshot is the exported model as JSON: what must not change in the
// original when an operation builds a copy.
func snapshot(t *testing.T, topo *topology.Topology) string {
	t.Helper()
	b, err := json.Marshal(topo.Doc())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkConsistent asserts that every pointer of u points into u, never
// into orig, and that the indexes answer from u.
func checkConsistent(t *testing.T, orig, u *topology.Topology) {
	t.Helper()
	checkInvariants(t, u)
	nets := map[*topology.Network]bool{u.Bridge0: true}
	for _, n := range u.Networks {
		nets[n] = true
		if orig.NetworkByName(n.Name) == n {
			t.Errorf("network %s shared with the original", n.Name)
		}
		if u.NetworkByName(n.Name) != n || (n.Key != "" && u.Network(n.Key) != n) {
			t.Errorf("network index of the copy is stale for %s", n.Name)
		}
	}
	ctrs := map[*topology.Container]bool{}
	for _, c := range u.Containers {
		ctrs[c] = true
		if orig.Container(c.Name) == c {
			t.Errorf("container %s shared with the original", c.Name)
		}
		if u.Container(c.Name) != c {
			t.Errorf("container index of the copy is stale for %s", c.Name)
		}
	}
	for _, c := range u.Containers {
		if c.NetNS != nil && !ctrs[c.NetNS] {
			t.Errorf("%s: NetNS %s is not in the copy", c.Name, c.NetNS.Name)
		}
		for _, e := range c.Endpoints {
			if e.Container != c || !nets[e.Network] {
				t.Errorf("%s: endpoint on %s points outside the copy", c.Name, e.Network.Name)
			}
			found := false
			for _, f := range e.Network.Endpoints {
				found = found || f == e
			}
			if !found {
				t.Errorf("%s: endpoint missing from network %s", c.Name, e.Network.Name)
			}
		}
		for _, p := range c.Ports {
			if p.Endpoint != nil && p.Endpoint.Container != c {
				t.Errorf("%s: port %d points at another container's endpoint", c.Name, p.HostPort)
			}
		}
	}
	for n := range nets {
		for _, e := range n.Endpoints {
			if !ctrs[e.Container] || e.Container.Endpoint(n) != e {
				t.Errorf("network %s lists an endpoint of %s that the container does not have", n.Name, e.Container.Name)
			}
		}
	}
	for _, s := range u.Services {
		if u.Service(s.Name) != s {
			t.Errorf("service index of the copy is stale for %s", s.Name)
		}
		for _, c := range s.Containers {
			if !ctrs[c] {
				t.Errorf("service %s lists container %s outside the copy", s.Name, c.Name)
			}
		}
	}
}

func endpointNames(topo *topology.Topology, net string) []string {
	n := topo.Network(net)
	if n == nil {
		n = topo.NetworkByName(net)
	}
	var out []string
	for _, e := range n.Endpoints {
		out = append(out, e.Container.Name+"="+e.IPv4.String())
	}
	return out
}

func TestCopyOnWriteOperations(t *testing.T) {
	orig := mustLoad(t, whatIfCompose, topology.Options{})
	before := snapshot(t, orig)
	tests := []struct {
		name    string
		op      func(*topology.Topology) (*topology.Topology, error)
		wantErr string
		check   func(t *testing.T, u *topology.Topology)
	}{
		{
			name: "R3-8 R6-3 Stopped removes the containers from every network, keeps the service",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.Stopped("api") },
			check: func(t *testing.T, u *topology.Topology) {
				if u.Container("p-api-1") != nil || u.Container("p-api-2") != nil {
					t.Error("api containers still present")
				}
				if s := u.Service("api"); s == nil || len(s.Containers) != 0 {
					t.Errorf("service api: %+v, want present without containers", s)
				}
				if got := strings.Join(endpointNames(u, "front"), " "); got != "p-web-1=172.19.0.4" {
					t.Errorf("front: %s", got)
				}
			},
		},
		{
			name:    "Stopped refuses a namespace provider (R7-10)",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.Stopped("db") },
			wantErr: "p-side-1 shares the network namespace of p-db-1",
		},
		{
			name:    "Stopped of an unknown service lists the services",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.Stopped("nobody") },
			wantErr: `unknown service "nobody" (services: api, db, side, web, worker)`,
		},
		{
			name: "WithoutService drops the service too",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.WithoutService("web") },
			check: func(t *testing.T, u *topology.Topology) {
				if u.Service("web") != nil || u.Container("p-web-1") != nil || len(u.Services) != 4 {
					t.Errorf("web still present: %d services", len(u.Services))
				}
			},
		},
		{
			name:    "WithoutService refuses a service others depend on (R4-2)",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithoutService("db") },
			wantErr: "service side depends on db (R4-2)",
		},
		{
			name: "R6-3 WithoutEndpoint removes one endpoint and its names",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.WithoutEndpoint("p-api-2", "back") },
			check: func(t *testing.T, u *topology.Topology) {
				c := u.Container("p-api-2")
				if len(c.Endpoints) != 1 || c.Endpoints[0].Network.Key != "front" {
					t.Errorf("p-api-2 endpoints: %d", len(c.Endpoints))
				}
				if got := strings.Join(endpointNames(u, "back"), " "); strings.Contains(got, "p-api-2") {
					t.Errorf("back still lists p-api-2: %s", got)
				}
				if len(u.Container("p-api-1").Endpoints) != 2 {
					t.Error("p-api-1 lost an endpoint")
				}
			},
		},
		{
			name: "Disconnected applies to every replica, by engine name too",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.Disconnected("api", "p_back") },
			check: func(t *testing.T, u *topology.Topology) {
				if got := strings.Join(endpointNames(u, "back"), " "); strings.Contains(got, "p-api") {
					t.Errorf("back still lists api: %s", got)
				}
			},
		},
		{
			name:    "R8-7 Disconnected refuses the endpoint that carries published ports",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.Disconnected("web", "front") },
			wantErr: "p-web-1 publishes ports through its endpoint on front (R8-7)",
		},
		{
			name:    "Disconnected from a network the service is not on",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.Disconnected("db", "front") },
			wantErr: "service db does not join network front",
		},
		{
			name:    "WithoutEndpoint of an unknown network",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithoutEndpoint("p-db-1", "nope") },
			wantErr: `unknown network "nope"`,
		},
		{
			name: "R3-8 R6-3 R5-3 WithEndpoint takes the lowest free address and registers name, aliases, ID, hostname",
			op: func(t *topology.Topology) (*topology.Topology, error) {
				return t.WithEndpoint("p-db-1", "front", "database")
			},
			check: func(t *testing.T, u *topology.Topology) {
				c := u.Container("p-db-1")
				e := c.Endpoint(u.Network("front"))
				if e == nil {
					t.Fatal("no endpoint on front")
				}
				// front (172.19/16) has api-1 .2, api-2 .3, web .4 (start order)
				if e.IPv4.String() != "172.19.0.5" {
					t.Errorf("address %s, want 172.19.0.5", e.IPv4)
				}
				want := "p-db-1 database " + c.ID
				if c.Hostname != c.ID {
					want += " " + c.Hostname
				}
				if got := strings.Join(e.DNSNames, " "); got != want {
					t.Errorf("DNS names %q, want %q (no service-name alias on docker network connect)", got, want)
				}
				// gateway order: back and front are both plain, so by name.
				if c.Endpoints[0].Network.Key != "back" || c.Endpoints[1].Network.Key != "front" {
					t.Errorf("endpoint order %s, %s", c.Endpoints[0].Network.Key, c.Endpoints[1].Network.Key)
				}
				if n := u.Network("front"); n.Endpoints[len(n.Endpoints)-1] != e {
					t.Error("front's endpoints are not sorted by address")
				}
			},
		},
		{
			name: "R3-11 WithEndpoint on an IPv6 network also takes the next IPv6 address",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.WithEndpoint("p-db-1", "v6") },
			check: func(t *testing.T, u *topology.Topology) {
				e := u.Container("p-db-1").Endpoint(u.Network("v6"))
				if e.IPv4.String() != "10.9.0.3" || e.IPv6.String() != "fd00:9::3" {
					t.Errorf("got %s %s, want 10.9.0.3 fd00:9::3", e.IPv4, e.IPv6)
				}
			},
		},
		{
			name:    "WithEndpoint refuses a second endpoint on the same network",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithEndpoint("p-api-1", "back") },
			wantErr: "endpoint with name p-api-1 already exists in network p_back",
		},
		{
			name:    "R7-10 WithEndpoint refuses a container in another's namespace",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithEndpoint("p-side-1", "front") },
			wantErr: "p-side-1 uses network_mode service:db",
		},
		{
			name: "WithEndpoint refuses a bad alias",
			op: func(t *topology.Topology) (*topology.Topology, error) {
				return t.WithEndpoint("p-db-1", "front", "bad\nname")
			},
			wantErr: `invalid DNS name "bad\nname"`,
		},
		{
			name:    "WithEndpoint refuses a full network",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithEndpoint("p-db-1", "tiny") },
			wantErr: "no available IPv4 addresses on network p_tiny (10.8.0.0/30) for p-db-1",
		},
		{
			name:    "R5-3 R8-7 WithEndpoint refuses to move the gateway of a container with published ports",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithEndpoint("p-web-1", "v6") },
			wantErr: "p-web-1 publishes ports through its gateway endpoint; connecting to v6 would make that the gateway",
		},
		{
			name: "R7-4 R7-8 WithDaemon icc=false changes the default bridge",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.WithDaemon("icc", "false") },
			check: func(t *testing.T, u *topology.Topology) {
				if u.Daemon.ICC || u.Bridge0.ICC {
					t.Error("icc still on")
				}
			},
		},
		{
			name: "R8-2 WithDaemon userland-proxy=false",
			op:   func(t *topology.Topology) (*topology.Topology, error) { return t.WithDaemon("userland-proxy", "false") },
			check: func(t *testing.T, u *topology.Topology) {
				if u.Daemon.UserlandProxy {
					t.Error("userland-proxy still on")
				}
			},
		},
		{
			name:    "WithDaemon refuses a setting that moves addresses",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithDaemon("bip", "10.0.0.1/24") },
			wantErr: "daemon setting bip changes the addresses or ports Docker chooses; load the project again with it",
		},
		{
			name:    "WithDaemon refuses a bad value",
			op:      func(t *topology.Topology) (*topology.Topology, error) { return t.WithDaemon("icc", "maybe") },
			wantErr: `icc: want true or false, got "maybe"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := tc.op(orig)
			if after := snapshot(t, orig); after != before {
				t.Fatal("the original topology changed")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error containing %q, got %v", tc.wantErr, err)
				}
				if u != nil {
					t.Error("a topology came back with the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkConsistent(t, orig, u)
			tc.check(t, u)
		})
	}
}

// TestCopyChain: operations compose, each on the previous copy, and each
// intermediate stays as it was.
func TestCopyChain(t *testing.T) {
	orig := mustLoad(t, whatIfCompose, topology.Options{})
	a, err := orig.Disconnected("api", "back")
	if err != nil {
		t.Fatal(err)
	}
	snapA := snapshot(t, a)
	b, err := a.Stopped("web")
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.WithEndpoint("p-api-1", "back")
	if err != nil {
		t.Fatal(err)
	}
	if snapshot(t, a) != snapA {
		t.Fatal("intermediate copy changed")
	}
	checkConsistent(t, b, c)
	// R3-8: back has db .4 and worker .5 after api (.2, .3) left; api-1
	// comes back at the lowest free address.
	if got := strings.Join(endpointNames(c, "back"), " "); got != "p-api-1=172.18.0.2 p-db-1=172.18.0.4 p-worker-1=172.18.0.5" {
		t.Errorf("back: %s", got)
	}
}
