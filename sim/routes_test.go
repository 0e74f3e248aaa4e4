package sim

import (
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

func TestParseRouteTarget(t *testing.T) {
	for _, tc := range []struct {
		in, host, path string
		port           uint16
		err            string
	}{
		{in: "route:API.example.com", host: "api.example.com"},
		{in: "route:api.example.com:8443/v1/users", host: "api.example.com", port: 8443, path: "/v1/users"},
		{in: "api.example.com/v1", host: "api.example.com", path: "/v1"},
		{in: "route:a.example:", err: `invalid port "" in route target "a.example:"`},
		{in: "route:/x", err: `empty host name in route target "/x" (want route:HOST[:PORT][/PATH])`},
		{in: "route:[::1]/x", err: `invalid port "1]" in route target "[::1]/x"`},
		{in: "route:a b", err: `invalid host name "a b" in route target (want route:HOST[:PORT][/PATH])`},
	} {
		h, p, path, err := ParseRouteTarget(tc.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.err || err == nil && (h != tc.host || p != tc.port || path != tc.path) {
			t.Errorf("ParseRouteTarget(%q) = %q %d %q %q; want %q %d %q %q", tc.in, h, p, path, got, tc.host, tc.port, tc.path, tc.err)
		}
	}
	q, err := ParseFlow("internet -> route:Api.Example.com:443/v1")
	want := Query{From: "internet", To: "route:api.example.com", Port: 443, Protocol: "tcp", Path: "/v1"}
	if err != nil || q != want || q.String() != "internet->route:api.example.com:443/v1" {
		t.Errorf("ParseFlow = %+v %v (%s); want %+v", q, err, q.String(), want)
	}
}

// TestMatchRoute: the tie-breaks of routes.go: an exact host over a
// wildcard over no host; the longest path prefix; the longer rule; then
// the order given; regex paths never match; unresolved routes are skipped.
func TestMatchRoute(t *testing.T) {
	routes := []topology.Route{
		{Backend: "any", Rule: "PathPrefix(`/`)"},
		{Backend: "wild", Hosts: []string{"*.example.com"}},
		{Backend: "exact", Hosts: []string{"api.example.com"}},
		{Backend: "exact-v1", Hosts: []string{"api.example.com"}, Path: "/v1"},
		{Backend: "exact-v1-long", Hosts: []string{"api.example.com"}, Path: "/v1", Rule: "Host(`api.example.com`) && PathPrefix(`/v1`)"},
		{Backend: "regex", Hosts: []string{"api.example.com"}, Path: "~ ^/v1/x"},
		{Backend: "unresolved", Hosts: []string{"api.example.com"}, Path: "/v1/x", Unresolved: "variable"},
		{Backend: "dot", Hosts: []string{".dot.example"}},
	}
	for _, tc := range []struct{ host, path, want string }{
		{"api.example.com", "/v1/x", "exact-v1-long"},
		{"api.example.com", "/v2", "exact"},
		{"api.example.com", "", "exact"},
		{"www.example.com", "/", "wild"},
		{"example.com", "/", "any"},
		{"dot.example", "/", "dot"},
		{"a.dot.example", "/", "dot"},
		{"other.org", "/v1", "any"},
	} {
		r, ok := MatchRoute(routes, tc.host, tc.path, nil)
		if !ok || r.Backend != tc.want {
			t.Errorf("MatchRoute(%s%s) = %s %v; want %s", tc.host, tc.path, r.Backend, ok, tc.want)
		}
	}
	if r, ok := MatchRoute(routes[1:3], "other.org", "/", nil); ok {
		t.Errorf("MatchRoute(other.org) = %s; want no match", r.Backend)
	}
}

const traefikYAML = `
name: shop
services:
  traefik:
    image: traefik:v3.1
    command:
      - --providers.docker.exposedByDefault=false
      - --entrypoints.web.address=:80
      - --entrypoints.websecure.address=:443
    ports: ["80:80", "443:443"]
    networks: [proxy]
  api:
    image: example/api
    labels:
      - traefik.enable=true
      - traefik.http.routers.api.rule=Host(` + "`api.example.com`" + `) && PathPrefix(` + "`/v1`" + `)
      - traefik.http.routers.api.entrypoints=websecure
      - traefik.http.routers.api.tls.certresolver=le
      - traefik.http.services.api.loadbalancer.server.port=8080
    networks: [proxy]
  admin:
    image: example/admin
    labels:
      traefik.enable: "true"
      traefik.http.routers.admin.rule: Host(` + "`admin.example.com`" + `)
      traefik.http.routers.admin.entrypoints: web
      traefik.http.services.admin.loadbalancer.server.port: "3000"
      traefik.docker.network: proxy
    networks: [back]
  web:
    image: example/web
    x-composenet:
      listen: ["8000"]
    labels:
      traefik.enable: "true"
      traefik.http.routers.web.rule: Host(` + "`www.example.com`" + `)
      traefik.http.services.web.loadbalancer.server.port: "9000"
    networks: [proxy]
networks:
  proxy:
  back:
    internal: true
`

// TestReachRoute: internet -> route:HOST/PATH follows the published port
// into traefik (the entry hop, R7-9/R8-9) and then the proxied hop; each
// hop's verdict is in the answer, the route's position too.
func TestReachRoute(t *testing.T) {
	s := New(loadYAML(t, "shop", traefikYAML))
	for _, tc := range []struct {
		q                      Query
		verdict, entry, proxed string
		port                   uint16
		fix                    string
	}{
		{q: Query{From: "internet", To: "route:api.example.com", Path: "/v1/users"}, verdict: "delivered", entry: "delivered", proxed: "delivered", port: 443},
		// R7-5: admin is on an internal network traefik does not join;
		// traefik.docker.network names the proxy's network without the
		// project prefix.
		{q: Query{From: "internet", To: "route:admin.example.com"}, verdict: "dropped-isolation", entry: "delivered", proxed: "dropped-isolation", port: 80,
			fix: "attach traefik and admin to a common network and name it in traefik.docker.network"},
		// x-composenet.listen: web listens on 8000, the route says 9000.
		{q: Query{From: "host", To: "route:www.example.com"}, verdict: "refused", entry: "delivered", proxed: "refused", port: 80},
		// A plain name from the internet that a route serves.
		{q: Query{From: "internet", To: "api.example.com", Path: "/v1"}, verdict: "delivered", entry: "delivered", proxed: "delivered", port: 443},
		{q: Query{From: "internet", To: "route:api.example.com", Port: 80, Path: "/v1"}, verdict: "not-routed", port: 80},
	} {
		r := s.Reach(tc.q)
		if r.Route == nil {
			t.Fatalf("%v: no route answer: %+v", tc.q, r)
		}
		got := r.Verdict.String()
		e, p := "", ""
		if r.Route.Entry != nil {
			e = r.Route.Entry.Verdict.String()
		}
		if r.Route.Proxied != nil {
			p = r.Route.Proxied.Verdict.String()
		}
		if got != tc.verdict || e != tc.entry || p != tc.proxed || r.Port != tc.port || r.Reachable != (tc.verdict == "delivered") {
			t.Errorf("%v: %s (entry %q, proxied %q, port %d); want %s (%q, %q, %d): %s", tc.q, got, e, p, r.Port, tc.verdict, tc.entry, tc.proxed, tc.port, r.Reason)
		}
		if tc.fix != "" && (len(r.BlockedBy) == 0 || r.BlockedBy[0].Fix != tc.fix) {
			t.Errorf("%v: blockers %+v; want first fix %q", tc.q, r.BlockedBy, tc.fix)
		}
		if tc.proxed != "" {
			if r.Route.Route.Position == "" || !hasRouteStep(r.Hops) {
				t.Errorf("%v: route position %q, steps %v", tc.q, r.Route.Route.Position, r.Hops)
			}
		}
	}
	r := s.Reach(Query{From: "internet", To: "route:api.exmaple.com"})
	if r.Verdict != NotRouted || strings.Join(r.Route.DidYouMean, ",") != "api.example.com" || len(r.Route.Routes) != 3 {
		t.Errorf("typo: %s %v %v", r.Verdict, r.Route.DidYouMean, r.Route.Routes)
	}
	r = s.Reach(Query{From: "api", To: "route:api.example.com"})
	if r.Verdict != InvalidQuery || !strings.Contains(r.Error, "asked from internet or host") {
		t.Errorf("from a container: %s %q", r.Verdict, r.Error)
	}
	// A name no route serves is still the old question (external name).
	r = s.Reach(Query{From: "internet", To: "example.org", Port: 80})
	if r.Route != nil {
		t.Errorf("example.org became a route question")
	}
}

func hasRouteStep(hs []Hop) bool {
	for _, h := range hs {
		if h.Step == StepRoute7 {
			return true
		}
	}
	return false
}
