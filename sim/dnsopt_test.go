package sim

import (
	"testing"
)

// TestDNSOptionServers: R6-10 a container's dns: servers replace the
// host's and are asked from the container's namespace: a resolver
// container on a shared network answers (mailcow's unbound at
// 172.22.1.254); one on a network the asker does not join times out, and
// with no other server the answer is SERVFAIL; an address outside Docker is
// reached through the default route.
func TestDNSOptionServers(t *testing.T) {
	tp := loadYAML(t, "p", `name: p
services:
  unbound:
    image: unbound
    networks: {mail: {ipv4_address: 172.22.1.254}}
  postfix:
    image: postfix
    dns: [172.22.1.254]
    networks: [mail]
  lonely:
    image: x
    dns: [172.22.1.254]
    networks: [other]
  public:
    image: x
    dns: [9.9.9.9]
    networks: [other]
networks:
  mail: {ipam: {config: [{subnet: 172.22.1.0/24}]}}
  other: {}
`)
	s := New(tp)
	for _, tc := range []struct {
		from, rcode, server string
		external, reach     bool
	}{
		{"postfix", RcodeNoError, "172.22.1.254", true, true},
		{"lonely", RcodeServFail, "", false, false},
		{"public", RcodeNoError, "9.9.9.9", true, true},
	} {
		r := s.Resolve(s.Container("p-"+tc.from+"-1"), "gmail.com")
		if r.Rcode != tc.rcode || r.Server != tc.server || r.External != tc.external || len(r.Servers) != 1 || r.Servers[0].Reachable != tc.reach {
			t.Errorf("%s: rcode %s server %q external %v servers %+v; want %s %q %v reachable=%v", tc.from, r.Rcode, r.Server, r.External, r.Servers, tc.rcode, tc.server, tc.external, tc.reach)
		}
	}
	r := s.Resolve(s.Container("p-postfix-1"), "gmail.com")
	if r.Servers[0].Container != "p-unbound-1" {
		t.Errorf("server container %q, want p-unbound-1", r.Servers[0].Container)
	}
	// Project names are still answered by the embedded DNS.
	if e := s.Resolve(s.Container("p-postfix-1"), "unbound"); e.Source != SourceEmbedded || e.Server != "" {
		t.Errorf("unbound: source %s server %q", e.Source, e.Server)
	}
}
