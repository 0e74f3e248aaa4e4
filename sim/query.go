package sim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The grammar of flows and targets, the one place it is parsed:
//
//	flow   = FROM "->" (target | route)  (spaces around the arrow allowed)
//	target = TO [":" PORT] ["/" PROTO]
//	route  = "route:" HOST [":" PORT] [PATH]  (a reverse-proxy route, routes.go;
//	         PORT is the host port, PATH starts with "/", always tcp)
//	TO     = name | IPv4 | IPv6 | "[" IPv6 "]"   (a port after IPv6 needs the brackets)
//	name   = [PROJECT "/"] NAME          (PROJECT/service when several projects share the host)
//	PORT   = 1..65535                  (absent: an IP-level question)
//	PROTO  = tcp | udp | sctp          (case-insensitive; default tcp)
//
// FROM is a container, a service, host or internet; Sim.Peer resolves it.

// Keywords for Query.From and Query.To.
const (
	// Host is the Docker host itself (its network namespace).
	Host = "host"
	// Internet is a machine outside the host, on the LAN or beyond.
	Internet = "internet"
	// Localhost is the loopback address of the source's own namespace.
	Localhost = "localhost"
)

// Query is one reachability question: can From open a connection (or, with
// Port 0, exchange an ICMP echo) with To?
type Query struct {
	// From is a container name, a service name (its first replica), Host or
	// Internet (see Sim.Peer). The keywords win over services with the same
	// name.
	From string `json:"from"`
	// To is a name resolved from From's point of view (section 6), an IP
	// address, Localhost, Host (the host's first non-loopback address) or
	// Internet. From Host or Internet a container or service name stands for
	// that container's address.
	To string `json:"to"`
	// Port is the destination port; 0 asks an IP-level question (ping).
	Port uint16 `json:"port"`
	// Protocol is tcp (default, also for ""), udp or sctp; Reach checks it
	// with ParseProtocol.
	Protocol string `json:"protocol"`
	// Path is the request path of a route question (To "route:HOST",
	// routes.go); "" otherwise.
	Path string `json:"path,omitempty"`
}

// Protocol is a transport protocol of a flow.
type Protocol string

// The protocols. ICMP is what a port-less (IP-level) question uses; it is
// never parsed from input.
const (
	TCP  Protocol = "tcp"
	UDP  Protocol = "udp"
	SCTP Protocol = "sctp"
	ICMP Protocol = "icmp"
)

// ParseProtocol validates a protocol word: tcp, udp or sctp, in any case;
// the empty string means tcp. It is the only place protocols are checked.
func ParseProtocol(s string) (Protocol, error) {
	switch p := Protocol(strings.ToLower(s)); p {
	case "":
		return TCP, nil
	case TCP, UDP, SCTP:
		return p, nil
	}
	return "", fmt.Errorf("unknown protocol %q (want tcp, udp or sctp)", s)
}

// Hop step kinds, in the vocabulary of section 9.
const (
	StepDNS       = "dns"
	StepRoute     = "route"
	StepVeth      = "veth"
	StepBridge    = "bridge"
	StepHost      = "host"
	StepNetfilter = "netfilter"
	StepDNAT      = "dnat"
	StepSNAT      = "snat"
	StepProxy     = "docker-proxy"
	StepLoopback  = "loopback"
	StepWire      = "wire"
	StepDeliver   = "deliver"
	StepProcess   = "process"
	StepDrop      = "drop"
)

// ParseTarget splits "TARGET[:PORT][/PROTO]" (IPv6 as "[::1]:80" or a bare
// address without port) into its parts. The protocol defaults to tcp. A
// colon must be followed by a port ("api:" is an error).
func ParseTarget(s string) (target string, port uint16, protocol string, err error) {
	p := TCP
	if i := strings.LastIndexByte(s, '/'); i >= 0 && isProtoSuffix(s[:i], s[i+1:]) {
		if p, err = ParseProtocol(s[i+1:]); err != nil {
			return "", 0, "", err
		}
		if s[i+1:] == "" {
			return "", 0, "", fmt.Errorf("empty protocol after / in %q (want tcp, udp or sctp)", s)
		}
		s = s[:i]
	}
	ps, hasPort := "", false
	switch {
	case strings.HasPrefix(s, "["):
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return "", 0, "", fmt.Errorf("missing ] in %q", s)
		}
		target = s[1:j]
		rest := s[j+1:]
		switch {
		case rest == "":
		case rest[0] == ':':
			ps, hasPort = rest[1:], true
		default:
			return "", 0, "", fmt.Errorf("unexpected %q after ] (want [ADDRESS]:PORT)", rest)
		}
		if a, aerr := netip.ParseAddr(target); aerr != nil || !a.Is6() {
			return "", 0, "", fmt.Errorf("invalid IPv6 address %q in brackets", target)
		}
	case strings.Count(s, ":") == 1:
		i := strings.IndexByte(s, ':')
		target, ps, hasPort = s[:i], s[i+1:], true
	default:
		target = s
		if strings.Contains(s, ":") {
			if _, aerr := netip.ParseAddr(s); aerr != nil {
				return "", 0, "", fmt.Errorf("invalid target %q: an IPv6 address with a port is written [ADDRESS]:PORT", s)
			}
		}
	}
	if target == "" {
		return "", 0, "", fmt.Errorf("empty target")
	}
	if strings.ContainsAny(target, " \t[]") || !qualifiedOK(target) {
		return "", 0, "", fmt.Errorf("invalid target %q", target)
	}
	if hasPort {
		if ps == "" {
			return "", 0, "", fmt.Errorf("empty port after : in %q (leave out the colon for an IP-level question)", s)
		}
		n, perr := strconv.ParseUint(ps, 10, 16)
		if perr != nil || n == 0 {
			return "", 0, "", fmt.Errorf("invalid port %q", ps)
		}
		port = uint16(n)
	}
	return target, port, string(p), nil
}

// ParsePort parses "PORT[/PROTO]" (a port is required).
func ParsePort(s string) (uint16, Protocol, error) {
	ps, pr, _ := strings.Cut(s, "/")
	p, err := ParseProtocol(pr)
	if err != nil {
		return 0, "", err
	}
	if strings.Contains(s, "/") && pr == "" {
		return 0, "", fmt.Errorf("empty protocol after / in %q (want tcp, udp or sctp)", s)
	}
	n, err := strconv.ParseUint(ps, 10, 16)
	if err != nil || n == 0 {
		return 0, "", fmt.Errorf("invalid port %q (want PORT or PORT/PROTO)", s)
	}
	return uint16(n), p, nil
}

// ParseOptionalPort is ParsePort for a port that may be left out: ""
// is the IP-level question (port 0, tcp), as matrix --port takes it.
func ParseOptionalPort(s string) (uint16, string, error) {
	if s == "" {
		return 0, string(TCP), nil
	}
	port, proto, err := ParsePort(s)
	return port, string(proto), err
}

// ParseFlow parses "FROM->TO[:PORT][/PROTO]" (spaces around the arrow are
// allowed) into a Query. FROM must be one word: a container, a service,
// host or internet; it is resolved later, by Sim.Peer.
func ParseFlow(s string) (Query, error) {
	from, to, found := strings.Cut(s, "->")
	if !found || strings.Contains(to, "->") {
		return Query{}, fmt.Errorf("want FROM -> TO[:PORT][/PROTO], got %q", s)
	}
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" || strings.ContainsAny(from, " \t:[]") || !qualifiedOK(from) {
		return Query{}, fmt.Errorf("invalid source %q: want a service, a container, host or internet", from)
	}
	if to == "" {
		return Query{}, fmt.Errorf("want FROM -> TO[:PORT][/PROTO], got %q", s)
	}
	if IsRouteTarget(to) {
		host, port, path, err := ParseRouteTarget(to)
		if err != nil {
			return Query{}, err
		}
		return Query{From: from, To: RoutePrefix + host, Port: port, Protocol: string(TCP), Path: path}, nil
	}
	target, port, proto, err := ParseTarget(to)
	if err != nil {
		return Query{}, err
	}
	return Query{From: from, To: target, Port: port, Protocol: proto}, nil
}

// ParseReach reads `reach FROM TARGET`'s TARGET: TARGET[:PORT][/PROTO],
// a reverse-proxy route as route:HOST[:PORT][/PATH], or, from internet or
// host, HOST[:PORT]/PATH where HOST has a dot and the slash is followed by
// something other than a protocol (ParseTarget's error otherwise).
func ParseReach(from, to string) (Query, error) {
	if IsRouteTarget(to) {
		return ParseFlow(from + "->" + to)
	}
	target, port, proto, err := ParseTarget(to)
	if err != nil {
		outside := strings.EqualFold(from, Internet) || strings.EqualFold(from, Host)
		if i := strings.IndexByte(to, '/'); i > 0 && outside && strings.Contains(to[:i], ".") {
			if _, perr := ParseProtocol(to[i+1:]); perr != nil && to[i+1:] != "" {
				if host, rport, path, rerr := ParseRouteTarget(to); rerr == nil {
					return Query{From: from, To: RoutePrefix + host, Port: rport, Protocol: string(TCP), Path: path}, nil
				}
			}
		}
		return Query{}, err
	}
	return Query{From: from, To: target, Port: port, Protocol: proto}, nil
}

// String formats q in the flow grammar, so that ParseFlow(q.String())
// gives q back (with the protocol spelled out).
func (q Query) String() string {
	if IsRouteTarget(q.To) {
		s := q.From + "->" + q.To
		if q.Port != 0 {
			s += ":" + strconv.Itoa(int(q.Port))
		}
		return s + q.Path
	}
	to := q.To
	if strings.Contains(to, ":") {
		if q.Port != 0 {
			to = "[" + to + "]"
		}
	}
	s := q.From + "->" + to
	if q.Port != 0 {
		s += ":" + strconv.Itoa(int(q.Port))
	}
	p := q.Protocol
	if p == "" {
		p = string(TCP)
	}
	return s + "/" + strings.ToLower(p)
}

// isProtoSuffix tells whether the text after the last slash of a target
// is its protocol rather than the service half of PROJECT/service: a
// protocol word or nothing ("db:80/"), or any word that does not follow a
// project name (so that "db:80/icmp" is an unknown protocol and
// "api.example.com/v1" is no service name).
func isProtoSuffix(before, after string) bool {
	if _, err := ParseProtocol(after); err == nil || after == "" {
		return true
	}
	return !projectName(before) // else the service half of PROJECT/service[:PORT]
}

// qualifiedOK accepts a name without a slash, or PROJECT/service: a
// project name (R1-2: letters, digits, "-" and "_"; any case here) and a
// non-empty service part without a slash.
func qualifiedOK(s string) bool {
	i := strings.IndexByte(s, '/')
	return i < 0 || projectName(s[:i]) && i < len(s)-1 && !strings.Contains(s[i+1:], "/")
}

// projectName reports whether s can be a compose project name (R1-2),
// case aside.
func projectName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
