package scenarios

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Status is the outcome of one expectation or flow.
type Status string

// Statuses. Pass and XFail count as holding; Fail and XPass fail the suite.
const (
	Pass  Status = "pass"
	Fail  Status = "fail"
	XFail Status = "xfail" // known not to hold (xfail:), and does not
	XPass Status = "xpass" // marked xfail, but holds: remove the mark
)

// OK reports whether s lets the suite pass.
func (s Status) OK() bool { return s == Pass || s == XFail }

// Report is the outcome of running one scenario.
type Report struct {
	File    string `json:"file"`
	Name    string `json:"name"`
	Project string `json:"project"`
	// Projects are the projects on the host in up order when several
	// share it (with:, check --with, the host description's projects:);
	// Project is then the scenario's own, the last.
	Projects []string `json:"projects,omitempty"`
	// WhatIfs are the applied what-ifs as text, in order.
	WhatIfs []string `json:"what_ifs,omitempty"`
	// Results are in file order: expectations, then flows.
	Results []Result `json:"results"`
}

// Failed counts the results whose status fails the suite.
func (r *Report) Failed() int {
	n := 0
	for _, x := range r.Results {
		if !x.Status.OK() {
			n++
		}
	}
	return n
}

// Result is the outcome of one expectation or flow.
type Result struct {
	// Kind is the expectation kind or "flow".
	Kind string `json:"kind"`
	// Text is the expectation as written.
	Text     string `json:"text"`
	Position string `json:"position"`
	Status   Status `json:"status"`
	// Message says what was expected and what came out.
	Message string `json:"message"`
	XFail   string `json:"xfail,omitempty"`
	// Trace is the counterexample (or witness) path, when there is one.
	Trace []sim.Hop `json:"trace,omitempty"`
	// BlockedBy are the blockers of the counterexample, with fixes.
	BlockedBy []sim.Blocker `json:"blocked_by,omitempty"`
	// Fixes are suggested changes that would make the expectation hold.
	Fixes []string `json:"fixes,omitempty"`
	// Reach is the simulated flow behind a reach/blocked result.
	Reach *sim.Result `json:"reach,omitempty"`
	// DNS is the simulated lookup behind a dns result.
	DNS *sim.DNSResult `json:"dns,omitempty"`
	// Flow is the evaluated call chain behind a flow result.
	Flow *FlowResult `json:"flow,omitempty"`
}

// Load reads and parses a scenario file.
func Load(file string) (*Scenario, error) {
	data, err := topology.ReadInput(file)
	if err != nil {
		return nil, &topology.LoadError{Problems: []topology.Problem{{Pos: topology.Position{File: file}, Message: "cannot read scenario: " + err.Error()}}}
	}
	return Parse(file, data)
}

// Options returns the topology options that load sc's project, with extra
// daemon settings appended (what-ifs of kind daemon).
func (sc *Scenario) Options(extraDaemon []string) topology.Options {
	// A relative host: path stays relative: the load reads it from Dir,
	// the scenario's folder (joining it here too read DIR/DIR/host.yaml
	// when check ran from another folder).
	host := sc.Host
	return topology.Options{
		Files:       sc.Compose,
		Dir:         sc.Dir,
		ProjectName: sc.Project,
		Profiles:    sc.Profiles,
		Env:         append([]string{}, sc.Env...),
		HostFile:    host,
		Daemon:      append(append([]string{}, sc.Daemon...), extraDaemon...),
		Latency:     sc.Latency,
	}
}

// Topology loads sc's project and applies its what-ifs in order, each on
// a new copy (topology's copy-on-write operations). Daemon settings that
// move addresses or ports (bip, pools, ...) are a daemon restart: they are
// given to the load. A what-if that cannot be modelled faithfully is an
// error with its position. load loads the project (loader.Load).
func (sc *Scenario) Topology(ctx context.Context, load topology.LoadFunc) (*topology.Topology, error) {
	t, probs, err := sc.topology(ctx, load)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return nil, &topology.LoadError{Problems: probs}
	}
	return t, nil
}

// topology is Topology that also returns the topology with the what-ifs
// that could be applied, next to the problems of those that could not.
func (sc *Scenario) topology(ctx context.Context, load topology.LoadFunc) (*topology.Topology, []topology.Problem, error) {
	var daemon []string
	for _, w := range sc.WhatIfs {
		if key, _ := splitSetting(w.Setting); w.Kind == WhatIfDaemon && topology.DaemonSettingNeedsReload(key) {
			daemon = append(daemon, w.Setting)
		}
	}
	// The other projects on the host (with:, the host description's
	// projects:) come up first; one project alone is load itself.
	t, err := topology.LoadHost(ctx, sc.Options(daemon), sc.With, load)
	if err != nil {
		return nil, nil, err
	}
	var probs []topology.Problem
	for i, w := range sc.WhatIfs {
		u, werr := apply(t, w)
		if werr != nil {
			probs = append(probs, topology.Problem{Pos: w.Pos, Path: fmt.Sprintf("what_if.%d", i), Message: werr.Error()})
			continue
		}
		t = u
	}
	return t, probs, nil
}

func (w WhatIf) String() string {
	switch w.Kind {
	case WhatIfStop:
		return "stop " + w.Service
	case WhatIfDisconnect:
		return "disconnect " + w.Service + " from " + w.Network
	case WhatIfConnect:
		return "connect " + w.Service + " to " + w.Network
	default:
		return "daemon " + w.Setting
	}
}

// Run loads sc's project, applies the what-ifs and evaluates every
// expectation and flow. An error means bad input (the project does not
// load, a what-if cannot be applied, a name in an expectation is unknown).
// load loads the project (loader.Load).
func Run(ctx context.Context, sc *Scenario, load topology.LoadFunc) (*Report, error) {
	t, probs, err := sc.topology(ctx, load)
	if err != nil {
		return nil, err
	}
	rep, err := Evaluate(sc, t)
	if len(probs) == 0 {
		return rep, err
	}
	// The names of the expectations are checked too, so that every
	// problem comes out at once.
	var le *topology.LoadError
	if errors.As(err, &le) {
		probs = append(probs, le.Problems...)
	}
	return nil, &topology.LoadError{Problems: sortProblems(probs)}
}

// Evaluate runs sc's expectations and flows on t (what-ifs already
// applied).
func Evaluate(sc *Scenario, t *topology.Topology) (*Report, error) {
	s := sim.New(t)
	rep := &Report{File: sc.File, Name: sc.Name, Project: t.Project}
	for _, p := range t.Projects {
		rep.Projects = append(rep.Projects, p.Name)
	}
	for _, w := range sc.WhatIfs {
		rep.WhatIfs = append(rep.WhatIfs, w.String())
	}
	var probs []topology.Problem
	bad := func(pos topology.Position, format string, args ...any) {
		probs = append(probs, topology.Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
	}
	known := func(name string, pos topology.Position) bool {
		if name == sim.Internet || name == sim.Host || name == "client" || s.Container(name) != nil {
			return true
		}
		if t.Service(name) != nil {
			return true // stopped by a what-if
		}
		if cands := s.Ambiguous(name); cands != nil {
			bad(pos, "%q is ambiguous: several projects have a service of that name (%s); name one as project/service or by its container name", name, strings.Join(cands, ", "))
			return false
		}
		if in := t.InactiveService(name); in != nil {
			// R1-10: it exists, in a profile the scenario does not enable.
			bad(pos, "%s is in profile %s, which is not active: add profiles: [%s] to the scenario", name, strings.Join(in.Profiles, ", "), in.Profiles[0])
			return false
		}
		bad(pos, "unknown service or container %q%s", name, sim.DidYouMean(s.Suggest(name)))
		return false
	}
	for _, e := range sc.Expects {
		var r Result
		switch e.Kind {
		case KindReach, KindBlocked:
			if !known(e.From, e.Pos) {
				continue
			}
			// TO is a DNS question from a container, except in the
			// project/service form (composenet's name for a service on a
			// host with several projects) and from outside the host,
			// where it names a service or container.
			if (strings.Contains(e.To, "/") || isExternal(e.From)) && !sim.IsRouteTarget(e.To) && s.Container(e.To) == nil {
				if cands := s.Ambiguous(e.To); cands != nil {
					bad(e.Pos, "%q is ambiguous: several projects have a service of that name (%s); name one as project/service or by its container name", e.To, strings.Join(cands, ", "))
					continue
				}
				if strings.Contains(e.To, "/") && !known(e.To, e.Pos) {
					continue
				}
			}
			if e.Via != "" && !known(e.Via, e.Pos) {
				continue
			}
			r = evalReach(s, t, e)
		case KindDNS:
			if !known(e.From, e.Pos) {
				continue
			}
			r = evalDNS(s, e)
		case KindExposed:
			bad := false
			for _, o := range e.Only {
				name, _, _, _ := sim.ParseTarget(o)
				if !known(name, e.Pos) {
					bad = true
				}
			}
			if bad {
				continue
			}
			r = evalExposed(s, t, e)
		}
		r.Kind, r.Text, r.Position, r.XFail = e.Kind, e.Text, e.Pos.String(), e.XFail
		r.Status = settle(r.Status, e.XFail)
		rep.Results = append(rep.Results, r)
	}
	for _, f := range sc.Flows {
		ok := true
		for _, st := range f.Stages {
			for _, tg := range st.Targets {
				if !known(tg.Name, f.Pos) {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		r := evalFlow(s, t, f)
		r.Kind, r.Text, r.Position, r.XFail = "flow", f.Name+": "+f.Chain, f.Pos.String(), f.XFail
		r.Status = settle(r.Status, f.XFail)
		rep.Results = append(rep.Results, r)
	}
	if len(probs) > 0 {
		return nil, &topology.LoadError{Problems: sortProblems(probs)}
	}
	return rep, nil
}

func settle(s Status, xfail string) Status {
	if xfail == "" {
		return s
	}
	if s == Pass {
		return XPass
	}
	return XFail
}

func isExternal(name string) bool {
	return name == sim.Internet || name == sim.Host || name == "client"
}

// externalQuery turns a question from the internet or the host about
// SERVICE:PORT into the question about the host port that publishes the
// service's container port PORT, when one does (the first binding in the
// container's order). Otherwise the question stays about the container.
func externalQuery(s *sim.Sim, from, to string, port uint16, protocol string) sim.Query {
	if from == "client" {
		from = sim.Internet
	}
	q := sim.Query{From: from, To: to, Port: port, Protocol: protocol}
	c := s.Container(to)
	if c == nil || port == 0 || to == sim.Host || to == sim.Internet {
		return q
	}
	if protocol == "" {
		protocol = "tcp"
	}
	for _, b := range c.Ports {
		if b.ContainerPort != port || b.Protocol != protocol {
			continue
		}
		q.Port = b.HostPort
		q.To = sim.Host
		if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
			q.To = b.HostIP.String()
		}
		return q
	}
	return q
}

func query(s *sim.Sim, from, to string, port uint16, protocol string) sim.Query {
	if isExternal(from) {
		return externalQuery(s, from, to, port, protocol)
	}
	return sim.Query{From: from, To: to, Port: port, Protocol: protocol}
}

func dur(ms float64) time.Duration { return time.Duration(math.Round(ms * float64(time.Millisecond))) }

func evalReach(s *sim.Sim, t *topology.Topology, e Expect) Result {
	q := query(s, e.From, e.To, e.Port, e.Protocol)
	if sim.IsRouteTarget(e.To) {
		// A reverse-proxy route: sim follows the published port itself.
		q = sim.Query{From: e.From, To: e.To, Port: e.Port, Protocol: e.Protocol, Path: e.Path}
		if q.From == "client" {
			q.From = sim.Internet
		}
	}
	r := s.Reach(q)
	res := Result{Reach: &r, Trace: r.Hops, BlockedBy: r.BlockedBy}
	want := e.Kind == KindReach
	got := r.Reachable
	desc := fmt.Sprintf("%s (%s)", r.Verdict, r.Reason)
	if q.To != e.To || q.Port != e.Port {
		desc += fmt.Sprintf(" via published %s:%d", q.To, q.Port)
	}
	switch {
	case e.Via != "":
		return evalVia(s, e, r)
	case want != got:
		res.Status = Fail
		if want {
			res.Message = "expected reachable, got " + desc
			for _, b := range r.BlockedBy {
				res.Fixes = append(res.Fixes, b.Fix)
			}
		} else {
			res.Message = fmt.Sprintf("expected blocked, but it is delivered (%.3f ms)", r.LatencyMS)
			res.Fixes = blockFixes(s, t, e, q, r)
		}
	case e.HasVerdict && r.Verdict != e.Verdict:
		res.Status = Fail
		res.Message = fmt.Sprintf("expected verdict %s, got %s", e.Verdict, desc)
	case e.MaxLatency > 0 && dur(r.LatencyMS) > e.MaxLatency:
		res.Status = Fail
		res.Message = fmt.Sprintf("latency %.3f ms exceeds max_latency %s", r.LatencyMS, e.MaxLatency)
		res.Fixes = []string{"the trace shows each hop's cost; the largest usually is the docker-proxy (set userland-proxy=false) or an upstream DNS lookup (call the service by a name the embedded DNS answers)"}
	default:
		res.Status = Pass
		if got {
			res.Message = fmt.Sprintf("delivered (%.3f ms)", r.LatencyMS)
		} else {
			res.Message = desc
		}
		res.Trace, res.BlockedBy = nil, nil
	}
	return res
}

// evalVia checks a waypoint: FROM does not reach TO directly, reaches VIA,
// and VIA reaches TO.
func evalVia(s *sim.Sim, e Expect, direct sim.Result) Result {
	var res Result
	if direct.Reachable {
		res.Status, res.Reach, res.Trace = Fail, &direct, direct.Hops
		res.Message = fmt.Sprintf("%s reaches %s directly, not only via %s", e.From, e.To, e.Via)
		res.Fixes = []string{fmt.Sprintf("remove the shared path between %s and %s shown in the trace (a common network, or a published port)", e.From, e.To)}
		return res
	}
	var first sim.Result
	if e.ViaPort != 0 || !isExternal(e.From) {
		first = s.Reach(query(s, e.From, e.Via, e.ViaPort, "tcp"))
	} else {
		c := s.Container(e.Via)
		first = sim.Result{Verdict: sim.NotPublished, Reason: e.Via + " publishes no port"}
		if c != nil {
			for _, b := range c.Ports {
				first = s.Reach(query(s, e.From, e.Via, b.ContainerPort, b.Protocol))
				if first.Reachable {
					break
				}
			}
		}
	}
	if !first.Reachable {
		res.Status, res.Reach, res.Trace, res.BlockedBy = Fail, &first, first.Hops, first.BlockedBy
		res.Message = fmt.Sprintf("%s does not reach the waypoint %s: %s", e.From, e.Via, first.Verdict)
		for _, b := range first.BlockedBy {
			res.Fixes = append(res.Fixes, b.Fix)
		}
		return res
	}
	second := s.Reach(sim.Query{From: e.Via, To: e.To, Port: e.Port, Protocol: e.Protocol})
	if !second.Reachable {
		res.Status, res.Reach, res.Trace, res.BlockedBy = Fail, &second, second.Hops, second.BlockedBy
		res.Message = fmt.Sprintf("the waypoint %s does not reach %s: %s", e.Via, e.To, second.Verdict)
		for _, b := range second.BlockedBy {
			res.Fixes = append(res.Fixes, b.Fix)
		}
		return res
	}
	res.Status = Pass
	res.Message = fmt.Sprintf("only via %s (direct: %s); %.3f ms + %.3f ms", e.Via, direct.Verdict, first.LatencyMS, second.LatencyMS)
	if e.MaxLatency > 0 && dur(first.LatencyMS+second.LatencyMS) > e.MaxLatency {
		res.Status = Fail
		res.Message = fmt.Sprintf("via %s: latency %.3f ms exceeds max_latency %s", e.Via, first.LatencyMS+second.LatencyMS, e.MaxLatency)
	}
	return res
}

// blockFixes suggests how to stop a delivered flow that should be blocked.
func blockFixes(s *sim.Sim, t *topology.Topology, e Expect, q sim.Query, r sim.Result) []string {
	var out []string
	if dst := s.Container(e.To); dst != nil && q.To != e.To {
		for _, b := range dst.Ports {
			if b.HostPort == q.Port {
				out = append(out, fmt.Sprintf("stop publishing %s (%s), or bind it to 127.0.0.1", topology.FormatBinding(b), b.Pos))
			}
		}
	}
	src, dst := s.Container(e.From), s.Container(e.To)
	if src != nil && dst != nil && src.NetNS != nil && dst.NetNS != nil {
		for _, a := range src.NetNS.Endpoints {
			for _, b := range dst.NetNS.Endpoints {
				if a.Network == b.Network {
					out = append(out, fmt.Sprintf("%s and %s share network %s (%s, %s): move one of them to a network the other does not join", e.From, e.To, netKey(a.Network), a.Pos, b.Pos))
				}
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "the trace above shows the path that delivers; remove one of its steps")
	}
	return out
}

func netKey(n *topology.Network) string {
	if n.Key != "" {
		return n.Key
	}
	return n.Name
}

func evalDNS(s *sim.Sim, e Expect) Result {
	c := s.Container(e.From)
	if c == nil {
		return Result{Status: Fail, Message: fmt.Sprintf("%s is not running (stopped by a what-if)", e.From)}
	}
	d := s.Resolve(c, e.Name)
	res := Result{DNS: &d}
	got := describeDNS(d)
	wantRcode := e.Rcode
	if wantRcode == "" {
		wantRcode = sim.RcodeNoError
	}
	switch {
	case d.Rcode != wantRcode:
		res.Status = Fail
		res.Message = fmt.Sprintf("expected %s, got %s", wantRcode, got)
	case e.Answers != nil && !answersMatch(e.Answers, d.Answers):
		res.Status = Fail
		res.Message = fmt.Sprintf("expected answers %s, got %s", describeSpecs(e.Answers), got)
	default:
		res.Status = Pass
		res.Message = got
	}
	if res.Status == Fail {
		res.Fixes = dnsFixes(s, c, e)
	}
	return res
}

func dnsFixes(s *sim.Sim, c *topology.Container, e Expect) []string {
	t := s.Topology()
	var out []string
	if e.Rcode == "" || e.Rcode == sim.RcodeNoError {
		for _, a := range e.Answers {
			for _, n := range t.Networks {
				if a.Network != "" && a.Network != n.Key && a.Network != n.Name {
					continue
				}
				if c.NetNS != nil && c.NetNS.Endpoint(n) == nil && a.Network != "" {
					out = append(out, fmt.Sprintf("attach %s to network %s so its embedded DNS answers names registered there (R6-7)", e.From, a.Network))
				}
			}
		}
	} else {
		out = append(out, fmt.Sprintf("%s resolves %s; detach %s from the network that registers it, or rename it (R6-3, R6-7)", e.From, e.Name, e.From))
	}
	return out
}

func describeDNS(d sim.DNSResult) string {
	if len(d.Answers) == 0 {
		return d.Rcode + " (no answers, " + d.Source + ")"
	}
	var as []string
	for _, a := range d.Answers {
		as = append(as, fmt.Sprintf("%s (%s@%s)", a.IP, orDash(a.Service, a.Container), orDash(a.Network, "-")))
	}
	return d.Rcode + " " + strings.Join(as, ", ")
}

func orDash(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func describeSpecs(as []AnswerSpec) string {
	if len(as) == 0 {
		return "none"
	}
	var out []string
	for _, a := range as {
		out = append(out, fmt.Sprintf("%s@%s", orDash(orDash(a.Service, a.Container), "*"), orDash(a.Network, "*")))
	}
	return strings.Join(out, ", ")
}

// answersMatch requires as many answers as specs and every spec matched by
// a distinct answer. A spec can match several answers (a bare service
// name matches every project's service of that name, an empty field
// anything), so the specs are matched to answers as a bipartite matching
// (augmenting paths; specs are few), not greedily in order.
func answersMatch(specs []AnswerSpec, got []sim.DNSAnswer) bool {
	if len(specs) != len(got) {
		return false
	}
	fits := func(sp AnswerSpec, a sim.DNSAnswer) bool {
		return (sp.Service == "" || sameService(sp.Service, a.Service)) && (sp.Container == "" || sp.Container == a.Container) && (sp.Network == "" || sp.Network == a.Network)
	}
	owner := make([]int, len(got)) // answer -> spec, -1 when free
	for i := range owner {
		owner[i] = -1
	}
	var try func(si int, seen []bool) bool
	try = func(si int, seen []bool) bool {
		for ai, a := range got {
			if seen[ai] || !fits(specs[si], a) {
				continue
			}
			seen[ai] = true
			if owner[ai] < 0 || try(owner[ai], seen) {
				owner[ai] = si
				return true
			}
		}
		return false
	}
	for si := range specs {
		if !try(si, make([]bool, len(got))) {
			return false
		}
	}
	return true
}

// sameService reports whether the service named in a scenario is the
// service an answer names: the same name, or on a host with several
// projects the bare name of a project/service.
func sameService(spec, got string) bool {
	if spec == got {
		return true
	}
	_, bare, ok := strings.Cut(got, "/")
	return ok && !strings.Contains(spec, "/") && bare == spec
}

// exposedKey is the key of an only: entry SERVICE:PORT[/PROTO]: the
// service as Exposed names it (a container name or a bare service name
// of one project stands for its service).
func exposedKey(s *sim.Sim, o string) string {
	name, port, proto, _ := sim.ParseTarget(o)
	if c := s.Container(name); c != nil && c.Service != "" {
		name = c.Service
	}
	return fmt.Sprintf("%s:%d/%s", name, port, proto)
}

// Exposure is one service port that a client outside reaches through a
// published binding.
type Exposure struct {
	Service string
	Port    uint16
	Proto   string
	Binding string
	Pos     topology.Position
}

func (x Exposure) key() string { return fmt.Sprintf("%s:%d/%s", x.Service, x.Port, x.Proto) }

// Exposed lists, sorted, the container ports that from (internet or host)
// reaches through published bindings.
func Exposed(s *sim.Sim, from string) []Exposure {
	var out []Exposure
	seen := map[string]bool{}
	for _, c := range s.Topology().Containers {
		for _, b := range c.Ports {
			to := sim.Host
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				to = b.HostIP.String()
			}
			r := s.Reach(sim.Query{From: from, To: to, Port: b.HostPort, Protocol: b.Protocol})
			if !r.Reachable {
				continue
			}
			svc := c.Service
			if svc == "" {
				svc = c.Name
			}
			x := Exposure{Service: svc, Port: b.ContainerPort, Proto: b.Protocol, Binding: topology.FormatBinding(b), Pos: b.Pos}
			if !seen[x.key()] {
				seen[x.key()] = true
				out = append(out, x)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}

func evalExposed(s *sim.Sim, t *topology.Topology, e Expect) Result {
	allowed := map[string]bool{}
	for _, o := range e.Only {
		allowed[exposedKey(s, o)] = true
	}
	var extra []string
	var fixes []string
	got := map[string]bool{}
	for _, x := range Exposed(s, e.From) {
		got[x.key()] = true
		if !allowed[x.key()] {
			extra = append(extra, x.key())
			fixes = append(fixes, fmt.Sprintf("stop publishing %s of %s (%s), or bind it to 127.0.0.1", x.Binding, x.Service, x.Pos))
		}
	}
	var missing []string
	for _, o := range e.Only {
		k := exposedKey(s, o)
		if !got[k] {
			missing = append(missing, k)
		}
	}
	res := Result{Status: Pass, Message: fmt.Sprintf("%s reaches exactly %s", e.From, strings.Join(keys(got), ", "))}
	if len(extra)+len(missing) > 0 {
		res.Status = Fail
		var parts []string
		if len(extra) > 0 {
			parts = append(parts, "also reaches "+strings.Join(extra, ", "))
		}
		if len(missing) > 0 {
			parts = append(parts, "does not reach "+strings.Join(missing, ", "))
			fixes = append(fixes, "publish the missing ports (ports: [\"HOST:CONTAINER\"])")
		}
		res.Message = e.From + " " + strings.Join(parts, "; ")
		res.Fixes = fixes
	}
	return res
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"nothing"}
	}
	return out
}
