package sim

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// loadWithHost loads compose YAML with a host description.
func loadWithHost(t *testing.T, compose, host string, files map[string]string) *topology.Topology {
	t.Helper()
	dir := t.TempDir()
	files["compose.yaml"] = compose
	files["host.yaml"] = host
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{}, HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	return top
}

const fwCompose = `name: shop
services:
  web:
    image: nginx
    ports: ["8080:80"]
    networks: [front]
    x-composenet: {listen: ["80/tcp"]}
  db:
    image: postgres
    ports: ["5432:5432"]
    networks: [front]
    x-composenet: {listen: ["5432/tcp"]}
networks:
  front: {}
`

func TestDockerUserAndInput(t *testing.T) {
	cases := []struct {
		name    string
		rules   string // docker-user: and input: entries of the host description
		daemon  string
		from    string
		to      string
		port    uint16
		want    Verdict
		wantIDs []string // in Result.Rules
		sees    string   // substring of ClientSees
		errno   Errno    // ClientError; ETIMEDOUT when blocked and unset
		note    string   // substring of a note
	}{
		{name: "R7-22 allow-list by source: internet client dropped after DNAT",
			rules: `docker-user: ["-i eth0 ! -s 192.168.1.0/24 -p tcp -m conntrack --ctorigdstport 5432 --ctdir ORIGINAL -j DROP"]`,
			from:  "internet", to: "host", port: 5432, want: DockerUserBlocked, wantIDs: []string{"R7-20"}, sees: "times out"},
		{name: "R7-22 allow-list by source: LAN client passes",
			rules: `docker-user: ["-i eth0 ! -s 192.168.1.0/24 -p tcp -m conntrack --ctorigdstport 5432 --ctdir ORIGINAL -j DROP"]`,
			from:  "192.168.1.50", to: "host", port: 5432, want: Delivered},
		{name: "R7-22 --dport on the host port never matches after DNAT",
			rules: `docker-user: ["-p tcp --dport 8080 -j DROP"]`,
			from:  "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-22 --dport on the container port matches",
			rules: `docker-user: ["-p tcp --dport 80 -j REJECT --reject-with tcp-reset"]`,
			from:  "internet", to: "host", port: 8080, want: DockerUserBlocked, sees: "RST", errno: ErrConnRefused},
		{name: "R7-21 REJECT default answers port unreachable",
			rules: `docker-user: ["-p tcp -m conntrack --ctorigdstport 8080 -j REJECT"]`,
			from:  "internet", to: "host", port: 8080, want: DockerUserBlocked, sees: "ECONNREFUSED", errno: ErrConnRefused},
		{name: "R7-21 REJECT icmp-host-prohibited on egress is EHOSTUNREACH",
			rules: `docker-user: ["-i br-+ -d 192.168.0.0/16 -j REJECT --reject-with icmp-host-prohibited"]`,
			from:  "web", to: "192.168.1.20", port: 22, want: DockerUserBlocked, sees: "EHOSTUNREACH", errno: ErrHostUnreach},
		{name: "R7-21 REJECT icmp-net-unreachable is ENETUNREACH",
			rules: `docker-user: ["-p tcp -m conntrack --ctorigdstport 8080 -j REJECT --reject-with icmp-net-unreachable"]`,
			from:  "internet", to: "host", port: 8080, want: DockerUserBlocked, sees: "ENETUNREACH", errno: ErrNetUnreach},
		{name: "R7-21 RETURN goes back to Docker's chains",
			rules: `docker-user: ["-j RETURN", "-j DROP"]`,
			from:  "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-21 jump to a user chain decides",
			rules: "docker-user: [\"-i eth0 -j FILTERS\", \"-A FILTERS -p tcp --dport 5432 -j DROP\"]",
			from:  "internet", to: "host", port: 5432, want: DockerUserBlocked},
		{name: "R7-23 egress replies dropped without an ESTABLISHED accept",
			rules: `docker-user: ["-i eth0 -j DROP"]`,
			from:  "web", to: "internet", port: 443, want: DockerUserBlocked, wantIDs: []string{"R7-23"}},
		{name: "R7-23 egress works with an ESTABLISHED accept first",
			rules: `docker-user: ["-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-i eth0 -j DROP"]`,
			from:  "web", to: "internet", port: 443, want: Delivered},
		{name: "R7-20 blocking container egress to the LAN",
			rules: `docker-user: ["-i br-+ -d 192.168.0.0/16 -j DROP"]`,
			from:  "web", to: "192.168.1.20", port: 22, want: DockerUserBlocked},
		{name: "R7-20 same bridge without br_netfilter is not seen",
			rules: `docker-user: ["-j DROP"]`,
			from:  "web", to: "db", port: 5432, want: Delivered, note: "br_netfilter is not active"},
		{name: "R7-20 same bridge with br_netfilter (userland proxy off) is seen",
			rules:  `docker-user: ["! -s 192.168.1.0/24 -j DROP"]`,
			daemon: "userland-proxy=false",
			from:   "web", to: "db", port: 5432, want: DockerUserBlocked},
		{name: "R7-24 INPUT rule on a published port does not apply",
			rules: `input: ["-p tcp --dport 8080 -j DROP"]`,
			from:  "internet", to: "host", port: 8080, want: Delivered, wantIDs: []string{"R7-24"}, note: "does not apply"},
		{name: "R7-25 unsupported match makes the answer uncertain",
			rules: `docker-user: ["-m set --match-set bad src -j DROP"]`,
			from:  "internet", to: "host", port: 8080, want: Delivered, wantIDs: []string{"R7-25"}, note: "uncertain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := "firewall:\n  " + strings.ReplaceAll(tc.rules, "\n", "\n  ") + "\n"
			if tc.daemon != "" {
				k, v, _ := strings.Cut(tc.daemon, "=")
				host += "daemon:\n  " + k + ": " + v + "\n"
			}
			top := loadWithHost(t, fwCompose, host, map[string]string{})
			r := New(top).Reach(Query{From: tc.from, To: tc.to, Port: tc.port, Protocol: "tcp"})
			if r.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s (%s; %v)", r.Verdict, tc.want, r.Reason, r.BlockedBy)
			}
			for _, id := range tc.wantIDs {
				if !slices.Contains(r.Rules, id) {
					t.Errorf("rules %v lack %s", r.Rules, id)
				}
			}
			if tc.sees != "" && !strings.Contains(r.ClientSees, tc.sees) {
				t.Errorf("client sees %q, want %q in it", r.ClientSees, tc.sees)
			}
			wantErr := tc.errno
			if wantErr == "" && tc.want == DockerUserBlocked {
				wantErr = ErrTimedOut
			}
			if r.ClientError != wantErr {
				t.Errorf("client error %q, want %q", r.ClientError, wantErr)
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q lack %q", r.Notes, tc.note)
			}
			if tc.want == DockerUserBlocked {
				if len(r.BlockedBy) == 0 || !strings.HasPrefix(r.BlockedBy[0].Position, "host.yaml:") {
					t.Errorf("blocker %v should point at the rule in host.yaml", r.BlockedBy)
				}
			}
		})
	}
}

// TestHostFirewallIptablesSave: the bundled example's iptables-save file.
func TestHostFirewallIptablesSave(t *testing.T) {
	top, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: "../examples/firewall", Env: []string{}, HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	s := New(top)
	r := s.Reach(Query{From: "internet", To: "host", Port: 5432})
	if r.Verdict != DockerUserBlocked || r.BlockedBy[0].Position != "iptables-save.txt:11:1" {
		t.Fatalf("internet -> host:5432: %s %v", r.Verdict, r.BlockedBy)
	}
	if r := s.Reach(Query{From: "192.168.1.50", To: "host", Port: 5432}); r.Verdict != Delivered {
		t.Fatalf("LAN -> host:5432: %s", r.Verdict)
	}
	if r := s.Reach(Query{From: "internet", To: "host", Port: 8080}); r.Verdict != Delivered {
		t.Fatalf("internet -> host:8080 (the --dport 8080 mistake): %s", r.Verdict)
	}
}

// TestTraceNamesTheHostInterface: the trace names the host interface the
// host description puts on the client's link, not a fixed eth0: inbound
// to a published port (R7-9) arrives on it and egress to an address on
// that link leaves through it, on the link rather than by the default
// route (R7-8). The internet still uses the first interface.
func TestTraceNamesTheHostInterface(t *testing.T) {
	host := "interfaces:\n  - {name: wan0, addresses: [203.0.113.10/24]}\n  - {name: cnlan0h, addresses: [198.18.0.1/29]}\n"
	top := loadWithHost(t, fwCompose, host, map[string]string{})
	s := New(top)
	cases := []struct {
		from, to string
		port     uint16
		want     []string // hop texts, in order
	}{
		{"198.18.0.2", "198.18.0.1", 8080, []string{"remote client -> host cnlan0h"}},
		{"web", "198.18.0.2", 443, []string{"forward to 198.18.0.2 on the link of cnlan0h", "host cnlan0h"}},
		{"web", "internet", 443, []string{"via the host's default route", "host wan0"}},
		{"internet", "203.0.113.10", 8080, []string{"remote client -> host wan0"}},
	}
	for _, tc := range cases {
		r := s.Reach(Query{From: tc.from, To: tc.to, Port: tc.port, Protocol: "tcp"})
		var text []string
		for _, h := range r.Hops {
			text = append(text, h.Node+" "+h.Detail)
		}
		all := strings.Join(text, "\n")
		at := 0
		for _, w := range tc.want {
			i := strings.Index(all[at:], w)
			if i < 0 {
				t.Errorf("%s -> %s:%d: %q not found in order in\n%s", tc.from, tc.to, tc.port, w, all)
				break
			}
			at += i + len(w)
		}
		if strings.Contains(all, "host eth0") {
			t.Errorf("%s -> %s:%d names eth0, which the host does not have:\n%s", tc.from, tc.to, tc.port, all)
		}
	}
}

// TestInternetStandInAvoidsLocalPrefixes (R7-26): the stand-in internet
// client is the first documentation address that no host interface and
// no Docker subnet holds, so a host whose LAN is 203.0.113.0/24 does not
// see "the internet" arrive on its LAN interface, and a DOCKER-USER rule
// written for that LAN does not drop the internet.
func TestInternetStandInAvoidsLocalPrefixes(t *testing.T) {
	cases := []struct {
		name       string
		ifaces     string
		want       string
		wantOnLink bool
		from       string
		verdict    Verdict
	}{
		{name: "default host: TEST-NET-3, a concrete address that a -s 203.0.113.0/24 rule matches",
			ifaces: "  - {name: eth0, addresses: [192.168.1.10/24]}\n", want: "203.0.113.7", from: "internet", verdict: DockerUserBlocked},
		{name: "LAN in TEST-NET-3: TEST-NET-2 stands in, the LAN rule does not drop it",
			ifaces: "  - {name: wan0, addresses: [192.168.1.10/24]}\n  - {name: lan0, addresses: [203.0.113.1/24]}\n", want: "198.51.100.7", from: "internet", verdict: Delivered},
		{name: "the LAN client itself is still dropped",
			ifaces: "  - {name: wan0, addresses: [192.168.1.10/24]}\n  - {name: lan0, addresses: [203.0.113.1/24]}\n", want: "198.51.100.7", from: "203.0.113.50", verdict: DockerUserBlocked},
		{name: "every documentation range on a link: the first is kept, with a note",
			ifaces: "  - {name: lan0, addresses: [203.0.113.1/24, 198.51.100.1/24, 192.0.2.1/24]}\n", want: "203.0.113.7", wantOnLink: true, from: "internet", verdict: DockerUserBlocked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			host := "interfaces:\n" + tc.ifaces + "firewall:\n  docker-user: [\"-s 203.0.113.0/24 -j DROP\"]\n"
			s := New(loadWithHost(t, fwCompose, host, map[string]string{}))
			if got := s.InternetClient().String(); got != tc.want {
				t.Errorf("InternetClient() = %s, want %s", got, tc.want)
			}
			r := s.Reach(Query{From: tc.from, To: "host", Port: 8080, Protocol: "tcp"})
			if r.Verdict != tc.verdict {
				t.Errorf("%s -> host:8080 = %s, want %s", tc.from, r.Verdict, tc.verdict)
			}
			noted := slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "stand-in internet address") })
			if noted != (tc.wantOnLink && tc.from == "internet") {
				t.Errorf("note about the stand-in: %v, want %v; notes %q", noted, tc.wantOnLink, r.Notes)
			}
		})
	}
}
