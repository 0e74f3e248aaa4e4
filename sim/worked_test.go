package sim

import (
	"slices"
	"strings"
	"testing"
)

func ips(r DNSResult) string {
	var out []string
	for _, a := range r.Answers {
		out = append(out, a.IP.String())
	}
	return strings.Join(out, ",")
}

// Section 14, end to end.
func TestWorkedExampleSection14(t *testing.T) {
	top := shop()
	s := New(top)
	web, api, db := s.findContainer("web"), s.findContainer("api"), s.findContainer("db")
	if web.Name != "shop-web-1" || db.Name != "shop-db-1" {
		t.Fatalf("first replicas: %s %s", web.Name, db.Name)
	}
	if gw := api.GatewayEndpoint(); gw.Network.Key != "front" {
		t.Fatalf("R5-3 api gateway endpoint = %s, want front", gw.Network.Key)
	}
	dns := []struct {
		name, from, q, rcode, source, network, answers string
	}{
		{"R6-7 web api front", "web", "api", RcodeNoError, SourceEmbedded, "front", "172.19.0.2"},
		{"R6-3 container name", "web", "shop-api-1", RcodeNoError, SourceEmbedded, "front", "172.19.0.2"},
		{"R6-3 case-insensitive", "web", "SHOP-API-1.", RcodeNoError, SourceEmbedded, "front", "172.19.0.2"},
		{"R6-3 alias only on back", "web", "backend", RcodeNXDomain, SourceUpstream, "", ""},
		{"R6-9 db forwarded", "web", "db", RcodeNXDomain, SourceUpstream, "", ""},
		{"R6-9 external", "web", "example.com", RcodeNoError, SourceUpstream, "", ""},
		{"R6-6 replicas", "api", "db", RcodeNoError, SourceEmbedded, "back", "172.18.0.2,172.18.0.3"},
		{"R6-7 web from api", "api", "web", RcodeNoError, SourceEmbedded, "front", "172.19.0.3"},
		{"R6-3 alias", "api", "backend", RcodeNoError, SourceEmbedded, "back", "172.18.0.4"},
		{"R6-7 own name front first", "api", "api", RcodeNoError, SourceEmbedded, "front", "172.19.0.2"},
		{"R6-7 db sees api back", "db", "api", RcodeNoError, SourceEmbedded, "back", "172.18.0.4"},
		{"R6-7 db sees backend", "db", "backend", RcodeNoError, SourceEmbedded, "back", "172.18.0.4"},
		{"R6-11 internal web", "db", "web", RcodeServFail, SourceEmbedded, "", ""},
		{"R6-11 internal external", "db", "example.com", RcodeServFail, SourceEmbedded, "", ""},
		{"R6-8 name.network", "api", "db.shop_back", RcodeNoError, SourceEmbedded, "back", "172.18.0.2,172.18.0.3"},
		{"R6-8 compose key does not match", "api", "db.back", RcodeNXDomain, SourceUpstream, "", ""},
		{"R6-3 short ID", "web", api.ID, RcodeNoError, SourceEmbedded, "front", "172.19.0.2"},
	}
	for _, tc := range dns {
		t.Run(tc.name, func(t *testing.T) {
			r := s.Resolve(s.findContainer(tc.from), tc.q)
			if r.Rcode != tc.rcode || r.Source != tc.source || r.Network != tc.network || ips(r) != tc.answers {
				t.Errorf("%s -> %s = %s/%s net %q [%s], want %s/%s net %q [%s]", tc.from, tc.q, r.Rcode, r.Source, r.Network, ips(r), tc.rcode, tc.source, tc.network, tc.answers)
			}
		})
	}
	if r := s.Resolve(api, "db"); !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "shuffles") }) {
		t.Errorf("R6-9 multi-answer note missing: %v", r.Notes)
	}
	if r := s.Resolve(web, "example.com"); !r.External || !r.Forwarded || len(r.Answers) != 0 {
		t.Errorf("R6-9 external answer invented: %+v", r)
	}

	reach := []struct {
		name, from, to string
		want           Verdict
	}{
		{"R7-1 web api any port", "web", "api:9999", Delivered},
		{"R7-1 web api ping", "web", "api", Delivered},
		{"R7-2 web db by name", "web", "db:5432", NameNotResolved},
		{"R7-2 web db by IP", "web", "172.18.0.2:5432", DroppedIsolation},
		{"R7-1 api db", "api", "db:5432", Delivered},
		{"R7-5 db internet", "db", "internet:443", NoRoute},
		{"R7-6 host db", "host", "172.18.0.2:5432", Delivered},
		{"R7-9 LAN host 8080", "internet", "host:8080", Delivered},
		{"R8-9 host loopback 8080", "host", "localhost:8080", Delivered},
		{"R7-11 db host 8080", "db", "host:8080", NoRoute},
		{"R7-11 db back gateway 8080", "db", "172.18.0.1:8080", DroppedIsolation},
		{"R7-9 LAN db direct", "internet", "172.18.0.2:5432", DroppedDirectAccess},
		{"R7-9 LAN 8081 not published", "internet", "host:8081", NotPublished},
		{"R7-3 api via host 8080", "api", "host:8080", Delivered},
		{"R7-8 web internet", "web", "internet:443", Delivered},
		{"R7-8 web external name", "web", "example.com:443", Delivered},
	}
	for _, tc := range reach {
		t.Run(tc.name, func(t *testing.T) {
			r := mustQ(t, s, tc.from, tc.to)
			if r.Verdict != tc.want {
				t.Fatalf("%s -> %s = %s (%s), want %s", tc.from, tc.to, r.Verdict, r.Reason, tc.want)
			}
			if r.Reachable != (tc.want == Delivered) {
				t.Errorf("reachable = %v", r.Reachable)
			}
			if tc.want != Delivered && len(r.BlockedBy) == 0 {
				t.Errorf("blocked without blockers: %+v", r)
			}
			if tc.want == Delivered && len(r.BlockedBy) != 0 {
				t.Errorf("delivered with blockers: %+v", r.BlockedBy)
			}
		})
	}

	// LAN -> host:8080: web:80, client IP preserved, no docker-proxy.
	r := mustQ(t, s, "internet", "host:8080")
	if !hasHop(r, StepDNAT, "172.19.0.3:80") || hasStep(r, StepProxy) || !hasHop(r, StepDeliver, "remote client") {
		t.Errorf("R8-9 LAN path: %+v", r.Hops)
	}
	// host -> 127.0.0.1:8080 through docker-proxy; web sees shop_front's gateway.
	r = mustQ(t, s, "host", "localhost:8080")
	if !hasStep(r, StepProxy) || !hasHop(r, StepDeliver, "172.19.0.1") {
		t.Errorf("R8-9 loopback path: %+v", r.Hops)
	}
	// web -> db by name: blockers name DNS and the isolation drop, with a fix.
	r = mustQ(t, s, "web", "db:5432")
	if len(r.BlockedBy) < 2 || !strings.Contains(r.BlockedBy[0].Fix, "attach web to network back") {
		t.Errorf("R6-7/R7-2 blockers: %+v", r.BlockedBy)
	}
	// db -> internet: ENETUNREACH, fix names internal: true with position.
	r = mustQ(t, s, "db", "internet")
	if r.BlockedBy[0].Fix != "remove internal: true from back (compose.yaml:2), or attach db to a non-internal network" {
		t.Errorf("R7-5 fix: %q", r.BlockedBy[0].Fix)
	}
}

func hasStep(r Result, step string) bool {
	for _, h := range r.Hops {
		if h.Step == step {
			return true
		}
	}
	return false
}

func hasHop(r Result, step, detailPart string) bool {
	for _, h := range r.Hops {
		if h.Step == step && strings.Contains(h.Detail, detailPart) {
			return true
		}
	}
	return false
}
