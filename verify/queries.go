package verify

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/composenet/composenet/scenarios"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Query kinds, as the JSON report spells them.
const (
	KindDNS     = "dns"
	KindConnect = "connect"
	KindPing    = "ping"
)

// QueryResult is one line of the report: a question, composenet's answer,
// what the probe saw, and whether they agree.
type QueryResult struct {
	Kind     string `json:"kind"`
	From     string `json:"from"`
	To       string `json:"to"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
	// Predicted is composenet's answer (sim.Reach or sim.Resolve on the
	// model of the project verify brought up).
	Predicted string `json:"predicted"`
	// Observed is what the probe saw, or "skipped: REASON".
	Observed string `json:"observed"`
	// Agree is null for a skipped query.
	Agree *bool `json:"agree"`
	// Rules are the rule-book IDs behind the prediction.
	Rules []string `json:"rules"`
}

// query is a QueryResult in the making: the probe task, where it runs,
// and what observation would agree with the prediction.
type query struct {
	QueryResult
	// runner is the container whose namespace runs the task ("" for the
	// host, where verify itself probes).
	runner string
	task   Task
	skip   string
	want   expectation
}

// expectation is the observation that agrees with a prediction.
type expectation struct {
	// outcomes are the acceptable probe outcomes.
	outcomes []string
	// peers, when not nil, are the namespaces (container names, or
	// "host") one of which must answer a connect.
	peers []string
	// dns, for lookups: the acceptable rcode and the answer identities
	// (container names, or addresses for answers outside the project);
	// upstream accepts any answer that names no project address.
	rcode    string
	answers  []string
	upstream bool
}

// world is what the queries are generated from and checked against: the
// model of the verify project and the engine's view of it.
type world struct {
	t   *topology.Topology
	s   *sim.Sim
	ctr map[string]*actualContainer
	net map[string]*actualNetwork
	// bridge0 is docker0 as the engine reports it.
	bridge0 *actualNetwork
	// owner maps an actual address to the namespace that holds it.
	owner map[netip.Addr]string
	allow []string
	// dnsUpstream allows lookups that go to the engine's upstream.
	dnsUpstream bool
	// lan is the LAN client, when there is one, and probeBin the probe
	// binary it runs.
	lan      *lanClient
	probeBin string
	// routes are the host's reverse-proxy routes under the verify names.
	routes []plannedRoute
	// rename turns a name of the original projects in a scenario file
	// (project/service, a container name) into the verify one; nil keeps
	// names as they are.
	rename func(string) string
}

// bareService is c's compose service name: on a host of several projects
// the model names services project/service, which is not a DNS name.
func bareService(c *topology.Container) string {
	return strings.TrimPrefix(c.Service, c.Project+"/")
}

// nsOwner returns the name of the namespace c runs in: its own name, the
// provider's for service:/container: modes, "host" for host mode.
func nsOwner(c *topology.Container) string {
	switch {
	case c.NetworkMode == "host":
		return "host"
	case c.NetNS != nil:
		return c.NetNS.Name
	}
	return c.Name
}

// newWorld indexes the model and the engine's view.
func newWorld(t *topology.Topology, ctr map[string]*actualContainer, nets map[string]*actualNetwork, bridge0 *actualNetwork) *world {
	w := &world{t: t, s: sim.New(t), ctr: ctr, net: nets, bridge0: bridge0, owner: map[netip.Addr]string{}}
	allow := map[string]bool{"127.0.0.0/8": true}
	for _, n := range nets {
		if n.Subnet.IsValid() {
			allow[n.Subnet.String()] = true
		}
		if n.Gateway.IsValid() {
			w.owner[n.Gateway] = "host"
		}
	}
	if bridge0 != nil && bridge0.Gateway.IsValid() {
		allow[netip.PrefixFrom(bridge0.Gateway, 32).String()] = true
		w.owner[bridge0.Gateway] = "host"
	}
	for _, c := range t.Containers {
		a := ctr[c.Name]
		if a == nil {
			continue
		}
		for _, ip := range a.IPs {
			w.owner[ip] = nsOwner(c)
			// Containers of the project on docker0 may be probed; other
			// containers on docker0 may not.
			allow[netip.PrefixFrom(ip, 32).String()] = true
		}
	}
	for p := range allow {
		w.allow = append(w.allow, p)
	}
	sort.Strings(w.allow)
	return w
}

// actualIP is the engine's address of container c on network n.
func (w *world) actualIP(c *topology.Container, n *topology.Network) (netip.Addr, bool) {
	a := w.ctr[c.Name]
	if a == nil {
		return netip.Addr{}, false
	}
	ip, ok := a.IPs[n.Name]
	return ip, ok
}

// actualGateway is the engine's gateway address of network n.
func (w *world) actualGateway(n *topology.Network) (netip.Addr, bool) {
	if n == w.t.Bridge0 {
		if w.bridge0 != nil {
			return w.bridge0.Gateway, w.bridge0.Gateway.IsValid()
		}
		return netip.Addr{}, false
	}
	an := w.net[n.Name]
	if an == nil || !an.Gateway.IsValid() {
		return netip.Addr{}, false
	}
	return an.Gateway, true
}

// sources are the containers queries run from: one per network namespace
// (service:/container: sharers see their provider's view), running.
func (w *world) sources() []*topology.Container {
	var out []*topology.Container
	for _, c := range w.t.Containers {
		if c.Declared || (c.NetNS != nil && c.NetNS != c) {
			continue
		}
		if a := w.ctr[c.Name]; a == nil || !a.Running {
			continue
		}
		out = append(out, c)
	}
	return out
}

// listenSet is every port served in c's namespace, sorted.
func (w *world) listenSet(c *topology.Container) []topology.PortProto {
	set := map[topology.PortProto]bool{}
	for _, m := range w.t.Containers {
		if m == c || m.NetNS == c {
			for _, pp := range m.Listen {
				if pp.Protocol == "tcp" || pp.Protocol == "udp" {
					set[pp] = true
				}
			}
		}
	}
	var out []topology.PortProto
	for pp := range set {
		out = append(out, pp)
	}
	slices.SortFunc(out, func(a, b topology.PortProto) int {
		if a.Protocol != b.Protocol {
			return strings.Compare(a.Protocol, b.Protocol)
		}
		return int(a.Port) - int(b.Port)
	})
	return out
}

// generate builds every query for the model: DNS, connects by name and
// by address, pings to gateways and peers, published ports from the
// containers and from the host, and the scenario expectations.
func (w *world) generate(scs []*scenarios.Scenario) []*query {
	var qs []*query
	srcs := w.sources()
	for _, c := range srcs {
		if c.NetworkMode != "host" && c.NetworkMode != "none" {
			qs = append(qs, w.dnsQueries(c)...)
			qs = append(qs, w.nameConnects(c)...)
		}
		qs = append(qs, w.addrConnects(c)...)
		qs = append(qs, w.pings(c)...)
		qs = append(qs, w.publishedFrom(c)...)
	}
	qs = append(qs, w.hostQueries()...)
	qs = append(qs, w.routeQueries()...)
	for _, sc := range scs {
		qs = append(qs, w.scenarioQueries(sc)...)
	}
	if w.lan != nil {
		qs = append(qs, w.lanQueries(w.lan)...)
	}
	for i, q := range qs {
		q.task.ID = i
		if q.task.TimeoutMS == 0 {
			q.task.TimeoutMS = 2000
		}
		if q.task.Allow == nil {
			q.task.Allow = w.allow
		}
	}
	return qs
}

// dnsNames are the names a container could plausibly look up.
func (w *world) dnsNames(c *topology.Container) []string {
	set := map[string]bool{}
	for _, t := range w.t.Containers {
		if t == c || t.Declared {
			continue
		}
		svc := bareService(t)
		set[svc] = true
		set[t.Name] = true
		for _, e := range t.Endpoints {
			for _, a := range e.Aliases {
				set[a] = true
			}
			set[svc+"."+e.Network.Name] = true
		}
	}
	for _, l := range c.Links {
		set[l.Alias] = true
	}
	for _, h := range c.ExtraHosts {
		set[h.Name] = true
	}
	delete(set, "")
	var out []string
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (w *world) dnsQueries(c *topology.Container) []*query {
	var qs []*query
	for _, name := range w.dnsNames(c) {
		r := w.s.Resolve(c, name)
		q := &query{runner: c.Name, task: Task{Kind: "dns", Name: name}}
		q.QueryResult = QueryResult{Kind: KindDNS, From: c.Name, To: name, Protocol: "udp", Port: 53, Rules: rules(r.Rules)}
		q.Predicted, q.want = w.dnsExpectation(r)
		if q.want.upstream && !w.dnsUpstream {
			q.skip = "composenet predicts the engine forwards this name to its upstream resolvers, outside this machine (--dns-upstream asks anyway)"
		}
		qs = append(qs, q)
	}
	return qs
}

// dnsExpectation turns a predicted lookup into its text and the agreeing
// observation.
func (w *world) dnsExpectation(r sim.DNSResult) (string, expectation) {
	var e expectation
	switch {
	case r.Source == sim.SourceNone:
		e.outcomes = []string{OutNoRoute, OutTimeout, OutError}
		return "no resolver (network_mode none)", e
	case r.Rcode == sim.RcodeNoError && len(r.Answers) > 0:
		e.outcomes, e.rcode = []string{OutAnswer}, "NOERROR"
		var parts []string
		for _, a := range r.Answers {
			id := a.IP.String()
			if a.Container != "" {
				if tc := w.t.Container(a.Container); tc != nil {
					id = nsOwner(tc)
				}
				parts = append(parts, a.Container+" ("+a.IP.String()+")")
			} else {
				parts = append(parts, a.IP.String())
			}
			e.answers = append(e.answers, id)
		}
		e.answers = sortedUnique(e.answers)
		return "A " + strings.Join(parts, ", ") + " [" + r.Source + "]", e
	case r.Rcode == sim.RcodeNoError:
		e.outcomes, e.rcode = []string{OutAnswer}, "NOERROR"
		return "NOERROR, no A record [" + r.Source + "]", e
	case r.Rcode == sim.RcodeServFail:
		e.outcomes, e.rcode = []string{OutAnswer}, "SERVFAIL"
		if r.Forwarded {
			e.upstream = true
		}
		return "SERVFAIL [" + r.Source + "]", e
	}
	// Forwarded to the upstream resolvers: any answer that names no
	// project address agrees (CI's stub says NXDOMAIN).
	e.outcomes, e.upstream = []string{OutAnswer}, true
	return "forwarded upstream (not a name Docker knows) [" + r.Source + "]", e
}

// nameConnects connects by service name to every port served in each
// other namespace.
func (w *world) nameConnects(c *topology.Container) []*query {
	var qs []*query
	done := map[string]bool{}
	for _, t := range w.t.Containers {
		if t.Declared || t.NetworkMode == "host" || nsOwner(t) == nsOwner(c) {
			continue
		}
		o := t
		if t.NetNS != nil {
			o = t.NetNS
		}
		// By the bare service name, the DNS question a client asks: on a
		// network several projects share it may answer several of them
		// (R6-6).
		svc := bareService(t)
		for _, pp := range w.listenSet(o) {
			key := svc + "/" + pp.String()
			if done[key] {
				continue
			}
			done[key] = true
			r := w.s.Reach(sim.Query{From: c.Name, To: svc, Port: pp.Port, Protocol: pp.Protocol})
			q := &query{runner: c.Name, task: Task{Kind: "connect", Name: svc, Port: pp.Port, Protocol: pp.Protocol}}
			q.QueryResult = QueryResult{Kind: KindConnect, From: c.Name, To: svc, Port: pp.Port, Protocol: pp.Protocol}
			w.predictReach(q, r)
			if r.Verdict == sim.NameNotResolved && r.DNS != nil && r.DNS.Forwarded && !w.dnsUpstream {
				q.skip = "the name goes to the engine's upstream resolvers, outside this machine (--dns-upstream asks anyway)"
			}
			qs = append(qs, q)
		}
	}
	return qs
}

// addrConnects connects to every address of every other namespace on
// each port it serves.
func (w *world) addrConnects(c *topology.Container) []*query {
	var qs []*query
	for _, t := range w.sources() {
		if nsOwner(t) == nsOwner(c) || t.NetworkMode == "host" {
			continue
		}
		for _, e := range t.Endpoints {
			ip, ok := w.actualIP(t, e.Network)
			if !ok || !e.IPv4.IsValid() {
				continue
			}
			for _, pp := range w.listenSet(t) {
				qs = append(qs, w.addrQuery(c, KindConnect, e.IPv4, ip, pp, t.Name+" on "+e.Network.Name))
			}
		}
	}
	return qs
}

// addrQuery asks sim about the model address and the probe about the
// engine's address of the same endpoint.
func (w *world) addrQuery(c *topology.Container, kind string, model, actual netip.Addr, pp topology.PortProto, what string) *query {
	runner, from := "", sim.Host
	if c != nil {
		runner, from = c.Name, c.Name
	}
	r := w.s.Reach(sim.Query{From: from, To: model.String(), Port: pp.Port, Protocol: pp.Protocol})
	q := &query{runner: runner, task: Task{Kind: kind, Addr: actual.String(), Port: pp.Port, Protocol: pp.Protocol}}
	to := actual.String()
	if what != "" {
		to += " (" + what + ")"
	}
	q.QueryResult = QueryResult{Kind: kind, From: from, To: to, Port: pp.Port, Protocol: pp.Protocol}
	if kind == KindPing {
		q.Protocol = "icmp"
	}
	w.predictReach(q, r)
	return q
}

// pings sends ICMP echoes to the gateway of each of c's networks, to the
// host's docker0 address, and to every other namespace's addresses.
func (w *world) pings(c *topology.Container) []*query {
	var qs []*query
	view := c
	if c.NetNS != nil {
		view = c.NetNS
	}
	seen := map[netip.Addr]bool{}
	for _, e := range view.Endpoints {
		if ip, ok := w.actualGateway(e.Network); ok && e.Network.Gateway.IsValid() && !seen[ip] {
			seen[ip] = true
			qs = append(qs, w.addrQuery(c, KindPing, e.Network.Gateway, ip, topology.PortProto{}, "gateway of "+e.Network.Name))
		}
	}
	if ip, ok := w.actualGateway(w.t.Bridge0); ok && !seen[ip] && w.t.Bridge0.Gateway.IsValid() {
		qs = append(qs, w.addrQuery(c, KindPing, w.t.Bridge0.Gateway, ip, topology.PortProto{}, "the host on docker0"))
	}
	for _, t := range w.sources() {
		if nsOwner(t) == nsOwner(c) || t.NetworkMode == "host" {
			continue
		}
		for _, e := range t.Endpoints {
			if ip, ok := w.actualIP(t, e.Network); ok && e.IPv4.IsValid() {
				qs = append(qs, w.addrQuery(c, KindPing, e.IPv4, ip, topology.PortProto{}, t.Name+" on "+e.Network.Name))
			}
		}
	}
	return qs
}

// binding pairs a modelled published port with the engine's host port.
type binding struct {
	c      *topology.Container
	b      topology.PortBinding
	actual uint16
}

// bindings are the model's published ports matched to the engine's.
func (w *world) bindings() []binding {
	var out []binding
	for _, c := range w.t.Containers {
		a := w.ctr[c.Name]
		if a == nil {
			continue
		}
		for _, b := range c.Ports {
			if b.Protocol != "tcp" && b.Protocol != "udp" {
				continue
			}
			key := fmt.Sprintf("%d/%s", b.ContainerPort, b.Protocol)
			for _, hb := range a.Ports[key] {
				hip, err := netip.ParseAddr(hb.HostIP)
				if err != nil || hip.Is6() {
					continue
				}
				if hip == b.HostIP && (b.Ephemeral || hb.HostPort == b.HostPort) {
					out = append(out, binding{c: c, b: b, actual: hb.HostPort})
					break
				}
			}
		}
	}
	return out
}

// publishedFrom connects from c to every published port through the
// host's address on c's gateway network and on docker0 (R7-3).
func (w *world) publishedFrom(c *topology.Container) []*query {
	if c.NetworkMode == "host" || c.NetworkMode == "none" {
		return nil
	}
	view := c
	if c.NetNS != nil {
		view = c.NetNS
	}
	var gws []*topology.Network
	if len(view.Endpoints) > 0 {
		gws = append(gws, view.Endpoints[0].Network)
	}
	if len(gws) == 0 || gws[0] != w.t.Bridge0 {
		gws = append(gws, w.t.Bridge0)
	}
	var qs []*query
	for _, b := range w.bindings() {
		if b.b.HostIP.IsValid() && !b.b.HostIP.IsUnspecified() && !b.b.HostIP.IsLoopback() {
			continue
		}
		for _, n := range gws {
			ip, ok := w.actualGateway(n)
			if !ok || !n.Gateway.IsValid() {
				continue
			}
			r := w.s.Reach(sim.Query{From: c.Name, To: n.Gateway.String(), Port: b.b.HostPort, Protocol: b.b.Protocol})
			q := &query{runner: c.Name, task: Task{Kind: "connect", Addr: ip.String(), Port: b.actual, Protocol: b.b.Protocol}}
			q.QueryResult = QueryResult{Kind: KindConnect, From: c.Name, To: fmt.Sprintf("%s (host on %s; %s publishes %s:%d)", ip, n.Name, b.c.Name, b.b.HostIP, b.actual), Port: b.actual, Protocol: b.b.Protocol}
			w.predictReach(q, r)
			qs = append(qs, q)
		}
	}
	return qs
}

// hostQueries probe from the host: every published port on loopback, and
// every container address on the ports it serves (R7-6).
func (w *world) hostQueries() []*query {
	var qs []*query
	for _, b := range w.bindings() {
		if b.b.HostIP.IsValid() && !b.b.HostIP.IsUnspecified() && !b.b.HostIP.IsLoopback() {
			q := &query{skip: "bound to host address " + b.b.HostIP.String() + ": verify probes the host only on loopback"}
			q.QueryResult = QueryResult{Kind: KindConnect, From: sim.Host, To: fmt.Sprintf("%s:%d (%s)", b.b.HostIP, b.actual, b.c.Name), Port: b.actual, Protocol: b.b.Protocol, Predicted: "-", Rules: []string{}}
			qs = append(qs, q)
			continue
		}
		r := w.s.Reach(sim.Query{From: sim.Host, To: "127.0.0.1", Port: b.b.HostPort, Protocol: b.b.Protocol})
		q := &query{task: Task{Kind: "connect", Addr: "127.0.0.1", Port: b.actual, Protocol: b.b.Protocol}}
		q.QueryResult = QueryResult{Kind: KindConnect, From: sim.Host, To: fmt.Sprintf("127.0.0.1 (%s publishes %s:%d)", b.c.Name, b.b.HostIP, b.actual), Port: b.actual, Protocol: b.b.Protocol}
		w.predictReach(q, r)
		qs = append(qs, q)
	}
	for _, t := range w.sources() {
		if t.NetworkMode == "host" {
			continue
		}
		for _, e := range t.Endpoints {
			ip, ok := w.actualIP(t, e.Network)
			if !ok || !e.IPv4.IsValid() {
				continue
			}
			for _, pp := range w.listenSet(t) {
				qs = append(qs, w.addrQuery(nil, KindConnect, e.IPv4, ip, pp, t.Name+" on "+e.Network.Name))
			}
		}
	}
	return qs
}

// predictReach fills the prediction and the agreeing observation of q
// from a sim answer.
func (w *world) predictReach(q *query, r sim.Result) {
	q.Rules = rules(r.Rules)
	q.Predicted = r.Verdict.String()
	var e expectation
	switch r.Verdict {
	case sim.Delivered:
		e.outcomes = []string{OutConnected}
		if r.ReplySource != "" {
			// The probe's connected UDP socket drops a reply from another
			// address (R8-9 [VER 28.0]).
			e.outcomes = []string{OutTimeout}
			q.Predicted += ", but the reply comes from " + r.ReplySource + " (a connected socket drops it)"
			q.want = e
			return
		}
		if q.Port != 0 {
			if p := w.deliveredTo(r); p != "" {
				e.peers = []string{p}
				q.Predicted += " to " + p
			}
			if r.DNS != nil && len(r.DNS.Answers) > 1 {
				// A scaled service: any replica may answer (R6-9).
				e.peers = nil
				for _, a := range r.DNS.Answers {
					if tc := w.t.Container(a.Container); tc != nil {
						e.peers = append(e.peers, nsOwner(tc))
					}
				}
				e.peers = sortedUnique(e.peers)
				q.Predicted = r.Verdict.String() + " to one of " + strings.Join(e.peers, ", ")
			}
		}
	case sim.Refused, sim.NotPublished, sim.LoopbackOnly, sim.NotDockerManaged:
		// Nothing listens there: the kernel answers with an RST or an
		// ICMP port unreachable.
		e.outcomes = []string{OutRefused}
		if q.Port == 0 {
			e.outcomes = []string{OutConnected}
		}
	case sim.DroppedIsolation, sim.DroppedICC, sim.DroppedDirectAccess, sim.NoMasquerade:
		e.outcomes = []string{OutTimeout}
	case sim.HostFirewall, sim.DockerUserBlocked, sim.RawBlocked:
		// DROP: a timeout; REJECT: what the rule answers with (R7-21).
		// raw PREROUTING can only drop (R7-28).
		e.outcomes = []string{rejectOutcome(r.ClientError)}
	case sim.NoRoute, sim.NetworkNone:
		e.outcomes = []string{OutNoRoute}
	case sim.UnassignedAddress:
		e.outcomes = []string{OutHostUnreach, OutTimeout}
	case sim.NameNotResolved:
		e.outcomes = []string{OutUnresolved}
	default:
		q.skip = "composenet cannot answer this question (" + r.Verdict.String() + ")"
	}
	q.want = e
}

// rejectOutcome is the probe outcome of the error sim says the client's
// socket call gets when a host firewall rule stops the flow: a REJECT
// answers at once (ECONNREFUSED, EHOSTUNREACH or ENETUNREACH), a DROP
// times out.
func rejectOutcome(errno sim.Errno) string {
	switch errno {
	case sim.ErrConnRefused:
		return OutRefused
	case sim.ErrHostUnreach:
		return OutHostUnreach
	case sim.ErrNetUnreach:
		return OutNoRoute
	}
	return OutTimeout
}

// deliveredTo is the namespace a delivered flow ends in, from the path.
func (w *world) deliveredTo(r sim.Result) string {
	for _, h := range r.Hops {
		if h.Step != sim.StepDeliver || h.Return {
			continue
		}
		if strings.HasPrefix(h.Node, "host") {
			return "host"
		}
		if tc := w.t.Container(h.Node); tc != nil {
			return nsOwner(tc)
		}
	}
	return ""
}

// scenarioQueries turns the reach, blocked and dns expectations of a
// scenario into queries. Expectations composenet cannot check on a real
// engine (internet, exposure sets, what-ifs, flows) are skipped.
func (w *world) scenarioQueries(sc *scenarios.Scenario) []*query {
	var qs []*query
	for _, ex := range sc.Expects {
		if w.rename != nil {
			ex.From, ex.To, ex.Name = w.rename(ex.From), w.rename(ex.To), w.rename(ex.Name)
		}
		q := &query{}
		q.QueryResult = QueryResult{Kind: KindConnect, From: ex.From, To: ex.To, Port: ex.Port, Protocol: ex.Protocol, Predicted: "-", Rules: []string{}}
		where := ex.Pos.String()
		if where == "" {
			where = sc.File
		}
		switch {
		case len(sc.WhatIfs) > 0:
			q.skip = where + ": the scenario has what-ifs, which verify does not apply to the engine"
		case ex.Kind == scenarios.KindExposed:
			q.To, q.skip = "exposed", where+": exposure sets are not probed"
		case ex.Kind == scenarios.KindDNS:
			q.Kind, q.To, q.Port, q.Protocol = KindDNS, ex.Name, 53, "udp"
			c := w.s.Container(ex.From)
			if c == nil || c.NetworkMode == "host" {
				q.skip = where + ": lookups are probed from containers with their own resolver"
				break
			}
			r := w.s.Resolve(c, ex.Name)
			q.runner, q.From, q.task = nsOwner(c), c.Name, Task{Kind: "dns", Name: ex.Name}
			q.Rules = rules(r.Rules)
			q.Predicted, q.want = w.dnsExpectation(r)
			if q.want.upstream && !w.dnsUpstream {
				q.skip = "composenet predicts the engine forwards this name upstream, outside this machine (--dns-upstream asks anyway)"
			}
		default:
			w.scenarioReach(q, ex, where)
		}
		if q.Protocol == "" {
			q.Protocol = "tcp"
		}
		qs = append(qs, q)
	}
	if len(sc.Flows) > 0 {
		q := &query{skip: sc.File + ": " + strconv.Itoa(len(sc.Flows)) + " flows are latency models, not probed"}
		q.QueryResult = QueryResult{Kind: KindConnect, From: "-", To: "flows", Protocol: "tcp", Predicted: "-", Rules: []string{}}
		qs = append(qs, q)
	}
	return qs
}

func (w *world) scenarioReach(q *query, ex scenarios.Expect, where string) {
	if sim.IsRouteTarget(ex.To) {
		q.skip = where + ": a reverse-proxy route is layer 7, read from configuration: not probed (verify asks its proxied hop as a route query)"
		return
	}
	if ex.From == sim.Internet || ex.To == sim.Internet {
		q.skip = where + ": a query to or from the internet is never probed"
		return
	}
	r := w.s.Reach(sim.Query{From: ex.From, To: ex.To, Port: ex.Port, Protocol: ex.Protocol})
	if ex.Port == 0 {
		q.Kind, q.Protocol = KindPing, "icmp"
	}
	kind := "connect"
	if ex.Port == 0 {
		kind = "ping"
	}
	if ex.From == sim.Host {
		q.From = sim.Host
		switch {
		case ex.To == sim.Localhost || ex.To == "127.0.0.1":
			q.task = Task{Kind: kind, Addr: "127.0.0.1", Port: ex.Port, Protocol: ex.Protocol}
		default:
			c := w.s.Container(ex.To)
			if c == nil || len(c.Endpoints) == 0 {
				q.skip = where + ": from the host, verify probes loopback and container addresses only"
				return
			}
			ip, ok := w.actualIP(c, c.Endpoints[0].Network)
			if !ok {
				q.skip = where + ": " + c.Name + " has no address on " + c.Endpoints[0].Network.Name
				return
			}
			q.task = Task{Kind: kind, Addr: ip.String(), Port: ex.Port, Protocol: ex.Protocol}
		}
	} else {
		c := w.s.Container(ex.From)
		if c == nil {
			q.skip = where + ": unknown source " + ex.From
			return
		}
		q.runner, q.From = nsOwner(c), c.Name
		if q.runner == "host" {
			q.runner = c.Name
		}
		if _, err := netip.ParseAddr(ex.To); err == nil || ex.To == sim.Host {
			q.skip = where + ": addresses in scenarios are model addresses; verify probes names"
			return
		}
		name := ex.To
		if t := w.s.Container(name); t != nil && strings.Contains(name, "/") {
			// project/service is composenet's name, not a DNS name: sim
			// asks for the container's name, and so does the probe.
			name = t.Name
		}
		q.task = Task{Kind: kind, Name: name, Port: ex.Port, Protocol: ex.Protocol}
	}
	w.predictReach(q, r)
}

func rules(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}

func sortedUnique(s []string) []string {
	sort.Strings(s)
	return slices.Compact(s)
}
