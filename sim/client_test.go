package sim

import (
	"strings"
	"testing"
)

// TestClientSeesR10_5: what the client observes depends on the cause
// (R10-5): silent drops time out, a missing route fails at once, a closed
// port answers RST, and through docker-proxy the proxy accepts and closes.
func TestClientSeesR10_5(t *testing.T) {
	topo := loadYAML(t, "cs", `name: cs
services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
    x-composenet: {listen: ["443"]}
  api:
    image: api
    networks: [front]
    x-composenet: {listen: ["9000"]}
  db:
    image: postgres
    networks: [back]
  other:
    image: x
    networks: [side]
networks:
  front: {}
  back: {internal: true}
  side: {}
`)
	s := New(topo)
	dbIP := topo.Container("cs-db-1").Endpoints[0].IPv4.String()
	sideGW := topo.Network("side").Gateway.String()
	tests := []struct {
		name string
		q    Query
		want string
	}{
		{"R7-2 silent drop times out", Query{From: "api", To: dbIP, Port: 5432}, "times out"},
		{"R5-4 internal-only: ENETUNREACH at once", Query{From: "db", To: "internet", Port: 443}, "ENETUNREACH"},
		{"R7-1 closed port on the same network: RST", Query{From: "web", To: "api", Port: 9001}, "immediate RST"},
		{"R7-3 closed port through docker-proxy: accept then close", Query{From: "other", To: sideGW, Port: 8080}, "docker-proxy accepts the connection, then closes it"},
		{"R6-9 unknown name: EAI_NONAME", Query{From: "web", To: "nosuch", Port: 80}, "EAI_NONAME"},
		{"R6-11 internal-only external name: SERVFAIL", Query{From: "db", To: "example.com", Port: 443}, "EAI_AGAIN"},
		{"R7-1 delivered", Query{From: "web", To: "api", Port: 9000}, "connection established"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Reach(tc.q)
			if !strings.Contains(r.ClientSees, tc.want) {
				t.Errorf("%s: client sees %q, want it to mention %q", r.Verdict, r.ClientSees, tc.want)
			}
		})
	}
}

// TestLegacyLinkICCOff: on the default bridge with icc off, a legacy link
// opens only the linked container's exposed ports, and only to the linker
// (R7-4, R6-14).
func TestLegacyLinkICCOff(t *testing.T) {
	topo := loadYAML(t, "ll", `name: ll
services:
  web:
    image: nginx
    network_mode: bridge
    links: [db]
  db:
    image: postgres
    network_mode: bridge
    expose: ["5432"]
`, "icc=false")
	s := New(topo)
	dbIP := topo.Container("ll-db-1").Endpoints[0].IPv4.String()
	webIP := topo.Container("ll-web-1").Endpoints[0].IPv4.String()
	for _, tc := range []struct {
		name string
		q    Query
		want Verdict
	}{
		{"R7-4 linker reaches the exposed port by its link name", Query{From: "web", To: "db", Port: 5432}, Delivered},
		{"R7-4 linker reaches the exposed port by address", Query{From: "web", To: dbIP, Port: 5432}, Delivered},
		{"R7-4 a port that is not exposed stays closed", Query{From: "web", To: dbIP, Port: 6379}, DroppedICC},
		{"R7-4 the linked container cannot reach the linker", Query{From: "db", To: webIP, Port: 80}, DroppedICC},
		{"R7-4 ping is not an exposed port", Query{From: "web", To: dbIP}, DroppedICC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := s.Reach(tc.q); r.Verdict != tc.want {
				t.Errorf("verdict %s, want %s (%s)", r.Verdict, tc.want, r.Reason)
			}
		})
	}
}
