package sim

import (
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestMatchRouteRegexp: nginx regex locations and server names and
// traefik HostRegexp match with Go's regexp: an exact host beats a
// wildcard, which beats a regex host; a matching regex location beats
// every prefix; ~* ignores case, ~ does not; a pattern RE2 rejects
// (look-ahead) never matches and Topology.Routes notes why; a route with
// only regex hosts is not a catch-all.
func TestMatchRouteRegexp(t *testing.T) {
	routes := []topology.Route{
		{Backend: "prefix", Hosts: []string{"www.example.com"}, Path: "/static/"},
		{Backend: "php", Hosts: []string{"www.example.com"}, Path: "~ \\.php$", PathRegexp: "\\.php$"},
		{Backend: "img", Hosts: []string{"www.example.com"}, Path: "~* \\.(png|jpe?g)$", PathRegexp: "(?i)\\.(png|jpe?g)$"},
		{Backend: "lookahead", Hosts: []string{"www.example.com"}, Path: "~ ^/(?!admin)", PathRegexp: "^/(?!admin)"},
		{Backend: "regex-host", HostRegexps: []string{"(?i)^(?<sub>[a-z]+)\\.example\\.org$"}},
		{Backend: "wild-host", Hosts: []string{"*.example.org"}, Path: "/w"},
		{Backend: "v2", HostRegexps: []string{topology.TraefikHostPattern("{sub:[a-z]+}.example.net")}},
	}
	for _, tc := range []struct{ host, path, want string }{
		{"www.example.com", "/static/a.php", "php"},
		{"www.example.com", "/static/a.PHP", "prefix"},
		{"www.example.com", "/static/A.JPG", "img"},
		{"www.example.com", "/x", ""},
		{"shop.example.org", "/", "regex-host"},
		{"shop.example.org", "/w", "wild-host"},
		{"a.b.example.org", "/", ""},
		{"api.example.net", "/", "v2"},
		{"api.example.net.evil", "/", ""},
		{"other.org", "/", ""},
	} {
		r, ok := MatchRoute(routes, tc.host, tc.path, nil)
		if ok != (tc.want != "") || r.Backend != tc.want {
			t.Errorf("MatchRoute(%s%s) = %q %v; want %q", tc.host, tc.path, r.Backend, ok, tc.want)
		}
	}
	note := topology.RegexpProblems(routes[3])
	if want := "\"^/(?!admin)\" not accepted by Go's regexp (RE2): invalid or unsupported Perl syntax: `(?!`: it never matches"; note != want {
		t.Errorf("note %q; want %q", note, want)
	}
}
