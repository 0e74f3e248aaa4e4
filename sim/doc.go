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
// # The host firewall (R7-20 to R7-30)
//
// The rule book assumes an empty DOCKER-USER chain and no INPUT rules (B0,
// section 0.4). When the host description gives the host firewall
// (iptables-save output or inline rules, topology.Ruleset), these rules,
// which the book does not state, decide as follows. Sources: Docker's
// "Packet filtering and firewalls" page (docs.docker.com/engine/network/
// packet-filtering-firewalls: DOCKER-USER is processed before Docker's own
// rules; "packets are DNATed before they reach DOCKER-USER", so rules match
// the container address and port, and --ctorigdst/--ctorigdstport match
// the original ones), moby's libnetwork/iptables and the kernel's netfilter
// hook order.
//
//   - R7-20: DOCKER-USER is the first jump of filter FORWARD. It sees every
//     forwarded packet: inbound connections to published ports after DNAT,
//     container egress and its replies, traffic between networks, and,
//     only when br_netfilter is active (icc or the userland proxy off, or
//     the host description says so), frames between containers on one
//     bridge. It never sees traffic the host itself originates or
//     receives (OUTPUT, INPUT), so docker-proxy and loopback paths are not
//     in it. Each answer says which kind of traffic DOCKER-USER saw.
//   - R7-21: the first terminating match decides: ACCEPT accepts the
//     packet for the FORWARD hook (Docker's DOCKER-FORWARD is not
//     consulted), DROP drops silently (the client times out), REJECT
//     answers (icmp-port-unreachable by default: ECONNREFUSED; tcp-reset:
//     RST; host/admin unreachable: EHOSTUNREACH). RETURN and the end of
//     the chain go back to FORWARD, whose next jump is DOCKER-FORWARD; -j
//     CHAIN descends, -g returns to the caller's caller. Non-terminating
//     targets (LOG, MARK, ...) go on.
//   - R7-22: for a published port, --dport and -d match the container
//     port and address (the packet is already DNATed); the published host
//     port is --ctorigdstport, the host address --ctorigdst; ctstate
//     includes DNAT.
//   - R7-23: replies are forwarded packets too (ctstate ESTABLISHED,
//     direction REPLY): a DROP that matches them (typically -i eth0 -j DROP
//     with no earlier ESTABLISHED,RELATED accept) breaks the connection.
//     composenet evaluates the reply of every connection it passes.
//   - R7-24: filter INPUT (and the chains it jumps to: ufw-*, firewalld's)
//     governs host listeners and network_mode: host containers; it never
//     sees published ports from other machines (DNAT in PREROUTING sends
//     them to FORWARD, R7-9). INPUT rules on a published port's number are
//     reported as not applying. A built-in chain's policy applies when no
//     rule decides.
//   - R7-25: a rule with a match or target composenet does not evaluate
//     (-m set, -m recent, -m string, ...) is a warning at load; an answer
//     whose packet matches the rest of such a rule says it is uncertain,
//     and composenet evaluates it as not matching.
//   - R7-26: the client's address: FROM may be an address (a LAN or
//     internet client); "internet" stands for 203.0.113.7 (TEST-NET-3),
//     or, when a host interface prefix or a Docker subnet holds that
//     address, the first of 198.51.100.7 and 192.0.2.7 that none holds
//     (when all three are held the first is kept and the answer says so);
//     container egress to "internet" goes to the same address, source port
//     40000; the host interface is the one whose prefix holds the peer,
//     else the first interface (eth0 by default).
//   - R7-27: Docker's own rules in a pasted iptables-save are not
//     evaluated (composenet models them, R7-0) but compared with the
//     prediction, in package topology at load; each difference is a
//     warning at the rule's line. Docker's rules are those of its chains
//     (DOCKER, DOCKER-ISOLATION-STAGE-1/2, and since Engine 28
//     DOCKER-FORWARD, DOCKER-CT, DOCKER-BRIDGE, later DOCKER-INTERNAL) and
//     the ones it adds to built-in chains: jumps to them, the pre-28
//     per-bridge FORWARD rules, MASQUERADE -s S ! -o B, hairpin and
//     --src-type LOCAL MASQUERADE, raw PREROUTING -d cIP ! -i B and
//     -d 127.0.0.1 ! -i lo drops (moby libnetwork/drivers/bridge/internal/
//     iptabler, rule book R7-0 and appendix A). A bridge is tied to a
//     network by its com.docker.network.bridge.name; else by a subnet the
//     compose file or the host description fixes (from the bridge's
//     MASQUERADE or internal-isolation rule, or a container address its
//     rules name); else by the DNATs of the project's published ports
//     (votes per network, the predicted subnet breaking ties); else by an
//     automatic subnet, only for a bridge of the same kind (internal or
//     not), because other networks on the host shift IPAM (R3-2); else,
//     once the project is seen running, by elimination (one network and
//     one bridge of a kind left). A tie with another subnet is reported.
//     An external network the host description does not declare is never
//     tied by its (assumed) subnet, and an unexplained bridge says it may
//     be that network. Bridge names are never compared otherwise: Docker
//     names them br-<network ID>, which composenet cannot know. Reported: the chain layout (Engine
//     28's DOCKER-FORWARD vs FORWARD -> DOCKER-ISOLATION-STAGE-1) against
//     the modelled engine; the userland proxy (nat OUTPUT ! -d 127.0.0.0/8
//     only with the proxy on); docker0's subnet against bip; per project
//     network: present, subnet, internal, masquerade, icc; per published
//     port: its DNAT present, to the predicted container port, network and
//     address. Bridges and DNATs nothing in the model explains are "not
//     from this project" (another project, a container started by hand);
//     a bridge whose subnet the host description declares is known and
//     silent. When the file holds Docker's rules but nothing of the
//     project, one warning says so and nothing else is compared (the
//     project was not running). A file without Docker's rules (inline
//     rules, a file trimmed to DOCKER-USER) is not compared.
//   - R7-28: raw PREROUTING (the operator's rules; Docker's are R7-0) sees
//     every packet entering the host from an interface, bridges included
//     (and bridged frames under br_netfilter), before conntrack
//     (priority -300 vs -200) and before NAT: the destination is the
//     original one (the published host port, not the container port).
//     composenet runs it for inbound connections (published ports and
//     host listeners) and their replies from the container, container
//     egress and its replies (addressed to the host's egress address,
//     before conntrack undoes the masquerade), container connections to
//     host addresses, and frames on one bridge under br_netfilter. There
//     is no connection yet, so --ctstate sees INVALID and --ctorigdst,
//     --ctorigdstport and --ctdir never match (xt_conntrack: without a
//     conntrack entry only the state test can succeed). DROP decides:
//     verdict blocked-raw (the client times out); ACCEPT ends the raw
//     table only; CT --notrack and NOTRACK (no NAT, ctstate UNTRACKED)
//     make the answer uncertain.
//   - R7-29: the operator's nat rules are not followed: nat PREROUTING
//     (new connections entering the host), nat OUTPUT (connections the
//     host opens) and nat POSTROUTING (container egress, inbound
//     connections leaving to the bridge) are walked until Docker's own
//     rule for the connection decides (the jump to DOCKER for a port
//     Docker DNATs, the MASQUERADE of the source subnet); an operator
//     rule that matches first with DNAT, REDIRECT, SNAT, MASQUERADE,
//     NETMAP, or ACCEPT/RETURN (which end the nat chain before Docker's
//     rule: iptables runs the nat table once per connection) makes the
//     answer uncertain, naming the rule and its line, and composenet
//     answers as if it were absent. Rules that drop or rewrite in chains
//     no answer walks (nat INPUT, raw OUTPUT, mangle) are load warnings
//     (W-FIREWALL-NOT-EVALUATED) with their line.
//   - R7-30: with the userland proxy off (or masquerading off on the
//     client's network), a container's connection to a published port
//     through a host address is DNATed in nat PREROUTING and routed, so
//     filter FORWARD and DOCKER-USER see it after DNAT (in: the client's
//     bridge, out: the target's), before Docker's isolation chains. On
//     one network (hairpin) the reply is bridged and DOCKER-USER sees it
//     only under br_netfilter (which Docker loads when the proxy is off).
//     Across networks a DOCKER-USER ACCEPT lets it through, since
//     DOCKER-FORWARD's isolation is never consulted (R7-21) and the
//     replies pass DOCKER-CT; a DROP there is the deciding rule. With the
//     proxy on, docker-proxy serves these connections through INPUT and
//     OUTPUT, and DOCKER-USER never sees them (R7-20).
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
