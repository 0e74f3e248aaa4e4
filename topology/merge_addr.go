package topology

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Address allocation across the projects of one host: subnets, then
// container addresses, in up order (Merge).

// subnets allocates the local address space in up order (R3-1 to R3-4,
// R3-11).
func (m *merger) subnets() {
	t0 := m.in[0]
	m.out.Daemon, m.out.Host = t0.Daemon, t0.Host
	m.allocated = []netip.Prefix{m.out.Bridge0.Subnet}
	for _, n := range m.out.Networks {
		if n.Declared && n.SubnetConfigured {
			m.allocated = append(m.allocated, n.Subnet)
		}
	}
	ula := 0
	for i := range m.in {
		var own, assumed []*Network
		for _, n := range byKey(m.out.Networks) {
			switch {
			case n.Declared:
			case n.External && m.first[n] == i:
				assumed = append(assumed, n)
			case !n.External && m.creator[n] == i:
				own = append(own, n)
			}
		}
		// Configured subnets first (the loader's tie-break), each checked
		// against what the earlier projects hold (R3-4).
		for _, n := range own {
			if !n.SubnetConfigured {
				continue
			}
			if o, on := m.overlap(n.Subnet); o.IsValid() {
				m.problem(n.Pos, "networks."+n.Key, "failed to create network %s: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (%s overlaps %s of network %s%s) (R3-4)", n.Name, n.Subnet, o, on, posSuffixOf(m.byName[on]))
				continue
			}
			m.allocated = append(m.allocated, n.Subnet)
		}
		for _, group := range [][]*Network{assumed, own} {
			for _, n := range group {
				if n.SubnetConfigured {
					continue
				}
				s, ok := m.nextPool()
				if !ok {
					m.problem(n.Pos, "networks."+n.Key, "failed to create network %s: Error response from daemon: all predefined address pools have been fully subnetted (R3-2)", n.Name)
					continue
				}
				n.Subnet, n.Gateway = s, s.Addr().Next() // R3-6
				m.allocated = append(m.allocated, s)
			}
		}
		if i == 0 {
			// The loader gives the host description's networks without a
			// subnet theirs after the first project's.
			for _, n := range m.out.Networks {
				if n.Declared && !n.SubnetConfigured {
					if s, ok := m.nextPool(); ok {
						n.Subnet, n.Gateway = s, s.Addr().Next()
						m.allocated = append(m.allocated, s)
					}
				}
			}
		}
		// R3-11: successive /64s of the host's ULA /48, in the same order.
		for _, n := range own {
			if !n.EnableIPv6 || n.Subnet6Configured {
				continue
			}
			n.Subnet6 = ulaPrefix(ula)
			n.Gateway6 = n.Subnet6.Addr().Next()
			ula++
		}
	}
}

func posSuffixOf(n *Network) string {
	if n == nil || n.Pos.IsZero() {
		return ""
	}
	return ", " + n.Pos.String()
}

// overlap returns an allocated subnet that overlaps s and its network's
// name.
func (m *merger) overlap(s netip.Prefix) (netip.Prefix, string) {
	for _, a := range m.allocated {
		if a.Overlaps(s) {
			name := "bridge"
			for _, n := range m.out.Networks {
				if n.Subnet == a {
					name = n.Name
				}
			}
			return a, name
		}
	}
	return netip.Prefix{}, ""
}

// nextPool is the lowest free default-pool subnet (R3-1, R3-2): it
// overlaps no allocated subnet, no on-link host route and no nameserver.
func (m *merger) nextPool() (netip.Prefix, bool) {
	d, h := m.out.Daemon, m.out.Host
	for _, pool := range d.AddressPools {
		if !pool.Base.Addr().Is4() || pool.Size < pool.Base.Bits() || pool.Size > 32 {
			continue
		}
		step := uint64(1) << (32 - pool.Size)
		base := uint64(addr4(pool.Base.Masked().Addr()))
		count := uint64(1) << (pool.Size - pool.Base.Bits())
		for i := uint64(0); i < count; i++ {
			cand := netip.PrefixFrom(fromAddr4(uint32(base+i*step)), pool.Size)
			if o, _ := m.overlap(cand); o.IsValid() {
				continue
			}
			clash := false
			for _, a := range h.Addresses {
				if a.Addr().Is4() && a.Masked().Overlaps(cand) {
					clash = true
				}
			}
			for _, ns := range h.Nameservers {
				if cand.Contains(ns) {
					clash = true
				}
			}
			if !clash {
				return cand, true
			}
		}
	}
	return netip.Prefix{}, false
}

func addr4(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func fromAddr4(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// ulaPrefix is the loader's stand-in for the i-th /64 of the host's ULA
// /48 (R3-11): the same fixed derivation, so that one project alone and
// the first of several get the same subnets.
func ulaPrefix(i int) netip.Prefix {
	h := sha256.Sum256([]byte("composenet-host-id"))
	var b [16]byte
	b[0] = 0xfd
	copy(b[1:6], h[:5])
	b[6], b[7] = byte(i>>8), byte(i)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}

// containers checks container names across projects (R1-4), re-points
// endpoints at the merged networks, names services "project/service" and
// numbers the start order across projects.
func (m *merger) containers() {
	owner := map[string]*Container{}
	offset := 0
	for i, t := range m.in {
		prefix := t.Project + "/"
		last := 0
		for _, c := range t.Containers {
			if c.Declared {
				if i == 0 {
					owner[c.Name] = c
					m.out.Containers = append(m.out.Containers, c)
				}
				continue
			}
			if o := owner[c.Name]; o != nil {
				m.problem(c.Pos, "services."+c.Service+".container_name", "Error response from daemon: Conflict. The container name \"/%s\" is already in use by container %s of project %s (%s). You have to remove (or rename) that container to be able to reuse that name (R1-4)", c.Name, o.ID, o.Project, o.Pos)
				continue
			}
			owner[c.Name] = c
			m.out.Containers = append(m.out.Containers, c)
			last = max(last, c.StartOrder+1)
			c.StartOrder += offset
			c.Service = prefix + c.Service
			if x, ok := strings.CutPrefix(c.NetworkMode, "service:"); ok {
				c.NetworkMode = "service:" + prefix + x
			}
			if len(c.Links) > 0 {
				c.Links = slices.Clone(c.Links)
				for j := range c.Links {
					if c.Links[j].Service != "" {
						c.Links[j].Service = prefix + c.Links[j].Service
					}
				}
			}
		}
		offset += last
		for _, c := range t.Containers {
			// network_mode container:NAME naming a container of an earlier
			// project: its namespace (R7-10), which the project's own load
			// could not know.
			if x, ok := strings.CutPrefix(c.NetworkMode, "container:"); ok && c.NetNS == nil && !c.Declared {
				if o := owner[x]; o != nil && o.NetNS != nil && o.Project != t.Project {
					c.NetNS = o.NetNS
					m.joined = append(m.joined, fmt.Sprintf("no container %q in the project or the host description; %s is modelled", x, c.Name))
				}
			}
		}
		for _, c := range t.Containers {
			if c.Declared && i > 0 {
				continue
			}
			for _, e := range c.Endpoints {
				e.Network = m.netOf[e.Network]
			}
			SortEndpoints(c.Endpoints) // a shared network's real settings can differ from what a project assumed (R5-3)
		}
		for _, s := range t.Services {
			s.Name = prefix + s.Name
			if len(s.DependsOn) > 0 {
				deps := make([]string, len(s.DependsOn))
				for j, d := range s.DependsOn {
					deps[j] = prefix + d
				}
				s.DependsOn = deps
			}
			m.out.Services = append(m.out.Services, s)
		}
		for _, in := range t.Inactive {
			in.Name = prefix + in.Name
			m.out.Inactive = append(m.out.Inactive, in)
		}
		for _, w := range t.Warnings {
			if w.Service != "" {
				w.Service = prefix + w.Service
			}
			if w.Peer != "" {
				w.Peer = prefix + w.Peer
			}
			m.warnings = append(m.warnings, w)
		}
	}
}

// pool hands out the lowest free IPv4 address of a network (R3-7, R3-8).
type pool struct {
	lo, hi uint32
	used   map[uint32]bool
}

func newPool(n *Network) *pool {
	p := &pool{used: map[uint32]bool{}}
	if !n.Subnet.IsValid() || !n.Subnet.Addr().Is4() {
		return p
	}
	s := n.Subnet.Masked()
	netAddr := addr4(s.Addr())
	bcast := netAddr + (uint32(1)<<(32-s.Bits()) - 1)
	r := s
	if n.IPRange.IsValid() {
		r = n.IPRange.Masked()
	}
	p.lo = addr4(r.Addr())
	p.hi = p.lo + (uint32(1)<<(32-r.Bits()) - 1)
	if s.Bits() < 31 {
		p.used[netAddr], p.used[bcast] = true, true
	}
	if n.Gateway.Is4() {
		p.used[addr4(n.Gateway)] = true
	}
	for _, a := range n.AuxAddresses {
		if a.Is4() {
			p.used[addr4(a)] = true
		}
	}
	return p
}

func (p *pool) next() (netip.Addr, bool) {
	if p.lo == 0 && p.hi == 0 {
		return netip.Addr{}, false
	}
	for v := p.lo; ; v++ {
		if !p.used[v] {
			p.used[v] = true
			return fromAddr4(v), true
		}
		if v == p.hi {
			return netip.Addr{}, false
		}
	}
}

// addresses gives out container addresses network by network: the host
// description's containers first (static, then dynamic in the
// description's order), then project by project the static addresses
// (R3-10) and the dynamic ones in start order, lowest free (R3-8).
func (m *merger) addresses() {
	type member struct {
		e       *Endpoint
		project int // -1 for declared containers
	}
	members := map[*Network][]member{}
	for i, t := range m.in {
		for _, c := range t.Containers {
			if c.Declared && i > 0 {
				continue
			}
			p := i
			if c.Declared {
				p = -1
			}
			for _, e := range c.Endpoints {
				members[e.Network] = append(members[e.Network], member{e, p})
			}
		}
	}
	nets := append([]*Network{m.out.Bridge0}, m.out.Networks...)
	taken := map[string]bool{}
	for _, n := range nets {
		ms := members[n]
		sort.SliceStable(ms, func(i, j int) bool {
			a, b := ms[i], ms[j]
			if a.project != b.project {
				return a.project < b.project
			}
			if a.project < 0 {
				return a.e.Container.Pos.Line < b.e.Container.Pos.Line
			}
			return a.e.Container.StartOrder < b.e.Container.StartOrder
		})
		p := newPool(n)
		holder := map[netip.Addr]*Container{}
		for lo := 0; lo < len(ms); {
			hi := lo
			for hi < len(ms) && ms[hi].project == ms[lo].project {
				hi++
			}
			for _, x := range ms[lo:hi] {
				e := x.e
				if !e.Static {
					continue
				}
				at := e.AddrPos
				if at.IsZero() {
					at = e.Pos
				}
				if !n.SubnetConfigured {
					// R3-10 (M8): the network has no user-configured subnet.
					m.problem(at, "", "invalid config for network %s: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: %s (R3-10)", n.Name, m.whyNoSubnet(n, ""))
					continue
				}
				if !n.Subnet.Contains(e.IPv4) {
					// R3-10 (M9): checked against the creator's subnet.
					m.problem(at, "", "invalid config for network %s: invalid endpoint settings: no configured subnet or ip-range contain the IP address %s: the network's subnet is %s, %s (R3-10)", n.Name, e.IPv4, n.Subnet, m.subnetFrom(n))
					continue
				}
				if p.used[addr4(e.IPv4)] {
					// R3-10 (M10): the gateway, an aux address, or a container
					// that came up earlier holds it.
					what := "the network's gateway or a reserved address (ipam aux_addresses, the network and broadcast addresses)"
					switch o := holder[e.IPv4]; {
					case o != nil && o.Declared:
						what = fmt.Sprintf("container %s of the host description (%s)", o.Name, o.Pos)
					case o != nil:
						what = fmt.Sprintf("%s of project %s (%s)", o.Name, o.Project, o.Pos)
					case e.IPv4 == n.Gateway:
						what = "the network's gateway"
					}
					m.problem(at, "", "Address already in use: %s on network %s is taken by %s (R3-10)", e.IPv4, n.Name, what)
					continue
				}
				p.used[addr4(e.IPv4)] = true
				holder[e.IPv4] = e.Container
			}
			for _, x := range ms[lo:hi] {
				e := x.e
				if e.Static {
					continue
				}
				ip, ok := p.next()
				if !ok {
					k := n.Name + "\x00" + e.Container.Service
					if !taken[k] {
						taken[k] = true
						m.problem(e.Pos, "", "no available IPv4 addresses on network %s (%s) for %s (R3-8)", n.Name, n.Subnet, e.Container.Name)
					}
					continue
				}
				e.IPv4 = ip
				holder[ip] = e.Container
			}
			lo = hi
		}
		m.addresses6(n, ms2eps(ms, func(i int) *Endpoint { return ms[i].e }), ms2ints(ms, func(i int) int { return ms[i].project }))
	}
}

// whyNoSubnet says why n has no user-configured subnet: the project that
// created it gave none, or no project creates it (an assumed external
// network).
func (m *merger) whyNoSubnet(n *Network, family string) string {
	if i, ok := m.creator[n]; ok && i >= 0 {
		return fmt.Sprintf("project %s creates network %s (%s) without an %sipam config subnet", m.in[i].Project, n.Name, n.Pos, family)
	}
	if n.Declared {
		return fmt.Sprintf("the host description declares network %s without an %ssubnet", n.Name, family)
	}
	return fmt.Sprintf("no project on this host creates network %s, so it is assumed to exist with an automatic subnet; describe it with its subnet in the host description (--host), or bring up the project that creates it first (--with)", n.Name)
}

// subnetFrom says where n's subnet is configured.
func (m *merger) subnetFrom(n *Network) string {
	if i, ok := m.creator[n]; ok && i >= 0 {
		return fmt.Sprintf("configured by project %s (%s)", m.in[i].Project, n.Pos)
	}
	return fmt.Sprintf("configured in the host description (%s)", n.Pos)
}

func ms2ints[T any](ms []T, f func(int) int) []int {
	out := make([]int, len(ms))
	for i := range ms {
		out[i] = f(i)
	}
	return out
}

func ms2eps[T any](ms []T, f func(int) *Endpoint) []*Endpoint {
	out := make([]*Endpoint, len(ms))
	for i := range ms {
		out[i] = f(i)
	}
	return out
}

// addresses6 gives IPv6 addresses on n (R3-10, R3-11), project by project
// in up order (proj[i] is eps[i]'s project, -1 for the host
// description's containers): a project's static ipv6_address first,
// checked against n's configured IPv6 subnet (a project's own networks
// were checked by its load; another project's network is checked here);
// then the creating project's dynamic endpoints keep theirs (moved into
// n's subnet when the ULA /64 moved); the rest get the lowest free from
// ::2 upward.
func (m *merger) addresses6(n *Network, eps []*Endpoint, proj []int) {
	if !n.EnableIPv6 || !n.Subnet6.IsValid() {
		for _, e := range eps {
			if e.Static6 {
				// R3-10 (M8): no user-configured IPv6 subnet.
				m.problem(addr6Pos(e), "", "invalid config for network %s: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: %s (R3-10)", n.Name, m.whyNoSubnet(n, "IPv6 "))
			}
			e.IPv6 = netip.Addr{}
		}
		return
	}
	used := map[netip.Addr]bool{n.Gateway6: true, n.Subnet6.Addr(): true}
	holder := map[netip.Addr]*Container{}
	old := m.oldSub6[n]
	next := n.Subnet6.Addr().Next()
	for lo := 0; lo < len(eps); {
		hi := lo
		for hi < len(eps) && proj[hi] == proj[lo] {
			hi++
		}
		group := eps[lo:hi]
		lo = hi
		for _, e := range group {
			if !e.Static6 {
				continue
			}
			switch o := holder[e.IPv6]; {
			case !n.Subnet6Configured:
				m.problem(addr6Pos(e), "", "invalid config for network %s: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets: %s (R3-10)", n.Name, m.whyNoSubnet(n, "IPv6 "))
			case !n.Subnet6.Contains(e.IPv6):
				m.problem(addr6Pos(e), "", "invalid config for network %s: invalid endpoint settings: no configured subnet or ip-range contain the IP address %s: the network's IPv6 subnet is %s, %s (R3-10)", n.Name, e.IPv6, n.Subnet6, m.subnetFrom(n))
			case o != nil && o != e.Container:
				m.problem(addr6Pos(e), "", "Address already in use: %s on network %s is taken by %s of project %s (%s) (R3-10)", e.IPv6, n.Name, o.Name, o.Project, o.Pos)
			case used[e.IPv6] && o == nil:
				m.problem(addr6Pos(e), "", "Address already in use: %s on network %s is taken by the network's gateway or subnet address (R3-10)", e.IPv6, n.Name)
			default:
				used[e.IPv6] = true
				holder[e.IPv6] = e.Container
				continue
			}
			e.IPv6 = netip.Addr{}
		}
		var later []*Endpoint
		for _, e := range group {
			if e.Static6 {
				continue
			}
			if !e.IPv6.IsValid() || !old.IsValid() || !old.Contains(e.IPv6) {
				later = append(later, e)
				continue
			}
			if old != n.Subnet6 {
				a, o := e.IPv6.As16(), n.Subnet6.Addr().As16()
				copy(a[:8], o[:8])
				e.IPv6 = netip.AddrFrom16(a)
			}
			if used[e.IPv6] {
				later = append(later, e)
				continue
			}
			used[e.IPv6] = true
			holder[e.IPv6] = e.Container
		}
		for _, e := range later {
			for used[next] && n.Subnet6.Contains(next) {
				next = next.Next()
			}
			if !n.Subnet6.Contains(next) {
				e.IPv6 = netip.Addr{}
				continue
			}
			e.IPv6 = next
			used[next] = true
			holder[next] = e.Container
		}
	}
}

func addr6Pos(e *Endpoint) Position {
	if !e.Addr6Pos.IsZero() {
		return e.Addr6Pos
	}
	return e.Pos
}
