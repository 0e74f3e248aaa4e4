package sim

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// tb builds topologies by hand, the way the loader would: B0 daemon and
// host, subnets 172.18.0.0/16, 172.19.0.0/16, ... in declaration order,
// addresses handed out in the order containers are added (start order),
// endpoints sorted per R5-3, DNS names per R6-3.
type tb struct {
	t       *topology.Topology
	next    map[*topology.Network]int
	subnets int
	line    int
}

func b0Daemon() topology.Daemon {
	return topology.Daemon{
		UserlandProxy: true, ICC: true, IPMasq: true,
		Bridge0:       netip.MustParsePrefix("172.17.0.1/16"),
		HostGatewayIP: netip.MustParseAddr("172.17.0.1"),
	}
}

func newTB(project string) *tb {
	b := &tb{next: map[*topology.Network]int{}, line: 1}
	b.t = &topology.Topology{
		Project: project,
		Daemon:  b0Daemon(),
		Host: topology.Host{
			Addresses:   []netip.Prefix{netip.MustParsePrefix("192.168.1.10/24")},
			Nameservers: []netip.Addr{netip.MustParseAddr("192.168.1.1")},
		},
		Latency: topology.DefaultLatency(),
		Files:   []string{"compose.yaml"},
	}
	b.t.Bridge0 = &topology.Network{
		Key: "", Name: "bridge", Driver: "bridge", ICC: true, Masquerade: true, GatewayMode: "nat",
		Bridge: "docker0", Subnet: netip.MustParsePrefix("172.17.0.0/16"), Gateway: netip.MustParseAddr("172.17.0.1"),
	}
	b.next[b.t.Bridge0] = 2
	return b
}

func (b *tb) pos() topology.Position {
	b.line++
	return topology.Position{File: "compose.yaml", Line: b.line, Col: 3}
}

func hex12(s string) string {
	h := fnv.New64a()
	h.Write([]byte(s))
	return fmt.Sprintf("%016x", h.Sum64())[:12]
}

// net declares network key; options tweak it.
func (b *tb) net(key string, opts ...func(*topology.Network)) *topology.Network {
	b.subnets++
	third := 17 + b.subnets
	n := &topology.Network{
		Key: key, Name: b.t.Project + "_" + key, Driver: "bridge", ICC: true, Masquerade: true, GatewayMode: "nat",
		Subnet:  netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(third), 0, 0}), 16),
		Gateway: netip.AddrFrom4([4]byte{172, byte(third), 0, 1}),
		Pos:     b.pos(),
	}
	n.Bridge = "br-" + hex12(n.Name)
	for _, o := range opts {
		o(n)
	}
	b.next[n] = 2
	b.t.Networks = append(b.t.Networks, n)
	return n
}

func internal(n *topology.Network) { n.Internal = true }
func noICC(n *topology.Network)    { n.ICC = false }
func noMasq(n *topology.Network)   { n.Masquerade = false }

func (b *tb) network(key string) *topology.Network {
	for _, n := range b.t.Networks {
		if n.Key == key {
			return n
		}
	}
	if key == "bridge" {
		return b.t.Bridge0
	}
	panic("no network " + key)
}

// ep describes one attachment: "net" or "net:alias1,alias2".
func (b *tb) svc(name string, replicas int, eps []string, opts ...func(*topology.Container)) []*topology.Container {
	sv := &topology.Service{Name: name, Replicas: replicas, Pos: b.pos()}
	var out []*topology.Container
	for r := 1; r <= replicas; r++ {
		c := &topology.Container{
			Name: fmt.Sprintf("%s-%s-%d", b.t.Project, name, r), Service: name, Project: b.t.Project,
			Replica: r, Pos: sv.Pos,
		}
		c.ID = hex12(c.Name)
		c.Hostname = c.ID
		c.NetNS = c
		for _, o := range opts {
			o(c)
		}
		if c.NetworkMode == "host" || c.NetworkMode == "none" {
			c.NetNS = nil
		}
		for _, spec := range eps {
			key, aliases, _ := strings.Cut(spec, ":")
			n := b.network(key)
			e := &topology.Endpoint{Container: c, Network: n, Pos: b.pos()}
			if aliases != "" {
				e.Aliases = strings.Split(aliases, ",")
			}
			b.attach(e)
		}
		sv.Containers = append(sv.Containers, c)
		out = append(out, c)
		b.t.Containers = append(b.t.Containers, c)
	}
	b.t.Services = append(b.t.Services, sv)
	return out
}

func (b *tb) attach(e *topology.Endpoint) {
	n := e.Network
	i := b.next[n]
	b.next[n] = i + 1
	a := n.Subnet.Addr().As4()
	a[2], a[3] = byte(i/256), byte(i%256)
	e.IPv4 = netip.AddrFrom4(a)
	e.Container.Endpoints = append(e.Container.Endpoints, e)
	n.Endpoints = append(n.Endpoints, e)
}

// publish adds "hostIP:hostPort:ctrPort/proto" to every replica (hostIP may
// be empty for 0.0.0.0). Call after done() has sorted the endpoints or
// before: the gateway endpoint is resolved in done().
func publish(spec string) func(*topology.Container) {
	return func(c *topology.Container) {
		pr := "tcp"
		if i := strings.IndexByte(spec, '/'); i >= 0 {
			spec, pr = spec[:i], spec[i+1:]
		}
		parts := strings.Split(spec, ":")
		var ip netip.Addr
		if len(parts) == 3 {
			ip = netip.MustParseAddr(parts[0])
			parts = parts[1:]
		}
		var hp, cp int
		fmt.Sscan(parts[0], &hp)
		fmt.Sscan(parts[1], &cp)
		c.Ports = append(c.Ports, topology.PortBinding{HostIP: ip, HostPort: uint16(hp), ContainerPort: uint16(cp), Protocol: pr,
			Family4Only: ip.IsValid() && ip.Is4(), Pos: topology.Position{File: "compose.yaml", Line: 90, Col: 9}})
	}
}

func listen(ports ...string) func(*topology.Container) {
	return func(c *topology.Container) {
		c.ListenKnown = true
		for _, p := range ports {
			var n int
			pr := "tcp"
			if i := strings.IndexByte(p, '/'); i >= 0 {
				p, pr = p[:i], p[i+1:]
			}
			fmt.Sscan(p, &n)
			c.Listen = append(c.Listen, topology.PortProto{Port: uint16(n), Protocol: pr})
		}
	}
}

func mode(m string) func(*topology.Container) {
	return func(c *topology.Container) { c.NetworkMode = m }
}

func extraHost(name, ip string) func(*topology.Container) {
	return func(c *topology.Container) {
		c.ExtraHosts = append(c.ExtraHosts, topology.HostEntry{Name: name, IP: netip.MustParseAddr(ip)})
	}
}

// done sorts everything like the loader and fills the derived fields.
func (b *tb) done() *topology.Topology {
	t := b.t
	byName := map[string]*topology.Container{}
	for _, c := range t.Containers {
		byName[c.Name] = c
	}
	for _, c := range t.Containers {
		if strings.HasPrefix(c.NetworkMode, "service:") {
			svc := strings.TrimPrefix(c.NetworkMode, "service:")
			for _, sv := range t.Services {
				if sv.Name == svc {
					c.NetNS = sv.Containers[0]
				}
			}
		}
		// R5-3 gateway order.
		sort.SliceStable(c.Endpoints, func(i, j int) bool {
			a, z := c.Endpoints[i], c.Endpoints[j]
			if a.GwPriority != z.GwPriority {
				return a.GwPriority > z.GwPriority
			}
			if a.Network.Internal != z.Network.Internal {
				return !a.Network.Internal
			}
			return a.Network.Name < z.Network.Name
		})
		for _, e := range c.Endpoints {
			if e.Network == t.Bridge0 {
				continue
			}
			names := []string{c.Name, c.Service}
			names = append(names, e.Aliases...)
			names = append(names, c.ID, c.Hostname)
			seen := map[string]bool{}
			for _, n := range names {
				if n != "" && !seen[n] {
					seen[n] = true
					e.DNSNames = append(e.DNSNames, n)
				}
			}
		}
		gw := c.GatewayEndpoint()
		if gw == nil {
			c.Ports = nil // R7-5: internal-only drops ports
		}
		for i := range c.Ports {
			c.Ports[i].Endpoint = gw
		}
	}
	sort.Slice(t.Containers, func(i, j int) bool { return t.Containers[i].Name < t.Containers[j].Name })
	sort.Slice(t.Networks, func(i, j int) bool { return t.Networks[i].Name < t.Networks[j].Name })
	for _, n := range append([]*topology.Network{t.Bridge0}, t.Networks...) {
		sort.Slice(n.Endpoints, func(i, j int) bool { return n.Endpoints[i].IPv4.Less(n.Endpoints[j].IPv4) })
	}
	return t
}

// shop is the worked example of section 14.
func shop() *topology.Topology {
	b := newTB("shop")
	b.net("back", internal) // sorted keys: back=172.18, front=172.19
	b.net("front")
	b.svc("db", 2, []string{"back"})
	b.svc("api", 1, []string{"front", "back:backend"})
	b.svc("web", 1, []string{"front"}, publish("8080:80"))
	return b.done()
}

func mustQ(t *testing.T, s *Sim, from, to string) Result {
	t.Helper()
	target, port, pr, err := ParseTarget(to)
	if err != nil {
		t.Fatal(err)
	}
	return s.Reach(Query{From: from, To: target, Port: port, Protocol: pr})
}
