package sim

import "testing"

// ParseReach: the reach command's TARGET, with the HOST/PATH route
// shorthand only from outside (internet, host) and only for dotted hosts.
func TestParseReach(t *testing.T) {
	for _, c := range []struct {
		from, to string
		want     Query
		bad      bool
	}{
		{"web", "api:8080", Query{From: "web", To: "api", Port: 8080, Protocol: "tcp"}, false},
		{"web", "api", Query{From: "web", To: "api", Protocol: "tcp"}, false},
		{"web", "db:53/UDP", Query{From: "web", To: "db", Port: 53, Protocol: "udp"}, false},
		{"web", "route:app.example.com/v1", Query{From: "web", To: RoutePrefix + "app.example.com", Protocol: "tcp", Path: "/v1"}, false},
		{"internet", "api.example.com/v1", Query{From: "internet", To: RoutePrefix + "api.example.com", Protocol: "tcp", Path: "/v1"}, false},
		{"HOST", "x.example:8443/a/b", Query{From: "HOST", To: RoutePrefix + "x.example", Port: 8443, Protocol: "tcp", Path: "/a/b"}, false},
		{"internet", "api.example.com/udp", Query{From: "internet", To: "api.example.com", Protocol: "udp"}, false},
		{"web", "api.example.com/v1", Query{}, true},                                          // not from outside
		{"internet", "api/v1", Query{From: "internet", To: "api/v1", Protocol: "tcp"}, false}, // no dot: not a host name but PROJECT/service
		{"internet", "app/web:8080", Query{From: "internet", To: "app/web", Port: 8080, Protocol: "tcp"}, false},
		{"internet", "api.example.com/", Query{}, true},
	} {
		q, err := ParseReach(c.from, c.to)
		if (err != nil) != c.bad || !c.bad && q != c.want {
			t.Errorf("ParseReach(%q, %q) = %+v, %v; want %+v (error %v)", c.from, c.to, q, err, c.want, c.bad)
		}
	}
}

// ParseOptionalPort: no port is the IP-level question; otherwise
// ParsePort's grammar and messages.
func TestParseOptionalPort(t *testing.T) {
	for _, c := range []struct {
		in    string
		port  uint16
		proto string
		bad   bool
	}{
		{"", 0, "tcp", false},
		{"80", 80, "tcp", false},
		{"53/UDP", 53, "udp", false},
		{"0", 0, "", true},
		{"80/icmp", 0, "", true},
	} {
		p, proto, err := ParseOptionalPort(c.in)
		if (err != nil) != c.bad || !c.bad && (p != c.port || proto != c.proto) {
			t.Errorf("%q: %d %q %v", c.in, p, proto, err)
		}
	}
}
