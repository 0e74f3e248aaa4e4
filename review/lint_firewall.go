package review

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Host firewall findings (issue 16): the classic DOCKER-USER and INPUT
// mistakes, each from the decision sim takes (R7-20 to R7-24).
const (
	// CodeFWDportAfterDNAT: a DOCKER-USER --dport names a published host
	// port whose container port differs; after DNAT it never matches.
	CodeFWDportAfterDNAT = "L-FW-DPORT-AFTER-DNAT"
	// CodeFWInputPublished: an INPUT rule meant to close a published port.
	CodeFWInputPublished = "L-FW-INPUT-PUBLISHED"
	// CodeFWReplies: a DOCKER-USER drop that also drops the replies to
	// container egress.
	CodeFWReplies = "L-FW-REPLIES-DROPPED"
	// CodeFWContainers: a DOCKER-USER rule that blocks containers' own
	// traffic to each other.
	CodeFWContainers = "L-FW-BLOCKS-CONTAINERS"
	// CodeFWAllowList: an allow-list in DOCKER-USER without -i that also
	// drops the containers' own forwarded traffic.
	CodeFWAllowList = "L-FW-ALLOWLIST-CONTAINERS"
)

// firewallRules describes the firewall codes (merged into Rules).
var firewallRules = sync.OnceValue(func() map[string]string {
	return map[string]string{
		CodeFWDportAfterDNAT: "a DOCKER-USER rule matches --dport on a published host port whose container port differs: after DNAT it never matches",
		CodeFWInputPublished: "an INPUT (ufw, firewalld) rule that looks meant to close a published port: published ports never traverse INPUT",
		CodeFWReplies:        "a DOCKER-USER drop without an earlier ESTABLISHED,RELATED accept also drops the replies to the containers' own outbound connections",
		CodeFWContainers:     "a DOCKER-USER rule drops traffic between containers (seen on one bridge when br_netfilter is active)",
		CodeFWAllowList:      "an allow-list in DOCKER-USER without -i (a DROP for sources outside a list) also drops the containers' own forwarded traffic: between containers, and their egress",
	}
})

// lintFirewall adds the host firewall findings.
func lintFirewall(t *topology.Topology, s *sim.Sim, add func(Finding)) {
	rs := t.Host.Rules
	if rs == nil {
		return
	}
	// Published bindings on non-loopback addresses.
	type pub struct {
		c *topology.Container
		b topology.PortBinding
	}
	var pubs []pub
	for _, c := range t.Containers {
		for _, b := range c.Ports {
			if b.HostIP.IsValid() && b.HostIP.IsLoopback() {
				continue
			}
			pubs = append(pubs, pub{c, b})
		}
	}
	// R7-22: --dport in DOCKER-USER sees the container port.
	for _, r := range rs.Chain("filter", "DOCKER-USER") {
		if !r.DPorts.Set() || r.DPorts.Neg {
			continue
		}
		for _, p := range pubs {
			if p.b.HostPort == p.b.ContainerPort || !r.DPorts.Has(p.b.HostPort) || r.DPorts.Has(p.b.ContainerPort) {
				continue
			}
			if r.Proto != "" && r.Proto != "all" && r.Proto != p.b.Protocol {
				continue
			}
			add(Finding{Code: CodeFWDportAfterDNAT, Severity: Error, Service: p.c.Service, Pos: r.Pos, Rule: "R7-22",
				Message: fmt.Sprintf("-A DOCKER-USER %s never matches connections to published port %d: %s publishes %d:%d, and DOCKER-USER sees the packet after DNAT, with destination port %d", r.Text, p.b.HostPort, p.c.Name, p.b.HostPort, p.b.ContainerPort, p.b.ContainerPort),
				Fix:     fmt.Sprintf("match the published port with -m conntrack --ctorigdstport %d --ctdir ORIGINAL instead of --dport %d", p.b.HostPort, p.b.HostPort)})
		}
	}
	// R7-24: INPUT never sees published ports.
	seen := map[*topology.FWRule]bool{}
	for _, p := range pubs {
		for _, r := range s.InputRulesForPort(p.b.HostPort, p.b.Protocol) {
			if seen[r] {
				continue
			}
			seen[r] = true
			add(Finding{Code: CodeFWInputPublished, Severity: Warning, Service: p.c.Service, Pos: r.Pos, Rule: "R7-24",
				Message: fmt.Sprintf("-A %s %s does not close published port %d (%s): published ports are DNATed in nat PREROUTING and forwarded, so filter INPUT never sees them", r.Chain, r.Text, p.b.HostPort, p.c.Name),
				Fix:     fmt.Sprintf("filter the port in DOCKER-USER: -A DOCKER-USER -p %s -m conntrack --ctorigdstport %d --ctdir ORIGINAL -j DROP (with the sources to allow before it), or publish it on 127.0.0.1", p.b.Protocol, p.b.HostPort)})
		}
	}
	// R7-23: replies to container egress, from the decision sim takes for
	// the first container of each network with a way out.
	reported := map[string]bool{}
	for _, n := range t.Networks {
		if n.Internal || len(n.Endpoints) == 0 {
			continue
		}
		c := n.Endpoints[0].Container
		r := s.Reach(sim.Query{From: c.Name, To: sim.Internet, Port: 443, Protocol: "tcp"})
		if r.Verdict != sim.DockerUserBlocked {
			continue
		}
		for _, b := range r.BlockedBy {
			if !slices.Contains(b.RuleIDs, "R7-23") || reported[b.Position] {
				continue
			}
			reported[b.Position] = true
			add(Finding{Code: CodeFWReplies, Severity: Error, Service: c.Service, Pos: posOf(rs, b.Position), Rule: "R7-23",
				Message: fmt.Sprintf("%s: the containers' own outbound connections fail (e.g. %s to the internet on 443/tcp times out) because the replies are dropped", b.Rule, c.Name),
				Fix:     b.Fix})
		}
	}
	lintAllowList(t, s, add, reported)
	// Containers on one bridge, when DOCKER-USER sees them (br_netfilter).
	for _, n := range t.Networks {
		if len(n.Endpoints) < 2 {
			continue
		}
		a, b := n.Endpoints[0], n.Endpoints[1]
		port := uint16(0)
		if len(b.Container.Listen) > 0 {
			port = b.Container.Listen[0].Port
		} else if len(b.Container.Expose) > 0 {
			port = b.Container.Expose[0].Port
		}
		r := s.Reach(sim.Query{From: a.Container.Name, To: b.IPv4.String(), Port: port, Protocol: "tcp"})
		if r.Verdict != sim.DockerUserBlocked || len(r.BlockedBy) == 0 {
			continue
		}
		bl := r.BlockedBy[0]
		if reported[bl.Position] {
			continue
		}
		reported[bl.Position] = true
		add(Finding{Code: CodeFWContainers, Severity: Error, Service: a.Container.Service, Pos: posOf(rs, bl.Position), Rule: "R7-20",
			Message: fmt.Sprintf("%s also drops traffic between containers on %s (%s -> %s): with br_netfilter active, frames on one bridge traverse FORWARD and DOCKER-USER", bl.Rule, n.Name, a.Container.Name, b.Container.Name),
			Fix:     "restrict the rule to traffic from outside with -i " + firstIface(t) + ", or accept -i br-+ -o br-+ before it"})
	}
}

// posOf finds the rule whose position prints as p.
func posOf(rs *topology.Ruleset, p string) topology.Position {
	for _, chains := range rs.Tables {
		for _, rules := range chains {
			for _, r := range rules {
				if r.Pos.String() == p {
					return r.Pos
				}
			}
		}
	}
	return topology.Position{}
}

func firstIface(t *topology.Topology) string {
	if len(t.Host.Interfaces) > 0 {
		return t.Host.Interfaces[0].Name
	}
	return "eth0"
}

// allowListRules are the DROP and REJECT rules of DOCKER-USER (and the
// chains it jumps to) shaped like an allow-list that does not say where
// the traffic comes from: no -i, and no source or a negated one.
func allowListRules(rs *topology.Ruleset) []*topology.FWRule {
	var out []*topology.FWRule
	seen := map[string]bool{}
	var walk func(chain string, depth int)
	walk = func(chain string, depth int) {
		if depth > 16 || seen[chain] {
			return
		}
		seen[chain] = true
		for _, r := range rs.Chain("filter", chain) {
			switch r.Target {
			case "DROP", "REJECT":
				if r.InIface.Name == "" && (len(r.Src) == 0 || r.Src[0].Neg) {
					out = append(out, r)
				}
			default:
				if rs.HasChain("filter", r.Target) {
					walk(r.Target, depth+1)
				}
			}
		}
	}
	walk("DOCKER-USER", 0)
	return out
}

// lintAllowList finds, for each allow-list rule without -i, a concrete
// flow of the containers' own that the simulator says the rule blocks and
// that works without the host firewall (R7-20, R7-30): a pair of
// containers (one bridge under br_netfilter; a published port reached
// through a host address when DOCKER-USER sees it, R7-30), and container
// egress. No finding without such a flow.
func lintAllowList(t *topology.Topology, s *sim.Sim, add func(Finding), reported map[string]bool) {
	rules := allowListRules(t.Host.Rules)
	if len(rules) == 0 {
		return
	}
	bare := *t
	bare.Host.Rules = nil
	s0 := sim.New(&bare)
	type flow struct {
		q    sim.Query
		desc string
	}
	// Candidate flows, in a fixed order: pairs on one network, published
	// ports through a host address, egress.
	var pairs, egress []flow
	const perNet = 4
	for _, n := range t.Networks {
		eps := n.Endpoints
		if len(eps) > perNet {
			eps = eps[:perNet]
		}
		for _, a := range eps {
			for _, b := range eps {
				if a.Container == b.Container || a.Container.Declared || b.Container.Declared {
					continue
				}
				port := uint16(0)
				if len(b.Container.Listen) > 0 {
					port = b.Container.Listen[0].Port
				} else if len(b.Container.Expose) > 0 {
					port = b.Container.Expose[0].Port
				}
				desc := fmt.Sprintf("%s -> %s (%s, on %s)", a.Container.Name, b.Container.Name, b.IPv4, n.Name)
				if port != 0 {
					desc = fmt.Sprintf("%s -> %s:%d (%s, on %s)", a.Container.Name, b.Container.Name, port, b.IPv4, n.Name)
				}
				pairs = append(pairs, flow{sim.Query{From: a.Container.Name, To: b.IPv4.String(), Port: port, Protocol: "tcp"}, desc})
			}
		}
		if len(eps) > 0 && !n.Internal && !eps[0].Container.Declared {
			egress = append(egress, flow{sim.Query{From: eps[0].Container.Name, To: sim.Internet, Port: 443, Protocol: "tcp"}, eps[0].Container.Name + " -> the internet on 443/tcp (container egress)"})
		}
	}
	bindings := 0
	for _, tc := range t.Containers {
		for _, b := range tc.Ports {
			if b.Endpoint == nil || b.HostIP.IsValid() && b.HostIP.IsLoopback() || bindings >= 20 {
				continue
			}
			bindings++
			for _, n := range t.Networks {
				if len(n.Endpoints) == 0 || n.Endpoints[0].Container == tc || n.Endpoints[0].Container.Declared {
					continue
				}
				c := n.Endpoints[0].Container
				pairs = append(pairs, flow{sim.Query{From: c.Name, To: sim.Host, Port: b.HostPort, Protocol: b.Protocol},
					fmt.Sprintf("%s -> %s through host:%d (published %s; forwarded after DNAT)", c.Name, tc.Name, b.HostPort, topology.FormatBinding(b))})
			}
		}
	}
	broken := func(f flow, r *topology.FWRule) bool {
		res := s.Reach(f.q)
		if res.Verdict != sim.DockerUserBlocked || len(res.BlockedBy) == 0 || res.BlockedBy[0].Position != r.Pos.String() {
			return false
		}
		return s0.Reach(f.q).Verdict == sim.Delivered
	}
	for _, r := range rules {
		if reported[r.Pos.String()] {
			continue
		}
		var ev []string
		var svc string
		for _, f := range pairs {
			if broken(f, r) {
				ev = append(ev, f.desc)
				svc = f.q.From
				break
			}
		}
		for _, f := range egress {
			if broken(f, r) {
				ev = append(ev, f.desc)
				if svc == "" {
					svc = f.q.From
				}
				break
			}
		}
		if len(ev) == 0 {
			continue
		}
		reported[r.Pos.String()] = true
		service := svc
		if c := t.Container(svc); c != nil {
			service = c.Service
		}
		fix := "restrict it to traffic from outside with -i " + firstIface(t) + " (-A " + r.Chain + " -i " + firstIface(t) + " " + r.Text + ")"
		add(Finding{Code: CodeFWAllowList, Severity: Error, Service: service, Pos: r.Pos, Rule: "R7-20",
			Message: fmt.Sprintf("-A %s %s has no -i, so it is not only an allow-list for clients: it also drops the containers' own forwarded traffic, e.g. %s", r.Chain, r.Text, strings.Join(ev, "; ")),
			Fix:     fix})
	}
}
