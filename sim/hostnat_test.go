package sim

import (
	"slices"
	"strings"
	"testing"
)

// natCompose: web and db share front (db publishes 5432), admin is alone
// on back.
const natCompose = `name: shop
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
  admin:
    image: adminer
    networks: [back]
networks:
  front: {}
  back: {}
`

// TestRawNatAndForwardedPublished covers the operator's raw and nat rules
// (R7-28, R7-29) and DOCKER-USER on published ports reached from
// containers without the userland proxy (R7-30).
func TestRawNatAndForwardedPublished(t *testing.T) {
	cases := []struct {
		name    string
		raw     string // *raw PREROUTING rules
		nat     string // *nat rules (with -A CHAIN)
		du      string // DOCKER-USER rules
		daemon  string
		from    string
		to      string
		port    uint16
		want    Verdict
		wantIDs []string
		pos     string // blocker position
		note    string
	}{
		{name: "R7-28 a raw PREROUTING drop by source blocks a published port",
			raw:  "-A PREROUTING -s 203.0.113.0/24 -j DROP",
			from: "internet", to: "host", port: 8080, want: RawBlocked, wantIDs: []string{"R7-28"}, pos: "fw.txt:2:1"},
		{name: "R7-28 the LAN client passes the same raw rule",
			raw:  "-A PREROUTING -s 203.0.113.0/24 -j DROP",
			from: "192.168.1.50", to: "host", port: 8080, want: Delivered},
		{name: "R7-28 raw sees the host port, before DNAT",
			raw:  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DROP",
			from: "internet", to: "host", port: 8080, want: RawBlocked},
		{name: "R7-28 raw never sees the container port of a published port",
			raw:  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 -j DROP",
			from: "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-28 ctstate NEW never matches in raw (no connection yet)",
			raw:  "-A PREROUTING -m conntrack --ctstate NEW -j DROP",
			from: "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-28 ctstate INVALID matches everything in raw",
			raw:  "-A PREROUTING -i eth0 -m conntrack --ctstate INVALID -j DROP",
			from: "internet", to: "host", port: 8080, want: RawBlocked},
		{name: "R7-28 --ctorigdstport never matches in raw",
			raw:  "-A PREROUTING -m conntrack --ctorigdstport 8080 -j DROP",
			from: "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-28 raw drops the replies of container egress",
			raw:  "-A PREROUTING -i eth0 -p tcp -m tcp --sport 443 -j DROP",
			from: "web", to: "internet", port: 443, want: RawBlocked, wantIDs: []string{"R7-28", "R7-23"}},
		{name: "R7-28 raw drops container egress",
			raw:  "-A PREROUTING -i br-+ -d 198.51.100.0/24 -j DROP",
			from: "web", to: "198.51.100.9", port: 443, want: RawBlocked},
		{name: "R7-28 raw drops a host listener's traffic",
			raw:  "-A PREROUTING -p tcp -m tcp --dport 22 -j DROP",
			from: "internet", to: "host", port: 22, want: RawBlocked},
		{name: "R7-28 CT --notrack makes the answer uncertain",
			raw:  "-A PREROUTING -p tcp -m tcp --dport 8080 -j CT --notrack",
			from: "internet", to: "host", port: 8080, want: Delivered, wantIDs: []string{"R7-25"}, note: "uses -j CT"},
		{name: "R7-28 Docker's own raw rules are not evaluated twice",
			raw:  "-A PREROUTING -d 172.18.0.3/32 ! -i br-9f8e7d6c5b4a -j DROP",
			from: "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-29 a REDIRECT before Docker's jump makes a published port uncertain",
			nat:  "-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 8081\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
			from: "internet", to: "host", port: 8080, want: Delivered, wantIDs: []string{"R7-29"}, note: "-j REDIRECT to 8081"},
		{name: "R7-29 after Docker's jump it never sees a published port",
			nat:  "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 8081",
			from: "internet", to: "host", port: 8080, want: Delivered},
		{name: "R7-29 a RETURN before Docker's jump ends nat PREROUTING",
			nat:  "-A PREROUTING -s 203.0.113.0/24 -j RETURN\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
			from: "internet", to: "host", port: 8080, want: Delivered, note: "Docker's DNAT would not apply"},
		{name: "R7-29 a transparent proxy for container egress",
			nat:  "-A PREROUTING -i br-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 3128",
			from: "web", to: "internet", port: 80, want: Delivered, wantIDs: []string{"R7-29"}, note: "nat PREROUTING"},
		{name: "R7-29 an SNAT before Docker's MASQUERADE",
			nat:  "-A POSTROUTING -s 172.16.0.0/12 -o eth0 -j SNAT --to-source 192.168.1.99\n-A POSTROUTING -s 172.19.0.0/16 ! -o br-9f8e7d6c5b4a -j MASQUERADE",
			from: "web", to: "internet", port: 443, want: Delivered, note: "-j SNAT to 192.168.1.99"},
		{name: "R7-29 after Docker's MASQUERADE it does not apply",
			nat:  "-A POSTROUTING -s 172.19.0.0/16 ! -o br-9f8e7d6c5b4a -j MASQUERADE\n-A POSTROUTING -s 172.16.0.0/12 -o eth0 -j SNAT --to-source 192.168.1.99",
			from: "web", to: "internet", port: 443, want: Delivered},
		{name: "R7-29 nat OUTPUT before Docker's jump: a connection the host opens",
			nat:  "-A OUTPUT -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80\n-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER",
			from: "host", to: "192.168.1.10", port: 8080, want: Delivered, wantIDs: []string{"R7-29"}, note: "nat OUTPUT -A OUTPUT -p tcp -m tcp --dport 8080 -j DNAT"},
		{name: "R7-30 userland proxy off: a hairpin connection is forwarded and DOCKER-USER sees it",
			du: "! -s 192.168.1.0/24 -j DROP", daemon: "userland-proxy=false",
			from: "web", to: "host", port: 5432, want: DockerUserBlocked, wantIDs: []string{"R7-30", "R7-20"}},
		{name: "R7-30 with -i eth0 the allow-list leaves the hairpin alone",
			du: "-i eth0 ! -s 192.168.1.0/24 -j DROP", daemon: "userland-proxy=false",
			from: "web", to: "host", port: 5432, want: Delivered},
		{name: "R7-30 userland proxy on: docker-proxy serves it, DOCKER-USER never sees it",
			du:   "! -s 192.168.1.0/24 -j DROP",
			from: "web", to: "host", port: 5432, want: Delivered},
		{name: "R7-30 an ACCEPT in DOCKER-USER opens a path between networks without the proxy",
			du: "-i br-+ -o br-+ -j ACCEPT", daemon: "userland-proxy=false",
			from: "admin", to: "host", port: 5432, want: Delivered, note: "opens a path between Docker networks"},
		{name: "R7-30 without it Docker's isolation drops it",
			du: "-i eth0 -j DROP", daemon: "userland-proxy=false",
			from: "admin", to: "host", port: 5432, want: DroppedIsolation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fw := ""
			if tc.raw != "" {
				fw += "*raw\n" + tc.raw + "\nCOMMIT\n"
			}
			if tc.nat != "" {
				fw += "*nat\n" + tc.nat + "\nCOMMIT\n"
			}
			fw += "*filter\n:DOCKER-USER - [0:0]\n"
			if tc.du != "" {
				fw += "-A DOCKER-USER " + tc.du + "\n"
			}
			fw += "COMMIT\n"
			host := "listeners: [\"22/tcp\"]\ninterfaces:\n  - {name: eth0, addresses: [192.168.1.10/24]}\nfirewall:\n  iptables-save: fw.txt\n"
			if tc.daemon != "" {
				k, v, _ := strings.Cut(tc.daemon, "=")
				host += "daemon:\n  " + k + ": " + v + "\n"
			}
			top := loadWithHost(t, natCompose, host, map[string]string{"fw.txt": fw})
			r := New(top).Reach(Query{From: tc.from, To: tc.to, Port: tc.port, Protocol: "tcp"})
			if r.Verdict != tc.want {
				t.Fatalf("verdict %s, want %s (%s; %v; notes %q)", r.Verdict, tc.want, r.Reason, r.BlockedBy, r.Notes)
			}
			for _, id := range tc.wantIDs {
				if !slices.Contains(r.Rules, id) {
					t.Errorf("rules %v lack %s", r.Rules, id)
				}
			}
			if tc.pos != "" && (len(r.BlockedBy) == 0 || r.BlockedBy[0].Position != tc.pos) {
				t.Errorf("blocker %v, want at %s", r.BlockedBy, tc.pos)
			}
			if tc.note != "" && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q lack %q", r.Notes, tc.note)
			}
			if tc.note == "" && tc.want == Delivered && slices.ContainsFunc(r.Notes, func(n string) bool { return strings.HasPrefix(n, "uncertain") }) {
				t.Errorf("unexpected uncertain note: %q", r.Notes)
			}
		})
	}
}
