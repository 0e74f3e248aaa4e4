// Package scenarios reads scenario files, YAML documents that state what a
// Compose project's network must and must not allow, and runs every
// expectation through package sim. A scenario names the compose files to
// load (with project name, profiles, environment, daemon settings, host
// description and the other projects on the same host), what-ifs applied before anything is checked (stop a
// service, disconnect a service from a network, change a daemon setting),
// expectations (reach, blocked, dns, exposed) and application flows (call
// chains with per-service processing time, giving the end-to-end latency
// and the critical path). The format is documented in README.md beside
// this file.
//
// Parse reports every problem in a file at once, each as
// file:line:col: path: message, sorted by position (a *topology.LoadError).
// Run is pure apart from loading the compose files: it returns a Report
// value and never prints.
package scenarios

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Scenario is one parsed scenario file.
type Scenario struct {
	// File is the scenario file as given; Dir is its directory, which
	// Compose, Host and relative paths are resolved against.
	File string
	Dir  string
	// Name is the suite name (default: the file name).
	Name string
	// Compose are the compose files, relative to Dir, merged in order.
	Compose []string
	// Project, Profiles, Env (KEY=VALUE, sorted), Daemon (key=value),
	// Host (a host description file) and Latency (hop=duration) become the
	// topology.Options of the load. The process environment is not used,
	// so a scenario gives the same answers everywhere.
	Project  string
	Profiles []string
	Env      []string
	Daemon   []string
	Host     string
	Latency  []string
	// With are the other compose projects on the same host (with:), in
	// up order, each brought up before this one (topology.LoadHost): a
	// folder or compose file relative to Dir, with its own project name
	// and profiles. The host description's projects: come first.
	With []topology.ProjectRef
	// WhatIfs are applied in order before the expectations run.
	WhatIfs []WhatIf
	// Expects are the expectations in file order.
	Expects []Expect
	// Flows are the application call chains in file order.
	Flows []Flow
}

// What-if kinds.
const (
	WhatIfStop       = "stop"
	WhatIfDisconnect = "disconnect"
	WhatIfConnect    = "connect"
	WhatIfDaemon     = "daemon"
)

// WhatIf is one change applied to the project before the expectations.
type WhatIf struct {
	// Kind is WhatIfStop, WhatIfDisconnect, WhatIfConnect or WhatIfDaemon.
	Kind string
	// Service is the service to stop, disconnect or connect.
	Service string
	// Network is the compose network key to disconnect Service from or
	// connect it to.
	Network string
	// Aliases are extra network aliases for connect.
	Aliases []string
	// Setting is a daemon key=value.
	Setting string
	Pos     topology.Position
}

// Expectation kinds.
const (
	KindReach   = "reach"
	KindBlocked = "blocked"
	KindDNS     = "dns"
	KindExposed = "exposed"
)

// Expect is one expectation.
type Expect struct {
	// Kind is KindReach, KindBlocked, KindDNS or KindExposed.
	Kind string
	// Text is the expectation as written ("gateway -> database:5432").
	Text string
	// From and To, Port, Protocol are the reach/blocked question.
	From, To string
	Port     uint16
	Protocol string
	// Path is the request path of a reverse-proxy route question (To
	// "route:HOST", see sim.RoutePrefix).
	Path string
	// Verdict, when HasVerdict, is the verdict code that must come out.
	Verdict    sim.Verdict
	HasVerdict bool
	// MaxLatency is a latency budget for reach (0: none).
	MaxLatency time.Duration
	// Via is a waypoint service for reach: FROM does not reach TO directly,
	// but reaches Via (on ViaPort) and Via reaches TO.
	Via     string
	ViaPort uint16
	// Name, Rcode and Answers are the dns question and its expected answer:
	// Rcode is NOERROR, NXDOMAIN or SERVFAIL ("" means NOERROR when
	// Answers are given).
	Name    string
	Rcode   string
	Answers []AnswerSpec
	// Only lists the SERVICE:PORT[/PROTO] that From (internet or host) may
	// reach through published ports, for KindExposed.
	Only []string
	// XFail, when not empty, says why this expectation is known not to hold
	// (e.g. a claim of the design guide that its compose file contradicts):
	// the suite passes while it fails and fails when it starts to hold.
	XFail string
	Pos   topology.Position
}

// AnswerSpec is one expected DNS answer; empty fields match anything.
type AnswerSpec struct {
	Service   string
	Container string
	Network   string
}

// Flow is an application call chain.
type Flow struct {
	Name string
	// Chain is the chain as written.
	Chain string
	// Stages are the chain's elements; Stages[0] is the client.
	Stages []Stage
	// Processing overrides the per-service processing time
	// (x-composenet.processing) for this flow, by service name.
	Processing map[string]time.Duration
	// MaxLatency is the end-to-end budget (0: none).
	MaxLatency time.Duration
	XFail      string
	Pos        topology.Position
}

// Stage is one element of a chain: one target, or a bracketed group whose
// members are called in order, or all at once when Parallel.
type Stage struct {
	// Group is true for a bracketed element, even with one member.
	Group    bool
	Parallel bool
	Targets  []Target
}

// Target is NAME[:PORT][/PROTO] in a chain.
type Target struct {
	Name     string
	Port     uint16
	Protocol string
}

// String formats t as written.
func (t Target) String() string {
	s := t.Name
	if t.Port != 0 {
		s += ":" + strconv.Itoa(int(t.Port))
	}
	if t.Protocol != "" && t.Protocol != "tcp" {
		s += "/" + t.Protocol
	}
	return s
}

type parser struct {
	file  string
	probs []topology.Problem
}

func (p *parser) errf(n *yaml.Node, path, format string, args ...any) {
	pos := topology.Position{File: p.file}
	if n != nil {
		pos.Line, pos.Col = n.Line, n.Column
	}
	p.probs = append(p.probs, topology.Problem{Pos: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) pos(n *yaml.Node) topology.Position {
	return topology.Position{File: p.file, Line: n.Line, Col: n.Column}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// mapping returns the key/value pairs of a mapping node, reporting
// anything else and duplicate keys.
func (p *parser) mapping(n *yaml.Node, path string) [][2]*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.errf(n, path, "want a mapping")
		return nil
	}
	seen := map[string]bool{}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			p.errf(k, join(path, k.Value), "duplicate key %q", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, deref(v)})
	}
	return out
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind == yaml.AliasNode {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func (p *parser) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, path, "want a string")
		return "", false
	}
	return n.Value, true
}

// strs accepts a string or a list of strings.
func (p *parser) strs(n *yaml.Node, path string) []string {
	if n.Kind == yaml.ScalarNode {
		if s, ok := p.str(n, path); ok {
			return []string{s}
		}
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errf(n, path, "want a string or a list of strings")
		return nil
	}
	var out []string
	for i, c := range n.Content {
		if s, ok := p.str(deref(c), fmt.Sprintf("%s.%d", path, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

// kvs accepts a mapping KEY: VALUE or a list of KEY=VALUE strings.
func (p *parser) kvs(n *yaml.Node, path string) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for _, kv := range p.mapping(n, path) {
			if v, ok := p.str(kv[1], join(path, kv[0].Value)); ok {
				out = append(out, kv[0].Value+"="+v)
			}
		}
		return out
	}
	for i, s := range p.strs(n, path) {
		if !strings.Contains(s, "=") {
			p.errf(n.Content[min(i, len(n.Content)-1)], fmt.Sprintf("%s.%d", path, i), "want KEY=VALUE, got %q", s)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) duration(n *yaml.Node, path string) time.Duration {
	s, ok := p.str(n, path)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		p.errf(n, path, "want a positive duration such as 3ms or 250us, got %q", s)
		return 0
	}
	return d
}

// Parse parses a scenario file. file is used in positions and to resolve
// relative paths. Every problem is reported at once as a
// *topology.LoadError.
func Parse(file string, data []byte) (sc *Scenario, err error) {
	p := &parser{file: file}
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	sc = &Scenario{File: file, Dir: filepath.Dir(file), Name: strings.TrimSuffix(base, ".scenario")}
	defer func() {
		if r := recover(); r != nil {
			sc, err = nil, &topology.LoadError{Problems: []topology.Problem{{Pos: topology.Position{File: file}, Message: fmt.Sprintf("internal error while parsing (please report): %v", r)}}}
		}
	}()
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if derr := dec.Decode(&doc); derr != nil {
		msg := derr.Error()
		line, col := yamlErrLine(msg)
		if msg == "EOF" {
			msg = "empty scenario file"
		}
		return nil, &topology.LoadError{Problems: []topology.Problem{{Pos: topology.Position{File: file, Line: line, Col: col}, Message: strings.TrimPrefix(msg, "yaml: ")}}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	var haveCompose bool
	for _, kv := range p.mapping(root, "") {
		k, v := kv[0], kv[1]
		path := k.Value
		switch k.Value {
		case "name":
			if s, ok := p.str(v, path); ok {
				sc.Name = s
			}
		case "compose":
			sc.Compose = p.strs(v, path)
			haveCompose = true
		case "project":
			sc.Project, _ = p.str(v, path)
		case "profiles":
			sc.Profiles = p.strs(v, path)
		case "env":
			sc.Env = p.kvs(v, path)
			sort.Strings(sc.Env)
		case "daemon":
			sc.Daemon = p.kvs(v, path)
		case "host":
			sc.Host, _ = p.str(v, path)
		case "latency":
			sc.Latency = p.kvs(v, path)
		case "with":
			p.with(sc, v, path)
		case "what_if":
			if p.fits(k, v, path, MaxWhatIfs) {
				p.whatIfs(sc, v, path)
			}
		case "expect":
			if p.fits(k, v, path, MaxExpectations) {
				p.expects(sc, v, path)
			}
		case "flows":
			if p.fits(k, v, path, MaxFlows) {
				p.flows(sc, v, path)
			}
		default:
			p.errf(k, path, "unknown field %q (known: name, compose, project, profiles, env, daemon, host, latency, with, what_if, expect, flows)", k.Value)
		}
	}
	if root.Kind == yaml.MappingNode && !haveCompose {
		p.errf(root, "compose", "missing: list the compose files, e.g. compose: [compose.yaml]")
	}
	if len(p.probs) > 0 {
		return nil, &topology.LoadError{Problems: sortProblems(p.probs)}
	}
	return sc, nil
}

// with reads the with: list: each entry a path (a folder holding a
// compose file, or a compose file, relative to the scenario file) or a
// mapping {path:, project:, profiles:}.
func (p *parser) with(sc *Scenario, n *yaml.Node, path string) {
	if n.Kind == yaml.SequenceNode && len(n.Content) > MaxProjects {
		p.errf(n, path, "%d projects; composenet accepts at most %d in one scenario file", len(n.Content), MaxProjects)
		return
	}
	for i, it := range p.seq(n, path) {
		ip := fmt.Sprintf("%s.%d", path, i)
		r := topology.ProjectRef{Base: sc.Dir, Pos: p.pos(it), Field: ip}
		if it.Kind == yaml.ScalarNode {
			var ok bool
			if r.Path, ok = p.str(it, ip); !ok {
				continue
			}
		} else {
			for _, kv := range p.mapping(it, ip) {
				k, v := kv[0], kv[1]
				kp := join(ip, k.Value)
				switch k.Value {
				case "path":
					r.Path, _ = p.str(v, kp)
				case "project":
					r.ProjectName, _ = p.str(v, kp)
				case "profiles":
					r.Profiles = p.strs(v, kp)
				default:
					p.errf(k, kp, "unknown field %q (known: path, project, profiles)", k.Value)
				}
			}
		}
		if it.Kind == yaml.MappingNode && r.Path == "" {
			p.errf(it, ip, "a project needs path: (its folder or compose file, relative to the scenario file)")
			continue
		}
		if it.Kind != yaml.MappingNode && it.Kind != yaml.ScalarNode {
			continue // reported by mapping
		}
		sc.With = append(sc.With, r)
	}
}

// Limits of one scenario file (its size is bounded by
// topology.MaxInputBytes). Each expectation is a simulation and each
// what-if a copy of the topology, so the counts are bounded too.
const (
	MaxExpectations = 10_000
	MaxFlows        = 1_000
	MaxWhatIfs      = 100
	MaxProjects     = 64
)

// fits reports whether the list v has at most max entries, and refuses it
// otherwise.
func (p *parser) fits(k, v *yaml.Node, path string, max int) bool {
	v = deref(v)
	if v.Kind == yaml.SequenceNode && len(v.Content) > max {
		p.errf(k, path, "%d entries; composenet accepts at most %d %s entries in one scenario file (split it into several files)", len(v.Content), max, path)
		return false
	}
	return true
}

func sortProblems(ps []topology.Problem) []topology.Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return ps
}

// yamlErrLine extracts "line N" (and "column M") from a yaml error.
func yamlErrLine(msg string) (line, col int) {
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		line, _ = strconv.Atoi(rest[:j])
		if k := strings.Index(rest, "column "); k >= 0 {
			r2 := rest[k+7:]
			m := 0
			for m < len(r2) && r2[m] >= '0' && r2[m] <= '9' {
				m++
			}
			col, _ = strconv.Atoi(r2[:m])
		}
	}
	return line, col
}

func (p *parser) seq(n *yaml.Node, path string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, path, "want a list")
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

func (p *parser) whatIfs(sc *Scenario, n *yaml.Node, path string) {
	for i, it := range p.seq(n, path) {
		ip := fmt.Sprintf("%s.%d", path, i)
		kvs := p.mapping(it, ip)
		if it.Kind == yaml.MappingNode && len(kvs) != 1 {
			p.errf(it, ip, "want exactly one of stop, disconnect, connect, daemon")
			continue
		}
		for _, kv := range kvs {
			k, v := kv[0], kv[1]
			kp := join(ip, k.Value)
			w := WhatIf{Kind: k.Value, Pos: p.pos(k)}
			switch k.Value {
			case WhatIfStop:
				w.Service, _ = p.str(v, kp)
			case WhatIfDisconnect, WhatIfConnect:
				for _, f := range p.mapping(v, kp) {
					fp := join(kp, f[0].Value)
					switch {
					case f[0].Value == "service":
						w.Service, _ = p.str(f[1], fp)
					case f[0].Value == "network":
						w.Network, _ = p.str(f[1], fp)
					case f[0].Value == "aliases" && k.Value == WhatIfConnect:
						w.Aliases = p.strs(f[1], fp)
					case k.Value == WhatIfConnect:
						p.errf(f[0], fp, "unknown field %q (known: service, network, aliases)", f[0].Value)
					default:
						p.errf(f[0], fp, "unknown field %q (known: service, network)", f[0].Value)
					}
				}
				if v.Kind == yaml.MappingNode && (w.Service == "" || w.Network == "") {
					p.errf(v, kp, "want {service: NAME, network: KEY}")
				}
			case WhatIfDaemon:
				s, ok := p.str(v, kp)
				if ok && !strings.Contains(s, "=") {
					p.errf(v, kp, "want a daemon setting KEY=VALUE such as icc=false, got %q", s)
				}
				w.Setting = s
			default:
				p.errf(k, kp, "unknown what-if %q (known: stop, disconnect, connect, daemon)", k.Value)
				continue
			}
			sc.WhatIfs = append(sc.WhatIfs, w)
		}
	}
}

func (p *parser) expects(sc *Scenario, n *yaml.Node, path string) {
	for i, it := range p.seq(n, path) {
		ip := fmt.Sprintf("%s.%d", path, i)
		e := Expect{Pos: p.pos(it)}
		kvs := p.mapping(it, ip)
		var extra []*yaml.Node
		for _, kv := range kvs {
			k, v := kv[0], kv[1]
			kp := join(ip, k.Value)
			switch k.Value {
			case KindReach, KindBlocked:
				if e.Kind != "" {
					p.errf(k, kp, "an expectation has one kind; %q already given", e.Kind)
					continue
				}
				e.Kind = k.Value
				s, ok := p.str(v, kp)
				if !ok {
					continue
				}
				e.Text = s
				q, err := sim.ParseFlow(s)
				if err != nil {
					p.errf(v, kp, "%v", err)
				}
				e.From, e.To, e.Port, e.Protocol, e.Path = q.From, q.To, q.Port, q.Protocol, q.Path
			case KindDNS:
				if e.Kind != "" {
					p.errf(k, kp, "an expectation has one kind; %q already given", e.Kind)
					continue
				}
				e.Kind = KindDNS
				p.dns(&e, v, kp)
			case KindExposed:
				if e.Kind != "" {
					p.errf(k, kp, "an expectation has one kind; %q already given", e.Kind)
					continue
				}
				e.Kind = KindExposed
				if s, ok := p.str(v, kp); ok {
					e.From, e.Text = s, "exposed from "+s
					if s != sim.Internet && s != sim.Host {
						p.errf(v, kp, "want internet or host, got %q", s)
					}
				}
			default:
				extra = append(extra, k, v)
			}
		}
		for j := 0; j+1 < len(extra); j += 2 {
			k, v := extra[j], extra[j+1]
			kp := join(ip, k.Value)
			switch {
			case k.Value == "verdict" && (e.Kind == KindReach || e.Kind == KindBlocked):
				if s, ok := p.str(v, kp); ok {
					vd, err := sim.ParseVerdict(s)
					if err != nil {
						p.errf(v, kp, "%v (known: %s)", err, verdictList())
						continue
					}
					e.Verdict, e.HasVerdict = vd, true
					if e.Kind == KindBlocked && vd == sim.Delivered {
						p.errf(v, kp, "blocked with verdict delivered contradicts itself; use reach")
					}
					if e.Kind == KindReach && vd != sim.Delivered {
						p.errf(v, kp, "reach with verdict %s contradicts itself; use blocked", vd)
					}
				}
			case k.Value == "max_latency" && e.Kind == KindReach:
				e.MaxLatency = p.duration(v, kp)
			case k.Value == "via" && e.Kind == KindReach:
				if s, ok := p.str(v, kp); ok {
					t, port, _, err := sim.ParseTarget(s)
					if err != nil {
						p.errf(v, kp, "%v", err)
					}
					e.Via, e.ViaPort = t, port
				}
			case k.Value == "only" && e.Kind == KindExposed:
				e.Only = p.strs(v, kp)
				if e.Only == nil {
					e.Only = []string{} // only: [] says nothing is exposed
				}
				for oi, o := range e.Only {
					if _, port, _, err := sim.ParseTarget(o); err != nil || port == 0 {
						p.errf(v, fmt.Sprintf("%s.%d", kp, oi), "want SERVICE:PORT[/PROTO], got %q", o)
					}
				}
			case k.Value == "xfail":
				e.XFail, _ = p.str(v, kp)
			default:
				p.errf(k, kp, "unknown field %q for a %s expectation", k.Value, orUnknown(e.Kind))
			}
		}
		if e.Kind == "" && it.Kind == yaml.MappingNode {
			p.errf(it, ip, "want one of reach, blocked, dns, exposed")
			continue
		}
		if e.Kind == KindExposed && e.Only == nil && it.Kind == yaml.MappingNode {
			p.errf(it, ip, "exposed needs only: [SERVICE:PORT, ...] (an empty list means nothing)")
		}
		if e.Kind != "" {
			sc.Expects = append(sc.Expects, e)
		}
	}
}

func orUnknown(k string) string {
	if k == "" {
		return "(kind missing)"
	}
	return k
}

func verdictList() string {
	var s []string
	for _, v := range sim.Verdicts() {
		s = append(s, v.String())
	}
	return strings.Join(s, ", ")
}
