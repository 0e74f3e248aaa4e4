package render

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/composenet/composenet/topology"
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
	// Projects are the compose projects in up order when the topology
	// holds several (--with); nil for one project.
	Projects []*ProjectView
	// Routes are the reverse-proxy routes whose proxy and backend are
	// drawn, in Options.Routes order.
	Routes []RouteView
	// RoutesNotDrawn counts the routes of Options.Routes left out because
	// an end is not a drawn container (--focus, a backend not resolved
	// statically, an upstream outside the project).
	RoutesNotDrawn int
	// HasRouteOK, HasRouteBlocked and HasRouteUnknown say which route
	// states appear (for the legend).
	HasRouteOK, HasRouteBlocked, HasRouteUnknown bool
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
	// Project is the project whose group the network is drawn in: the one
	// that created it (topology.Network.Project); nil for one project, and
	// for a network no project created.
	Project *ProjectView
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
	// Scaled is true when the container's service has several replicas.
	Scaled bool
	// Project is the container's compose project (nil for one project).
	Project *ProjectView
}

// ProjectView is one compose project of a host that runs several.
type ProjectView struct {
	// Name is the project name; ID its node-safe identifier ("p_" +
	// sanitised name).
	Name, ID string
	// Networks are the networks drawn inside the project's group (see
	// NetView.Project), in name order.
	Networks []*NetView
	// Containers are the project's drawn containers, in name order.
	Containers []*ContainerView
}

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

// Name returns the container's engine name.
func (c *ContainerView) Name() string { return c.C.Name }

// Short returns the service name, or the engine name when the container
// has no service.
func (c *ContainerView) Short() string {
	if c.C.Service == "" {
		return c.C.Name
	}
	return c.C.Service
}

// Title is the name a picture shows: the service name, which users type
// (`reach gateway database`), and the engine name after sep when it says
// more than the service name does: a container_name ("gateway ·
// api-gateway") or the replica of a scaled service ("web · shop-web-2").
// A container Compose named after its service ("shop-web-1", R1-4) shows
// as the service alone; one without a service shows its engine name.
func (c *ContainerView) Title(sep string) string {
	svc, name := c.C.Service, c.C.Name
	switch {
	case svc == "" || svc == name:
		return name
	case !c.Scaled && c.C.Project != "" && name == fmt.Sprintf("%s-%s-%d", c.C.Project, svc, c.C.Replica):
		return svc
	default:
		return svc + sep + name
	}
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
