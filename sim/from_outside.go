package sim

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/composenet/composenet/topology"
)

// Paths from a machine outside the host (R7-9, P4).

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
		tr.setTarget(s.targetPeer(d, nil))
		tr.dest = d.label
		if pp.Port != 0 {
			tr.dest = netip.AddrPortFrom(a, pp.Port).String()
		}
	}
	if a.IsLoopback() {
		return s.invalid(tr, "a loopback address from a remote machine is that machine itself; use host:PORT")
	}
	tr.rule("R7-9", "R7-11")
	client := s.clientAddr(q.From)
	if s.internetOnLink && client == s.internetClient {
		tr.note("every stand-in internet address (203.0.113.7, 198.51.100.7, 192.0.2.7) is inside a host or Docker prefix; " + client.String() + " is used and firewall matches treat it as on that link (R7-26)")
	}
	if s.hostIPs[a] {
		in := s.hostIfaceFor(a)
		tr.hop(atInternet.dev(in), StepWire, "remote client -> host "+in, "to "+d.label, lat.Internet)
		if pp.Port == 0 {
			tr.hop(atHost, StepDeliver, "host "+a.String(), "ICMP echo answered by the host kernel", 0)
			return Delivered
		}
		tr.hop(atHost, StepNetfilter, "raw PREROUTING", "no match (destination is a host address)", lat.Netfilter)
		if b := s.matchBinding(a, pp); b != nil && !b.b.HostIP.IsLoopback() && s.hasFirewall() {
			// The operator's raw and nat PREROUTING rules see the packet
			// before DNAT (R7-28, R7-29).
			pre := fwPacket{in: s.hostIfaceFor(a), src: client, dst: a, proto: pp.Protocol, sport: clientPort, dport: pp.Port, state: "NEW"}
			if v, ok := s.hostPre(pre, true, "inbound to published port "+pp.String(), hostOn(b.b.Endpoint.Network).about(b.ctr), tr); !ok {
				return v
			}
		}
		if b := s.matchBinding(a, pp); b != nil && !b.b.HostIP.IsLoopback() {
			te := b.b.Endpoint
			tn := te.Network
			tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
			tr.rule("R8-9")
			tr.hop(hostOn(tn), StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s -> %s", netip.AddrPortFrom(a, pp.Port), tgt), lat.NAT)
			if s.hasFirewall() {
				ifc := s.hostIfaceFor(a)
				cport := b.b.ContainerPort
				p := fwPacket{in: ifc, out: bridgeName(tn), src: client, dst: te.IPv4, proto: pp.Protocol, sport: clientPort, dport: cport,
					state: "NEW", origDst: a, origDPort: pp.Port, dnat: true}
				rp := fwPacket{in: bridgeName(tn), out: ifc, src: te.IPv4, dst: client, proto: pp.Protocol, sport: cport, dport: clientPort,
					state: "ESTABLISHED", reply: true, origDst: a, origDPort: pp.Port, dnat: true}
				what := "inbound to published port " + pp.String()
				if v, ok := s.dockerUser(p, &rp, what, hostOn(tn).about(b.ctr), tr); !ok {
					return v
				}
				if v, ok := s.rawReply(rp, what, hostOn(tn).about(b.ctr), tr); !ok {
					return v
				}
				post := p
				post.out = bridgeName(tn)
				s.natRewrites("POSTROUTING", post, nil, what, tr)
				s.inputMisses(pp.Port, pp.Protocol, tr)
			}
			tr.hop(hostOn(tn), StepNetfilter, "filter FORWARD DOCKER-FORWARD", "DOCKER-CT: new, no match; ISOLATION-STAGE-1: no match; DOCKER-BRIDGE -> DOCKER: -d "+te.IPv4.String()+"/32 ! -i "+bridgeName(tn)+" -o "+bridgeName(tn)+" -p "+pp.Protocol+" --dport "+strconv.Itoa(int(b.b.ContainerPort))+" -j ACCEPT", lat.Netfilter)
			s.bridgeHop(tn, "to "+b.ctr.Name, tr)
			return s.arrive(te, "the remote client's own address (DNAT keeps it)", topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}, tr)
		}
		if ok, _ := s.listens(nil, pp); ok {
			if s.hasFirewall() {
				p := fwPacket{in: s.hostIfaceFor(client), src: client, dst: a, proto: pp.Protocol, sport: clientPort, dport: pp.Port, state: "NEW"}
				if v, ok := s.hostPre(p, false, "to host listener "+pp.String(), atHost, tr); !ok {
					return v
				}
				if v, ok := s.hostInput(p, "to host listener "+pp.String(), tr); !ok {
					return v
				}
			}
			if s.t.Host.Firewall {
				tr.hop(atHost, StepDrop, "filter INPUT (host firewall)", "DROP", lat.Netfilter)
				tr.because("a host service behind the host's INPUT firewall")
				tr.block(atHost, ids("R7-7", "R7-11"), "filter INPUT (host firewall)", "the host filters INPUT (R7-7, R7-11)", topology.Position{}, fmt.Sprintf("allow %d/%s in the host firewall", pp.Port, pp.Protocol))
				return HostFirewall
			}
			tr.hop(atHost, StepNetfilter, "filter INPUT", "ACCEPT", lat.Netfilter)
			tr.hop(atHost, StepDeliver, "host "+a.String(), pp.String()+" accepted by a host-namespace listener", 0)
			return Delivered
		}
		if lb := s.otherBinding(pp); lb != nil {
			v := NotPublished
			rule := "the binding is on " + lb.b.HostIP.String() + " only; nat DOCKER DNAT carries -d " + lb.b.HostIP.String() + " (R7-11)"
			ruleIDs := ids("R7-11")
			detail := "no binding of " + pp.String() + " on " + a.String()
			if lb.b.HostIP.IsLoopback() {
				// R7-9: DNAT and docker-proxy exist for 127.0.0.1 only, so
				// nothing listens on a: the kernel resets. (The raw-table
				// DROP for 127.0.0.1 applies only to packets addressed to
				// 127.0.0.1, not to this one.)
				v, ruleIDs = LoopbackOnly, ids("R7-9")
				rule = fmt.Sprintf("the binding is on %s only: nat DOCKER DNAT carries -d %s and docker-proxy listens there, so nothing listens on %s:%d and the kernel answers RST (R7-9)", lb.b.HostIP, lb.b.HostIP, a, pp.Port)
				detail = "nothing listens on " + netip.AddrPortFrom(a, pp.Port).String() + ": RST"
			}
			tr.hopKind(atHost, HopDeliver, StepDrop, "host "+a.String(), detail, 0)
			tr.because(pp.String() + " is published by " + lb.ctr.Name + " only on " + lb.b.HostIP.String())
			tr.block(atHost.about(lb.ctr), ruleIDs, "port binding of "+lb.ctr.Name, rule, lb.b.Pos, fmt.Sprintf("publish %d on 0.0.0.0 (ports: [\"%d:%d\"])", lb.b.HostPort, lb.b.HostPort, lb.b.ContainerPort))
			return v
		}
		tr.hopKind(atHost, HopDeliver, StepDrop, "host "+a.String(), "no published binding of "+pp.String(), 0)
		tr.because("no container publishes " + pp.String() + " on " + a.String())
		fix := fmt.Sprintf("publish %d on the service that serves it (ports: [\"%d:%d\"])", pp.Port, pp.Port, pp.Port)
		pos := topology.Position{}
		lc := s.listenerFor(pp)
		if c := lc; c != nil {
			fix = fmt.Sprintf("publish %d on %s (ports: [\"%d:%d\"])%s", pp.Port, svcOf(c), pp.Port, pp.Port, posSuffix(c.Pos))
			pos = c.Pos
		}
		tr.block(atHost.about(lc), ids("R7-9"), "host "+a.String(), "no nat DOCKER DNAT rule for "+pp.String()+" (R7-9)", pos, fix)
		return NotPublished
	}
	// Straight at a Docker address.
	n := s.subnetOf(a)
	if te := s.ipOwner[a]; te != nil {
		n = te.Network
		if n.GatewayMode == "nat-unprotected" || n.GatewayMode == "routed" {
			tr.rule("R8-13")
			tr.note("gateway mode " + n.GatewayMode + ": no direct-access filter; assumes the LAN routes " + n.Subnet.String() + " to the host")
			in := s.hostIfaceFor(client)
			tr.hop(atInternet.dev(in), StepWire, "remote client -> host "+in, "to "+a.String()+" (routed)", lat.Internet)
			tr.hop(hostOn(n), StepHost, "host routing", "to "+bridgeName(n), lat.HostRouting)
			s.bridgeHop(n, "to "+te.Container.Name, tr)
			return s.arrive(te, "the remote client's own address", pp, tr)
		}
		if s.directRoutingOpen() {
			return s.directRouted(te, a, client, pp, tr)
		}
		in := s.hostIfaceFor(client)
		tr.hop(atInternet.dev(in), StepWire, "remote client -> host "+in, "to "+a.String()+" (assuming the LAN routes it to the host)", lat.Internet)
		tr.hop(hostOn(n), StepDrop, "raw PREROUTING", fmt.Sprintf("-d %s/32 ! -i %s -j DROP", a, bridgeName(n)), lat.Netfilter)
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
		tr.block(hostOn(n).about(te.Container), ids("R7-9"), "raw PREROUTING", fmt.Sprintf("raw PREROUTING -d %s/32 ! -i %s -j DROP: direct-access filter (R7-9, Engine 28.0.2+)", a, bridgeName(n)), te.Container.Pos, fix)
		return DroppedDirectAccess
	}
	if n != nil {
		tr.hop(atInternet, StepWire, "remote client", "to "+a.String(), lat.Internet)
		tr.because(a.String() + " is a Docker-internal address; other machines have no route to it")
		tr.block(atInternet.netName(n.Name), ids("R7-9"), "LAN routing", "Docker subnets are not routed from other machines (R7-9)", n.Pos, "connect to a published port on a host address")
		return DroppedDirectAccess
	}
	return s.invalid(tr, a.String()+" is neither a host address nor a Docker address")
}

// clientAddr is the remote client's address: FROM when it is an address,
// else the stand-in internet client (R7-20).
func (s *Sim) clientAddr(from string) netip.Addr {
	if a, err := netip.ParseAddr(from); err == nil {
		return a.Unmap()
	}
	return s.internetClient
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
