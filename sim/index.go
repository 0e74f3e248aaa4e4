package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Sim answers DNS, reachability and matrix questions about one topology.
// New builds its indexes once (O(containers + endpoints + bindings)); after
// that a single Resolve or Reach costs a few map lookups, independent of the
// project's size. A Sim is safe for concurrent use; it never modifies the
// topology.
type Sim struct {
	t *topology.Topology

	// internetClient stands for the internet (R7-26, internetClientFor);
	// internetOnLink is true when every candidate is on a local prefix.
	internetClient netip.Addr
	internetOnLink bool

	nets      []*topology.Network // Bridge0 first (if any), then t.Networks
	netID     map[*topology.Network]int
	netByName map[string]*topology.Network // lower-case engine name
	netKeys   map[string]bool              // lower-case keys and names (for the upstream heuristic)

	ctrByName map[string]*topology.Container // exact and lower-case names
	svcFirst  map[string]*topology.Container // service -> first replica
	svcNames  map[string]bool
	// bare maps a lower-case service name without its project to the
	// first replicas of the services of that name, one per project, when
	// several projects share the host (topology.Merge names services
	// "project/service").
	bare map[string][]*topology.Container

	// names[netID] maps a lower-case DNS name to the endpoints that
	// registered it on that network, in the network's address order (R6-3,
	// R6-6). docker0 has no table (R6-16).
	names []map[string][]*topology.Endpoint

	ipOwner  map[netip.Addr]*topology.Endpoint // container endpoint addresses
	gateways map[netip.Addr]*topology.Network  // bridge addresses (host-owned)
	hostIPs  map[netip.Addr]bool               // t.Host.Addresses

	// bindings maps (host port, protocol) to the published bindings, in
	// container-name order.
	bindings map[portKey][]binding

	// members maps a namespace owner to the containers that live in its
	// namespace (itself first, then service:/container: sharers by name).
	members  map[*topology.Container][]*topology.Container
	hostMode []*topology.Container // network_mode: host containers
}

type portKey struct {
	port  uint16
	proto string
}

type binding struct {
	b   *topology.PortBinding
	ctr *topology.Container
}

// New indexes t for repeated questions.
func New(t *topology.Topology) *Sim {
	s := &Sim{
		t:         t,
		netID:     map[*topology.Network]int{},
		netByName: map[string]*topology.Network{},
		netKeys:   map[string]bool{},
		ctrByName: map[string]*topology.Container{},
		svcFirst:  map[string]*topology.Container{},
		svcNames:  map[string]bool{},
		ipOwner:   map[netip.Addr]*topology.Endpoint{},
		gateways:  map[netip.Addr]*topology.Network{},
		hostIPs:   map[netip.Addr]bool{},
		bindings:  map[portKey][]binding{},
		members:   map[*topology.Container][]*topology.Container{},
	}
	var ok bool
	s.internetClient, ok = internetClientFor(t)
	s.internetOnLink = !ok
	if t.Bridge0 != nil {
		s.addNet(t.Bridge0)
	}
	for _, n := range t.Networks {
		s.addNet(n)
	}
	for _, p := range t.Host.Addresses {
		s.hostIPs[p.Addr().Unmap()] = true
	}
	for _, c := range t.Containers {
		s.ctrByName[c.Name] = c
		if l := strings.ToLower(c.Name); s.ctrByName[l] == nil {
			s.ctrByName[l] = c
		}
		if c.Service != "" {
			s.svcNames[strings.ToLower(c.Service)] = true
			if f := s.svcFirst[c.Service]; f == nil || c.Replica < f.Replica {
				s.svcFirst[c.Service] = c
			}
		}
		if c.NetworkMode == "host" {
			s.hostMode = append(s.hostMode, c)
		}
		for i := range c.Ports {
			b := &c.Ports[i]
			k := portKey{b.HostPort, proto(b.Protocol)}
			s.bindings[k] = append(s.bindings[k], binding{b, c})
		}
	}
	for _, sv := range t.Services {
		if len(sv.Containers) > 0 {
			s.svcFirst[sv.Name] = sv.Containers[0]
		}
		s.svcNames[strings.ToLower(sv.Name)] = true
	}
	for sv, c := range s.svcFirst {
		if l := strings.ToLower(sv); l != sv && s.svcFirst[l] == nil {
			s.svcFirst[l] = c
		}
	}
	if len(t.Projects) > 0 {
		s.bare = map[string][]*topology.Container{}
		for _, sv := range t.Services {
			_, name, ok := strings.Cut(sv.Name, "/")
			if ok && len(sv.Containers) > 0 {
				l := strings.ToLower(name)
				s.bare[l] = append(s.bare[l], sv.Containers[0])
			}
		}
	}
	for _, c := range t.Containers {
		if o := owner(c); o != nil {
			s.members[o] = append(s.members[o], c)
		}
	}
	for o, m := range s.members {
		sort.SliceStable(m, func(i, j int) bool {
			if (m[i] == o) != (m[j] == o) {
				return m[i] == o
			}
			return m[i].Name < m[j].Name
		})
	}
	return s
}

func (s *Sim) addNet(n *topology.Network) {
	if _, ok := s.netID[n]; ok {
		return
	}
	id := len(s.nets)
	s.nets = append(s.nets, n)
	s.netID[n] = id
	s.netByName[strings.ToLower(n.Name)] = n
	s.netKeys[strings.ToLower(n.Name)] = true
	if n.Key != "" {
		s.netKeys[strings.ToLower(n.Key)] = true
	}
	if n.Gateway.IsValid() && n.GatewayMode != "isolated" {
		s.gateways[n.Gateway.Unmap()] = n
	}
	var table map[string][]*topology.Endpoint
	if !s.isBridge0(n) {
		table = map[string][]*topology.Endpoint{}
	}
	s.names = append(s.names, table)
	for _, e := range n.Endpoints {
		if e.IPv4.IsValid() {
			if _, dup := s.ipOwner[e.IPv4]; !dup {
				s.ipOwner[e.IPv4] = e
			}
		}
		if table == nil {
			continue
		}
		for _, name := range dnsNames(e) {
			l := strings.ToLower(name)
			lst := table[l]
			if len(lst) > 0 && lst[len(lst)-1] == e {
				continue
			}
			table[l] = append(lst, e)
		}
	}
}

// dnsNames returns the names e registers (R6-3): the loader's DNSNames, or,
// for hand-built endpoints without them, the same list derived from the
// container.
func dnsNames(e *topology.Endpoint) []string {
	if len(e.DNSNames) > 0 {
		return e.DNSNames
	}
	c := e.Container
	if c == nil {
		return e.Aliases
	}
	out := []string{c.Name}
	if c.Service != "" {
		out = append(out, c.Service)
	}
	out = append(out, e.Aliases...)
	if c.ID != "" {
		out = append(out, c.ID)
	}
	if c.Hostname != "" {
		out = append(out, c.Hostname)
	}
	return out
}

func (s *Sim) isBridge0(n *topology.Network) bool {
	return n != nil && (n == s.t.Bridge0 || n.Name == "bridge" && n.Key == "")
}

// owner returns the container whose network namespace c uses, or nil for
// network_mode host and none (R6-17, R7-10).
func owner(c *topology.Container) *topology.Container {
	for range 8 {
		switch {
		case c.NetworkMode == "host" || c.NetworkMode == "none":
			return nil
		case c.NetNS != nil && c.NetNS != c:
			c = c.NetNS
		default:
			return c
		}
	}
	return c
}

// nsMode classifies the namespace a container lives in.
type nsMode uint8

const (
	nsBridge nsMode = iota // an ordinary namespace with endpoints (maybe none)
	nsHost
	nsNone
)

func modeOf(c *topology.Container) (nsMode, *topology.Container) {
	for range 8 {
		switch {
		case c.NetworkMode == "host":
			return nsHost, nil
		case c.NetworkMode == "none":
			return nsNone, nil
		case c.NetNS != nil && c.NetNS != c:
			c = c.NetNS
		default:
			return nsBridge, c
		}
	}
	return nsBridge, c
}

func proto(p string) string {
	if p == "" {
		return "tcp"
	}
	return strings.ToLower(p)
}

// icc reports whether containers on n may talk directly (R7-4); docker0
// follows the daemon's icc setting.
func (s *Sim) icc(n *topology.Network) bool {
	if s.isBridge0(n) {
		return s.t.Daemon.ICC
	}
	return n.ICC
}

// masq reports whether n masquerades outgoing traffic (R7-8): the network's
// option and the daemon's ip-masq must both be on, and gateway mode routed
// disables NAT (R8-13).
func (s *Sim) masq(n *topology.Network) bool {
	if n.Internal || n.GatewayMode == "routed" || !s.t.Daemon.IPMasq {
		return false
	}
	if s.isBridge0(n) {
		return true
	}
	return n.Masquerade
}

// isHostAddr reports whether a is an address the host itself owns: a host
// interface address or a Docker bridge's gateway address (R7-3, R7-11).
func (s *Sim) isHostAddr(a netip.Addr) bool {
	a = a.Unmap()
	return s.hostIPs[a] || s.gateways[a] != nil
}

// subnetOf returns the Docker network whose subnet contains a, preferring
// user networks over docker0 when they overlap.
func (s *Sim) subnetOf(a netip.Addr) *topology.Network {
	var hit *topology.Network
	for _, n := range s.nets {
		if n.Subnet.IsValid() && n.Subnet.Contains(a) {
			if hit == nil || s.isBridge0(hit) {
				hit = n
			}
		}
	}
	return hit
}

// listens reports whether the namespace owned by o (nil = the host
// namespace) accepts pp: known is false when some process set is
// undeclared, in which case the port is assumed open (R7-11 "needs a
// listener").
func (s *Sim) listens(o *topology.Container, pp topology.PortProto) (ok, known bool) {
	var group []*topology.Container
	if o == nil {
		if s.t.Host.Listeners == nil {
			known = false
		} else {
			known = true
			if hasPort(s.t.Host.Listeners, pp) {
				return true, true
			}
		}
		for _, c := range s.hostMode {
			if c.ListenKnown && hasPort(c.Listen, pp) {
				return true, true
			}
		}
		return false, known
	}
	group = s.members[o]
	if len(group) == 0 {
		group = []*topology.Container{o}
	}
	known = true
	for _, c := range group {
		if !c.ListenKnown {
			known = false
			continue
		}
		if hasPort(c.Listen, pp) {
			return true, true
		}
	}
	return false, known
}

func hasPort(l []topology.PortProto, pp topology.PortProto) bool {
	for _, p := range l {
		if p.Port == pp.Port && proto(p.Protocol) == pp.Protocol {
			return true
		}
	}
	return false
}

// netLabel is the compose key of n, or its engine name for networks outside
// the project (docker0, host-described networks).
func netLabel(n *topology.Network) string {
	if n == nil {
		return ""
	}
	if n.Key != "" {
		return n.Key
	}
	return n.Name
}

// findContainer resolves a container or service name given on the command
// line: exact container name, service name (its first replica), then the
// same case-insensitively.
func (s *Sim) findContainer(name string) *topology.Container {
	if c := s.ctrByName[name]; c != nil {
		return c
	}
	if c := s.svcFirst[name]; c != nil {
		return c
	}
	l := strings.ToLower(name)
	if c := s.ctrByName[l]; c != nil {
		return c
	}
	if c := s.svcFirst[l]; c != nil {
		return c
	}
	// Several projects: a service name without its project, when only
	// one project has a service of that name.
	if cs := s.bare[l]; len(cs) == 1 {
		return cs[0]
	}
	return nil
}

// Ambiguous returns the qualified names ("project/service") of the
// services that name, without its project, stands for when several
// projects share the host and more than one has a service of that name;
// nil otherwise. Commands then ask for the qualified name.
func (s *Sim) Ambiguous(name string) []string {
	if s.findContainer(name) != nil {
		return nil
	}
	cs := s.bare[strings.ToLower(name)]
	if len(cs) < 2 {
		return nil
	}
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Service
	}
	sort.Strings(out)
	return out
}

// ambiguityError is the error for a name that Ambiguous resolves to
// several services.
func ambiguityError(what, name string, cands []string) error {
	return fmt.Errorf("%s %q is ambiguous: several projects have a service of that name (%s); name one as project/service or by its container name", what, name, strings.Join(cands, ", "))
}

// Topology returns the topology s answers questions about.
func (s *Sim) Topology() *topology.Topology { return s.t }

// Container finds a container by engine name or a service by name (its
// first replica), exactly, then case-insensitively; nil when there is none.
func (s *Sim) Container(name string) *topology.Container { return s.findContainer(name) }
