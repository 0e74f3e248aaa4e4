package sim

import (
	"time"
)

// Hop is one step of a simulated packet's path.
type Hop struct {
	// Step is one of the Step* kinds.
	Step string `json:"step"`
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
// in the compose files it comes from, and how to fix it.
type Blocker struct {
	// Component is the kernel or Docker component that drops or refuses.
	Component string `json:"component"`
	// Rule is the exact rule or chain plus the rule-book ID.
	Rule string `json:"rule"`
	// Position is the compose position (file:line:col) that caused it.
	Position string `json:"position"`
	// Fix is a concrete change that removes this blocker.
	Fix string `json:"fix"`
}

// Result is the answer to a Query.
type Result struct {
	From     string `json:"from"`
	To       string `json:"to"`
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
}

// ParseTarget splits "TARGET[:PORT][/PROTO]" (IPv6 as "[::1]:80" or a bare
