// Package sim simulates what Docker Engine 28 with Compose v2 does with the
// packets and name lookups of a project, given a *topology.Topology: the
// embedded DNS at 127.0.0.11 (section 6 of the rule book), the
// reachability decision procedure R7-11 with the firewall model of R7-0,
// port publishing (section 8), a hop-by-hop trace after the templates P1-P10
// of section 9 with latencies from the topology's LatencyModel (section 10),
// and the all-pairs matrix.
//
// Everything is a pure function of the topology: no I/O, no clocks, no
// randomness. New indexes a topology once; Sim.Resolve, Sim.Reach and
// Sim.Matrix then answer without scanning all containers. The package keeps
// no state: every question goes through a *Sim.
//
// # Tie-breaks where real Docker is nondeterministic
//
//   - Multiple A records (replicas, shared aliases, R6-6) are listed in
//     address order; real Docker shuffles them per query (R6-9) and every
//     answer says so. Reach evaluates the first address and notes it.
//   - Interface names: eth0, eth1, ... follow the endpoint (gateway) order of
//     R5-3; real Docker does not guarantee it (R5-5).
//   - A link alias that two replicas would write keeps the target the
//     loader recorded (R6-14 c).
//
// # Decisions where the rule book is silent
//
//   - Upstream answers. The embedded DNS never invents NXDOMAIN (R6-9).
//     For a forwarded name composenet reports what a public upstream would
//     say: NXDOMAIN for names that cannot exist publicly (a single label, a
//     reserved or private suffix such as .test, .local, .internal, a suffix
//     equal to one of the project's network or service names, an underscore)
//     and otherwise NOERROR with no address, marked External: the host's
//     resolver answers it and composenet does not make addresses up. Reach
//     treats an External name as a destination on the internet.
//   - /etc/hosts comes before DNS (nsswitch "files dns"): localhost, the
//     extra_hosts entries in file order (first match wins), the container's
//     own hostname (its first endpoint's address), legacy links on the
//     default bridge.
//   - Listeners. A destination listens on a port when the namespace's
//     containers declare it in x-composenet.listen; when any of them declares
//     nothing, composenet assumes the port is open and notes it. The host
//     listens on Host.Listeners plus the listeners of network_mode: host
//     containers; when Host.Listeners is nil, a flow that ends at a host
//     service (not a published port) gets NotDockerManaged.
//   - ICMP (no port) to a host address is answered by the host kernel, also
//     behind an INPUT firewall (ufw's default before-rules accept echo).
//   - From Host or Internet, a container or service name stands for that
//     container's gateway-endpoint address (R5-3); a network_mode: host
//     container's name stands for the host.
//   - Host egress to addresses outside the Docker model is assumed to work.
//   - An address inside a Docker subnet that no container holds gives
//     UnassignedAddress on the source's own network and DroppedIsolation on
//     another Docker network (the isolation chains drop before ARP).
//   - Keywords host, internet and localhost win over services of the same
//     name in FROM and TO.
//   - Masquerading needs both the daemon's ip-masq and the network's
//     enable_ip_masquerade; gateway mode routed never masquerades (R8-13).
//     The R7-3 docker-proxy path needs masquerading on the ingress network.
//   - Gateway modes nat-unprotected and routed lift the direct-access
//     filter for other machines (R8-13), assuming the LAN routes the subnet;
//     isolated removes the host's route to the network.
//
// # Latency
//
// Each hop costs the LatencyModel figure of its kind: veth (each veth
// crossing), bridge (plus the network's x-composenet latency), netfilter
// (a chain traversal with a verdict), NAT (DNAT/SNAT), docker-proxy, host
// routing, loopback, embedded DNS, upstream DNS (added to the embedded
// cost when forwarded), internet (the wire beyond the host), LAN (host
// egress to non-internet addresses). A delivered connection adds the
// destination's x-composenet processing time. Reachable TCP flows add the
// reply path (the transit hops reversed, NAT undone by conntrack at
// netfilter cost); Result.LatencyMS is the sum of all hops.
//
// # Matrix
//
// Matrix computes container rows from per-network name tables (where each
// container name is registered, and which address answers) and per-namespace
// listener verdicts, the Host and Internet rows and the rows that need
// /etc/hosts, links or special network modes with the same decision code
// as Reach minus the trace. Matrix.Query gives the Reach question each cell
// answers; a differential test holds the two equal on random topologies.
package sim
