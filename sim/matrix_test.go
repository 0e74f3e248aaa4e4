package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// randomTopology builds a seeded random project: a few networks with random
// internal/icc/masquerade flags, services with replicas, random attachments,
// network modes, published ports, listeners, links and extra_hosts, and
// random daemon settings.
func randomTopology(seed uint64) *topology.Topology {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := newTB("r")
	b.t.Daemon.UserlandProxy = r.IntN(4) != 0
	b.t.Daemon.ICC = r.IntN(4) != 0
	b.t.Daemon.IPMasq = r.IntN(5) != 0
	if r.IntN(4) == 0 {
		b.t.Host.Firewall = true
	}
	nn := 1 + r.IntN(4)
	var keys []string
	for i := range nn {
		var opts []func(*topology.Network)
		if r.IntN(3) == 0 {
			opts = append(opts, internal)
		}
		if r.IntN(4) == 0 {
			opts = append(opts, noICC)
		}
		if r.IntN(5) == 0 {
			opts = append(opts, noMasq)
		}
		k := fmt.Sprintf("n%d", i)
		b.net(k, opts...)
		keys = append(keys, k)
	}
	ns := 2 + r.IntN(6)
	var svcs []string
	for i := range ns {
		name := fmt.Sprintf("s%d", i)
		var opts []func(*topology.Container)
		var eps []string
		switch x := r.IntN(12); {
		case x == 0:
			opts = append(opts, mode("none"))
		case x == 1:
			opts = append(opts, mode("host"), listen("7070"))
		case x == 2:
			eps = []string{"bridge"}
			opts = append(opts, mode("bridge"))
		case x == 3 && len(svcs) > 0:
			opts = append(opts, mode("service:"+svcs[r.IntN(len(svcs))]))
		default:
			for _, k := range keys {
				if r.IntN(2) == 0 {
					spec := k
					if r.IntN(4) == 0 {
						spec += ":alias" + fmt.Sprint(r.IntN(3))
					}
					eps = append(eps, spec)
				}
			}
			if len(eps) == 0 {
				eps = []string{keys[r.IntN(len(keys))]}
			}
			if r.IntN(3) == 0 {
				hp := 8000 + r.IntN(3)
				spec := fmt.Sprintf("%d:80", hp)
				if r.IntN(3) == 0 {
					spec = "127.0.0.1:" + spec
				}
				opts = append(opts, publish(spec))
			}
			if r.IntN(5) == 0 && len(svcs) > 0 {
				target := svcs[r.IntN(len(svcs))]
				opts = append(opts, func(c *topology.Container) {
					c.Links = append(c.Links, topology.Link{Alias: "r-" + target + "-1", Target: "r-" + target + "-1", Service: target})
				})
			}
			if r.IntN(6) == 0 {
				opts = append(opts, extraHost("r-s0-1", "10.1.2.3"))
			}
		}
		if r.IntN(2) == 0 {
			opts = append(opts, listen("80", "53/udp"))
		}
		if r.IntN(5) == 0 {
			opts = append(opts, func(c *topology.Container) { c.NdotsSet = true })
		}
		b.svc(name, 1+r.IntN(2), eps, opts...)
		if !strings.HasPrefix(name, "") || len(eps) > 0 {
			svcs = append(svcs, name)
		}
	}
	return b.done()
}

func TestMatrixEqualsPairwiseReach(t *testing.T) {
	for seed := range uint64(150) {
		top := randomTopology(seed)
		s := New(top)
		for _, pp := range []struct {
			port  uint16
			proto string
		}{{0, "tcp"}, {80, "tcp"}, {53, "udp"}, {8001, "tcp"}} {
			m := s.Matrix(pp.port, pp.proto)
			if len(m.Rows) != len(top.Containers)+2 || len(m.Cols) != len(top.Containers) {
				t.Fatalf("seed %d: shape %dx%d", seed, len(m.Rows), len(m.Cols))
			}
			for i := range m.Rows {
				for j := range m.Cols {
					q := m.Query(i, j)
					if got, want := m.At(i, j), s.Reach(q).Verdict; got != want {
						t.Fatalf("seed %d port %d/%s: matrix[%s][%s] = %s, Reach(%+v) = %s", seed, pp.port, pp.proto, m.Rows[i], m.Cols[j], got, q, want)
					}
				}
			}
		}
	}
}

func TestMatrixShop(t *testing.T) {
	m := New(shop()).Matrix(80, "tcp")
	want := map[[2]string]Verdict{
		{"shop-web-1", "shop-api-1"}: Delivered,
		{"shop-web-1", "shop-db-1"}:  NameNotResolved,
		{"shop-api-1", "shop-db-2"}:  Delivered,
		{"shop-db-1", "shop-web-1"}:  NameNotResolved, // SERVFAIL: internal-only
		{"host", "shop-db-1"}:        Delivered,
		{"internet", "shop-web-1"}:   Delivered, // via 8080
		{"internet", "shop-api-1"}:   DroppedDirectAccess,
		{"shop-db-1", "shop-api-1"}:  Delivered,
		{"shop-api-1", "shop-api-1"}: Delivered,
		{"internet", "shop-db-2"}:    DroppedDirectAccess,
		{"shop-web-1", "shop-web-1"}: Delivered,
		{"shop-db-2", "shop-db-1"}:   Delivered,
		{"host", "shop-web-1"}:       Delivered,
		{"shop-api-1", "shop-web-1"}: Delivered,
		{"internet", "shop-db-1"}:    DroppedDirectAccess,
		{"shop-web-1", "shop-db-2"}:  NameNotResolved,
		{"shop-db-2", "shop-web-1"}:  NameNotResolved,
		{"host", "shop-api-1"}:       Delivered,
		{"shop-db-1", "shop-db-2"}:   Delivered,
		{"shop-api-1", "shop-db-1"}:  Delivered,
		{"shop-db-2", "shop-api-1"}:  Delivered,
		{"host", "shop-db-2"}:        Delivered,
		{"shop-db-1", "shop-db-1"}:   Delivered,
		{"shop-db-2", "shop-db-2"}:   Delivered,
	}
	for i, r := range m.Rows {
		for j, c := range m.Cols {
			w, ok := want[[2]string{r, c}]
			if !ok {
				t.Fatalf("untested cell %s -> %s", r, c)
			}
			if got := m.At(i, j); got != w {
				t.Errorf("%s -> %s = %s, want %s", r, c, got, w)
			}
		}
	}
	if q := m.Query(len(m.Rows)-1, 3); q.To != "192.168.1.10" || q.Port != 8080 {
		t.Errorf("internet row query for web = %+v, want host address :8080", q)
	}
}

// Same question twice, same bytes (Reach, Resolve, Matrix).
func TestDeterminism(t *testing.T) {
	enc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for seed := range uint64(20) {
		top := randomTopology(seed)
		s1, s2 := New(top), New(top)
		for _, c := range top.Containers {
			for _, to := range []string{"r-s0-1:80", "s1", "internet:443", "host:8000", "alias1"} {
				a := enc(mustQ(t, s1, c.Name, to))
				b := enc(mustQ(t, s2, c.Name, to))
				if !bytes.Equal(a, b) {
					t.Fatalf("seed %d %s -> %s differs:\n%s\n%s", seed, c.Name, to, a, b)
				}
			}
			if a, b := enc(s1.Resolve(c, "s1")), enc(s2.Resolve(c, "s1")); !bytes.Equal(a, b) {
				t.Fatalf("Resolve differs: %s / %s", a, b)
			}
		}
		if a, b := enc(s1.Matrix(80, "tcp")), enc(s2.Matrix(80, "tcp")); !bytes.Equal(a, b) {
			t.Fatalf("matrix differs")
		}
	}
}

// The design guide's claims on the bundled examples.
func TestDesignGuideEcommerce(t *testing.T) {
	top := loadFile(t, filepath.Join("..", "examples", "ecommerce", "compose.yaml"))
	s := New(top)
	services := []string{"user-service", "product-service", "order-service", "payment-service"}
	for _, svc := range services {
		if r := mustQ(t, s, "gateway", svc+":3000"); !r.Reachable {
			t.Errorf("gateway -> %s: %s (%s)", svc, r.Verdict, r.Reason)
		}
		if r := mustQ(t, s, svc, "database:5432"); !r.Reachable {
			t.Errorf("%s -> database: %s (%s)", svc, r.Verdict, r.Reason)
		}
	}
	r := mustQ(t, s, "gateway", "database:5432")
	if r.Reachable || r.Verdict != NameNotResolved {
		t.Errorf("gateway -> database = %s, want name-not-resolved", r.Verdict)
	}
	// Even by address: dropped between networks.
	db := s.findContainer("database")
	ip := db.Endpoints[0].IPv4.String()
	if r := mustQ(t, s, "gateway", ip+":5432"); r.Verdict != DroppedIsolation {
		t.Errorf("gateway -> database by IP = %s, want dropped-isolation", r.Verdict)
	}
}

func TestDesignGuideSecure(t *testing.T) {
	top := loadFile(t, filepath.Join("..", "examples", "secure", "compose.yaml"))
	// The bundled file publishes nothing: the internet reaches no container.
	m := New(top).Matrix(80, "tcp")
	for j := range m.Cols {
		if v := m.At(len(m.Rows)-1, j); v.Reachable() {
			t.Errorf("internet reaches %s without a published port", m.Cols[j])
		}
	}
	// With the guide's "port 80" published on gateway: only that.
	const y = `services:
  gateway: {image: nginx, ports: ["80:80"], networks: [public-network, api-network]}
  api-service: {image: myapi, networks: [api-network, database-network]}
  database: {image: postgres, networks: [database-network]}
networks: {public-network: {}, api-network: {}, database-network: {}}
`
	s := New(loadYAML(t, "secure", y))
	m = s.Matrix(80, "tcp")
	for j, c := range m.Cols {
		v := m.At(len(m.Rows)-1, j)
		if v.Reachable() != strings.Contains(c, "gateway") {
			t.Errorf("internet -> %s:80 = %s", c, v)
		}
	}
	for _, port := range []string{"5432", "8080", "443"} {
		if r := mustQ(t, s, "internet", "host:"+port); r.Reachable {
			t.Errorf("internet -> host:%s reachable", port)
		}
	}
	if r := mustQ(t, s, "gateway", "api-service:8080"); !r.Reachable {
		t.Errorf("gateway -> api-service: %s", r.Verdict)
	}
	if r := mustQ(t, s, "api-service", "database:5432"); !r.Reachable {
		t.Errorf("api-service -> database: %s", r.Verdict)
	}
	if r := mustQ(t, s, "gateway", "database:5432"); r.Reachable {
		t.Errorf("gateway -> database reachable")
	}
}

func TestWorkedExampleLoaded(t *testing.T) {
	s := New(loadYAML(t, "shop", shopYAML))
	for _, tc := range []struct {
		from, to string
		want     Verdict
	}{
		{"web", "api:80", Delivered},
		{"web", "db:5432", NameNotResolved},
		{"api", "db:5432", Delivered},
		{"db", "internet", NoRoute},
		{"internet", "host:8080", Delivered},
		{"host", "localhost:8080", Delivered},
		{"db", "host:8080", NoRoute},
		{"db", "172.18.0.1:8080", DroppedIsolation},
	} {
		if r := mustQ(t, s, tc.from, tc.to); r.Verdict != tc.want {
			t.Errorf("%s -> %s = %s, want %s", tc.from, tc.to, r.Verdict, tc.want)
		}
	}
	if r := s.Resolve(s.findContainer("api"), "db"); len(r.Answers) != 2 || r.Network != "back" {
		t.Errorf("api -> db: %+v", r)
	}
}
