package topology

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Docker's own chains in a pasted iptables-save (issue 16, R7-27 in sim's
// package doc). composenet does not evaluate them: sim models what Docker
// programs for the project (R7-0). Instead they are recognised and
// compared with what composenet predicts for this project, and every
// difference becomes a positioned warning: the host is not in the state the
// compose file describes.

// The chains Docker creates and owns, in any table:
// DOCKER (filter and nat), the isolation chains, Engine 28's
// DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE and DOCKER-INTERNAL, and the
// swarm ingress chain. DOCKER-USER is the operator's.
//
// IsDockerChain reports whether chain is one Docker creates and owns
// (not DOCKER-USER, which is the operator's).
func IsDockerChain(chain string) bool {
	switch chain {
	case "DOCKER", "DOCKER-ISOLATION-STAGE-1", "DOCKER-ISOLATION-STAGE-2",
		"DOCKER-FORWARD", "DOCKER-CT", "DOCKER-BRIDGE", "DOCKER-INTERNAL",
		"DOCKER-INGRESS":
		return true
	}
	return false
}

// isDockerBridgeName reports whether name looks like a bridge Docker
// creates: docker0 or br-<12 hex digits of the network ID>.
func isDockerBridgeName(name string) bool {
	if name == "docker0" {
		return true
	}
	h, ok := strings.CutPrefix(name, "br-")
	if !ok || len(h) != 12 {
		return false
	}
	for _, c := range h {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// markDockerRules sets FWRule.Docker on Docker's own rules: every rule of
// a Docker chain, and the rules Docker adds to built-in chains (jumps to
// its chains, the pre-28 per-bridge FORWARD rules, MASQUERADE for a bridge
// subnet or hairpin, raw PREROUTING direct-access and loopback drops).
// Bridges are docker0, br-<12 hex>, and every interface the Docker chains
// name.
func markDockerRules(rs *Ruleset) {
	bridges := map[string]bool{"docker0": true}
	for _, chains := range rs.Tables {
		for chain, rules := range chains {
			if !IsDockerChain(chain) {
				continue
			}
			for _, r := range rules {
				for _, m := range []IfaceMatch{r.InIface, r.OutIface} {
					if m.Name != "" && !strings.HasSuffix(m.Name, "+") {
						bridges[m.Name] = true
					}
				}
			}
		}
	}
	isBridge := func(m IfaceMatch) bool {
		return m.Name != "" && (bridges[m.Name] || isDockerBridgeName(m.Name))
	}
	for table, chains := range rs.Tables {
		for chain, rules := range chains {
			for _, r := range rules {
				switch {
				case IsDockerChain(chain), IsDockerChain(r.Target),
					table == "filter" && chain == "FORWARD" && r.Target == "DOCKER-USER":
					r.Docker = true
				case table == "filter" && chain == "FORWARD":
					// Before Engine 28: -o B ctstate RELATED,ESTABLISHED
					// ACCEPT, -i B ! -o B ACCEPT, -i B -o B ACCEPT|DROP.
					r.Docker = len(r.Src) == 0 && len(r.Dst) == 0 && r.Proto == "" && (r.Target == "ACCEPT" || r.Target == "DROP") &&
						(isBridge(r.InIface) || isBridge(r.OutIface)) && (r.InIface.Name == "" || isBridge(r.InIface)) && (r.OutIface.Name == "" || isBridge(r.OutIface))
				case table == "nat" && chain == "POSTROUTING" && r.Target == "MASQUERADE":
					switch {
					case len(r.Src) == 1 && r.OutIface.Neg && isBridge(r.OutIface) && len(r.Dst) == 0:
						r.Docker = true // -s S ! -o B (R7-8)
					case r.SrcType == "LOCAL" && isBridge(r.OutIface) && !r.OutIface.Neg:
						r.Docker = true // proxy off: loopback hairpin
					case len(r.Src) == 1 && len(r.Dst) == 1 && r.Src[0] == r.Dst[0] && r.Src[0].Prefix.IsSingleIP():
						r.Docker = true // -s cIP -d cIP --dport P (own published port)
					}
				case table == "raw" && chain == "PREROUTING" && r.Target == "DROP":
					// -d cIP ! -i B (direct access, R7-9), -d 127.0.0.1
					// --dport P ! -i lo (loopback binding).
					r.Docker = len(r.Dst) == 1 && !r.Dst[0].Neg && r.Dst[0].Prefix.IsSingleIP() && len(r.Src) == 0 &&
						r.InIface.Neg && (isBridge(r.InIface) || r.InIface.Name == "lo")
				}
			}
		}
	}
}

// bridgeSeen is what Docker's rules say about one bridge.
type bridgeSeen struct {
	name string
	// pos is the first rule that names the bridge.
	pos Position
	// subnet comes from MASQUERADE -s S ! -o B or an internal network's
	// isolation rule (subnetPos).
	subnet    netip.Prefix
	subnetPos Position
	internal  bool
	// internalPos is the internal network's DROP rule.
	internalPos Position
	// masqPos is the MASQUERADE rule (zero: none).
	masqPos Position
	// iccOff is the -i B -o B -j DROP rule; iccOn an accept of the
	// bridge's own traffic.
	iccOff, iccOn Position
	// isolated is the STAGE-1 -i B ! -o B rule of a non-internal network.
	isolated Position
	// addrs are container addresses the rules name on this bridge.
	addrs []netip.Addr
}

// dnatSeen is one DNAT of nat DOCKER.
type dnatSeen struct {
	r      *FWRule
	hostIP netip.Addr // invalid: any local address
	port   uint16
	proto  string
	to     netip.AddrPort
	bridge string // from ! -i B; "" when the rule has none
}

// dockerState is what the pasted rules say Docker built.
type dockerState struct {
	bridges map[string]*bridgeSeen
	order   []string // bridge names in order of first appearance
	dnats   []*dnatSeen
	// first is the first Docker rule; any is false without one.
	first     Position
	any       bool
	layout28  *FWRule // a DOCKER-FORWARD rule (Engine 28 layout)
	layoutOld *FWRule // FORWARD -j DOCKER-ISOLATION-STAGE-1 (before 28)
	outputJmp *FWRule // nat OUTPUT ... -j DOCKER
}

func (st *dockerState) bridge(name string, pos Position) *bridgeSeen {
	b := st.bridges[name]
	if b == nil {
		b = &bridgeSeen{name: name, pos: pos}
		st.bridges[name] = b
		st.order = append(st.order, name)
	} else if pos.Less(b.pos) {
		b.pos = pos
	}
	return b
}

// readDockerState collects Docker's rules of rs.
func readDockerState(rs *Ruleset) *dockerState {
	st := &dockerState{bridges: map[string]*bridgeSeen{}}
	var rules []*FWRule
	for _, chains := range rs.Tables {
		for _, rr := range chains {
			for _, r := range rr {
				if r.Docker {
					rules = append(rules, r)
				}
			}
		}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Pos.Less(rules[j].Pos) })
	plain := func(m IfaceMatch) string {
		if m.Name == "" || strings.HasSuffix(m.Name, "+") {
			return ""
		}
		return m.Name
	}
	for _, r := range rules {
		if !st.any && r.Target != "DOCKER-USER" {
			// The jump to DOCKER-USER alone (a file trimmed to the
			// operator's rules) says nothing about the project.
			st.any, st.first = true, r.Pos
		}
		in, out := plain(r.InIface), plain(r.OutIface)
		switch {
		case r.Chain == "DOCKER-FORWARD":
			if st.layout28 == nil {
				st.layout28 = r
			}
		case r.Table == "filter" && r.Chain == "FORWARD" && r.Target == "DOCKER-ISOLATION-STAGE-1":
			if st.layoutOld == nil {
				st.layoutOld = r
			}
		case r.Table == "nat" && r.Chain == "OUTPUT" && r.Target == "DOCKER":
			if st.outputJmp == nil {
				st.outputJmp = r
			}
		}
		switch {
		case r.Table == "nat" && r.Chain == "POSTROUTING" && r.Target == "MASQUERADE" && r.OutIface.Neg && out != "" && len(r.Src) == 1:
			b := st.bridge(out, r.Pos)
			if !b.subnet.IsValid() {
				b.subnet, b.subnetPos = r.Src[0].Prefix, r.Pos
			}
			b.masqPos = r.Pos
		case r.Table == "filter" && (r.Chain == "DOCKER-ISOLATION-STAGE-1" || r.Chain == "DOCKER-INTERNAL") && r.Target == "DROP":
			// Internal network: ! -d S -i B / ! -s S -o B.
			var s []AddrMatch
			name := in
			if len(r.Dst) == 1 && r.Dst[0].Neg && in != "" {
				s = r.Dst
			} else if len(r.Src) == 1 && r.Src[0].Neg && out != "" {
				s, name = r.Src, out
			}
			if s != nil && s[0].Prefix.IsValid() {
				b := st.bridge(name, r.Pos)
				b.internal = true
				if b.internalPos.Line == 0 {
					b.internalPos = r.Pos
				}
				if !b.subnet.IsValid() {
					b.subnet, b.subnetPos = s[0].Prefix, r.Pos
				}
			}
		case r.Table == "filter" && r.Chain == "DOCKER-ISOLATION-STAGE-1" && in != "" && r.OutIface.Neg && out == in:
			b := st.bridge(in, r.Pos)
			if b.isolated.Line == 0 {
				b.isolated = r.Pos
			}
		case r.Table == "filter" && (r.Chain == "DOCKER-FORWARD" || r.Chain == "FORWARD") && in != "" && len(r.CtState) == 0:
			b := st.bridge(in, r.Pos)
			switch {
			case out == in && !r.OutIface.Neg && r.Target == "DROP":
				b.iccOff = r.Pos
			case (out == in && !r.OutIface.Neg || r.OutIface.Name == "") && r.Target == "ACCEPT":
				b.iccOn = r.Pos
			}
		case r.Table == "raw" && r.Chain == "PREROUTING" && in != "" && in != "lo" && len(r.Dst) == 1:
			b := st.bridge(in, r.Pos)
			b.addrs = append(b.addrs, r.Dst[0].Prefix.Addr())
		case r.Table == "filter" && r.Chain == "DOCKER" && out != "" && r.Target == "ACCEPT" && len(r.Dst) == 1:
			b := st.bridge(out, r.Pos)
			b.addrs = append(b.addrs, r.Dst[0].Prefix.Addr())
		case r.Table == "nat" && r.Chain == "DOCKER" && r.Target == "DNAT":
			d := parseDNAT(r)
			if d == nil {
				continue
			}
			st.dnats = append(st.dnats, d)
			if d.bridge != "" {
				st.bridge(d.bridge, r.Pos)
			}
		default:
			for _, n := range []string{in, out} {
				if n != "" && n != "lo" && (IsDockerChain(r.Chain) || isDockerBridgeName(n)) {
					st.bridge(n, r.Pos)
				}
			}
		}
	}
	return st
}

// parseDNAT reads a nat DOCKER DNAT rule: -d hostIP, -p, --dport, ! -i B,
// --to-destination cIP:cport. Nil when it is not of that shape.
func parseDNAT(r *FWRule) *dnatSeen {
	if len(r.DPorts.Ranges) != 1 || r.DPorts.Neg || r.DPorts.Ranges[0][0] != r.DPorts.Ranges[0][1] || r.Proto == "" || r.ProtoNeg {
		return nil
	}
	d := &dnatSeen{r: r, port: r.DPorts.Ranges[0][0], proto: r.Proto}
	if len(r.Dst) == 1 && !r.Dst[0].Neg && r.Dst[0].Prefix.IsSingleIP() {
		d.hostIP = r.Dst[0].Prefix.Addr()
	} else if len(r.Dst) != 0 {
		return nil
	}
	if r.InIface.Neg && r.InIface.Name != "" && !strings.HasSuffix(r.InIface.Name, "+") {
		d.bridge = r.InIface.Name
	}
	to := r.To
	if ap, err := netip.ParseAddrPort(to); err == nil {
		d.to = ap
	} else if a, err := netip.ParseAddr(to); err == nil {
		d.to = netip.AddrPortFrom(a, d.port)
	} else {
		return nil
	}
	return d
}

// publishedBinding is one binding of a project container that Docker
// programs (a DNAT rule).
type publishedBinding struct {
	c *Container
	b *PortBinding
}

// compareDockerRules compares Docker's own rules in the pasted
// iptables-save with what composenet predicts for t (R7-27). Nothing is
// compared when the file holds none of Docker's rules (inline rules, or a
// file trimmed to DOCKER-USER).
func compareDockerRules(t *Topology) []Warning {
	rs := t.Host.Rules
	if rs == nil {
		return nil
	}
	st := readDockerState(rs)
	if !st.any || len(st.bridges) == 0 && len(st.dnats) == 0 {
		// Jumps alone (a trimmed file) say nothing about networks.
		return nil
	}
	var ws []Warning
	warn := func(code string, pos Position, fix, format string, args ...any) {
		ws = append(ws, Warning{Code: code, Rule: "R7-27", Pos: pos, Message: fmt.Sprintf(format, args...), Fix: fix})
	}
	file := rs.Source
	// Engine-wide facts: the chain layout and the userland proxy.
	eng := t.Daemon.Engine
	if eng.Major == 0 {
		eng = DefaultEngine
	}
	switch {
	case eng.AtLeast(28, 0, 0) && st.layout28 == nil && st.layoutOld != nil:
		warn(CodeDockerRulesDiffer, st.layoutOld.Pos, "set the daemon's engine: in the host description (or --engine) to the version `docker version` reports on that host",
			"Docker's rules have the layout of an engine before 28.0 (FORWARD jumps to DOCKER-ISOLATION-STAGE-1 itself, no DOCKER-FORWARD chain), but composenet models Engine %s", eng)
	case !eng.AtLeast(28, 0, 0) && st.layout28 != nil:
		warn(CodeDockerRulesDiffer, st.layout28.Pos, "set the daemon's engine: in the host description (or --engine) to the version `docker version` reports on that host",
			"Docker's rules have Engine 28's layout (a DOCKER-FORWARD chain), but composenet models Engine %s", eng)
	}
	if r := st.outputJmp; r != nil {
		proxy := len(r.Dst) == 1 && r.Dst[0].Neg && r.Dst[0].Prefix == netip.MustParsePrefix("127.0.0.0/8")
		switch {
		case proxy && !t.Daemon.UserlandProxy:
			warn(CodeDockerRulesDiffer, r.Pos, "set userland-proxy: true in the host description's daemon settings",
				"nat OUTPUT skips 127.0.0.0/8 (-A OUTPUT %s): the host's daemon runs the userland proxy, but composenet models userland-proxy=false", r.Text)
		case !proxy && t.Daemon.UserlandProxy:
			warn(CodeDockerRulesDiffer, r.Pos, "set userland-proxy: false in the host description's daemon settings",
				"nat OUTPUT DNATs loopback too (-A OUTPUT %s): the host's daemon runs with userland-proxy=false, but composenet models the proxy on", r.Text)
		}
	}
	// docker0 and the daemon's bip.
	if b := st.bridges["docker0"]; b != nil && b.subnet.IsValid() && t.Bridge0 != nil && b.subnet != t.Bridge0.Subnet {
		warn(CodeDockerRulesDiffer, b.subnetPos, "set bip: "+b.subnet.String()+" (with the gateway address) in the host description's daemon settings",
			"docker0 is %s on this host, but composenet models the default bridge as %s (daemon bip)", b.subnet, t.Bridge0.Subnet)
	}

	// Bridges to networks.
	var nets []*Network
	for _, n := range t.Networks {
		if n.Driver == "bridge" || n.Driver == "" {
			nets = append(nets, n)
		}
	}
	netOf := map[string]*Network{}
	bridgeOf := map[*Network]*bridgeSeen{}
	bind := func(b *bridgeSeen, n *Network) {
		netOf[b.name], bridgeOf[n] = n, b
	}
	for _, name := range st.order {
		b := st.bridges[name]
		if name == "docker0" {
			continue
		}
		for _, n := range nets {
			if bridgeOf[n] == nil && n.Bridge == name && n.Bridge != "br-"+shortHash("network", n.Name) {
				bind(b, n) // com.docker.network.bridge.name
				break
			}
		}
	}
	// Subnets: first the ones the compose file or the host description
	// fixes, later (after the DNAT evidence) the ones IPAM would choose
	// (R3-2). An external network the host description does not declare
	// has an assumed subnet (R2-5): never matched by it.
	bySubnet := func(fixed bool) {
		for _, name := range st.order {
			b := st.bridges[name]
			if name == "docker0" || netOf[name] != nil {
				continue
			}
			for _, n := range nets {
				if bridgeOf[n] != nil || n.SubnetConfigured != fixed || n.External && !n.Declared {
					continue
				}
				// An automatic subnet ties only a bridge of the same kind:
				// with other networks on the host, IPAM shifts, and the
				// same subnet may belong to another network (R3-2).
				known := b.internal || b.masqPos.Line > 0 || b.isolated.Line > 0
				if !fixed && known && b.internal != n.Internal {
					continue
				}
				if b.subnet.IsValid() && b.subnet == n.Subnet || !b.subnet.IsValid() && len(b.addrs) > 0 && n.Subnet.Contains(b.addrs[0]) {
					bind(b, n)
					break
				}
			}
		}
	}
	bySubnet(true)
	// Published bindings and DNATs.
	var pubs []publishedBinding
	for _, c := range t.Containers {
		if c.Declared {
			continue
		}
		for i := range c.Ports {
			if pb := &c.Ports[i]; pb.Endpoint != nil && pb.Endpoint.IPv4.IsValid() {
				pubs = append(pubs, publishedBinding{c, pb})
			}
		}
	}
	sameHostIP := func(a, b netip.Addr) bool {
		if !a.IsValid() || a.IsUnspecified() {
			return !b.IsValid() || b.IsUnspecified()
		}
		return a == b
	}
	dnatBridge := func(d *dnatSeen) string {
		if d.bridge != "" {
			return d.bridge
		}
		for _, name := range st.order {
			if b := st.bridges[name]; b.subnet.IsValid() && b.subnet.Contains(d.to.Addr()) {
				return name
			}
		}
		return ""
	}
	matched := map[*dnatSeen]publishedBinding{}
	pubMatched := map[*PortBinding]*dnatSeen{}
	// A DNAT of a project binding ties its bridge to the binding's
	// network (its gateway endpoint, R8-7) even when the subnet differs.
	tieByDNAT := func() {
		// Votes: two per DNAT of a binding of the network, one more when
		// the subnet is the predicted one; the best tie binds first.
		type pair struct {
			bridge string
			n      *Network
		}
		votes := map[pair]int{}
		var pairs []pair
		for _, d := range st.dnats {
			p, ok := matched[d]
			if !ok || d.to.Port() != p.b.ContainerPort {
				continue
			}
			name := dnatBridge(d)
			n := p.b.Endpoint.Network
			if name == "" || name == "docker0" {
				continue
			}
			k := pair{name, n}
			if votes[k] == 0 {
				pairs = append(pairs, k)
				if st.bridges[name].subnet == n.Subnet {
					votes[k]++
				}
			}
			votes[k] += 2
		}
		order := map[string]int{}
		for i, name := range st.order {
			order[name] = i
		}
		sort.SliceStable(pairs, func(i, j int) bool {
			a, b := pairs[i], pairs[j]
			if votes[a] != votes[b] {
				return votes[a] > votes[b]
			}
			if order[a.bridge] != order[b.bridge] {
				return order[a.bridge] < order[b.bridge]
			}
			return a.n.Name < b.n.Name
		})
		for _, k := range pairs {
			if netOf[k.bridge] == nil && bridgeOf[k.n] == nil {
				bind(st.bridges[k.bridge], k.n)
			}
		}
	}
	for pass := 0; pass < 2; pass++ {
		if pass == 1 {
			tieByDNAT()
			bySubnet(false)
		}
		for _, p := range pubs {
			if pubMatched[p.b] != nil {
				continue
			}
			for _, d := range st.dnats {
				if _, ok := matched[d]; ok || d.proto != p.b.Protocol || !sameHostIP(p.b.HostIP, d.hostIP) {
					continue
				}
				// Pass 0: the host port as predicted; pass 1: an
				// ephemeral port Docker chose otherwise, same container
				// port on the network's bridge.
				if pass == 0 && d.port != p.b.HostPort {
					continue
				}
				if pass == 1 && (!p.b.Ephemeral || d.to.Port() != p.b.ContainerPort || dnatBridge(d) == "" || netOf[dnatBridge(d)] != p.b.Endpoint.Network) {
					continue
				}
				matched[d], pubMatched[p.b] = p, d
				break
			}
		}
	}
	tieByDNAT()
	present := len(matched) > 0
	for n := range bridgeOf {
		if !n.Declared {
			present = true
		}
	}
	// Elimination, once the project is known to run there: one project
	// network left and one bridge left of the same kind (internal or not)
	// belong together (a shifted automatic subnet).
	for _, internal := range []bool{true, false} {
		if !present {
			break
		}
		var ln []*Network
		var lb []*bridgeSeen
		for _, n := range nets {
			if bridgeOf[n] == nil && !n.Declared && !n.External && n.Internal == internal {
				ln = append(ln, n)
			}
		}
		for _, name := range st.order {
			if b := st.bridges[name]; name != "docker0" && netOf[name] == nil && b.internal == internal && b.subnet.IsValid() {
				lb = append(lb, b)
			}
		}
		if len(ln) == 1 && len(lb) == 1 {
			bind(lb[0], ln[0])
		}
	}
	projectNets := 0
	for _, n := range nets {
		if !n.Declared && !n.External {
			projectNets++
		}
	}
	if !present {
		if projectNets+len(pubs) > 0 {
			var what []string
			for _, n := range nets {
				if !n.Declared && !n.External {
					what = append(what, n.Name+" ("+n.Subnet.String()+")")
				}
			}
			for _, p := range pubs {
				if len(what) >= 6 {
					what = append(what, "...")
					break
				}
				what = append(what, fmt.Sprintf("%s/%s of %s", strconv.Itoa(int(p.b.HostPort)), p.b.Protocol, p.c.Name))
			}
			warn(CodeDockerRulesAbsent, st.first, "save the rules (sudo iptables-save) while the project runs (docker compose up), or declare the host's other networks in the host description",
				"%s holds Docker's rules but none of this project's (no bridge for %s): the project was not running when the rules were saved, or its networks have other subnets on this host; composenet compares nothing else",
				file, strings.Join(what, ", "))
		}
		return sortWarnings(ws)
	}
	// Networks: present, and as configured.
	for _, n := range nets {
		b := bridgeOf[n]
		if b == nil {
			if !n.Declared && !n.External {
				pos := rs.Decls["nat/POSTROUTING"]
				if pos.Line == 0 {
					pos = Position{File: file}
				}
				warn(CodeDockerRulesMissing, pos, "save the rules while the whole project runs, or declare the host's other networks in the host description so that composenet allocates around them",
					"network %s (%s) has no rules in %s (no MASQUERADE -s %s, no isolation rule): it does not exist on this host, or it has another subnet there", n.Name, n.Subnet, file, n.Subnet)
			}
			continue
		}
		if b.subnet.IsValid() && b.subnet != n.Subnet {
			why := ""
			if !n.SubnetConfigured && !eng.AtLeast(27, 0, 1) {
				// R3-2 [VER 27.0.1]: the older allocator moves on from the
				// last subnet it handed out, so the host's history counts.
				why = " (before Engine 27.0.1 the allocator moves on from the last subnet it handed out, even after those networks are removed)"
			}
			warn(CodeDockerRulesDiffer, b.subnetPos, fmt.Sprintf("declare the host's other networks in the host description (networks:), or give %s a fixed subnet (ipam.config.subnet: %s)", n.Name, b.subnet),
				"network %s is %s on this host (bridge %s), but composenet predicts %s: every address composenet answers with on it differs from the host's%s", n.Name, b.subnet, b.name, n.Subnet, why)
		}
		if b.internal != n.Internal && (b.internal || b.isolated.Line > 0 || b.masqPos.Line > 0) {
			pos := b.internalPos
			if !b.internal {
				pos = b.isolated
				if pos.Line == 0 {
					pos = b.masqPos
				}
			}
			if b.internal {
				warn(CodeDockerRulesDiffer, pos, "recreate the network (docker compose down; docker compose up) so that it matches the compose file",
					"bridge %s of network %s has an internal network's isolation rules, but the compose file does not make %s internal", b.name, n.Name, n.Name)
			} else {
				warn(CodeDockerRulesDiffer, pos, "recreate the network (docker compose down; docker compose up) so that it matches the compose file",
					"bridge %s of network %s has a non-internal network's rules, but the compose file makes %s internal", b.name, n.Name, n.Name)
			}
		}
		wantMasq := !n.Internal && n.Masquerade && t.Daemon.IPMasq && n.GatewayMode != "routed"
		switch {
		case wantMasq && b.masqPos.Line == 0 && !b.internal:
			warn(CodeDockerRulesMissing, b.pos, "recreate the network so that it matches the compose file, or set enable_ip_masquerade: \"false\" in it",
				"network %s (bridge %s): no MASQUERADE -s %s ! -o %s in nat POSTROUTING, which Docker adds for a masquerading network: its containers' egress leaves with their own addresses", n.Name, b.name, n.Subnet, b.name)
		case !wantMasq && b.masqPos.Line > 0 && !n.Internal:
			warn(CodeDockerRulesDiffer, b.masqPos, "recreate the network so that it matches the compose file",
				"network %s (bridge %s) is masqueraded on this host, but composenet models it without masquerading", n.Name, b.name)
		}
		switch {
		case n.ICC && b.iccOff.Line > 0:
			warn(CodeDockerRulesDiffer, b.iccOff, "recreate the network so that it matches the compose file, or set com.docker.network.bridge.enable_icc: \"false\" in it",
				"bridge %s of network %s drops traffic between its containers (icc off), but the compose file leaves icc on", b.name, n.Name)
		case !n.ICC && b.iccOff.Line == 0 && b.iccOn.Line > 0:
			warn(CodeDockerRulesDiffer, b.iccOn, "recreate the network so that it matches the compose file",
				"bridge %s of network %s lets its containers talk to each other (icc on), but the compose file turns icc off", b.name, n.Name)
		}
	}
	// External networks the host description does not declare have a
	// subnet composenet assumed (R2-5): an unexplained bridge may be one.
	var unknownExt []string
	for _, n := range nets {
		if n.External && !n.Declared && bridgeOf[n] == nil {
			unknownExt = append(unknownExt, n.Name)
		}
	}
	orExt := ""
	if len(unknownExt) > 0 {
		orExt = ", or the external network " + strings.Join(unknownExt, " or ") + " with a subnet composenet does not know (declare it in the host description with its subnet)"
	}
	// Bridges no network of the model explains.
	for _, name := range st.order {
		if name == "docker0" || netOf[name] != nil {
			continue
		}
		b := st.bridges[name]
		what := "bridge " + name
		if b.subnet.IsValid() {
			what += " (" + b.subnet.String() + ")"
		}
		extra := ""
		if b.subnet.IsValid() {
			for _, n := range nets {
				if n.Subnet.IsValid() && n.Subnet.Overlaps(b.subnet) && !n.Declared && !n.External {
					extra = fmt.Sprintf("; it holds the subnet composenet predicts for %s (%s): it is %s created with other settings (internal, icc, ...), or %s has another subnet on this host", n.Name, n.Subnet, n.Name, n.Name)
					break
				}
			}
		}
		fix := "declare it under networks: in the host description (name, subnet) so that composenet knows it and allocates around it"
		if b.subnet.IsValid() {
			fix = fmt.Sprintf("declare it in the host description (networks: [{name: ..., subnet: %s}]) so that composenet knows it and allocates around it", b.subnet)
		}
		warn(CodeDockerRulesForeign, b.pos, fix,
			"%s is not from this project: another project's network or one created by hand, which composenet does not know%s%s", what, orExt, extra)
	}
	// DNATs: this project's bindings, and the others.
	for _, d := range st.dnats {
		p, ok := matched[d]
		hp := fmt.Sprintf("%d/%s", d.port, d.proto)
		if d.hostIP.IsValid() {
			hp = d.hostIP.String() + ":" + hp
		}
		if !ok {
			who := "a container of another project, or one started by hand (docker run -p)"
			if name := dnatBridge(d); name != "" && netOf[name] != nil && !netOf[name].Declared {
				who = "a container on this project's network " + netOf[name].Name + " that the compose file does not describe (started by hand, or left from an earlier version of the file)"
			}
			warn(CodeDockerRulesForeign, d.r.Pos, "if it is a leftover, remove the container that publishes it (docker ps --filter publish="+strconv.Itoa(int(d.port))+")",
				"nat DOCKER DNAT of host port %s to %s is not from this project (no service publishes %s): %s; connections to that port reach it, not anything composenet models", hp, d.to, hp, who)
			continue
		}
		want := netip.AddrPortFrom(p.b.Endpoint.IPv4, p.b.ContainerPort)
		switch {
		case d.to.Port() != p.b.ContainerPort:
			warn(CodeDockerRulesDiffer, d.r.Pos, "recreate "+p.c.Name+" (docker compose up --force-recreate "+p.c.Service+"), or remove the container that holds the port",
				"host port %s goes to %s on this host, but %s publishes it to container port %d (%s)", hp, d.to, p.c.Name, p.b.ContainerPort, FormatBinding(*p.b))
		case d.to.Addr() == want.Addr():
		case netOf[dnatBridge(d)] != nil && netOf[dnatBridge(d)] != p.b.Endpoint.Network:
			dn := netOf[dnatBridge(d)]
			warn(CodeDockerRulesDiffer, d.r.Pos, "recreate "+p.c.Name+" so that its networks match the compose file",
				"host port %s goes to %s on network %s (bridge %s), but composenet programs it on %s's gateway endpoint on %s (%s, R8-7)", hp, d.to, dn.Name, dnatBridge(d), p.c.Name, p.b.Endpoint.Network.Name, want)
		case bridgeOf[p.b.Endpoint.Network] != nil && bridgeOf[p.b.Endpoint.Network].subnet == p.b.Endpoint.Network.Subnet:
			warn(CodeDockerRulesDiffer, d.r.Pos, "pin the address (ipv4_address) if rules depend on it, or read the answers with the host's address in mind",
				"host port %s goes to %s on this host, but composenet predicts %s at %s (address order on %s differs)", hp, d.to, p.c.Name, want, p.b.Endpoint.Network.Name)
		}
	}
	natDocker := rs.HasChain("nat", "DOCKER")
	for _, p := range pubs {
		if pubMatched[p.b] != nil || !natDocker || bridgeOf[p.b.Endpoint.Network] == nil {
			continue
		}
		pos := rs.Decls["nat/DOCKER"]
		if pos.Line == 0 {
			pos = Position{File: file}
		}
		warn(CodeDockerRulesMissing, pos, "recreate the service (docker compose up -d "+p.c.Service+") and save the rules again",
			"%s publishes %s, but nat DOCKER has no DNAT for host port %d/%s: the container runs without this port on this host, or is not running", p.c.Name, FormatBinding(*p.b), p.b.HostPort, p.b.Protocol)
	}
	return sortWarnings(ws)
}

// Warning codes of the comparison (R7-27).
const (
	// CodeDockerRulesForeign: a Docker rule that no part of the project
	// explains (another project's bridge or published port).
	CodeDockerRulesForeign = "W-DOCKER-RULES-FOREIGN"
	// CodeDockerRulesMissing: a rule the project should have produced is
	// not in the file.
	CodeDockerRulesMissing = "W-DOCKER-RULES-MISSING"
	// CodeDockerRulesDiffer: a rule of the project that says something
	// else than composenet predicts.
	CodeDockerRulesDiffer = "W-DOCKER-RULES-DIFFER"
	// CodeDockerRulesAbsent: Docker's rules are there, but none of the
	// project's.
	CodeDockerRulesAbsent = "W-DOCKER-RULES-ABSENT"
)
