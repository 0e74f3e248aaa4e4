package review

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Route finding codes.
const (
	// CodeRouteUnreachable: a reverse-proxy route whose backend the proxy
	// cannot reach on the route's port.
	CodeRouteUnreachable = "L-ROUTE-UNREACHABLE"
	// CodeRouteNetwork: traefik.docker.network (or the provider's
	// --providers.docker.network) names a network the backend is not on.
	CodeRouteNetwork = "L-ROUTE-NETWORK"
)

// RouteHop is the proxied hop of a route as the simulator sees it (see
// sim.RouteHop).
type RouteHop = sim.RouteHop

// RouteHops evaluates the proxied hop of every route whose proxy has a
// container, in Routes order (the exposure report's order): from the
// proxy's first container to the backend address (or, for configuration
// files, the upstream name) on the route's port. A hop that cannot be
// asked (a backend not resolved statically, or without containers) has
// Evaluated false.
func RouteHops(t *topology.Topology, s *sim.Sim) []RouteHop {
	var out []RouteHop
	for _, r := range Routes(t) {
		p := t.Service(r.Proxy)
		if p == nil || len(p.Containers) == 0 {
			continue
		}
		out = append(out, s.RouteHop(r))
	}
	return out
}

// routeWhat names a route in messages: "traefik router api
// (Host(`a.example`)) routes to app:8080".
func routeWhat(r Route) string {
	what := routeKindName(r)
	target := r.Backend
	if r.Port != 0 {
		target += ":" + strconv.Itoa(int(r.Port))
	}
	return fmt.Sprintf("%s (%s) routes %s to %s", what, r.Rule, r.Target(), target)
}

// sharedNetworks lists the engine names of networks a and b both join.
func sharedNetworks(a, b *topology.Container) []string {
	var out []string
	for _, ea := range a.Endpoints {
		for _, eb := range b.Endpoints {
			if ea.Network == eb.Network {
				out = append(out, ea.Network.Name)
			}
		}
	}
	return out
}

// lintRoutes reports routes the proxy cannot follow and records the
// networks working routes use (L-NET-UNUSED counts them). It returns the
// proxies whose routing lint read from the project (their other networks
// are then judged like any caller's).
func lintRoutes(t *topology.Topology, s *sim.Sim, add func(Finding), use func(*topology.Container, string), callTo func(from, to string)) map[string]bool {
	known := map[string]bool{}
	for _, h := range RouteHops(t, s) {
		r := h.Route
		known[r.Proxy] = routingKnown(t.Service(r.Proxy))
		// A configuration file's upstream that is no service of the
		// project (another project's container, an outside host) is not
		// judged: the project does not say where it lives.
		b := t.Service(r.Backend)
		if b == nil || len(b.Containers) == 0 || !h.Evaluated {
			continue
		}
		callTo(r.Proxy, r.Backend)
		pc, bc := t.Service(r.Proxy).Containers[0], b.Containers[0]
		shared := sharedNetworks(pc, bc)
		if h.NetworkMissing {
			var names []string
			for _, e := range bc.Endpoints {
				names = append(names, e.Network.Name)
			}
			fix := fmt.Sprintf("attach %s and %s to a common network and name it in traefik.docker.network", r.Proxy, r.Backend)
			if len(shared) > 0 {
				fix = fmt.Sprintf("set traefik.docker.network=%s (the engine name, with the project prefix)", shared[0])
			}
			pos := r.NetworkPos
			if pos.File == "" {
				pos = r.Pos
			}
			add(Finding{Code: CodeRouteNetwork, Severity: Warning, Service: r.Backend, Pos: pos,
				Message: fmt.Sprintf("traefik.docker.network=%s names no network %s joins (its networks: %s): traefik falls back to another of its networks, here %s", r.Network, r.Backend, strings.Join(names, ", "), h.Endpoint.Network.Name),
				Fix:     fix})
		}
		res := h.Result
		if res.Reachable || res.Verdict == sim.InvalidQuery || r.Port == 0 && res.Verdict == sim.Refused {
			if h.Endpoint != nil {
				if k := endpointOn(pc, h.Endpoint.Network); k != "" {
					use(pc, k)
				}
				use(bc, h.Endpoint.Network.Key)
			}
			continue
		}
		var fixes []string
		for _, b := range res.BlockedBy {
			if b.Fix != "" && !contains(fixes, b.Fix) {
				fixes = append(fixes, b.Fix)
			}
		}
		fix := strings.Join(fixes, "; ")
		if (fix == "" || len(shared) == 0) && h.Endpoint != nil {
			fix = orText(fix, fmt.Sprintf("add %s to the networks of %s", networkRef(h.Endpoint.Network), r.Proxy))
		}
		if fix == "" && len(bc.Endpoints) > 0 {
			fix = fmt.Sprintf("add %s to the networks of %s", networkRef(bc.Endpoints[0].Network), r.Proxy)
		}
		if h.NetworkMissing && len(shared) > 0 {
			fix = fmt.Sprintf("set traefik.docker.network=%s (the engine name, with the project prefix)", shared[0])
		}
		var dst, where string
		switch {
		case r.Upstream != "":
			dst, where = r.Upstream, r.Backend
			if r.Port != 0 {
				dst += ":" + strconv.Itoa(int(r.Port))
			}
			if h.Endpoint != nil {
				where += " on " + h.Endpoint.Network.Name
			}
		default:
			dst = netip.AddrPortFrom(h.Endpoint.IPv4, r.Port).String()
			if r.Port == 0 {
				dst = h.Endpoint.IPv4.String()
			}
			where = r.Backend + " on " + h.Endpoint.Network.Name
		}
		add(Finding{Code: CodeRouteUnreachable, Severity: Error, Service: r.Proxy, Pos: r.Pos,
			Message: fmt.Sprintf("%s, but %s -> %s (%s) is %s (%s)", routeWhat(r), r.Proxy, dst, where, res.Verdict, res.Reason),
			Fix:     fix})
	}
	return known
}

// endpointOn returns the compose key of n when c joins it, else "".
func endpointOn(c *topology.Container, n *topology.Network) string {
	for _, e := range c.Endpoints {
		if e.Network == n {
			return n.Key
		}
	}
	return ""
}

// networkRef names a network for a fix: its compose key, else its engine
// name.
func networkRef(n *topology.Network) string {
	if n.Key != "" {
		return n.Key
	}
	return n.Name
}

// routingKnown reports whether all of a proxy's routing comes from the
// project (topology.RoutingKnown).
func routingKnown(p *topology.Service) bool { return topology.RoutingKnown(p) }
