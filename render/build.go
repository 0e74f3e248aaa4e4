package render

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/composenet/composenet/topology"
)

// Build turns t and the overlays of opt into the deterministic view model.
// It fails when opt.Focus names no service or container.
//
// The steps, in order: every container and network gets its view and ID;
// the focus filter picks what is drawn; the drawn containers join their
// networks (membership, home group, markers, layers); the published ports
// are listed; node names are indexed for the overlays; the --from colouring,
// the highlighted flows and the routes are resolved against those nodes.
func Build(t *topology.Topology, opt Options) (*View, error) {
	b := &builder{
		v:   &View{Project: t.Project, Focus: opt.Focus, PortsHidden: opt.HidePorts, nodes: map[string]string{}},
		ids: newIDs(),
	}
	b.v.Host.Addresses = slices.Clone(t.Host.Addresses)
	b.containers(t)
	b.networks(t)
	if err := b.keep(opt.Focus); err != nil {
		return nil, err
	}
	b.join()
	b.projects(t)
	layer(b.v)
	if !opt.HidePorts {
		b.ports()
	}
	b.index()
	if opt.Reach != nil && opt.ReachableFrom != "" {
		b.colour(opt.ReachableFrom, opt.Reach)
	}
	b.flows(opt.Highlights)
	b.routes(opt.Routes)
	return b.v, nil
}

// builder holds the state of one Build.
type builder struct {
	v   *View
	ids *idSet
	// all and allNets are every container and network, drawn or not, in
	// name order; cv and nv find them by model pointer.
	all     []*ContainerView
	allNets []*NetView
	cv      map[*topology.Container]*ContainerView
	nv      map[*topology.Network]*NetView
	keepN   map[*NetView]bool
}

// containers makes a view of every container, in name order, with its ID,
// image and namespace provider.
func (b *builder) containers(t *topology.Topology) {
	ctrs := slices.Clone(t.Containers)
	slices.SortFunc(ctrs, func(a, b *topology.Container) int { return cmp.Compare(a.Name, b.Name) })
	images := map[string]string{}
	for _, s := range t.Services {
		images[s.Name] = s.Image
	}
	replicas := map[string]int{}
	for _, c := range ctrs {
		if c.Service != "" {
			replicas[c.Service]++
		}
	}
	b.cv = map[*topology.Container]*ContainerView{}
	for _, c := range ctrs {
		x := &ContainerView{ID: b.ids.make("c_", c.Name), C: c, Image: images[c.Service], Scaled: replicas[c.Service] > 1}
		b.cv[c] = x
		b.all = append(b.all, x)
	}
	for _, x := range b.all {
		if ns := x.C.NetNS; ns != nil && ns != x.C {
			x.Provider = b.cv[ns]
		}
	}
}

// networks makes a view of every network in name order: the project's,
// plus docker0 when a container uses it.
func (b *builder) networks(t *topology.Topology) {
	nets := slices.Clone(t.Networks)
	if t.Bridge0 != nil && (len(t.Bridge0.Endpoints) > 0 || slices.ContainsFunc(t.Containers, func(c *topology.Container) bool { return c.NetworkMode == "bridge" })) {
		nets = append(nets, t.Bridge0)
	}
	slices.SortFunc(nets, func(a, b *topology.Network) int { return cmp.Compare(a.Name, b.Name) })
	b.nv = map[*topology.Network]*NetView{}
	for _, n := range nets {
		x := &NetView{ID: b.ids.make("n_", n.Name), Net: n, Egress: !n.Internal && n.Masquerade}
		b.nv[n] = x
		b.allNets = append(b.allNets, x)
	}
}

// keep picks what is drawn: everything, or with a focus the focused
// containers, what shares a network or a namespace with them, and those
// networks.
func (b *builder) keep(focus string) error {
	keepC := map[*ContainerView]bool{}
	b.keepN = map[*NetView]bool{}
	owner := func(x *ContainerView) *ContainerView {
		if x.Provider != nil {
			return x.Provider
		}
		return x
	}
	if focus == "" {
		for _, x := range b.all {
			keepC[x] = true
		}
		for _, n := range b.allNets {
			b.keepN[n] = true
		}
	} else {
		var seeds []*ContainerView
		for _, x := range b.all {
			if x.C.Service == focus || x.C.Name == focus {
				seeds = append(seeds, x)
			}
		}
		if len(seeds) == 0 {
			return fmt.Errorf("focus: no service or container named %q", focus)
		}
		for _, s := range seeds {
			keepC[s] = true
			keepC[owner(s)] = true
			for _, e := range owner(s).C.Endpoints {
				if n := b.nv[e.Network]; n != nil {
					b.keepN[n] = true
				}
			}
		}
		for _, x := range b.all {
			for _, e := range owner(x).C.Endpoints {
				if b.keepN[b.nv[e.Network]] {
					keepC[x] = true
				}
			}
			if keepC[owner(x)] {
				keepC[x] = true
			}
		}
	}
	for _, x := range b.all {
		if keepC[x] {
			b.v.Containers = append(b.v.Containers, x)
		}
	}
	for _, n := range b.allNets {
		if b.keepN[n] {
			b.v.Networks = append(b.v.Networks, n)
		}
	}
	return nil
}

// join records the drawn containers' endpoints on the drawn networks
// (members sorted by address, then name), puts single-network containers
// and their namespace sharers in their network's group, and notes which
// markings the legend needs.
func (b *builder) join() {
	v := b.v
	for _, x := range v.Containers {
		for _, e := range x.C.Endpoints {
			n := b.nv[e.Network]
			if n == nil || !b.keepN[n] {
				continue
			}
			m := Member{C: x, Addr: e.IPv4, Gateway: x.C.GatewayEndpoint() == e}
			x.Nets = append(x.Nets, m)
			x.NetNet = append(x.NetNet, n)
			n.Members = append(n.Members, m)
		}
		x.Published = len(x.C.Ports) > 0
	}
	for _, n := range v.Networks {
		slices.SortFunc(n.Members, func(a, b Member) int {
			if c := a.Addr.Compare(b.Addr); c != 0 {
				return c
			}
			return cmp.Compare(a.C.Name(), b.C.Name())
		})
	}
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
}

// ports lists the drawn containers' published ports, sorted by host
// address, host port, protocol, container name and container port.
func (b *builder) ports() {
	v := b.v
	for _, x := range v.Containers {
		for _, pb := range x.C.Ports {
			p := PortView{C: x, B: pb}
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

// index maps node names to IDs: services first (their first container),
// then networks (engine name, and compose key when free) and containers
// override, then the fixed nodes.
func (b *builder) index() {
	v := b.v
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
}

// colour sets the --from colouring from the Reach map.
func (b *builder) colour(from string, reach map[string]bool) {
	v := b.v
	v.From = from
	state := func(name string) ReachState {
		ok, seen := reach[name]
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
		if x.C.Service == from || x.Name() == from {
			x.Reach = ReachSource
		}
	}
	for _, n := range v.Networks {
		n.Reach = state(n.Name())
	}
	v.Host.Reach = state(NodeHost)
	v.Host.InternetReach = state(NodeInternet)
}

// flows resolves the highlighted flows into steps between drawn nodes; a
// node a flow names that the view lacks becomes an extra node.
func (b *builder) flows(highlights []Flow) {
	v := b.v
	extra := map[string]string{}
	resolve := func(name string) string {
		if id := v.nodes[name]; id != "" {
			return id
		}
		if id, ok := extra[name]; ok {
			return id
		}
		id := b.ids.make("x_", name)
		extra[name] = id
		v.Extra = append(v.Extra, ExtraNode{ID: id, Name: name})
		return id
	}
	for i, f := range highlights {
		v.Flows = append(v.Flows, flowView(i, f, resolve))
	}
	slices.SortFunc(v.Extra, func(a, b ExtraNode) int { return cmp.Compare(a.Name, b.Name) })
}

// flowView turns one flow's hops into steps: consecutive hops in the same
// node share a step, and a blocked flow ends at the node that drops it.
func flowView(i int, f Flow, resolve func(string) string) FlowView {
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
	// A path that never left its first node is drawn as a self step.
	for j := range fv.Steps {
		if fv.Steps[j].ToID == "" {
			fv.Steps[j].ToID = fv.Steps[j].FromID
		}
	}
	return fv
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

// idSet hands out sanitised, unique identifiers.
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

// projects groups the picture by compose project when t holds several
// (topology.Merge): each project gets the drawn containers it owns, and
// the networks it created (topology.Network.Project: the project that
// declares the network non-external, R2-4; a project that names it
// external only joins it, R2-5). A network no project created (the host
// description's, or an external one nobody creates) belongs to none. A
// container of another project that would live in a network's group is
// taken out of it, so that every container sits in its own project's
// group, joined to the network by its address edge.
func (b *builder) projects(t *topology.Topology) {
	v := b.v
	if len(t.Projects) < 2 {
		return
	}
	byName := map[string]*ProjectView{}
	for _, p := range t.Projects {
		pv := &ProjectView{Name: p.Name, ID: b.ids.make("p_", p.Name)}
		byName[p.Name] = pv
		v.Projects = append(v.Projects, pv)
	}
	for _, n := range v.Networks {
		if pv := byName[n.Net.Project]; pv != nil {
			n.Project = pv
			pv.Networks = append(pv.Networks, n)
		}
	}
	for _, n := range v.Networks {
		keep := n.Home[:0]
		for _, x := range n.Home {
			if byName[x.C.Project] == nil || n.Project != nil && x.C.Project == n.Project.Name {
				keep = append(keep, x)
				continue
			}
			x.Home = nil
		}
		n.Home = keep
	}
	for _, x := range v.Containers {
		if pv := byName[x.C.Project]; pv != nil {
			x.Project = pv
			pv.Containers = append(pv.Containers, x)
		}
	}
}
