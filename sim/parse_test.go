package sim

import (
	"strings"
	"testing"
)

// TestParseFlow: the one flow grammar (FROM->TO[:PORT][/PROTO]) with the
// exact messages every command and the scenario parser print.
func TestParseFlow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Query
		err  string
	}{
		{in: "web->api:8000", want: Query{From: "web", To: "api", Port: 8000, Protocol: "tcp"}},
		{in: "  web  ->  api  ", want: Query{From: "web", To: "api", Protocol: "tcp"}},
		{in: "WEB->api:53/UDP", want: Query{From: "WEB", To: "api", Port: 53, Protocol: "udp"}},
		{in: "internet->[fd00::1]:443/sctp", want: Query{From: "internet", To: "fd00::1", Port: 443, Protocol: "sctp"}},
		{in: "web=>db", err: `want FROM -> TO[:PORT][/PROTO], got "web=>db"`},
		{in: "a->b->c", err: `want FROM -> TO[:PORT][/PROTO], got "a->b->c"`},
		{in: "web->", err: `want FROM -> TO[:PORT][/PROTO], got "web->"`},
		{in: "->db", err: `invalid source "": want a service, a container, host or internet`},
		{in: "web:80->db", err: `invalid source "web:80": want a service, a container, host or internet`},
		{in: "web->db:", err: `empty port after : in "db:" (leave out the colon for an IP-level question)`},
		{in: "web->db:99999", err: `invalid port "99999"`},
		{in: "web->db:80/icmp", err: `unknown protocol "icmp" (want tcp, udp or sctp)`},
		{in: "proxy/traefik->app/web:8080", want: Query{From: "proxy/traefik", To: "app/web", Port: 8080, Protocol: "tcp"}},
		{in: "app/web->proxy/traefik", want: Query{From: "app/web", To: "proxy/traefik", Protocol: "tcp"}},
		{in: "a->app/dns:53/udp", want: Query{From: "a", To: "app/dns", Port: 53, Protocol: "udp"}},
		{in: "a->app/web/tcp", want: Query{From: "a", To: "app/web", Protocol: "tcp"}},
		{in: "a->app/b/c", err: `unknown protocol "c" (want tcp, udp or sctp)`},
		{in: "a->/web", err: `unknown protocol "web" (want tcp, udp or sctp)`},
		{in: "a->api.example.com/v1", err: `unknown protocol "v1" (want tcp, udp or sctp)`},
		{in: "app/->b", err: `invalid source "app/": want a service, a container, host or internet`},
	} {
		got, err := ParseFlow(tc.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tc.err || err == nil && got != tc.want {
			t.Errorf("ParseFlow(%q) = %+v, %q; want %+v, %q", tc.in, got, gotErr, tc.want, tc.err)
		}
	}
}

func TestParsePortProtocol(t *testing.T) {
	for _, tc := range []struct {
		in    string
		port  uint16
		proto Protocol
		err   string
	}{
		{"80", 80, TCP, ""},
		{"53/udp", 53, UDP, ""},
		{"53/UDP", 53, UDP, ""},
		{"0", 0, "", `invalid port "0" (want PORT or PORT/PROTO)`},
		{"", 0, "", `invalid port "" (want PORT or PORT/PROTO)`},
		{"80/", 0, "", `empty protocol after / in "80/" (want tcp, udp or sctp)`},
		{"80/gre", 0, "", `unknown protocol "gre" (want tcp, udp or sctp)`},
	} {
		port, proto, err := ParsePort(tc.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if port != tc.port || proto != tc.proto || gotErr != tc.err {
			t.Errorf("ParsePort(%q) = %d %q %q; want %d %q %q", tc.in, port, proto, gotErr, tc.port, tc.proto, tc.err)
		}
	}
}

// FuzzParseFlow: the flow parser never panics, and what it accepts
// round-trips through Query.String and is accepted by Reach's own
// protocol check.
func FuzzParseFlow(f *testing.F) {
	for _, s := range []string{
		"web->api:8000", "internet->host:80/udp", "web->[::1]:80", "host->fd00::1",
		"web->db:", "a->b->c", " web -> api ", "web->api/SCTP", "x->[::ffff:1.2.3.4]:1",
		"web->db:80/", "->", "web->[", "web->]:80", "w->d:0",
		"internet->route:a.example:80/x", "host->route:", "internet->ROUTE:A/b:c",
		"proxy/traefik->app/web:8080", "a->app/udp/udp",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseFlow(s)
		if err != nil {
			return
		}
		if q.From == "" || q.To == "" || strings.ContainsAny(q.From, " \t:[]") || strings.ContainsAny(q.To, " \t[]") || !qualifiedOK(q.From) || !qualifiedOK(q.To) {
			t.Fatalf("ParseFlow(%q) accepted %+v", s, q)
		}
		if _, err := ParseProtocol(q.Protocol); err != nil {
			t.Fatalf("ParseFlow(%q) gave protocol %q: %v", s, q.Protocol, err)
		}
		back, err := ParseFlow(q.String())
		if err != nil || back != q {
			t.Fatalf("round trip of %q: %q -> %+v, %v; want %+v", s, q.String(), back, err, q)
		}
	})
}
