package sim

import (
	"strings"
	"testing"
)

// dnsCase is one lookup against a loaded compose file.
type dnsCase struct {
	name, yaml, from, q string
	daemon              []string
	rcode, source, net  string
	answers             string // comma-separated IPs
	answerCtr           string // container of the first answer, if checked
	count               int    // number of answers, if checked
}

func TestDNSRules(t *testing.T) {
	const twoNets = `services:
  c:
    image: x
    networks: [back, front]
  cache1:
    image: x
    networks:
      back: {aliases: [cache]}
  cache2:
    image: x
    networks:
      front: {aliases: [cache]}
networks: {back: {}, front: {}}
`
	cases := []dnsCase{
		{name: "R6-3 service name", yaml: "services:\n  a: {image: x}\n  b: {image: x}\n", from: "a", q: "b", rcode: RcodeNoError, source: SourceEmbedded, net: "default", answerCtr: "p-b-1"},
		{name: "R6-3 container_name", yaml: "services:\n  a: {image: x}\n  b: {image: x, container_name: bee}\n", from: "a", q: "bee", rcode: RcodeNoError, source: SourceEmbedded, net: "default", answerCtr: "bee"},
		{name: "R6-3 hostname registered", yaml: "services:\n  a: {image: x}\n  b: {image: x, hostname: bhost}\n", from: "a", q: "bhost", rcode: RcodeNoError, source: SourceEmbedded, answerCtr: "p-b-1"},
		{name: "R6-3 domainname is not a name", yaml: "services:\n  a: {image: x}\n  b: {image: x, hostname: bh, domainname: corp.example}\n", from: "a", q: "bh.corp.example", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-6 replicas merge", yaml: "services:\n  a: {image: x}\n  b: {image: x, deploy: {replicas: 3}}\n", from: "a", q: "b", rcode: RcodeNoError, source: SourceEmbedded, count: 3},
		{name: "R6-6 alias equal to service name merges", yaml: "services:\n  a: {image: x}\n  b: {image: x}\n  c:\n    image: x\n    networks:\n      default: {aliases: [b]}\n", from: "a", q: "b", rcode: RcodeNoError, source: SourceEmbedded, count: 2},
		{name: "R6-7 one network answers, never merged", yaml: twoNets, from: "c", q: "cache", rcode: RcodeNoError, source: SourceEmbedded, net: "back", answerCtr: "p-cache1-1"},
		{name: "R6-7 case-insensitive and trailing dot", yaml: twoNets, from: "c", q: "CACHE.", rcode: RcodeNoError, source: SourceEmbedded, net: "back"},
		{name: "R6-8 name.network restricts", yaml: twoNets, from: "c", q: "cache.p_front", rcode: RcodeNoError, source: SourceEmbedded, net: "front", answerCtr: "p-cache2-1"},
		{name: "R6-8 compose key is not a network name", yaml: twoNets, from: "c", q: "cache.front", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-9 unknown single label forwarded NXDOMAIN", yaml: "services:\n  a: {image: x}\n", from: "a", q: "nosuch", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-9 public name external", yaml: "services:\n  a: {image: x}\n", from: "a", q: "example.com", rcode: RcodeNoError, source: SourceUpstream},
		{name: "R6-9 explicit ndots NODATA", yaml: "services:\n  a: {image: x, dns_opt: [\"ndots:2\"]}\n", from: "a", q: "nosuch", rcode: RcodeNoError, source: SourceEmbedded},
		{name: "R6-11 internal-only SERVFAIL", yaml: "services:\n  a: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "a", q: "example.com", rcode: RcodeServFail, source: SourceEmbedded},
		{name: "R6-11 internal peers still resolve", yaml: "services:\n  a: {image: x, networks: [in]}\n  b: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "a", q: "b", rcode: RcodeNoError, source: SourceEmbedded},
		{name: "R6-11 joining a non-internal network restores forwarding", yaml: "services:\n  a: {image: x, networks: [in, out]}\nnetworks: {in: {internal: true}, out: {}}\n", from: "a", q: "example.com", rcode: RcodeNoError, source: SourceUpstream},
		{name: "R6-14 link alias", yaml: "services:\n  a: {image: x, links: [\"b:bee\"]}\n  b: {image: x}\n", from: "a", q: "bee", rcode: RcodeNoError, source: SourceEmbedded, answerCtr: "p-b-1"},
		{name: "R6-14 link alias only from the linker", yaml: "services:\n  a: {image: x, links: [\"b:bee\"]}\n  b: {image: x}\n  c: {image: x}\n", from: "c", q: "bee", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-14 link across networks does not resolve", yaml: "services:\n  a: {image: x, links: [\"b:bee\"], networks: [one]}\n  b: {image: x, networks: [two]}\nnetworks: {one: {}, two: {}}\n", from: "a", q: "bee", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-15 extra_hosts shadows embedded DNS", yaml: "services:\n  a: {image: x, extra_hosts: [\"b=10.9.9.9\"]}\n  b: {image: x}\n", from: "a", q: "b", rcode: RcodeNoError, source: SourceHosts, answers: "10.9.9.9"},
		{name: "R6-15 host-gateway", yaml: "services:\n  a: {image: x, extra_hosts: [\"host.docker.internal:host-gateway\"]}\n", from: "a", q: "host.docker.internal", rcode: RcodeNoError, source: SourceHosts, answers: "172.17.0.1"},
		{name: "R6-15 host.docker.internal absent on Linux", yaml: "services:\n  a: {image: x}\n", from: "a", q: "host.docker.internal", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-16 default bridge has no embedded DNS", yaml: "services:\n  a: {image: x, network_mode: bridge}\n  b: {image: x, network_mode: bridge}\n", from: "a", q: "b", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-17 service: uses the provider's view", yaml: "services:\n  a: {image: x}\n  side: {image: x, network_mode: \"service:a\"}\n  b: {image: x}\n", from: "side", q: "b", rcode: RcodeNoError, source: SourceEmbedded, answerCtr: "p-b-1"},
		{name: "R6-17 service: sharer has no name", yaml: "services:\n  a: {image: x}\n  side: {image: x, network_mode: \"service:a\"}\n  b: {image: x}\n", from: "b", q: "side", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-17 host mode uses the host resolver", yaml: "services:\n  a: {image: x, network_mode: host}\n  b: {image: x}\n", from: "a", q: "b", rcode: RcodeNXDomain, source: SourceUpstream},
		{name: "R6-17 none has no resolver", yaml: "services:\n  a: {image: x, network_mode: none}\n", from: "a", q: "example.com", rcode: RcodeServFail, source: SourceNone},
		{name: "R5-6 localhost from /etc/hosts", yaml: "services:\n  a: {image: x}\n", from: "a", q: "localhost", rcode: RcodeNoError, source: SourceHosts, answers: "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := loadYAML(t, "p", tc.yaml, tc.daemon...)
			s := New(top)
			from := s.findContainer(tc.from)
			if from == nil {
				t.Fatalf("no container %s", tc.from)
			}
			r := s.Resolve(from, tc.q)
			if r.Rcode != tc.rcode || r.Source != tc.source {
				t.Fatalf("%s -> %s = %s/%s %s, want %s/%s (notes %v)", tc.from, tc.q, r.Rcode, r.Source, ips(r), tc.rcode, tc.source, r.Notes)
			}
			if tc.net != "" && r.Network != tc.net {
				t.Errorf("network = %q, want %q", r.Network, tc.net)
			}
			if tc.answers != "" && ips(r) != tc.answers {
				t.Errorf("answers = %s, want %s", ips(r), tc.answers)
			}
			if tc.count != 0 && len(r.Answers) != tc.count {
				t.Errorf("answers = %s, want %d of them", ips(r), tc.count)
			}
			if tc.answerCtr != "" && (len(r.Answers) == 0 || r.Answers[0].Container != tc.answerCtr) {
				t.Errorf("answers = %+v, want container %s", r.Answers, tc.answerCtr)
			}
			if tc.rcode == RcodeNoError && tc.source == SourceUpstream && (len(r.Answers) != 0 || !r.External) {
				t.Errorf("R6-9 invented an external answer: %+v", r)
			}
		})
	}
}

type reachCase struct {
	name, yaml, from, to string
	daemon               []string
	want                 Verdict
	rule                 string // a substring one blocker's rule must hold
	fix                  string // a substring one blocker's fix must hold
	hop                  string // a substring one hop's detail must hold
}

func TestReachRules(t *testing.T) {
	const fb = "services:\n  web: {image: x, networks: [front], ports: [\"8080:80\"]}\n  worker: {image: x, networks: [jobs]}\n  api: {image: x, networks: [front]}\nnetworks: {front: {}, jobs: {}}\n"
	cases := []reachCase{
		{name: "R7-1 same network every port", yaml: fb, from: "api", to: "web:5432", want: Delivered, hop: "no NAT"},
		{name: "R7-1 same network udp", yaml: fb, from: "api", to: "web:53/udp", want: Delivered},
		{name: "R7-2 different networks by IP", yaml: fb, from: "worker", to: "172.18.0.2:80", want: DroppedIsolation, rule: "raw PREROUTING", fix: "attach worker to network front"},
		{name: "R7-2 different networks by name", yaml: fb, from: "worker", to: "web:80", want: NameNotResolved, fix: "attach worker to network front"},
		{name: "R7-3 cross-network via published port", yaml: fb, from: "worker", to: "host:8080", want: Delivered, hop: "gateway of p_front, via docker-proxy"},
		{name: "R7-3 via docker0 gateway", yaml: fb, from: "worker", to: "172.17.0.1:8080", want: Delivered},
		{name: "R7-3 proxy off cross-network fails", yaml: fb, daemon: []string{"userland-proxy=false"}, from: "worker", to: "host:8080", want: DroppedIsolation, rule: "DOCKER-ISOLATION-STAGE-2", fix: "userland-proxy"},
		{name: "R7-3 proxy off hairpin same network works", yaml: fb, daemon: []string{"userland-proxy=false"}, from: "api", to: "host:8080", want: Delivered, hop: "hairpin"},
		{name: "R7-3 no masquerade loses the RETURN rule", yaml: "services:\n  web: {image: x, networks: [front], ports: [\"8080:80\"]}\n  w: {image: x, networks: [jobs]}\nnetworks:\n  front: {}\n  jobs: {driver_opts: {com.docker.network.bridge.enable_ip_masquerade: \"false\"}}\n", from: "w", to: "host:8080", want: DroppedIsolation, fix: "enable masquerading"},
		{name: "R7-4 icc off drops peers", yaml: "services:\n  a: {image: x}\n  b: {image: x}\nnetworks:\n  default: {driver_opts: {com.docker.network.bridge.enable_icc: \"false\"}}\n", from: "a", to: "b:80", want: DroppedICC, fix: "enable_icc"},
		{name: "R7-4 icc off still reaches the published port via a host address", yaml: "services:\n  a: {image: x}\n  b: {image: x, ports: [\"8080:80\"]}\nnetworks:\n  default: {driver_opts: {com.docker.network.bridge.enable_icc: \"false\"}}\n", from: "a", to: "host:8080", want: Delivered},
		{name: "R7-4 icc off egress still works", yaml: "services:\n  a: {image: x}\nnetworks:\n  default: {driver_opts: {com.docker.network.bridge.enable_icc: \"false\"}}\n", from: "a", to: "internet:443", want: Delivered},
		{name: "R7-5 internal network has no egress", yaml: "services:\n  a: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "a", to: "internet:443", want: NoRoute, fix: "remove internal: true from in (compose.yaml:"},
		{name: "R7-5 inside an internal network works", yaml: "services:\n  a: {image: x, networks: [in]}\n  b: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "a", to: "b:80", want: Delivered},
		{name: "R7-5 internal-only ports are not published", yaml: "services:\n  a: {image: x, networks: [in], ports: [\"8080:80\"]}\nnetworks: {in: {internal: true}}\n", from: "internet", to: "host:8080", want: NotPublished},
		{name: "R7-5 host reaches internal containers", yaml: "services:\n  a: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "host", to: "a:5432", want: Delivered},
		{name: "R7-5 internal container reaches a host service on its gateway", yaml: "services:\n  a: {image: x, networks: [in]}\nnetworks: {in: {internal: true}}\n", from: "a", to: "172.18.0.1", want: Delivered},
		{name: "R7-6 host to unpublished container port", yaml: fb, from: "host", to: "api:9999", want: Delivered, hop: "locally generated"},
		{name: "R7-7 container to host firewall", yaml: fb, from: "api", to: "host:22", want: NotDockerManaged},
		{name: "R7-7 container loopback is its own", yaml: "services:\n  a: {image: x, x-composenet: {listen: [\"80\"]}}\n  b: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n", from: "a", to: "localhost:5601", want: Refused},
		{name: "R7-7 loopback-published port from a container via host address", yaml: "services:\n  a: {image: x}\n  b: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n", from: "a", to: "host:5601", want: LoopbackOnly, fix: "publish 5601 on 0.0.0.0"},
		{name: "R7-8 egress masquerade", yaml: fb, from: "api", to: "internet", want: Delivered, hop: "MASQUERADE"},
		{name: "R7-8 egress without masquerade", yaml: "services:\n  a: {image: x}\nnetworks:\n  default: {driver_opts: {com.docker.network.bridge.enable_ip_masquerade: \"false\"}}\n", from: "a", to: "internet:443", want: NoMasquerade},
		{name: "R7-8 ip-masq off", yaml: "services:\n  a: {image: x}\n", daemon: []string{"ip-masq=false"}, from: "a", to: "internet:443", want: NoMasquerade, fix: "ip-masq"},
		{name: "R7-9 LAN reaches published port", yaml: fb, from: "internet", to: "host:8080", want: Delivered, hop: "DNAT 192.168.1.10:8080 -> 172.18.0."},
		{name: "R7-9 LAN direct container address dropped", yaml: fb, from: "internet", to: "web:80", want: DroppedDirectAccess, fix: "connect to host:8080"},
		{name: "R7-9 LAN loopback-published port", yaml: "services:\n  ui: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n", from: "internet", to: "host:5601", want: LoopbackOnly, rule: "nothing listens on 192.168.1.10:5601 and the kernel answers RST"},
		{name: "R7-9 LAN unpublished port", yaml: fb, from: "internet", to: "host:9090", want: NotPublished},
		{name: "R7-9 LAN other protocol", yaml: fb, from: "internet", to: "host:8080/udp", want: NotPublished},
		{name: "R7-10 none has no network", yaml: "services:\n  a: {image: x, network_mode: none}\n  b: {image: x}\n", from: "a", to: "172.18.0.2", want: NetworkNone, fix: "remove network_mode: none"},
		{name: "R7-10 none loopback", yaml: "services:\n  a: {image: x, network_mode: none}\n", from: "a", to: "localhost:80", want: Delivered},
		{name: "R7-10 host mode reaches containers", yaml: "services:\n  a: {image: x, network_mode: host}\n  b: {image: x}\n", from: "a", to: "172.18.0.2:80", want: Delivered},
		{name: "R7-10 service: shares the provider's reach", yaml: "services:\n  a: {image: x}\n  side: {image: x, network_mode: \"service:a\"}\n  b: {image: x}\n", from: "side", to: "b:80", want: Delivered},
		{name: "R7-10 service: sharer listens at the provider's address", yaml: "services:\n  a: {image: x, x-composenet: {listen: [\"80\"]}}\n  side: {image: x, network_mode: \"service:a\", x-composenet: {listen: [\"9100\"]}}\n  b: {image: x}\n", from: "b", to: "a:9100", want: Delivered},
		{name: "R7-10 bridge mode isolated from compose networks", yaml: "services:\n  a: {image: x, network_mode: bridge}\n  b: {image: x}\n", from: "a", to: "172.18.0.2:80", want: DroppedIsolation},
		{name: "R7-11 host loopback via docker-proxy", yaml: "services:\n  ui: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n", from: "host", to: "localhost:5601", want: Delivered, hop: "docker-proxy"},
		{name: "R7-11 host IP to loopback-only binding", yaml: "services:\n  ui: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n", from: "host", to: "host:5601", want: LoopbackOnly},
		{name: "R7-11 refused when not listening", yaml: "services:\n  a: {image: x}\n  b: {image: x, x-composenet: {listen: [\"80\"]}}\n", from: "a", to: "b:81", want: Refused, rule: "80/tcp"},
		{name: "R7-11 unassigned address on own subnet", yaml: "services:\n  a: {image: x}\n", from: "a", to: "172.18.0.99", want: UnassignedAddress},
		{name: "R8-6 explicit IPv4 host_ip binds IPv4 only", yaml: "services:\n  a: {image: x, ports: [\"0.0.0.0:8080:80\"]}\n", from: "host", to: "[::1]:8080", want: NotPublished, rule: "bound only to 0.0.0.0"},
		{name: "R8-6 default binding serves IPv6 via the proxy", yaml: "services:\n  a: {image: x, ports: [\"8080:80\"]}\n", from: "host", to: "[::1]:8080", want: Delivered},
		{name: "R8-7 published through the gateway endpoint", yaml: "services:\n  api: {image: x, networks: [front, back], ports: [\"9000:9000\"]}\nnetworks: {front: {}, back: {internal: true}}\n", from: "internet", to: "host:9000", want: Delivered, hop: "172.19.0.2:9000"},
		{name: "R8-9 remote client keeps its address", yaml: fb, from: "internet", to: "host:8080", want: Delivered, hop: "remote client's own address"},
		{name: "R8-11 host mode ports discarded", yaml: "services:\n  a: {image: x, network_mode: host, ports: [\"8080:80\"]}\n", from: "internet", to: "host:8080", want: NotPublished},
		{name: "R8-11 host mode listener reachable from the LAN", yaml: "services:\n  probe: {image: x, network_mode: host, x-composenet: {listen: [\"7070\"]}}\n", from: "internet", to: "host:7070", want: Delivered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			top := loadYAML(t, "p", tc.yaml, tc.daemon...)
			r := mustQ(t, New(top), tc.from, tc.to)
			if r.Verdict != tc.want {
				t.Fatalf("%s -> %s = %s (%s), want %s\nhops %+v", tc.from, tc.to, r.Verdict, r.Reason, tc.want, r.Hops)
			}
			if r.Reachable != (tc.want == Delivered) || (len(r.BlockedBy) == 0) != r.Reachable {
				t.Errorf("reachable %v with blockers %+v", r.Reachable, r.BlockedBy)
			}
			if tc.rule != "" && !anyBlocker(r, func(b Blocker) string { return b.Rule }, tc.rule) {
				t.Errorf("no blocker rule with %q: %+v", tc.rule, r.BlockedBy)
			}
			if tc.fix != "" && !anyBlocker(r, func(b Blocker) string { return b.Fix }, tc.fix) {
				t.Errorf("no blocker fix with %q: %+v", tc.fix, r.BlockedBy)
			}
			if tc.hop != "" {
				found := false
				for _, h := range r.Hops {
					found = found || strings.Contains(h.Detail, tc.hop) || strings.Contains(h.Node, tc.hop)
				}
				if !found {
					t.Errorf("no hop with %q: %+v", tc.hop, r.Hops)
				}
			}
		})
	}
}

func anyBlocker(r Result, f func(Blocker) string, sub string) bool {
	for _, b := range r.BlockedBy {
		if strings.Contains(f(b), sub) {
			return true
		}
	}
	return false
}
