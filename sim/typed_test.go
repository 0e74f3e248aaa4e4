package sim

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var ruleIDRE = regexp.MustCompile(`\bR\d+-\d+\b`)

// citedIDs are the rule-book IDs a blocker's prose names, in order, once.
func citedIDs(rule string) []string {
	out := []string{}
	for _, id := range ruleIDRE.FindAllString(rule, -1) {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// TestTypedFactsAgreeWithProse holds the typed fields of every hop and
// blocker consistent with the prose beside them, on random topologies and
// every kind of source and target (40 seeds): RuleIDs are exactly the IDs Rule cites,
// each hop has a kind and a place, and every container and network name
// exists in the topology.
func TestTypedFactsAgreeWithProse(t *testing.T) {
	for seed := range uint64(40) {
		top := randomTopology(seed)
		s := New(top)
		ctrs := map[string]bool{}
		for _, c := range top.Containers {
			ctrs[c.Name] = true
		}
		nets := map[string]bool{}
		for _, n := range s.nets {
			nets[n.Name] = true
		}
		sources := []string{Host, Internet}
		targets := []string{Host, Internet, Localhost, "example.com", "nosuch", "8.8.8.8"}
		for _, c := range top.Containers {
			sources = append(sources, c.Name)
			targets = append(targets, c.Name)
			for _, e := range c.Endpoints {
				targets = append(targets, e.IPv4.String())
				if e.Network.Gateway.IsValid() {
					targets = append(targets, e.Network.Gateway.String(), e.Network.Subnet.Addr().Next().Next().Next().Next().Next().Next().String())
				}
			}
		}
		if a, ok := s.hostAddr(); ok {
			targets = append(targets, a.String())
		}
		for _, from := range sources {
			for _, to := range targets {
				for _, port := range []uint16{0, 80, 7070, 8001} {
					r := s.Reach(Query{From: from, To: to, Port: port})
					checkTyped(t, seed, r, ctrs, nets)
				}
			}
		}
	}
}

func checkTyped(t *testing.T, seed uint64, r Result, ctrs, nets map[string]bool) {
	t.Helper()
	fail := func(format string, a ...any) {
		t.Helper()
		a = append([]any{seed, r.From, r.To, r.Port}, a...)
		t.Fatalf("seed %d %s -> %s:%d: "+format, a...)
	}
	if r.Verdict == InvalidQuery {
		return
	}
	if r.Source.Kind == "" || r.Target.Kind == "" {
		fail("source %+v target %+v: kind missing", r.Source, r.Target)
	}
	if r.Source.Kind == PeerContainer && !ctrs[r.Source.Container] {
		fail("source container %q unknown", r.Source.Container)
	}
	if r.Target.Container != "" && !ctrs[r.Target.Container] {
		fail("target container %q unknown", r.Target.Container)
	}
	if r.Target.Kind == PeerContainer && r.Target.Container == "" {
		fail("target %+v: container kind without container", r.Target)
	}
	for i, h := range r.Hops {
		if h.Kind == "" || h.Place == "" {
			fail("hop %d %+v: kind or place missing", i, h)
		}
		if h.Place == AtContainer && !ctrs[h.Container] {
			fail("hop %d %+v: container %q unknown", i, h, h.Container)
		}
		if h.Place == AtNetwork && h.Network == "" {
			fail("hop %d %+v: network place without network", i, h)
		}
		if h.Network != "" && !nets[h.Network] {
			fail("hop %d %+v: network %q unknown", i, h, h.Network)
		}
		if h.Container != "" && !ctrs[h.Container] {
			fail("hop %d %+v: container %q unknown", i, h, h.Container)
		}
	}
	for i, b := range r.BlockedBy {
		if got, want := b.RuleIDs, citedIDs(b.Rule); !slices.Equal(got, want) {
			fail("blocker %d %q: rule_ids %q, the rule cites %q", i, b.Rule, got, want)
		}
		if b.Place == "" {
			fail("blocker %d %+v: place missing", i, b)
		}
		if b.Place == AtContainer && !ctrs[b.Container] {
			fail("blocker %d %+v: container %q unknown", i, b, b.Container)
		}
		if b.Container != "" && !ctrs[b.Container] {
			fail("blocker %d %+v: container %q unknown", i, b, b.Container)
		}
		if b.Network != "" && !nets[b.Network] {
			fail("blocker %d %+v: network %q unknown", i, b, b.Network)
		}
	}
}

// TestTypedHops checks the typed path of known flows on the shop project.
func TestTypedHops(t *testing.T) {
	s := New(shop())
	type hop struct {
		kind          HopKind
		place         Place
		ctr, net, if_ string
	}
	for _, tc := range []struct {
		name, from, to string
		source, target Peer
		hops           []hop
	}{
		{
			name: "R7-1 same network", from: "web", to: "api:80",
			source: Peer{Kind: PeerContainer, Name: "web", Container: "shop-web-1", Service: "web"},
			target: Peer{Kind: PeerContainer, Name: "api", Container: "shop-api-1", Service: "api", Address: netip.MustParseAddr("172.19.0.2")},
			hops: []hop{
				{HopDNS, AtContainer, "shop-web-1", "shop_front", ""},
				{HopRoute, AtContainer, "shop-web-1", "shop_front", "eth0"},
				{HopVeth, AtContainer, "shop-web-1", "shop_front", "eth0"},
				{HopBridge, AtNetwork, "", "shop_front", bridgeName(s.netByName["shop_front"])},
				{HopVeth, AtContainer, "shop-api-1", "shop_front", "eth0"},
				{HopDeliver, AtContainer, "shop-api-1", "", ""},
			},
		},
		{
			name: "R7-9 published port from the internet", from: "INTERNET", to: "host:8080",
			source: Peer{Kind: PeerInternet, Name: Internet},
			target: Peer{Kind: PeerHost, Name: "host", Address: netip.MustParseAddr("192.168.1.10")},
			hops: []hop{
				{HopWire, AtInternet, "", "", "eth0"},
				{HopNetfilter, AtHost, "", "", ""},
				{HopNAT, AtHost, "", "shop_front", ""},
				{HopNetfilter, AtHost, "", "shop_front", ""},
				{HopBridge, AtNetwork, "", "shop_front", bridgeName(s.netByName["shop_front"])},
				{HopVeth, AtContainer, "shop-web-1", "shop_front", "eth0"},
				{HopDeliver, AtContainer, "shop-web-1", "", ""},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mustQ(t, s, tc.from, tc.to)
			if r.Source.Kind != tc.source.Kind || r.Source.Name != tc.source.Name || r.Source.Container != tc.source.Container || r.Source.Service != tc.source.Service {
				t.Errorf("source = %+v, want %+v", r.Source, tc.source)
			}
			if tc.target.Address.IsValid() && r.Target.Address.Is4() != tc.target.Address.Is4() ||
				r.Target.Kind != tc.target.Kind || r.Target.Container != tc.target.Container {
				t.Errorf("target = %+v, want %+v", r.Target, tc.target)
			}
			var got []hop
			for _, h := range r.Hops {
				if !h.Return {
					got = append(got, hop{h.Kind, h.Place, h.Container, h.Network, h.Interface})
				}
			}
			if !slices.Equal(got, tc.hops) {
				t.Errorf("hops:\n got %v\nwant %v", got, tc.hops)
			}
		})
	}
}

// TestPeer: one resolver for FROM words, case-insensitive, with
// suggestions for unknown names.
func TestPeer(t *testing.T) {
	s := New(shop())
	for _, tc := range []struct {
		in, kind, name, ctr, err string
	}{
		{"web", "container", "web", "shop-web-1", ""},
		{"WEB", "container", "web", "shop-web-1", ""},
		{"shop-db-2", "container", "shop-db-2", "shop-db-2", ""},
		{"SHOP-DB-2", "container", "shop-db-2", "shop-db-2", ""},
		{"Host", "host", "host", "", ""},
		{"INTERNET", "internet", "internet", "", ""},
		{"wbe", "", "", "", `unknown source "wbe": not a container, a service, host or internet (did you mean web?)`},
		{"shop-db-3", "", "", "", `unknown source "shop-db-3": not a container, a service, host or internet (did you mean shop-db-1, shop-db-2?)`},
		{"zzzzzzzz", "", "", "", `unknown source "zzzzzzzz": not a container, a service, host or internet`},
	} {
		p, err := s.Peer(tc.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.err || string(p.Kind) != tc.kind || p.Name != tc.name || p.Container != tc.ctr {
			t.Errorf("Peer(%q) = %+v, %q; want %s %s %s, %q", tc.in, p, gotErr, tc.kind, tc.name, tc.ctr, tc.err)
		}
	}
	// The same question in any case gives the same answer.
	a, b := mustQ(t, s, "web", "api:80"), mustQ(t, s, "WEB", "api:80")
	a.From, b.From = "", ""
	if a.Verdict != b.Verdict || len(a.Hops) != len(b.Hops) || a.Source != b.Source {
		t.Errorf("web and WEB differ: %+v / %+v", a, b)
	}
}

// TestInvalidQueryJSON: an invalid query carries no source or target.
func TestInvalidQueryJSON(t *testing.T) {
	r := New(shop()).Reach(Query{From: "nosuch", To: "api"})
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != InvalidQuery || strings.Contains(string(b), `"source"`) || strings.Contains(string(b), `"target"`) {
		t.Errorf("invalid query JSON: %s", b)
	}
	r = New(shop()).Reach(Query{From: "web", To: "api"})
	if b, _ = json.Marshal(r); !strings.Contains(string(b), `"source":{"kind":"container","name":"web","container":"shop-web-1","service":"web"}`) {
		t.Errorf("valid query JSON: %s", b)
	}
}
