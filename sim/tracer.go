package sim

import (
	"net/netip"
	"time"

	"github.com/composenet/composenet/topology"
)

// Reach, its tracer and what the client sees (R10-5).

// Reach answers q (R7-11) with the hop-by-hop path (section 9), latency
// (section 10) and, when blocked, every blocker with its rule and fix.
func (s *Sim) Reach(q Query) Result {
	if s.routeQuestion(q) {
		return s.reachRoute(q)
	}
	tr := &tracer{lat: s.t.Latency}
	v := s.reach(q, tr)
	r := Result{
		From: q.From, To: q.To, Port: q.Port, Protocol: proto(q.Protocol),
		Verdict: v, Reachable: v == Delivered,
		DNS: tr.dns, Hops: tr.hops, BlockedBy: tr.blockers,
		Rules: dedupe(tr.rules), Notes: dedupe(tr.notes), Error: tr.err,
		Destination: tr.dest, Source: tr.source, Target: tr.target,
	}
	if v != InvalidQuery && r.Target.Kind == "" {
		r.Target.Kind = PeerUnresolved
	}
	if r.Target.Kind != "" {
		r.Target.Name = q.To
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
	r.ReplySource = tr.replySrc
	r.ClientSees = clientSees(r)
	if r.ReplySource != "" && v == Delivered {
		r.ClientSees = "the datagram arrives, but docker-proxy answers from " + r.ReplySource + ": a connected UDP socket drops the reply and the client times out (R8-9 [VER 28.0])"
	}
	if tr.sees != "" && v != Delivered {
		r.ClientSees = tr.sees
		r.ClientError = tr.errno
	}
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
	case DockerUserBlocked:
		return timeout
	case HostFirewall:
		return "depends on the host firewall's rule: DROP times out, REJECT fails at once"
	case NotDockerManaged:
		return "up to the host: a host process answers, or the host kernel resets the connection"
	case LoopbackOnly:
		// R7-9: the binding is on 127.0.0.1 only; the address asked is
		// another one of the host's, where nothing listens.
		if r.Protocol == "udp" {
			return "ICMP port unreachable from the host's kernel (nothing listens on that address): the next recv() fails with ECONNREFUSED"
		}
		return "immediate RST from the host's kernel (nothing listens on that address; the port is bound to loopback only): connect() fails with ECONNREFUSED"
	case NotPublished:
		if r.Source.Kind == PeerInternet {
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
	replySrc string
	source   Peer
	target   Peer
	// sees overrides what the client observes (a host firewall's REJECT).
	sees string
	// errno goes with sees: the error the client's socket call returns.
	errno Errno
}

// setTarget records what the destination is, unless already known.
func (tr *tracer) setTarget(p Peer) {
	if tr != nil && tr.target.Kind == "" {
		tr.target = p
	}
}

// loc is where a hop happens or a blocker sits (see Place).
type loc struct {
	place         Place
	ctr, net, ifc string
}

var (
	atHost     = loc{place: AtHost}
	atInternet = loc{place: AtInternet}
)

// inCtr is c's namespace.
func inCtr(c *topology.Container) loc { return loc{place: AtContainer, ctr: c.Name} }

// onBridge is n's bridge.
func onBridge(n *topology.Network) loc {
	return loc{place: AtNetwork, net: n.Name, ifc: bridgeName(n)}
}

// hostOn is the host namespace, about network n (its chains or routes).
func hostOn(n *topology.Network) loc { return loc{place: AtHost, net: n.Name} }

// hostDev is the host namespace at device ifc.
func hostDev(ifc string) loc { return loc{place: AtHost, ifc: ifc} }

// via sets the network and interface of l.
func (l loc) via(n *topology.Network, ifc string) loc { l.net, l.ifc = n.Name, ifc; return l }

// onDev sets network n and its bridge device.
func (l loc) onDev(n *topology.Network) loc { return l.via(n, bridgeName(n)) }

// dev sets the interface of l.
func (l loc) dev(ifc string) loc { l.ifc = ifc; return l }

// netName sets the network (engine name) of l.
func (l loc) netName(name string) loc { l.net = name; return l }

// about sets the container l concerns (nil leaves it empty).
func (l loc) about(c *topology.Container) loc {
	if c != nil {
		l.ctr = c.Name
	}
	return l
}

// stepKinds maps each step to its component class; a drop is netfilter
// unless the caller says otherwise (hopKind).
var stepKinds = map[string]HopKind{
	StepDNS: HopDNS, StepRoute: HopRoute, StepVeth: HopVeth, StepBridge: HopBridge,
	StepHost: HopRoute, StepNetfilter: HopNetfilter, StepDNAT: HopNAT, StepSNAT: HopNAT,
	StepProxy: HopProxy, StepLoopback: HopLoopback, StepWire: HopWire,
	StepDeliver: HopDeliver, StepProcess: HopProcess, StepDrop: HopNetfilter,
}

func (tr *tracer) hop(w loc, step, node, detail string, d time.Duration) {
	tr.hopKind(w, stepKinds[step], step, node, detail, d)
}

func (tr *tracer) hopKind(w loc, kind HopKind, step, node, detail string, d time.Duration) {
	if tr == nil {
		return
	}
	tr.hops = append(tr.hops, Hop{Step: step, Kind: kind, Place: w.place, Container: w.ctr, Network: w.net, Interface: w.ifc,
		Node: node, Detail: detail, LatencyMS: ms(d), lat: d})
}

// ids lists rule-book IDs (for a blocker's RuleIDs).
func ids(l ...string) []string { return l }

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

// block records a blocker at w citing the rule-book IDs ruleIDs (exactly
// those its rule text names; a test holds the two equal).
func (tr *tracer) block(w loc, ruleIDs []string, component, rule string, pos topology.Position, fix string) {
	if tr == nil {
		return
	}
	if ruleIDs == nil {
		ruleIDs = []string{}
	}
	tr.addBlocker(Blocker{Component: component, Place: w.place, Container: w.ctr, Network: w.net,
		Rule: rule, RuleIDs: ruleIDs, Position: pos.String(), Fix: fix})
}

func (tr *tracer) addBlocker(b Blocker) {
	for _, o := range tr.blockers {
		if o.Component == b.Component && o.Rule == b.Rule && o.Position == b.Position && o.Fix == b.Fix {
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
			r := h
			r.Detail, r.Return = "reply", true
			back = append(back, r)
		case StepDNAT, StepSNAT:
			back = append(back, Hop{Step: h.Step, Kind: HopNAT, Place: AtHost, Network: h.Network, Node: "conntrack", Detail: "reply: " + h.Step + " reversed by conntrack", LatencyMS: ms(tr.lat.Netfilter), lat: tr.lat.Netfilter, Return: true})
		case StepDeliver:
			back = append(back, Hop{Step: StepRoute, Kind: HopRoute, Place: h.Place, Container: h.Container, Node: h.Node, Detail: "reply leaves the server's socket", Return: true})
		}
	}
	tr.hops = append(tr.hops, back...)
}

// reach is R7-11. tr may be nil.
func (s *Sim) reach(q Query, tr *tracer) Verdict {
	p, err := ParseProtocol(q.Protocol)
	if err != nil {
		return s.invalid(tr, err.Error())
	}
	pp := topology.PortProto{Port: q.Port, Protocol: string(p)}
	if q.From == "" || q.To == "" {
		return s.invalid(tr, "both FROM and TO are needed")
	}
	src, err := s.Peer(q.From)
	if err != nil {
		return s.invalid(tr, err.Error())
	}
	if tr != nil {
		tr.source = src
	}
	switch src.Kind {
	case PeerInternet:
		return s.fromInternet(q, pp, tr)
	case PeerHost:
		return s.fromHost(nil, q, pp, tr)
	}
	c := src.ctr
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
