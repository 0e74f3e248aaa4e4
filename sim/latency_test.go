package sim

import (
	"testing"
)

// R10: every hop carries its model cost; a network's x-composenet latency is
// added to each bridge hop across it; the server's processing time once.
func TestLatencyModel(t *testing.T) {
	const y = `services:
  a: {image: x, networks: [slow]}
  b: {image: x, networks: [slow], x-composenet: {listen: ["80"], processing: 5ms}}
networks:
  slow: {x-composenet: {latency: 2ms}}
`
	s := New(loadYAML(t, "p", y))
	r := mustQ(t, s, "a", "b:80")
	if !r.Reachable {
		t.Fatalf("%s", r.Verdict)
	}
	lm := s.Topology().Latency
	// Forward: dns + veth + bridge(+2ms) + veth + processing; reply: veth,
	// bridge(+2ms), veth.
	wantNS := lm.EmbeddedDNS + 4*lm.Veth + 2*lm.Bridge
	want := ms(wantNS) + 2*2 + 5
	if diff := r.LatencyMS - want; diff > 1e-9 || diff < -1e-9 {
		t.Errorf("latency = %v ms, want %v ms; hops %+v", r.LatencyMS, want, r.Hops)
	}
	var bridges, process int
	for _, h := range r.Hops {
		switch h.Step {
		case StepBridge:
			bridges++
			if h.LatencyMS < 2 {
				t.Errorf("bridge hop without the network latency: %+v", h)
			}
		case StepProcess:
			process++
		}
	}
	if bridges != 2 || process != 1 {
		t.Errorf("bridges=%d process=%d", bridges, process)
	}
	// Same query, same numbers.
	if r2 := mustQ(t, s, "a", "b:80"); r2.LatencyMS != r.LatencyMS {
		t.Errorf("latency not deterministic: %v vs %v", r.LatencyMS, r2.LatencyMS)
	}
	// No reply path for UDP and for ping.
	if r := mustQ(t, s, "a", "b:80/udp"); hasReturn(r) {
		t.Errorf("udp has a reply path")
	}
	if r := mustQ(t, s, "a", "b"); hasReturn(r) {
		t.Errorf("ping has a TCP reply path")
	}
}

func hasReturn(r Result) bool {
	for _, h := range r.Hops {
		if h.Return {
			return true
		}
	}
	return false
}

// R7-3/R7-7 with a host INPUT firewall: docker-proxy and host services are
// blocked, published ports from the LAN are not (R7-9: Docker's rules sit
// before INPUT).
func TestHostFirewall(t *testing.T) {
	b := newTB("p")
	b.net("front")
	b.net("jobs")
	b.svc("web", 1, []string{"front"}, publish("8080:80"))
	b.svc("worker", 1, []string{"jobs"})
	top := b.done()
	top.Host.Firewall = true
	s := New(top)
	for _, tc := range []struct {
		from, to string
		want     Verdict
	}{
		{"worker", "host:8080", HostFirewall},
		{"worker", "host:22", HostFirewall},
		{"worker", "host", Delivered}, // ICMP echo
		{"internet", "host:8080", Delivered},
		{"host", "localhost:8080", Delivered},
	} {
		r := mustQ(t, s, tc.from, tc.to)
		if r.Verdict != tc.want {
			t.Errorf("R7-7 %s -> %s = %s, want %s", tc.from, tc.to, r.Verdict, tc.want)
		}
		if r.Verdict == HostFirewall && !anyBlocker(r, func(b Blocker) string { return b.Fix }, "host firewall") {
			t.Errorf("no firewall fix: %+v", r.BlockedBy)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		in, target string
		port       uint16
		proto      string
		err        bool
	}{
		{"db", "db", 0, "tcp", false},
		{"db:5432", "db", 5432, "tcp", false},
		{"db:53/UDP", "db", 53, "udp", false},
		{"[::1]:80", "::1", 80, "tcp", false},
		{"::1", "::1", 0, "tcp", false},
		{"10.0.0.1/sctp", "10.0.0.1", 0, "sctp", false},
		{"db:0", "", 0, "", true},
		{"db:70000", "", 0, "", true},
		{"db:80/icmp", "", 0, "", true},
		{":80", "", 0, "", true},
		{"db:", "", 0, "", true},
		{"db:/udp", "", 0, "", true},
		{"db:80/", "", 0, "", true},
		{"[::1]:", "", 0, "", true},
		{"[::1]", "::1", 0, "tcp", false},
		{"[::1]x", "", 0, "", true},
		{"[db]:80", "", 0, "", true},
		{"db:80:90", "", 0, "", true},
		{"fd00::1:80", "fd00::1:80", 0, "tcp", false},
		{"d b:80", "", 0, "", true},
	} {
		target, port, proto, err := ParseTarget(tc.in)
		if (err != nil) != tc.err || !tc.err && (target != tc.target || port != tc.port || proto != tc.proto) {
			t.Errorf("ParseTarget(%q) = %q %d %q %v", tc.in, target, port, proto, err)
		}
	}
}
