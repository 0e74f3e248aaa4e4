package answers

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

const shopYAML = `services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
    depends_on: [api]
    x-composenet: {listen: ["80"]}
  api:
    image: api
    networks:
      front: {}
      back: {aliases: [backend]}
    depends_on: [db]
    x-composenet: {listen: ["9000"], processing: 2ms}
  db:
    image: postgres
    deploy: {replicas: 2}
    networks: [back]
    x-composenet: {listen: ["5432"]}
networks:
  front: {}
  back: {internal: true}
`

func shop(t *testing.T) *sim.Sim {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(shopYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return sim.New(top)
}

// golden compares got with testdata/name, or rewrites it when
// COMPOSENET_UPDATE=1 (the render packages' shared helper).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	fixture.Golden(t, name, got)
}

func reach(s *sim.Sim, from, to string) sim.Result {
	target, port, proto, err := sim.ParseTarget(to)
	if err != nil {
		panic(err)
	}
	return s.Reach(sim.Query{From: from, To: target, Port: port, Protocol: proto})
}

func checkWidth(t *testing.T, name string, b []byte, ascii bool) {
	t.Helper()
	for i, l := range strings.Split(string(b), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%s line %d has %d columns: %q", name, i+1, n, l)
		}
		if ascii {
			for _, r := range l {
				if r > 127 {
					t.Errorf("%s line %d has non-ASCII %q", name, i+1, r)
					break
				}
			}
		}
	}
}

func TestGoldens(t *testing.T) {
	s := shop(t)
	reaches := []struct{ file, from, to string }{
		{"reach_same_network.txt", "web", "api:9000"},
		{"reach_published_lan.txt", "internet", "host:8080"},
		{"reach_proxy.txt", "api", "host:8080"},
		{"reach_blocked_name.txt", "web", "db:5432"},
		{"reach_blocked_internal.txt", "db", "internet:443"},
		{"reach_refused.txt", "api", "db:5433"},
		{"reach_invalid.txt", "nosuch", "db"},
	}
	for _, tc := range reaches {
		t.Run(tc.file, func(t *testing.T) {
			r := reach(s, tc.from, tc.to)
			for _, ascii := range []bool{false, true} {
				var b bytes.Buffer
				if err := WriteReach(&b, r, Options{ASCIIOnly: ascii}); err != nil {
					t.Fatal(err)
				}
				name := tc.file
				if ascii {
					name = strings.TrimSuffix(name, ".txt") + "_ascii.txt"
				}
				checkWidth(t, name, b.Bytes(), ascii)
				golden(t, name, b.Bytes())
			}
		})
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, reach(s, "web", "db:5432")); err != nil {
		t.Fatal(err)
	}
	golden(t, "reach_blocked_name.json", b.Bytes())
	b.Reset()
	if err := WriteJSON(&b, reach(s, "web", "api:9000")); err != nil {
		t.Fatal(err)
	}
	golden(t, "reach_same_network.json", b.Bytes())

	for _, tc := range []struct{ file, from, name string }{
		{"dns_replicas.txt", "shop-api-1", "db"},
		{"dns_forwarded.txt", "shop-web-1", "backend"},
		{"dns_servfail.txt", "shop-db-1", "example.com"},
	} {
		b.Reset()
		r := s.Resolve(s.Container(tc.from), tc.name)
		if err := WriteDNS(&b, r, Options{}); err != nil {
			t.Fatal(err)
		}
		checkWidth(t, tc.file, b.Bytes(), false)
		golden(t, tc.file, b.Bytes())
	}
	b.Reset()
	if err := WriteJSON(&b, s.Resolve(s.Container("shop-api-1"), "db")); err != nil {
		t.Fatal(err)
	}
	golden(t, "dns_replicas.json", b.Bytes())

	m := s.Matrix(5432, "tcp")
	b.Reset()
	if err := WriteMatrix(&b, m, Options{}); err != nil {
		t.Fatal(err)
	}
	checkWidth(t, "matrix.txt", b.Bytes(), false)
	golden(t, "matrix.txt", b.Bytes())
	b.Reset()
	if err := WriteMatrixCSV(&b, m); err != nil {
		t.Fatal(err)
	}
	golden(t, "matrix.csv", b.Bytes())
	b.Reset()
	if err := WriteMatrixJSON(&b, m); err != nil {
		t.Fatal(err)
	}
	golden(t, "matrix.json", b.Bytes())
}
