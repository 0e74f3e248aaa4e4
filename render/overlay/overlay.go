// Package overlay turns simulator answers into the overlays a diagram
// draws (package render): a highlighted or blocked flow from a sim.Result,
// the --from colouring from IP-level sim queries. It reads sim's typed
// facts only (resolved peers, hop places and kinds, blockers' rule IDs),
// never its prose, and resolves every name through sim, once.
package overlay

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// ParseHighlights reads --highlight flows FROM->TO[:PORT][/PROTO] (the
// flow grammar, sim.ParseFlow), refusing the first that does not parse.
func ParseHighlights(specs []string) ([]sim.Query, error) {
	var qs []sim.Query
	for _, h := range specs {
		q, err := sim.ParseFlow(h)
		if err != nil {
			return nil, fmt.Errorf("--highlight %q: %v", h, err)
		}
		qs = append(qs, q)
	}
	return qs, nil
}

// Apply adds the simulator's answers to opt: a Flow per highlight query
// (refused with the simulator's message when the query is invalid), the
// --from colouring of from when it is not empty, and the focus in the
// engine name sim resolves it to (any spelling sim accepts; Build reports
// unknown names). Every name is resolved once, by s.
func Apply(opt *render.Options, t *topology.Topology, s *sim.Sim, highlights []sim.Query, from string) error {
	if p, err := s.Peer(opt.Focus); opt.Focus != "" && err == nil && p.Kind == sim.PeerContainer {
		opt.Focus = p.Name
	}
	for _, q := range highlights {
		r := s.Reach(q)
		if r.Verdict == sim.InvalidQuery {
			return fmt.Errorf("--highlight %s->%s: %s", q.From, q.To, r.Error)
		}
		opt.Highlights = append(opt.Highlights, Flow(q, r))
	}
	if from != "" {
		src, err := s.Peer(from)
		if err != nil {
			return errors.New("--from: " + err.Error())
		}
		opt.ReachableFrom, opt.Reach = src.Name, ReachFrom(t, s, src)
	}
	return nil
}

// Flow converts a sim result into the overlay the renderers draw: the
// forward hops (reply steps are left out) placed on the picture's nodes by
// their typed place, one-way latency, and for a blocked flow the node of
// the first blocker and the rule-book IDs of every blocker (first-seen
// order, no repeats; the verdict when no blocker names a rule). The source
// is named as sim resolved it, so any spelling of a name draws the same.
func Flow(q sim.Query, r sim.Result) render.Flow {
	f := render.Flow{From: r.Source.Name, To: q.To, Reachable: r.Reachable}
	if !r.Reachable {
		f.Reason = r.Reason
	}
	if q.Port != 0 {
		f.Port = fmt.Sprintf("%d/%s", q.Port, r.Protocol)
	}
	cur := peerNode(r.Source)
	for _, h := range r.Hops {
		if h.Return {
			continue
		}
		cur = placeNode(h.Place, h.Container, h.Network, cur)
		f.Hops = append(f.Hops, render.Hop{Node: cur, Label: hopLabel(h, r.DNS), LatencyMS: h.LatencyMS})
		f.TotalMS += h.LatencyMS
	}
	if len(f.Hops) == 0 {
		f.Hops = append(f.Hops, render.Hop{Node: cur})
	}
	if !r.Reachable {
		var ids []string
		for _, b := range r.BlockedBy {
			for _, id := range b.RuleIDs {
				if !slices.Contains(ids, id) {
					ids = append(ids, id)
				}
			}
		}
		f.Rule = strings.Join(ids, ", ")
		if f.Rule == "" {
			f.Rule = r.Verdict.String()
		}
		if len(r.BlockedBy) > 0 {
			b := r.BlockedBy[0]
			f.BlockedAt = placeNode(b.Place, b.Container, b.Network, cur)
		}
	}
	return f
}

// peerNode is the picture node of a flow's source.
func peerNode(p sim.Peer) string {
	switch p.Kind {
	case sim.PeerContainer:
		return p.Container
	case sim.PeerInternet:
		return render.NodeInternet
	}
	return render.NodeHost
}

// placeNode is the picture node of a hop or blocker: the container, the
// network (engine name), the host or the internet; cur when the place
// names nothing drawable.
func placeNode(p sim.Place, ctr, network, cur string) string {
	switch {
	case p == sim.AtContainer && ctr != "":
		return ctr
	case p == sim.AtNetwork && network != "":
		return network
	case p == sim.AtHost:
		return render.NodeHost
	case p == sim.AtInternet:
		return render.NodeInternet
	}
	return cur
}

// hopLabel is the short text of a hop on the picture: the step kind, the
// address rewrite for NAT steps and the reason for drops (cut to 48
// characters), the answer for DNS.
func hopLabel(h sim.Hop, dns *sim.DNSResult) string {
	switch {
	case h.Kind == sim.HopNAT || h.Step == sim.StepDrop:
		d := h.Detail
		if len(d) > 48 {
			d = d[:47] + "…"
		}
		return d
	case h.Kind == sim.HopDNS && dns != nil:
		switch {
		case !dns.Resolved():
			return "dns " + dns.Rcode
		case len(dns.Answers) > 1:
			return "dns " + dns.Answers[0].IP.String() + " (+more)"
		}
		return "dns " + dns.Answers[0].IP.String()
	}
	return h.Step
}

// ReachFrom colours the picture for --from: every container, the host and
// the internet by an IP-level question (sim reach with no port), each
// network by whether the source joins it or reaches one of its members.
func ReachFrom(t *topology.Topology, s *sim.Sim, src sim.Peer) map[string]bool {
	reach := map[string]bool{}
	for _, c := range t.Containers {
		reach[c.Name] = s.Reach(sim.Query{From: src.Name, To: c.Name}).Reachable
	}
	reach[render.NodeHost] = s.Reach(sim.Query{From: src.Name, To: sim.Host}).Reachable
	reach[render.NodeInternet] = s.Reach(sim.Query{From: src.Name, To: sim.Internet}).Reachable
	bySvc := src.Kind == sim.PeerContainer && src.Service != "" && src.Name == src.Service
	for _, n := range append([]*topology.Network{t.Bridge0}, t.Networks...) {
		if n == nil {
			continue
		}
		ok := false
		for _, ep := range n.Endpoints {
			c := ep.Container
			if reach[c.Name] || src.Kind == sim.PeerContainer && (c.Name == src.Container || bySvc && c.Service == src.Service) {
				ok = true
			}
		}
		reach[n.Name] = ok
	}
	return reach
}
