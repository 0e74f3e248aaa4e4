package sim

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Paths from the host namespace (and network_mode host containers, R7-10),
// and target resolution for sources outside any container.

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
	if cands := s.Ambiguous(q.To); c == nil && cands != nil {
		return dst{}, nil, s.invalid(tr, ambiguityError("target", q.To, cands).Error()), false
	}
	if c == nil {
		r := DNSResult{}
		s.upstream(&r, strings.ToLower(strings.TrimSuffix(q.To, ".")), 0)
		if r.External {
			return dst{internet: true, label: q.To}, nil, 0, true
		}
		if !fromHost {
			return dst{}, nil, s.invalid(tr, "unknown target "+strconv.Quote(q.To)+": not a container or service of the project"+DidYouMean(s.Suggest(q.To))), false
		}
		tr.because("the host's resolver does not know " + strconv.Quote(q.To))
		tr.block(atHost, nil, "host resolver", "container names are not in the host's DNS; "+strconv.Quote(q.To)+" is not a container or service either", topology.Position{}, "use a container or service name, or an address")
		return dst{}, nil, NameNotResolved, false
	}
	mode, view := modeOf(c)
	switch mode {
	case nsNone:
		tr.setTarget(peerOf(c))
		return dst{}, c, s.noneBlock(c, tr), false
	case nsHost:
		tr.note(c.Name + " uses network_mode host: its address is the host's")
		if fromHost {
			lo := netip.AddrFrom4([4]byte{127, 0, 0, 1})
			tr.setTarget(Peer{Kind: PeerHost, Container: c.Name, Service: c.Service, Address: lo})
			return dst{addr: lo, label: "127.0.0.1"}, c, 0, true
		}
		a, ok := s.hostAddr()
		if !ok {
			return dst{}, nil, s.invalid(tr, "the host has no non-loopback address in the model"), false
		}
		tr.setTarget(Peer{Kind: PeerHost, Container: c.Name, Service: c.Service, Address: a})
		return dst{addr: a, label: a.String()}, c, 0, true
	}
	e := view.GatewayEndpoint()
	if e == nil && len(view.Endpoints) > 0 {
		e = view.Endpoints[0]
	}
	if e == nil || !e.IPv4.IsValid() {
		tr.setTarget(peerOf(c))
		tr.because(c.Name + " has no address")
		tr.block(inCtr(c), nil, "network namespace of "+c.Name, "no endpoint", c.Pos, "attach "+svcOf(c)+" to a network")
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
	src, srcAt := "host", atHost
	if hc != nil {
		src, srcAt = hc.Name+" (host namespace)", inCtr(hc)
	}
	if tr != nil {
		tr.setTarget(s.targetPeer(d, nil))
		tr.dest = d.label
		if pp.Port != 0 && !d.internet {
			tr.dest = netip.AddrPortFrom(d.addr, pp.Port).String()
		}
	}
	if d.internet {
		tr.hop(srcAt, StepRoute, src, "host default route", lat.HostRouting)
		out := s.hostIfaceFor(s.internetClient)
		tr.hop(hostDev(out), StepWire, "host "+out, "to "+d.label, lat.Internet)
		tr.hop(atInternet, StepDeliver, d.label, "the remote side decides", 0)
		tr.note("host egress is outside Docker's rules; composenet assumes the host is online")
		return Delivered
	}
	a := d.addr
	if tr != nil && s.hasFirewall() && pp.Port != 0 {
		s.hostOutputNAT(a, pp, tr)
	}
	if a.IsLoopback() || s.isHostAddr(a) {
		tr.rule("R7-11")
		if pp.Port == 0 {
			tr.hop(srcAt.dev("lo"), StepLoopback, src, "ICMP echo to the host's own address "+a.String(), lat.Loopback)
			return Delivered
		}
		if b := s.matchBinding(a, pp); b != nil {
			te := b.b.Endpoint
			tn := te.Network
			cpp := topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}
			tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
			tr.rule("R7-6", "R8-9")
			if a.IsLoopback() && s.t.Daemon.UserlandProxy {
				tr.hop(srcAt.dev("lo"), StepLoopback, src+" -> lo", "to "+netip.AddrPortFrom(a, pp.Port).String()+" (nat OUTPUT skips 127.0.0.0/8)", lat.Loopback)
				tr.hop(atHost, StepProxy, "docker-proxy "+bindLabel(b.b), "accepts, opens a second connection "+tn.Gateway.String()+" -> "+tgt, lat.Proxy)
				s.bridgeHop(tn, "proxy connection to "+b.ctr.Name, tr)
				return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+", via docker-proxy)", cpp, tr)
			}
			seen := a.String() + " (the host address used, [INF])"
			if a.IsLoopback() {
				seen = tn.Gateway.String() + " (MASQUERADE --src-type LOCAL)"
			}
			tr.hop(hostOn(tn), StepDNAT, "nat OUTPUT DOCKER", fmt.Sprintf("DNAT %s -> %s", netip.AddrPortFrom(a, pp.Port), tgt), lat.NAT)
			tr.hop(hostOn(tn), StepHost, "host routing", "to "+bridgeName(tn), lat.HostRouting)
			s.bridgeHop(tn, "to "+b.ctr.Name, tr)
			return s.arrive(te, seen, cpp, tr)
		}
		if ok, known := s.listens(nil, pp); ok {
			tr.hop(srcAt.dev("lo"), StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(atHost, StepDeliver, "host", pp.String()+" accepted by a host-namespace listener", 0)
			return Delivered
		} else if lb := s.otherBinding(pp); lb != nil {
			tr.hop(srcAt.dev("lo"), StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(atHost, StepDeliver, "host", "nothing listens on "+netip.AddrPortFrom(a, pp.Port).String()+": RST", 0)
			v := NotPublished
			if lb.b.HostIP.IsLoopback() {
				v = LoopbackOnly
			}
			tr.because(pp.String() + " is published only on " + lb.b.HostIP.String() + ", not on " + a.String() + " (connection refused)")
			tr.block(atHost.about(lb.ctr), ids("R7-11"), "docker-proxy "+bindLabel(lb.b), "bound only to "+lb.b.HostIP.String()+" (R7-11)", lb.b.Pos,
				fmt.Sprintf("connect to %s:%d, or publish %d on 0.0.0.0", lb.b.HostIP, lb.b.HostPort, lb.b.HostPort))
			return v
		} else if known {
			tr.hop(srcAt.dev("lo"), StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
			tr.hop(atHost, StepDeliver, "host", "nothing listens: RST", 0)
			tr.because("nothing listens on " + pp.String() + " on the host")
			tr.block(atHost, ids("R7-11"), "host "+a.String(), "no published binding and no host listener (R7-11)", topology.Position{}, fmt.Sprintf("publish %d on the service that serves it", pp.Port))
			return Refused
		}
		tr.hop(srcAt.dev("lo"), StepLoopback, src, "to "+netip.AddrPortFrom(a, pp.Port).String(), lat.Loopback)
		tr.because("no container publishes " + pp.String() + "; whether a host process listens is outside the model")
		tr.block(atHost, ids("R7-11"), "host "+a.String(), "no published binding for "+pp.String()+"; host listeners not declared (R7-11)", topology.Position{}, fmt.Sprintf("publish %d on the service that serves it", pp.Port))
		return NotDockerManaged
	}
	if te := s.ipOwner[a]; te != nil {
		tn := te.Network
		if tn.GatewayMode == "isolated" {
			tr.rule("R7-5")
			tr.because(tn.Name + " uses gateway mode isolated: the bridge has no host address")
			tr.block(hostOn(tn), ids("R7-5", "R8-13"), "routing table of the host", "gateway mode isolated removes the bridge address (R7-5, R8-13)", tn.Pos, "drop gateway_mode_ipv4: isolated from "+netLabel(tn)+posSuffix(tn.Pos))
			return NoRoute
		}
		tr.rule("R7-6")
		tr.hop(srcAt.onDev(tn), StepRoute, src, "route "+tn.Subnet.String()+" dev "+bridgeName(tn)+" src "+tn.Gateway.String()+" (locally generated: no raw PREROUTING, no FORWARD)", lat.HostRouting)
		s.bridgeHop(tn, "to "+te.Container.Name, tr)
		return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+")", pp, tr)
	}
	if n := s.subnetOf(a); n != nil {
		tr.hop(srcAt.onDev(n), StepRoute, src, "route "+n.Subnet.String()+" dev "+bridgeName(n), lat.HostRouting)
		tr.because("no container holds " + a.String())
		tr.block(onBridge(n), nil, "ARP on "+bridgeName(n), "no endpoint with address "+a.String(), n.Pos, "use the address of a running container")
		return UnassignedAddress
	}
	tr.hop(srcAt, StepRoute, src, "host routing to "+a.String()+" (outside the Docker model)", lat.HostRouting)
	out := s.hostIfaceFor(a)
	tr.hop(hostDev(out), StepWire, "host "+out, "to "+a.String(), lat.LAN)
	tr.hop(atInternet, StepDeliver, a.String(), "the remote side decides", 0)
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
