package sim

import (
	"fmt"
	"net/netip"

	"github.com/composenet/composenet/topology"
)

// The operator's rules in the raw and nat tables (issue 16; R7-28, R7-29
// in the package doc). Docker's own rules there are modelled by the rest
// of the package (R7-0) and compared at load (R7-27); these functions see
// only the others.

// rawPacket is p as raw PREROUTING sees it: before conntrack, so without
// a connection (ctstate INVALID, no --ctorig*), and before NAT.
func rawPacket(p fwPacket) fwPacket {
	p.noct, p.state, p.dnat, p.snat, p.reply = true, "INVALID", false, false, false
	p.origDst, p.origDPort = netip.Addr{}, 0
	return p
}

// rawPrerouting runs a packet arriving at the host through the operator's
// raw PREROUTING rules (R7-28): a DROP there drops it before conntrack,
// NAT and every filter chain. It returns a blocking verdict, or ok.
func (s *Sim) rawPrerouting(p fwPacket, what string, w loc, tr *tracer) (Verdict, bool) {
	if !s.hasFirewall() || len(s.t.Host.Rules.Chain("raw", "PREROUTING")) == 0 {
		return 0, true
	}
	p = rawPacket(p)
	d := s.evalChain("raw", "PREROUTING", p)
	tr.fwUncertain(d)
	if !d.blocks() {
		return 0, true
	}
	pkt := fmt.Sprintf("%s %s:%d -> %s:%d, -i %s", p.proto, p.src, p.sport, p.dst, p.dport, p.in)
	if p.proto == "icmp" {
		pkt = fmt.Sprintf("icmp %s -> %s, -i %s", p.src, p.dst, p.in)
	}
	return s.fwBlocked(d, "raw PREROUTING", what, pkt, false, w, tr), false
}

// natRewrites notes the operator's nat rules of chain (PREROUTING,
// OUTPUT or POSTROUTING) that match connection p before Docker's own rule for it
// (R7-29): a DNAT, REDIRECT, SNAT, MASQUERADE, NETMAP, or an ACCEPT or
// RETURN that ends the nat chain before Docker's rule is reached, changes
// the connection in a way composenet does not follow, so the answer says
// it is uncertain and names the rule. dockerDecides reports whether one
// of Docker's rules decides p (then the walk stops there).
func (s *Sim) natRewrites(chain string, p fwPacket, dockerDecides func(r *topology.FWRule) bool, what string, tr *tracer) {
	if tr == nil || !s.hasFirewall() || len(s.t.Host.Rules.Chain("nat", chain)) == 0 {
		return
	}
	var unsure []*topology.FWRule
	r := s.natWalk(chain, p, dockerDecides, &unsure, 0)
	tr.fwUncertain(fwDecision{Uncertain: unsure})
	if r == nil {
		return
	}
	tr.rule("R7-29")
	verb := "rewrites it (-j " + r.Target
	if r.To != "" {
		verb += " to " + r.To
	}
	verb += ")"
	if r.Target == "ACCEPT" || r.Target == "RETURN" {
		verb = "ends the nat " + chain + " chain for it (-j " + r.Target + ")"
		if chain == "PREROUTING" || chain == "OUTPUT" {
			verb += " before Docker's DOCKER chain, so Docker's DNAT would not apply"
		} else {
			verb += " before Docker's MASQUERADE, so the source would not be rewritten"
		}
	}
	tr.note(fmt.Sprintf("uncertain: nat %s %s matches this connection (%s) and %s; composenet does not follow operator NAT rules and answers as if it were absent (R7-29)", chain, fwRuleText(r), what, verb))
}

// natWalk returns the operator's nat rule that takes p over, or nil when
// Docker's rule decides first or nothing matches.
func (s *Sim) natWalk(chain string, p fwPacket, dockerDecides func(r *topology.FWRule) bool, unsure *[]*topology.FWRule, depth int) *topology.FWRule {
	if depth > 32 {
		return nil
	}
	for _, r := range s.t.Host.Rules.Chain("nat", chain) {
		if r.Docker {
			if dockerDecides != nil && dockerDecides(r) {
				return nil
			}
			continue
		}
		m, sure := s.fwMatch(r, p)
		if !m {
			continue
		}
		if !sure {
			*unsure = append(*unsure, r)
			continue
		}
		switch r.Target {
		case "DNAT", "REDIRECT", "SNAT", "MASQUERADE", "NETMAP", "ACCEPT":
			return r
		case "RETURN":
			if depth == 0 {
				return r // the built-in chain's policy: nat traversal ends
			}
			return nil
		case "", "LOG", "NFLOG", "MARK", "CONNMARK", "TRACE", "AUDIT":
			continue
		}
		if !s.t.Host.Rules.HasChain("nat", r.Target) {
			*unsure = append(*unsure, r)
			continue
		}
		if x := s.natWalk(r.Target, p, dockerDecides, unsure, depth+1); x != nil {
			return x
		}
	}
	return nil
}

// dockerJump is the nat PREROUTING decision for a connection Docker's
// DOCKER chain DNATs (a published port from outside): Docker's jump
// decides.
func dockerJump(r *topology.FWRule) bool { return r.Target == "DOCKER" }

// dockerMasq is the nat POSTROUTING decision for container egress:
// Docker's MASQUERADE for the source subnet decides.
func (s *Sim) dockerMasq(p fwPacket) func(r *topology.FWRule) bool {
	return func(r *topology.FWRule) bool {
		if r.Target != "MASQUERADE" {
			return false
		}
		m, _ := s.fwMatch(r, p)
		return m
	}
}

// hostPre is what a packet entering the host meets before FORWARD or
// INPUT (R7-28, R7-29): raw PREROUTING, then nat PREROUTING for a new
// connection (dnat: Docker's DOCKER chain DNATs it).
func (s *Sim) hostPre(p fwPacket, dnat bool, what string, w loc, tr *tracer) (Verdict, bool) {
	if !s.hasFirewall() {
		return 0, true
	}
	if v, ok := s.rawPrerouting(p, what, w, tr); !ok {
		return v, false
	}
	var dd func(*topology.FWRule) bool
	if dnat {
		dd = dockerJump
	}
	s.natRewrites("PREROUTING", p, dd, what, tr)
	return 0, true
}

// rawReply runs a connection's reply through raw PREROUTING (R7-28):
// replies enter the host too, and raw sees them before conntrack undoes
// the NAT.
func (s *Sim) rawReply(rp fwPacket, what string, w loc, tr *tracer) (Verdict, bool) {
	v, ok := s.rawPrerouting(rp, "the reply ("+what+")", w, tr)
	if !ok {
		tr.rule("R7-23")
	}
	return v, ok
}

// endpointOn returns view's endpoint on n (nil when none).
func endpointOn(view *topology.Container, n *topology.Network) *topology.Endpoint {
	if view == nil {
		return nil
	}
	for _, e := range view.Endpoints {
		if e.Network == n {
			return e
		}
	}
	return nil
}

// hostOutputNAT notes the operator's nat OUTPUT rules that take over a
// connection the host opens to a (R7-29); Docker's OUTPUT jump decides
// first for a published port it DNATs (not 127.0.0.0/8 with the proxy).
func (s *Sim) hostOutputNAT(a netip.Addr, pp topology.PortProto, tr *tracer) {
	src, out := a, "lo"
	if !a.IsLoopback() && !s.isHostAddr(a) {
		if h, ok := s.hostAddr(); ok {
			src = h
		}
		out = s.hostIfaceFor(a)
		if te := s.ipOwner[a]; te != nil {
			out = bridgeName(te.Network)
		} else if n := s.subnetOf(a); n != nil {
			out = bridgeName(n)
		}
	}
	var dd func(*topology.FWRule) bool
	if b := s.matchBinding(a, pp); b != nil && (s.isHostAddr(a) || a.IsLoopback()) && !(a.IsLoopback() && s.t.Daemon.UserlandProxy) {
		dd = dockerJump
	}
	p := fwPacket{out: out, src: src, dst: a, proto: pp.Protocol, sport: clientPort, dport: pp.Port, state: "NEW"}
	s.natRewrites("OUTPUT", p, dd, "opened by the host", tr)
}
