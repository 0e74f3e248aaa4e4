package overlay_test

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/overlay"
	"github.com/composenet/composenet/sim"
)

// Flow places each forward hop on a picture node by its typed place
// (keeping the previous node when the place names nothing drawable),
// leaves reply steps out, sums the one-way latency, labels NAT and drop
// steps with their detail cut to 48 bytes and DNS steps with the answer.
func TestFlowOfHandBuilt(t *testing.T) {
	long := strings.Repeat("x", 60)
	r := sim.Result{
		Source: sim.Peer{Kind: sim.PeerContainer, Name: "web", Container: "p-web-1"}, Protocol: "tcp",
		Reachable: true, Verdict: sim.Delivered,
		DNS: &sim.DNSResult{Rcode: sim.RcodeNoError, Answers: []sim.DNSAnswer{{IP: netip.MustParseAddr("10.0.0.3")}, {IP: netip.MustParseAddr("10.0.0.4")}}},
		Hops: []sim.Hop{
			{Step: "dns", Kind: sim.HopDNS, Place: sim.AtContainer, Container: "p-web-1", LatencyMS: 0.1},
			{Step: "route", Kind: sim.HopRoute, Place: sim.AtContainer, LatencyMS: 0}, // no container named: stays on p-web-1
			{Step: "bridge", Kind: sim.HopBridge, Place: sim.AtNetwork, Network: "p_back", LatencyMS: 0.001},
			{Step: "dnat", Kind: sim.HopNAT, Place: sim.AtHost, Detail: long, LatencyMS: 0.005},
			{Step: "deliver", Kind: sim.HopDeliver, Place: sim.AtContainer, Container: "p-api-1", LatencyMS: 0.002},
			{Step: "bridge", Kind: sim.HopBridge, Place: sim.AtNetwork, Network: "p_back", Return: true, LatencyMS: 9},
		},
	}
	f := overlay.Flow(sim.Query{From: "WEB", To: "api", Port: 80}, r)
	want := render.Flow{
		From: "web", To: "api", Port: "80/tcp", Reachable: true, TotalMS: 0.108,
		Hops: []render.Hop{
			{Node: "p-web-1", Label: "dns 10.0.0.3 (+more)", LatencyMS: 0.1},
			{Node: "p-web-1", Label: "route"},
			{Node: "p_back", Label: "bridge", LatencyMS: 0.001},
			{Node: render.NodeHost, Label: strings.Repeat("x", 47) + "…", LatencyMS: 0.005},
			{Node: "p-api-1", Label: "deliver", LatencyMS: 0.002},
		},
	}
	if d := f.TotalMS - want.TotalMS; d > 1e-9 || d < -1e-9 {
		t.Errorf("TotalMS %v, want %v", f.TotalMS, want.TotalMS)
	}
	f.TotalMS = want.TotalMS
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got  %+v\nwant %+v", f, want)
	}
}

// A blocked flow carries every blocker's rule IDs once, in first-seen
// order, is drawn as stopping at the first blocker's node, and falls back
// to the verdict's name when no blocker names a rule; a flow without
// forward hops still starts at its source (the internet here).
func TestFlowOfBlocked(t *testing.T) {
	r := sim.Result{
		Source: sim.Peer{Kind: sim.PeerInternet, Name: "internet"}, Protocol: "udp",
		Verdict: sim.DroppedIsolation, Reason: "no shared network",
		BlockedBy: []sim.Blocker{
			{Place: sim.AtNetwork, Network: "p_front", RuleIDs: []string{"R7-2", "R7-9"}},
			{Place: sim.AtHost, RuleIDs: []string{"R7-9", "R7-11"}},
		},
	}
	f := overlay.Flow(sim.Query{To: "db", Port: 53}, r)
	if f.Rule != "R7-2, R7-9, R7-11" || f.BlockedAt != "p_front" || f.Reason != "no shared network" || f.Port != "53/udp" || f.From != "internet" {
		t.Errorf("blocked flow %+v", f)
	}
	if len(f.Hops) != 1 || f.Hops[0].Node != render.NodeInternet {
		t.Errorf("hops %+v, want one at the internet", f.Hops)
	}
	r.BlockedBy = nil
	r.Source = sim.Peer{Kind: sim.PeerHost, Name: "host"}
	if f := overlay.Flow(sim.Query{To: "db"}, r); f.Rule != sim.DroppedIsolation.String() || f.BlockedAt != "" || f.Port != "" || f.Hops[0].Node != render.NodeHost {
		t.Errorf("no blockers: %+v", f)
	}
}

// Issue 9: names are resolved once, in sim; any spelling sim accepts draws
// the same flow, and the --from colouring keys on engine names.
func TestOverlaySpellings(t *testing.T) {
	top := fixture.ECommerce()
	s := sim.New(top)
	draw := func(from, focus string) render.Options {
		t.Helper()
		opt := render.Options{Focus: focus}
		q, err := sim.ParseFlow(from + "->database:5432")
		if err != nil {
			t.Fatal(err)
		}
		if err := overlay.Apply(&opt, top, s, []sim.Query{q}, from); err != nil {
			t.Fatal(err)
		}
		return opt
	}
	lower, upper := draw("gateway", "USER-SERVICE"), draw("GATEWAY", "user-service")
	if !reflect.DeepEqual(lower, upper) {
		t.Errorf("spellings differ:\n%+v\n%+v", lower, upper)
	}
	if lower.Focus != "user-service" || lower.ReachableFrom != "gateway" || lower.Highlights[0].From != "gateway" || lower.Highlights[0].Reachable {
		t.Errorf("overlay %+v", lower)
	}
	// The gateway reaches its own front network, the services there, the
	// host and the internet, not the database; the back network counts as
	// reached through the services on both networks; docker0 has nobody.
	want := map[string]bool{
		"api-gateway": true, "user-service": true, "product-service": true, "order-service": true, "payment-service": true,
		"postgres-db": false, "shop_frontend-network": true, "shop_backend-network": true, "bridge": false,
		render.NodeHost: true, render.NodeInternet: true,
	}
	if !reflect.DeepEqual(lower.Reach, want) {
		t.Errorf("reach %v, want %v", lower.Reach, want)
	}
	opt := render.Options{}
	if err := overlay.Apply(&opt, top, s, nil, "nosuch"); err == nil || !strings.HasPrefix(err.Error(), "--from: ") {
		t.Errorf("unknown --from: %v", err)
	}
	if err := overlay.Apply(&opt, top, s, []sim.Query{{From: "nosuch", To: "database"}}, ""); err == nil || !strings.HasPrefix(err.Error(), "--highlight nosuch->database: ") {
		t.Errorf("unknown highlight source: %v", err)
	}
}

// ReachFrom marks a network reachable when the source joins it or reaches
// one of its members: a service on both networks colours both.
func TestReachFromNetworks(t *testing.T) {
	top := fixture.ECommerce()
	s := sim.New(top)
	src, err := s.Peer("user-service")
	if err != nil {
		t.Fatal(err)
	}
	m := overlay.ReachFrom(top, s, src)
	for _, n := range []string{"shop_frontend-network", "shop_backend-network", "postgres-db", "api-gateway", render.NodeHost, render.NodeInternet} {
		if !m[n] {
			t.Errorf("user-service should reach %s: %v", n, m)
		}
	}
}

// ParseHighlights parses every flow in order and names the first bad one.
func TestParseHighlights(t *testing.T) {
	qs, err := overlay.ParseHighlights([]string{"web->db:5432", "internet -> web:80/udp"})
	if err != nil || len(qs) != 2 || qs[0] != (sim.Query{From: "web", To: "db", Port: 5432, Protocol: "tcp"}) || qs[1].Protocol != "udp" || qs[1].From != "internet" {
		t.Errorf("%+v %v", qs, err)
	}
	if _, err := overlay.ParseHighlights([]string{"web->db", "web db", "x"}); err == nil || !strings.HasPrefix(err.Error(), `--highlight "web db": `) {
		t.Errorf("bad flow: %v", err)
	}
}
