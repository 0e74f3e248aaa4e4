package review

// Exposure: what the internet/LAN and the host reach, and the attack
// surface that follows from the services' declared calls.
//
// Model (decisions where the rule book leaves the shape of the answer open):
//
//   - Entry points from the internet/LAN are the published bindings a remote
//     client reaches on a host address (R7-9, R7-11), the listeners of
//     network_mode: host containers (R7-10; undeclared listeners are assumed
//     to be exposed unless the host firewall filters INPUT), and container
//     addresses on networks whose gateway mode lifts the direct-access filter
//     (nat-unprotected, routed: R8-13). Every verdict comes from sim.Reach.
//   - Bindings on 127.0.0.1 or ::1 are reachable from the host only (R7-9,
//     Engine 28); they are listed, drawn from a "host" node, and not expanded.
//   - The host reaches every container address on any port (R7-6); that is
//     summarised as counts, not listed per port.
//   - The attack surface is a directed graph (adjacency lists; gonum's
//     graph packages did this until issue 15: linking them cost every
//     composenet start their initialisers): internet -> entry
//     services -> the services their declared calls (review.Calls:
//     environment URLs, host:port values, *_HOST keys) reach, where a call
//     counts only when sim.Reach delivers it from the caller's first replica.
//     A breadth-first walk from the internet node gives each service its
//     depth (hops from the internet) and the path that makes it reachable.
//   - Determinism: graph node IDs are assigned in sorted name order (the
//     internet node first) and the walk visits neighbours in ID order, so
//     among equally short paths the one through the name-first service wins.

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Kinds of entry point and edge in an exposure report.
const (
	// EntryBinding is a published port (ports:, R8).
	EntryBinding = "binding"
	// EntryHostNetwork is a listener of a network_mode: host container
	// (R7-10): it binds host ports directly.
	EntryHostNetwork = "host-network"
	// EntryDirect is a container address routed from the LAN because its
	// network's gateway mode lifts the direct-access filter (R8-13).
	EntryDirect = "direct-routing"
	// EdgeCall is a declared call (environment value) that sim delivers.
	EdgeCall = "call"
)

// NoCalls is what the report says of a reachable service that declares no
// call in its environment.
const NoCalls = "no declared calls (environment URLs)"

// ExposureReport is what the internet/LAN and the host reach, and what the
// exposed services reach in turn through their declared calls. Every slice
// is sorted as its comment says; the JSON field names are a contract.
type ExposureReport struct {
	// Project and Files identify the input.
	Project string   `json:"project"`
	Files   []string `json:"files"`
	// Entries are every published binding, host-network listener and
	// directly routed container address, sorted by host port, protocol,
	// host address, then container.
	Entries []Entry `json:"entries"`
	// Host summarises what the host reaches directly (R7-6).
	Host HostReach `json:"host"`
	// Surface lists the services reachable from the internet/LAN, by depth
	// then name, each with the path that reaches it and its declared calls.
	Surface []SurfaceNode `json:"surface"`
	// Edges are the exposure graph's edges between "internet", "host" and
	// the surface's services (the host's edges are its loopback-only
	// bindings), sorted by from, then to.
	Edges []ExposureEdge `json:"edges"`
	// Routes are the reverse-proxy routes (routes_exposure.go), sorted by
	// proxy, backend, then position.
	Routes []PublishedRoute `json:"routes"`
	// Notes state assumptions the report depends on.
	Notes []string `json:"notes"`
}

// Entry is one way into the project from outside the containers.
type Entry struct {
	// Kind is EntryBinding, EntryHostNetwork or EntryDirect.
	Kind string `json:"kind"`
	// Service is the compose service (the container name for containers
	// declared by the host description).
	Service   string `json:"service"`
	Container string `json:"container"`
	// HostIP is the binding address as written ("0.0.0.0" when none was
	// given); for EntryDirect the container address.
	HostIP string `json:"host_ip"`
	// HostPort is the host port (0 for EntryDirect: every port, and for a
	// host-network container whose listeners are not declared).
	HostPort      uint16 `json:"host_port"`
	ContainerPort uint16 `json:"container_port"`
	Protocol      string `json:"protocol"`
	// AlsoIPv6 is true when 0.0.0.0 also binds [::] (no explicit host_ip,
	// R8-6).
	AlsoIPv6 bool `json:"also_ipv6,omitempty"`
	// Loopback is true for bindings on 127.0.0.0/8 or ::1: the host only
	// (R7-9).
	Loopback bool `json:"loopback"`
	// Internet is the verdict for a client on the internet or LAN.
	Internet sim.Verdict `json:"internet"`
	// FromHost is the verdict for a process on the host.
	FromHost sim.Verdict `json:"host"`
	// Reason explains a verdict other than delivered, or an assumption.
	Reason string `json:"reason,omitempty"`
	// Rule is the rule-book ID that decides the entry.
	Rule     string            `json:"rule"`
	Position string            `json:"position"`
	Pos      topology.Position `json:"-"`
}

// Exposed reports whether the internet/LAN reaches the entry.
func (e Entry) Exposed() bool { return e.Internet == sim.Delivered }

// HostOnly reports whether only the host reaches the entry.
func (e Entry) HostOnly() bool { return !e.Exposed() && e.FromHost == sim.Delivered }

// Label is the entry in one line, e.g. "0.0.0.0:80 -> api-gateway:80/tcp".
func (e Entry) Label() string {
	switch e.Kind {
	case EntryDirect:
		return fmt.Sprintf("%s (any port) -> %s, routed from the LAN", e.HostIP, e.Container)
	case EntryHostNetwork:
		if e.HostPort == 0 {
			return fmt.Sprintf("%s:* -> %s (network_mode: host, listeners undeclared)", e.HostIP, e.Container)
		}
		return fmt.Sprintf("%s -> %s (network_mode: host)", hostPort(e.HostIP, e.HostPort)+"/"+e.Protocol, e.Container)
	}
	return fmt.Sprintf("%s -> %s:%d/%s", hostPort(e.HostIP, e.HostPort), e.Container, e.ContainerPort, e.Protocol)
}

func hostPort(ip string, port uint16) string {
	if strings.Contains(ip, ":") {
		return fmt.Sprintf("[%s]:%d", ip, port)
	}
	return fmt.Sprintf("%s:%d", ip, port)
}

// HostReach summarises R7-6: the host reaches every container address on
// any port of any bridge network, internal ones included.
type HostReach struct {
	Rule string `json:"rule"`
	// Containers is the number of containers; Reachable how many of them the
	// host reaches by address (IP level).
	Containers int `json:"containers"`
	Reachable  int `json:"reachable"`
	// Networks and InternalNetworks count the networks with members.
	Networks         int `json:"networks"`
	InternalNetworks int `json:"internal_networks"`
	// Unreachable lists the exceptions (network_mode: none, ...), by name.
	Unreachable []Unreached `json:"unreachable"`
}

// Unreached is a container the host does not reach, and why.
type Unreached struct {
	Container string      `json:"container"`
	Verdict   sim.Verdict `json:"verdict"`
	Reason    string      `json:"reason"`
}

// SurfaceNode is a service reachable from the internet/LAN.
type SurfaceNode struct {
	Name string `json:"name"`
	// Depth is the number of hops from the internet: 1 for an entry point.
	Depth int `json:"depth"`
	// Path runs from "internet" to Name along the shortest path (ties by
	// name, see the package notes).
	Path []string `json:"path"`
	// Via is the label of the path's last edge: the entry or the call.
	Via string `json:"via"`
	// Calls are the service's declared calls, sorted by target then
	// variable, reachable or not.
	Calls []CallResult `json:"calls"`
}

// CallResult is a declared call with its verdict.
type CallResult struct {
	// Target is HOST[:PORT] as the environment value names it.
	Target string `json:"target"`
	// Service is the service the call reaches (empty when not delivered).
	Service  string            `json:"service,omitempty"`
	Env      string            `json:"env"`
	Verdict  sim.Verdict       `json:"verdict"`
	Reason   string            `json:"reason,omitempty"`
	Position string            `json:"position"`
	Pos      topology.Position `json:"-"`
}

// ExposureEdge is one edge of the exposure graph.
type ExposureEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Kind is an Entry kind or EdgeCall.
	Kind string `json:"kind"`
	// Labels are the bindings or calls the edge stands for, in entry order
	// (by host port) or call order (by target).
	Labels []string `json:"labels"`
	// Path is true when the edge lies on the path that first reaches To.
	Path bool `json:"path"`
}

// Exposure computes the exposure report of t. The result is deterministic.
func Exposure(t *topology.Topology) *ExposureReport {
	s := sim.New(t)
	rep := &ExposureReport{Project: t.Project, Files: append([]string{}, t.Files...), Entries: []Entry{}, Surface: []SurfaceNode{}, Edges: []ExposureEdge{}, Notes: []string{}}
	rep.Entries = entries(t, s)
	rep.Host = hostReach(t, s)
	rep.Routes = publishedRoutes(t, s, rep.Entries)

	// Declared calls, evaluated once per service.
	calls := map[string][]CallResult{}
	for _, cl := range Calls(t) {
		calls[cl.From] = append(calls[cl.From], evalCall(t, s, cl))
	}
	for _, cs := range calls {
		sort.SliceStable(cs, func(i, j int) bool {
			if cs[i].Target != cs[j].Target {
				return cs[i].Target < cs[j].Target
			}
			return cs[i].Env < cs[j].Env
		})
	}

	// The graph: node names, IDs in sorted order with internet first.
	names := map[string]bool{}
	for _, c := range t.Containers {
		names[nodeName(c)] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		if n != sim.Internet && n != sim.Host {
			sorted = append(sorted, n)
		}
	}
	sort.Strings(sorted)
	sorted = append([]string{sim.Internet}, sorted...)
	id := map[string]int{}
	for i, n := range sorted {
		id[n] = i
	}
	// out[i] are the nodes with an edge from node i (IDs in name order).
	out := make([][]int, len(sorted))
	labels := map[[2]string]*ExposureEdge{}
	addEdge := func(from, to, kind, label string) {
		_, okTo := id[to]
		_, okFrom := id[from]
		if from == to || !okTo || !okFrom && from != sim.Host {
			return
		}
		k := [2]string{from, to}
		e := labels[k]
		if e == nil {
			e = &ExposureEdge{From: from, To: to, Kind: kind}
			labels[k] = e
			if from != sim.Host {
				out[id[from]] = append(out[id[from]], id[to])
			}
		}
		if !containsStr(e.Labels, label) {
			e.Labels = append(e.Labels, label)
		}
	}
	hostOnly := false
	for _, en := range rep.Entries {
		switch {
		case en.Exposed():
			addEdge(sim.Internet, en.Service, en.Kind, en.Label())
		case en.HostOnly() && en.Loopback:
			addEdge(sim.Host, en.Service, en.Kind, en.Label())
			hostOnly = true
		}
	}
	for from, cs := range calls {
		for _, c := range cs {
			if c.Verdict == sim.Delivered && c.Service != "" && names[from] {
				addEdge(from, c.Service, EdgeCall, callLabel(c))
			}
		}
	}

	// Breadth-first from the internet; neighbours in ID (= name) order, so
	// the first path found to a node (its parent) is the same every run.
	depth := map[string]int{sim.Internet: 0}
	parent := map[string]string{}
	for queue := []int{id[sim.Internet]}; len(queue) > 0; queue = queue[1:] {
		fromID := queue[0]
		from := sorted[fromID]
		next := out[fromID]
		slices.Sort(next)
		for _, toID := range next {
			to := sorted[toID]
			if _, seen := depth[to]; !seen {
				depth[to] = depth[from] + 1
				parent[to] = from
				queue = append(queue, toID)
			}
		}
	}

	for _, n := range sorted[1:] {
		d, ok := depth[n]
		if !ok {
			continue
		}
		var path []string
		for cur := n; ; cur = parent[cur] {
			path = append([]string{cur}, path...)
			if cur == sim.Internet {
				break
			}
		}
		via := labels[[2]string{parent[n], n}]
		cs := calls[n]
		if cs == nil {
			cs = []CallResult{}
		}
		rep.Surface = append(rep.Surface, SurfaceNode{Name: n, Depth: d, Path: path, Via: strings.Join(via.Labels, ", "), Calls: cs})
	}
	sort.SliceStable(rep.Surface, func(i, j int) bool {
		if rep.Surface[i].Depth != rep.Surface[j].Depth {
			return rep.Surface[i].Depth < rep.Surface[j].Depth
		}
		return rep.Surface[i].Name < rep.Surface[j].Name
	})
	for _, e := range labels {
		_, fromIn := depth[e.From]
		if e.From == sim.Host || fromIn {
			e.Path = parent[e.To] == e.From && e.From != sim.Host
			rep.Edges = append(rep.Edges, *e)
		}
	}
	sort.Slice(rep.Edges, func(i, j int) bool {
		a, b := rep.Edges[i], rep.Edges[j]
		if a.From != b.From {
			return edgeRank(a.From) < edgeRank(b.From) || edgeRank(a.From) == edgeRank(b.From) && a.From < b.From
		}
		return a.To < b.To
	})

	if len(calls) == 0 {
		rep.Notes = append(rep.Notes, "no service declares a call in its environment: the transitive surface is the entry points alone; calls configured elsewhere (nginx.conf, code) are not seen")
	} else {
		rep.Notes = append(rep.Notes, "calls are read from environment values only; calls configured elsewhere (nginx.conf, code) are not seen")
	}
	if hostOnly {
		rep.Notes = append(rep.Notes, "bindings on 127.0.0.1 or ::1 reach the host only; since Engine 28 the LAN cannot reach them (R7-9)")
	}
	if t.Host.Firewall {
		rep.Notes = append(rep.Notes, "the host firewall filters INPUT, but published ports bypass it: Docker's rules sit in FORWARD and nat (R7-9)")
	}
	return rep
}

func edgeRank(from string) int {
	switch from {
	case sim.Internet:
		return 0
	case sim.Host:
		return 1
	}
	return 2
}

// nodeName is the graph node of a container: its service, or its own name
// for containers outside the project.
func nodeName(c *topology.Container) string {
	if c.Service != "" {
		return c.Service
	}
	return c.Name
}

func callLabel(c CallResult) string {
	return c.Env + " " + c.Target
}

// evalCall asks sim whether the first replica of the calling service gets
// through, and which service answers.
func evalCall(t *topology.Topology, s *sim.Sim, cl Call) CallResult {
	target := cl.Host
	if cl.Port != 0 {
		target = fmt.Sprintf("%s:%d", cl.Host, cl.Port)
	}
	cr := CallResult{Target: target, Env: cl.Env.Key, Pos: cl.Env.Pos, Position: cl.Env.Pos.String()}
	sv := t.Service(cl.From)
	if sv == nil || len(sv.Containers) == 0 {
		cr.Verdict, cr.Reason = sim.InvalidQuery, "the service has no container"
		return cr
	}
	r := s.Reach(sim.Query{From: sv.Containers[0].Name, To: cl.Host, Port: cl.Port})
	cr.Verdict = r.Verdict
	if !r.Reachable {
		// A port-less call (REDIS_HOST=cache) is an IP-level question; a
		// refused ICMP does not happen, so any verdict here is a real block.
		cr.Reason = r.Reason
		return cr
	}
	if c := answerContainer(t, s, r); c != nil {
		cr.Service = nodeName(c)
	}
	return cr
}

// answerContainer is the container a delivered flow ended at: the DNS
// answer Reach evaluated (the first), else the container whose address the
// target is (sim's typed Target).
func answerContainer(t *topology.Topology, s *sim.Sim, r sim.Result) *topology.Container {
	if r.DNS != nil && len(r.DNS.Answers) > 0 && r.DNS.Answers[0].Container != "" {
		if c := s.Container(r.DNS.Answers[0].Container); c != nil {
			return c
		}
	}
	if r.Target.Kind == sim.PeerContainer && !r.Target.Address.IsLoopback() {
		return s.Container(r.Target.Container)
	}
	return nil
}

// entries lists every way in from outside the containers.
func entries(t *topology.Topology, s *sim.Sim) []Entry {
	var out []Entry
	for _, c := range t.Containers {
		for _, b := range c.Ports {
			out = append(out, bindingEntry(t, s, c, b))
		}
		if c.NetworkMode == "host" {
			out = append(out, hostNetEntries(t, s, c)...)
		}
	}
	// Gateway modes that let the LAN route to container addresses (R8-13).
	for _, n := range t.Networks {
		if n.GatewayMode != "nat-unprotected" && n.GatewayMode != "routed" {
			continue
		}
		for _, e := range n.Endpoints {
			if !e.IPv4.IsValid() {
				continue
			}
			r := s.Reach(sim.Query{From: sim.Internet, To: e.IPv4.String()})
			en := Entry{Kind: EntryDirect, Service: nodeName(e.Container), Container: e.Container.Name, HostIP: e.IPv4.String(),
				Internet: r.Verdict, FromHost: sim.Delivered, Rule: "R8-13", Pos: n.Pos, Position: n.Pos.String(),
				Reason: "gateway mode " + n.GatewayMode + " on " + n.Name + " lifts the direct-access filter; assumes the LAN routes " + n.Subnet.String() + " to the host"}
			out = append(out, en)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.HostPort != b.HostPort {
			return a.HostPort < b.HostPort
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.HostIP != b.HostIP {
			return a.HostIP < b.HostIP
		}
		return a.Container < b.Container
	})
	if out == nil {
		out = []Entry{}
	}
	return out
}

func bindingEntry(t *topology.Topology, s *sim.Sim, c *topology.Container, b topology.PortBinding) Entry {
	ip := b.HostIP.Unmap()
	en := Entry{Kind: EntryBinding, Service: nodeName(c), Container: c.Name, HostPort: b.HostPort, ContainerPort: b.ContainerPort,
		Protocol: b.Protocol, Pos: b.Pos, Position: b.Pos.String(), Rule: "R7-9"}
	if !ip.IsValid() {
		ip = netip.IPv4Unspecified()
	}
	en.HostIP = ip.String()
	en.AlsoIPv6 = ip.Is4() && ip.IsUnspecified() && !b.Family4Only
	en.Loopback = ip.IsLoopback()
	to := ip.String()
	if ip.IsUnspecified() {
		to = sim.Host
	}
	if en.Loopback {
		// R7-9 (Engine 28): raw PREROUTING ! -i lo DROP for loopback bindings.
		en.Internet = sim.LoopbackOnly
		en.Reason = "published on " + ip.String() + " only: since Engine 28 the LAN cannot reach it"
	} else {
		r := s.Reach(sim.Query{From: sim.Internet, To: to, Port: b.HostPort, Protocol: b.Protocol})
		en.Internet = r.Verdict
		if !r.Reachable {
			en.Reason = r.Reason
		}
	}
	hr := s.Reach(sim.Query{From: sim.Host, To: to, Port: b.HostPort, Protocol: b.Protocol})
	en.FromHost = hr.Verdict
	if !hr.Reachable && en.Reason == "" {
		en.Reason = hr.Reason
	}
	if !en.Loopback && en.Internet != sim.Delivered {
		en.Rule = "R7-11"
	}
	return en
}

// hostNetEntries lists a network_mode: host container's listeners (R7-10).
func hostNetEntries(t *topology.Topology, s *sim.Sim, c *topology.Container) []Entry {
	base := Entry{Kind: EntryHostNetwork, Service: nodeName(c), Container: c.Name, HostIP: "0.0.0.0", Rule: "R7-10", Pos: c.Pos, Position: c.Pos.String(), FromHost: sim.Delivered}
	if !c.ListenKnown {
		en := base
		en.Internet = sim.Delivered
		en.Reason = "network_mode: host binds its ports on every host address; its listeners are not declared (x-composenet.listen), so every port counts as exposed"
		if t.Host.Firewall {
			en.Internet = sim.HostFirewall
			en.Reason = "network_mode: host listeners sit behind the host's INPUT firewall (R7-7)"
		}
		return []Entry{en}
	}
	base.Reason = "network_mode: host: the container binds host ports itself, on every host address"
	var out []Entry
	for _, l := range c.Listen {
		en := base
		en.HostPort, en.ContainerPort, en.Protocol = l.Port, l.Port, l.Protocol
		r := s.Reach(sim.Query{From: sim.Internet, To: sim.Host, Port: l.Port, Protocol: l.Protocol})
		en.Internet = r.Verdict
		if !r.Reachable {
			en.Reason = r.Reason
		}
		en.FromHost = s.Reach(sim.Query{From: sim.Host, To: sim.Localhost, Port: l.Port, Protocol: l.Protocol}).Verdict
		out = append(out, en)
	}
	return out
}

// hostReach evaluates R7-6 for every container.
func hostReach(t *topology.Topology, s *sim.Sim) HostReach {
	h := HostReach{Rule: "R7-6", Containers: len(t.Containers), Unreachable: []Unreached{}}
	nets := map[*topology.Network]bool{}
	for _, c := range t.Containers {
		r := s.Reach(sim.Query{From: sim.Host, To: c.Name})
		if r.Reachable {
			h.Reachable++
			for _, e := range c.Endpoints {
				nets[e.Network] = true
			}
			continue
		}
		h.Unreachable = append(h.Unreachable, Unreached{Container: c.Name, Verdict: r.Verdict, Reason: r.Reason})
	}
	h.Networks = len(nets)
	for n := range nets {
		if n.Internal {
			h.InternalNetworks++
		}
	}
	return h
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
