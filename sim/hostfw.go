package sim

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/composenet/composenet/topology"
)

// The host's own firewall (issue 16; R7-20 to R7-26 in the package doc):
// DOCKER-USER for forwarded packets, INPUT for the host's own listeners.

// internetCandidates are the addresses that may stand for "a machine on
// the internet" when the question does not give one (R7-26): the .7 of
// each documentation range (RFC 5737), TEST-NET-3 first. The first one
// that no host interface prefix and no Docker subnet holds is used, so a
// host description that puts an interface in 203.0.113.0/24 does not make
// the internet "on link" (internetClientFor).
var internetCandidates = []netip.Addr{
	netip.MustParseAddr("203.0.113.7"),
	netip.MustParseAddr("198.51.100.7"),
	netip.MustParseAddr("192.0.2.7"),
}

// internetClientFor picks the stand-in internet client for t: the first
// candidate outside every prefix of the host's addresses and interfaces
// and every Docker subnet. When all three ranges are taken (a host that
// declares every documentation range), the first candidate is kept and
// ok is false, so the answer can say the stand-in is on a local link.
func internetClientFor(t *topology.Topology) (a netip.Addr, ok bool) {
	var local []netip.Prefix
	local = append(local, t.Host.Addresses...)
	for _, ifc := range t.Host.Interfaces {
		local = append(local, ifc.Addresses...)
	}
	nets := t.Networks
	if t.Bridge0 != nil {
		nets = append([]*topology.Network{t.Bridge0}, nets...)
	}
	for _, n := range nets {
		if n.Subnet.IsValid() {
			local = append(local, n.Subnet)
		}
	}
next:
	for _, c := range internetCandidates {
		for _, p := range local {
			if p.Masked().Contains(c) {
				continue next
			}
		}
		return c, true
	}
	return internetCandidates[0], false
}

// InternetClient is the address that stands for the internet in this
// host's answers (R7-26): 203.0.113.7 unless the host description or a
// Docker subnet holds it.
func (s *Sim) InternetClient() netip.Addr { return s.internetClient }

// clientPort is the source port composenet assumes for a client.
const clientPort = 40000

// fwPacket is what the host firewall sees of one packet.
type fwPacket struct {
	in, out    string
	src, dst   netip.Addr
	proto      string // tcp, udp, sctp, icmp
	sport      uint16
	dport      uint16
	state      string // NEW or ESTABLISHED
	reply      bool   // conntrack direction REPLY
	origDst    netip.Addr
	origDPort  uint16
	dnat, snat bool
	// noct: the packet has no connection yet (raw PREROUTING, R7-28):
	// ctstate is INVALID and --ctorig*/--ctdir never match.
	noct bool
}

// fwDecision is the outcome of a chain for one packet.
type fwDecision struct {
	// Target is ACCEPT, DROP or REJECT; "" when no rule decided (the chain
	// returned to its caller).
	Target     string
	Rule       *topology.FWRule
	RejectWith string
	// Uncertain are rules the packet reached whose supported matches all
	// matched but which use options composenet does not evaluate (R7-25).
	Uncertain []*topology.FWRule
}

func (d fwDecision) blocks() bool { return d.Target == "DROP" || d.Target == "REJECT" }

// hasFirewall reports whether the host description gave firewall rules.
func (s *Sim) hasFirewall() bool { return s.t.Host.Rules != nil }

// evalChain runs p through table/chain (R7-21): the first terminating
// match decides, RETURN or the end of a user chain goes back to the
// caller, a jump descends, -g returns to the caller's caller.
func (s *Sim) evalChain(table, chain string, p fwPacket) fwDecision {
	var d fwDecision
	s.walkChain(table, chain, p, &d, 0)
	return d
}

// walkChain returns true when a terminating verdict was reached or, for a
// goto, when the calling chain must return as well.
func (s *Sim) walkChain(table, chain string, p fwPacket, d *fwDecision, depth int) (done bool) {
	if depth > 32 {
		return false
	}
	for _, r := range s.t.Host.Rules.Chain(table, chain) {
		if r.Docker {
			// Docker's own rules are the model itself (R7-0), compared
			// at load (R7-27).
			continue
		}
		m, sure := s.fwMatch(r, p)
		if !m {
			continue
		}
		if !sure {
			d.Uncertain = append(d.Uncertain, r)
			continue
		}
		if table == "raw" && (r.Target == "CT" || r.Target == "NOTRACK") {
			// Untracked packets get no NAT and ctstate UNTRACKED
			// (R7-28): composenet does not follow that.
			d.Uncertain = append(d.Uncertain, r)
			continue
		}
		switch r.Target {
		case "ACCEPT", "DROP":
			d.Target, d.Rule = r.Target, r
			return true
		case "REJECT":
			d.Target, d.Rule, d.RejectWith = r.Target, r, r.RejectWith
			return true
		case "RETURN":
			return false
		case "", "LOG", "NFLOG", "MARK", "CONNMARK", "CT", "TRACE", "AUDIT":
			continue
		}
		if !s.t.Host.Rules.HasChain(table, r.Target) {
			// An extension target composenet does not know.
			d.Uncertain = append(d.Uncertain, r)
			continue
		}
		if s.walkChain(table, r.Target, p, d, depth+1) {
			return true
		}
		if r.Goto {
			return false
		}
	}
	return false
}

// fwMatch reports whether r matches p; sure is false when r has options
// composenet does not evaluate (then m says whether the rest matched).
func (s *Sim) fwMatch(r *topology.FWRule, p fwPacket) (m, sure bool) {
	anyAddr := func(ms []topology.AddrMatch, a netip.Addr) bool {
		if len(ms) == 0 {
			return true
		}
		if ms[0].Neg {
			for _, x := range ms {
				if !x.Contains(a) {
					return false
				}
			}
			return true
		}
		for _, x := range ms {
			if x.Contains(a) {
				return true
			}
		}
		return false
	}
	if !anyAddr(r.Src, p.src) || !anyAddr(r.Dst, p.dst) {
		return false, true
	}
	if r.OutIface.Name != "" && p.out == "" {
		return false, true
	}
	if !r.InIface.Matches(p.in) || !r.OutIface.Matches(p.out) {
		return false, true
	}
	if r.Proto != "" && r.Proto != "all" && (r.Proto == p.proto) == r.ProtoNeg {
		return false, true
	}
	if r.DPorts.Set() || r.SPorts.Set() {
		if p.proto == "icmp" {
			return false, true
		}
		if !r.DPorts.Matches(p.dport) || !r.SPorts.Matches(p.sport) {
			return false, true
		}
	}
	if r.Syn && (p.proto != "tcp" || p.state != "NEW") {
		return false, true
	}
	if p.noct && len(r.CtState) == 0 && (r.CtOrigDst != nil || r.CtOrigDstPort.Set() || r.CtDir != "") {
		// No connection yet: the conntrack match fails (xt_conntrack:
		// without a ct only a --ctstate test can succeed).
		return false, true
	}
	if len(r.CtState) > 0 {
		in := false
		for _, st := range r.CtState {
			switch st {
			case p.state:
				in = true
			case "DNAT":
				in = in || p.dnat
			case "SNAT":
				in = in || p.snat
			}
		}
		if in == r.CtStateNeg {
			return false, true
		}
	}
	origDst, origPort := p.origDst, p.origDPort
	if !origDst.IsValid() {
		origDst, origPort = p.dst, p.dport
		if p.reply {
			origDst, origPort = p.src, p.sport
		}
	}
	if p.noct {
		// xt_conntrack returns after the state test when there is no ct.
		origDst, origPort = netip.Addr{}, 0
	}
	if r.CtOrigDst != nil && !p.noct && !r.CtOrigDst.Contains(origDst) {
		return false, true
	}
	if r.CtOrigDstPort.Set() && !p.noct && !r.CtOrigDstPort.Matches(origPort) {
		return false, true
	}
	if r.CtDir != "" && !p.noct && (r.CtDir == "REPLY") != p.reply {
		return false, true
	}
	sure = len(r.Unsupported) == 0
	for _, at := range []struct {
		typ string
		neg bool
		a   netip.Addr
	}{{r.SrcType, r.SrcTypeNeg, p.src}, {r.DstType, r.DstTypeNeg, p.dst}} {
		var is bool
		switch at.typ {
		case "":
			continue
		case "LOCAL":
			is = at.a.IsLoopback() || s.isHostAddr(at.a) || s.isGatewayAddr(at.a)
		case "UNICAST":
			is = true
		default:
			sure = false
			continue
		}
		if is == at.neg {
			return false, true
		}
	}
	return true, sure
}

// isGatewayAddr reports whether a is a bridge (gateway) address, which is
// local to the host too.
func (s *Sim) isGatewayAddr(a netip.Addr) bool {
	for _, n := range s.allNets() {
		if n.Gateway == a {
			return true
		}
	}
	return false
}

func (s *Sim) allNets() []*topology.Network {
	nets := make([]*topology.Network, 0, len(s.t.Networks)+1)
	if s.t.Bridge0 != nil {
		nets = append(nets, s.t.Bridge0)
	}
	return append(nets, s.t.Networks...)
}

// hostIfaceFor returns the host interface a packet from or to address a
// uses: the interface whose prefix holds a, else the first interface
// (default route), else eth0.
func (s *Sim) hostIfaceFor(a netip.Addr) string {
	for _, ifc := range s.t.Host.Interfaces {
		for _, p := range ifc.Addresses {
			if p.Masked().Contains(a) || p.Addr() == a {
				return ifc.Name
			}
		}
	}
	if len(s.t.Host.Interfaces) > 0 {
		return s.t.Host.Interfaces[0].Name
	}
	return "eth0"
}

// hostRouteTo says how the host routes to a: on the link of interface
// ifc when one of the host description's interfaces holds a in its
// prefix, else by the default route.
func (s *Sim) hostRouteTo(a netip.Addr, ifc string) string {
	for _, i := range s.t.Host.Interfaces {
		for _, p := range i.Addresses {
			if i.Name == ifc && p.Masked().Contains(a) {
				return "on the link of " + ifc
			}
		}
	}
	return "via the host's default route"
}

// brNetfilter reports whether bridged frames traverse iptables (R7-1 note,
// R7-20): the host description says so, or Docker loads br_netfilter
// because icc or the userland proxy is off.
func (s *Sim) brNetfilter() bool {
	if b := s.t.Host.BrNetfilter; b != nil {
		return *b
	}
	if !s.t.Daemon.ICC || !s.t.Daemon.UserlandProxy {
		return true
	}
	for _, n := range s.t.Networks {
		if !n.ICC {
			return true
		}
	}
	return false
}

func fwPos(r *topology.FWRule) string {
	return r.Pos.File + ":" + fmt.Sprint(r.Pos.Line)
}

// fwRuleText is "-A CHAIN text (file:line)".
func fwRuleText(r *topology.FWRule) string {
	return "-A " + r.Chain + " " + r.Text + " (" + fwPos(r) + ")"
}

// fwNote records rules that made the answer uncertain (R7-25).
func (tr *tracer) fwUncertain(d fwDecision) {
	if tr == nil {
		return
	}
	for _, r := range d.Uncertain {
		tr.rule("R7-25")
		what := strings.Join(r.Unsupported, ", ")
		if what == "" {
			what = "-j " + r.Target
		}
		tr.note("uncertain: " + fwRuleText(r) + " uses " + what + ", which composenet does not evaluate; it could decide this packet (R7-25)")
	}
}

// rejectSees is what the client observes for a REJECT (R7-21), and the
// error its socket call returns.
func rejectSees(with, proto string) (sees string, errno Errno) {
	switch with {
	case "tcp-reset":
		return "the firewall answers with a TCP RST: connect() fails at once with ECONNREFUSED", ErrConnRefused
	case "icmp-host-unreachable", "icmp-admin-prohibited", "icmp-host-prohibited":
		return "the firewall answers with ICMP " + strings.TrimPrefix(with, "icmp-") + ": connect() fails at once with EHOSTUNREACH", ErrHostUnreach
	case "icmp-net-unreachable", "icmp-net-prohibited":
		return "the firewall answers with ICMP " + strings.TrimPrefix(with, "icmp-") + ": connect() fails at once with ENETUNREACH", ErrNetUnreach
	}
	if proto == "udp" {
		return "the firewall answers with ICMP port unreachable: the next recv() fails with ECONNREFUSED", ErrConnRefused
	}
	return "the firewall answers with ICMP port unreachable: connect() fails at once with ECONNREFUSED", ErrConnRefused
}

// dockerUser runs the forward packet p, and for a connection its reply rp,
// through DOCKER-USER (R7-20, R7-22, R7-23) and records the hop; it
// returns a blocking verdict, or ok when the flow goes on. what says which
// traffic this is ("inbound to a published port", "container egress", ...).
func (s *Sim) dockerUser(p fwPacket, rp *fwPacket, what string, w loc, tr *tracer) (Verdict, bool) {
	v, ok, _ := s.dockerUserDecide(p, rp, what, w, tr)
	return v, ok
}

// dockerUserDecide is dockerUser that also says whether a rule accepted
// the packet (then Docker's own DOCKER-FORWARD rules are not consulted).
func (s *Sim) dockerUserDecide(p fwPacket, rp *fwPacket, what string, w loc, tr *tracer) (v Verdict, ok, accepted bool) {
	if !s.hasFirewall() {
		return 0, true, false
	}
	lat := s.t.Latency
	d := s.evalChain("filter", "DOCKER-USER", p)
	tr.fwUncertain(d)
	tr.rule("R7-20")
	pkt := fmt.Sprintf("%s %s:%d -> %s:%d, -i %s -o %s, ctstate %s", p.proto, p.src, p.sport, p.dst, p.dport, p.in, p.out, p.state)
	if p.proto == "icmp" {
		pkt = fmt.Sprintf("icmp %s -> %s, -i %s -o %s, ctstate %s", p.src, p.dst, p.in, p.out, p.state)
	}
	if p.dnat {
		pkt += fmt.Sprintf(" (after DNAT: --ctorigdst %s --ctorigdstport %d)", p.origDst, p.origDPort)
	}
	switch {
	case d.blocks():
		return s.fwBlocked(d, "DOCKER-USER", what, pkt, false, w, tr), false, false
	case d.Target == "ACCEPT":
		tr.rule("R7-21")
		tr.hop(w, StepNetfilter, "filter FORWARD DOCKER-USER", what+": "+pkt+": ACCEPT by "+fwRuleText(d.Rule)+"; Docker's DOCKER-FORWARD is not consulted (R7-21)", lat.Netfilter)
	default:
		tr.hop(w, StepNetfilter, "filter FORWARD DOCKER-USER", what+": "+pkt+": no rule decides, back to FORWARD", lat.Netfilter)
	}
	if rp == nil {
		return 0, true, d.Target == "ACCEPT"
	}
	rd := s.evalChain("filter", "DOCKER-USER", *rp)
	tr.fwUncertain(rd)
	if rd.blocks() {
		tr.rule("R7-23")
		rpkt := fmt.Sprintf("%s %s:%d -> %s:%d, -i %s -o %s, ctstate ESTABLISHED", rp.proto, rp.src, rp.sport, rp.dst, rp.dport, rp.in, rp.out)
		return s.fwBlocked(rd, "DOCKER-USER", "the reply ("+what+")", rpkt, true, w, tr), false, false
	}
	return 0, true, d.Target == "ACCEPT"
}

// fwBlocked records a drop or reject by a host firewall rule.
func (s *Sim) fwBlocked(d fwDecision, chain, what, pkt string, reply bool, w loc, tr *tracer) Verdict {
	lat := s.t.Latency
	v := DockerUserBlocked
	node := "filter FORWARD " + chain
	id := "R7-20"
	switch chain {
	case "INPUT":
		v, node, id = HostFirewall, "filter INPUT", "R7-24"
	case "raw PREROUTING":
		v, node, id = RawBlocked, "raw PREROUTING (operator rule)", "R7-28"
	}
	tr.rule(id)
	if tr == nil {
		return v
	}
	ruleIDs := ids(id)
	rule := fmt.Sprintf("%s (%s)", fwRuleText(d.Rule), id)
	fix := "allow this traffic in " + chain + " before " + fwPos(d.Rule) + ", or narrow the rule"
	if reply {
		ruleIDs = ids(id, "R7-23")
		rule = fmt.Sprintf("%s drops the replies: the reply packets are forwarded too and no earlier rule accepts ctstate ESTABLISHED,RELATED (%s, R7-23)", fwRuleText(d.Rule), id)
		fix = "insert -A " + chain + " -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT before " + fwPos(d.Rule)
		tr.because("the host firewall drops the replies (" + fwPos(d.Rule) + ")")
	} else {
		tr.because("the host firewall's " + chain + " chain " + strings.ToLower(d.Target) + "s it (" + fwPos(d.Rule) + ")")
	}
	tr.hop(w, StepDrop, node, what+": "+pkt+": "+d.Target+" by "+fwRuleText(d.Rule), lat.Netfilter)
	tr.block(w, ruleIDs, "host firewall "+chain, rule, d.Rule.Pos, fix)
	if d.Target == "REJECT" && !reply {
		tr.sees, tr.errno = rejectSees(d.RejectWith, strings.Fields(pkt)[0])
	} else {
		tr.sees, tr.errno = "no answer: the host firewall drops the packets silently, the client times out", ErrTimedOut
	}
	return v
}

// hostInput runs a packet to a host listener through filter INPUT (R7-24)
// and returns a blocking verdict, or ok.
func (s *Sim) hostInput(p fwPacket, what string, tr *tracer) (Verdict, bool) {
	d := s.evalChain("filter", "INPUT", p)
	tr.fwUncertain(d)
	if !d.blocks() && d.Target == "" {
		if pol := s.t.Host.Rules.Policies["filter/INPUT"]; pol == "DROP" {
			tr.rule("R7-24")
			tr.hop(atHost, StepDrop, "filter INPUT", what+": no rule accepts it; policy DROP", s.t.Latency.Netfilter)
			tr.because("the host's INPUT policy is DROP")
			tr.block(atHost, ids("R7-24"), "host firewall INPUT", "filter INPUT policy DROP ("+s.t.Host.Rules.Source+") (R7-24)", topology.Position{}, fmt.Sprintf("allow %d/%s in the host firewall's INPUT chain", p.dport, p.proto))
			tr.sees = "no answer: the host firewall drops the packets silently, the client times out"
			return HostFirewall, false
		}
	}
	if d.blocks() {
		pkt := fmt.Sprintf("%s %s:%d -> %s:%d, -i %s, ctstate %s", p.proto, p.src, p.sport, p.dst, p.dport, p.in, p.state)
		return s.fwBlocked(d, "INPUT", what, pkt, false, atHost, tr), false
	}
	if d.Target == "ACCEPT" {
		tr.rule("R7-24")
		tr.hop(atHost, StepNetfilter, "filter INPUT", what+": ACCEPT by "+fwRuleText(d.Rule)+" (R7-24)", s.t.Latency.Netfilter)
	}
	return 0, true
}

// inputMisses notes INPUT rules that look meant to protect published host
// port hp but never see it: published ports are DNATed in PREROUTING and
// forwarded, not delivered to INPUT (R7-9, R7-24).
func (s *Sim) inputMisses(hp uint16, proto string, tr *tracer) {
	if tr == nil || !s.hasFirewall() {
		return
	}
	for _, r := range s.InputRulesForPort(hp, proto) {
		tr.rule("R7-24")
		tr.note(fwRuleText(r) + " does not apply: a published port is DNATed in nat PREROUTING and forwarded through FORWARD/DOCKER-USER, never INPUT (R7-9, R7-24); filter it in DOCKER-USER with -m conntrack --ctorigdstport " + fmt.Sprint(hp))
	}
}

// InputRulesForPort returns the DROP/REJECT rules in INPUT and the chains
// it jumps to (ufw-*, firewalld's) that name destination port port: rules
// that look meant to close a published port.
func (s *Sim) InputRulesForPort(port uint16, proto string) []*topology.FWRule {
	var out []*topology.FWRule
	seen := map[string]bool{}
	var walk func(chain string, depth int)
	walk = func(chain string, depth int) {
		if depth > 16 || seen[chain] {
			return
		}
		seen[chain] = true
		for _, r := range s.t.Host.Rules.Chain("filter", chain) {
			switch r.Target {
			case "DROP", "REJECT":
				if r.DPorts.Has(port) && !r.DPorts.Neg && (r.Proto == "" || r.Proto == proto) {
					out = append(out, r)
				}
			default:
				if s.t.Host.Rules.HasChain("filter", r.Target) {
					walk(r.Target, depth+1)
				}
			}
		}
	}
	walk("INPUT", 0)
	return out
}
