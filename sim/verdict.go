package sim

import "fmt"

// Verdict is the stable outcome code of a reachability question. Its text
// form (String, JSON) is part of the CLI's contract; the numeric values are
// only used for compact storage inside a Matrix and may change.
type Verdict uint8

// The verdict codes. A flow is reachable only with Delivered.
const (
	// Delivered: the packet (or connection) reaches a listener at the
	// destination (R7-1, R7-3, R7-6, R7-8, R7-9).
	Delivered Verdict = iota
	// Refused: the packet arrives, but the destination declares its
	// listeners (x-composenet.listen, or the host description's listeners)
	// and this port/protocol is not one of them: TCP RST, ECONNREFUSED.
	Refused
	// NameNotResolved: the target name has no address from the source's
	// point of view: NXDOMAIN from the upstream, SERVFAIL, or NODATA (R6-7,
	// R6-9, R6-11).
	NameNotResolved
	// DroppedIsolation: silently dropped between Docker networks by the raw
	// PREROUTING direct-access rule, DOCKER-ISOLATION-STAGE-2, or an internal
	// network's DOCKER-ISOLATION-STAGE-1 rule; the client times out (R7-2,
	// R7-3, R7-5, R7-11).
	DroppedIsolation
	// DroppedICC: silently dropped inside one network whose inter-container
	// communication is off (enable_icc: false, R7-4).
	DroppedICC
	// NoRoute: the source has no route to the destination (every network
	// internal, R5-4, R7-5): connect() fails at once with ENETUNREACH.
	NoRoute
	// NotPublished: a client outside the host (or a container through a host
	// address) asks for a host port that no container publishes on that
	// address and no host process serves (R7-9).
	NotPublished
	// LoopbackOnly: the port is published, but only on 127.0.0.1 or ::1, so
	// only the host itself reaches it (R7-7, R7-9, R7-11).
	LoopbackOnly
	// NetworkNone: the source or the destination uses network_mode: none
	// (R7-10).
	NetworkNone
	// HostFirewall: the flow ends at a host service or docker-proxy through
	// filter INPUT, and the host description says the host filters INPUT
	// (R7-3, R7-7).
	HostFirewall
	// NotDockerManaged: the flow ends at a host service through filter INPUT
	// (not a published port): Docker installs no rule for it, and whether a
	// host process accepts is outside the model because the host's listeners
	// are not declared (R7-7).
	NotDockerManaged
	// DroppedDirectAccess: a machine outside the host sends straight to a
	// container address; raw PREROUTING drops it (R7-9, Engine 28.0.2+).
	DroppedDirectAccess
	// NoMasquerade: egress from a network without masquerading (or gateway
	// mode routed): the packet leaves with its container address and only
	// works if the outside routes the subnet back; treated as a failure
	// (R7-8, R7-11 "depends on external routing").
	NoMasquerade
	// UnassignedAddress: the destination lies in a Docker subnet but no
	// container holds it: ARP gets no answer (EHOSTUNREACH).
	UnassignedAddress
	// DockerUserBlocked: a rule of the host's DOCKER-USER chain drops or
	// rejects the packet or its replies (R7-20 to R7-23).
	DockerUserBlocked
	// RawBlocked: an operator rule of the host's raw PREROUTING chain drops
	// the packet or its replies before conntrack and NAT (R7-28).
	RawBlocked
	// NotRouted: a question for a host name and path (a reverse-proxy
	// route target, issue 17) that no route of any proxy of the project
	// matches: the proxy answers it itself (traefik's 404, nginx's default
	// server).
	NotRouted
	// InvalidQuery: the question itself is malformed (unknown source,
	// unknown target form); the CLI exits 2.
	InvalidQuery
	numVerdicts
)

var verdictNames = [...]string{
	Delivered:           "delivered",
	Refused:             "refused",
	NameNotResolved:     "name-not-resolved",
	DroppedIsolation:    "dropped-isolation",
	DroppedICC:          "dropped-icc",
	NoRoute:             "no-route",
	NotPublished:        "not-published",
	LoopbackOnly:        "loopback-only",
	NetworkNone:         "network-none",
	HostFirewall:        "host-firewall",
	NotDockerManaged:    "not-docker-managed",
	DroppedDirectAccess: "dropped-direct-access",
	NoMasquerade:        "no-masquerade",
	UnassignedAddress:   "unassigned-address",
	DockerUserBlocked:   "blocked-docker-user",
	RawBlocked:          "blocked-raw",
	NotRouted:           "not-routed",
	InvalidQuery:        "invalid-query",
}

var verdictSymbols = [...]string{
	Delivered:           "ok",
	Refused:             "RF",
	NameNotResolved:     "NX",
	DroppedIsolation:    "IS",
	DroppedICC:          "IC",
	NoRoute:             "NR",
	NotPublished:        "NP",
	LoopbackOnly:        "LO",
	NetworkNone:         "NO",
	HostFirewall:        "FW",
	NotDockerManaged:    "HS",
	DroppedDirectAccess: "DA",
	NoMasquerade:        "NM",
	UnassignedAddress:   "UA",
	DockerUserBlocked:   "DU",
	RawBlocked:          "RW",
	NotRouted:           "RT",
	InvalidQuery:        "??",
}

var verdictText = [...]string{
	Delivered:           "delivered",
	Refused:             "refused: no listener on that port (RST)",
	NameNotResolved:     "name not resolved",
	DroppedIsolation:    "silently dropped between networks (client times out)",
	DroppedICC:          "silently dropped: icc is off on the network",
	NoRoute:             "no route (ENETUNREACH at once)",
	NotPublished:        "port not published on that host address",
	LoopbackOnly:        "published on loopback only",
	NetworkNone:         "network_mode none: no network",
	HostFirewall:        "blocked by the host's INPUT firewall",
	NotDockerManaged:    "host service: not a Docker-managed path",
	DroppedDirectAccess: "direct access to a container address dropped",
	NoMasquerade:        "leaves without masquerade (needs external routing)",
	UnassignedAddress:   "no container holds that address (EHOSTUNREACH)",
	DockerUserBlocked:   "blocked by the host firewall's DOCKER-USER chain",
	RawBlocked:          "dropped by the host firewall's raw PREROUTING chain",
	NotRouted:           "no reverse-proxy route matches that host and path",
	InvalidQuery:        "invalid query",
}

// Verdicts returns every verdict code in numeric order.
func Verdicts() []Verdict {
	out := make([]Verdict, numVerdicts)
	for i := range out {
		out[i] = Verdict(i)
	}
	return out
}

// String returns the stable code, e.g. "dropped-isolation".
func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return fmt.Sprintf("verdict(%d)", uint8(v))
}

// Symbol returns a two-character abbreviation used in matrix grids.
func (v Verdict) Symbol() string {
	if int(v) < len(verdictSymbols) {
		return verdictSymbols[v]
	}
	return "??"
}

// Describe returns a short human sentence for the verdict.
func (v Verdict) Describe() string {
	if int(v) < len(verdictText) {
		return verdictText[v]
	}
	return v.String()
}

// Reachable reports whether v means the flow gets through.
func (v Verdict) Reachable() bool { return v == Delivered }

// MarshalText encodes the stable code.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText parses a stable code.
func (v *Verdict) UnmarshalText(b []byte) error {
	p, err := ParseVerdict(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// ParseVerdict returns the verdict with the stable code s.
func ParseVerdict(s string) (Verdict, error) {
	for i, n := range verdictNames {
		if n == s {
			return Verdict(i), nil
		}
	}
	return 0, fmt.Errorf("unknown verdict %q", s)
}
