package verify

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// fakeWorld loads a case and pretends the engine gave every container the
// model's addresses.
func fakeWorld(t *testing.T, file string) *world {
	t.Helper()
	return fakeWorldHost(t, file, "")
}

// fakeWorldHost is fakeWorld with a host description.
func fakeWorldHost(t *testing.T, file, hostFile string) *world {
	t.Helper()
	tp, err := loader.Load(context.Background(), topology.Options{Files: []string{file}, HostFile: hostFile})
	if err != nil {
		t.Fatal(err)
	}
	return fakeWorldOf(tp)
}

// fakeWorldOf is the world of topology tp in which the engine gave every
// container the model's addresses.
func fakeWorldOf(tp *topology.Topology) *world {
	ctrs := map[string]*actualContainer{}
	for _, c := range tp.Containers {
		a := &actualContainer{Name: c.Name, Running: true, IPs: map[string]netip.Addr{}, Ports: map[string][]hostBinding{}}
		for _, e := range c.Endpoints {
			a.IPs[e.Network.Name] = e.IPv4
		}
		for _, b := range c.Ports {
			k := fmt.Sprintf("%d/%s", b.ContainerPort, b.Protocol)
			a.Ports[k] = append(a.Ports[k], hostBinding{HostIP: b.HostIP.String(), HostPort: b.HostPort})
		}
		ctrs[c.Name] = a
	}
	nets := map[string]*actualNetwork{}
	for _, n := range tp.Networks {
		nets[n.Name] = &actualNetwork{Name: n.Name, Subnet: n.Subnet, Gateway: n.Gateway, Internal: n.Internal}
	}
	b0 := &actualNetwork{Name: "bridge", Subnet: tp.Bridge0.Subnet, Gateway: tp.Bridge0.Gateway}
	return newWorld(tp, ctrs, nets, b0)
}

// asPredicted is the observation that agrees with q's prediction.
func (w *world) asPredicted(q *query) Observation {
	o := Observation{ID: q.task.ID, Outcome: q.want.outcomes[0]}
	if q.Kind == KindDNS && o.Outcome == OutAnswer {
		o.Rcode = q.want.rcode
		if o.Rcode == "" {
			o.Rcode = "NXDOMAIN"
		}
		for _, a := range q.want.answers {
			if ip, err := netip.ParseAddr(a); err == nil {
				o.Addrs = append(o.Addrs, ip.String())
				continue
			}
			c := w.t.Container(a)
			o.Addrs = append(o.Addrs, c.Endpoints[0].IPv4.String())
		}
	}
	if o.Outcome == OutConnected && len(q.want.peers) > 0 {
		switch {
		case q.want.peers[0] == "host":
			o.Peer = []string{w.t.Bridge0.Gateway.String()}
		case q.want.peers[0] == lanOwner:
			for _, a := range w.lan.addrs {
				o.Peer = append(o.Peer, a.String())
			}
		default:
			o.Peer = []string{w.t.Container(q.want.peers[0]).Endpoints[0].IPv4.String()}
		}
	}
	return o
}

// TestJudgeAgreesWithItsOwnPrediction generates the queries of every
// case, answers each the way the model predicts, and expects agreement;
// then it answers each the opposite way and expects disagreement.
func TestJudgeAgreesWithItsOwnPrediction(t *testing.T) {
	for _, f := range []string{"../testdata/cases/user-networks.yaml", "../testdata/cases/internal.yaml", "../testdata/cases/published.yaml", "../testdata/cases/scaled.yaml", "../testdata/cases/modes.yaml", "../testdata/cases/links.yaml"} {
		t.Run(f, func(t *testing.T) {
			w := fakeWorld(t, f)
			w.dnsUpstream = true
			qs := w.generate(nil)
			if len(qs) < 10 {
				t.Fatalf("only %d queries", len(qs))
			}
			kinds := map[string]int{}
			for _, q := range qs {
				kinds[q.Kind]++
				if q.skip != "" {
					continue
				}
				w.judge(q, w.asPredicted(q))
				if q.Agree == nil || !*q.Agree {
					t.Errorf("%s %s -> %s: predicted %q, observed %q: not agreeing with itself", q.Kind, q.From, q.To, q.Predicted, q.Observed)
				}
				for _, a := range q.task.Allow {
					if p, err := netip.ParsePrefix(a); err != nil || (p.Bits() < 16 && !p.Addr().IsLoopback()) {
						t.Errorf("allow list entry %q is wider than a project network", a)
					}
				}
			}
			for _, k := range []string{KindDNS, KindConnect, KindPing} {
				if kinds[k] == 0 && !strings.Contains(f, "published") {
					t.Errorf("no %s queries", k)
				}
			}
		})
	}
}

func TestJudgeDisagreements(t *testing.T) {
	w := fakeWorld(t, "../testdata/cases/user-networks.yaml")
	w.dnsUpstream = true
	qs := w.generate(nil)
	var n int
	for _, q := range qs {
		if q.skip != "" {
			continue
		}
		o := w.asPredicted(q)
		switch o.Outcome {
		case OutConnected:
			o.Outcome = OutTimeout
		case OutTimeout, OutRefused, OutNoRoute, OutUnresolved:
			o.Outcome, o.Peer = OutConnected, []string{"172.31.255.1"}
		case OutAnswer:
			if o.Rcode == "NOERROR" && len(o.Addrs) > 0 {
				o.Addrs = o.Addrs[:0]
			} else {
				o.Rcode, o.Addrs = "NOERROR", []string{w.t.Containers[0].Endpoints[0].IPv4.String()}
			}
		}
		w.judge(q, o)
		if q.Agree == nil || *q.Agree {
			t.Errorf("%s %s -> %s: predicted %q, observed %q: agrees, want a disagreement", q.Kind, q.From, q.To, q.Predicted, q.Observed)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no query judged")
	}
}

// TestWrongReplicaDisagrees: a connect predicted to reach one container
// but answered by another is a disagreement.
func TestWrongReplicaDisagrees(t *testing.T) {
	w := fakeWorld(t, "../testdata/cases/user-networks.yaml")
	for _, q := range w.generate(nil) {
		if q.Kind != KindConnect || q.From != "vc-nets-proxy-1" || q.To != "app" {
			continue
		}
		o := w.asPredicted(q)
		o.Peer = []string{w.t.Container("vc-nets-cache-1").Endpoints[0].IPv4.String()}
		w.judge(q, o)
		if q.Agree == nil || *q.Agree || !strings.Contains(q.Observed, "connected to vc-nets-cache-1") {
			t.Fatalf("%+v", q.QueryResult)
		}
		return
	}
	t.Fatal("no proxy -> app connect generated")
}

// TestUpstreamSkippedByDefault: names the engine would forward upstream
// are not asked unless --dns-upstream.
func TestUpstreamSkippedByDefault(t *testing.T) {
	w := fakeWorld(t, "../testdata/cases/user-networks.yaml")
	var skipped int
	for _, q := range w.generate(nil) {
		if q.Kind == KindDNS && q.want.upstream {
			if !strings.Contains(q.skip, "upstream") {
				t.Errorf("%s -> %s forwarded upstream but not skipped", q.From, q.To)
			}
			skipped++
		}
	}
	if skipped == 0 {
		t.Fatal("the case has no name that goes upstream (proxy -> db should)")
	}
}
