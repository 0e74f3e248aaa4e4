package verify

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/sim"
)

// lanWorld is the world of a testdata/lan case with a LAN client on
// 198.18.0.0/29 (host end 198.18.0.1 on cnlan0h, client .2 and .3), as
// scripts/verify-lan.sh sets it up, and the case's DOCKER-USER rules in
// the host description.
func lanWorld(t *testing.T, name string) (*world, *lanClient) {
	t.Helper()
	host := "interfaces:\n  - {name: cnlan0h, addresses: [198.18.0.1/29]}\n"
	if b, err := os.ReadFile("../testdata/lan/" + name + ".rules"); err == nil {
		host += "firewall:\n  docker-user:\n"
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				host += "    - '" + l + "'\n"
			}
		}
	}
	hf := filepath.Join(t.TempDir(), "host.yaml")
	if err := os.WriteFile(hf, []byte(host), 0o644); err != nil {
		t.Fatal(err)
	}
	w := fakeWorldHost(t, "../testdata/lan/"+name+".yaml", hf)
	l := &lanClient{netns: "composenet-lan", iface: "cnlan0h",
		addrs:    []netip.Addr{netip.MustParseAddr("198.18.0.2"), netip.MustParseAddr("198.18.0.3")},
		hostAddr: netip.MustParseAddr("198.18.0.1"), prefix: netip.MustParsePrefix("198.18.0.0/29")}
	w.setLAN(l)
	return w, l
}

// lanQuery finds the LAN query from FROM to TO (a prefix of the query's
// To) on port/protocol.
func lanQuery(t *testing.T, qs []*query, from, to string, port uint16, proto string) *query {
	t.Helper()
	for _, q := range qs {
		if q.runner == "lan:composenet-lan" && q.From == from && strings.HasPrefix(q.To, to) && q.Port == port && q.Protocol == proto {
			return q
		}
	}
	t.Fatalf("no LAN query %s -> %s %d/%s", from, to, port, proto)
	return nil
}

// TestLANPublishedPorts: from the LAN, ports published on every interface
// are delivered through the host's address on the link, a port published
// on 127.0.0.1 is refused there (R7-9, R7-11), and container addresses
// routed through the host time out (R7-9's direct-routing block, Engine
// 28 model).
func TestLANPublishedPorts(t *testing.T) {
	w, _ := lanWorld(t, "ports")
	qs := w.generate(nil)
	for _, c := range []struct {
		from, to string
		port     uint16
		proto    string
		verdict  string
		outcome  string
	}{
		{"198.18.0.2", "198.18.0.1 (host on cnlan0h; vl-ports-web-1 publishes 0.0.0.0:18150)", 18150, "tcp", "delivered to vl-ports-web-1", OutConnected},
		{"198.18.0.3", "198.18.0.1 (host on cnlan0h; vl-ports-web-1 publishes 127.0.0.1:18151)", 18151, "tcp", "loopback-only", OutRefused},
		{"198.18.0.2", "198.18.0.1 (host on cnlan0h; vl-ports-web-1 publishes 0.0.0.0:18152)", 18152, "udp", "delivered to vl-ports-web-1", OutConnected},
		{"198.18.0.2", "198.18.0.1 (the host on cnlan0h)", 0, "icmp", "delivered", OutConnected},
		{"198.18.0.2", "172.", 6379, "tcp", "dropped-direct-access", OutTimeout},
	} {
		q := lanQuery(t, qs, c.from, c.to, c.port, c.proto)
		if q.Predicted != c.verdict || len(q.want.outcomes) != 1 || q.want.outcomes[0] != c.outcome {
			t.Errorf("%s -> %s %d/%s: predicted %q want %v; expected %q, %s", c.from, c.to, c.port, c.proto, q.Predicted, q.want.outcomes, c.verdict, c.outcome)
		}
		if q.task.Source != c.from {
			t.Errorf("%s -> %s: task source %q", c.from, c.to, q.task.Source)
		}
		for _, a := range q.task.Allow {
			p := netip.MustParsePrefix(a)
			if p.Bits() != 32 || (p.Addr() != w.lan.hostAddr && w.owner[p.Addr()] == "") {
				t.Errorf("%s -> %s: the LAN client may probe %s, which is neither the host's end of the link nor a project container", c.from, c.to, a)
			}
		}
	}
}

// TestLANDockerUser: the DOCKER-USER rules of docker-user.rules decide
// what the LAN client sees (R7-20 to R7-22): an allow-list drop is a
// timeout for 198.18.0.3 only, the --dport mistake never matches, a REJECT
// with tcp-reset and a UDP REJECT are refusals, not timeouts.
func TestLANDockerUser(t *testing.T) {
	w, _ := lanWorld(t, "docker-user")
	qs := w.generate(nil)
	for _, c := range []struct {
		from    string
		port    uint16
		proto   string
		verdict string
		outcome string
	}{
		{"198.18.0.2", 18154, "tcp", "delivered to vl-fw-db-1", OutConnected},
		{"198.18.0.3", 18154, "tcp", "blocked-docker-user", OutTimeout},
		{"198.18.0.3", 18150, "tcp", "delivered to vl-fw-web-1", OutConnected},
		{"198.18.0.2", 18153, "tcp", "blocked-docker-user", OutRefused},
		{"198.18.0.2", 18152, "udp", "delivered to vl-fw-web-1", OutConnected},
		{"198.18.0.3", 18152, "udp", "blocked-docker-user", OutRefused},
	} {
		q := lanQuery(t, qs, c.from, "198.18.0.1 ", c.port, c.proto)
		if q.Predicted != c.verdict || q.want.outcomes[0] != c.outcome {
			t.Errorf("%s -> %d/%s: predicted %q want %v; expected %q, %s", c.from, c.port, c.proto, q.Predicted, q.want.outcomes, c.verdict, c.outcome)
		}
	}
	// Agreement with itself, and the opposite observation disagrees.
	for _, q := range qs {
		if q.skip != "" || q.runner != "lan:composenet-lan" {
			continue
		}
		w.judge(q, w.asPredicted(q))
		if q.Agree == nil || !*q.Agree {
			t.Errorf("%s -> %s: predicted %q, observed %q: not agreeing with itself", q.From, q.To, q.Predicted, q.Observed)
		}
	}
}

// TestLANReplies: a DOCKER-USER DROP on -o cnlan0h without an ESTABLISHED
// accept drops the replies of the LAN's connections (R7-23): a timeout.
func TestLANReplies(t *testing.T) {
	w, _ := lanWorld(t, "replies")
	qs := w.generate(nil)
	q := lanQuery(t, qs, "198.18.0.2", "198.18.0.1 ", 18160, "tcp")
	if q.Predicted != "blocked-docker-user" || q.want.outcomes[0] != OutTimeout {
		t.Fatalf("predicted %q want %v", q.Predicted, q.want.outcomes)
	}
}

// TestRejectOutcome maps the error sim says the client gets to the
// probe's outcome (R7-21).
func TestRejectOutcome(t *testing.T) {
	for errno, want := range map[sim.Errno]string{
		sim.ErrConnRefused: OutRefused,
		sim.ErrHostUnreach: OutHostUnreach,
		sim.ErrNetUnreach:  OutNoRoute,
		sim.ErrTimedOut:    OutTimeout,
	} {
		if got := rejectOutcome(errno); got != want {
			t.Errorf("%s: %s, want %s", errno, got, want)
		}
	}
}

// TestLANEgress: the containers' connections to the LAN client go through
// DOCKER-USER (R7-20): REJECT --reject-with icmp-host-prohibited is
// EHOSTUNREACH at once, a DROP a timeout, and an unblocked connection must
// be answered by the LAN client's own probe.
func TestLANEgress(t *testing.T) {
	w, _ := lanWorld(t, "egress")
	qs := w.generate(nil)
	find := func(to string, port uint16) *query {
		for _, q := range qs {
			if q.From == "vl-egress-app-1" && q.To == to+" (the LAN client)" && q.Port == port {
				return q
			}
		}
		t.Fatalf("no egress query to %s:%d", to, port)
		return nil
	}
	for _, c := range []struct {
		to      string
		port    uint16
		outcome string
	}{
		{"198.18.0.2", 18190, OutConnected},
		{"198.18.0.3", 18190, OutHostUnreach},
		{"198.18.0.2", 18191, OutTimeout},
	} {
		q := find(c.to, c.port)
		if q.want.outcomes[0] != c.outcome || q.runner != "vl-egress-app-1" || len(q.task.Allow) != 1 || q.task.Allow[0] != c.to+"/32" {
			t.Errorf("-> %s:%d: want %v (runner %s, allow %v), expected %s", c.to, c.port, q.want.outcomes, q.runner, q.task.Allow, c.outcome)
		}
	}
	q := find("198.18.0.2", 18190)
	o := w.asPredicted(q)
	o.Peer = []string{"198.18.0.2", "198.18.0.3"}
	w.judge(q, o)
	if q.Agree == nil || !*q.Agree || q.Observed != "connected to the LAN client" {
		t.Errorf("the LAN client's answer: %q agree=%v", q.Observed, q.Agree)
	}
	o.Peer = []string{w.t.Container("vl-egress-app-1").Endpoints[0].IPv4.String()}
	w.judge(q, o)
	if q.Agree == nil || *q.Agree {
		t.Errorf("an answer from the container itself agrees: %q", q.Observed)
	}
}

// TestFindLANMissingNamespace: a namespace that does not exist (or a
// machine without ip(8)) is a ToolError naming the flag, not a probe run.
func TestFindLANMissingNamespace(t *testing.T) {
	w, _ := lanWorld(t, "ports")
	_, err := findLAN(context.Background(), "composenet-no-such-ns", w.t)
	var te *ToolError
	if !errors.As(err, &te) || !(strings.Contains(te.Msg, "--lan-netns composenet-no-such-ns") || strings.Contains(te.Msg, "iproute2")) {
		t.Fatalf("got %v", err)
	}
}
