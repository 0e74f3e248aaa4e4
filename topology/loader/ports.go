package loader

import (
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/types"
)

// publish binds c's published ports (R8) on its gateway endpoint (R8-7).
func (b *builder) publish(c *topology.Container, s types.ServiceConfig) {
	spath := "services." + s.Name
	if strings.HasPrefix(c.NetworkMode, "service:") || strings.HasPrefix(c.NetworkMode, "container:") {
		// M19 / R8-11.
		if len(s.Ports) > 0 && c.Replica == 1 {
			b.problem(spath+".ports", "conflicting options: port publishing and the container type network mode")
		}
		if len(s.Expose) > 0 && c.Replica == 1 {
			b.problem(spath+".expose", "conflicting options: port exposing and the container type network mode")
		}
		return
	}
	for _, x := range s.Expose {
		pps, err := parseExpose(x)
		if err != nil {
			b.problem(spath+".expose", "%v", err)
			continue
		}
		c.Expose = append(c.Expose, pps...)
	}
	if len(s.Ports) == 0 {
		return
	}
	var gw *topology.Endpoint
	switch c.NetworkMode {
	case "host":
		if c.Replica == 1 {
			b.warn("W-PORTS-HOST", "R8-11", b.ix.lookup(spath+".ports"), "Published ports are discarded when using host network mode: %s's processes bind host ports directly", s.Name)
			b.fix(fmt.Sprintf("remove ports: from %s (its processes bind host ports directly)", s.Name))
		}
		return
	case "none":
		if c.Replica == 1 {
			b.warn("W-PORTS-NONE", "R8-11", b.ix.lookup(spath+".ports"), "ports of %s are never published: network_mode none has loopback only", s.Name)
			b.fix(fmt.Sprintf("remove ports: from %s or give it a network", s.Name))
		}
		return
	case "bridge":
		gw = c.Endpoints[0]
	default:
		gw = c.GatewayEndpoint()
	}
	if gw == nil {
		if len(c.Endpoints) > 0 && c.Replica == 1 {
			// M22 / R7-5.
			b.warn("W-PORTS-INTERNAL", "R7-5", b.ix.lookup(spath+".ports"), "ports of %s are silently not published: all its networks are internal (docker ps shows no mapping)", s.Name)
			b.fix(fmt.Sprintf("attach %s to a non-internal network as well, or remove its ports:", s.Name))
		}
		return
	}
	rawCount := 0
	for {
		if _, ok := b.ix.exact(fmt.Sprintf("%s.ports.%d", spath, rawCount)); !ok {
			break
		}
		rawCount++
	}
	for i, pc := range s.Ports {
		ppath := fmt.Sprintf("%s.ports.%d", spath, i)
		if rawCount != len(s.Ports) {
			ppath = spath + ".ports"
		}
		pb := &topology.PortBinding{ContainerPort: uint16(pc.Target), Protocol: strings.ToLower(pc.Protocol), Endpoint: gw, Pos: b.ix.lookup(ppath)}
		if pb.Protocol == "" {
			pb.Protocol = "tcp"
		}
		if pc.HostIP != "" {
			ip, err := netip.ParseAddr(strings.Trim(pc.HostIP, "[]"))
			if err != nil {
				b.problem(ppath, "invalid ip address: %s", pc.HostIP)
				continue
			}
			pb.HostIP, pb.Family4Only = ip, ip.Is4()
		} else if h := gw.Network.HostBindingIPv4; h.IsValid() {
			pb.HostIP, pb.Family4Only = h, !h.IsUnspecified()
		} else {
			pb.HostIP = netip.IPv4Unspecified() // R8-6: 0.0.0.0 and [::]
		}
		lo, hi, fixed, err := parsePublished(pc.Published)
		if err != nil {
			b.problem(ppath, "%v", err)
			continue
		}
		switch {
		case fixed:
			if other := b.conflict(pb.HostIP, pb.Protocol, lo); other != nil {
				// M15 / R8-8.
				b.problem(ppath, "Bind for %s:%d failed: port is already allocated (by %s, %s)", pb.HostIP, lo, b.bindOwner[other].Name, other.Pos)
				continue
			}
			pb.HostPort = uint16(lo)
		case lo == 0:
			// R8-5: ephemeral ports cycle upward from the range start.
			p, ok := b.allocPort(pb.HostIP, pb.Protocol, "eph", b.t.Daemon.EphemeralPortStart, b.t.Daemon.EphemeralPortEnd)
			if !ok {
				b.problem(ppath, "no free ephemeral host port in %d-%d", b.t.Daemon.EphemeralPortStart, b.t.Daemon.EphemeralPortEnd)
				continue
			}
			pb.HostPort, pb.Ephemeral = uint16(p), true
		default:
			p, ok := b.allocPort(pb.HostIP, pb.Protocol, fmt.Sprintf("%d-%d", lo, hi), lo, hi)
			if !ok {
				b.problem(ppath, "Bind for %s:%d-%d failed: all ports in the range are already allocated", pb.HostIP, lo, hi)
				continue
			}
			pb.HostPort, pb.RangeStart, pb.RangeEnd = uint16(p), uint16(lo), uint16(hi)
			if c.Replica > 1 || b.svcByName[s.Name].Replicas > 1 {
				if c.Replica == 1 {
					b.warn("W-PORT-REPLICA-ORDER", "R8-5", pb.Pos, "replicas of %s take host ports from %d-%d in start order, which Docker does not fix; composenet gives them out in replica order", s.Name, lo, hi)
				}
			}
		}
		k := portKey{pb.Protocol, int(pb.HostPort)}
		b.bindIdx[k] = append(b.bindIdx[k], pb)
		b.bindOwner[pb] = c
		c.Ports = append(c.Ports, *pb)
	}
}

func parsePublished(s string) (lo, hi int, fixed bool, err error) {
	if s == "" {
		return 0, 0, false, nil
	}
	a, z, isRange := strings.Cut(s, "-")
	lo, err1 := strconv.Atoi(a)
	hi = lo
	var err2 error
	if isRange {
		hi, err2 = strconv.Atoi(z)
	}
	if err1 != nil || err2 != nil || lo < 0 || hi > 65535 || lo > hi {
		return 0, 0, false, fmt.Errorf("invalid published port %q", s)
	}
	if lo == 0 && !isRange {
		return 0, 0, false, nil
	}
	return lo, hi, !isRange || lo == hi, nil
}

// bindingsClash reports whether two bindings of one port and protocol
// conflict (R8-8): 0.0.0.0 clashes with any IPv4 address, :: with any IPv6,
// and the default binding (0.0.0.0 meaning both families) with both.
func bindingsClash(a, b netip.Addr) bool {
	if a == b {
		return true
	}
	if a.Is4() != b.Is4() {
		// The default binding (0.0.0.0 without host_ip) also holds [::].
		return false
	}
	return a.IsUnspecified() || b.IsUnspecified()
}

func (b *builder) conflict(ip netip.Addr, proto string, port int) *topology.PortBinding {
	for _, x := range b.bindIdx[portKey{proto, port}] {
		if bindingsClash(x.HostIP, ip) || (!x.Family4Only && x.HostIP.IsUnspecified() && !ip.Is4() && ip.IsUnspecified()) {
			return x
		}
	}
	return nil
}

// portKey indexes bindings by protocol and host port.
type portKey struct {
	proto string
	port  int
}

func (b *builder) allocPort(ip netip.Addr, proto, key string, lo, hi int) (int, bool) {
	k := proto + "/" + key
	last, ok := b.rangeLast[k]
	if !ok {
		last = hi // the first search starts at lo (R8-5)
	}
	n := hi - lo + 1
	for i := 1; i <= n; i++ {
		p := lo + (last-lo+i)%n
		if b.conflict(ip, proto, p) == nil {
			b.rangeLast[k] = p
			return p, true
		}
	}
	return 0, false
}

var reExpose = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+)(?:-(\d+))?(?:/(\w+))?$`) })

func parseExpose(s string) ([]topology.PortProto, error) {
	m := reExpose().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return nil, fmt.Errorf("invalid expose entry %q", s)
	}
	lo, _ := strconv.Atoi(m[1])
	hi := lo
	if m[2] != "" {
		hi, _ = strconv.Atoi(m[2])
	}
	proto := strings.ToLower(m[3])
	if proto == "" {
		proto = "tcp"
	}
	if lo < 1 || hi > 65535 || lo > hi || (proto != "tcp" && proto != "udp" && proto != "sctp") {
		return nil, fmt.Errorf("invalid expose entry %q", s)
	}
	var out []topology.PortProto
	for p := lo; p <= hi; p++ {
		out = append(out, topology.PortProto{Port: uint16(p), Protocol: proto})
	}
	return out, nil
}

// links expands links and external_links (R6-14).
func (b *builder) links(c *topology.Container, s types.ServiceConfig) {
	spath := "services." + s.Name
	if len(s.Links) == 0 && len(s.ExternalLinks) == 0 {
		return
	}
	if c.Replica == 1 {
		switch {
		case strings.HasPrefix(c.NetworkMode, "service:"), strings.HasPrefix(c.NetworkMode, "container:"):
			b.problem(spath+".links", "conflicting options: container type network can't be used with links. This would result in undefined behavior")
			return
		case c.NetworkMode == "host":
			b.problem(spath+".links", "conflicting options: host type networking can't be used with links. This would result in undefined behavior")
			return
		}
	} else if c.NetworkMode == "host" || strings.Contains(c.NetworkMode, ":") {
		return
	}
	m := map[string]topology.Link{}
	for _, l := range s.Links {
		svcName, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = svcName
		}
		lpos := b.ix.lookup(spath + ".links." + svcName)
		target := b.svcByName[svcName]
		if target == nil {
			continue
		}
		// Compose writes one entry per target replica; the map keeps the
		// last one written (R6-14 c): the highest replica number.
		for _, tc := range target.Containers {
			for _, a := range []string{alias, fmt.Sprintf("%s-%d", svcName, c.Replica), fmt.Sprintf("%s-%s-%d", b.p.Name, svcName, c.Replica)} {
				m[a] = topology.Link{Alias: a, Target: tc.Name, Service: svcName, Pos: lpos}
			}
		}
		if c.Replica == 1 {
			if len(target.Containers) > 1 {
				b.warn("W-LINK-PINNED", "R6-14", lpos, "link %s pins %q to one replica of %s (%s) instead of all %d; use the service name without links", l, alias, svcName, m[alias].Target, len(target.Containers))
				b.fix(fmt.Sprintf("remove the link and use the service name %s", svcName))
			}
			if c.NetworkMode == "bridge" {
				if len(target.Containers) > 0 && target.Containers[0].NetworkMode != "bridge" {
					b.problem(spath+".links", "Cannot link to %s, as it does not belong to the default network", target.Containers[0].Name)
				}
			} else if len(target.Containers) > 0 && !sharesNetwork(c, target.Containers[0]) {
				b.warn("W-LINK-CROSS", "R6-14", lpos, "link to %s does not cross networks: %s shares no network with %s, so the alias %q is forwarded upstream and no connectivity is added", svcName, s.Name, svcName, alias)
				b.fix(fmt.Sprintf("attach %s to a network that %s is on, and drop the link", s.Name, svcName))
			}
		}
	}
	for _, l := range s.ExternalLinks {
		ctr, alias, _ := strings.Cut(l, ":")
		if alias == "" {
			alias = ctr
		}
		m[alias] = topology.Link{Alias: alias, Target: ctr, Pos: b.ix.lookup(spath + ".external_links")}
	}
	for _, k := range sortedKeys(m) {
		c.Links = append(c.Links, m[k])
	}
}

func sharesNetwork(a, b *topology.Container) bool {
	an, bn := netnsOf(a), netnsOf(b)
	if an == nil || bn == nil {
		return false
	}
	for _, x := range an.Endpoints {
		for _, y := range bn.Endpoints {
			if x.Network == y.Network {
				return true
			}
		}
	}
	return false
}

func netnsOf(c *topology.Container) *topology.Container {
	if c.NetNS != nil {
		return c.NetNS
	}
	return nil
}

// hostsAndDNS records extra_hosts, dns and dns_opt (R6-2, R6-15) and the
// options service:X forbids (M20).
func (b *builder) hostsAndDNS(c *topology.Container, s types.ServiceConfig) {
	spath := "services." + s.Name
	shared := strings.HasPrefix(c.NetworkMode, "service:") || strings.HasPrefix(c.NetworkMode, "container:")
	if shared {
		if c.Replica == 1 {
			if s.Hostname != "" {
				b.problem(spath+".hostname", "conflicting options: hostname and the network mode")
			}
			if len(s.DNS) > 0 {
				b.problem(spath+".dns", "conflicting options: dns and the network mode")
			}
			if len(s.ExtraHosts) > 0 {
				b.problem(spath+".extra_hosts", "conflicting options: custom host-to-IP mapping and the network mode")
			}
		}
		return
	}
	for _, name := range sortedKeys(s.ExtraHosts) {
		for _, v := range s.ExtraHosts[name] {
			he := topology.HostEntry{Name: name, Pos: b.ix.lookup(spath + ".extra_hosts." + name)}
			if v == "host-gateway" {
				he.IP, he.HostGateway = b.t.Daemon.HostGatewayIP, true
			} else {
				ip, err := netip.ParseAddr(strings.Trim(v, "[]"))
				if err != nil {
					b.problem(spath+".extra_hosts", "invalid IP address in extra_hosts entry %s: %q", name, v)
					continue
				}
				he.IP = ip
			}
			c.ExtraHosts = append(c.ExtraHosts, he)
		}
	}
	c.DNS = append(c.DNS, s.DNS...)
	c.DNSOptions = append(c.DNSOptions, s.DNSOpts...)
	for _, o := range s.DNSOpts {
		if strings.HasPrefix(o, "ndots:") {
			c.NdotsSet = true
		}
	}
}

// finish builds the indexes and the project-wide warnings.
func (b *builder) finish() {
	t := b.t
	for _, c := range t.Containers {
		for _, e := range c.Endpoints {
			e.Network.Endpoints = append(e.Network.Endpoints, e)
		}
	}
	all := append([]*topology.Network{t.Bridge0}, t.Networks...)
	orderDependent := 0
	for _, n := range all {
		sort.Slice(n.Endpoints, func(i, j int) bool { return n.Endpoints[i].IPv4.Less(n.Endpoints[j].IPv4) })
		services := map[string]bool{}
		for _, e := range n.Endpoints {
			if !e.Static && !e.Container.Declared {
				services[e.Container.Service] = true
			}
		}
		if len(services) > 1 {
			orderDependent++
		}
		if len(n.Endpoints) > 1000 {
			b.warn("W-BRIDGE-LIMIT", "R10-7", n.Pos, "network %s has %d containers; a bridge becomes unstable at about 1000", n.Name, len(n.Endpoints))
			b.fix("split the members across several networks")
		}
	}
	sort.Slice(t.Containers, func(i, j int) bool { return t.Containers[i].Name < t.Containers[j].Name })
	if orderDependent > 0 {
		b.warn("W-IP-ORDER", "R4-3", topology.Position{}, "container addresses follow the simulated start order (dependencies first, then service name, then replica number); Docker guarantees only dependency order, so addresses of independent services may be swapped on a real host")
	}
	b.staticRaces()
	// M24: depends_on gives ordering, not connectivity.
	for _, svc := range t.Services {
		for _, d := range svc.DependsOn {
			ds := b.svcByName[d]
			if ds == nil || len(svc.Containers) == 0 || len(ds.Containers) == 0 {
				continue
			}
			a, z := svc.Containers[0], ds.Containers[0]
			if a.NetworkMode == "host" || z.NetworkMode == "host" || a.NetNS == z.NetNS {
				continue
			}
			if !sharesNetwork(a, z) {
				b.warn("W-DEPENDS-NO-NETWORK", "R7-2", b.ix.lookup("services."+svc.Name+".depends_on."+d), "%s depends on %s but they share no network: depends_on orders start-up only, it gives no connectivity", svc.Name, d)
				b.warnings[len(b.warnings)-1].Service, b.warnings[len(b.warnings)-1].Peer = svc.Name, d
				b.fix(fmt.Sprintf("attach %s to a network that %s is on, if %s calls it", svc.Name, d, svc.Name))
			}
		}
	}
	// M23: a shared external network merges DNS answers across projects.
	for _, n := range t.Networks {
		if !n.External {
			continue
		}
		owners := map[string]map[string]bool{} // name -> set of owners
		for _, e := range n.Endpoints {
			owner := e.Container.Project
			if e.Container.Declared {
				owner = "host:" + e.Container.Name
			}
			for _, dn := range e.DNSNames {
				k := strings.ToLower(dn)
				if owners[k] == nil {
					owners[k] = map[string]bool{}
				}
				owners[k][owner] = true
			}
		}
		for _, k := range sortedKeys(owners) {
			if len(owners[k]) > 1 && owners[k][t.Project] {
				b.warn("W-SHARED-DNS", "R6-6", n.Pos, "name %q is registered on shared network %s by this project and by another container; DNS answers merge both (M23)", k, n.Name)
				b.fix("give the service a unique network alias on the shared network and call it by that alias")
			}
		}
	}
	// M30: host.docker.internal needs host-gateway on Linux.
	for _, svc := range t.Services {
		for _, ev := range svc.Environment {
			if !strings.Contains(strings.ToLower(ev.Value), "host.docker.internal") || len(svc.Containers) == 0 {
				continue
			}
			has := false
			for _, h := range svc.Containers[0].ExtraHosts {
				if strings.EqualFold(h.Name, "host.docker.internal") {
					has = true
				}
			}
			if !has {
				b.warn("W-HOST-DOCKER-INTERNAL", "R6-15", ev.Pos, "%s uses host.docker.internal, which does not exist on Linux unless extra_hosts has \"host.docker.internal:host-gateway\"", svc.Name)
				b.fix(fmt.Sprintf("add extra_hosts: [\"host.docker.internal:host-gateway\"] to %s", svc.Name))
			}
		}
	}
}

// staticReach returns the 0-based rank of e's static address among the
// first count addresses dynamic allocation hands out on n (R3-8: lowest
// free in ip_range, else the subnet, skipping the network address, the
// gateway, aux addresses and the other static addresses), or -1 when count
// dynamic containers cannot reach it.
func staticReach(n *topology.Network, e *topology.Endpoint, count int) int {
	pool := n.Subnet
	if n.IPRange.IsValid() {
		pool = n.IPRange
	}
	if !pool.IsValid() || !e.IPv4.IsValid() || !pool.Contains(e.IPv4) {
		return -1
	}
	taken := map[netip.Addr]bool{n.Subnet.Masked().Addr(): true, n.Gateway: true}
	for _, a := range n.AuxAddresses {
		taken[a] = true
	}
	for _, o := range n.Endpoints {
		if o.Static && o != e {
			taken[o.IPv4] = true
		}
	}
	rank := 0
	for a := pool.Masked().Addr(); rank < count && pool.Contains(a); a = a.Next() {
		if taken[a] {
			continue
		}
		if a == e.IPv4 {
			return rank
		}
		rank++
	}
	return -1
}

// staticRaces warns about the R3-10 hazard: a static address inside the
// network's dynamic range can be taken by a dynamically addressed container
// that starts earlier. Only containers that do not (transitively) depend
// on the static container's service can start earlier (R4-2).
func (b *builder) staticRaces() {
	t := b.t
	memo := map[[2]string]bool{}
	var dependsOn func(a, z string, depth int) bool
	dependsOn = func(a, z string, depth int) bool {
		if a == z {
			return true
		}
		k := [2]string{a, z}
		if v, ok := memo[k]; ok || depth > 64 {
			return v
		}
		memo[k] = false
		sv := b.svcByName[a]
		if sv != nil {
			for _, d := range sv.DependsOn {
				if dependsOn(d, z, depth+1) {
					memo[k] = true
					break
				}
			}
		}
		return memo[k]
	}
	for _, n := range t.Networks {
		for _, e := range n.Endpoints {
			if !e.Static || e.Container.Declared || !n.SubnetConfigured {
				continue // without a configured subnet: left to topology.Merge
			}
			if n.IPRange.IsValid() && !n.IPRange.Contains(e.IPv4) {
				continue
			}
			// Rivals: dynamically addressed endpoints that may start
			// before e's container, in simulated start order.
			var rivals []*topology.Endpoint
			for _, o := range n.Endpoints {
				if o.Static || o.Container.Declared || o.Container.Service == e.Container.Service {
					continue
				}
				if !dependsOn(o.Container.Service, e.Container.Service, 0) {
					rivals = append(rivals, o)
				}
			}
			sort.SliceStable(rivals, func(i, j int) bool { return rivals[i].Container.StartOrder < rivals[j].Container.StartOrder })
			// R3-8: dynamic addresses are the lowest free ones. Even if every
			// rival starts first and every other static address is claimed,
			// the rivals take the len(rivals) lowest free addresses; e's
			// address is at risk only if it is among them.
			k := staticReach(n, e, len(rivals))
			if k < 0 {
				continue
			}
			rival := rivals[k]
			path := "services." + e.Container.Service + ".networks." + n.Key + ".ipv4_address"
			b.warn("W-STATIC-IN-RANGE", "R3-10", b.ix.lookup(path), "ipv4_address %s lies inside the dynamic range of %s, and %d dynamically addressed container(s) do not wait for %s: if they start first, the lowest free addresses (R3-8) reach %s and %s takes it, so %s fails to start (nondeterministic)", e.IPv4, n.Name, len(rivals), e.Container.Name, e.IPv4, rival.Container.Name, e.Container.Name)
			b.fix(fmt.Sprintf("set ipam ip_range on %s and keep %s outside it, or make %s depend on %s", n.Key, e.IPv4, rival.Container.Service, e.Container.Service))
		}
	}
}
