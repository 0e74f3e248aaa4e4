package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/scenarios"
	"github.com/composenet/composenet/topology"
)

// Options say what to verify and how.
type Options struct {
	// Load describes the project as every other command loads it.
	Load topology.Options
	// Loader loads a project (loader.Load, or composenet's helper);
	// Rewrite rewrites it for the probes (package verify/rewrite's
	// Project, or the helper). Both are required.
	Loader  topology.LoadFunc
	Rewrite RewriteFunc
	// Scenarios are scenario files whose reach, blocked and dns
	// expectations become queries too.
	Scenarios []*scenarios.Scenario
	// Keep leaves the project up after the run.
	Keep bool
	// Timeout bounds the whole run (bring-up, probes, teardown).
	Timeout time.Duration
	// DNSUpstream also asks the names composenet predicts the engine
	// forwards to its upstream resolvers.
	DNSUpstream bool
	// Probe is the static composenet binary copied into the probe image
	// (default: the running executable).
	Probe string
	// LANNetNS names a network namespace (ip netns) joined to the host by
	// a veth pair whose host end the host description's interfaces name:
	// verify probes from it as a machine on the host's LAN (lan.go).
	LANNetNS string
	// With are more projects on the host (--with), brought up before the
	// main one after the host description's projects:, in order.
	With []string
	// Docker is the docker CLI (default "docker").
	Docker string
	// Env is the environment of docker commands (default os.Environ()).
	Env []string
	// Progress receives progress lines (stderr).
	Progress io.Writer
}

// Report is the outcome of a verify run.
type Report struct {
	Engine  Engine `json:"engine"`
	Project string `json:"project"`
	// Projects are every verify project of the run in up order, when
	// there are several.
	Projects []string      `json:"projects,omitempty"`
	Queries  []QueryResult `json:"queries"`
	Summary  Summary       `json:"summary"`
	// Model is the engine version the predictions modelled.
	Model string `json:"-"`
	// Notes say what the rewrite changed (not in the JSON schema).
	Notes []string `json:"-"`
}

// Summary counts the queries.
type Summary struct {
	Total    int `json:"total"`
	Agree    int `json:"agree"`
	Disagree int `json:"disagree"`
	Skipped  int `json:"skipped"`
}

// OK reports whether every probed query agreed.
func (r *Report) OK() bool { return r.Summary.Disagree == 0 }

// Run brings the project that opts describe up on the local Docker Engine
// with every service replaced by the probe, checks every query, and tears
// the project down again (unless Keep), also when ctx is cancelled. With
// other projects on the host (With, or the host description's projects:)
// it brings each up in the modelled up order as its own verify project
// and tears them down in the reverse order (plan.go). A *ToolError means
// docker or compose is missing; a *topology.LoadError is bad input.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Docker == "" {
		opts.Docker = "docker"
	}
	if opts.Env == nil {
		opts.Env = os.Environ()
	}
	if opts.Progress == nil {
		opts.Progress = io.Discard
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	say := func(format string, a ...any) { fmt.Fprintf(opts.Progress, "verify: "+format+"\n", a...) }
	d := &docker{bin: opts.Docker, env: opts.Env}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()

	eng, err := d.detect(ctx)
	if err != nil {
		return nil, err
	}
	say("Docker Engine %s (API %s, %s, kernel %s), Compose %s", eng.Version, eng.APIVersion, eng.OS, eng.Kernel, eng.Compose)
	if opts.Loader == nil || opts.Rewrite == nil {
		return nil, errors.New("verify: Options.Loader and Options.Rewrite are required")
	}
	orig, plan, err := loadHost(ctx, opts.Loader, opts.Load, opts.With)
	if err != nil {
		return nil, err
	}
	var lan *lanClient
	if opts.LANNetNS != "" {
		if lan, err = findLAN(ctx, opts.LANNetNS, orig); err != nil {
			return nil, err
		}
		say("LAN client: namespace %s, %d addresses on %s, the host's %s %s", lan.netns, len(lan.addrs), lan.prefix, lan.iface, lan.hostAddr)
	}
	probe := opts.Probe
	if probe == "" {
		if probe, err = os.Executable(); err != nil {
			return nil, err
		}
	}
	say("building the probe image from %s (FROM scratch, nothing pulled)", filepath.Base(probe))
	image, err := d.ensureProbeImage(ctx, probe)
	if err != nil {
		return nil, &ToolError{Msg: err.Error()}
	}
	dir, err := os.MkdirTemp("", "composenet-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	multi := len(plan.Projects) > 1
	notes, err := plan.rewriteAll(ctx, opts.Rewrite, image, dir)
	if err != nil {
		return nil, err
	}

	// The model: the rewritten files on one host, with the engine's
	// version and its docker0 settings.
	b0, err := d.networks(ctx, []string{"bridge"})
	if err != nil {
		return nil, &ToolError{Msg: "cannot inspect the default bridge: " + err.Error()}
	}
	bridge0 := b0["bridge"]
	daemon := append([]string{}, opts.Load.Daemon...)
	if !hasSetting(daemon, "engine") {
		daemon = append(daemon, "engine="+eng.Version)
	}
	if bridge0 != nil && bridge0.Subnet.IsValid() && bridge0.Gateway.IsValid() && !hasSetting(daemon, "bip") {
		daemon = append(daemon, "bip="+netip.PrefixFrom(bridge0.Gateway, bridge0.Subnet.Bits()).String())
	}
	if bridge0 != nil && bridge0.Options["com.docker.network.bridge.enable_icc"] == "false" && !hasSetting(daemon, "icc") {
		daemon = append(daemon, "icc=false")
	}
	models, t, err := plan.model(ctx, opts.Loader, dir, topology.Options{HostFile: opts.Load.HostFile, Daemon: daemon, Latency: opts.Load.Latency})
	if err != nil {
		return nil, err
	}
	rep := &Report{Engine: eng, Project: plan.main().Name, Model: t.Daemon.Engine.String(), Notes: notes}
	if multi {
		rep.Projects = plan.names()
	}

	started := 0
	teardown := func() {
		down := plan.downOrder(started)
		if opts.Keep {
			for _, rp := range down {
				say("--keep: project %s left running (docker compose -p %s down -v --remove-orphans removes it)", rp.Name, rp.Name)
			}
			return
		}
		for _, rp := range down {
			say("tearing %s down", rp.Name)
			tctx, tcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
			if _, err := d.run(tctx, nil, rp.downArgs(dir)...); err != nil {
				say("teardown of %s failed: %v", rp.Name, oneLine(err.Error()))
			}
			// Whatever compose left behind, by the project's label.
			if left, err := d.removeProject(tctx, rp.Name); err != nil {
				say("removing what is left of %s failed: %v", rp.Name, oneLine(err.Error()))
			} else if left != "" {
				say("removed what compose left of %s: %s", rp.Name, left)
			}
			tcancel()
		}
	}
	defer teardown()
	for i, rp := range plan.Projects {
		say("bringing %s up: %d services, %d networks", rp.Name, len(models[i].Services), len(models[i].Networks))
		started = i + 1
		if _, err := d.run(ctx, nil, rp.upArgs(dir)...); err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("interrupted while bringing %s up: %w", rp.Name, ctx.Err())
			}
			return nil, &ToolError{Msg: "docker compose up of " + rp.Name + " failed: " + err.Error()}
		}
	}
	// The probes bind their ports within milliseconds of starting; give
	// them a moment before the first connect.
	select {
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	ctrs := map[string]*actualContainer{}
	for _, rp := range plan.Projects {
		got, err := d.containers(ctx, rp.Name)
		if err != nil {
			return nil, err
		}
		for k, v := range got {
			ctrs[k] = v
		}
	}
	nets, err := d.networks(ctx, runNetworks(t))
	if err != nil {
		return nil, err
	}
	w := newWorld(t, ctrs, nets, bridge0)
	w.dnsUpstream = opts.DNSUpstream
	w.probeBin = probe
	w.routes = plan.Routes
	w.rename = plan.rename
	if lan != nil {
		w.setLAN(lan)
		var subnets []netip.Prefix
		for _, n := range nets {
			if n.Subnet.IsValid() {
				subnets = append(subnets, n.Subnet)
			}
		}
		if bridge0 != nil && bridge0.Subnet.IsValid() {
			subnets = append(subnets, bridge0.Subnet)
		}
		slices.SortFunc(subnets, func(a, b netip.Prefix) int { return strings.Compare(a.String(), b.String()) })
		defer lan.delRoutes(context.WithoutCancel(ctx))
		if err := lan.addRoutes(ctx, subnets); err != nil {
			return nil, err
		}
		defer lan.stop()
		if err := lan.serve(ctx, probe); err != nil {
			return nil, err
		}
	}
	qs := w.generate(opts.Scenarios)
	for _, c := range t.Containers {
		if a := ctrs[c.Name]; a == nil || !a.Running {
			rep.Notes = append(rep.Notes, c.Name+" is not running: no query runs from it")
		}
	}
	obs, err := w.probe(ctx, d, qs, say)
	if err != nil {
		return nil, err
	}
	for _, q := range qs {
		w.judge(q, obs[q.task.ID])
		rep.Queries = append(rep.Queries, q.QueryResult)
	}
	rep.count()
	return rep, nil
}

// runNetworks are the networks of model t that the run created on the
// engine, by name. A network of the host description is not one: the
// projects joined NAME-verify instead (plan.go), and the engine may have
// no network of that name.
func runNetworks(t *topology.Topology) []string {
	var out []string
	for _, n := range t.Networks {
		if !n.Declared {
			out = append(out, n.Name)
		}
	}
	return out
}

func hasSetting(settings []string, key string) bool {
	for _, s := range settings {
		if strings.HasPrefix(s, key+"=") {
			return true
		}
	}
	return false
}

// probe runs every task: in each container through docker exec (four
// containers at a time), and the host's in this process.
func (w *world) probe(ctx context.Context, d *docker, qs []*query, say func(string, ...any)) (map[int]Observation, error) {
	byRunner := map[string][]Task{}
	for _, q := range qs {
		if q.skip == "" {
			byRunner[q.runner] = append(byRunner[q.runner], q.task)
		}
	}
	runners := sortedKeys(byRunner)
	say("probing: %d queries from %d places", len(qs), len(runners))
	obs := map[int]Observation{}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for _, r := range runners {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			var got map[int]Observation
			var err error
			switch {
			case r == "":
				got = map[int]Observation{}
				for _, o := range runAll(ctx, byRunner[r], &resolver{hosts: map[string][]string{}}) {
					got[o.ID] = o
				}
			case w.lan != nil && r == w.lan.runner():
				got, err = w.lan.exec(ctx, w.probeBin, byRunner[r])
			default:
				got, err = d.exec(ctx, r, byRunner[r])
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("probing from %s: %v", r, err)
				}
				return
			}
			for id, o := range got {
				obs[id] = o
			}
			where := r
			switch {
			case where == "":
				where = "the host"
			case w.lan != nil && r == w.lan.runner():
				where = "the LAN client (namespace " + w.lan.netns + ")"
			}
			say("  %s: %d queries done", where, len(byRunner[r]))
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted while probing: %w", ctx.Err())
	}
	return obs, firstErr
}

// judge fills q's observation and agreement from the probe's answer.
func (w *world) judge(q *query, o Observation) {
	if q.skip != "" {
		q.Observed = "skipped: " + q.skip
		return
	}
	switch o.Outcome {
	case "":
		q.Observed = "skipped: the probe gave no answer"
		return
	case OutOutside:
		q.Observed = "skipped: " + o.Detail
		return
	case OutError:
		q.Observed = "skipped: the probe could not run it: " + o.Detail
		return
	}
	agree := slices.Contains(q.want.outcomes, o.Outcome)
	if q.Kind == KindDNS {
		q.Observed = w.describeLookup(o)
		if agree && o.Outcome == OutAnswer {
			agree = w.dnsAgrees(q.want, o)
		}
	} else {
		q.Observed = w.describeConnect(q, o)
		if agree && o.Outcome == OutConnected && q.want.peers != nil && q.Port != 0 {
			agree = slices.Contains(q.want.peers, w.peerOf(o.Peer))
		}
	}
	q.Agree = &agree
}

func (w *world) dnsAgrees(e expectation, o Observation) bool {
	if e.upstream {
		if e.rcode != "" && o.Rcode != e.rcode {
			return false
		}
		for _, a := range o.Addrs {
			if ip, err := netip.ParseAddr(a); err == nil && w.owner[ip] != "" && w.owner[ip] != "host" {
				return false
			}
		}
		return o.Rcode != "SERVFAIL" || e.rcode == "SERVFAIL"
	}
	if o.Rcode != e.rcode {
		return false
	}
	var got []string
	for _, a := range o.Addrs {
		ip, err := netip.ParseAddr(a)
		if err == nil && w.owner[ip] != "" && w.owner[ip] != "host" {
			got = append(got, w.owner[ip])
		} else {
			got = append(got, a)
		}
	}
	return slices.Equal(sortedUnique(got), e.answers)
}

// peerOf names the namespace whose probe answered, from its addresses.
func (w *world) peerOf(addrs []string) string {
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil && w.owner[ip] != "" {
			return w.owner[ip]
		}
	}
	if len(addrs) == 0 {
		return "unknown"
	}
	return "unknown (" + strings.Join(addrs, ",") + ")"
}

func (w *world) describeLookup(o Observation) string {
	switch o.Outcome {
	case OutAnswer:
		if o.Rcode == "NOERROR" && len(o.Addrs) > 0 {
			var parts []string
			for _, a := range sortedUnique(append([]string{}, o.Addrs...)) {
				ip, err := netip.ParseAddr(a)
				if err == nil && w.owner[ip] != "" {
					parts = append(parts, w.owner[ip]+" ("+a+")")
				} else {
					parts = append(parts, a)
				}
			}
			return "A " + strings.Join(parts, ", ") + " [" + o.Source + "]"
		}
		if o.Rcode == "NOERROR" {
			return "NOERROR, no A record"
		}
		return o.Rcode
	case OutTimeout:
		return "no answer (timeout)"
	case OutNoRoute:
		return "no route to any nameserver"
	}
	return o.Outcome
}

func (w *world) describeConnect(q *query, o Observation) string {
	s := o.Outcome
	switch o.Outcome {
	case OutConnected:
		if q.Port == 0 {
			s = "echo reply"
		} else {
			s = "connected to " + w.peerOf(o.Peer)
		}
	case OutUnresolved:
		s = "name not resolved"
		if o.Rcode != "" {
			s += " (" + o.Rcode + ")"
		}
	case OutClosed:
		s = "accepted, then closed (no probe behind it)"
	}
	if o.Target != "" && q.task.Name != "" && o.Outcome != OutUnresolved {
		s += " at " + o.Target
	}
	return s
}

// count fills the summary.
func (r *Report) count() {
	r.Summary = Summary{Total: len(r.Queries)}
	for _, q := range r.Queries {
		switch {
		case q.Agree == nil:
			r.Summary.Skipped++
		case *q.Agree:
			r.Summary.Agree++
		default:
			r.Summary.Disagree++
		}
	}
}

// WriteText prints the report: a header, the disagreements (with the
// rules behind each prediction), the agreements, the skipped queries, and
// the summary.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	what := r.Project
	if len(r.Projects) > 1 {
		what = "projects " + strings.Join(r.Projects, ", ") + " (in up order)"
	}
	fmt.Fprintf(&b, "verify %s on Docker Engine %s (API %s, %s, kernel %s); model: Engine %s\n", what, r.Engine.Version, r.Engine.APIVersion, r.Engine.OS, r.Engine.Kernel, r.Model)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	groups := []struct {
		title string
		pick  func(QueryResult) bool
		mark  string
	}{
		{"DISAGREE", func(q QueryResult) bool { return q.Agree != nil && !*q.Agree }, "✗"},
		{"AGREE", func(q QueryResult) bool { return q.Agree != nil && *q.Agree }, "✓"},
		{"SKIPPED", func(q QueryResult) bool { return q.Agree == nil }, "-"},
	}
	for _, g := range groups {
		var lines []QueryResult
		for _, q := range r.Queries {
			if g.pick(q) {
				lines = append(lines, q)
			}
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%d)\n", g.title, len(lines))
		for _, q := range lines {
			fmt.Fprintf(&b, "%s %s %s -> %s\n", g.mark, q.Kind, q.From, target(q))
			if g.title == "SKIPPED" {
				fmt.Fprintf(&b, "    %s\n", strings.TrimPrefix(q.Observed, "skipped: "))
				continue
			}
			fmt.Fprintf(&b, "    predicted: %s\n    observed:  %s\n", q.Predicted, q.Observed)
			if g.title == "DISAGREE" && len(q.Rules) > 0 {
				fmt.Fprintf(&b, "    rules:     %s\n", strings.Join(q.Rules, ", "))
			}
		}
	}
	s := r.Summary
	fmt.Fprintf(&b, "\n%d queries: %d agree, %d disagree, %d skipped\n", s.Total, s.Agree, s.Disagree, s.Skipped)
	_, err := io.WriteString(w, b.String())
	return err
}

func target(q QueryResult) string {
	switch {
	case q.Kind == KindDNS:
		return q.To
	case q.Port == 0:
		return q.To
	}
	return fmt.Sprintf("%s port %d/%s", q.To, q.Port, q.Protocol)
}
