package review

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

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

// More route finding codes (issue 17).
const (
	// CodeRouteBypass: a routed backend also publishes the route's port
	// on every host interface, so clients can go around the proxy.
	CodeRouteBypass = "L-ROUTE-BYPASS"
	// CodeRouteNoTLS: a route without TLS on a proxy whose other routes
	// have it, with no redirect to HTTPS configured where composenet reads.
	CodeRouteNoTLS = "L-ROUTE-NO-TLS"
	// CodeRouteAdmin: an admin UI, the traefik dashboard or a datastore
	// routed to the internet/LAN with no middleware or authentication
	// directive on the route.
	CodeRouteAdmin = "L-ROUTE-ADMIN"
)

// adminImages are image repositories (last path component) of admin UIs.
var adminImages = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"portainer-ce": "Portainer", "portainer-ee": "Portainer", "portainer": "Portainer",
		"adminer": "Adminer", "phpmyadmin": "phpMyAdmin", "pgadmin4": "pgAdmin",
		"mongo-express": "mongo-express", "redis-commander": "Redis Commander",
		"redisinsight": "RedisInsight", "kafka-ui": "Kafka UI",
	}
})

// publicDatastores are datastore families built to be reached over HTTP
// with their own keys (an S3 endpoint, a search API): routing them is a
// design, not a slip.
var publicDatastores = sync.OnceValue(func() map[string]bool { return map[string]bool{"minio": true, "meilisearch": true, "typesense": true} })

// repoOf is the last path component of an image's repository, lower case.
func repoOf(image string) string {
	s := strings.ToLower(image)
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}

// exposedOn returns the proxy's bindings the internet/LAN reaches on the
// route's listen ports (any port when the route does not say): host_ip
// unspecified or a non-loopback address.
func exposedOn(p *topology.Container, r Route) []topology.PortBinding {
	var out []topology.PortBinding
	proto := "tcp"
	if r.Protocol == "udp" {
		proto = "udp"
	}
	for _, b := range p.Ports {
		if b.Protocol != proto && (b.Protocol != "" || proto != "tcp") || b.HostIP.IsValid() && b.HostIP.IsLoopback() {
			continue
		}
		if len(r.Listen) > 0 && !slices.Contains(r.Listen, b.ContainerPort) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// lintRouteDesign reports routes that work but undo what the proxy is
// for: a backend published around it (L-ROUTE-BYPASS), a plaintext route
// among TLS ones (L-ROUTE-NO-TLS), an admin UI, the traefik dashboard or a
// datastore routed publicly without authentication (L-ROUTE-ADMIN).
func lintRouteDesign(t *topology.Topology, add func(Finding)) {
	routes := Routes(t)
	bypass := map[topology.Position]bool{}
	for _, r := range routes {
		p, b := t.Service(r.Proxy), t.Service(r.Backend)
		if p == nil || b == nil || p == b || len(p.Containers) == 0 || len(b.Containers) == 0 || r.Unresolved != "" {
			continue
		}
		bc := b.Containers[0]
		if bc.NetNS != nil && bc.NetNS.Service == p.Name {
			continue
		}
		proto := "tcp"
		if r.Protocol == "udp" {
			proto = "udp"
		}
		// L-ROUTE-BYPASS (R8-6: no host_ip publishes on every interface).
		for _, pb := range bc.Ports {
			if pb.Protocol != proto && (pb.Protocol != "" || proto != "tcp") || pb.HostIP.IsValid() && pb.HostIP.IsLoopback() || r.Port != 0 && pb.ContainerPort != r.Port || bypass[pb.Pos] {
				continue
			}
			bypass[pb.Pos] = true
			add(Finding{Code: CodeRouteBypass, Severity: Warning, Service: b.Name, Pos: pb.Pos, Rule: "R8-6",
				Message: fmt.Sprintf("%s is routed by %s (%s, %s) and also publishes %s: clients reach it around the proxy, without the proxy's TLS, authentication and rules", b.Name, r.Proxy, r.Rule, r.Position, topology.FormatBinding(pb)),
				Fix:     fmt.Sprintf("remove the ports entry (%s reaches %s over their shared network), or bind it to 127.0.0.1:%d:%d", r.Proxy, b.Name, pb.HostPort, pb.ContainerPort)})
		}
		exposed := exposedOn(p.Containers[0], r)
		if len(exposed) == 0 {
			continue
		}
		// L-ROUTE-ADMIN: by image, with the evidence.
		if len(r.Middlewares) == 0 {
			repo := repoOf(b.Image)
			what := ""
			if ui := adminImages()[repo]; ui != "" {
				what = fmt.Sprintf("the admin UI %s (image %s)", ui, b.Image)
			} else if f := datastoreFamily(b.Image); f != "" && !publicDatastores()[f] {
				what = fmt.Sprintf("the datastore %s (image %s is a %s image)", b.Name, b.Image, f)
			}
			if what != "" {
				add(Finding{Code: CodeRouteAdmin, Severity: Warning, Service: b.Name, Pos: r.Pos,
					Message: fmt.Sprintf("%s routes %s to %s, reachable from the internet/LAN through %s, with no middleware or authentication on the route", routeKindName(r), r.Target(), what, topology.FormatBinding(exposed[0])),
					Fix:     "put an authentication middleware on the route (traefik basicauth/forwardauth, nginx auth_basic, caddy basicauth), restrict it to an internal entrypoint, or remove the route"})
			}
		}
	}
	lintNoTLS(t, routes, add)
	lintDashboard(t, add)
}

// lintNoTLS reports a route without TLS on a proxy that terminates TLS
// for other routes, unless the route redirects: a traefik router with a
// redirect middleware (by name, or defined as redirectscheme on any
// service), an entrypoint redirected on the proxy's command
// (--entrypoints.NAME.http.redirections.*), an ACME challenge path. A
// plaintext twin of a TLS route (same hosts) is judged only when all the
// proxy's routing is read from the project (no file provider that could
// hold the redirect).
func lintNoTLS(t *topology.Topology, routes []Route, add func(Finding)) {
	redirectMW := map[string]bool{}
	for _, s := range t.Services {
		for _, l := range s.Labels {
			k := strings.ToLower(l.Key)
			if rest, ok := strings.CutPrefix(k, "traefik.http.middlewares."); ok {
				if name, field, ok := strings.Cut(rest, "."); ok && strings.HasPrefix(field, "redirectscheme") {
					redirectMW[name] = true
				}
			}
		}
	}
	for _, r := range routes {
		if r.TLS || r.Kind != ProxyTraefik && r.Kind != ProxyNginx || r.Protocol != "" || strings.HasPrefix(r.Path, "/.well-known") || r.Unresolved != "" {
			continue
		}
		p := t.Service(r.Proxy)
		if p == nil || len(p.Containers) == 0 || len(exposedOn(p.Containers[0], r)) == 0 {
			continue
		}
		var tlsPeer *Route
		twin := false
		for i, o := range routes {
			if o.Proxy != r.Proxy || !o.TLS {
				continue
			}
			if tlsPeer == nil {
				tlsPeer = &routes[i]
			}
			if strings.Join(o.Hosts, ",") == strings.Join(r.Hosts, ",") {
				twin = true
			}
		}
		if tlsPeer == nil || twin && !topology.RoutingKnown(p) {
			continue
		}
		redirect := false
		for _, m := range r.Middlewares {
			n := strings.ToLower(strings.TrimSuffix(strings.SplitN(m, "@", 2)[0], ""))
			if redirectMW[n] || strings.Contains(n, "redirect") || strings.Contains(n, "https") {
				redirect = true
			}
		}
		// Entrypoint redirections, from the static file or the command.
		if r.Kind == ProxyTraefik && (len(r.EntryPoints) == 0 && topology.TraefikRedirects(p, "") || slices.ContainsFunc(r.EntryPoints, func(e string) bool { return topology.TraefikRedirects(p, e) })) {
			redirect = true
		}
		if redirect {
			continue
		}
		add(Finding{Code: CodeRouteNoTLS, Severity: Warning, Service: r.Backend, Pos: r.Pos,
			Message: fmt.Sprintf("%s serves %s without TLS, while %s terminates TLS for other routes (e.g. %s at %s) and nothing redirects this one to HTTPS", routeKindName(r), r.Target(), r.Proxy, tlsPeer.Target(), tlsPeer.Position),
			Fix:     "serve the route on the TLS entrypoint (traefik: .tls=true or .tls.certresolver, entrypoints=websecure; nginx: listen 443 ssl), or redirect it to HTTPS"})
	}
}

// lintDashboard reports traefik routers to the dashboard (service
// api@internal) without a middleware, on a traefik that the internet/LAN
// reaches.
func lintDashboard(t *topology.Topology, add func(Finding)) {
	for _, p := range t.Services {
		if topology.ProxyKind(p) != ProxyTraefik || len(p.Containers) == 0 {
			continue
		}
		exposed := exposedOn(p.Containers[0], Route{})
		if len(exposed) == 0 {
			continue
		}
		for _, s := range t.Services {
			fields := map[string]map[string]topology.EnvVar{}
			for _, l := range s.Labels {
				rest, ok := strings.CutPrefix(strings.ToLower(l.Key), "traefik.http.routers.")
				if !ok {
					continue
				}
				if name, field, ok := strings.Cut(rest, "."); ok {
					if fields[name] == nil {
						fields[name] = map[string]topology.EnvVar{}
					}
					fields[name][field] = l
				}
			}
			names := make([]string, 0, len(fields))
			for n := range fields {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				f := fields[n]
				sv, rule := f["service"], f["rule"]
				if !strings.EqualFold(strings.TrimSpace(sv.Value), "api@internal") || rule.Value == "" {
					continue
				}
				if mw := strings.TrimSpace(f["middlewares"].Value); mw != "" {
					continue
				}
				add(Finding{Code: CodeRouteAdmin, Severity: Warning, Service: s.Name, Pos: rule.Pos,
					Message: fmt.Sprintf("traefik router %s (%s) routes the traefik dashboard and API (service api@internal, %s) to the internet/LAN through %s, with no middleware (no authentication)", n, rule.Value, sv.Pos, topology.FormatBinding(exposed[0])),
					Fix:     fmt.Sprintf("add a basicauth or forwardauth middleware: traefik.http.routers.%s.middlewares=NAME, or remove the router", n)})
			}
		}
	}
}
