package sim

import (
	"fmt"
	"strconv"
	"strings"
)

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
	// Internet. The keywords win over services with the same name.
	From string `json:"from"`
	// To is a name resolved from From's point of view (section 6), an IP
	// address, Localhost, Host (the host's first non-loopback address) or
	// Internet. From Host or Internet a container or service name stands for
	// that container's address.
	To string `json:"to"`
	// Port is the destination port; 0 asks an IP-level question (ping).
	Port uint16 `json:"port"`
	// Protocol is tcp (default), udp or sctp.
	Protocol string `json:"protocol"`
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

// address without port) into its parts. The protocol defaults to tcp.
func ParseTarget(s string) (target string, port uint16, protocol string, err error) {
	protocol = "tcp"
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		protocol = strings.ToLower(s[i+1:])
		s = s[:i]
		switch protocol {
		case "tcp", "udp", "sctp":
		default:
			return "", 0, "", fmt.Errorf("unknown protocol %q (want tcp, udp or sctp)", protocol)
		}
	}
	ps := ""
	switch {
	case strings.HasPrefix(s, "["):
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return "", 0, "", fmt.Errorf("missing ] in %q", s)
		}
		target, ps = s[1:j], strings.TrimPrefix(s[j+1:], ":")
	case strings.Count(s, ":") == 1:
		i := strings.IndexByte(s, ':')
		target, ps = s[:i], s[i+1:]
	default:
		target = s
	}
	if target == "" {
		return "", 0, "", fmt.Errorf("empty target")
	}
	if ps != "" {
		n, perr := strconv.ParseUint(ps, 10, 16)
		if perr != nil || n == 0 {
			return "", 0, "", fmt.Errorf("invalid port %q", ps)
		}
		port = uint16(n)
	}
	return target, port, protocol, nil
}
