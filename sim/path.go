package sim

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Helpers shared by the from-container, from-host and from-outside paths:
// hop builders, listener checks and binding lookups.

// srcPos is the position of c's first network attachment, else of c.
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

// attachFix is the fix "attach SERVICE to network N": N by its compose
// key, or, when another project of the host created it (topology.Merge,
// Network.Project), by its engine name and how the service's project
// joins it (external: true, R2-5).
func attachFix(svc, project string, n *topology.Network, at topology.Position) string {
	if n.Project != "" && project != "" && project != n.Project {
		return "attach " + svc + " to network " + n.Name + ", which project " + n.Project + " creates (key " + n.Key + "): name it with external: true in project " + project + posSuffix(at)
	}
	return "attach " + svc + " to network " + netLabel(n) + posSuffix(at)
}

func svcOf(c *topology.Container) string {
	if c.Service != "" {
		return c.Service
	}
	return c.Name
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
	tr.hop(inCtr(view).via(e.Network, ifn), StepRoute, view.Name, "route: "+route+" dev "+ifn+", src "+e.IPv4.String(), 0)
	tr.hop(inCtr(view).via(e.Network, ifn), StepVeth, view.Name+" "+ifn+" -> veth", "veth pair into the host namespace", lat.Veth)
	s.bridgeHop(e.Network, bridge, tr)
}

func (s *Sim) bridgeHop(n *topology.Network, detail string, tr *tracer) {
	if tr == nil {
		return
	}
	tr.hop(onBridge(n), StepBridge, bridgeName(n), n.Name+" "+n.Subnet.String()+": "+detail, s.t.Latency.Bridge+n.Latency)
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
	tr.hop(inCtr(t).via(te.Network, ifName(t, te)), StepVeth, "veth -> "+t.Name+" "+ifName(t, te), "into "+t.Name+"'s namespace", lat.Veth)
	return s.deliver(o, t, pp, tr, "source seen: "+seenSrc)
}

// deliver checks the destination namespace's listeners (x-composenet.listen).
func (s *Sim) deliver(o, t *topology.Container, pp topology.PortProto, tr *tracer, seen string) Verdict {
	node := t.Name
	if pp.Port == 0 {
		tr.hop(inCtr(t), StepDeliver, node, joinDetail("ICMP echo answered by the kernel", seen), 0)
		return Delivered
	}
	ok, known := s.listens(o, pp)
	switch {
	case ok:
		tr.hop(inCtr(t), StepDeliver, node, joinDetail(pp.String()+" accepted (declared listener)", seen), 0)
	case known:
		tr.rule("R10-5")
		tr.hop(inCtr(t), StepDeliver, node, joinDetail("nothing listens on "+pp.String()+": RST", seen), 0)
		tr.because(t.Name + " does not listen on " + pp.String())
		ls := s.listenList(o)
		tr.block(inCtr(t), nil, "socket layer of "+t.Name, "no listener on "+pp.String()+"; declared listeners: "+ls+" (x-composenet.listen)", t.Pos,
			"make "+svcOf(t)+" listen on "+pp.String()+", or use one of its listeners ("+ls+")"+posSuffix(t.Pos))
		return Refused
	default:
		tr.note(t.Name + " declares no listeners (x-composenet.listen): composenet assumes something listens on " + pp.String())
		tr.hop(inCtr(t), StepDeliver, node, joinDetail(pp.String()+" delivered (listener assumed)", seen), 0)
	}
	members := s.members[o]
	for _, m := range members {
		if m.Processing > 0 && (m == t || hasPort(m.Listen, pp)) {
			tr.hop(inCtr(m), StepProcess, m.Name, "processing (x-composenet.processing)", m.Processing)
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
