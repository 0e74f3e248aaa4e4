package topology

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"
)

// Several compose projects on one host.
//
// Merge puts projects that were loaded one by one (each with its own
// project name, working folder, .env and profiles) onto one host, brought
// up in the order given, each `up` finished before the next starts. The
// host's resources are shared the way the engine shares them:
//
//   - networks by engine name: an `external: true` network is the network
//     of that name an earlier project created (or the host description
//     declares); a non-external network whose name an earlier project
//     already created is reused with compose's warning when its compose key
//     is the same, and refused with compose's error otherwise (R2-4, R2-5);
//   - the local address space: subnets are allocated in `up` order across
//     all projects from the default pools, lowest free first (R3-1, R3-2);
//     a configured subnet that overlaps one an earlier project holds is
//     Docker's "Pool overlaps" error (R3-4); within one project the
//     loader's tie-breaks stand (configured subnets first, then assumed
//     external networks, then the project's networks in key order, R2-6);
//   - container addresses: per network, the host description's containers
//     first, then project by project the static addresses (R3-10) and the
//     dynamic ones in start order, lowest free (R3-8, R4-3). A static
//     address on another project's network, which that project's own load
//     could not check (Options.SharedHost), is checked here as Docker
//     checks it at create: the network needs a user-configured subnet (the
//     creator's ipam config, or the host description's), the address must
//     lie in it and be free (M8-M11); IPv6 likewise (R3-11);
//   - the host's port space: ports are bound project by project in start
//     order; a fixed port another binding holds is Docker's bind error
//     (R8-8), and ephemeral ports and host ranges continue from the last
//     port the daemon handed out (R8-5);
//   - container names, which must be unique on the engine (R1-4).
//
// A network belongs to the project that created it, the first in up
// order that declares it non-external (Network.Project, R2-4); projects
// that name it external only join it (R2-5).
//
// In the merged topology every service is named "project/service" so
// that services of different projects never share a name; DNS is
// unchanged (names live on the endpoints, per network: R6-3, R6-6).

// Merge returns the host on which the projects ts run, brought up in
// order (ts[0] first). One topology is returned as it is. The inputs are
// not modified. Problems (a project name used twice, a port or container
// name clash, an overlapping subnet, an address in use) come back as a
// *LoadError listing every one, sorted, each with both positions.
func Merge(ts []*Topology) (*Topology, error) {
	if len(ts) == 0 {
		return nil, &LoadError{Problems: []Problem{{Message: "no project to load"}}}
	}
	if len(ts) == 1 {
		return ts[0], nil
	}
	m := &merger{
		byName:  map[string]*Network{},
		netOf:   map[*Network]*Network{},
		creator: map[*Network]int{},
	}
	for _, t := range ts {
		m.in = append(m.in, t.clone())
	}
	if m.checkNames(); len(m.problems) > 0 {
		// Everything else would clash too (same container names).
		return nil, &LoadError{Problems: SortProblems(m.problems)}
	}
	m.networks()
	m.subnets()
	m.containers()
	m.addresses()
	m.ports()
	if len(m.problems) > 0 {
		return nil, &LoadError{Problems: SortProblems(m.problems)}
	}
	m.finish()
	return m.out, nil
}

type merger struct {
	in  []*Topology
	out *Topology

	byName  map[string]*Network   // merged networks by engine name
	netOf   map[*Network]*Network // a project's network -> the merged one
	creator map[*Network]int      // merged network -> the project that created it; -1 for pre-existing
	first   map[*Network]int      // assumed external network -> the first project naming it
	oldSub6 map[*Network]netip.Prefix

	allocated []netip.Prefix
	problems  []Problem
	warnings  []Warning
	resolved  map[Position]bool // W-EXTERNAL-ASSUMED positions that are no longer assumed
	joined    []string          // W-CONTAINER-UNKNOWN texts of container: modes now resolved
}

func (m *merger) problem(pos Position, path, format string, args ...any) {
	m.problems = append(m.problems, Problem{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// projectPos is where project i's name comes from: its name: key, else its
// first compose file.
func (m *merger) projectPos(i int) Position {
	t := m.in[i]
	if !t.NamePos.IsZero() {
		return t.NamePos
	}
	if len(t.Files) > 0 {
		return Position{File: t.Files[0]}
	}
	return Position{File: t.WorkingDir}
}

// checkNames refuses two projects of one name (R1-1): Compose would treat
// the second as the first, recreating its containers.
func (m *merger) checkNames() {
	seen := map[string]int{}
	for i, t := range m.in {
		if j, ok := seen[t.Project]; ok {
			m.problem(m.projectPos(i), "", "project name %q is already the name of the project of %s (%s): Compose would treat both as one project and recreate its containers; give one of them another name (name: or -p)", t.Project, filesOf(m.in[j]), m.projectPos(j))
			continue
		}
		seen[t.Project] = i
	}
}

func filesOf(t *Topology) string {
	if len(t.Files) == 0 {
		return t.WorkingDir
	}
	return strings.Join(t.Files, ", ")
}

// networks unifies the projects' networks by engine name.
func (m *merger) networks() {
	first := m.in[0]
	m.out = &Topology{Bridge0: first.Bridge0}
	m.first = map[*Network]int{}
	m.resolved = map[Position]bool{}
	m.oldSub6 = map[*Network]netip.Prefix{}
	for _, t := range m.in {
		m.netOf[t.Bridge0] = first.Bridge0
	}
	m.creator[first.Bridge0] = -1
	// The host description's networks exist before every project; each
	// project was loaded with the same description.
	for _, n := range first.Networks {
		if n.Declared {
			m.add(n, -1)
		}
	}
	for i, t := range m.in {
		for _, n := range byKey(t.Networks) {
			m.oldSub6[n] = n.Subnet6
			have := m.byName[n.Name]
			switch {
			case n.Declared:
				m.netOf[n] = have
			case have == nil:
				m.add(n, i)
				if n.External {
					m.creator[n] = -1
					m.first[n] = i
				}
			case n.External:
				// R2-5: looked up by name.
				m.netOf[n] = have
				if !have.Declared && m.creator[have] >= 0 {
					m.resolved[n.Pos] = true
				}
			case m.creator[have] < 0 && !have.Declared && m.isAssumed(have):
				// R2-5 (M6): an earlier project named it external before
				// this one creates it. On a host where it does not exist
				// yet, that project's up fails; the model keeps it as the
				// assumed network the earlier project named.
				j := m.first[have]
				m.netOf[n] = have
				m.warn(Warning{Code: "W-EXTERNAL-BEFORE-CREATOR", Rule: "R2-5", Pos: have.Pos,
					Message: fmt.Sprintf("project %s names network %s external but comes up before project %s creates it (%s): on a host where it does not exist yet, its up fails with \"network %s declared as external, but could not be found\"; the network is modelled as an existing plain bridge, not with project %s's settings", m.in[j].Project, n.Name, t.Project, n.Pos, n.Name, t.Project),
					Fix:     fmt.Sprintf("bring project %s up before project %s (list it earlier: --with or projects:)", t.Project, m.in[j].Project)})
			case m.creator[have] < 0:
				// R2-4: a network that no compose project created.
				m.netOf[n] = have
				m.warn(Warning{Code: "W-NETWORK-REUSED", Rule: "R2-4", Pos: n.Pos,
					Message: fmt.Sprintf("a network with name %s exists but was not created by compose. Set `external: true` to use an existing network (project %s uses it as it is)", n.Name, t.Project),
					Fix:     fmt.Sprintf("set external: true on network %s of project %s", n.Key, t.Project)})
			case have.Key == n.Key:
				// R2-4: created by another project under the same key.
				c := m.in[m.creator[have]]
				m.netOf[n] = have
				m.warn(Warning{Code: "W-NETWORK-REUSED", Rule: "R2-4", Pos: n.Pos,
					Message: fmt.Sprintf("a network with name %s exists but was not created for project %q. Set `external: true` to use an existing network (it is project %s's, %s; its settings apply)", n.Name, t.Project, c.Project, have.Pos),
					Fix:     fmt.Sprintf("set external: true on network %s of project %s", n.Key, t.Project)})
			default:
				c := m.in[m.creator[have]]
				m.netOf[n] = have
				m.problem(n.Pos, "networks."+n.Key, "network %s was found but has incorrect label com.docker.compose.network set to %q (expected: %q): project %s created it (%s) (R2-4)", n.Name, have.Key, n.Key, c.Project, have.Pos)
			}
		}
	}
}

// byKey returns the networks in compose-key order (the loader's
// allocation order, R2-6), declared networks last.
func byKey(ns []*Network) []*Network {
	out := slices.Clone(ns)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Declared != out[j].Declared {
			return !out[i].Declared
		}
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func (m *merger) add(n *Network, creator int) {
	m.byName[n.Name] = n
	m.netOf[n] = n
	m.creator[n] = creator
	if creator >= 0 && !n.External {
		// The project that creates the network owns it (R2-4); a
		// later project's external: true only joins it (R2-5).
		n.Project = m.in[creator].Project
	}
	m.out.Networks = append(m.out.Networks, n)
}

func (m *merger) warn(w Warning) { m.warnings = append(m.warnings, w) }

// isAssumed reports whether n is an external network that an earlier
// project named and no project had created (W-EXTERNAL-ASSUMED).
func (m *merger) isAssumed(n *Network) bool {
	_, ok := m.first[n]
	return ok
}

// ports binds every published port on the shared host, project by project
// in start order (R8-5, R8-8).
func (m *merger) ports() {
	type held struct {
		b *PortBinding
		c *Container
	}
	type key struct {
		proto string
		port  int
	}
	idx := map[key][]held{}
	last := map[string]int{}
	clash := func(ip netip.Addr, proto string, port int) *held {
		for i, x := range idx[key{proto, port}] {
			if hostIPsClash(x.b.HostIP, ip) || (!x.b.Family4Only && x.b.HostIP.IsUnspecified() && !ip.Is4() && ip.IsUnspecified()) {
				return &idx[key{proto, port}][i]
			}
		}
		return nil
	}
	alloc := func(ip netip.Addr, proto, key string, lo, hi int) (int, bool) {
		k := proto + "/" + key
		l, ok := last[k]
		if !ok {
			l = hi // the first search starts at lo (R8-5)
		}
		n := hi - lo + 1
		for i := 1; i <= n; i++ {
			p := lo + (l-lo+i)%n
			if clash(ip, proto, p) == nil {
				last[k] = p
				return p, true
			}
		}
		return 0, false
	}
	d := m.out.Daemon
	for _, t := range m.in {
		ctrs := slices.Clone(t.Containers)
		sort.SliceStable(ctrs, func(a, b int) bool { return ctrs[a].StartOrder < ctrs[b].StartOrder })
		for _, c := range ctrs {
			if c.Declared || len(c.Ports) == 0 {
				continue
			}
			gw := c.GatewayEndpoint()
			if c.NetworkMode == "bridge" && len(c.Endpoints) > 0 {
				gw = c.Endpoints[0]
			}
			kept := make([]PortBinding, 0, len(c.Ports))
			for _, b := range c.Ports {
				b.Endpoint = gw
				if gw == nil {
					continue // R7-5: all its networks are internal now
				}
				switch {
				case b.Ephemeral:
					p, ok := alloc(b.HostIP, b.Protocol, "eph", d.EphemeralPortStart, d.EphemeralPortEnd)
					if !ok {
						m.problem(b.Pos, "", "no free ephemeral host port in %d-%d (R8-5)", d.EphemeralPortStart, d.EphemeralPortEnd)
						continue
					}
					b.HostPort = uint16(p)
				case b.RangeStart != 0:
					p, ok := alloc(b.HostIP, b.Protocol, fmt.Sprintf("%d-%d", b.RangeStart, b.RangeEnd), int(b.RangeStart), int(b.RangeEnd))
					if !ok {
						m.problem(b.Pos, "", "Bind for %s:%d-%d failed: all ports in the range are already allocated (R8-8)", b.HostIP, b.RangeStart, b.RangeEnd)
						continue
					}
					b.HostPort = uint16(p)
				default:
					if o := clash(b.HostIP, b.Protocol, int(b.HostPort)); o != nil {
						m.problem(b.Pos, "", "Bind for %s:%d failed: port is already allocated (by %s of project %s, %s) (R8-8)", b.HostIP, b.HostPort, o.c.Name, o.c.Project, o.b.Pos)
						continue
					}
				}
				k := key{b.Protocol, int(b.HostPort)}
				kept = append(kept, b)
				idx[k] = append(idx[k], held{&kept[len(kept)-1], c})
			}
			c.Ports = kept
		}
	}
}

// hostIPsClash is R8-8 for two bindings of one port and protocol: 0.0.0.0
// clashes with any IPv4 address, :: with any IPv6, an address with itself.
func hostIPsClash(a, b netip.Addr) bool {
	if a == b {
		return true
	}
	if a.Is4() != b.Is4() {
		return false
	}
	return a.IsUnspecified() || b.IsUnspecified()
}

// finish assembles the merged topology: endpoint lists, sorted slices,
// the projects and the warnings.
func (m *merger) finish() {
	t := m.out
	last := m.in[len(m.in)-1]
	t.Project, t.WorkingDir, t.NamePos, t.Latency = last.Project, last.WorkingDir, last.NamePos, last.Latency
	for _, p := range m.in {
		t.Projects = append(t.Projects, ProjectInfo{Name: p.Project, WorkingDir: p.WorkingDir, Files: p.Files, NamePos: p.NamePos})
		t.Files = append(t.Files, p.Files...)
	}
	nets := append([]*Network{t.Bridge0}, t.Networks...)
	for _, n := range nets {
		n.Endpoints = nil
	}
	for _, c := range t.Containers {
		for _, e := range c.Endpoints {
			e.Network.Endpoints = append(e.Network.Endpoints, e)
		}
	}
	for _, n := range nets {
		sort.SliceStable(n.Endpoints, func(i, j int) bool { return n.Endpoints[i].IPv4.Less(n.Endpoints[j].IPv4) })
	}
	sort.Slice(t.Networks, func(i, j int) bool { return t.Networks[i].Name < t.Networks[j].Name })
	sort.Slice(t.Containers, func(i, j int) bool { return t.Containers[i].Name < t.Containers[j].Name })
	sort.Slice(t.Services, func(i, j int) bool { return t.Services[i].Name < t.Services[j].Name })
	sort.Slice(t.Inactive, func(i, j int) bool { return t.Inactive[i].Name < t.Inactive[j].Name })

	var ws []Warning
	for _, w := range m.warnings {
		switch {
		case w.Code == "W-EXTERNAL-ASSUMED" && m.resolved[w.Pos]:
			continue // the network is another project's
		case w.Code == "W-SHARED-DNS":
			continue // computed again below, across projects
		case w.Code == "W-CONTAINER-UNKNOWN" && slices.ContainsFunc(m.joined, func(j string) bool { return strings.Contains(w.Message, j) }):
			continue // the container is another project's
		}
		ws = append(ws, w)
	}
	ws = append(ws, sharedDNS(t)...)
	names := make([]string, len(m.in))
	for i, p := range m.in {
		names[i] = p.Project
	}
	ws = append(ws, Warning{Code: "W-PROJECT-ORDER", Notice: true,
		Message: fmt.Sprintf("projects come up in this order: %s; subnets, addresses and ephemeral ports are given out in that order (R3-2, R3-8, R8-5), so another order gives other ones", strings.Join(names, ", "))})
	t.Warnings = SortWarnings(ws)
	t.Reindex()
}

// sharedDNS finds the names that containers of different projects (or a
// project and a host container) register on one network: DNS answers merge
// them (R6-6, M23).
func sharedDNS(t *Topology) []Warning {
	var out []Warning
	for _, n := range t.Networks {
		mixed := false
		for _, e := range n.Endpoints {
			if e.Container.Declared || e.Container.Project != n.Endpoints[0].Container.Project {
				mixed = true
				break
			}
		}
		if !mixed {
			continue // one project's names: the loader's checks cover them
		}
		owners := map[string]map[string]bool{}
		for _, e := range n.Endpoints {
			owner := "project " + e.Container.Project
			if e.Container.Declared {
				owner = "host container " + e.Container.Name
			}
			for _, dn := range e.DNSNames {
				k := strings.ToLower(dn)
				if owners[k] == nil {
					owners[k] = map[string]bool{}
				}
				owners[k][owner] = true
			}
		}
		for _, k := range keysOf(owners) {
			if len(owners[k]) < 2 {
				continue
			}
			who := keysOf(owners[k])
			out = append(out, Warning{Code: "W-SHARED-DNS", Rule: "R6-6", Pos: n.Pos,
				Message: fmt.Sprintf("name %q is registered on shared network %s by %s; DNS answers merge them, in random order (M23)", k, n.Name, strings.Join(who, " and ")),
				Fix:     "give the service a unique network alias on the shared network and call it by that alias"})
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
