package loader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// dockerRulesWarnings loads compose with a host description whose
// iptables-save is fixture (testdata/dockerrules), edited by edit, and
// returns the R7-27 warnings as "line: CODE: message".
func dockerRulesWarnings(t *testing.T, compose, fixture string, edit func(string) string, daemon ...string) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "dockerrules", fixture))
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if edit != nil {
		text = edit(text)
	}
	write(t, dir, "fw.txt", text)
	write(t, dir, "host.yaml", "interfaces:\n  - {name: eth0, addresses: [192.168.1.10/24]}\nfirewall:\n  iptables-save: fw.txt\n")
	topo, err := loadYAML(t, dir, compose, topology.Options{HostFile: "host.yaml", Daemon: daemon})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	var out []string
	for _, w := range topo.Warnings {
		if w.Rule == "R7-27" || w.Code == "W-FIREWALL-UNSUPPORTED" {
			out = append(out, w.Pos.String()+": "+w.Code+": "+w.Message)
		}
	}
	return out
}

func shopCompose(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "dockerrules", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestDockerRulesRealisticNoWarnings: iptables-save of a host running
// exactly this project, in Engine 28's and Engine 20.10's layout, gives no
// R7-27 warning (no false alarms on realistic input).
func TestDockerRulesRealisticNoWarnings(t *testing.T) {
	compose := shopCompose(t)
	// Engine 28 without the userland proxy (appendix A's variant): OUTPUT
	// DNATs loopback too, no RETURN for bridges, DNAT without ! -i, the
	// --src-type LOCAL and own-port MASQUERADE rules.
	noProxy := func(s string) string {
		r := strings.NewReplacer(
			"-A OUTPUT ! -d 127.0.0.0/8 -m addrtype", "-A OUTPUT -m addrtype",
			"-A DOCKER -i br-9f8e7d6c5b4a -j RETURN\n", "",
			"-A DOCKER -i docker0 -j RETURN\n", "",
			"-A DOCKER -d 127.0.0.1/32 ! -i br-9f8e7d6c5b4a -p tcp", "-A DOCKER -d 127.0.0.1/32 -p tcp",
			"-A DOCKER ! -i br-9f8e7d6c5b4a -p tcp -m tcp --dport 8080", "-A DOCKER -p tcp -m tcp --dport 8080",
			"-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n", "-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\n"+
				"-A POSTROUTING -o br-9f8e7d6c5b4a -m addrtype --src-type LOCAL -j MASQUERADE\n"+
				"-A POSTROUTING -o docker0 -m addrtype --src-type LOCAL -j MASQUERADE\n"+
				"-A POSTROUTING -s 172.19.0.3/32 -d 172.19.0.3/32 -p tcp -m tcp --dport 80 -j MASQUERADE\n")
		return r.Replace(s)
	}
	for _, tc := range []struct {
		fixture string
		edit    func(string) string
		daemon  []string
	}{
		{"engine28.txt", nil, nil},
		{"engine20.txt", nil, []string{"engine=20.10"}},
		{"engine28.txt", noProxy, []string{"userland-proxy=false"}},
	} {
		if got := dockerRulesWarnings(t, compose, tc.fixture, tc.edit, tc.daemon...); len(got) != 0 {
			t.Errorf("R7-27 %s: want no warnings, got:\n%s", tc.fixture, strings.Join(got, "\n"))
		}
	}
}

func TestDockerRulesDifferences(t *testing.T) {
	shop := shopCompose(t)
	replace := func(old, new string) func(string) string {
		return func(s string) string {
			if !strings.Contains(s, old) {
				t.Fatalf("fixture lacks %q", old)
			}
			return strings.ReplaceAll(s, old, new)
		}
	}
	tests := []struct {
		name    string
		compose string
		fixture string
		edit    func(string) string
		daemon  []string
		want    []string // substrings, one per warning, in order
	}{
		{name: "R7-27 other projects and hand-started containers are not from this project", compose: shop, fixture: "crowded.txt",
			want: []string{
				"fw.txt:10:1: W-DOCKER-RULES-FOREIGN: bridge br-0c4e5f6a7b8c (172.20.0.0/16) is not from this project",
				"fw.txt:75:1: W-DOCKER-RULES-FOREIGN: nat DOCKER DNAT of host port 8081/tcp to 172.20.0.2:80 is not from this project",
				"fw.txt:76:1: W-DOCKER-RULES-FOREIGN: nat DOCKER DNAT of host port 6379/tcp to 172.17.0.2:6379 is not from this project",
			}},
		{name: "R7-27 Engine 28 layout while modelling 20.10", compose: shop, fixture: "engine28.txt", daemon: []string{"engine=20.10"},
			want: []string{"fw.txt:32:1: W-DOCKER-RULES-DIFFER: Docker's rules have Engine 28's layout (a DOCKER-FORWARD chain), but composenet models Engine 20.10"}},
		{name: "R7-27 pre-28 layout while modelling 28", compose: shop, fixture: "engine20.txt",
			want: []string{"fw.txt:30:1: W-DOCKER-RULES-DIFFER: Docker's rules have the layout of an engine before 28.0"}},
		{name: "R7-27 userland proxy off on the host", compose: shop, fixture: "engine28.txt",
			edit: replace("-A OUTPUT ! -d 127.0.0.0/8 -m addrtype", "-A OUTPUT -m addrtype"),
			want: []string{"fw.txt:55:1: W-DOCKER-RULES-DIFFER: nat OUTPUT DNATs loopback too (-A OUTPUT -m addrtype --dst-type LOCAL -j DOCKER): the host's daemon runs with userland-proxy=false"}},
		{name: "R7-27 the project is not running", compose: "name: other\nservices:\n  app:\n    image: x\n    ports: [\"3000:3000\"]\n    networks: [n]\nnetworks:\n  n:\n    ipam: {config: [{subnet: 10.5.0.0/24}]}\n", fixture: "engine28.txt",
			want: []string{"fw.txt:5:1: W-DOCKER-RULES-ABSENT: fw.txt holds Docker's rules but none of this project's (no bridge for other_n (10.5.0.0/24), 3000/tcp of other-app-1)"}},
		{name: "R7-27 a network with another subnet on the host (tied by its DNAT)", compose: strings.Replace(shop, "  front: {}", "  front:\n    ipam: {config: [{subnet: 172.30.0.0/16}]}", 1), fixture: "engine28.txt",
			want: []string{"fw.txt:56:1: W-DOCKER-RULES-DIFFER: network shop_front is 172.19.0.0/16 on this host (bridge br-9f8e7d6c5b4a), but composenet predicts 172.30.0.0/16"}},
		{name: "R7-27 a published port without its DNAT", compose: strings.Replace(shop, `ports: ["8080:80"]`, `ports: ["8080:80", "8443:443"]`, 1), fixture: "engine28.txt",
			want: []string{"fw.txt:53:1: W-DOCKER-RULES-MISSING: shop-web-1 publishes 0.0.0.0:8443->443/tcp, [::]:8443->443/tcp, but nat DOCKER has no DNAT for host port 8443/tcp"}},
		{name: "R7-27 the DNAT goes to another container port", compose: strings.Replace(shop, `ports: ["8080:80"]`, `ports: ["8080:8000"]`, 1), fixture: "engine28.txt",
			want: []string{"fw.txt:61:1: W-DOCKER-RULES-DIFFER: host port 8080/tcp goes to 172.19.0.3:80 on this host, but shop-web-1 publishes it to container port 8000"}},
		{name: "R7-27 icc off in the compose file, on on the host", compose: strings.Replace(shop, "  front: {}", "  front:\n    driver_opts: {com.docker.network.bridge.enable_icc: \"false\"}", 1), fixture: "engine28.txt",
			want: []string{"fw.txt:37:1: W-DOCKER-RULES-DIFFER: bridge br-9f8e7d6c5b4a of network shop_front lets its containers talk to each other (icc on), but the compose file turns icc off"}},
		{name: "R7-27 internal on the host, not in the compose file", compose: strings.Replace(shop, "  back: {internal: true}", "  back: {}", 1), fixture: "engine28.txt",
			want: []string{"fw.txt:36:1: W-DOCKER-RULES-FOREIGN: bridge br-1a2b3c4d5e6f (172.18.0.0/16) is not from this project: another project's network or one created by hand, which composenet does not know; it holds the subnet composenet predicts for shop_back (172.18.0.0/16): it is shop_back created with other settings (internal, icc, ...), or shop_back has another subnet on this host",
				"fw.txt:52:1: W-DOCKER-RULES-MISSING: network shop_back (172.18.0.0/16) has no rules in fw.txt",
				"fw.txt:60:1: W-DOCKER-RULES-DIFFER: host port 127.0.0.1:9000/tcp goes to 172.19.0.2:9000 on network shop_front (bridge br-9f8e7d6c5b4a), but composenet programs it on shop-api-1's gateway endpoint on shop_back (172.18.0.2:9000, R8-7)"}},
		{name: "R7-27 a missing MASQUERADE", compose: shop, fixture: "engine28.txt",
			edit: replace("-A POSTROUTING -s 172.19.0.0/16 ! -o br-9f8e7d6c5b4a -j MASQUERADE\n", ""),
			want: []string{"fw.txt:6:1: W-DOCKER-RULES-MISSING: network shop_front (bridge br-9f8e7d6c5b4a): no MASQUERADE -s 172.19.0.0/16 ! -o br-9f8e7d6c5b4a"}},
		{name: "R7-27 DOCKER-INTERNAL (later 28.x) is recognised", compose: shop, fixture: "engine28.txt",
			edit: replace("-A DOCKER-ISOLATION-STAGE-1 ! -", "-A DOCKER-INTERNAL ! -"),
			want: nil},
		{name: "R7-27 options of Docker's own rules do not make answers uncertain", compose: shop, fixture: "engine28.txt",
			edit: replace("-A FORWARD -j DOCKER-FORWARD", "-A FORWARD -m set --match-set docker-ext-bridges-v4 dst -j DOCKER-FORWARD"),
			want: nil},
		{name: "R7-27 docker0 with another subnet", compose: shop, fixture: "engine28.txt",
			edit: replace("-s 172.17.0.0/16 ! -o docker0", "-s 10.200.0.0/16 ! -o docker0"),
			want: []string{"W-DOCKER-RULES-DIFFER: docker0 is 10.200.0.0/16 on this host, but composenet models the default bridge as 172.17.0.0/16"}},
		{name: "R7-27 a project network with no rules at all", compose: strings.Replace(strings.Replace(shop, "networks: [back]", "networks: [back, jobs]", 1), "  back: {internal: true}", "  back: {internal: true}\n  jobs: {}", 1), fixture: "engine28.txt",
			want: []string{"fw.txt:52:1: W-DOCKER-RULES-MISSING: network shop_jobs (172.20.0.0/16) has no rules in fw.txt"}},
		{name: "R7-27 an external network of unknown subnet shifts the prediction: tied by DNAT and elimination, the rest named",
			compose: strings.Replace(shop, "networks: [back]\n", "networks: [back]\n  admin:\n    image: adminer\n    networks: [blog]\n", 1) + "  blog:\n    external: true\n    name: blog_default\n", fixture: "crowded.txt",
			want: []string{"fw.txt:10:1: W-DOCKER-RULES-FOREIGN: bridge br-0c4e5f6a7b8c (172.20.0.0/16) is not from this project: another project's network or one created by hand, which composenet does not know, or the external network blog_default with a subnet composenet does not know (declare it in the host description with its subnet)",
				"fw.txt:47:1: W-DOCKER-RULES-DIFFER: network shop_back is 172.18.0.0/16 on this host (bridge br-1a2b3c4d5e6f), but composenet predicts 172.19.0.0/16",
				"fw.txt:67:1: W-DOCKER-RULES-DIFFER: network shop_front is 172.19.0.0/16 on this host (bridge br-9f8e7d6c5b4a), but composenet predicts 172.20.0.0/16",
				"fw.txt:75:1: W-DOCKER-RULES-FOREIGN: nat DOCKER DNAT of host port 8081/tcp",
				"fw.txt:76:1: W-DOCKER-RULES-FOREIGN: nat DOCKER DNAT of host port 6379/tcp"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dockerRulesWarnings(t, tc.compose, tc.fixture, tc.edit, tc.daemon...)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %d:\n got %s\nwant %s", i, got[i], w)
				}
			}
		})
	}
}

// TestDockerRulesDeclaredNetwork: a bridge whose subnet the host
// description declares (another project's network) is known; its DNAT is
// still not from this project.
func TestDockerRulesDeclaredNetwork(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "dockerrules", "crowded.txt"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "fw.txt", string(raw))
	write(t, dir, "host.yaml", "networks:\n  - {name: blog_default, subnet: 172.20.0.0/16}\nfirewall:\n  iptables-save: fw.txt\n")
	topo, err := loadYAML(t, dir, shopCompose(t), topology.Options{HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range topo.Warnings {
		if w.Rule == "R7-27" {
			got = append(got, w.Pos.String()+": "+w.Message)
		}
	}
	if len(got) != 2 || !strings.Contains(got[0], "8081/tcp") || !strings.Contains(got[1], "6379/tcp") {
		t.Errorf("R7-27 declared network: want the two foreign DNATs only, got:\n%s", strings.Join(got, "\n"))
	}
}

// TestDockerRulesInlineNothing: inline docker-user rules hold none of
// Docker's rules: nothing is compared.
func TestDockerRulesInlineNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "host.yaml", "firewall:\n  docker-user:\n    - -i eth0 -j DROP\n")
	topo, err := loadYAML(t, dir, shopCompose(t), topology.Options{HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range topo.Warnings {
		if w.Rule == "R7-27" {
			t.Errorf("R7-27 inline rules: unexpected %v", w)
		}
	}
}

func TestMarkDockerRules(t *testing.T) {
	text := `*filter
-A FORWARD -j DOCKER-USER
-A FORWARD -o br-9f8e7d6c5b4a -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i br-+ -j ACCEPT
-A FORWARD -i eth0 -o eth1 -j ACCEPT
-A DOCKER-USER -j RETURN
-A DOCKER -d 172.19.0.3/32 ! -i mybr -o mybr -p tcp -m tcp --dport 80 -j ACCEPT
-A FORWARD -i mybr -o mybr -j DROP
COMMIT
*nat
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 8080
-A POSTROUTING -s 172.19.0.0/16 ! -o br-9f8e7d6c5b4a -j MASQUERADE
-A POSTROUTING -s 10.8.0.0/24 -o eth0 -j MASQUERADE
COMMIT
*raw
-A PREROUTING -d 172.19.0.3/32 ! -i br-9f8e7d6c5b4a -j DROP
-A PREROUTING -s 203.0.113.0/24 -j DROP
COMMIT
`
	rs, problems, _ := topology.ParseIptablesSave("fw", text)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	want := map[int]bool{2: true, 3: true, 4: false, 5: false, 6: false, 7: true, 8: true, 11: true, 12: false, 13: true, 14: false, 17: true, 18: false}
	for _, chains := range rs.Tables {
		for _, rules := range chains {
			for _, r := range rules {
				if w, ok := want[r.Pos.Line]; ok && r.Docker != w {
					t.Errorf("R7-27 line %d (%s %s %s): Docker=%v, want %v", r.Pos.Line, r.Table, r.Chain, r.Text, r.Docker, w)
				}
			}
		}
	}
	if r := rs.Chain("nat", "PREROUTING")[1]; r.To != "8080" || r.Target != "REDIRECT" {
		t.Errorf("REDIRECT parsed as %+v", r)
	}
}

// TestDockerRulesRealEngine20: iptables-save taken on this machine's Engine
// 20.10.24 while the LAN verification ran testdata/lan/docker-user.yaml (copied
// as real-engine20-compose.yaml)
// (project vl-fw; the saved instant holds its TCP DNATs, not yet the UDP
// one). The differences are real: the older allocator had moved on to
// 172.23/172.24 (R3-2 [VER 27.0.1]); nothing is called foreign.
func TestDockerRulesRealEngine20(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "dockerrules", "real-engine20-compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got := dockerRulesWarnings(t, string(raw), "real-engine20.txt", nil, "engine=20.10")
	want := []string{
		"fw.txt:49:1: W-DOCKER-RULES-MISSING: vl-fw-web-1 publishes 0.0.0.0:18152->53/udp, [::]:18152->53/udp, but nat DOCKER has no DNAT for host port 18152/udp",
		"fw.txt:52:1: W-DOCKER-RULES-DIFFER: network vl-fw_front is 172.24.0.0/16 on this host (bridge br-3364cc316ac9), but composenet predicts 172.19.0.0/16: every address composenet answers with on it differs from the host's (before Engine 27.0.1 the allocator moves on",
		"fw.txt:53:1: W-DOCKER-RULES-DIFFER: network vl-fw_back is 172.23.0.0/16 on this host (bridge br-9cb8d321a1fd), but composenet predicts 172.18.0.0/16",
	}
	if len(got) != len(want) {
		t.Fatalf("R7-27 real Engine 20.10 rules: got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("R7-27 warning %d:\n got %s\nwant %s", i, got[i], w)
		}
	}
}
