package sim

import (
	"strings"
	"testing"
)

// TestEngineVersionBranches checks each behaviour that differs between the
// modelled engine versions (engine.go), on both sides of its boundary.
func TestEngineVersionBranches(t *testing.T) {
	const internal = `services:
  app: {image: x, networks: [front, private], ports: ["8080:80"], x-composenet: {listen: ["80"]}}
  db: {image: x, networks: [private], x-composenet: {listen: ["5432"]}}
  edge: {image: x, networks: [front], x-composenet: {listen: ["80"]}}
networks: {front: {}, private: {internal: true}}
`
	reach := []struct {
		name, engine, from, to string
		want                   Verdict
		note                   string
	}{
		{"R5-4 [VER 25.0] Engine 28: internal-only has no route to the host", "28", "db", "172.17.0.1", NoRoute, ""},
		{"R5-4 [VER 25.0] Engine 25.0: no route either", "25.0", "db", "172.17.0.1", NoRoute, ""},
		{"R5-4 [VER 25.0] Engine 20.10: the host's docker0 address answers", "20.10", "db", "172.17.0.1", Delivered, "before 25.0"},
		{"R5-4 [VER 25.0] Engine 24.0.9: the host's docker0 address answers", "24.0.9", "db", "172.17.0.1", Delivered, "before 25.0"},
		{"R5-4 [VER 25.0] Engine 20.10: another network is dropped, not unrouted", "20.10", "db", "edge:80", NameNotResolved, ""},
		{"R5-4 [VER 25.0] Engine 20.10: the internet times out", "20.10", "db", "internet:443", DroppedIsolation, "before 25.0"},
		{"R5-4 [VER 25.0] Engine 28: the internet is unrouted", "28", "db", "internet:443", NoRoute, ""},
		{"R5-4 [VER 25.0] Engine 20.10: a published port through the host is DNATed and dropped", "20.10", "db", "172.17.0.1:8080", DroppedIsolation, "before 25.0"},
		{"R5-4 [VER 25.0] Engine 20.10: a port on the host without listener is the host's", "20.10", "db", "172.17.0.1:9999", NotDockerManaged, "before 25.0"},
		{"R7-5 Engine 20.10: inside the internal network nothing changes", "20.10", "db", "app:80", Delivered, ""},
	}
	for _, tc := range reach {
		t.Run(tc.name, func(t *testing.T) {
			top := loadYAML(t, "p", internal, "engine="+tc.engine)
			target, port, proto, err := ParseTarget(tc.to)
			if err != nil {
				t.Fatal(err)
			}
			r := New(top).Reach(Query{From: tc.from, To: target, Port: port, Protocol: proto})
			if r.Verdict != tc.want {
				t.Fatalf("%s -> %s on Engine %s = %s (%s), want %s", tc.from, tc.to, tc.engine, r.Verdict, r.Reason, tc.want)
			}
			if tc.note != "" && !strings.Contains(strings.Join(r.Notes, "\n"), tc.note) {
				t.Errorf("notes %q do not say which engine was modelled (%q)", r.Notes, tc.note)
			}
		})
	}
	dns := []struct {
		name, engine, from, q string
		rcode, source         string
	}{
		{"R6-11 [VER 26.0] Engine 28: internal-only SERVFAIL", "28", "db", "edge", RcodeServFail, SourceEmbedded},
		{"R6-11 [VER 26.0] Engine 26.0: SERVFAIL", "26.0", "db", "edge", RcodeServFail, SourceEmbedded},
		{"R6-11 [VER 25.0.4] Engine 25.0.4: SERVFAIL (backported fix)", "25.0.4", "db", "edge", RcodeServFail, SourceEmbedded},
		{"R6-11 [VER 25.0.4] Engine 25.0.3: forwarded", "25.0.3", "db", "edge", RcodeNXDomain, SourceUpstream},
		{"R6-11 [VER 23.0.11] Engine 23.0.11: SERVFAIL", "23.0.11", "db", "edge", RcodeServFail, SourceEmbedded},
		{"R6-11 [VER 26.0] Engine 24.0: forwarded (never fixed)", "24.0", "db", "edge", RcodeNXDomain, SourceUpstream},
		{"R6-11 [VER 26.0] Engine 20.10: forwarded", "20.10", "db", "edge", RcodeNXDomain, SourceUpstream},
		{"R6-11 Engine 20.10: peers on the internal network still resolve", "20.10", "db", "app", RcodeNoError, SourceEmbedded},
	}
	for _, tc := range dns {
		t.Run(tc.name, func(t *testing.T) {
			top := loadYAML(t, "p", internal, "engine="+tc.engine)
			s := New(top)
			r := s.Resolve(s.Container(tc.from), tc.q)
			if r.Rcode != tc.rcode || r.Source != tc.source {
				t.Fatalf("%s -> %s on Engine %s = %s/%s, want %s/%s (notes %q)", tc.from, tc.q, tc.engine, r.Rcode, r.Source, tc.rcode, tc.source, r.Notes)
			}
		})
	}
}

// TestUDPProxyReplySource: before Engine 28.0 docker-proxy answers UDP
// from the client's own gateway, whatever host address the client asked
// (R8-9 [VER 28.0], moby/moby#48571).
func TestUDPProxyReplySource(t *testing.T) {
	const y = `services:
  web: {image: x, networks: [front], ports: ["5353:53/udp", "8080:80"], x-composenet: {listen: ["53/udp", "80"]}}
  client: {image: x, networks: [other]}
networks: {front: {}, other: {}}
`
	for _, tc := range []struct {
		name, engine, to string
		want             string // ReplySource
	}{
		{"R8-9 [VER 28.0] Engine 20.10: UDP via docker0's address is answered from the client's gateway", "20.10", "172.17.0.1:5353/udp", "172.19.0.1"},
		{"R8-9 [VER 28.0] Engine 27.5: still from the gateway", "27.5", "172.17.0.1:5353/udp", "172.19.0.1"},
		{"R8-9 [VER 28.0] Engine 28: from the address asked", "28", "172.17.0.1:5353/udp", ""},
		{"R8-9 Engine 20.10: via the client's own gateway the source matches", "20.10", "172.19.0.1:5353/udp", ""},
		{"R8-9 Engine 20.10: TCP is a connection, no mismatch", "20.10", "172.17.0.1:8080", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			top := loadYAML(t, "p", y, "engine="+tc.engine)
			target, port, proto, err := ParseTarget(tc.to)
			if err != nil {
				t.Fatal(err)
			}
			r := New(top).Reach(Query{From: "client", To: target, Port: port, Protocol: proto})
			if r.Verdict != Delivered || r.ReplySource != tc.want {
				t.Fatalf("client -> %s on Engine %s = %s, reply source %q; want delivered, %q (notes %q)", tc.to, tc.engine, r.Verdict, r.ReplySource, tc.want, r.Notes)
			}
			if tc.want != "" && !strings.Contains(r.ClientSees, "times out") {
				t.Errorf("client sees %q", r.ClientSees)
			}
		})
	}
}
