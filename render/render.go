// Package render draws a topology.Topology as a picture: one package per
// format (ascii, dot, mermaid, svg) behind the one small Renderer interface
// defined here.
//
// Every format draws the same view model, built by Build: the networks as
// groups (name, subnet, markers for internal, external, icc off and no
// masquerade), each container once with its address on every network it
// joins, the Docker host with its published ports as NAT edges, the
// internet/LAN node with egress (masquerade) edges, network_mode sharing,
// and optional reachability overlays (highlighted and blocked flows, the
// --from colouring, the --focus filter).
//
// Renderers never load files or route packets: reachability arrives as
// Flow values and a Reach map that the caller fills from the sim package.
//
// Ordering: networks are sorted by engine name, containers by engine name,
// a network's members by address then name, published ports by host
// address, host port, protocol and container name. Node IDs are derived from
// engine names (a collision after sanitising gets a numeric suffix in
// sorted order), so the same input gives the same bytes in every format.
package render

import (
	"cmp"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Renderer writes one picture of t, with the overlays of opt, to w.
type Renderer interface {
	Render(w io.Writer, t *topology.Topology, opt Options) error
}

// Well-known node names used in Flow hops and Reach keys besides container
// and network engine names.
const (
	// NodeHost is the Docker host (its network namespace and firewall).
	NodeHost = "host"
	// NodeInternet is the world outside the host: the LAN and the internet.
	NodeInternet = "internet"
)

// Options are the overlays and filters of one picture. The zero value draws
// the plain topology.
type Options struct {
	// Highlights are simulated flows to draw on top of the topology: a
	// reachable flow in bold with per-hop latency labels and the total, a
	// blocked one in red, dashed, ending at the component that drops it.
	Highlights []Flow
	// ReachableFrom names the service (or container) whose point of view
	// Reach describes; its containers are drawn as the source.
	ReachableFrom string
	// Reach maps node names (container engine names, network engine names,
	// NodeHost, NodeInternet) to whether ReachableFrom can reach them. A
	// name that is absent was not evaluated and is drawn neutral.
	Reach map[string]bool
	// Focus keeps only the named service (or container), the containers it
	// shares a network (or a network namespace) with, and those networks.
	Focus string
	// HidePorts leaves out published ports.
	HidePorts bool
	// ASCIIOnly restricts text output to 7-bit ASCII (the ascii renderer).
	ASCIIOnly bool
}

// Flow is one simulated flow from a client to a server, as the caller
// converts it from a sim result.
type Flow struct {
	// From and To are what the user asked for (service or container names,
	// or NodeHost/NodeInternet).
	From, To string
	// Port is the destination port, e.g. "5432/tcp"; empty for none.
	Port string
	// Hops are the steps of the path in order. Hop.Node names the
	// component the step happens in.
	Hops []Hop
	// Reachable is the verdict.
	Reachable bool
	// BlockedAt is the node where an unreachable flow is dropped; empty
	// means the last hop.
	BlockedAt string
	// Rule is the blocking rule (a rule-book ID and/or the firewall rule).
	Rule string
	// Reason is a short human explanation of the verdict (optional).
	Reason string
	// TotalMS is the total one-way latency in milliseconds.
	TotalMS float64
}

// Hop is one step of a Flow.
type Hop struct {
	// Node is the component: a container or network engine name, NodeHost
	// or NodeInternet.
	Node string
	// Label says what happens there, e.g. "DNAT 0.0.0.0:8080 -> 172.18.0.2:80".
	Label string
	// LatencyMS is the one-way cost of the step in milliseconds.
	LatencyMS float64
}

// Title returns a short description of f such as "web -> db:5432/tcp".
func (f Flow) Title() string {
	s := f.From + " -> " + f.To
	if f.Port != "" {
		s += ":" + f.Port
	}
	return s
}

// ReachState is how the --from colouring sees a node.
type ReachState int

// The reach states. ReachUnknown is the zero value: no colouring.
const (
	ReachUnknown ReachState = iota
	ReachSource
	ReachYes
	ReachNo
)

// View is the deterministic picture model shared by the renderers.
type View struct {
	// Project is the compose project name.
	Project string
	// Networks are the networks drawn, sorted by engine name; docker0 is
	// included only when a drawn container uses it.
	Networks []*NetView
	// Containers are the containers drawn, sorted by engine name.
	Containers []*ContainerView
	// Host is the Docker host node.
	Host HostView
	// Ports are the published ports drawn (none with HidePorts), sorted by
	// host address, host port, protocol, then container name.
	Ports []PortView
	// Flows are the resolved overlays, in Options.Highlights order.
	Flows []FlowView
	// Extra are nodes named by flows that are not in the topology, sorted.
	Extra []ExtraNode
	// From is Options.ReachableFrom when a Reach map was given.
	From string
	// Focus is Options.Focus.
	Focus string
	// PortsHidden is Options.HidePorts.
	PortsHidden bool
	// HasInternal, HasICCOff, HasExternal, HasNoMasq, HasLoopbackPort,
	// HasShared say which markings appear (for the legend).
	HasInternal, HasICCOff, HasExternal, HasNoMasq, HasLoopbackPort, HasShared bool

	nodes map[string]string // node name -> node ID
}

// NetView is one drawn network.
type NetView struct {
	// ID is the stable node-safe identifier ("n_" + sanitised name).
	ID string
	// Net is the model network.
	Net *topology.Network
	// Members are every drawn container on this network, with addresses,
	// sorted by address then name.
	Members []Member
	// Home are the drawn containers that live only in this network (and
	// the containers sharing their namespace), sorted by name; renderers
	// that nest draw them inside the network's group.
	Home []*ContainerView
	// Egress is true when the network masquerades to the outside (not
	// internal, masquerade on, R7-8).
	Egress bool
	// Reach is the --from colouring of the network.
	Reach ReachState
	// Depth is the layer of the network counted from the host: 0 for the
	// networks of containers with published ports, 1 for the networks one
	// multi-homed container further in, and so on (see Build).
	Depth int
}

// Name returns the network's engine name.
func (n *NetView) Name() string { return n.Net.Name }

// Markers returns the short markers of the network in a fixed order:
// "default bridge" (docker0: no embedded DNS, R6-16), "internal",
// "external", "icc off", "no masquerade", "declared".
func (n *NetView) Markers() []string {
	var m []string
	if n.Net.Key == "" && n.Net.Bridge == "docker0" {
		m = append(m, "default bridge")
	}
	if n.Net.Internal {
		m = append(m, "internal")
	}
	if n.Net.External {
		m = append(m, "external")
	}
	if !n.Net.ICC {
		m = append(m, "icc off")
	}
	if !n.Net.Internal && !n.Net.Masquerade {
		m = append(m, "no masquerade")
	}
	if n.Net.Declared {
		m = append(m, "declared")
	}
	return m
}

// Member is a container's place on a network.
type Member struct {
	C *ContainerView
	// Addr is the container's IPv4 address on the network.
	Addr netip.Addr
	// Gateway is true when this endpoint carries the default route and the
	// published ports (R5-3, R8-7).
	Gateway bool
}

// ContainerView is one drawn container.
type ContainerView struct {
	// ID is the stable node-safe identifier ("c_" + sanitised name).
	ID string
	// C is the model container.
	C *topology.Container
	// Image is the service image ("" when unknown).
	Image string
	// Nets are the container's own endpoints as drawn, in gateway order.
	Nets []Member
	// NetNet are the drawn networks matching Nets, same order.
	NetNet []*NetView
	// Home is the network group the container is drawn in, or nil when it
	// sits between groups (several networks, host or none mode).
	Home *NetView
	// Provider is the container whose namespace this one shares
	// (network_mode service:/container:), nil otherwise.
	Provider *ContainerView
	// Reach is the --from colouring.
	Reach ReachState
	// Depth is the smallest Depth of the container's networks (0 when it
	// has none).
	Depth int
	// Published is true when the container has published ports (even
	// when they are hidden), so that hiding ports keeps the layout.
	Published bool
}

// Name returns the container's engine name.

// Above reports whether n should be drawn above c (between the host and c)
// in a layered picture: for a home member, when c publishes no port; for a
// container on several networks, when n is on c's own layer and c also
// joins deeper networks.
func (c *ContainerView) Above(n *NetView) bool {
	if c.Home == n {
		return !c.Published
	}
	deeper := false
	for _, m := range c.NetNet {
		if m.Depth > c.Depth {
			deeper = true
		}
	}
	return deeper && n.Depth == c.Depth
}
func (c *ContainerView) Name() string { return c.C.Name }

// Short returns the service name, or the engine name when the container
// has no service, with the replica number when the service has several.
func (c *ContainerView) Short() string {
	if c.C.Service == "" {
		return c.C.Name
	}
	return c.C.Service
}

// Mode returns the network_mode in plain words, or "" for ordinary bridge
// networking: "host network", "no network", "default bridge",
// "shares <name>".
func (c *ContainerView) Mode() string {
	m := c.C.NetworkMode
	switch {
	case m == "":
		return ""
	case m == "host":
		return "network_mode: host"
	case m == "none":
		return "network_mode: none"
	case m == "bridge":
		return "network_mode: bridge"
	default:
		return "network_mode: " + m
	}
}

// HostView is the Docker host.
type HostView struct {
	// Addresses are the host's interface addresses.
	Addresses []netip.Prefix
	// HostMode are the containers with network_mode: host, sorted.
	HostMode []*ContainerView
	// Reach is the --from colouring of the host.
	Reach ReachState
	// InternetReach is the --from colouring of the internet node.
	InternetReach ReachState
}

// PortView is one published port drawn as a NAT edge from the host.
type PortView struct {
	C *ContainerView
	B topology.PortBinding
}

// HostSide formats the host side of the binding: "0.0.0.0:8080",
// "127.0.0.1:5432" or "[::1]:6000".
func (p PortView) HostSide() string {
	ip := p.B.HostIP
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(ip, p.B.HostPort).String()
}

// Loopback reports whether the binding is on a loopback address only.
func (p PortView) Loopback() bool { return p.B.HostIP.IsValid() && p.B.HostIP.IsLoopback() }

// Label formats the NAT edge: "0.0.0.0:8080 -> web:80/tcp", with
// " (loopback only)" and " (ephemeral)" markers. arrow is the arrow to use.
func (p PortView) Label(arrow string) string {
	s := fmt.Sprintf("%s %s %s:%d/%s", p.HostSide(), arrow, p.C.Short(), p.B.ContainerPort, p.B.Protocol)
	if p.Loopback() {
		s += " (loopback only)"
	}
	if p.B.Ephemeral {
		s += " (ephemeral)"
	}
	return s
}

// FlowView is a Flow resolved against the drawn nodes.
type FlowView struct {
	Flow Flow
	// Index is the position in Options.Highlights.
	Index int
	// Steps are the edges of the path between consecutive distinct nodes.
	Steps []FlowStep
	// BlockedID is the node ID where a blocked flow ends ("" if reachable).
	BlockedID string
}

// FlowStep is one edge of a flow between two drawn nodes.
type FlowStep struct {
	FromID, ToID string
	// Labels are the hop labels that happen on arrival at ToID.
	Labels []string
	// LatencyMS is their summed latency.
	LatencyMS float64
}

// ExtraNode is a node a flow names that is not part of the topology (for
// example an external address).
type ExtraNode struct {
	ID, Name string
}

// Node IDs of the fixed nodes.
const (
	HostID     = "host"
	InternetID = "internet"
)

// GatewayID returns the ID of the node that stands for a network's bridge
// (its gateway address on the host) inside the network group.
func (n *NetView) GatewayID() string { return n.ID + "_gw" }

// NodeID returns the node ID for a node name (container, network, service,
// NodeHost, NodeInternet), or "" when the view has no such node. A network
// maps to its gateway node, a service to its first container.
func (v *View) NodeID(name string) string { return v.nodes[name] }

// Build turns t and the overlays of opt into the deterministic view model.
// It fails when opt.Focus names no service or container.
func Build(t *topology.Topology, opt Options) (*View, error) {
	v := &View{Project: t.Project, Focus: opt.Focus, PortsHidden: opt.HidePorts, nodes: map[string]string{}}
	v.Host.Addresses = slices.Clone(t.Host.Addresses)

	// Containers, in name order, and their IDs.
	ctrs := slices.Clone(t.Containers)
	slices.SortFunc(ctrs, func(a, b *topology.Container) int { return cmp.Compare(a.Name, b.Name) })
	images := map[string]string{}
	for _, s := range t.Services {
		images[s.Name] = s.Image
	}
	ids := newIDs()
	cv := map[*topology.Container]*ContainerView{}
	var all []*ContainerView
	for _, c := range ctrs {
		x := &ContainerView{ID: ids.make("c_", c.Name), C: c, Image: images[c.Service]}
		cv[c] = x
		all = append(all, x)
	}
	for _, x := range all {
		if ns := x.C.NetNS; ns != nil && ns != x.C {
			x.Provider = cv[ns]
		}
	}

	// Networks: the project's plus docker0 when used.
	nets := slices.Clone(t.Networks)
	if t.Bridge0 != nil && (len(t.Bridge0.Endpoints) > 0 || slices.ContainsFunc(ctrs, func(c *topology.Container) bool { return c.NetworkMode == "bridge" })) {
		nets = append(nets, t.Bridge0)
	}
	slices.SortFunc(nets, func(a, b *topology.Network) int { return cmp.Compare(a.Name, b.Name) })
	nv := map[*topology.Network]*NetView{}
	var allNets []*NetView
	for _, n := range nets {
		x := &NetView{ID: ids.make("n_", n.Name), Net: n, Egress: !n.Internal && n.Masquerade}
		nv[n] = x
		allNets = append(allNets, x)
	}

	// Focus: keep the focused containers, what shares a network or a
	// namespace with them, and those networks.
	keepC := map[*ContainerView]bool{}
	keepN := map[*NetView]bool{}
	if opt.Focus != "" {
		var seeds []*ContainerView
		for _, x := range all {
			if x.C.Service == opt.Focus || x.C.Name == opt.Focus {
				seeds = append(seeds, x)
			}
		}
		if len(seeds) == 0 {
			return nil, fmt.Errorf("focus: no service or container named %q", opt.Focus)
		}
		for _, s := range seeds {
			keepC[s] = true
			owner := s
			if s.Provider != nil {
				owner = s.Provider
			}
			keepC[owner] = true
			for _, e := range owner.C.Endpoints {
				if n := nv[e.Network]; n != nil {
					keepN[n] = true
				}
			}
		}
		for _, x := range all {
			owner := x
			if x.Provider != nil {
				owner = x.Provider
			}
			for _, e := range owner.C.Endpoints {
				if keepN[nv[e.Network]] {
					keepC[x] = true
				}
			}
			if keepC[owner] {
				keepC[x] = true
			}
		}
	} else {
		for _, x := range all {
			keepC[x] = true
		}
		for _, n := range allNets {
			keepN[n] = true
		}
	}
	for _, x := range all {
		if keepC[x] {
			v.Containers = append(v.Containers, x)
		}
	}
	for _, n := range allNets {
		if keepN[n] {
			v.Networks = append(v.Networks, n)
		}
	}

	// Membership.
	for _, x := range v.Containers {
		for _, e := range x.C.Endpoints {
			n := nv[e.Network]
			if n == nil || !keepN[n] {
				continue
			}
			m := Member{C: x, Addr: e.IPv4, Gateway: x.C.GatewayEndpoint() == e}
			x.Nets = append(x.Nets, m)
			x.NetNet = append(x.NetNet, n)
			n.Members = append(n.Members, m)
		}
	}
	for _, n := range v.Networks {
		slices.SortFunc(n.Members, func(a, b Member) int {
			if c := a.Addr.Compare(b.Addr); c != 0 {
				return c
			}
			return cmp.Compare(a.C.Name(), b.C.Name())
		})
	}
	// Home: single-network containers live inside their network; sharers
	// follow their provider.
	for _, x := range v.Containers {
		if x.Provider == nil && len(x.NetNet) == 1 && x.C.NetworkMode != "host" && x.C.NetworkMode != "none" {
			x.Home = x.NetNet[0]
		}
	}
	for _, x := range v.Containers {
		if x.Provider != nil {
			x.Home = x.Provider.Home
			v.HasShared = true
		}
		if x.Home != nil {
			x.Home.Home = append(x.Home.Home, x)
		}
		if x.C.NetworkMode == "host" {
			v.Host.HostMode = append(v.Host.HostMode, x)
		}
	}

	for _, n := range v.Networks {
		v.HasInternal = v.HasInternal || n.Net.Internal
		v.HasExternal = v.HasExternal || n.Net.External
		v.HasICCOff = v.HasICCOff || !n.Net.ICC
		v.HasNoMasq = v.HasNoMasq || (!n.Net.Internal && !n.Net.Masquerade)
	}

	for _, x := range v.Containers {
		x.Published = len(x.C.Ports) > 0
	}
	layer(v)

	// Published ports.
	if !opt.HidePorts {
		for _, x := range v.Containers {
			for _, b := range x.C.Ports {
				p := PortView{C: x, B: b}
				v.Ports = append(v.Ports, p)
				v.HasLoopbackPort = v.HasLoopbackPort || p.Loopback()
			}
		}
		slices.SortFunc(v.Ports, func(a, b PortView) int {
			if c := a.B.HostIP.Compare(b.B.HostIP); c != 0 {
				return c
			}
			if c := cmp.Compare(a.B.HostPort, b.B.HostPort); c != 0 {
				return c
			}
			if c := cmp.Compare(a.B.Protocol, b.B.Protocol); c != 0 {
				return c
			}
			if c := cmp.Compare(a.C.Name(), b.C.Name()); c != 0 {
				return c
			}
			return cmp.Compare(a.B.ContainerPort, b.B.ContainerPort)
		})
	}

	// Node names -> IDs: services first (first container), then
	// containers and networks override, then the fixed nodes.
	for i := len(v.Containers) - 1; i >= 0; i-- {
		if s := v.Containers[i].C.Service; s != "" {
			v.nodes[s] = v.Containers[i].ID
		}
	}
	for _, n := range v.Networks {
		v.nodes[n.Name()] = n.GatewayID()
		if n.Net.Key != "" {
			if _, ok := v.nodes[n.Net.Key]; !ok {
				v.nodes[n.Net.Key] = n.GatewayID()
			}
		}
	}
	for _, x := range v.Containers {
		v.nodes[x.Name()] = x.ID
	}
	v.nodes[NodeHost] = HostID
	v.nodes[NodeInternet] = InternetID

	// --from colouring.
	if opt.Reach != nil && opt.ReachableFrom != "" {
		v.From = opt.ReachableFrom
		state := func(name string) ReachState {
			ok, seen := opt.Reach[name]
			switch {
			case !seen:
				return ReachUnknown
			case ok:
				return ReachYes
			default:
				return ReachNo
			}
		}
		for _, x := range v.Containers {
			x.Reach = state(x.Name())
			if x.C.Service == opt.ReachableFrom || x.Name() == opt.ReachableFrom {
				x.Reach = ReachSource
			}
		}
		for _, n := range v.Networks {
			n.Reach = state(n.Name())
		}
		v.Host.Reach = state(NodeHost)
		v.Host.InternetReach = state(NodeInternet)
	}

	// Flows.
	extra := map[string]string{}
	resolve := func(name string) string {
		if id := v.nodes[name]; id != "" {
			return id
		}
		if id, ok := extra[name]; ok {
			return id
		}
		id := ids.make("x_", name)
		extra[name] = id
		v.Extra = append(v.Extra, ExtraNode{ID: id, Name: name})
		return id
	}
	for i, f := range opt.Highlights {
		fv := FlowView{Flow: f, Index: i}
		prev := ""
		if len(f.Hops) == 0 {
			fv.Steps = append(fv.Steps, FlowStep{FromID: resolve(f.From), ToID: resolve(f.To), LatencyMS: f.TotalMS})
			prev = fv.Steps[0].ToID
		}
		for _, h := range f.Hops {
			id := resolve(h.Node)
			if prev == "" {
				prev = id
				// The first hop happens in the source: attach its label
				// and latency to the first edge.
				fv.Steps = append(fv.Steps, FlowStep{FromID: id})
				fv.Steps[0].addHop(h)
				continue
			}
			last := &fv.Steps[len(fv.Steps)-1]
			switch {
			case id == prev:
				last.addHop(h)
			case last.ToID == "":
				last.ToID = id
				last.addHop(h)
			default:
				fv.Steps = append(fv.Steps, FlowStep{FromID: prev, ToID: id})
				fv.Steps[len(fv.Steps)-1].addHop(h)
			}
			prev = id
		}
		if !f.Reachable {
			at := f.BlockedAt
			if at == "" {
				fv.BlockedID = prev
			} else {
				fv.BlockedID = resolve(at)
				switch {
				case prev == "" || fv.BlockedID == prev:
				case fv.Steps[len(fv.Steps)-1].ToID == "":
					fv.Steps[len(fv.Steps)-1].ToID = fv.BlockedID
				default:
					fv.Steps = append(fv.Steps, FlowStep{FromID: prev, ToID: fv.BlockedID})
				}
			}
		}
		// A path that never left its first node is drawn as a self step
		// only when nothing else is there.
		var steps []FlowStep
		for _, s := range fv.Steps {
			if s.ToID == "" {
				s.ToID = s.FromID
			}
			steps = append(steps, s)
		}
		fv.Steps = steps
		v.Flows = append(v.Flows, fv)
	}
	slices.SortFunc(v.Extra, func(a, b ExtraNode) int { return cmp.Compare(a.Name, b.Name) })
	return v, nil
}

// layer assigns Depth: a breadth-first search over the network/container
// graph from the networks of containers with published ports (when there
// are none, from the non-internal networks; a part of the graph that the
// search does not reach starts again from its first network in name order).
func layer(v *View) {
	const unset = -1
	for _, n := range v.Networks {
		n.Depth = unset
	}
	var queue []*NetView
	seed := func(n *NetView) {
		if n.Depth == unset {
			n.Depth = 0
			queue = append(queue, n)
		}
	}
	for _, c := range v.Containers {
		if len(c.C.Ports) > 0 {
			for _, n := range c.NetNet {
				seed(n)
			}
		}
	}
	if len(queue) == 0 {
		for _, n := range v.Networks {
			if !n.Net.Internal {
				seed(n)
			}
		}
	}
	byNet := map[*NetView][]*ContainerView{}
	for _, c := range v.Containers {
		for _, n := range c.NetNet {
			byNet[n] = append(byNet[n], c)
		}
	}
	for {
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, c := range byNet[n] {
				for _, m := range c.NetNet {
					if m.Depth == unset {
						m.Depth = n.Depth + 1
						queue = append(queue, m)
					}
				}
			}
		}
		i := slices.IndexFunc(v.Networks, func(n *NetView) bool { return n.Depth == unset })
		if i < 0 {
			break
		}
		seed(v.Networks[i])
	}
	for _, c := range v.Containers {
		c.Depth = 0
		for i, n := range c.NetNet {
			if i == 0 || n.Depth < c.Depth {
				c.Depth = n.Depth
			}
		}
	}
}

func (s *FlowStep) addHop(h Hop) {
	if h.Label != "" {
		s.Labels = append(s.Labels, h.Label)
	}
	s.LatencyMS += h.LatencyMS
}

// FormatMS formats a latency in milliseconds compactly and
// deterministically: "0.012 ms", "1.5 ms", "20 ms".
func FormatMS(ms float64) string {
	switch {
	case ms == 0:
		return "0 ms"
	case ms < 0.01:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", ms), "0"), ".") + " ms"
	case ms < 1:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", ms), "0"), ".") + " ms"
	default:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", ms), "0"), ".") + " ms"
	}
}

// ids hands out sanitised, unique identifiers.
type idSet struct{ used map[string]bool }

func newIDs() *idSet { return &idSet{used: map[string]bool{HostID: true, InternetID: true}} }

func (s *idSet) make(prefix, name string) string {
	base := prefix + Sanitize(name)
	id := base
	for i := 2; s.used[id] || s.used[id+"_gw"]; i++ {
		id = fmt.Sprintf("%s_%d", base, i)
	}
	s.used[id] = true
	if prefix == "n_" {
		s.used[id+"_gw"] = true
	}
	return id
}

// Sanitize maps a name to [A-Za-z0-9_]: every other byte becomes '_'.
func Sanitize(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			b[i] = '_'
		}
	}
	return string(b)
}
