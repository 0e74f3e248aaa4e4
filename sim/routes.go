package sim

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Reverse-proxy routes (issue 17): the layer-7 half of a request to a
// host name and path, followed through the proxy.
//
// The routes themselves are facts read from configuration by package
// topology (Topology.Routes), never probed. What sim adds is the layer-4
// decision of both hops: the outside client to the proxy's published port
// (the entry hop) and the proxy to the backend (the proxied hop), each
// evaluated by Reach like any other flow.
//
// Matching a request HOST/PATH (the tie-breaks, in order):
//  1. a route listening on the container port the request enters by
//     (when the question names a port, or the route says where it listens);
//  2. host: an exact host name wins over a wildcard (*.example.com,
//     .example.com), which wins over a regular expression, which wins
//     over a route naming no host;
//  3. a matching regular-expression path, then the longest path prefix
//     (a route without a path matches every path);
//  4. the longer rule text (traefik's default priority);
//  5. the first in Routes' order (proxy, backend, position).
//
// Regular-expression hosts and paths (traefik HostRegexp, nginx ~ and ~*
// locations, ~ server names) match with Go's regexp where the pattern
// compiles under RE2 (topology.CompileRouteRegexp); one that does not
// never matches (Route.RegexpNote). Routes whose backend is not resolved statically (a
// variable in proxy_pass) are left out of matching and say so.

// RoutePrefix marks a route target in the flow grammar:
// "internet -> route:api.example.com/v1".
const RoutePrefix = "route:"

// IsRouteTarget reports whether a TO word asks for a reverse-proxy route.
func IsRouteTarget(to string) bool {
	return len(to) >= len(RoutePrefix) && strings.EqualFold(to[:len(RoutePrefix)], RoutePrefix)
}

// ParseRouteTarget splits "[route:]HOST[:PORT][/PATH]": PORT is the host
// port the request is sent to (default: the proxy's published port that
// fits the route), PATH starts with '/'.
func ParseRouteTarget(s string) (host string, port uint16, path string, err error) {
	if IsRouteTarget(s) {
		s = s[len(RoutePrefix):]
	}
	hp := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		hp, path = s[:i], s[i:]
	}
	host = hp
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		host = hp[:i]
		n, perr := strconv.ParseUint(hp[i+1:], 10, 16)
		if perr != nil || n == 0 {
			return "", 0, "", fmt.Errorf("invalid port %q in route target %q", hp[i+1:], s)
		}
		port = uint16(n)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "" {
		return "", 0, "", fmt.Errorf("empty host name in route target %q (want route:HOST[:PORT][/PATH])", s)
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '*') {
			return "", 0, "", fmt.Errorf("invalid host name %q in route target (want route:HOST[:PORT][/PATH])", host)
		}
	}
	if strings.ContainsAny(path, " \t") {
		return "", 0, "", fmt.Errorf("invalid path %q in route target", path)
	}
	return host, port, path, nil
}

// RouteAnswer is the layer-7 part of a route question's Result.
type RouteAnswer struct {
	// Host and Path are the request's (Path "" for "/").
	Host string `json:"host"`
	Path string `json:"path,omitempty"`
	// Route is the route that matches (nil when none does).
	Route *topology.Route `json:"route,omitempty"`
	// Entry is the client -> proxy hop, Proxied the proxy -> backend hop
	// (nil when not evaluated: no route, or the entry already fails).
	Entry   *Leg `json:"entry,omitempty"`
	Proxied *Leg `json:"proxied,omitempty"`
	// Routes lists every route of the project ("HOST/PATH -> backend:port
	// (kind proxy, position)") when none matches; DidYouMean the closest
	// host names.
	Routes     []string `json:"routes,omitempty"`
	DidYouMean []string `json:"did_you_mean,omitempty"`
}

// Leg is one hop of a route question, as Reach answered it.
type Leg struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Port        uint16  `json:"port"`
	Verdict     Verdict `json:"verdict"`
	Reason      string  `json:"reason"`
	Destination string  `json:"destination,omitempty"`
}

func legOf(r Result) *Leg {
	return &Leg{From: r.From, To: r.To, Port: r.Port, Verdict: r.Verdict, Reason: r.Reason, Destination: r.Destination}
}

// RouteHop is the proxied hop of one route: the backend address the proxy
// connects to and Reach's answer.
type RouteHop struct {
	Route topology.Route
	// Endpoint is the backend endpoint the proxy uses (nil when the
	// backend has none: network_mode host, an outside address, a name that
	// does not resolve).
	Endpoint *topology.Endpoint
	// NetworkMissing is true when Route.Network names no network of the
	// backend (the classic traefik.docker.network mistake).
	NetworkMissing bool
	// Evaluated is false when the hop could not be asked (no proxy or
	// backend container, a backend not resolved statically).
	Evaluated bool
	Result    Result
}

// backendEndpoint picks the backend address a label-configured proxy
// connects to: the network the route names (traefik.docker.network, by
// engine name as traefik matches it), else a network the proxy shares
// with the backend, else the backend's first network (traefik's fallback
// when the named network is missing; the real choice among several is the
// engine's map order, which composenet replaces by name order).
func backendEndpoint(r topology.Route, proxy, backend *topology.Container) (ep *topology.Endpoint, missing bool) {
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

// RouteHop evaluates the proxied hop of r from the proxy's first
// container: to the backend's address (label and environment routes: the
// proxy reads the address from the engine) or to the upstream name
// (configuration files: the proxy resolves it through its own DNS).
func (s *Sim) RouteHop(r topology.Route) RouteHop {
	h := RouteHop{Route: r}
	p := s.t.Service(r.Proxy)
	if p == nil || len(p.Containers) == 0 || r.Unresolved != "" {
		return h
	}
	pc := p.Containers[0]
	if r.Upstream != "" {
		h.Evaluated = true
		h.Result = s.Reach(Query{From: pc.Name, To: r.Upstream, Port: r.Port, Protocol: routeProto(r)})
		if tc := s.Container(h.Result.Target.Container); tc != nil && h.Result.Target.Kind == PeerContainer {
			for _, e := range tc.Endpoints {
				if e.IPv4 == h.Result.Target.Address {
					h.Endpoint = e
				}
			}
		}
		// A backend of the project whose name does not resolve from the
		// proxy still has an address: the one the proxy cannot reach.
		if b := s.t.Service(r.Backend); h.Endpoint == nil && h.Result.Target.Kind == PeerUnresolved && b != nil && len(b.Containers) > 0 && len(b.Containers[0].Endpoints) > 0 {
			h.Endpoint = b.Containers[0].Endpoints[0]
		}
		return h
	}
	b := s.t.Service(r.Backend)
	if b == nil || len(b.Containers) == 0 {
		return h
	}
	h.Endpoint, h.NetworkMissing = backendEndpoint(r, pc, b.Containers[0])
	if h.Endpoint == nil || !h.Endpoint.IPv4.IsValid() {
		return h
	}
	h.Evaluated = true
	h.Result = s.Reach(Query{From: pc.Name, To: h.Endpoint.IPv4.String(), Port: r.Port, Protocol: routeProto(r)})
	return h
}

// routeProto is the transport of a route's hops: udp for a UDP route, tcp
// otherwise (HTTP and TCP routes).
func routeProto(r topology.Route) string {
	if r.Protocol == "udp" {
		return "udp"
	}
	return "tcp"
}

// hostScore rates how a route's hosts match host: 4 exact, 3 wildcard,
// 2 a regular expression (nginx's order: exact, wildcards, then regexes),
// 1 no host named (any), 0 no match.
func hostScore(r topology.Route, host string) int {
	if len(r.Hosts) == 0 && len(r.HostRegexps) == 0 {
		return 1
	}
	best := 0
	for _, h := range r.Hosts {
		h = strings.ToLower(h)
		switch {
		case h == host:
			return 4
		case strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]) && len(host) > len(h)-1:
			best = 3
		case strings.HasPrefix(h, ".") && (host == h[1:] || strings.HasSuffix(host, h)):
			best = 3
		case strings.HasSuffix(h, ".*") && strings.HasPrefix(host, h[:len(h)-1]):
			best = 3
		}
	}
	if best == 0 {
		for _, p := range r.HostRegexps {
			if re, err := topology.CompileRouteRegexp(p); err == nil && re.MatchString(host) {
				return 2
			}
		}
	}
	return best
}

// pathScore rates how a route's path matches the request path: 0 no
// match; a path prefix (nil for any path) scores its length + 1; a
// regular-expression location that matches scores above every prefix
// (nginx checks regex locations after the longest prefix and a match
// wins, unless the prefix is ^~ or =, which are read as plain prefixes).
func pathScore(r topology.Route, path string) int {
	if path == "" {
		path = "/"
	}
	if r.PathRegexp != "" {
		if re, err := topology.CompileRouteRegexp(r.PathRegexp); err == nil && re.MatchString(path) {
			return 1 << 20
		}
		return 0
	}
	if r.Path == "" || r.Path == "/" {
		return 1
	}
	if strings.HasPrefix(path, r.Path) {
		return len(r.Path) + 1
	}
	return 0
}

// MatchRoute returns the route that serves HOST/PATH entering the proxy
// on container port listen (0: any), by the tie-breaks in this file's
// comment.
func MatchRoute(routes []topology.Route, host, path string, listen func(topology.Route) bool) (topology.Route, bool) {
	best, bi := -1, -1
	bestScore := [3]int{}
	for i, r := range routes {
		if r.Unresolved != "" || listen != nil && !listen(r) {
			continue
		}
		hs, ps := hostScore(r, host), pathScore(r, path)
		if hs == 0 || ps == 0 {
			continue
		}
		sc := [3]int{hs, ps, len(r.Rule)}
		if bi < 0 || sc[0] > bestScore[0] || sc[0] == bestScore[0] && (sc[1] > bestScore[1] || sc[1] == bestScore[1] && sc[2] > bestScore[2]) {
			bi, bestScore = i, sc
		}
	}
	if bi < 0 {
		return topology.Route{}, false
	}
	best = bi
	return routes[best], true
}

// routeLine describes a route for lists: "HOST/PATH -> backend:port
// (kind proxy, position)".
func routeLine(r topology.Route) string {
	b := r.Backend
	if b == "" {
		b = r.Upstream
	}
	if b == "" {
		b = "?"
	}
	if r.Port != 0 {
		b += ":" + strconv.Itoa(int(r.Port))
	}
	what := routeName(r) + " on " + r.Proxy
	if r.Position != "" {
		what += ", " + r.Position
	}
	return fmt.Sprintf("%s -> %s (%s)", r.Target(), b, what)
}

// routeQuestion reports whether q asks for a route: a route: target, a
// path, or (from internet or host) a name that is no container or service
// but a host name some route serves.
func (s *Sim) routeQuestion(q Query) bool {
	if IsRouteTarget(q.To) || q.Path != "" {
		return true
	}
	if !strings.EqualFold(q.From, Internet) && !strings.EqualFold(q.From, Host) {
		return false
	}
	if strings.EqualFold(q.To, Host) || strings.EqualFold(q.To, Internet) || strings.EqualFold(q.To, Localhost) || s.findContainer(q.To) != nil {
		return false
	}
	if _, err := netip.ParseAddr(q.To); err == nil || !strings.Contains(q.To, ".") {
		return false
	}
	host := strings.ToLower(q.To)
	for _, r := range s.t.Routes() {
		if hostScore(r, host) >= 2 {
			return true
		}
	}
	return false
}

// reachRoute answers a route question: match the route, then Reach the
// proxy's published port from the client and the backend from the proxy.
func (s *Sim) reachRoute(q Query) Result {
	res := Result{From: q.From, To: q.To, Port: q.Port, Protocol: "tcp", Hops: []Hop{}, BlockedBy: []Blocker{}, Rules: []string{}}
	invalid := func(msg string) Result {
		res.Verdict, res.Error, res.Reason = InvalidQuery, msg, msg
		return res
	}
	to := q.To
	if !IsRouteTarget(to) {
		to = RoutePrefix + to
	}
	host, port, path, err := ParseRouteTarget(to + q.Path)
	if err != nil {
		return invalid(err.Error())
	}
	if q.Port != 0 {
		port = q.Port
	}
	res.Port = port
	src, err := s.Peer(q.From)
	if err != nil {
		return invalid(err.Error())
	}
	if src.Kind != PeerInternet && src.Kind != PeerHost {
		return invalid(fmt.Sprintf("a route target is asked from internet or host (a client of the proxy's published port), not from %s", src.Name))
	}
	proto, perr := ParseProtocol(q.Protocol)
	if perr != nil || proto != TCP && proto != UDP {
		return invalid("a route target is HTTP or TCP (leave out the protocol), or UDP (-p udp, for a UDP router)")
	}
	res.Protocol = string(proto)
	res.Source = src
	ans := &RouteAnswer{Host: host, Path: path}
	res.Route = ans
	routes := s.t.Routes()
	if len(routes) == 0 {
		return invalid(fmt.Sprintf("no reverse-proxy routes in the project: %s is not served by a proxy composenet reads (traefik, caddy-docker-proxy and nginx-proxy labels or environment, mounted nginx/haproxy files)", host))
	}
	// The published binding the request enters by, per proxy.
	entry := func(r topology.Route) (*topology.Container, *topology.PortBinding) {
		p := s.t.Service(r.Proxy)
		if p == nil || len(p.Containers) == 0 {
			return nil, nil
		}
		pc := p.Containers[0]
		var best *topology.PortBinding
		score := -1
		want := "tcp"
		if r.Protocol == "udp" {
			want = "udp"
		}
		for i := range pc.Ports {
			b := &pc.Ports[i]
			if b.Protocol != want && (b.Protocol != "" || want != "tcp") {
				continue
			}
			if port != 0 && b.HostPort != port {
				continue
			}
			sc := 0
			switch {
			case len(r.Listen) > 0 && !slices.Contains(r.Listen, b.ContainerPort):
				continue
			case r.TLS && b.ContainerPort == 443, !r.TLS && b.ContainerPort == 80:
				sc = 2
			case len(r.Listen) > 0:
				sc = 1
			}
			if sc > score {
				best, score = b, sc
			}
		}
		return pc, best
	}
	listenOK := func(r topology.Route) bool {
		// A UDP question matches UDP routes only; layer-4 routes (TCP and
		// UDP routers, nginx stream servers) are chosen by the port the
		// connection enters on, so they match only a question naming it.
		if (proto == UDP) != (r.Protocol == "udp") || r.Protocol != "" && port == 0 {
			return false
		}
		if port == 0 {
			return true
		}
		_, b := entry(r)
		return b != nil
	}
	r, ok := MatchRoute(routes, host, path, listenOK)
	if !ok {
		res.Verdict = NotRouted
		var hosts []string
		for _, rt := range routes {
			ans.Routes = append(ans.Routes, routeLine(rt))
			hosts = append(hosts, rt.Hosts...)
		}
		ans.DidYouMean = closest(host, hosts)
		res.Reason = fmt.Sprintf("no route matches %s%s", host, path)
		if port != 0 {
			res.Reason += fmt.Sprintf(" entering on host port %d", port)
		}
		res.ClientSees = "the proxy answers the request itself: traefik and caddy with 404 Not Found, nginx from its default server"
		for _, rt := range routes {
			if rt.Unresolved != "" {
				res.Notes = append(res.Notes, fmt.Sprintf("%s: %s (not matched)", rt.Position, rt.Unresolved))
			}
		}
		return res
	}
	ans.Route = &r
	pc, b := entry(r)
	if pc == nil {
		return invalid(fmt.Sprintf("the proxy %s of the route has no container", r.Proxy))
	}
	// The entry hop.
	var eq Query
	if b != nil {
		eq = Query{From: q.From, To: Host, Port: b.HostPort, Protocol: string(proto)}
		if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
			eq.To = b.HostIP.String()
		}
		res.Port = b.HostPort
	} else {
		lp := uint16(80)
		if r.TLS {
			lp = 443
		}
		if len(r.Listen) > 0 {
			lp = r.Listen[0]
		}
		if port != 0 {
			lp = port
		}
		eq = Query{From: q.From, To: pc.Name, Port: lp, Protocol: string(proto)}
		res.Port = lp
	}
	e := s.Reach(eq)
	ans.Entry = legOf(e)
	res.Source, res.Destination = e.Source, e.Destination
	res.Rules = append(res.Rules, e.Rules...)
	res.Notes = append(res.Notes, e.Notes...)
	fwd, back := splitHops(e.Hops)
	res.Hops = append(res.Hops, fwd...)
	if b == nil {
		res.Notes = append(res.Notes, fmt.Sprintf("%s publishes no port the route listens on: the request is sent to its address", r.Proxy))
	}
	if !e.Reachable {
		res.Verdict, res.Reason = e.Verdict, fmt.Sprintf("the entry hop %s -> %s fails: %s", q.From, r.Proxy, e.Reason)
		res.BlockedBy, res.ClientSees, res.Target = e.BlockedBy, e.ClientSees, e.Target
		res.LatencyMS = e.LatencyMS
		return res
	}
	// The layer-7 step: the proxy picks the route.
	h := s.RouteHop(r)
	backend := r.Backend
	if backend == "" {
		backend = r.Upstream
	}
	dst := backend
	if r.Port != 0 {
		dst += ":" + strconv.Itoa(int(r.Port))
	}
	detail := fmt.Sprintf("%s matches %s%s: %s (%s) -> %s", r.Kind, host, orSlash(path), r.Rule, r.Position, dst)
	res.Hops = append(res.Hops, Hop{Step: StepRoute7, Kind: HopProxy, Place: AtContainer, Container: pc.Name, Node: r.Proxy + " (reverse proxy)", Detail: detail})
	if !h.Evaluated {
		res.Verdict, res.Reason = InvalidQuery, fmt.Sprintf("the proxied hop %s -> %s cannot be evaluated (no container or network address)", r.Proxy, dst)
		res.Error = res.Reason
		return res
	}
	p := h.Result
	ans.Proxied = legOf(p)
	pf, pb := splitHops(p.Hops)
	res.Hops = append(res.Hops, pf...)
	res.Hops = append(res.Hops, pb...)
	if p.Reachable {
		res.Hops = append(res.Hops, back...)
	}
	res.Rules = dedupe(append(res.Rules, p.Rules...))
	res.Notes = dedupe(append(res.Notes, p.Notes...))
	res.Target, res.DNS = p.Target, p.DNS
	res.LatencyMS = 0
	for _, x := range res.Hops {
		res.LatencyMS += x.LatencyMS
	}
	res.LatencyMS = float64(int64(res.LatencyMS*1000+0.5)) / 1000
	if h.NetworkMissing {
		res.Notes = append(res.Notes, fmt.Sprintf("traefik.docker.network=%s names no network %s joins: traefik uses %s", r.Network, r.Backend, h.Endpoint.Network.Name))
	}
	if p.Reachable {
		res.Verdict, res.Reachable = Delivered, true
		res.Reason = fmt.Sprintf("routed by %s to %s", r.Proxy, dst)
		res.ClientSees = "the proxy relays the request to " + dst
		return res
	}
	res.Verdict = p.Verdict
	res.Reason = fmt.Sprintf("the proxied hop %s -> %s fails: %s", r.Proxy, dst, p.Reason)
	res.BlockedBy = p.BlockedBy
	for i := range res.BlockedBy {
		if h.NetworkMissing {
			res.BlockedBy[i].Fix = networkFix(r, pc, s.t.Service(r.Backend))
		}
	}
	res.BlockedBy = append(res.BlockedBy, Blocker{Component: "reverse-proxy route " + routeName(r), Place: AtContainer, Container: pc.Name,
		Rule: "layer 7, read from configuration: " + r.Rule, RuleIDs: []string{}, Position: r.Position,
		Fix: fmt.Sprintf("point the route at an address %s reaches, or attach %s to a network of %s", r.Proxy, r.Proxy, backend)})
	switch p.Verdict {
	case Refused:
		res.ClientSees = "the proxy answers 502 Bad Gateway (the backend refuses the connection)"
	case NameNotResolved:
		res.ClientSees = "the proxy cannot resolve the backend: 502 Bad Gateway (nginx refuses to start when a proxy_pass host does not resolve at start-up)"
	default:
		res.ClientSees = "the proxy waits for the backend and answers 504 Gateway Timeout (or 502 when the connection fails at once)"
	}
	return res
}

// StepRoute7 is the step of a route question where the proxy picks the
// route (layer 7, read from configuration).
const StepRoute7 = "reverse-proxy"

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// routeName is "traefik router api" or "nginx gateway".
func routeName(r topology.Route) string {
	switch {
	case r.Name == "":
		return r.Kind
	case r.Kind == topology.ProxyHAProxy:
		return r.Kind + " backend " + r.Name
	case r.Protocol != "":
		return r.Kind + " " + r.Protocol + " router " + r.Name
	}
	return r.Kind + " router " + r.Name
}

// networkFix is the fix for a traefik.docker.network naming a network the
// backend does not join.
func networkFix(r topology.Route, pc *topology.Container, b *topology.Service) string {
	if b != nil && len(b.Containers) > 0 {
		for _, e := range b.Containers[0].Endpoints {
			for _, pe := range pc.Endpoints {
				if pe.Network == e.Network {
					return fmt.Sprintf("set traefik.docker.network=%s (the engine name, with the project prefix)", e.Network.Name)
				}
			}
		}
	}
	return fmt.Sprintf("attach %s and %s to a common network and name it in traefik.docker.network", r.Proxy, r.Backend)
}

// splitHops splits a path into its forward and reply steps.
func splitHops(hs []Hop) (fwd, back []Hop) {
	for _, h := range hs {
		if h.Return {
			back = append(back, h)
		} else {
			fwd = append(fwd, h)
		}
	}
	return fwd, back
}

// closest returns the host names nearest to host (edit distance at most
// a third of its length, at least 2), sorted.
func closest(host string, hosts []string) []string {
	limit := max(2, len(host)/3)
	best := limit + 1
	var out []string
	seen := map[string]bool{}
	for _, h := range hosts {
		h = strings.ToLower(h)
		if seen[h] || len(h) > 255 || len(host) > 255 {
			continue
		}
		seen[h] = true
		d := editDistance(host, h)
		switch {
		case d < best:
			best, out = d, []string{h}
		case d == best:
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}
