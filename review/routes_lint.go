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

// RouteHop is the proxied hop of a route as the simulator sees it: which
// backend address the proxy connects to and the verdict.
type RouteHop struct {
	Route Route
	// Endpoint is the backend's address the proxy uses (nil when the
	// backend has no network endpoint, e.g. network_mode: host).
	Endpoint *topology.Endpoint
	// NetworkMissing is true when Route.Network names no network of the
	// backend (the classic traefik.docker.network mistake).
	NetworkMissing bool
	Result         sim.Result
}

// backendEndpoint picks the backend address a proxy connects to: the
// network the route names (traefik.docker.network, by engine name as
// traefik matches it), else a network the proxy shares with the backend,
// else the backend's first network (traefik's fallback when the named
// network is missing; the real choice among several is the engine's map
// order, which composenet replaces by name order).
func backendEndpoint(r Route, proxy, backend *topology.Container) (ep *topology.Endpoint, missing bool) {
	if len(backend.Endpoints) == 0 {
		return nil, false
	}
	if r.Network != "" {
		for _, e := range backend.Endpoints {
			if e.Network.Name == r.Network {
				return e, false
			}
		}
		missing = true
	}
	if !missing {
		for _, e := range backend.Endpoints {
			for _, pe := range proxy.Endpoints {
				if pe.Network == e.Network {
					return e, false
				}
			}
		}
	}
	return backend.Endpoints[0], missing
}

// RouteHops evaluates the proxied hop of every route: from the proxy's
// first container to the backend's first container on the route's port.
func RouteHops(t *topology.Topology, s *sim.Sim) []RouteHop {
	var out []RouteHop
	for _, r := range Routes(t) {
		p, b := t.Service(r.Proxy), t.Service(r.Backend)
		if p == nil || b == nil || len(p.Containers) == 0 || len(b.Containers) == 0 {
			continue
		}
		pc, bc := p.Containers[0], b.Containers[0]
		h := RouteHop{Route: r}
		h.Endpoint, h.NetworkMissing = backendEndpoint(r, pc, bc)
		if h.Endpoint == nil || !h.Endpoint.IPv4.IsValid() {
			out = append(out, h)
			continue
		}
		h.Result = s.Reach(sim.Query{From: pc.Name, To: h.Endpoint.IPv4.String(), Port: r.Port})
		out = append(out, h)
	}
	return out
}

// routeWhat names a route in messages: "traefik router api
// (Host(`a.example`)) routes to app:8080".
func routeWhat(r Route) string {
	what := r.Kind
	if r.Name != "" {
		what += " router " + r.Name
	}
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
		callTo(r.Proxy, r.Backend)
		pc, bc := t.Service(r.Proxy).Containers[0], t.Service(r.Backend).Containers[0]
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
		if h.Endpoint == nil || !h.Endpoint.IPv4.IsValid() {
			continue
		}
		res := h.Result
		if res.Reachable || res.Verdict == sim.InvalidQuery || r.Port == 0 && res.Verdict == sim.Refused {
			if k := endpointOn(pc, h.Endpoint.Network); k != "" {
				use(pc, k)
			}
			use(bc, h.Endpoint.Network.Key)
			continue
		}
		var fixes []string
		for _, b := range res.BlockedBy {
			if b.Fix != "" && !contains(fixes, b.Fix) {
				fixes = append(fixes, b.Fix)
			}
		}
		fix := strings.Join(fixes, "; ")
		if fix == "" || len(shared) == 0 {
			fix = orText(fix, fmt.Sprintf("add %s to the networks of %s", networkRef(h.Endpoint.Network), r.Proxy))
		}
		if h.NetworkMissing && len(shared) > 0 {
			fix = fmt.Sprintf("set traefik.docker.network=%s (the engine name, with the project prefix)", shared[0])
		}
		dst := netip.AddrPortFrom(h.Endpoint.IPv4, r.Port).String()
		if r.Port == 0 {
			dst = h.Endpoint.IPv4.String()
		}
		add(Finding{Code: CodeRouteUnreachable, Severity: Error, Service: r.Proxy, Pos: r.Pos,
			Message: fmt.Sprintf("%s, but %s -> %s (%s on %s) is %s (%s)", routeWhat(r), r.Proxy, dst, r.Backend, h.Endpoint.Network.Name, res.Verdict, res.Reason),
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
// project: traefik configured on its command line with only the docker
// provider, nginx-proxy, or caddy-docker-proxy without a Caddyfile. Only
// then may L-NET-UNUSED judge the proxy's own networks.
func routingKnown(p *topology.Service) bool {
	switch proxyKind(p) {
	case ProxyTraefik:
		docker := false
		for _, a := range p.Command {
			a = strings.ToLower(a)
			if strings.HasPrefix(a, "--providers.") && !strings.HasPrefix(a, "--providers.docker") {
				return false
			}
			docker = docker || strings.HasPrefix(a, "--providers.docker")
		}
		return docker
	case ProxyCaddy:
		_, file := env(p, "CADDY_DOCKER_CADDYFILE_PATH")
		return !file
	}
	return true
}
