package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/composenet/composenet/topology"
)

// DNS response codes and answer sources.
const (
	RcodeNoError  = "NOERROR"
	RcodeNXDomain = "NXDOMAIN"
	RcodeServFail = "SERVFAIL"

	// SourceEmbedded: dockerd's embedded resolver at 127.0.0.11 answered
	// from its per-network tables (R6-7).
	SourceEmbedded = "embedded"
	// SourceHosts: the container's /etc/hosts answered (localhost,
	// extra_hosts, its own hostname, legacy links; R5-6, R6-15).
	SourceHosts = "hosts"
	// SourceUpstream: the name was forwarded to an upstream resolver (R6-9,
	// R6-10, R6-16).
	SourceUpstream = "upstream"
	// SourceNone: no resolver could be asked (network_mode none, R6-17).
	SourceNone = "none"
)

// DNSResult is the answer a container gets for an A lookup of Name.
type DNSResult struct {
	// From is the asking container's name (or "host").
	From string `json:"from"`
	// Name is the name as asked.
	Name string `json:"name"`
	// Type is the query type when it is not A (AAAA).
	Type string `json:"type,omitempty"`
	// Rcode is NOERROR, NXDOMAIN or SERVFAIL.
	Rcode string `json:"rcode"`
	// Source is embedded, hosts, upstream or none.
	Source string `json:"source"`
	// Network is the compose key of the network that answered (the engine
	// name for networks outside the project); empty unless Source is
	// embedded.
	Network string `json:"network,omitempty"`
	// NetworkName is the engine name of that network.
	NetworkName string `json:"network_name,omitempty"`
	// Answers are the A records, sorted by address (real Docker shuffles
	// them per query, R6-9).
	Answers []DNSAnswer `json:"answers"`
	// Forwarded is true when the embedded resolver (or the container's own
	// stub) sent the query to an upstream server.
	Forwarded bool `json:"forwarded,omitempty"`
	// External is true when the name was forwarded and looks like a public
	// name: the host's upstream resolver answers it, and composenet does not
	// invent its address.
	External bool `json:"external,omitempty"`
	// Rules are the rule-book IDs that decided the answer.
	Rules []string `json:"rules"`
	// Notes explain tie-breaks and caveats.
	Notes []string `json:"notes,omitempty"`
	// LatencyMS is the simulated time to the answer.
	LatencyMS float64 `json:"latency_ms"`
	// Server is the container's dns: server that answered a forwarded
	// query (R6-10), "" when the host's upstream resolvers did; Servers
	// are what each dns: server was found to be, in order.
	Server  string      `json:"server,omitempty"`
	Servers []DNSServer `json:"servers,omitempty"`

	latency time.Duration
	target  *topology.Container // for single-answer hosts/links lookups
}

// DNSAnswer is one A record and whose address it is.
type DNSAnswer struct {
	IP        netip.Addr `json:"ip"`
	Container string     `json:"container,omitempty"`
	Service   string     `json:"service,omitempty"`
	Network   string     `json:"network,omitempty"`
	// PTR is the answer of a reverse lookup (R6-13), with a trailing dot.
	PTR string `json:"ptr,omitempty"`

	ep *topology.Endpoint
}

// Resolved reports whether r carries at least one address.
func (r DNSResult) Resolved() bool { return r.Rcode == RcodeNoError && len(r.Answers) > 0 }

// ResolveType answers a lookup of name of type qtype ("A", "AAAA" or
// "PTR"; a PTR name is an in-addr.arpa name) from container from. AAAA
// follows the A procedure to the same network and turns each answer into
// the container's IPv6 address there; a name that exists with IPv4 only
// is NOERROR with no answers (NODATA) and is not forwarded (R6-9).
func (s *Sim) ResolveType(from *topology.Container, name, qtype string) DNSResult {
	r := s.Resolve(from, name)
	if !strings.EqualFold(qtype, "AAAA") {
		return r
	}
	r.Type = "AAAA"
	if r.Rcode != RcodeNoError || len(r.Answers) == 0 || r.Source == SourceUpstream {
		return r
	}
	var v6 []DNSAnswer
	for _, a := range r.Answers {
		switch {
		case a.ep != nil && a.ep.IPv6.IsValid():
			a.IP = a.ep.IPv6
			v6 = append(v6, a)
		case a.ep == nil && a.IP.Is6() && !a.IP.Is4In6():
			v6 = append(v6, a)
		}
	}
	if len(v6) == 0 {
		r.Answers = []DNSAnswer{}
		r.Rules = append(r.Rules, "R6-9")
		r.Notes = append(r.Notes, "the name exists but has no IPv6 address there: NOERROR with no answers (NODATA), not forwarded")
		return r
	}
	sort.Slice(v6, func(i, j int) bool { return v6[i].IP.Less(v6[j].IP) })
	r.Answers = v6
	return r
}

// Lookup answers `dns FROM NAME` as every command asks it: from names
// the asking container or service (resolved once, by Peer; host and
// internet have no resolver composenet models), qtype is A or AAAA (any
// case), then ResolveType. The errors are the command line's messages.
func (s *Sim) Lookup(from, name, qtype string) (DNSResult, error) {
	src, err := s.Peer(from)
	if err == nil && src.Kind != PeerContainer {
		err = fmt.Errorf("%s has no resolver composenet models: FROM must be a container or service", src.Name)
	}
	if err != nil {
		return DNSResult{}, err
	}
	if !strings.EqualFold(qtype, "A") && !strings.EqualFold(qtype, "AAAA") {
		return DNSResult{}, fmt.Errorf("unknown --type %q (want A or AAAA)", qtype)
	}
	return s.ResolveType(src.ctr, name, qtype), nil
}

const shuffleNote = "real Docker shuffles the order of multiple A records on every query (R6-9); composenet lists them by address"

// Resolve answers an A lookup of name from container from (section 6).
func (s *Sim) Resolve(from *topology.Container, name string) DNSResult {
	r := DNSResult{From: from.Name, Name: name, Answers: []DNSAnswer{}}
	q := strings.ToLower(strings.TrimSuffix(name, ".")) // R6-7 step 1
	lat := s.t.Latency
	mode, view := modeOf(from)
	if view != nil && view != from {
		// R6-17: service:/container: sharers use X's files and X's view.
		r.Notes = append(r.Notes, "network_mode "+from.NetworkMode+": resolves with "+view.Name+"'s /etc/hosts, resolv.conf and networks (R6-17)")
		r.Rules = append(r.Rules, "R6-17")
	}
	hostsOwner := from
	if view != nil {
		hostsOwner = view
	}

	// An address literal needs no lookup: the resolver library returns it.
	if ip, err := netip.ParseAddr(q); err == nil {
		r.Rcode, r.Source = RcodeNoError, SourceNone
		a := DNSAnswer{IP: ip}
		if e := s.ipOwner[ip]; e != nil {
			a.Container, a.Service, a.Network = e.Container.Name, e.Container.Service, netLabel(e.Network)
		}
		r.Answers = append(r.Answers, a)
		r.Rules = []string{}
		r.Notes = append(r.Notes, "an address literal: getaddrinfo returns it without asking any DNS server")
		return r
	}

	// /etc/hosts first (R5-6, R6-15): nsswitch "files dns".
	if s.hostsLookup(&r, hostsOwner, mode, q) {
		return r
	}

	switch mode {
	case nsNone:
		r.Rcode, r.Source = RcodeServFail, SourceNone
		r.Rules = append(r.Rules, "R6-17", "R7-10")
		r.Notes = append(r.Notes, "network_mode none: no embedded DNS and no route to any nameserver")
		return r
	case nsHost:
		r.Rules = append(r.Rules, "R6-17")
		r.Notes = append(r.Notes, "network_mode host: the host's resolv.conf; container names are not registered for the host")
		s.upstream(&r, q, lat.UpstreamDNS)
		return r
	}

	embedded := false
	for _, e := range view.Endpoints {
		if !s.isBridge0(e.Network) {
			embedded = true
			break
		}
	}
	if !embedded {
		// R6-16: default bridge only: no embedded DNS; the host's
		// nameservers (or Google's) are asked straight from the container.
		r.Rules = append(r.Rules, "R6-1", "R6-16")
		r.Notes = append(r.Notes, "default bridge: no embedded DNS, container names resolve only through links")
		s.upstream(&r, q, lat.UpstreamDNS)
		return r
	}

	r.latency = lat.EmbeddedDNS
	if ip, ok := reverseName(q); ok {
		// R6-13: a PTR for an address on one of the container's networks
		// (endpoints in gateway order, first hit) is answered with the
		// owner's first DNS name and the network's engine name.
		for _, e := range view.Endpoints {
			o := s.ipOwner[ip]
			if o == nil || o.Network != e.Network || !e.Network.Subnet.Contains(ip) {
				continue
			}
			first := o.Container.Name
			if len(o.DNSNames) > 0 {
				first = o.DNSNames[0]
			}
			r.Rcode, r.Source = RcodeNoError, SourceEmbedded
			r.Network, r.NetworkName = netLabel(e.Network), e.Network.Name
			r.Answers = append(r.Answers, DNSAnswer{IP: ip, Container: o.Container.Name, Service: o.Container.Service, Network: netLabel(e.Network), PTR: first + "." + e.Network.Name + ".", ep: o})
			r.Rules = append(r.Rules, "R6-13")
			r.LatencyMS = ms(r.latency)
			return r
		}
		r.Rules = append(r.Rules, "R6-13")
		r.Notes = append(r.Notes, "reverse lookup of an address on none of the container's networks: forwarded upstream (R6-13)")
		if !hasExternalAccess(view) && !s.internalDNSForwards() {
			r.Rcode, r.Source = RcodeServFail, SourceEmbedded
			r.Rules = append(r.Rules, "R6-11")
			r.LatencyMS = ms(r.latency)
			return r
		}
		s.upstream(&r, q, r.latency+lat.UpstreamDNS)
		if ip.IsPrivate() || ip.IsLoopback() {
			r.Rcode, r.External = RcodeNXDomain, false
			r.Notes = append(r.Notes, "a private address has no public reverse record: the upstream answers NXDOMAIN")
		}
		return r
	}
	if s.embeddedLookup(&r, view, q) {
		r.Rcode, r.Source = RcodeNoError, SourceEmbedded
		r.Rules = append(r.Rules, "R6-3", "R6-7")
		if len(r.Answers) > 1 {
			r.Rules = append(r.Rules, "R6-6", "R6-9")
			r.Notes = append(r.Notes, shuffleNote)
		}
		r.LatencyMS = ms(r.latency)
		return r
	}

	// R6-9: not found with an explicit ndots and no dot: NODATA, not
	// forwarded.
	if view.NdotsSet && !strings.Contains(q, ".") {
		r.Rcode, r.Source = RcodeNoError, SourceEmbedded
		r.Rules = append(r.Rules, "R6-9", "R6-2")
		r.Notes = append(r.Notes, "ndots is set explicitly and the name has no dot: the embedded DNS answers NODATA without forwarding")
		r.LatencyMS = ms(r.latency)
		return r
	}

	// R6-11: forwarding only with external access (since the fix of
	// CVE-2024-29018; older engines forward anyway, engine.go).
	if !hasExternalAccess(view) && s.internalDNSForwards() {
		r.Rules = append(r.Rules, "R6-11")
		r.Notes = append(r.Notes, s.engineNote("before the fix of CVE-2024-29018 (26.0, 25.0.4, 23.0.11) the embedded DNS forwards for internal-only containers too (R6-11 [VER 26.0])"))
	} else if !hasExternalAccess(view) {
		r.Rules = append(r.Rules, "R6-11")
		r.Forwarded = false
		if srv, ok := s.onNetworkDNS(view); ok {
			r.Notes = append(r.Notes, "internal-only container: forwarded to its dns: server "+srv+" on an internal network (R6-11)")
			s.upstream(&r, q, r.latency+lat.UpstreamDNS)
			return r
		}
		r.Rcode, r.Source = RcodeServFail, SourceEmbedded
		r.Notes = append(r.Notes, "internal-only container: the embedded DNS does not forward names it does not know (SERVFAIL at once)")
		r.LatencyMS = ms(r.latency)
		return r
	}
	if len(view.DNS) == 0 && len(s.t.Host.Nameservers) == 0 {
		r.Rcode, r.Source, r.Forwarded = RcodeServFail, SourceUpstream, true
		r.Rules = append(r.Rules, "R6-10")
		r.Notes = append(r.Notes, "no external nameservers: the host has none and the service sets no dns:")
		r.LatencyMS = ms(r.latency)
		return r
	}
	r.Rules = append(r.Rules, "R6-9", "R6-10")
	if len(view.DNS) > 0 {
		// R6-10: dns: servers replace the host's and are asked from the
		// container's namespace.
		s.forwardToDNSOption(&r, view, q, r.latency+lat.UpstreamDNS)
		return r
	}
	s.upstream(&r, q, r.latency+lat.UpstreamDNS)
	return r
}

// DNSServer is one dns: server of a container, as the embedded resolver
// meets it when it forwards from the container's namespace (R6-10).
type DNSServer struct {
	Address string `json:"address"`
	// Container is the container that holds the address, if any.
	Container string `json:"container,omitempty"`
	// Reachable is false when packets from the container cannot get there
	// (a container on a network the asker does not join, an address in a
	// Docker subnet nobody holds, no route out): the resolver times out
	// and tries the next server.
	Reachable bool `json:"reachable"`
	// Why says how the server is reached, or why not.
	Why string `json:"why"`
}

// dnsServers classifies view's dns: servers (at most 3 are used, 127.0.0.11
// is skipped; R6-10) as seen from view's namespace.
func (s *Sim) dnsServers(view *topology.Container) []DNSServer {
	var out []DNSServer
	for _, d := range view.DNS {
		if len(out) == 3 {
			break
		}
		a, err := netip.ParseAddr(d)
		if err != nil || a == netip.AddrFrom4([4]byte{127, 0, 0, 11}) {
			continue
		}
		a = a.Unmap()
		srv := DNSServer{Address: a.String()}
		switch {
		case a.IsLoopback():
			srv.Reachable, srv.Why = true, "the container's own loopback: answered only if a resolver runs inside "+view.Name
		case s.ipOwner[a] != nil:
			o := s.ipOwner[a]
			srv.Container = o.Container.Name
			for _, e := range view.Endpoints {
				if e.Network == o.Network {
					srv.Reachable, srv.Why = true, o.Container.Name+" on "+e.Network.Name+", a network "+view.Name+" joins"
				}
			}
			if !srv.Reachable {
				srv.Why = o.Container.Name + " on " + o.Network.Name + ", which " + view.Name + " does not join: the query times out (R7-2)"
			}
		case s.inDockerSubnet(a):
			srv.Why = "an address in a Docker subnet that no container holds: the query times out"
		case hasExternalAccess(view):
			srv.Reachable, srv.Why = true, "outside the Docker networks, through "+view.Name+"'s default route"
		default:
			srv.Why = "outside the Docker networks, and " + view.Name + " has no route out (internal networks only)"
		}
		out = append(out, srv)
	}
	return out
}

// inDockerSubnet reports whether a lies in a subnet of the model.
func (s *Sim) inDockerSubnet(a netip.Addr) bool {
	if s.t.Bridge0 != nil && s.t.Bridge0.Subnet.Contains(a) {
		return true
	}
	for _, n := range s.t.Networks {
		if n.Subnet.Contains(a) {
			return true
		}
	}
	return false
}

// forwardToDNSOption forwards q to view's dns: servers from view's
// namespace (R6-10): the first reachable one answers as an upstream would;
// none reachable is SERVFAIL after the timeouts.
func (s *Sim) forwardToDNSOption(r *DNSResult, view *topology.Container, q string, d time.Duration) {
	r.Servers = s.dnsServers(view)
	for _, srv := range r.Servers {
		if !srv.Reachable {
			continue
		}
		s.upstream(r, q, d)
		r.Server = srv.Address
		who := srv.Address
		if srv.Container != "" {
			who += " (" + srv.Container + ")"
		}
		r.Notes = append(r.Notes, "forwarded to "+view.Name+"'s dns: server "+who+" from the container's namespace, not to the host's resolvers (R6-10): "+srv.Why)
		if r.External {
			// The external-name note of upstream names the host's resolver.
			for i, n := range r.Notes {
				if strings.HasPrefix(n, "external, answered by the host's upstream resolver") {
					r.Notes[i] = "external, answered by the dns: server " + who + "; composenet does not invent its addresses"
				}
			}
		}
		return
	}
	r.Rcode, r.Source, r.Forwarded = RcodeServFail, SourceUpstream, true
	r.latency = d
	r.LatencyMS = ms(d)
	for _, srv := range r.Servers {
		r.Notes = append(r.Notes, "dns: server "+srv.Address+" is not reachable from "+view.Name+": "+srv.Why)
	}
	r.Notes = append(r.Notes, "no dns: server answers: SERVFAIL after each server's timeout (R6-10)")
}

// hostsLookup answers q from the /etc/hosts Docker writes for c (R5-6):
// localhost, extra_hosts (R6-15), c's own hostname, legacy links on the
// default bridge (R6-14).
func (s *Sim) hostsLookup(r *DNSResult, c *topology.Container, mode nsMode, q string) bool {
	set := func(ip netip.Addr, ctr *topology.Container, n *topology.Network, rule string) bool {
		r.Rcode, r.Source = RcodeNoError, SourceHosts
		a := DNSAnswer{IP: ip}
		if ctr != nil {
			a.Container, a.Service = ctr.Name, ctr.Service
			r.target = ctr
		}
		if n != nil {
			a.Network = netLabel(n)
		}
		r.Answers = append(r.Answers, a)
		r.Rules = append(r.Rules, rule)
		r.LatencyMS = 0
		return true
	}
	if q == "localhost" || q == "localhost.localdomain" || q == "ip6-localhost" {
		return set(netip.MustParseAddr("127.0.0.1"), nil, nil, "R5-6")
	}
	for _, h := range c.ExtraHosts {
		if strings.EqualFold(h.Name, q) {
			ip := h.IP
			if h.HostGateway && !ip.IsValid() {
				ip = s.t.Daemon.HostGatewayIP
			}
			r.Notes = append(r.Notes, "extra_hosts entry "+h.Name+" shadows the embedded DNS for this container"+posSuffix(h.Pos))
			return set(ip, nil, nil, "R6-15")
		}
	}
	if mode != nsBridge {
		return false
	}
	if c.Hostname != "" && strings.EqualFold(c.Hostname, q) && len(c.Endpoints) > 0 {
		e := c.Endpoints[0]
		r.Notes = append(r.Notes, "the container's own hostname is in its /etc/hosts")
		return set(e.IPv4, c, e.Network, "R5-6")
	}
	// Legacy links on the default bridge become /etc/hosts lines (R6-14).
	if onlyBridge0(s, c) {
		for _, l := range c.Links {
			if !strings.EqualFold(l.Alias, q) {
				continue
			}
			t := s.ctrByName[l.Target]
			if t == nil {
				continue
			}
			for _, e := range t.Endpoints {
				if s.isBridge0(e.Network) {
					r.Notes = append(r.Notes, "legacy link on the default bridge: an /etc/hosts line"+posSuffix(l.Pos))
					return set(e.IPv4, t, e.Network, "R6-14")
				}
			}
		}
	}
	return false
}

func onlyBridge0(s *Sim, c *topology.Container) bool {
	if len(c.Endpoints) == 0 {
		return false
	}
	for _, e := range c.Endpoints {
		if !s.isBridge0(e.Network) {
			return false
		}
	}
	return true
}

// embeddedLookup implements R6-7: candidates from the dotted forms, then
// for each the link pass and the name pass over the endpoints in gateway
// order; the first network that knows the name answers alone.
func (s *Sim) embeddedLookup(r *DNSResult, c *topology.Container, q string) bool {
	type cand struct{ name, net string }
	cands := []cand{{q, ""}}
	// (a.b, network c) then (a, network b.c): split at each dot from the
	// right (R6-7 step 2, R6-8).
	for i := len(q) - 1; i > 0; i-- {
		if q[i] == '.' && i < len(q)-1 {
			cands = append(cands, cand{q[:i], q[i+1:]})
		}
	}
	for _, cd := range cands {
		// Link pass (R6-14 d): aliases hide network-wide names.
		var link *topology.Link
		for i := range c.Links {
			if strings.EqualFold(c.Links[i].Alias, cd.name) {
				link = &c.Links[i]
				break
			}
		}
		for _, e := range c.Endpoints {
			if s.isBridge0(e.Network) || cd.net != "" && !strings.EqualFold(e.Network.Name, cd.net) {
				continue
			}
			if link != nil {
				if s.answerFrom(r, e.Network, strings.ToLower(link.Target)) {
					r.Rules = append(r.Rules, "R6-14")
					r.Notes = append(r.Notes, "link alias "+link.Alias+" -> "+link.Target+posSuffix(link.Pos))
					return true
				}
				continue
			}
		}
		if link != nil {
			// Name pass skips endpoints where the name is a link alias; in
			// the model links apply to every endpoint.
			continue
		}
		for _, e := range c.Endpoints {
			if s.isBridge0(e.Network) || cd.net != "" && !strings.EqualFold(e.Network.Name, cd.net) {
				continue
			}
			if s.answerFrom(r, e.Network, cd.name) {
				if cd.net != "" {
					r.Rules = append(r.Rules, "R6-8")
				}
				return true
			}
		}
	}
	return false
}

// answerFrom fills r with every address of name on n (R6-6, R6-7 step 4).
func (s *Sim) answerFrom(r *DNSResult, n *topology.Network, name string) bool {
	id, ok := s.netID[n]
	if !ok || s.names[id] == nil {
		return false
	}
	eps := s.names[id][name]
	if len(eps) == 0 {
		return false
	}
	seen := map[netip.Addr]bool{}
	for _, e := range eps {
		if !e.IPv4.IsValid() || seen[e.IPv4] {
			continue
		}
		seen[e.IPv4] = true
		a := DNSAnswer{IP: e.IPv4, Network: netLabel(n), ep: e}
		if e.Container != nil {
			a.Container, a.Service = e.Container.Name, e.Container.Service
		}
		r.Answers = append(r.Answers, a)
	}
	sortAnswers(r.Answers)
	r.Network, r.NetworkName = netLabel(n), n.Name
	return len(r.Answers) > 0
}

func sortAnswers(a []DNSAnswer) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j].IP.Less(a[j-1].IP); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// hasExternalAccess is libnetwork's Sandbox.hasExternalAccess (R6-11):
// some endpoint on a non-internal network with a gateway.
func hasExternalAccess(c *topology.Container) bool {
	for _, e := range c.Endpoints {
		if !e.Network.Internal && e.Network.GatewayMode != "isolated" {
			return true
		}
	}
	return false
}

// onNetworkDNS reports a dns: server of c that is an address on one of c's
// own networks (R6-11: still tried from the container's namespace).
func (s *Sim) onNetworkDNS(c *topology.Container) (string, bool) {
	for _, d := range c.DNS {
		a, err := netip.ParseAddr(d)
		if err != nil {
			continue
		}
		for _, e := range c.Endpoints {
			if e.Network.Subnet.Contains(a) && s.ipOwner[a] != nil {
				return d, true
			}
		}
	}
	return "", false
}

// reservedTLDs are suffixes that cannot exist in public DNS (RFC 2606,
// RFC 6761, RFC 6762, RFC 8375) or are commonly private.
var reservedTLDs = map[string]bool{
	"test": true, "example": true, "invalid": true, "localhost": true,
	"local": true, "internal": true, "lan": true, "home": true, "corp": true,
	"localdomain": true, "intranet": true, "private": true,
}

// upstream records a forwarded query (R6-9, R6-10). The embedded DNS never
// invents NXDOMAIN: the rcode is what a public upstream would answer. For
// names that cannot exist publicly (a single label, a reserved or private
// suffix, a suffix that is one of the project's network or service names,
// or an underscore label) that is NXDOMAIN; for anything else composenet
// reports NOERROR with no address and marks the answer External.
func (s *Sim) upstream(r *DNSResult, q string, d time.Duration) {
	r.Source, r.Forwarded = SourceUpstream, true
	r.latency = d
	r.LatencyMS = ms(d)
	last := q
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		last = q[i+1:]
	}
	switch {
	case !strings.Contains(q, "."):
		r.Rcode = RcodeNXDomain
		r.Notes = append(r.Notes, "forwarded upstream: a single-label name does not exist in public DNS, so the upstream answers NXDOMAIN")
	case reservedTLDs[last] || strings.Contains(q, "_") || s.netKeys[last] || s.svcNames[last]:
		r.Rcode = RcodeNXDomain
		r.Notes = append(r.Notes, "forwarded upstream: ."+last+" is not a public domain, so the upstream answers NXDOMAIN")
	default:
		r.Rcode = RcodeNoError
		r.External = true
		r.Notes = append(r.Notes, "external, answered by the host's upstream resolver; composenet does not invent its addresses")
	}
}

func posSuffix(p topology.Position) string {
	if p.IsZero() {
		return ""
	}
	return " (" + shortPos(p) + ")"
}

// shortPos formats p as file:line for fix messages.
func shortPos(p topology.Position) string {
	if p.IsZero() {
		return ""
	}
	if p.Line == 0 {
		return p.File
	}
	return p.File + ":" + itoa(p.Line)
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// reverseName parses an in-addr.arpa name ("3.0.18.172.in-addr.arpa").
func reverseName(q string) (netip.Addr, bool) {
	rest, ok := strings.CutSuffix(q, ".in-addr.arpa")
	if !ok {
		return netip.Addr{}, false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 4 {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(parts[3] + "." + parts[2] + "." + parts[1] + "." + parts[0])
	if err != nil {
		return netip.Addr{}, false
	}
	return ip, true
}
