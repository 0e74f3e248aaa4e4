package sim

import (
	"strings"
	"testing"
)

// TestReverseAndLiteral covers R6-13 (PTR answers from the embedded DNS)
// and address literals on the section 14 example.
func TestReverseAndLiteral(t *testing.T) {
	topo := loadYAML(t, "shop", shopYAML)
	s := New(topo)
	web, db := topo.Container("shop-web-1"), topo.Container("shop-db-1")
	api := topo.Container("shop-api-1")
	apiFront := api.Endpoints[0].IPv4 // front sorts first (R5-3)
	rev := func(ip string) string {
		p := strings.Split(ip, ".")
		return p[3] + "." + p[2] + "." + p[1] + "." + p[0] + ".in-addr.arpa"
	}
	tests := []struct {
		name       string
		from       string
		q          string
		rcode, ptr string
	}{
		{"R6-13 PTR of a peer on a shared network", "web", rev(apiFront.String()), RcodeNoError, "shop-api-1.shop_front."},
		{"R6-13 PTR of an address on another network is forwarded", "web", rev(db.Endpoints[0].IPv4.String()), RcodeNXDomain, ""},
		{"R6-11 R6-13 internal-only container: SERVFAIL for a foreign PTR", "db", rev(apiFront.String()), RcodeServFail, ""},
		{"an address literal needs no lookup", "web", apiFront.String(), RcodeNoError, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			from := web
			if tc.from == "db" {
				from = db
			}
			r := s.Resolve(from, tc.q)
			if r.Rcode != tc.rcode {
				t.Fatalf("rcode %s, want %s (%+v)", r.Rcode, tc.rcode, r)
			}
			got := ""
			if len(r.Answers) > 0 {
				got = r.Answers[0].PTR
			}
			if got != tc.ptr {
				t.Errorf("ptr %q, want %q", got, tc.ptr)
			}
		})
	}
	if r := s.Resolve(web, apiFront.String()); r.Source != SourceNone || len(r.Answers) != 1 || r.Answers[0].Container != "shop-api-1" {
		t.Errorf("literal: %+v", r)
	}
}

// TestAAAA: R6-9 (a name with IPv4 only answers AAAA with NODATA, not
// forwarded) and R3-11 (dual-stack containers answer with their IPv6
// address on the answering network).
func TestAAAA(t *testing.T) {
	topo := loadYAML(t, "v6", `name: v6
services:
  web: {image: nginx, networks: [dual, plain]}
  api: {image: api, networks: [dual]}
  old: {image: old, networks: [plain]}
networks:
  dual: {enable_ipv6: true}
  plain: {}
`)
	s := New(topo)
	web := topo.Container("v6-web-1")
	r := s.ResolveType(web, "api", "AAAA")
	want := topo.Container("v6-api-1").Endpoints[0].IPv6
	if r.Rcode != RcodeNoError || len(r.Answers) != 1 || r.Answers[0].IP != want || !want.Is6() {
		t.Errorf("R3-11 AAAA api: %+v, want %s", r, want)
	}
	r = s.ResolveType(web, "old", "AAAA")
	if r.Rcode != RcodeNoError || len(r.Answers) != 0 || r.Forwarded {
		t.Errorf("R6-9 AAAA of an IPv4-only name: %+v", r)
	}
	if r := s.ResolveType(web, "example.com", "AAAA"); r.Source != SourceUpstream {
		t.Errorf("external AAAA: %+v", r)
	}
}
