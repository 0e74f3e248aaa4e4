package sim

import (
	"fmt"
	"net/netip"

	"github.com/composenet/composenet/topology"
)

// Engine-version branches. The rule book describes Engine 28; where an
// older engine (topology.Daemon.Engine, the CLI's --engine) behaves
// differently, the branch lives here with its rule ID, version range and
// source. composenet verify checks them against real engines.

// engine is the modelled engine version; a Daemon built by hand without
// one (the zero value) models the default, Engine 28.
func (s *Sim) engine() topology.EngineVersion {
	if s.t.Daemon.Engine.Major == 0 {
		return topology.DefaultEngine
	}
	return s.t.Daemon.Engine
}

// internalDefaultRoute is R5-4 / R7-5 [VER 25.0]: before Engine 25.0 an
// endpoint on an internal network still got the bridge's address as its
// default gateway. A container whose networks are all internal therefore
// routes off-subnet packets to the host: the host's own addresses answer
// (filter INPUT never sees the internal network's DOCKER-ISOLATION-STAGE-1
// rules), and everything else is dropped silently by STAGE-1 (a timeout,
// not Engine 25's immediate ENETUNREACH).
// Source: Engine 25.0 release notes (internal-only containers get no
// default route); rule book section 12; observed on Debian 12's Engine
// 20.10.24 with composenet verify (testdata/cases/internal.yaml).
func (s *Sim) internalDefaultRoute() bool { return !s.engine().AtLeast(25, 0, 0) }

// internalDNSForwards is R6-11 [VER 26.0, 25.0.4, 23.0.11]: before the
// fix of CVE-2024-29018 the embedded DNS forwarded names it does not know
// for internal-only containers too (from the host's namespace when the
// upstream is a loopback resolver, otherwise from the container's, which
// before 25.0 reaches host addresses through the internal default route).
// Source: GHSA-mq39-4gv4-mvpx / CVE-2024-29018 (fixed in 26.0.0, 25.0.4
// and 23.0.11; 24.0 is end of life and never got the fix); rule book R6-11.
func (s *Sim) internalDNSForwards() bool {
	v := s.engine()
	switch {
	case v.AtLeast(26, 0, 0):
		return false
	case v.Major == 25:
		return !v.AtLeast(25, 0, 4)
	case v.Major == 23:
		return !v.AtLeast(23, 0, 11)
	}
	return true
}

// engineNote says which engine a version branch modelled.
func (s *Sim) engineNote(what string) string {
	return fmt.Sprintf("Engine %s: %s", s.engine(), what)
}

// internalRoute is containerTo for a container whose networks are all
// internal, on an engine before 25.0 (internalDefaultRoute): the default
// route goes through e's gateway.
func (s *Sim) internalRoute(view *topology.Container, e *topology.Endpoint, d dst, pp topology.PortProto, tr *tracer) Verdict {
	n := e.Network
	lat := s.t.Latency
	tr.rule("R5-4", "R7-5")
	tr.note(s.engineNote("before 25.0 an internal network still gives its containers a default route via the bridge (R5-4 [VER 25.0])"))
	s.srcHops(view, e, "default route via "+n.Gateway.String()+" ("+n.Name+"; internal, Engine before 25.0)", tr)
	if !d.internet && s.isHostAddr(d.addr) && s.ipOwner[d.addr] == nil {
		if pp.Port != 0 {
			if b := s.matchBinding(d.addr, pp); b != nil {
				t := b.b.Endpoint
				tr.hop(hostOn(n), StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s:%d (%s publishes it)", d.addr, pp.Port, t.IPv4, b.b.ContainerPort, b.ctr.Name), lat.NAT)
				return s.internalDrop(view, n, tr)
			}
		}
		// The host's own address: filter INPUT, not FORWARD (R7-7).
		return s.hostService(view, n, d.addr, pp, tr)
	}
	return s.internalDrop(view, n, tr)
}

// internalDrop is the internal network's STAGE-1 rule dropping a packet
// that leaves its subnet (R7-5).
func (s *Sim) internalDrop(view *topology.Container, n *topology.Network, tr *tracer) Verdict {
	tr.hop(hostOn(n), StepDrop, "filter DOCKER-ISOLATION-STAGE-1", fmt.Sprintf("-i %s ! -d %s -j DROP (internal network %s)", bridgeName(n), n.Subnet, n.Name), s.t.Latency.Netfilter)
	tr.because(n.Name + " is internal: nothing leaves its subnet except to the host's own addresses (silently dropped)")
	tr.block(hostOn(n), ids("R7-5"), "filter DOCKER-ISOLATION-STAGE-1 on "+bridgeName(n), fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -i %s ! -d %s -j DROP: internal network %s lets nothing leave its subnet (R7-5)", bridgeName(n), n.Subnet, n.Name), n.Pos,
		"remove internal: true from "+netLabel(n)+posSuffix(n.Pos)+", or attach "+svcOf(view)+" to a non-internal network")
	return DroppedIsolation
}

// udpProxyReplySource is R8-9 [VER 28.0]: before Engine 28.0 docker-proxy's
// UDP relay, bound to the unspecified address, sent its replies from
// whatever address the host's routing picked: for a container that is the
// gateway address of its own network. A client that sent to another host
// address (docker0's, the host's LAN address) gets the reply from the
// wrong source, and a connected UDP socket drops it. Engine 28.0 replies
// from the original destination (IP_PKTINFO).
// Source: moby/moby#48571 (first in 28.0.0), moby/libnetwork#1729,
// moby/moby#11998; observed by composenet verify on 20.10.24
// (testdata/cases/published.yaml).
func (s *Sim) udpProxyReplySource(in *topology.Network, a netip.Addr, b *binding, pp topology.PortProto, tr *tracer) {
	if tr == nil || pp.Protocol != "udp" || s.engine().AtLeast(28, 0, 0) || a == in.Gateway || !b.b.HostIP.IsUnspecified() {
		return
	}
	tr.replySrc = in.Gateway.String()
	tr.rule("R8-9")
	tr.note(s.engineNote(fmt.Sprintf("docker-proxy (before 28.0) answers UDP from %s, not from %s: a connected UDP socket drops the reply (moby/moby#48571)", in.Gateway, a)))
}

// directRoutingOpen is R7-9 [VER 28.0]: before Engine 28.0 no raw
// PREROUTING rule kept other machines off container addresses, so a LAN
// whose router sends a Docker subnet to the host reaches the containers
// through filter FORWARD (directRouted).
// Source: rule book R7-9 ("before 28.0 direct routing to published ports,
// and with FORWARD policy ACCEPT to any port, went through"); Engine 28.0
// release notes; moby/moby#45610; observed by composenet verify from a LAN
// client on Debian 12's Engine 20.10.24 (testdata/lan, --lan-netns).
func (s *Sim) directRoutingOpen() bool { return !s.engine().AtLeast(28, 0, 0) }

// directRouted is a packet from a machine outside the host routed straight
// to container address a of endpoint te on an engine before 28.0
// (directRoutingOpen): filter FORWARD decides. DOCKER-USER first (R7-20);
// then Docker's DOCKER chain accepts the container ports published through
// te (-d cIP ! -i brN -o brN -p P --dport cport -j ACCEPT, whatever host
// address the binding is on); anything else falls to FORWARD's policy,
// DROP when Docker turned IP forwarding on itself (R7-8), or as the host
// description's iptables-save says. An internal network's
// DOCKER-ISOLATION-STAGE-1 drops everything from outside its subnet (R7-5).
func (s *Sim) directRouted(te *topology.Endpoint, a, client netip.Addr, pp topology.PortProto, tr *tracer) Verdict {
	n := te.Network
	lat := s.t.Latency
	ifc := s.hostIfaceFor(client)
	br := bridgeName(n)
	tr.note(s.engineNote("before 28.0 no raw PREROUTING rule keeps other machines off container addresses; filter FORWARD decides (R7-9 [VER 28.0])"))
	tr.hop(atInternet.dev(ifc), StepWire, "remote client -> host "+ifc, "to "+a.String()+" (assuming the LAN routes "+n.Subnet.String()+" to the host)", lat.Internet)
	tr.hop(hostOn(n), StepHost, "host routing", "to "+br+" ("+n.Name+")", lat.HostRouting)
	if n.Internal {
		tr.rule("R7-5")
		tr.hop(hostOn(n), StepDrop, "filter DOCKER-ISOLATION-STAGE-1", fmt.Sprintf("-o %s ! -s %s -j DROP (internal network %s)", br, n.Subnet, n.Name), lat.Netfilter)
		tr.because(n.Name + " is internal: nothing from outside its subnet reaches it")
		tr.block(hostOn(n).about(te.Container), ids("R7-5"), "filter DOCKER-ISOLATION-STAGE-1 on "+br, fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -o %s ! -s %s -j DROP: internal network %s (R7-5)", br, n.Subnet, n.Name), n.Pos, "publish the port on a non-internal network and connect to host:PORT")
		return DroppedIsolation
	}
	pr := pp.Protocol
	if pp.Port == 0 {
		pr = "icmp"
	}
	p := fwPacket{in: ifc, out: br, src: client, dst: a, proto: pr, sport: clientPort, dport: pp.Port, state: "NEW"}
	rp := fwPacket{in: br, out: ifc, src: a, dst: client, proto: pr, sport: pp.Port, dport: clientPort, state: "ESTABLISHED", reply: true}
	v, ok, accepted := s.dockerUserDecide(p, &rp, "routed straight to a container address", hostOn(n).about(te.Container), tr)
	if !ok {
		return v
	}
	seen := "the remote client's own address (no NAT)"
	if accepted {
		s.bridgeHop(n, "to "+te.Container.Name, tr)
		return s.arrive(te, seen, pp, tr)
	}
	if pp.Port != 0 {
		if b := s.publishedThrough(te, pp); b != nil {
			tr.hop(hostOn(n), StepNetfilter, "filter FORWARD DOCKER", fmt.Sprintf("-d %s/32 ! -i %s -o %s -p %s --dport %d -j ACCEPT (%s publishes %d on %s)", a, br, br, pp.Protocol, pp.Port, te.Container.Name, b.HostPort, b.HostIP), lat.Netfilter)
			s.bridgeHop(n, "to "+te.Container.Name, tr)
			return s.arrive(te, seen, pp, tr)
		}
	}
	policy := "DROP"
	if s.t.Host.Rules != nil && s.t.Host.Rules.Policies["filter/FORWARD"] == "ACCEPT" {
		policy = "ACCEPT"
	}
	what := "no DOCKER rule accepts " + a.String()
	if pp.Port != 0 {
		what += " " + pp.String() + " (not a published container port)"
	}
	if policy == "ACCEPT" {
		tr.hop(hostOn(n), StepNetfilter, "filter FORWARD policy", what+": policy ACCEPT (the host's iptables-save)", lat.Netfilter)
		s.bridgeHop(n, "to "+te.Container.Name, tr)
		return s.arrive(te, seen, pp, tr)
	}
	tr.rule("R7-8")
	tr.hop(hostOn(n), StepDrop, "filter FORWARD policy", what+": policy DROP", lat.Netfilter)
	tr.because("container addresses routed from other machines pass only to published container ports (Engine before 28.0); the rest meets FORWARD's DROP policy")
	tr.block(hostOn(n).about(te.Container), ids("R7-9", "R7-8"), "filter FORWARD policy", "FORWARD policy DROP, set by Docker when it turns IP forwarding on (R7-8); DOCKER accepts only published container ports (R7-9 [VER 28.0])", te.Container.Pos, "publish the port on "+svcOf(te.Container)+" and connect to host:PORT")
	return DroppedDirectAccess
}

// publishedThrough returns a binding that publishes te's container port
// pp (the mapping lives on te, R8-7), whatever its host address.
func (s *Sim) publishedThrough(te *topology.Endpoint, pp topology.PortProto) *topology.PortBinding {
	for i := range te.Container.Ports {
		b := &te.Container.Ports[i]
		if b.Endpoint == te && b.ContainerPort == pp.Port && proto(b.Protocol) == pp.Protocol {
			return b
		}
	}
	return nil
}
