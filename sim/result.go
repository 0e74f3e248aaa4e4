package sim

import (
	"time"
)

// HopKind classifies a hop by the component it happens in, coarser than
// Step: both DNAT and SNAT are nat, a drop is the kind of the component
// that drops.
type HopKind string

// The hop kinds.
const (
	// HopDNS is a name lookup (embedded DNS, /etc/hosts, upstream).
	HopDNS HopKind = "dns"
	// HopRoute is a routing decision (a namespace's routing table, the
	// host's, or a missing route).
	HopRoute HopKind = "route"
	// HopVeth is a veth-pair crossing between a container and the host.
	HopVeth HopKind = "veth"
	// HopBridge is the Linux bridge of a network.
	HopBridge HopKind = "bridge"
	// HopNetfilter is an iptables chain traversal with a verdict.
	HopNetfilter HopKind = "netfilter"
	// HopNAT is an address rewrite (DNAT, SNAT/MASQUERADE, conntrack).
	HopNAT HopKind = "nat"
	// HopProxy is docker-proxy accepting and relaying a connection.
	HopProxy HopKind = "proxy"
	// HopLoopback is delivery over a namespace's lo.
	HopLoopback HopKind = "loopback"
	// HopWire is the host's uplink (LAN, internet).
	HopWire HopKind = "wire"
	// HopDeliver is the destination's socket layer accepting (or not).
	HopDeliver HopKind = "deliver"
	// HopProcess is the destination's processing time.
	HopProcess HopKind = "process"
)

// Place says where on the picture of a project a hop happens or a blocker
// sits: in a container's namespace, on a network's bridge, in the host's
// namespace, or outside the host.
type Place string

// The places.
const (
	AtContainer Place = "container"
	AtNetwork   Place = "network"
	AtHost      Place = "host"
	AtInternet  Place = "internet"
)

// Hop is one step of a simulated packet's path. Step, Node and Detail are
// prose for people; Kind, Place, Container, Network and Interface are the
// same facts typed for programs.
type Hop struct {
	// Step is one of the Step* kinds.
	Step string `json:"step"`
	// Kind is the component class of the step.
	Kind HopKind `json:"kind"`
	// Place is where the step happens: AtContainer (Container's namespace),
	// AtNetwork (Network's bridge), AtHost or AtInternet.
	Place Place `json:"place"`
	// Container is the engine name of the container whose namespace or
	// interface the step is in (empty for host and bridge steps).
	Container string `json:"container,omitempty"`
	// Network is the engine name of the network involved: the bridge, the
	// network of the interface used, or the network a DNS answer came from.
	Network string `json:"network,omitempty"`
	// Interface is the device: eth0, lo, a bridge such as br-1a2b3c or
	// docker0, or the host's uplink eth0.
	Interface string `json:"interface,omitempty"`
	// Node is the device, chain or process the step happens at.
	Node string `json:"node"`
	// Detail says what happens there (rule, verdict, addresses).
	Detail string `json:"detail"`
	// LatencyMS is the simulated one-way cost of the step (section 10).
	LatencyMS float64 `json:"latency_ms"`
	// Return is true for steps of the reply path.
	Return bool `json:"return,omitempty"`

	lat time.Duration
}

// Blocker names one thing that stops a flow, the rule that does it, where
// in the compose files it comes from, and how to fix it. Component and Rule
// are prose; Place, Container, Network and RuleIDs carry the same facts
// typed.
type Blocker struct {
	// Component is the kernel or Docker component that drops or refuses.
	Component string `json:"component"`
	// Place is where the component lives: AtContainer (Container's
	// namespace), AtNetwork (Network's bridge or ARP), AtHost (netfilter,
	// docker-proxy, the host's routing and resolver) or AtInternet.
	Place Place `json:"place"`
	// Container is the engine name of the container the blocker concerns
	// (its namespace, resolver or socket layer, or the publisher of a
	// binding), when there is one.
	Container string `json:"container,omitempty"`
	// Network is the engine name of the network the blocker concerns, when
	// there is one.
	Network string `json:"network,omitempty"`
	// Rule is the exact rule or chain plus the rule-book ID.
	Rule string `json:"rule"`
	// RuleIDs are the rule-book IDs Rule cites, in order.
	RuleIDs []string `json:"rule_ids"`
	// Position is the compose position (file:line:col) that caused it.
	Position string `json:"position"`
	// Fix is a concrete change that removes this blocker.
	Fix string `json:"fix"`
}

// Result is the answer to a Query.
type Result struct {
	// From and To are the query's words as given.
	From string `json:"from"`
	To   string `json:"to"`
	// Source is From resolved (see Sim.Peer); zero (and left out of JSON)
	// for an InvalidQuery whose source is unknown.
	Source Peer `json:"source,omitzero"`
	// Target is what To denotes from Source's point of view after name
	// resolution and before any DNAT: a container (whose address it is),
	// the host, the internet, an unassigned address in a Docker subnet, or
	// PeerUnresolved when the name has no address; zero (left out of JSON)
	// for an InvalidQuery.
	Target   Peer   `json:"target,omitzero"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
	// Reachable is true exactly when Verdict is Delivered.
	Reachable bool    `json:"reachable"`
	Verdict   Verdict `json:"verdict"`
	// Reason is a one-line human explanation of the verdict.
	Reason string `json:"reason"`
	// Destination is the address (and port) the flow was evaluated
	// against, after name resolution.
	Destination string `json:"destination,omitempty"`
	// DNS is the name lookup, when To was a name looked up from a container.
	DNS *DNSResult `json:"dns,omitempty"`
	// Hops is the path, reply steps last (reachable TCP only).
	Hops []Hop `json:"hops"`
	// LatencyMS is the sum of the hop latencies.
	LatencyMS float64 `json:"latency_ms"`
	// BlockedBy lists every blocker (empty when reachable).
	BlockedBy []Blocker `json:"blocked_by"`
	// Rules are the rule-book IDs the decision used, in order.
	Rules []string `json:"rules"`
	// Notes are tie-breaks and caveats.
	Notes []string `json:"notes,omitempty"`
	// Error explains an InvalidQuery.
	Error string `json:"error,omitempty"`
	// ClientSees is what the client program observes, by cause (R10-5):
	// a timeout for silent drops, ENETUNREACH at once without a route, an
	// RST for a closed port, the proxy's accept-and-close through
	// docker-proxy.
	ClientSees string `json:"client_sees,omitempty"`
	// ClientError is the error the client's socket call returns, where a
	// host firewall rule decided (R7-21): a REJECT's ECONNREFUSED,
	// EHOSTUNREACH or ENETUNREACH, or ETIMEDOUT for a DROP. Empty
	// elsewhere: ClientSees says it in prose.
	ClientError Errno `json:"client_error,omitempty"`
	// ReplySource is set when the reply of a delivered flow comes back
	// from another address than the client sent to (UDP through
	// docker-proxy before Engine 28.0, R8-9 [VER 28.0], engine.go): a
	// connected UDP socket drops such a reply, so the client times out.
	ReplySource string `json:"reply_source,omitempty"`
	// Route is the layer-7 part of a route question (To "route:HOST",
	// routes.go): the matching route, both hops' verdicts, or the routes
	// that exist when none matches. Nil for other questions.
	Route *RouteAnswer `json:"route,omitempty"`
}

// Errno names the error a client's socket call returns.
type Errno string

// The errors a host firewall's decision gives the client (R7-21).
const (
	ErrConnRefused Errno = "ECONNREFUSED"
	ErrHostUnreach Errno = "EHOSTUNREACH"
	ErrNetUnreach  Errno = "ENETUNREACH"
	ErrTimedOut    Errno = "ETIMEDOUT"
)
