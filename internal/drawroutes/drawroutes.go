// Package drawroutes turns the reverse-proxy routes of package review, each
// with the simulator's verdict on its proxied hop, into the render.Route
// values the renderers draw. It exists so that package render (and
// render/overlay, which may import only topology and sim) never imports
// review: facts cross package lines as values. The diagram command and the
// viewer both use it, so the two draw the same routes in the same order.
package drawroutes

import (
	"slices"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Routes returns the routes of t in review.RouteHops order, which is the
// order of the exposure report's routes (the viewer relies on it: route i
// of the picture is exposure route i). A route the simulator could not ask
// (exposure's hop is empty: a backend without a network address, such as
// network_mode: host, or one not resolved statically) is RouteUnknown; a
// route to an upstream that is no service of the project is not drawn by
// the renderers (no node to end at); one whose port
// is unknown counts as reachable when the backend's address is (an
// IP-level check, as lint judges it); any other undelivered hop is
// RouteBlocked with the rule-book IDs of its blockers.
func Routes(t *topology.Topology, s *sim.Sim) []render.Route {
	var out []render.Route
	for _, h := range review.RouteHops(t, s) {
		r := h.Route
		d := render.Route{Proxy: r.Proxy, Backend: r.Backend, Hosts: slices.Clone(r.Hosts), Path: r.Path, Port: r.Port,
			Kind: r.Kind, Name: r.Name, Position: r.Position}
		res := h.Result
		switch {
		case !h.Evaluated && r.Unresolved != "":
			d.Reason = "backend not resolved statically: " + r.Unresolved
		case !h.Evaluated:
			d.Reason = "the backend has no network address"
		case res.Verdict == sim.InvalidQuery:
			d.Verdict, d.Reason = res.Verdict.String(), res.Error
		case res.Reachable || r.Port == 0 && res.Verdict == sim.Refused:
			d.State, d.Verdict = render.RouteOK, res.Verdict.String()
		default:
			d.State, d.Verdict, d.Reason = render.RouteBlocked, res.Verdict.String(), res.Reason
			var ids []string
			for _, b := range res.BlockedBy {
				for _, id := range b.RuleIDs {
					if !slices.Contains(ids, id) {
						ids = append(ids, id)
					}
				}
			}
			d.Rule = strings.Join(ids, ", ")
		}
		out = append(out, d)
	}
	return out
}
