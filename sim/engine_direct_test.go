package sim

import (
	"strings"
	"testing"
)

// TestDirectRoutingBeforeEngine28 is R7-9 [VER 28.0] (directRoutingOpen):
// a LAN client whose router sends a Docker subnet to the host reaches the
// published container ports straight at the container address before
// Engine 28.0 (filter DOCKER accepts them, DOCKER-USER still applies), and
// nothing else (FORWARD policy DROP, or ACCEPT when the host's
// iptables-save says so; internal networks never). From 28.0 the raw
// PREROUTING filter drops everything. Observed on Engine 20.10.24 by
// scripts/verify-lan.sh (testdata/lan).
func TestDirectRoutingBeforeEngine28(t *testing.T) {
	const compose = `name: lan
services:
  web: {image: x, networks: [front], ports: ["18150:80", "127.0.0.1:18151:443", "18152:53/udp"], x-composenet: {listen: ["80", "443", "9000", "53/udp"]}}
  vault: {image: x, networks: [secret], x-composenet: {listen: ["8200"]}}
networks: {front: {}, secret: {internal: true}}
`
	host := func(engine, extra string) string {
		return "daemon: {engine: \"" + engine + "\"}\ninterfaces:\n  - {name: cnlan0h, addresses: [198.18.0.1/29]}\n" + extra
	}
	const dropFrom3 = "firewall:\n  docker-user: ['-i cnlan0h -s 198.18.0.3 -j DROP']\n"
	const forwardAccept = "firewall:\n  iptables-save: ipt.txt\n"
	ipt := map[string]string{"ipt.txt": "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -j RETURN\nCOMMIT\n"}
	for _, tc := range []struct {
		name, engine, extra, from, svc string
		port                           uint16
		proto                          string
		want                           Verdict
		note                           bool
	}{
		{"R7-9 [VER 28.0] Engine 20.10: a published container port passes", "20.10", "", "198.18.0.2", "web", 80, "tcp", Delivered, true},
		{"R7-9 [VER 28.0] Engine 20.10: published on 127.0.0.1 only, the container port still passes", "20.10", "", "198.18.0.2", "web", 443, "tcp", Delivered, true},
		{"R7-9 [VER 28.0] Engine 20.10: UDP published container port passes", "20.10", "", "198.18.0.2", "web", 53, "udp", Delivered, true},
		{"R7-9 [VER 28.0] Engine 20.10: an unpublished port meets FORWARD's DROP policy", "20.10", "", "198.18.0.2", "web", 9000, "tcp", DroppedDirectAccess, true},
		{"R7-9 [VER 28.0] Engine 20.10: ICMP meets FORWARD's DROP policy", "20.10", "", "198.18.0.2", "web", 0, "", DroppedDirectAccess, true},
		{"R7-9 [VER 28.0] Engine 27.5.1: a published container port passes", "27.5.1", "", "198.18.0.2", "web", 80, "tcp", Delivered, true},
		{"R7-9 [VER 28.0] Engine 28.0: the raw filter drops a published container port", "28.0", "", "198.18.0.2", "web", 80, "tcp", DroppedDirectAccess, false},
		{"R7-5 Engine 20.10: an internal network is never reached from outside", "20.10", "", "198.18.0.2", "vault", 8200, "tcp", DroppedIsolation, true},
		{"R7-20 Engine 20.10: DOCKER-USER sees direct routing too", "20.10", dropFrom3, "198.18.0.3", "web", 80, "tcp", DockerUserBlocked, true},
		{"R7-20 Engine 20.10: DOCKER-USER passes the other client", "20.10", dropFrom3, "198.18.0.2", "web", 80, "tcp", Delivered, true},
		{"R7-8 Engine 20.10: FORWARD policy ACCEPT lets an unpublished port through", "20.10", forwardAccept, "198.18.0.2", "web", 9000, "tcp", Delivered, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			for k, v := range ipt {
				files[k] = v
			}
			top := loadWithHost(t, compose, host(tc.engine, tc.extra), files)
			addr := top.Container("lan-" + tc.svc + "-1").Endpoints[0].IPv4.String()
			r := New(top).Reach(Query{From: tc.from, To: addr, Port: tc.port, Protocol: tc.proto})
			if r.Verdict != tc.want {
				t.Fatalf("%s -> %s %d/%s on Engine %s = %s (%s), want %s", tc.from, addr, tc.port, tc.proto, tc.engine, r.Verdict, r.Reason, tc.want)
			}
			if got := strings.Contains(strings.Join(r.Notes, "\n"), "before 28.0 no raw PREROUTING"); got != tc.note {
				t.Errorf("engine note present = %v, want %v (%q)", got, tc.note, r.Notes)
			}
		})
	}
}
