package review

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

const allowCompose = `name: shop
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

// TestAllowListBlocksContainers: an allow-list in DOCKER-USER without -i
// is a finding only when the simulator finds a flow of the containers'
// own that it breaks (R7-20, R7-30), with the rule's line and the flow.
func TestAllowListBlocksContainers(t *testing.T) {
	cases := []struct {
		name   string
		rules  []string // DOCKER-USER rules
		daemon string
		want   []string // substrings of the one finding; nil: no finding
	}{
		{name: "R7-20 allow-list without -i drops container egress (proxy on: no container pair is forwarded)",
			rules: []string{"! -s 192.168.1.0/24 -j DROP"},
			want:  []string{"fw.txt:3:1", "-A DOCKER-USER ! -s 192.168.1.0/24 -j DROP has no -i", "e.g. shop-admin-1 -> the internet on 443/tcp (container egress)", "fix: restrict it to traffic from outside with -i eth0"}},
		{name: "R7-30 without the userland proxy it drops a pair of containers too",
			rules: []string{"! -s 192.168.1.0/24 -j DROP"}, daemon: "userland-proxy: false",
			want: []string{"fw.txt:3:1", "e.g. shop-db-1 -> shop-web-1:80 (172.19.0.3, on shop_front); shop-admin-1 -> the internet on 443/tcp"}},
		{name: "R7-20 with -i eth0 it is fine",
			rules: []string{"-i eth0 ! -s 192.168.1.0/24 -m conntrack --ctstate NEW -j DROP"}},
		{name: "R7-20 an earlier accept of the bridges' traffic keeps it fine",
			rules: []string{"-i br-+ -j RETURN", "-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN", "! -s 192.168.1.0/24 -j DROP"}},
		{name: "R7-20 a rule that never matches the containers' traffic is no finding",
			rules: []string{"! -s 172.16.0.0/12 -d 192.168.1.0/24 -j DROP"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			fw := "*filter\n:DOCKER-USER - [0:0]\n"
			for _, r := range tc.rules {
				fw += "-A DOCKER-USER " + r + "\n"
			}
			fw += "COMMIT\n"
			host := "interfaces:\n  - {name: eth0, addresses: [192.168.1.10/24]}\nfirewall:\n  iptables-save: fw.txt\n"
			if tc.daemon != "" {
				host += "daemon:\n  " + tc.daemon + "\n"
			}
			for n, c := range map[string]string{"compose.yaml": allowCompose, "host.yaml": host, "fw.txt": fw} {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			tp, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{}, HostFile: "host.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range Lint(tp) {
				if f.Code == CodeFWAllowList {
					got = append(got, f.Position+" "+f.Message+" fix: "+f.Fix)
				}
			}
			if tc.want == nil {
				if len(got) != 0 {
					t.Errorf("want no %s finding, got %q", CodeFWAllowList, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("want one %s finding, got %q", CodeFWAllowList, got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got[0], w) {
					t.Errorf("finding %q lacks %q", got[0], w)
				}
			}
		})
	}
}
