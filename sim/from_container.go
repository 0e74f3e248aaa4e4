package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Paths from a container namespace with endpoints (R7-1 to R7-8, R7-11)
// and from network_mode none (R7-10).

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
	if strings.Contains(q.To, "/") {
		// Several projects: project/service is composenet's name for a
		// service, not a DNS name; a client would ask for the container's
		// name, which Docker registers on each of its networks (R6-3).
		if cands := s.Ambiguous(q.To); cands != nil {
			return dst{}, s.invalid(tr, ambiguityError("target", q.To, cands).Error()), false
		}
		if t := s.findContainer(q.To); t != nil {
			tr.note(q.To + " is asked for by its container name " + t.Name + " (registered in DNS on each of its networks, R6-3)")
			q.To = t.Name
		}
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
		tr.hop(inCtr(c).netName(r.NetworkName), StepDNS, node, detail, r.latency)
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
		fix := "no service, container, alias or hostname " + strconv.Quote(q.To) + " exists in the project: check the name" + s.didYouMean(q.To)
		if sv := s.t.Service(name); sv != nil && len(sv.Containers) == 0 {
			// topology.Stopped keeps the service and removes its containers.
			fix = q.To + " has no running container: stopped by this what-if"
			if sv.Replicas == 0 {
				fix = q.To + " has no running container: its scale is 0"
			}
		} else if in := s.t.InactiveService(name); in != nil {
			// R1-10: a service of a profile that is not enabled.
			fix = q.To + " is in profile " + strings.Join(in.Profiles, ", ") + ", which is not active: add --profile " + in.Profiles[0]
		}
		rule, ruleIDs := "R6-9: unknown names are forwarded upstream, which answers "+r.Rcode, ids("R6-9")
		if r.Rcode == RcodeServFail && view != nil && !hasExternalAccess(view) {
			rule, ruleIDs = "R6-11: internal-only containers get SERVFAIL for names Docker does not know", ids("R6-11")
		}
		tr.block(inCtr(c), ruleIDs, component, rule, c.Pos, fix)
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
	rule, ruleIDs := "R6-7: "+q.To+" is registered only on network "+n.Name+", which "+c.Name+" does not join", ids("R6-7")
	if s.isBridge0(n) {
		rule, ruleIDs = "R6-16: the default bridge has no embedded DNS", ids("R6-16")
	}
	if r.Rcode == RcodeServFail {
		rule += "; R6-11: internal-only, unknown names get SERVFAIL"
		ruleIDs = append(ruleIDs, "R6-11")
	}
	tr.block(inCtr(c).netName(n.Name), ruleIDs, component, rule, srcPos(c), attachFix(svc, c.Project, n, n.Pos))
	// What would still block by address?
	sub := &tracer{lat: s.t.Latency}
	pp := topology.PortProto{Port: q.Port, Protocol: proto(q.Protocol)}
	if view != nil {
		if v := s.containerTo(c, view, dst{addr: found.IPv4, label: found.IPv4.String()}, pp, sub); v != Delivered {
			for _, b := range sub.blockers {
				tr.addBlocker(b)
			}
			tr.note("even by address (" + found.IPv4.String() + ") the flow would be " + v.String())
		}
	}
}

// containerTo is R7-11 for a source namespace with endpoints (view).
func (s *Sim) containerTo(c, view *topology.Container, d dst, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	if tr != nil {
		tr.target = s.targetPeer(d, view)
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
			tr.hop(inCtr(view).dev("lo"), StepLoopback, view.Name+" lo", "destination "+a.String()+" is local to "+view.Name+"'s namespace", lat.Loopback)
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
						tr.hop(hostOn(n), StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s:%d (%s publishes it)", a, pp.Port, t.IPv4, b.b.ContainerPort, b.ctr.Name), lat.NAT)
						tr.hop(hostOn(n), StepDrop, "filter DOCKER-ISOLATION-STAGE-1", fmt.Sprintf("-i %s ! -d %s -j DROP (internal network %s)", bridgeName(n), n.Subnet, n.Name), lat.Netfilter)
						tr.because("DNATed to " + b.ctr.Name + " and dropped: " + n.Name + " is internal")
						tr.block(hostOn(n), ids("R7-5", "R7-11"), "filter DOCKER-ISOLATION-STAGE-1 on "+bridgeName(n), fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -i %s ! -d %s -j DROP: internal network %s lets nothing leave its subnet (R7-5, R7-11)", bridgeName(n), n.Subnet, n.Name), n.Pos,
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
					tr.hop(inCtr(view).via(n, ifName(view, e)), StepRoute, view.Name+" "+ifName(view, e), "on-link "+n.Subnet.String()+", but no container holds "+a.String()+": ARP gets no answer", 0)
					tr.because("no container holds " + a.String() + " on " + n.Name)
					tr.block(onBridge(n), nil, "ARP on "+bridgeName(n), "no endpoint with address "+a.String()+" on "+n.Name, n.Pos, "use the address of a running container (see composenet dns)")
					return UnassignedAddress
				}
				continue
			}
			if s.hasFirewall() {
				if !s.brNetfilter() {
					tr.rule("R7-20")
					tr.note("DOCKER-USER does not see this flow: frames between containers on one bridge are switched, not routed, and br_netfilter is not active (R7-20)")
				} else {
					pr := pp.Protocol
					if pp.Port == 0 {
						pr = "icmp"
					}
					p := fwPacket{in: bridgeName(n), out: bridgeName(n), src: e.IPv4, dst: a, proto: pr, sport: clientPort, dport: pp.Port, state: "NEW"}
					rp := fwPacket{in: bridgeName(n), out: bridgeName(n), src: a, dst: e.IPv4, proto: pr, sport: pp.Port, dport: clientPort, state: "ESTABLISHED", reply: true}
					what := "same bridge, seen because br_netfilter is active"
					if v, ok := s.hostPre(p, false, what, hostOn(n).about(te.Container), tr); !ok {
						return v
					}
					v, ok, accepted := s.dockerUserDecide(p, &rp, what, hostOn(n).about(te.Container), tr)
					if !ok {
						return v
					}
					if v, ok := s.rawReply(rp, what, hostOn(n).about(te.Container), tr); !ok {
						return v
					}
					if accepted && !s.icc(n) {
						s.srcHopsTo(view, e, "on-link "+n.Subnet.String(), "frame for "+te.Container.Name+" ("+a.String()+"), accepted by DOCKER-USER before the icc rule", tr)
						return s.arrive(te, view.Name+" "+e.IPv4.String(), pp, tr)
					}
				}
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
				tr.hop(hostOn(n), StepDrop, "filter DOCKER-FORWARD", fmt.Sprintf("-i %s -o %s -j DROP (icc off)", bridgeName(n), bridgeName(n)), lat.Netfilter)
				tr.because("icc is off on " + n.Name + ": containers on it cannot talk directly")
				tr.block(hostOn(n), ids("R7-4"), "filter DOCKER-FORWARD on "+bridgeName(n), fmt.Sprintf("DOCKER-FORWARD -i %s -o %s -j DROP: enable_icc is false on %s (R7-4)", bridgeName(n), bridgeName(n), n.Name), n.Pos,
					"remove com.docker.network.bridge.enable_icc: \"false\" from "+netLabel(n)+posSuffix(n.Pos)+", or publish the port and connect through a host address")
				return DroppedICC
			}
			tr.rule("R7-1")
			s.srcHopsTo(view, e, "on-link "+n.Subnet.String(), "L2 forward by FDB to "+te.Container.Name+"'s veth (same network, no NAT)", tr)
			return s.arrive(te, view.Name+" "+e.IPv4.String(), pp, tr)
		}
	}
	// No default route when every network is internal (R5-4, R7-5, P10);
	// before Engine 25.0 there is one (R5-4 [VER 25.0], engine.go).
	gw := view.GatewayEndpoint()
	if gw == nil && len(view.Endpoints) > 0 && s.internalDefaultRoute() {
		return s.internalRoute(view, view.Endpoints[0], d, pp, tr)
	}
	if gw == nil {
		tr.rule("R5-4", "R7-5")
		target := d.label
		tr.hop(inCtr(view), StepRoute, view.Name, "no default route (every network is internal): connect() to "+target+" fails with ENETUNREACH", 0)
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
		tr.block(inCtr(view), ids("R5-4", "R7-5"), "routing table of "+view.Name, "no default route: internal networks provide no gateway (R5-4, R7-5)", pos, fix)
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
		tr.hop(hostOn(tn), StepHost, "host routing", a.String()+" is on "+bridgeName(tn)+" ("+tn.Name+")", lat.HostRouting)
		tr.rule("R7-2")
		var chain, rule string
		ruleIDs := ids("R7-2")
		switch {
		case tn.Internal:
			ruleIDs = ids("R7-5")
			chain = "filter DOCKER-ISOLATION-STAGE-1"
			rule = fmt.Sprintf("-o %s ! -s %s -j DROP: internal network %s admits nothing from outside its subnet (R7-5)", bridgeName(tn), tn.Subnet, tn.Name)
		case tn.GatewayMode == "nat-unprotected" || tn.GatewayMode == "routed":
			chain = "filter DOCKER-ISOLATION-STAGE-2"
			rule = fmt.Sprintf("-o %s -j DROP: traffic between Docker networks is dropped (R7-2)", bridgeName(tn))
		default:
			chain = "raw PREROUTING"
			rule = fmt.Sprintf("-d %s/32 ! -i %s -j DROP: direct-access filter; DOCKER-ISOLATION-STAGE-2 -o %s -j DROP would drop it too (R7-2)", a, bridgeName(tn), bridgeName(tn))
		}
		tr.hop(hostOn(tn), StepDrop, chain, "DROP (silent: the client times out)", lat.Netfilter)
		tr.because(view.Name + " and " + te.Container.Name + " share no network: silently dropped (timeout)")
		fixPos := tn.Pos
		tr.block(hostOn(tn), ruleIDs, chain, chain+" "+rule, srcPos(view), attachFix(svcOf(view), view.Project, tn, fixPos))
		return DroppedIsolation
	}
	if n := s.subnetOf(a); n != nil && !s.isHostAddr(a) {
		s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
		tr.rule("R7-2")
		tr.hop(hostOn(n), StepDrop, "filter DOCKER-ISOLATION-STAGE-2", "-o "+bridgeName(n)+" -j DROP (no container holds "+a.String()+" anyway)", lat.Netfilter)
		tr.because(a.String() + " is on another Docker network (" + n.Name + ") and no container holds it")
		tr.block(hostOn(n), ids("R7-2"), "filter DOCKER-ISOLATION-STAGE-2", "DOCKER-ISOLATION-STAGE-2 -o "+bridgeName(n)+" -j DROP (R7-2)", n.Pos, "use the address of a running container on a network "+svcOf(view)+" joins")
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

func (s *Sim) ownAddr(view *topology.Container, a netip.Addr) bool {
	for _, e := range view.Endpoints {
		if e.IPv4 == a {
			return true
		}
	}
	return false
}

// ingress network, hairpin DNAT on the same network, else isolation drop.
func (s *Sim) viaHostAddress(view *topology.Container, in *topology.Network, a netip.Addr, b *binding, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	te := b.b.Endpoint
	tn := te.Network
	tgt := fmt.Sprintf("%s:%d", te.IPv4, b.b.ContainerPort)
	cpp := topology.PortProto{Port: b.b.ContainerPort, Protocol: pp.Protocol}
	proxied := s.t.Daemon.UserlandProxy && s.masq(in)
	// What the host firewall sees of it (R7-28, R7-29, R7-30).
	var fp, frp fwPacket
	what := "to published port " + pp.String() + " through a host address"
	if src := endpointOn(view, in); src != nil && s.hasFirewall() {
		pre := fwPacket{in: bridgeName(in), src: src.IPv4, dst: a, proto: pp.Protocol, sport: clientPort, dport: pp.Port, state: "NEW"}
		if v, ok := s.hostPre(pre, !proxied, what, hostOn(in).about(b.ctr), tr); !ok {
			return v
		}
		fp = fwPacket{in: bridgeName(in), out: bridgeName(tn), src: src.IPv4, dst: te.IPv4, proto: pp.Protocol, sport: clientPort, dport: b.b.ContainerPort,
			state: "NEW", origDst: a, origDPort: pp.Port, dnat: true}
		frp = fwPacket{in: bridgeName(tn), out: bridgeName(in), src: te.IPv4, dst: src.IPv4, proto: pp.Protocol, sport: b.b.ContainerPort, dport: clientPort,
			state: "ESTABLISHED", reply: true, origDst: a, origDPort: pp.Port, dnat: true}
	}
	switch {
	case proxied:
		tr.rule("R7-3", "R8-9")
		tr.hop(hostOn(in), StepNetfilter, "nat PREROUTING DOCKER", "-i "+bridgeName(in)+" -j RETURN (no DNAT for traffic from a bridge: the proxy serves it)", lat.Netfilter)
		if s.t.Host.Firewall {
			tr.hop(atHost, StepDrop, "filter INPUT (host firewall)", "the host's INPUT policy drops "+pp.String(), lat.Netfilter)
			tr.because("the host firewall filters INPUT, where docker-proxy listens")
			tr.block(atHost.about(b.ctr), ids("R7-3", "R7-7"), "filter INPUT (host firewall)", "docker-proxy for "+pp.String()+" listens in the host namespace; the host's INPUT rules drop the connection (R7-3, R7-7)", b.b.Pos,
				fmt.Sprintf("allow %d/%s in the host firewall (e.g. ufw allow %d/%s)", pp.Port, pp.Protocol, pp.Port, pp.Protocol))
			return HostFirewall
		}
		tr.hop(atHost, StepNetfilter, "filter INPUT", "ACCEPT (Docker adds no INPUT rules; no host firewall)", lat.Netfilter)
		tr.hop(atHost, StepProxy, "docker-proxy "+bindLabel(b.b), "accepts, opens a second connection "+tn.Gateway.String()+" -> "+tgt, lat.Proxy)
		s.bridgeHop(tn, "proxy connection to "+b.ctr.Name, tr)
		s.udpProxyReplySource(in, a, b, pp, tr) // R8-9 [VER 28.0], engine.go
		return s.arrive(te, tn.Gateway.String()+" (gateway of "+tn.Name+", via docker-proxy)", cpp, tr)
	case tn == in:
		tr.rule("R8-9")
		tr.hop(hostOn(in), StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s (hairpin, userland proxy off)", a, pp.Port, tgt), lat.NAT)
		if fp.in != "" {
			// R7-30: routed after DNAT, so FORWARD and DOCKER-USER see
			// it; the reply is bridged, seen only under br_netfilter.
			tr.rule("R7-30")
			var rp *fwPacket
			if s.brNetfilter() {
				rp = &frp
			}
			if v, ok := s.dockerUser(fp, rp, what+" (hairpin after DNAT, userland proxy off)", hostOn(in).about(b.ctr), tr); !ok {
				return v
			}
		}
		tr.hop(hostOn(in), StepNetfilter, "filter DOCKER-FORWARD", "-i "+bridgeName(in)+" -j ACCEPT", lat.Netfilter)
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
		tr.hop(hostOn(in), StepDNAT, "nat PREROUTING DOCKER", fmt.Sprintf("DNAT %s:%d -> %s", a, pp.Port, tgt), lat.NAT)
		if fp.in != "" {
			// R7-30: DOCKER-USER comes before Docker's isolation chains;
			// an ACCEPT there lets the connection through (R7-21), the
			// replies pass DOCKER-CT.
			tr.rule("R7-30")
			v, ok, accepted := s.dockerUserDecide(fp, &frp, what+" (forwarded to another network after DNAT)", hostOn(tn).about(b.ctr), tr)
			if !ok {
				return v
			}
			if accepted {
				tr.note("DOCKER-USER accepts it before DOCKER-ISOLATION-STAGE-1/2, which would drop it: the accept opens a path between Docker networks (R7-21, R7-30)")
				s.bridgeHop(tn, "to "+b.ctr.Name, tr)
				return s.arrive(te, view.Name+"'s address (DNAT, no proxy)", cpp, tr)
			}
		}
		tr.hop(hostOn(tn), StepDrop, "filter DOCKER-ISOLATION-STAGE-2", "-o "+bridgeName(tn)+" -j DROP (silent)", lat.Netfilter)
		tr.because("published port reached across networks without docker-proxy: " + why)
		tr.block(hostOn(tn).about(b.ctr), ids("R7-3"), "filter DOCKER-ISOLATION-STAGE-2", fmt.Sprintf("DOCKER-ISOLATION-STAGE-1 -i %s ! -o %s -j DOCKER-ISOLATION-STAGE-2, then DOCKER-ISOLATION-STAGE-2 -o %s -j DROP after DNAT: %s (R7-3, moby#38784)", bridgeName(in), bridgeName(in), bridgeName(tn), why), b.b.Pos, fix)
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
		tr.hop(atHost, StepDeliver, "host "+a.String(), "ICMP echo answered by the host kernel", 0)
		return Delivered
	}
	if src := endpointOn(view, in); src != nil && s.hasFirewall() {
		p := fwPacket{in: bridgeName(in), src: src.IPv4, dst: a, proto: pp.Protocol, sport: clientPort, dport: pp.Port, state: "NEW"}
		if v, ok := s.hostPre(p, false, "to the host's "+pp.String(), atHost, tr); !ok {
			return v
		}
	}
	if s.t.Host.Firewall {
		tr.hop(atHost, StepDrop, "filter INPUT (host firewall)", "the host's INPUT policy drops "+pp.String(), lat.Netfilter)
		tr.because("a host service behind the host's own INPUT firewall")
		tr.block(atHost, ids("R7-7"), "filter INPUT (host firewall)", "the host filters INPUT; Docker adds no INPUT rules (R7-7)", topology.Position{},
			fmt.Sprintf("allow %d/%s from %s in the host firewall", pp.Port, pp.Protocol, in.Subnet))
		return HostFirewall
	}
	tr.hop(atHost, StepNetfilter, "filter INPUT", "ACCEPT (no host firewall)", lat.Netfilter)
	if lb := s.otherBinding(pp); lb != nil && lb.b.HostIP.IsLoopback() {
		tr.hop(atHost, StepDeliver, "host "+a.String(), "nothing listens on "+pp.String()+" here: RST", 0)
		tr.because(pp.String() + " is published only on " + lb.b.HostIP.String() + ", which is the host's loopback, not " + a.String())
		tr.block(atHost.about(lb.ctr), ids("R7-7"), "docker-proxy "+bindLabel(lb.b), "published on loopback only: a container's 127.0.0.1 is its own (R7-7, M29)", lb.b.Pos,
			fmt.Sprintf("publish %d on 0.0.0.0 (ports: [\"%d:%d\"])", lb.b.HostPort, lb.b.HostPort, lb.b.ContainerPort))
		return LoopbackOnly
	}
	ok, known := s.listens(nil, pp)
	switch {
	case ok:
		tr.hop(atHost, StepDeliver, "host "+a.String(), pp.String()+" accepted by a host process", 0)
		return Delivered
	case known:
		tr.hop(atHost, StepDeliver, "host "+a.String(), "nothing listens on "+pp.String()+": RST", 0)
		tr.because("no host process listens on " + pp.String() + " and no container publishes it")
		tr.block(atHost, nil, "host "+a.String(), "no published port and no host listener for "+pp.String(), topology.Position{},
			fmt.Sprintf("publish %d on the service that serves it, or start a host process on it", pp.Port))
		return Refused
	}
	tr.hop(atHost, StepDeliver, "host "+a.String(), "reaches the host's own stack: a host service, if any, answers", 0)
	tr.because("no container publishes " + pp.String() + "; the flow ends at the host itself, outside Docker's rules")
	tr.block(atHost, ids("R7-7"), "filter INPUT", "no published binding for "+pp.String()+" on "+a.String()+"; host listeners are not declared (R7-7)", topology.Position{},
		fmt.Sprintf("publish %d on the service that serves it, or declare the host's listeners in the host description", pp.Port))
	return NotDockerManaged
}

// egress: container -> off-host (R7-8, P3).
func (s *Sim) egress(view *topology.Container, gw *topology.Endpoint, d dst, pp topology.PortProto, tr *tracer) Verdict {
	lat := s.t.Latency
	gn := gw.Network
	s.srcHops(view, gw, "default route via "+gn.Gateway.String()+" ("+gn.Name+")", tr)
	remote := s.internetClient
	if d.addr.IsValid() {
		remote = d.addr
	}
	ifc := s.hostIfaceFor(remote)
	route := "via the host's default route"
	if d.addr.IsValid() {
		route = s.hostRouteTo(remote, ifc)
	}
	tr.hop(atHost, StepHost, "host routing", "forward to "+d.label+" "+route, lat.HostRouting)
	if s.hasFirewall() {
		pr := pp.Protocol
		if pp.Port == 0 {
			pr = "icmp"
		}
		p := fwPacket{in: bridgeName(gn), out: ifc, src: gw.IPv4, dst: remote, proto: pr, sport: clientPort, dport: pp.Port, state: "NEW"}
		rp := fwPacket{in: ifc, out: bridgeName(gn), src: remote, dst: gw.IPv4, proto: pr, sport: pp.Port, dport: clientPort, state: "ESTABLISHED", reply: true}
		w := hostOn(gn).about(view)
		if v, ok := s.hostPre(p, false, "container egress", w, tr); !ok {
			return v
		}
		if v, ok := s.dockerUser(p, &rp, "container egress", w, tr); !ok {
			return v
		}
		// raw sees the reply before conntrack undoes the masquerade: its
		// destination is the host's egress address (R7-28).
		rawRp := rp
		if a, ok := s.hostAddr(); ok && s.masq(gn) {
			rawRp.dst = a
		}
		if v, ok := s.rawReply(rawRp, "container egress", w, tr); !ok {
			return v
		}
		s.natRewrites("POSTROUTING", p, s.dockerMasq(p), "container egress", tr)
	}
	tr.hop(hostOn(gn), StepNetfilter, "filter DOCKER-FORWARD", "-i "+bridgeName(gn)+" -j ACCEPT", lat.Netfilter)
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
		tr.hop(hostDev(ifc), StepWire, "host "+ifc, "leaves with source "+gw.IPv4.String()+" (no MASQUERADE): replies need a route back", lat.Internet)
		tr.because("no masquerade: " + why)
		tr.block(hostOn(gn), ids("R7-8"), "nat POSTROUTING", "nat POSTROUTING has no MASQUERADE -s "+gn.Subnet.String()+" ! -o "+bridgeName(gn)+": "+why+" (R7-8)", gn.Pos, fix)
		return NoMasquerade
	}
	tr.rule("R7-8")
	egressIP := "the host's egress address"
	if a, ok := s.hostAddr(); ok {
		egressIP = a.String()
	}
	tr.hop(hostOn(gn), StepSNAT, "nat POSTROUTING", "MASQUERADE -s "+gn.Subnet.String()+" ! -o "+bridgeName(gn)+": "+gw.IPv4.String()+" -> "+egressIP, lat.NAT)
	tr.hop(hostDev(ifc), StepWire, "host "+ifc, "to "+d.label, lat.Internet)
	if pp.Port == 0 {
		tr.hop(atInternet, StepDeliver, d.label, "ICMP echo (if the remote answers)", 0)
	} else {
		tr.hop(atInternet, StepDeliver, d.label, pp.String()+" (the remote side decides)", 0)
	}
	return Delivered
}

// network_mode none (R7-10).

func (s *Sim) fromNone(c *topology.Container, q Query, pp topology.PortProto, tr *tracer) Verdict {
	tr.rule("R7-10")
	to := strings.ToLower(q.To)
	a, err := netip.ParseAddr(q.To)
	if to == Localhost || err == nil && a.IsLoopback() {
		tr.setTarget(Peer{Kind: PeerContainer, Container: c.Name, Service: c.Service, Address: netip.AddrFrom4([4]byte{127, 0, 0, 1})})
		tr.hop(inCtr(c).dev("lo"), StepLoopback, c.Name+" lo", "loopback only (network_mode none)", s.t.Latency.Loopback)
		return s.deliver(c, c, pp, tr, "")
	}
	if err != nil && to != Host && to != Internet {
		r := s.Resolve(c, q.To)
		if tr != nil {
			tr.dns = &r
		}
		if r.Resolved() && r.Answers[0].IP.IsLoopback() {
			tr.setTarget(Peer{Kind: PeerContainer, Container: c.Name, Service: c.Service, Address: r.Answers[0].IP})
			tr.hop(inCtr(c).dev("lo"), StepLoopback, c.Name+" lo", "loopback only (network_mode none)", s.t.Latency.Loopback)
			return s.deliver(c, c, pp, tr, "")
		}
	}
	return s.noneBlock(c, tr)
}

func (s *Sim) noneBlock(c *topology.Container, tr *tracer) Verdict {
	tr.rule("R7-10")
	tr.hop(inCtr(c), StepRoute, c.Name, "network_mode none: only lo exists; connect() fails with ENETUNREACH", 0)
	tr.because(c.Name + " has network_mode none")
	tr.block(inCtr(c), ids("R7-10"), "network namespace of "+c.Name, "network_mode: none gives loopback only (R7-10)", c.Pos, "remove network_mode: none from "+svcOf(c)+posSuffix(c.Pos))
	return NetworkNone
}

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
