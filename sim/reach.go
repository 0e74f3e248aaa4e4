package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/composenet/composenet/topology"
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

// Hop is one step of a simulated packet's path.
type Hop struct {
	// Step is one of the Step* kinds.
	Step string `json:"step"`
	// Node is the device, chain or process the step happens at.
	Node string `json:"node"`
	// Detail says what happens there (rule, verdict, addresses).
	Detail string `json:"detail"`
	// LatencyMS is the simulated one-way cost of the step (section 10).
	LatencyMS float64 `json:"latency_ms"`
	// Return is true for steps of the reply path.
	Return bool `json:"return,omitempty"`

	lat time.Duration
}

// Blocker names one thing that stops a flow, the rule that does it, where
// in the compose files it comes from, and how to fix it.
type Blocker struct {
	// Component is the kernel or Docker component that drops or refuses.
	Component string `json:"component"`
	// Rule is the exact rule or chain plus the rule-book ID.
	Rule string `json:"rule"`
	// Position is the compose position (file:line:col) that caused it.
	Position string `json:"position"`
	// Fix is a concrete change that removes this blocker.
	Fix string `json:"fix"`
}

// Result is the answer to a Query.
type Result struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
	// Reachable is true exactly when Verdict is Delivered.
	Reachable bool    `json:"reachable"`
	Verdict   Verdict `json:"verdict"`
	// Reason is a one-line human explanation of the verdict.
	Reason string `json:"reason"`
	// Destination is the address (and port) the flow was evaluated
	// against, after name resolution.
	Destination string `json:"destination,omitempty"`
	// DNS is the name lookup, when To was a name looked up from a container.
	DNS *DNSResult `json:"dns,omitempty"`
	// Hops is the path, reply steps last (reachable TCP only).
	Hops []Hop `json:"hops"`
	// LatencyMS is the sum of the hop latencies.
	LatencyMS float64 `json:"latency_ms"`
	// BlockedBy lists every blocker (empty when reachable).
	BlockedBy []Blocker `json:"blocked_by"`
	// Rules are the rule-book IDs the decision used, in order.
	Rules []string `json:"rules"`
	// Notes are tie-breaks and caveats.
	Notes []string `json:"notes,omitempty"`
	// Error explains an InvalidQuery.
	Error string `json:"error,omitempty"`
	// ClientSees is what the client program observes, by cause (R10-5):
	// a timeout for silent drops, ENETUNREACH at once without a route, an
	// RST for a closed port, the proxy's accept-and-close through
	// docker-proxy.
	ClientSees string `json:"client_sees,omitempty"`
}

// ParseTarget splits "TARGET[:PORT][/PROTO]" (IPv6 as "[::1]:80" or a bare
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

// Reach answers q on t (section 7, R7-11). It builds (or reuses) the index
// of t; use New(t).Reach for many questions.
func Reach(t *topology.Topology, q Query) Result { return simFor(t).Reach(q) }

// Reach answers q (R7-11) with the hop-by-hop path (section 9), latency
// (section 10) and, when blocked, every blocker with its rule and fix.
func (s *Sim) Reach(q Query) Result {
	tr := &tracer{lat: s.t.Latency}
	v := s.reach(q, tr)
	r := Result{
		From: q.From, To: q.To, Port: q.Port, Protocol: proto(q.Protocol),
		Verdict: v, Reachable: v == Delivered,
		DNS: tr.dns, Hops: tr.hops, BlockedBy: tr.blockers,
		Rules: dedupe(tr.rules), Notes: dedupe(tr.notes), Error: tr.err,
		Destination: tr.dest,
	}
	if q.Port == 0 {
		r.Protocol = "icmp"
	}
	r.Reason = tr.reason
	if r.Reason == "" {
		r.Reason = v.Describe()
	}
	if v == Delivered && q.Port != 0 && r.Protocol == "tcp" {
		tr.addReturn()
		r.Hops = tr.hops
	}
	var total time.Duration
	for i := range r.Hops {
		total += r.Hops[i].lat
	}
	r.LatencyMS = ms(total)
	if r.Hops == nil {
		r.Hops = []Hop{}
	}
	if r.BlockedBy == nil {
		r.BlockedBy = []Blocker{}
	}
	if r.Rules == nil {
		r.Rules = []string{}
	}
	r.ClientSees = clientSees(r)
	return r
}

// clientSees describes what the client observes for a result (R10-5).
func clientSees(r Result) string {
	viaProxy := false
	for _, h := range r.Hops {
		if h.Step == StepProxy && !h.Return {
			viaProxy = true
		}
	}
	icmp := r.Protocol == "icmp"
	timeout := "no answer: TCP connect() resends its SYN and times out (about 127 s with Linux defaults; applications usually give up sooner)"
	switch {
	case icmp:
		timeout = "no answer: ping times out"
	case r.Protocol == "udp":
		timeout = "no answer: the UDP datagram is dropped silently"
	}
	switch r.Verdict {
	case Delivered:
		switch {
		case icmp:
			return "echo reply"
		case r.Protocol == "udp":
			return "the datagram arrives (UDP has no handshake)"
		case viaProxy:
			return "connection established with docker-proxy, which relays to the container"
		}
		return "connection established"
	case Refused:
		if viaProxy {
			return "docker-proxy accepts the connection, then closes it: a reset or empty reply, not ECONNREFUSED (R10-5)"
		}
		if r.Protocol == "udp" {
			return "ICMP port unreachable: the next recv() fails with ECONNREFUSED"
		}
		return "immediate RST: connect() fails with ECONNREFUSED"
	case NoRoute, NetworkNone:
		return "immediate ENETUNREACH: connect() fails at once, no packet leaves (R5-4)"
	case NameNotResolved:
		if r.DNS != nil && r.DNS.Rcode == RcodeServFail {
			return "the lookup fails at once with SERVFAIL: getaddrinfo returns EAI_AGAIN (temporary failure in name resolution)"
		}
		return "the lookup fails: getaddrinfo returns EAI_NONAME (name or service not known); no packet is sent"
	case UnassignedAddress:
		return "ARP gets no answer: connect() fails with EHOSTUNREACH after about 3 s"
	case HostFirewall:
		return "depends on the host firewall's rule: DROP times out, REJECT fails at once"
	case NotDockerManaged:
		return "up to the host: a host process answers, or the host kernel resets the connection"
	case NotPublished:
		if r.From == Internet {
			return "the host's kernel answers with an RST (nothing listens there) unless a host firewall drops it"
		}
		return timeout
	}
	return timeout
}

// tracer collects the path of one evaluation. A nil *tracer records
// nothing (used by Matrix).
type tracer struct {
	lat      topology.LatencyModel
	hops     []Hop
	blockers []Blocker
	rules    []string
	notes    []string
	dns      *DNSResult
	reason   string
	err      string
	dest     string
}

func (tr *tracer) hop(step, node, detail string, d time.Duration) {
	if tr == nil {
		return
	}
	tr.hops = append(tr.hops, Hop{Step: step, Node: node, Detail: detail, LatencyMS: ms(d), lat: d})
}

func (tr *tracer) rule(ids ...string) {
	if tr != nil {
		tr.rules = append(tr.rules, ids...)
	}
}

func (tr *tracer) note(n string) {
	if tr != nil {
		tr.notes = append(tr.notes, n)
	}
}

func (tr *tracer) because(reason string) {
	if tr != nil && tr.reason == "" {
		tr.reason = reason
	}
}

func (tr *tracer) block(component, rule string, pos topology.Position, fix string) {
	if tr == nil {
		return
	}
	b := Blocker{Component: component, Rule: rule, Position: pos.String(), Fix: fix}
	for _, o := range tr.blockers {
		if o == b {
			return
		}
	}
	tr.blockers = append(tr.blockers, b)
}

// addReturn appends the reply path of a delivered TCP flow: the transit
// steps in reverse, NAT undone by conntrack.
func (tr *tracer) addReturn() {
	fwd := tr.hops
	var back []Hop
	for i := len(fwd) - 1; i >= 0; i-- {
		h := fwd[i]
		switch h.Step {
		case StepVeth, StepBridge, StepHost, StepLoopback, StepWire, StepProxy:
			back = append(back, Hop{Step: h.Step, Node: h.Node, Detail: "reply", LatencyMS: h.LatencyMS, lat: h.lat, Return: true})
		case StepDNAT, StepSNAT:
			back = append(back, Hop{Step: h.Step, Node: "conntrack", Detail: "reply: " + h.Step + " reversed by conntrack", LatencyMS: ms(tr.lat.Netfilter), lat: tr.lat.Netfilter, Return: true})
		case StepDeliver:
			back = append(back, Hop{Step: StepRoute, Node: h.Node, Detail: "reply leaves the server's socket", Return: true})
		}
	}
	tr.hops = append(tr.hops, back...)
}

// reach is R7-11. tr may be nil.
func (s *Sim) reach(q Query, tr *tracer) Verdict {
	pp := topology.PortProto{Port: q.Port, Protocol: proto(q.Protocol)}
	switch pp.Protocol {
	case "tcp", "udp", "sctp":
	default:
		return s.invalid(tr, "unknown protocol "+strconv.Quote(q.Protocol)+" (want tcp, udp or sctp)")
	}
	if q.From == "" || q.To == "" {
		return s.invalid(tr, "both FROM and TO are needed")
	}
	switch q.From {
	case Internet:
		return s.fromInternet(q, pp, tr)
	case Host:
		return s.fromHost(nil, q, pp, tr)
	}
	c := s.findContainer(q.From)
	if c == nil {
		return s.invalid(tr, "unknown source "+strconv.Quote(q.From)+": not a container, a service, host or internet")
	}
	mode, view := modeOf(c)
	switch mode {
	case nsHost:
		tr.rule("R7-10")
		tr.note(c.Name + " uses network_mode host: it is the host for networking")
		return s.fromHost(c, q, pp, tr)
	case nsNone:
		return s.fromNone(c, q, pp, tr)
	}
	if view != c {
		tr.rule("R7-10")
		tr.note(c.Name + " shares " + view.Name + "'s network namespace (" + c.NetworkMode + "): same addresses, routes and DNS (P8)")
	}
	return s.fromContainer(c, view, q, pp, tr)
}

func (s *Sim) invalid(tr *tracer, msg string) Verdict {
	if tr != nil {
		tr.err = msg
		tr.reason = msg
	}
	return InvalidQuery
}

// dst is a resolved destination.
type dst struct {
	internet bool
	addr     netip.Addr
	label    string
}

// ---------------------------------------------------------------- container

func (s *Sim) fromContainer(c, view *topology.Container, q Query, pp topology.PortProto, tr *tracer) Verdict {
	d, v, ok := s.targetFromContainer(c, q, tr)
	if !ok {
		return v
	}
	return s.containerTo(c, view, d, pp, tr)
}

// targetFromContainer resolves q.To from a container's point of view.
func (s *Sim) targetFromContainer(c *topology.Container, q Query, tr *tracer) (dst, Verdict, bool) {
	switch strings.ToLower(q.To) {
	case Internet:
		return dst{internet: true, label: Internet}, 0, true
	case Localhost:
		return dst{addr: netip.AddrFrom4([4]byte{127, 0, 0, 1}), label: "127.0.0.1"}, 0, true
	case Host:
		a, ok := s.hostAddr()
		if !ok {
			return dst{}, s.invalid(tr, "the host has no non-loopback address in the model"), false
		}
		return dst{addr: a, label: a.String()}, 0, true
	}
	if a, err := netip.ParseAddr(q.To); err == nil {
		return dst{addr: a.Unmap(), label: a.String()}, 0, true
	}
	r := s.Resolve(c, q.To)
	if tr != nil {
		tr.dns = &r
		node := "127.0.0.11 (embedded DNS)"
		switch r.Source {
		case SourceHosts:
			node = "/etc/hosts"
		case SourceUpstream:
			node = "upstream resolver"
			if slices.Contains(r.Rules, "R6-10") {
				node = "127.0.0.11 -> upstream resolver"
			}
		case SourceNone:
			node = "no resolver"
		}
		detail := "A " + q.To + "? -> " + r.Rcode
		if len(r.Answers) > 0 {
			ips := make([]string, len(r.Answers))
			for i, a := range r.Answers {
				ips[i] = a.IP.String()
			}
			detail += " " + strings.Join(ips, ", ")
		}
		if r.Network != "" {
			detail += " from network " + r.Network + " (" + r.NetworkName + ")"
		}
		if r.External {
			detail += " (external name, forwarded)"
		}
		tr.hop(StepDNS, node, detail, r.latency)
		tr.rule(r.Rules...)
	}
	if r.Resolved() {
		if len(r.Answers) > 1 {
			tr.note("the name has " + strconv.Itoa(len(r.Answers)) + " addresses; Docker returns them in random order (R6-9) and clients usually take the first: composenet evaluates " + r.Answers[0].IP.String())
		}
		return dst{addr: r.Answers[0].IP, label: r.Answers[0].IP.String()}, 0, true
	}
	if r.Rcode == RcodeNoError && r.External {
		return dst{internet: true, label: q.To}, 0, true
	}
	mode, _ := modeOf(c)
	if mode == nsNone {
		return dst{}, s.noneBlock(c, tr), false
	}
	tr.because("name " + strconv.Quote(q.To) + " not resolved from " + c.Name + " (" + r.Rcode + ")")
	if tr != nil {
		s.explainUnresolved(c, q, r, tr)
	}
	return dst{}, NameNotResolved, false
}

// explainUnresolved finds where the name does exist and lists what would
// still block once it resolved.
func (s *Sim) explainUnresolved(c *topology.Container, q Query, r DNSResult, tr *tracer) {
	name := strings.ToLower(strings.TrimSuffix(q.To, "."))
	var found *topology.Endpoint
	for id, table := range s.names {
		if table == nil {
			continue
		}
		if eps := table[name]; len(eps) > 0 {
			found = eps[0]
			_ = id
			break
		}
	}
	component := "embedded DNS 127.0.0.11 in " + c.Name
	if r.Source == SourceUpstream && !r.Forwarded {
		component = "resolver of " + c.Name
	}
	_, view := modeOf(c)
	if found == nil {
		fix := "no service, container, alias or hostname " + strconv.Quote(q.To) + " exists in the project: check the name"
		rule := "R6-9: unknown names are forwarded upstream, which answers " + r.Rcode
		if r.Rcode == RcodeServFail && view != nil && !hasExternalAccess(view) {
			rule = "R6-11: internal-only containers get SERVFAIL for names Docker does not know"
		}
		tr.block(component, rule, c.Pos, fix)
		return
	}
	n := found.Network
	svc := c.Service
	if svc == "" {
		svc = c.Name
	}
	if view != nil && view != c {
		svc = view.Service
	}
	rule := "R6-7: " + q.To + " is registered only on network " + n.Name + ", which " + c.Name + " does not join"
	if s.isBridge0(n) {
		rule = "R6-16: the default bridge has no embedded DNS"
	}
	if r.Rcode == RcodeServFail {
		rule += "; R6-11: internal-only, unknown names get SERVFAIL"
	}
	tr.block(component, rule, srcPos(c), "attach "+svc+" to network "+netLabel(n)+posSuffix(n.Pos))
	// What would still block by address?
	sub := &tracer{lat: s.t.Latency}
	pp := topology.PortProto{Port: q.Port, Protocol: proto(q.Protocol)}
	if view != nil {
		if v := s.containerTo(c, view, dst{addr: found.IPv4, label: found.IPv4.String()}, pp, sub); v != Delivered {
			for _, b := range sub.blockers {
				tr.block(b.Component, b.Rule, topology.Position{}, b.Fix)
				tr.blockers[len(tr.blockers)-1].Position = b.Position
			}
			tr.note("even by address (" + found.IPv4.String() + ") the flow would be " + v.String())
		}
	}
}

func srcPos(c *topology.Container) topology.Position {
	if len(c.Endpoints) > 0 && !c.Endpoints[0].Pos.IsZero() {
		return c.Endpoints[0].Pos
	}
	return c.Pos
}

func (s *Sim) hostAddr() (netip.Addr, bool) {
	if len(s.t.Host.Addresses) == 0 {
		return netip.Addr{}, false
	}
	return s.t.Host.Addresses[0].Addr(), true
}

func ifName(c *topology.Container, e *topology.Endpoint) string {
	for i, x := range c.Endpoints {
		if x == e {
			return "eth" + strconv.Itoa(i)
		}
	}
	return "eth0"
}

func bridgeName(n *topology.Network) string {
	if n.Bridge != "" {
		return n.Bridge
	}
	return "br-" + n.Name
}

// containerTo is R7-11 for a source namespace with endpoints (view).
func (s *Sim) containerTo(c, view *topology.Container, d dst, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	if tr != nil {
		tr.dest = d.label
		if pp.Port != 0 && !d.internet {
			tr.dest = netip.AddrPortFrom(d.addr, pp.Port).String()
		}
	}
	if !d.internet {
		a := d.addr
		// Own address or loopback: local delivery (R7-11, R7-10).
		if a.IsLoopback() || s.ownAddr(view, a) {
			tr.rule("R7-10", "R7-11")
			tr.hop(StepLoopback, view.Name+" lo", "destination "+a.String()+" is local to "+view.Name+"'s namespace", lat.Loopback)
			return s.deliver(view, view, pp, tr, "")
		}
		// A gateway address of one of our own networks (R7-11, R7-5).
		for _, e := range view.Endpoints {
			n := e.Network
			if !n.Gateway.IsValid() || n.Gateway != a || n.GatewayMode == "isolated" {
				continue
			}
			s.srcHops(view, e, "on-link "+n.Subnet.String()+" (the bridge's own address)", tr)
			if pp.Port != 0 {
				if b := s.matchBinding(a, pp); b != nil {
					if n.Internal {
						// DNATed by nat PREROUTING, dropped by the internal
						// network's STAGE-1 rule.
						t := b.b.Endpoint
						tr.rule("R7-5", "R7-11")
						tr.hop(StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s:%d (%s publishes it)", a, pp.Port, t.IPv4, b.b.ContainerPort, b.ctr.Name), lat.NAT)
						tr.hop(StepDrop, "filter DOCKER-ISOLATION-STAGE-1", fmt.Sprintf("-i %s ! -d %s -j DROP (internal network %s)", bridgeName(n), n.Subnet, n.Name), lat.Netfilter)
						tr.because("DNATed to " + b.ctr.Name + " and dropped: " + n.Name + " is internal")
						tr.block("filter DOCKER-ISOLATION-STAGE-1 on "+bridgeName(n), fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -i %s ! -d %s -j DROP: internal network %s lets nothing leave its subnet (R7-5, R7-11)", bridgeName(n), n.Subnet, n.Name), n.Pos,
							"remove internal: true from "+netLabel(n)+posSuffix(n.Pos)+", or attach "+svcOf(view)+" to a network of "+svcOf(b.ctr))
						return DroppedIsolation
					}
					return s.viaHostAddress(view, n, a, b, pp, tr)
				}
			}
			return s.hostService(view, n, a, pp, tr)
		}
		// Same subnet as one of our endpoints (R7-1, R7-4).
		for _, e := range view.Endpoints {
			n := e.Network
			if !n.Subnet.IsValid() || !n.Subnet.Contains(a) {
				continue
			}
			te := s.ipOwner[a]
			if te == nil || te.Network != n {
				if te == nil {
					tr.hop(StepRoute, view.Name+" "+ifName(view, e), "on-link "+n.Subnet.String()+", but no container holds "+a.String()+": ARP gets no answer", 0)
					tr.because("no container holds " + a.String() + " on " + n.Name)
					tr.block("ARP on "+bridgeName(n), "no endpoint with address "+a.String()+" on "+n.Name, n.Pos, "use the address of a running container (see composenet dns)")
					return UnassignedAddress
				}
				continue
			}
			if !s.icc(n) && s.isBridge0(n) && linkedExposed(view, te.Container, pp) {
				// R7-4: on the default bridge with icc off, a legacy link
				// opens the linked container's exposed ports to the linker.
				tr.rule("R7-4", "R6-14")
				s.srcHopsTo(view, e, "on-link "+n.Subnet.String(), fmt.Sprintf("legacy link: DOCKER -i docker0 -o docker0 -s %s -d %s --dport %d -j ACCEPT (exposed port of a linked container, icc off)", e.IPv4, a, pp.Port), tr)
				return s.arrive(te, view.Name+" "+e.IPv4.String(), pp, tr)
			}
			if !s.icc(n) {
				s.srcHopsTo(view, e, "on-link "+n.Subnet.String(), "frame for "+te.Container.Name+" ("+a.String()+")", tr)
				tr.rule("R7-4")
				tr.hop(StepDrop, "filter DOCKER-FORWARD", fmt.Sprintf("-i %s -o %s -j DROP (icc off)", bridgeName(n), bridgeName(n)), lat.Netfilter)
				tr.because("icc is off on " + n.Name + ": containers on it cannot talk directly")
				tr.block("filter DOCKER-FORWARD on "+bridgeName(n), fmt.Sprintf("DOCKER-FORWARD -i %s -o %s -j DROP: enable_icc is false on %s (R7-4)", bridgeName(n), bridgeName(n), n.Name), n.Pos,
					"remove com.docker.network.bridge.enable_icc: \"false\" from "+netLabel(n)+posSuffix(n.Pos)+", or publish the port and connect through a host address")
				return DroppedICC
			}
			tr.rule("R7-1")
			s.srcHopsTo(view, e, "on-link "+n.Subnet.String(), "L2 forward by FDB to "+te.Container.Name+"'s veth (same network, no NAT)", tr)
			return s.arrive(te, view.Name+" "+e.IPv4.String(), pp, tr)
		}
	}
	// No default route when every network is internal (R5-4, R7-5, P10).
	gw := view.GatewayEndpoint()
	if gw == nil {
		tr.rule("R5-4", "R7-5")
		target := d.label
		tr.hop(StepRoute, view.Name, "no default route (every network is internal): connect() to "+target+" fails with ENETUNREACH", 0)
		tr.because(view.Name + " has no default route: its networks are all internal")
		fix := "attach " + svcOf(view) + " to a non-internal network"
		pos := srcPos(view)
		if len(view.Endpoints) > 0 {
			n := view.Endpoints[0].Network
			fix = "remove internal: true from " + netLabel(n) + posSuffix(n.Pos) + ", or attach " + svcOf(view) + " to a non-internal network"
			pos = n.Pos
		}
		if len(view.Endpoints) == 0 {
			fix = "attach " + svcOf(view) + " to a network"
		}
		tr.block("routing table of "+view.Name, "no default route: internal networks provide no gateway (R5-4, R7-5)", pos, fix)
		return NoRoute
	}
	gn := gw.Network
	if d.internet {
		return s.egress(view, gw, d, pp, tr)
	}
	a := d.addr
	// Container address on another bridge: raw PREROUTING / isolation (R7-2).
	if te := s.ipOwner[a]; te != nil {
		tn := te.Network
		s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
		tr.hop(StepHost, "host routing", a.String()+" is on "+bridgeName(tn)+" ("+tn.Name+")", lat.HostRouting)
		tr.rule("R7-2")
		var chain, rule string
		switch {
		case tn.Internal:
			chain = "filter DOCKER-ISOLATION-STAGE-1"
			rule = fmt.Sprintf("-o %s ! -s %s -j DROP: internal network %s admits nothing from outside its subnet (R7-5)", bridgeName(tn), tn.Subnet, tn.Name)
		case tn.GatewayMode == "nat-unprotected" || tn.GatewayMode == "routed":
			chain = "filter DOCKER-ISOLATION-STAGE-2"
			rule = fmt.Sprintf("-o %s -j DROP: traffic between Docker networks is dropped (R7-2)", bridgeName(tn))
		default:
			chain = "raw PREROUTING"
			rule = fmt.Sprintf("-d %s/32 ! -i %s -j DROP: direct-access filter; DOCKER-ISOLATION-STAGE-2 -o %s -j DROP would drop it too (R7-2)", a, bridgeName(tn), bridgeName(tn))
		}
		tr.hop(StepDrop, chain, "DROP (silent: the client times out)", lat.Netfilter)
		tr.because(view.Name + " and " + te.Container.Name + " share no network: silently dropped (timeout)")
		fixPos := tn.Pos
		tr.block(chain, chain+" "+rule, srcPos(view), "attach "+svcOf(view)+" to network "+netLabel(tn)+posSuffix(fixPos))
		return DroppedIsolation
	}
	if n := s.subnetOf(a); n != nil && !s.isHostAddr(a) {
		s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
		tr.rule("R7-2")
		tr.hop(StepDrop, "filter DOCKER-ISOLATION-STAGE-2", "-o "+bridgeName(n)+" -j DROP (no container holds "+a.String()+" anyway)", lat.Netfilter)
		tr.because(a.String() + " is on another Docker network (" + n.Name + ") and no container holds it")
		tr.block("filter DOCKER-ISOLATION-STAGE-2", "DOCKER-ISOLATION-STAGE-2 -o "+bridgeName(n)+" -j DROP (R7-2)", n.Pos, "use the address of a running container on a network "+svcOf(view)+" joins")
		return DroppedIsolation
	}
	// A host address (R7-3, R7-7, R7-11).
	if s.isHostAddr(a) {
		s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
		if pp.Port != 0 {
			if b := s.matchBinding(a, pp); b != nil {
				return s.viaHostAddress(view, gn, a, b, pp, tr)
			}
		}
		return s.hostService(view, gn, a, pp, tr)
	}
	return s.egress(view, gw, d, pp, tr)
}

func svcOf(c *topology.Container) string {
	if c.Service != "" {
		return c.Service
	}
	return c.Name
}

func (s *Sim) ownAddr(view *topology.Container, a netip.Addr) bool {
	for _, e := range view.Endpoints {
		if e.IPv4 == a {
			return true
		}
	}
	return false
}

// srcHops adds the source side: route choice, interface, veth, bridge.
func (s *Sim) srcHops(view *topology.Container, e *topology.Endpoint, route string, tr *tracer) {
	s.srcHopsTo(view, e, route, "up to the host (bridge address "+e.Network.Gateway.String()+")", tr)
}

// srcHopsTo is srcHops with the bridge step's detail.
func (s *Sim) srcHopsTo(view *topology.Container, e *topology.Endpoint, route, bridge string, tr *tracer) {
	if tr == nil {
		return
	}
	lat := s.t.Latency
	ifn := ifName(view, e)
	tr.hop(StepRoute, view.Name, "route: "+route+" dev "+ifn+", src "+e.IPv4.String(), 0)
	tr.hop(StepVeth, view.Name+" "+ifn+" -> veth", "veth pair into the host namespace", lat.Veth)
	s.bridgeHop(e.Network, bridge, tr)
}

func (s *Sim) bridgeHop(n *topology.Network, detail string, tr *tracer) {
	if tr == nil {
		return
	}
	tr.hop(StepBridge, bridgeName(n), n.Name+" "+n.Subnet.String()+": "+detail, s.t.Latency.Bridge+n.Latency)
}

// arrive adds the destination side (veth into T, T's interface) and the
// listener check.
func (s *Sim) arrive(te *topology.Endpoint, seenSrc string, pp topology.PortProto, tr *tracer) Verdict {
	t := te.Container
	lat := s.t.Latency
	o := owner(t)
	if o == nil {
		o = t
	}
	tr.hop(StepVeth, "veth -> "+t.Name+" "+ifName(t, te), "into "+t.Name+"'s namespace", lat.Veth)
	return s.deliver(o, t, pp, tr, "source seen: "+seenSrc)
}

// deliver checks the destination namespace's listeners (x-composenet.listen).
func (s *Sim) deliver(o, t *topology.Container, pp topology.PortProto, tr *tracer, seen string) Verdict {
	node := t.Name
	if pp.Port == 0 {
		tr.hop(StepDeliver, node, joinDetail("ICMP echo answered by the kernel", seen), 0)
		return Delivered
	}
	ok, known := s.listens(o, pp)
	switch {
	case ok:
		tr.hop(StepDeliver, node, joinDetail(pp.String()+" accepted (declared listener)", seen), 0)
	case known:
		tr.rule("R10-5")
		tr.hop(StepDeliver, node, joinDetail("nothing listens on "+pp.String()+": RST", seen), 0)
		tr.because(t.Name + " does not listen on " + pp.String())
		ls := s.listenList(o)
		tr.block("socket layer of "+t.Name, "no listener on "+pp.String()+"; declared listeners: "+ls+" (x-composenet.listen)", t.Pos,
			"make "+svcOf(t)+" listen on "+pp.String()+", or use one of its listeners ("+ls+")"+posSuffix(t.Pos))
		return Refused
	default:
		tr.note(t.Name + " declares no listeners (x-composenet.listen): composenet assumes something listens on " + pp.String())
		tr.hop(StepDeliver, node, joinDetail(pp.String()+" delivered (listener assumed)", seen), 0)
	}
	members := s.members[o]
	for _, m := range members {
		if m.Processing > 0 && (m == t || hasPort(m.Listen, pp)) {
			tr.hop(StepProcess, m.Name, "processing (x-composenet.processing)", m.Processing)
			break
		}
	}
	return Delivered
}

func (s *Sim) listenList(o *topology.Container) string {
	var l []string
	for _, m := range s.members[o] {
		for _, p := range m.Listen {
			l = append(l, p.String())
		}
	}
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// matchBinding finds a published binding of (a, pp) (R7-11): the binding's
// IP equals a, or is unspecified (0.0.0.0 also stands for [::] unless the
// binding is IPv4-only, R8-6).
func (s *Sim) matchBinding(a netip.Addr, pp topology.PortProto) *binding {
	bs := s.bindings[portKey{pp.Port, pp.Protocol}]
	for i := range bs {
		b := bs[i].b
		if b.Endpoint == nil {
			continue
		}
		ip := b.HostIP.Unmap()
		switch {
		case !ip.IsValid() || ip.IsUnspecified():
			if a.Is4() && (!ip.IsValid() || ip.Is4()) {
				return &bs[i]
			}
			if a.Is6() && !b.Family4Only && (s.t.Daemon.UserlandProxy || ip.Is6()) {
				return &bs[i]
			}
		case ip == a:
			return &bs[i]
		}
	}
	return nil
}

// otherBinding returns a binding of pp on an address other than a (used to
// explain loopback-only and specific-IP bindings).
func (s *Sim) otherBinding(pp topology.PortProto) *binding {
	bs := s.bindings[portKey{pp.Port, pp.Protocol}]
	if len(bs) == 0 {
		return nil
	}
	return &bs[0]
}

// viaHostAddress: a container reaches a published port at a host address
// (R7-3, R8-9): docker-proxy with the userland proxy on and a masquerading
// ingress network, hairpin DNAT on the same network, else isolation drop.
func (s *Sim) viaHostAddress(view *topology.Container, in *topology.Network, a netip.Addr, b *binding, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	te := b.b.Endpoint
	tn := te.Network
	tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
	cpp := topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}
	switch {
	case s.t.Daemon.UserlandProxy && s.masq(in):
		tr.rule("R7-3", "R8-9")
		tr.hop(StepNetfilter, "nat PREROUTING DOCKER", "-i "+bridgeName(in)+" -j RETURN (no DNAT for traffic from a bridge: the proxy serves it)", lat.Netfilter)
		if s.t.Host.Firewall {
			tr.hop(StepDrop, "filter INPUT (host firewall)", "the host's INPUT policy drops "+pp.String(), lat.Netfilter)
			tr.because("the host firewall filters INPUT, where docker-proxy listens")
			tr.block("filter INPUT (host firewall)", "docker-proxy for "+pp.String()+" listens in the host namespace; the host's INPUT rules drop the connection (R7-3, R7-7)", b.b.Pos,
				fmt.Sprintf("allow %d/%s in the host firewall (e.g. ufw allow %d/%s)", pp.Port, pp.Protocol, pp.Port, pp.Protocol))
			return HostFirewall
		}
		tr.hop(StepNetfilter, "filter INPUT", "ACCEPT (Docker adds no INPUT rules; no host firewall)", lat.Netfilter)
		tr.hop(StepProxy, "docker-proxy "+bindLabel(b.b), "accepts, opens a second connection "+tn.Gateway.String()+" -> "+tgt, lat.Proxy)
		s.bridgeHop(tn, "proxy connection to "+b.ctr.Name, tr)
		return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+", via docker-proxy)", cpp, tr)
	case tn == in:
		tr.rule("R8-9")
		tr.hop(StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s (hairpin, userland proxy off)", a, pp.Port, tgt), lat.NAT)
		tr.hop(StepNetfilter, "filter DOCKER-FORWARD", "-i "+bridgeName(in)+" -j ACCEPT", lat.Netfilter)
		s.bridgeHop(tn, "hairpin back to "+b.ctr.Name, tr)
		return s.arrive(te, view.Name+"'s address (hairpin)", cpp, tr)
	default:
		tr.rule("R7-3", "R8-9")
		why := "userland-proxy is off"
		fix := "turn userland-proxy back on in the daemon, or attach " + svcOf(view) + " to network " + netLabel(tn) + posSuffix(tn.Pos)
		if s.t.Daemon.UserlandProxy {
			why = "masquerading is off on " + in.Name + ", so the RETURN rule that hands bridge traffic to docker-proxy is missing"
			fix = "enable masquerading on " + netLabel(in) + posSuffix(in.Pos) + ", or attach " + svcOf(view) + " to network " + netLabel(tn) + posSuffix(tn.Pos)
		}
		tr.hop(StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s", a, pp.Port, tgt), lat.NAT)
		tr.hop(StepDrop, "filter DOCKER-ISOLATION-STAGE-2", "-o "+bridgeName(tn)+" -j DROP (silent)", lat.Netfilter)
		tr.because("published port reached across networks without docker-proxy: " + why)
		tr.block("filter DOCKER-ISOLATION-STAGE-2", fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -i %s ! -o %s -j DOCKER-ISOLATION-STAGE-2, then DOCKER-ISOLATION-STAGE-2 -o %s -j DROP after DNAT: %s (R7-3, moby#38784)", bridgeName(in), bridgeName(in), bridgeName(tn), why), b.b.Pos, fix)
		return DroppedIsolation
	}
}

func bindLabel(b *topology.PortBinding) string {
	ip := b.HostIP
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(ip, b.HostPort).String()
}

// hostService: the destination is the host itself, through filter INPUT
// (R7-7): the host firewall and host listeners decide.
func (s *Sim) hostService(view *topology.Container, in *topology.Network, a netip.Addr, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	tr.rule("R7-7")
	if pp.Port == 0 {
		tr.hop(StepDeliver, "host "+a.String(), "ICMP echo answered by the host kernel", 0)
		return Delivered
	}
	if s.t.Host.Firewall {
		tr.hop(StepDrop, "filter INPUT (host firewall)", "the host's INPUT policy drops "+pp.String(), lat.Netfilter)
		tr.because("a host service behind the host's own INPUT firewall")
		tr.block("filter INPUT (host firewall)", "the host filters INPUT; Docker adds no INPUT rules (R7-7)", topology.Position{},
			fmt.Sprintf("allow %d/%s from %s in the host firewall", pp.Port, pp.Protocol, in.Subnet))
		return HostFirewall
	}
	tr.hop(StepNetfilter, "filter INPUT", "ACCEPT (no host firewall)", lat.Netfilter)
	if lb := s.otherBinding(pp); lb != nil && lb.b.HostIP.IsLoopback() {
		tr.hop(StepDeliver, "host "+a.String(), "nothing listens on "+pp.String()+" here: RST", 0)
		tr.because(pp.String() + " is published only on " + lb.b.HostIP.String() + ", which is the host's loopback, not " + a.String())
		tr.block("docker-proxy "+bindLabel(lb.b), "published on loopback only: a container's 127.0.0.1 is its own (R7-7, M29)", lb.b.Pos,
			fmt.Sprintf("publish %d on 0.0.0.0 (ports: [\"%d:%d\"])", lb.b.HostPort, lb.b.HostPort, lb.b.ContainerPort))
		return LoopbackOnly
	}
	ok, known := s.listens(nil, pp)
	switch {
	case ok:
		tr.hop(StepDeliver, "host "+a.String(), pp.String()+" accepted by a host process", 0)
		return Delivered
	case known:
		tr.hop(StepDeliver, "host "+a.String(), "nothing listens on "+pp.String()+": RST", 0)
		tr.because("no host process listens on " + pp.String() + " and no container publishes it")
		tr.block("host "+a.String(), "no published port and no host listener for "+pp.String(), topology.Position{},
			fmt.Sprintf("publish %d on the service that serves it, or start a host process on it", pp.Port))
		return Refused
	}
	tr.hop(StepDeliver, "host "+a.String(), "reaches the host's own stack: a host service, if any, answers", 0)
	tr.because("no container publishes " + pp.String() + "; the flow ends at the host itself, outside Docker's rules")
	tr.block("filter INPUT", "no published binding for "+pp.String()+" on "+a.String()+"; host listeners are not declared (R7-7)", topology.Position{},
		fmt.Sprintf("publish %d on the service that serves it, or declare the host's listeners in the host description", pp.Port))
	return NotDockerManaged
}

// egress: container -> off-host (R7-8, P3).
func (s *Sim) egress(view *topology.Container, gw *topology.Endpoint, d dst, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	gn := gw.Network
	s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
	tr.hop(StepHost, "host routing", "forward to "+d.label+" via the host's default route", lat.HostRouting)
	tr.hop(StepNetfilter, "filter DOCKER-FORWARD", "-i "+bridgeName(gn)+" -j ACCEPT", lat.Netfilter)
	if !s.masq(gn) {
		tr.rule("R7-8")
		why := "enable_ip_masquerade is false on " + gn.Name
		fix := "remove com.docker.network.bridge.enable_ip_masquerade: \"false\" from " + netLabel(gn) + posSuffix(gn.Pos)
		switch {
		case !s.t.Daemon.IPMasq:
			why, fix = "the daemon runs with ip-masq=false", "turn ip-masq back on in the daemon"
		case gn.GatewayMode == "routed":
			why, fix = "gateway mode routed does no NAT", "use gateway mode nat on "+netLabel(gn)+posSuffix(gn.Pos)
		}
		tr.hop(StepWire, "host eth0", "leaves with source "+gw.IPv4.String()+" (no MASQUERADE): replies need a route back", lat.Internet)
		tr.because("no masquerade: " + why)
		tr.block("nat POSTROUTING", "nat POSTROUTING has no MASQUERADE -s "+gn.Subnet.String()+" ! -o "+bridgeName(gn)+": "+why+" (R7-8)", gn.Pos, fix)
		return NoMasquerade
	}
	tr.rule("R7-8")
	egressIP := "the host's egress address"
	if a, ok := s.hostAddr(); ok {
		egressIP = a.String()
	}
	tr.hop(StepSNAT, "nat POSTROUTING", "MASQUERADE -s "+gn.Subnet.String()+" ! -o "+bridgeName(gn)+": "+gw.IPv4.String()+" -> "+egressIP, lat.NAT)
	tr.hop(StepWire, "host eth0", "to "+d.label, lat.Internet)
	if pp.Port == 0 {
		tr.hop(StepDeliver, d.label, "ICMP echo (if the remote answers)", 0)
	} else {
		tr.hop(StepDeliver, d.label, pp.String()+" (the remote side decides)", 0)
	}
	return Delivered
}

// ---------------------------------------------------------------- none

func (s *Sim) fromNone(c *topology.Container, q Query, pp topology.PortProto, tr *tracer) Verdict {
	tr.rule("R7-10")
	to := strings.ToLower(q.To)
	a, err := netip.ParseAddr(q.To)
	if to == Localhost || err == nil && a.IsLoopback() {
		tr.hop(StepLoopback, c.Name+" lo", "loopback only (network_mode none)", s.t.Latency.Loopback)
		return s.deliver(c, c, pp, tr, "")
	}
	if err != nil && to != Host && to != Internet {
		r := s.Resolve(c, q.To)
		if tr != nil {
			tr.dns = &r
		}
		if r.Resolved() && r.Answers[0].IP.IsLoopback() {
			tr.hop(StepLoopback, c.Name+" lo", "loopback only (network_mode none)", s.t.Latency.Loopback)
			return s.deliver(c, c, pp, tr, "")
		}
	}
	return s.noneBlock(c, tr)
}

func (s *Sim) noneBlock(c *topology.Container, tr *tracer) Verdict {
	tr.rule("R7-10")
	tr.hop(StepRoute, c.Name, "network_mode none: only lo exists; connect() fails with ENETUNREACH", 0)
	tr.because(c.Name + " has network_mode none")
	tr.block("network namespace of "+c.Name, "network_mode: none gives loopback only (R7-10)", c.Pos, "remove network_mode: none from "+svcOf(c)+posSuffix(c.Pos))
	return NetworkNone
}

// ---------------------------------------------------------------- host

// targetFromOutside resolves q.To for Host and Internet: a container or
// service name stands for the container's address.
func (s *Sim) targetFromOutside(q Query, tr *tracer, fromHost bool) (dst, *topology.Container, Verdict, bool) {
	switch strings.ToLower(q.To) {
	case Internet:
		if !fromHost {
			return dst{}, nil, s.invalid(tr, "from internet to internet is outside the model"), false
		}
		return dst{internet: true, label: Internet}, nil, 0, true
	case Localhost:
		if !fromHost {
			return dst{}, nil, s.invalid(tr, "localhost from a remote machine is that machine itself; use host:PORT"), false
		}
		return dst{addr: netip.AddrFrom4([4]byte{127, 0, 0, 1}), label: "127.0.0.1"}, nil, 0, true
	case Host:
		a, ok := s.hostAddr()
		if !ok {
			return dst{}, nil, s.invalid(tr, "the host has no non-loopback address in the model"), false
		}
		return dst{addr: a, label: a.String()}, nil, 0, true
	}
	if a, err := netip.ParseAddr(q.To); err == nil {
		return dst{addr: a.Unmap(), label: a.String()}, nil, 0, true
	}
	c := s.findContainer(q.To)
	if c == nil {
		r := DNSResult{}
		s.upstream(&r, strings.ToLower(strings.TrimSuffix(q.To, ".")), 0)
		if r.External {
			return dst{internet: true, label: q.To}, nil, 0, true
		}
		if !fromHost {
			return dst{}, nil, s.invalid(tr, "unknown target "+strconv.Quote(q.To)+": not a container or service of the project"), false
		}
		tr.because("the host's resolver does not know " + strconv.Quote(q.To))
		tr.block("host resolver", "container names are not in the host's DNS; "+strconv.Quote(q.To)+" is not a container or service either", topology.Position{}, "use a container or service name, or an address")
		return dst{}, nil, NameNotResolved, false
	}
	mode, view := modeOf(c)
	switch mode {
	case nsNone:
		return dst{}, c, s.noneBlock(c, tr), false
	case nsHost:
		tr.note(c.Name + " uses network_mode host: its address is the host's")
		if fromHost {
			return dst{addr: netip.AddrFrom4([4]byte{127, 0, 0, 1}), label: "127.0.0.1"}, c, 0, true
		}
		a, ok := s.hostAddr()
		if !ok {
			return dst{}, nil, s.invalid(tr, "the host has no non-loopback address in the model"), false
		}
		return dst{addr: a, label: a.String()}, c, 0, true
	}
	e := view.GatewayEndpoint()
	if e == nil && len(view.Endpoints) > 0 {
		e = view.Endpoints[0]
	}
	if e == nil || !e.IPv4.IsValid() {
		tr.because(c.Name + " has no address")
		tr.block("network namespace of "+c.Name, "no endpoint", c.Pos, "attach "+svcOf(c)+" to a network")
		return dst{}, c, NameNotResolved, false
	}
	tr.note("from " + q.From + ", the name " + q.To + " stands for " + view.Name + "'s address " + e.IPv4.String() + " on " + e.Network.Name)
	return dst{addr: e.IPv4, label: e.IPv4.String()}, c, 0, true
}

// fromHost is R7-11's S == HOST branch. hc is the network_mode: host
// container asking, or nil for the host itself.
func (s *Sim) fromHost(hc *topology.Container, q Query, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	var d dst
	if hc != nil && !isKeyword(q.To) {
		if _, err := netip.ParseAddr(q.To); err != nil {
			// A host-mode container resolves with the host's resolver plus
			// its extra_hosts (R6-17).
			r := s.Resolve(hc, q.To)
			if tr != nil {
				tr.dns = &r
			}
			if r.Resolved() {
				d = dst{addr: r.Answers[0].IP, label: r.Answers[0].IP.String()}
			}
		}
	}
	if !d.addr.IsValid() {
		var v Verdict
		var ok bool
		d, _, v, ok = s.targetFromOutside(q, tr, true)
		if !ok {
			return v
		}
	}
	src := "host"
	if hc != nil {
		src = hc.Name + " (host namespace)"
	}
	if tr != nil {
		tr.dest = d.label
		if pp.Port != 0 && !d.internet {
			tr.dest = netip.AddrPortFrom(d.addr, pp.Port).String()
		}
	}
	if d.internet {
		tr.hop(StepRoute, src, "host default route", lat.HostRouting)
		tr.hop(StepWire, "host eth0", "to "+d.label, lat.Internet)
		tr.hop(StepDeliver, d.label, "the remote side decides", 0)
		tr.note("host egress is outside Docker's rules; composenet assumes the host is online")
		return Delivered
	}
	a := d.addr
	if a.IsLoopback() || s.isHostAddr(a) {
		tr.rule("R7-11")
		if pp.Port == 0 {
			tr.hop(StepLoopback, src, "ICMP echo to the host's own address "+a.String(), lat.Loopback)
			return Delivered
		}
		if b := s.matchBinding(a, pp); b != nil {
			te := b.b.Endpoint
			tn := te.Network
			cpp := topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}
			tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
			tr.rule("R7-6", "R8-9")
			if a.IsLoopback() && s.t.Daemon.UserlandProxy {
				tr.hop(StepLoopback, src+" -> lo", "to "+netip.AddrPortFrom(a, pp.Port).String()+" (nat OUTPUT skips 127.0.0.0/8)", lat.Loopback)
				tr.hop(StepProxy, "docker-proxy "+bindLabel(b.b), "accepts, opens a second connection "+tn.Gateway.String()+" -> "+tgt, lat.Proxy)
				s.bridgeHop(tn, "proxy connection to "+b.ctr.Name, tr)
				return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+", via docker-proxy)", cpp, tr)
			}
			seen := a.String() + " (the host address used, [INF])"
			if a.IsLoopback() {
				seen = tn.Gateway.String() + " (MASQUERADE --src-type LOCAL)"
			}
			tr.hop(StepDNAT, "nat OUTPUT DOCKER", fmt.Sprintf("DNAT %s -> %s", netip.AddrPortFrom(a, pp.Port), tgt), lat.NAT)
			tr.hop(StepHost, "host routing", "to "+bridgeName(tn), lat.HostRouting)
			s.bridgeHop(tn, "to "+b.ctr.Name, tr)
			return s.arrive(te, seen, cpp, tr)
		}
		if ok, known := s.listens(nil, pp); ok {
			tr.hop(StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(StepDeliver, "host", pp.String()+" accepted by a host-namespace listener", 0)
			return Delivered
		} else if lb := s.otherBinding(pp); lb != nil {
			tr.hop(StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(StepDeliver, "host", "nothing listens on "+netip.AddrPortFrom(a, pp.Port).String()+": RST", 0)
			v := NotPublished
			if lb.b.HostIP.IsLoopback() {
				v = LoopbackOnly
			}
			tr.because(pp.String() + " is published only on " + lb.b.HostIP.String() + ", not on " + a.String() + " (connection refused)")
			tr.block("docker-proxy "+bindLabel(lb.b), "bound only to "+lb.b.HostIP.String()+" (R7-11)", lb.b.Pos,
				fmt.Sprintf("connect to %s:%d, or publish %d on 0.0.0.0", lb.b.HostIP, lb.b.HostPort, lb.b.HostPort))
			return v
		} else if known {
			tr.hop(StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(StepDeliver, "host", "nothing listens: RST", 0)
			tr.because("nothing listens on " + pp.String() + " on the host")
			tr.block("host "+a.String(), "no published binding and no host listener (R7-11)", topology.Position{}, fmt.Sprintf("publish %d on the service that serves it", pp.Port))
			return Refused
		}
		tr.hop(StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
		tr.because("no container publishes " + pp.String() + "; whether a host process listens is outside the model")
		tr.block("host "+a.String(), "no published binding for "+pp.String()+"; host listeners not declared (R7-11)", topology.Position{}, fmt.Sprintf("publish %d on the service that serves it", pp.Port))
		return NotDockerManaged
	}
	if te := s.ipOwner[a]; te != nil {
		tn := te.Network
		if tn.GatewayMode == "isolated" {
			tr.rule("R7-5")
			tr.because(tn.Name + " uses gateway mode isolated: the bridge has no host address")
			tr.block("routing table of the host", "gateway mode isolated removes the bridge address (R7-5, R8-13)", tn.Pos, "drop gateway_mode_ipv4: isolated from "+netLabel(tn)+posSuffix(tn.Pos))
			return NoRoute
		}
		tr.rule("R7-6")
		tr.hop(StepRoute, src, "route "+tn.Subnet.String()+" dev "+bridgeName(tn)+" src "+tn.Gateway.String()+" (locally generated: no raw PREROUTING, no FORWARD)", lat.HostRouting)
		s.bridgeHop(tn, "to "+te.Container.Name, tr)
		return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+")", pp, tr)
	}
	if n := s.subnetOf(a); n != nil {
		tr.hop(StepRoute, src, "route "+n.Subnet.String()+" dev "+bridgeName(n), lat.HostRouting)
		tr.because("no container holds " + a.String())
		tr.block("ARP on "+bridgeName(n), "no endpoint with address "+a.String(), n.Pos, "use the address of a running container")
		return UnassignedAddress
	}
	tr.hop(StepRoute, src, "host routing to "+a.String()+" (outside the Docker model)", lat.HostRouting)
	tr.hop(StepWire, "host eth0", "to "+a.String(), lat.LAN)
	tr.hop(StepDeliver, a.String(), "the remote side decides", 0)
	tr.note("host egress is outside Docker's rules; composenet assumes the host routes it")
	return Delivered
}

func isKeyword(s string) bool {
	switch strings.ToLower(s) {
	case Host, Internet, Localhost:
		return true
	}
	return false
}

// ---------------------------------------------------------------- internet

// fromInternet is R7-11's inbound branch (R7-9, P4).
func (s *Sim) fromInternet(q Query, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	d, _, v, ok := s.targetFromOutside(q, tr, false)
	if !ok {
		return v
	}
	if d.internet {
		return s.invalid(tr, "from internet to an external name is outside the model")
	}
	a := d.addr
	if tr != nil {
		tr.dest = d.label
		if pp.Port != 0 {
			tr.dest = netip.AddrPortFrom(a, pp.Port).String()
		}
	}
	if a.IsLoopback() {
		return s.invalid(tr, "a loopback address from a remote machine is that machine itself; use host:PORT")
	}
	tr.rule("R7-9", "R7-11")
	if s.hostIPs[a] {
		tr.hop(StepWire, "remote client -> host eth0", "to "+d.label, lat.Internet)
		if pp.Port == 0 {
			tr.hop(StepDeliver, "host "+a.String(), "ICMP echo answered by the host kernel", 0)
			return Delivered
		}
		tr.hop(StepNetfilter, "raw PREROUTING", "no match (destination is a host address)", lat.Netfilter)
		if b := s.matchBinding(a, pp); b != nil && !b.b.HostIP.IsLoopback() {
			te := b.b.Endpoint
			tn := te.Network
			tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
			tr.rule("R8-9")
			tr.hop(StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s -> %s", netip.AddrPortFrom(a, pp.Port), tgt), lat.NAT)
			tr.hop(StepNetfilter, "filter FORWARD DOCKER-FORWARD", "DOCKER-CT: new, no match; ISOLATION-STAGE-1: no match; DOCKER-BRIDGE -> DOCKER: -d "+te.IPv4.String()+"/32 ! -i "+bridgeName(tn)+" -o "+bridgeName(tn)+" -p "+pp.Protocol+" --dport "+strconv.Itoa(int(b.b.ContainerPort))+" -j ACCEPT", lat.Netfilter)
			s.bridgeHop(tn, "to "+b.ctr.Name, tr)
			return s.arrive(te, "the remote client's own address (DNAT keeps it)", topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}, tr)
		}
		if ok, _ := s.listens(nil, pp); ok {
			if s.t.Host.Firewall {
				tr.hop(StepDrop, "filter INPUT (host firewall)", "DROP", lat.Netfilter)
				tr.because("a host service behind the host's INPUT firewall")
				tr.block("filter INPUT (host firewall)", "the host filters INPUT (R7-7, R7-11)", topology.Position{}, fmt.Sprintf("allow %d/%s in the host firewall", pp.Port, pp.Protocol))
				return HostFirewall
			}
			tr.hop(StepNetfilter, "filter INPUT", "ACCEPT", lat.Netfilter)
			tr.hop(StepDeliver, "host "+a.String(), pp.String()+" accepted by a host-namespace listener", 0)
			return Delivered
		}
		if lb := s.otherBinding(pp); lb != nil {
			v := NotPublished
			rule := "the binding is on " + lb.b.HostIP.String() + " only; nat DOCKER DNAT carries -d " + lb.b.HostIP.String() + " (R7-11)"
			if lb.b.HostIP.IsLoopback() {
				v = LoopbackOnly
				rule = fmt.Sprintf("raw PREROUTING -d %s/32 -p %s --dport %d ! -i lo -j DROP: loopback-published ports are host-only (R7-9, Engine 28)", lb.b.HostIP, pp.Protocol, lb.b.HostPort)
			}
			tr.hop(StepDrop, "host "+a.String(), "no binding of "+pp.String()+" on "+a.String(), 0)
			tr.because(pp.String() + " is published by " + lb.ctr.Name + " only on " + lb.b.HostIP.String())
			tr.block("port binding of "+lb.ctr.Name, rule, lb.b.Pos, fmt.Sprintf("publish %d on 0.0.0.0 (ports: [\"%d:%d\"])", lb.b.HostPort, lb.b.HostPort, lb.b.ContainerPort))
			return v
		}
		tr.hop(StepDrop, "host "+a.String(), "no published binding of "+pp.String(), 0)
		tr.because("no container publishes " + pp.String() + " on " + a.String())
		fix := fmt.Sprintf("publish %d on the service that serves it (ports: [\"%d:%d\"])", pp.Port, pp.Port, pp.Port)
		pos := topology.Position{}
		if c := s.listenerFor(pp); c != nil {
			fix = fmt.Sprintf("publish %d on %s (ports: [\"%d:%d\"])%s", pp.Port, svcOf(c), pp.Port, pp.Port, posSuffix(c.Pos))
			pos = c.Pos
		}
		tr.block("host "+a.String(), "no nat DOCKER DNAT rule for "+pp.String()+" (R7-9)", pos, fix)
		return NotPublished
	}
	// Straight at a Docker address.
	n := s.subnetOf(a)
	if te := s.ipOwner[a]; te != nil {
		n = te.Network
		if n.GatewayMode == "nat-unprotected" || n.GatewayMode == "routed" {
			tr.rule("R8-13")
			tr.note("gateway mode " + n.GatewayMode + ": no direct-access filter; assumes the LAN routes " + n.Subnet.String() + " to the host")
			tr.hop(StepWire, "remote client -> host eth0", "to "+a.String()+" (routed)", lat.Internet)
			tr.hop(StepHost, "host routing", "to "+bridgeName(n), lat.HostRouting)
			s.bridgeHop(n, "to "+te.Container.Name, tr)
			return s.arrive(te, "the remote client's own address", pp, tr)
		}
		tr.hop(StepWire, "remote client -> host eth0", "to "+a.String()+" (assuming the LAN routes it to the host)", lat.Internet)
		tr.hop(StepDrop, "raw PREROUTING", fmt.Sprintf("-d %s/32 ! -i %s -j DROP", a, bridgeName(n)), lat.Netfilter)
		tr.because("container addresses are not reachable from other machines; only published ports on host addresses are")
		fix := "publish the port on " + svcOf(te.Container) + " and connect to host:PORT"
		for _, p := range te.Container.Ports {
			if pp.Port == 0 || p.ContainerPort == pp.Port && proto(p.Protocol) == pp.Protocol {
				fix = fmt.Sprintf("connect to host:%d (published by %s)", p.HostPort, te.Container.Name)
				break
			}
		}
		if pp.Port != 0 && fix == "publish the port on "+svcOf(te.Container)+" and connect to host:PORT" {
			fix = fmt.Sprintf("publish %d on %s (ports: [\"%d:%d\"]) and connect to host:%d", pp.Port, svcOf(te.Container), pp.Port, pp.Port, pp.Port)
		}
		tr.block("raw PREROUTING", fmt.Sprintf("raw PREROUTING -d %s/32 ! -i %s -j DROP: direct-access filter (R7-9, Engine 28.0.2+)", a, bridgeName(n)), te.Container.Pos, fix)
		return DroppedDirectAccess
	}
	if n != nil {
		tr.hop(StepWire, "remote client", "to "+a.String(), lat.Internet)
		tr.because(a.String() + " is a Docker-internal address; other machines have no route to it")
		tr.block("LAN routing", "Docker subnets are not routed from other machines (R7-9)", n.Pos, "connect to a published port on a host address")
		return DroppedDirectAccess
	}
	return s.invalid(tr, a.String()+" is neither a host address nor a Docker address")
}

// listenerFor returns a container that declares a listener on pp (for fix
// suggestions).
func (s *Sim) listenerFor(pp topology.PortProto) *topology.Container {
	for _, c := range s.t.Containers {
		if c.ListenKnown && hasPort(c.Listen, pp) {
			return c
		}
	}
	return nil
}

func dedupe(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(l))
	out := l[:0:0]
	for _, x := range l {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// linkedExposed reports whether c links to target and target exposes
// pp (expose entries and published ports' targets, R8-3): the legacy-link
// exception of R7-4.
func linkedExposed(c, target *topology.Container, pp topology.PortProto) bool {
	if pp.Port == 0 {
		return false
	}
	linked := false
	for _, l := range c.Links {
		if l.Target == target.Name {
			linked = true
			break
		}
	}
	if !linked {
		return false
	}
	for _, x := range target.Expose {
		if x == pp {
			return true
		}
	}
	for _, p := range target.Ports {
		if p.ContainerPort == pp.Port && p.Protocol == pp.Protocol {
			return true
		}
	}
	return false
}
