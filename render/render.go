// Package render draws a topology.Topology as a picture: one package per
// format (ascii, dot, mermaid, svg) behind the one small Renderer interface
// defined here.
//
// Every format draws the same view model, built by Build: the networks as
// groups (name, subnet, markers for internal, external, icc off and no
// masquerade), each container once with its address on every network it
// joins, the Docker host with its published ports as NAT edges, the
// internet/LAN node with egress (masquerade) edges, network_mode sharing,
// optional reachability overlays (highlighted and blocked flows, the
// --from colouring, the --focus filter) and reverse-proxy routes (proxy ->
// backend, labelled with the host/path rule, marked blocked when the
// simulator says the proxy cannot reach the backend).
//
// Renderers never load files or route packets: reachability arrives as
// Flow values and a Reach map, which package render/overlay fills from
// the sim package, and routes as Route values, which internal/drawroutes
// fills from package review. The diagram's limits (CheckLayout, UseSummary) live
// here, in limits.go.
//
// Ordering: networks are sorted by engine name, containers by engine name,
// a network's members by address then name, published ports by host
// address, host port, protocol and container name. Node IDs are derived from
// engine names (a collision after sanitising gets a numeric suffix in
// sorted order), so the same input gives the same bytes in every format.
package render

import (
	"io"

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
	// HideRoutes says the caller should not fill Routes (--hide routes).
	HideRoutes bool
	// Routes are reverse-proxy routes to draw as edges from the proxy to
	// the backend, labelled with the host/path rule and the port; a route
	// whose ends are not both drawn (--focus) is left out.
	Routes []Route
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
