package topology

// Reverse-proxy routes read from the compose project (issue 17).
//
// A route is a layer-7 fact read from configuration, never probed: which
// proxy service forwards which host rule and path to which backend service
// and port. Three proxies are read, each from the project itself:
//
//   - traefik (a service running a traefik image): a backend's labels
//     traefik.enable, traefik.http.routers.NAME.rule (Host() and
//     PathPrefix()/Path() are read out of the rule), .entrypoints, .tls and
//     .tls.certresolver, traefik.http.services.NAME.loadbalancer.server.port
//     and traefik.docker.network; the proxy's own command
//     --providers.docker.exposedByDefault and --providers.docker.network.
//   - nginx-proxy / acme-companion (a service running an nginx-proxy
//     image): a backend's VIRTUAL_HOST, VIRTUAL_PORT (default 80),
//     VIRTUAL_PATH and LETSENCRYPT_HOST environment entries.
//   - caddy-docker-proxy (a service running a caddy-docker-proxy image): a
//     backend's caddy (site address) and caddy.reverse_proxy
//     ("[matcher] {{upstreams PORT}}") labels.
//
//   - nginx and haproxy configuration files bind-mounted from the project
//     into a gateway (proxyconf.go, nginxconf.go, haproxycfg.go), read at
//     load time into Service.ConfigRoutes.
//
// Not read: traefik's file provider and TCP/UDP routers, Caddyfiles, and
// proxies in another compose project.

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Proxy kinds.
const (
	ProxyTraefik    = "traefik"
	ProxyNginxProxy = "nginx-proxy"
	ProxyCaddy      = "caddy-docker-proxy"
	// ProxyNginx and ProxyHAProxy are gateways whose routes come from a
	// configuration file mounted from the project.
	ProxyNginx   = "nginx"
	ProxyHAProxy = "haproxy"
	// ProxyCaddyfile is a caddy server whose routes come from a Caddyfile
	// mounted from the project.
	ProxyCaddyfile = "caddy"
)

// Route is one reverse-proxy route: Proxy forwards requests matching Hosts
// and Path to Backend:Port.
type Route struct {
	Kind    string `json:"kind"`
	Proxy   string `json:"proxy"`
	Backend string `json:"backend"`
	// Name is the traefik router name ("" for other proxies).
	Name string `json:"name,omitempty"`
	// Hosts are the host names of the rule, in rule order (empty: any).
	Hosts []string `json:"hosts,omitempty"`
	// Path is the path prefix ("" for any path).
	Path string `json:"path,omitempty"`
	// Port is the backend's port; 0 when the configuration does not say
	// (the proxy then uses the image's exposed port, which is not read).
	Port uint16 `json:"port"`
	// PortFrom says where Port comes from: "config" (the label or
	// VIRTUAL_PORT), "expose" (the backend's only exposed or published
	// container port in the compose file, as the proxy picks it),
	// "default" (nginx-proxy's 80) or "" (unknown: 0).
	PortFrom string `json:"port_from,omitempty"`
	TLS      bool   `json:"tls"`
	// EntryPoints are traefik's entrypoints of the router.
	EntryPoints []string `json:"entrypoints,omitempty"`
	// Network is the network the route names (traefik.docker.network or
	// the provider's default), as written; "" when none is named.
	Network string `json:"network,omitempty"`
	// NetworkPos is the position of the entry naming Network.
	NetworkPos Position `json:"-"`
	// Rule is the rule text as written (traefik rule, VIRTUAL_HOST value,
	// caddy site address; for configuration files, the matching directives
	// and where they are).
	Rule string   `json:"rule"`
	Pos  Position `json:"-"`
	// Position is Pos as file:line:col.
	Position string `json:"position"`
	// Upstream is the backend host as a configuration file writes it (a
	// service name, an alias, a container name or an address), for routes
	// read from mounted nginx/haproxy files: the proxy resolves it through
	// its own DNS, so the proxied hop asks for this name. "" for label and
	// environment routes (the proxy connects to the container address).
	Upstream string `json:"upstream,omitempty"`
	// Listen are the proxy's container ports the route is served on
	// (nginx listen, haproxy bind, the traefik entrypoints' addresses on
	// the proxy's command); empty when the configuration does not say.
	Listen []uint16 `json:"listen,omitempty"`
	// Unresolved says why the backend is not known statically (a variable
	// in proxy_pass); Port is then 0 and Backend may be empty.
	Unresolved string `json:"unresolved,omitempty"`
	// Middlewares are what stands between the request and the backend:
	// a traefik router's middlewares, nginx's auth_basic / auth_request on
	// the route's server or location, caddy's basicauth / forward_auth
	// labels. Empty: none is configured where composenet reads.
	Middlewares []string `json:"middlewares,omitempty"`
	// Protocol is "tcp" or "udp" for a layer-4 route (traefik TCP/UDP
	// routers, nginx stream servers): the proxy relays the connection
	// without reading a host or path from it (a TCP router's HostSNI is
	// read from the TLS handshake). "" is an HTTP route.
	Protocol string `json:"protocol,omitempty"`
	// HostRegexps and PathRegexp are the regular expressions of the rule
	// (nginx server_name ~RE and location ~ / ~*, traefik HostRegexp) as
	// the Go patterns a request is matched with (routeregexp.go): "(?i)"
	// added where the proxy ignores case, traefik v2's {name:re} form
	// converted. RegexpNote says which pattern does not compile under RE2
	// (that one never matches).
	HostRegexps []string `json:"host_regexps,omitempty"`
	PathRegexp  string   `json:"path_regexp,omitempty"`
	RegexpNote  string   `json:"regexp_note,omitempty"`
}

// Target is HOST[PATH] for display ("*" when the rule names no host).
func (r Route) Target() string {
	h := "*"
	if len(r.Hosts) > 0 {
		h = strings.Join(r.Hosts, ",")
	}
	return h + r.Path
}

// imageRepo is the last path component of an image's repository, lower
// case, without tag or digest.
func imageRepo(image string) string {
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

// ProxyKind says which proxy a service runs: traefik, nginx-proxy and
// caddy-docker-proxy from its image; nginx or haproxy when it mounts a
// configuration file of theirs from the project (Service.ConfigFiles);
// "" for any other service.
func ProxyKind(s *Service) string {
	if len(s.ConfigFiles) > 0 {
		return s.ConfigKind
	}
	repo := imageRepo(s.Image)
	full := strings.ToLower(s.Image)
	switch {
	case repo == "traefik" || strings.HasPrefix(repo, "traefik:"):
		return ProxyTraefik
	case repo == "nginx-proxy":
		return ProxyNginxProxy
	case repo == "caddy-docker-proxy" || strings.Contains(full, "caddy-docker-proxy"):
		return ProxyCaddy
	}
	return ""
}

// The route patterns are compiled on first use, not at start-up: only a
// load (in composenet-load) reads routes.
var (
	reHost   = lazyRegexp(`Host(?:SNI)?\(([^)]*)\)`)
	rePath   = lazyRegexp(`Path(?:Prefix)?\(([^)]*)\)`)
	reQuoted = lazyRegexp("[`\"']([^`\"']*)[`\"']")
	reUp     = lazyRegexp(`\{\{\s*upstreams\s*(?:(?:http|https)\s+)?(\d*)\s*\}\}`)
)

// lazyRegexp returns a function that compiles expr on its first call.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

func quoted(args string) []string {
	var out []string
	for _, m := range reQuoted().FindAllStringSubmatch(args, -1) {
		if m[1] != "" {
			out = append(out, m[1])
		}
	}
	return out
}

// parseRule reads the hosts and the first path of a traefik rule.
func parseRule(rule string) (hosts []string, path string) {
	for _, m := range reHost().FindAllStringSubmatch(rule, -1) {
		for _, h := range quoted(m[1]) {
			// HostSNI(`*`) is any host.
			if h != "*" {
				hosts = append(hosts, h)
			}
		}
	}
	if m := rePath().FindStringSubmatch(rule); m != nil {
		if q := quoted(m[1]); len(q) > 0 {
			path = q[0]
		}
	}
	return hosts, path
}

func svcLabel(s *Service, key string) (EnvVar, bool) {
	for _, l := range s.Labels {
		if strings.EqualFold(l.Key, key) {
			return l, true
		}
	}
	return EnvVar{}, false
}

func svcEnv(s *Service, key string) (EnvVar, bool) {
	for _, e := range s.Environment {
		if e.Key == key && e.Set {
			return e, true
		}
	}
	return EnvVar{}, false
}

// CommandFlag returns the value of --name=value (or --name value) in a
// command, matched case-insensitively as traefik does.
func CommandFlag(cmd []string, name string) (string, bool) { return commandFlag(cmd, name) }

// ParseTraefikRule reads the hosts (HostSNI(`*`) is any host) and the
// first path of a traefik rule.
func ParseTraefikRule(rule string) ([]string, string) { return parseRule(rule) }

// commandFlag returns the value of --name=value (or --name value) in a
// command, matched case-insensitively as traefik does.
func commandFlag(cmd []string, name string) (string, bool) {
	for i, a := range cmd {
		k, v, eq := strings.Cut(a, "=")
		if !strings.EqualFold(k, name) {
			continue
		}
		if eq {
			return v, true
		}
		if i+1 < len(cmd) && !strings.HasPrefix(cmd[i+1], "-") {
			return cmd[i+1], true
		}
		return "true", true
	}
	return "", false
}

// Routes reads the reverse-proxy routes of the project, sorted by proxy,
// backend, then position. Routes of mounted configuration files
// (Service.ConfigRoutes) get their Backend here: the service whose name,
// container name, alias or hostname the upstream host is ("" when none
// is: an outside address or an unknown name).
func (t *Topology) Routes() []Route {
	var out []Route
	for _, p := range t.Services {
		for _, r := range p.ConfigRoutes {
			r.Hosts = slices.Clone(r.Hosts)
			r.Listen = slices.Clone(r.Listen)
			if r.Upstream != "" {
				r.Backend = t.upstreamService(r.Upstream)
			}
			out = append(out, r)
		}
		switch ProxyKind(p) {
		case ProxyTraefik:
			out = append(out, traefikRoutes(t, p)...)
		case ProxyNginxProxy:
			out = append(out, nginxProxyRoutes(t, p)...)
		case ProxyCaddy:
			out = append(out, caddyRoutes(t, p)...)
		}
	}
	for i := range out {
		out[i].Position = out[i].Pos.String()
		out[i].RegexpNote = RegexpProblems(out[i])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Proxy != b.Proxy {
			return a.Proxy < b.Proxy
		}
		if a.Backend != b.Backend {
			return a.Backend < b.Backend
		}
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		return a.Name < b.Name
	})
	return out
}

// upstreamService names the service an upstream host of a configuration
// file stands for: a service name, a container name, a network alias or a
// hostname of one of its containers (first match in service order).
func (t *Topology) upstreamService(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if s := t.Service(host); s != nil {
		return s.Name
	}
	for _, s := range t.Services {
		for _, c := range s.Containers {
			if strings.EqualFold(c.Name, host) || strings.EqualFold(c.Hostname, host) {
				return s.Name
			}
			for _, e := range c.Endpoints {
				for _, a := range e.Aliases {
					if strings.EqualFold(a, host) {
						return s.Name
					}
				}
			}
		}
	}
	return ""
}

func traefikRoutes(t *Topology, p *Service) []Route {
	if p.Traefik.File != "" && !p.Traefik.Docker {
		// A static file without providers.docker: labels are not read.
		return nil
	}
	cfg := traefikConfig(p)
	var out []Route
	for _, s := range t.Services {
		if s == p {
			continue
		}
		// exposedByDefault=false needs traefik.enable=true; =false always
		// hides the container.
		enable, _ := svcLabel(s, "traefik.enable")
		if strings.EqualFold(enable.Value, "false") || !cfg.exposed && !strings.EqualFold(enable.Value, "true") {
			continue
		}
		netName, netPos := cfg.defNet, cfg.defNetPos
		if l, ok := svcLabel(s, "traefik.docker.network"); ok {
			netName, netPos = l.Value, l.Pos
		}
		for _, proto := range []string{"http", "tcp", "udp"} {
			out = append(out, traefikLabelRoutes(p, s, proto, cfg, netName, netPos)...)
		}
	}
	return out
}

// traefikLabelRoutes reads one container's routers of one kind (http,
// tcp or udp labels): traefik.PROTO.routers.NAME.* and
// traefik.PROTO.services.NAME.loadbalancer.server.port.
func traefikLabelRoutes(p, s *Service, proto string, cfg traefikSettings, netName string, netPos Position) []Route {
	// Routers, services and their ports by name.
	routers := map[string]map[string]EnvVar{}
	ports := map[string]EnvVar{}
	for _, l := range s.Labels {
		k := strings.ToLower(l.Key)
		if rest, ok := strings.CutPrefix(k, "traefik."+proto+".routers."); ok {
			name, field, ok := strings.Cut(rest, ".")
			if !ok {
				continue
			}
			if routers[name] == nil {
				routers[name] = map[string]EnvVar{}
			}
			routers[name][field] = l
		}
		if rest, ok := strings.CutPrefix(k, "traefik."+proto+".services."); ok {
			if name, field, ok := strings.Cut(rest, "."); ok && field == "loadbalancer.server.port" {
				ports[name] = l
			}
		}
	}
	names := make([]string, 0, len(routers))
	for n := range routers {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Route
	for _, n := range names {
		f := routers[n]
		rule, ok := f["rule"]
		if proto == "udp" {
			// UDP routers have no rule: the router is its first label.
			if !ok {
				for _, k := range sortedFields(f) {
					if rule.Pos.File == "" || posBefore(f[k].Pos, rule.Pos) {
						rule = f[k]
					}
				}
				rule.Value = ""
			}
		} else if !ok {
			continue
		}
		r := Route{Kind: ProxyTraefik, Proxy: p.Name, Backend: s.Name, Name: n, Rule: rule.Value, Pos: rule.Pos, Network: netName, NetworkPos: netPos}
		if proto != "http" {
			r.Protocol = proto
		}
		if proto == "udp" {
			r.Rule = "udp router " + n
		}
		r.Hosts, r.Path = parseRule(rule.Value)
		r.HostRegexps = TraefikHostRegexps(rule.Value)
		if ep, ok := f["entrypoints"]; ok {
			for _, e := range strings.Split(ep.Value, ",") {
				if e = strings.TrimSpace(e); e != "" {
					r.EntryPoints = append(r.EntryPoints, e)
				}
			}
		}
		r.Listen = cfg.listen(r.EntryPoints, proto == "udp")
		if tl, ok := f["tls"]; ok && strings.EqualFold(tl.Value, "true") {
			r.TLS = true
		}
		if tl, ok := f["tls.passthrough"]; ok && strings.EqualFold(tl.Value, "true") {
			r.TLS = true
		}
		// Entrypoint-level TLS (--entrypoints.NAME.http.tls*) covers an
		// HTTP router that names only such entrypoints.
		if proto == "http" && len(r.EntryPoints) > 0 && !slices.ContainsFunc(r.EntryPoints, func(e string) bool { return !cfg.tlsEPs[strings.ToLower(e)] }) {
			r.TLS = true
		}
		if mw, ok := f["middlewares"]; ok {
			for _, m := range strings.Split(mw.Value, ",") {
				if m = strings.TrimSpace(m); m != "" {
					r.Middlewares = append(r.Middlewares, m)
				}
			}
		}
		if _, ok := f["tls.certresolver"]; ok {
			r.TLS = true
		}
		// The router's service, else the container's only service.
		var pl EnvVar
		var have bool
		if sv, ok := f["service"]; ok {
			pl, have = ports[strings.ToLower(sv.Value)]
		} else if len(ports) == 1 {
			for _, v := range ports {
				pl, have = v, true
			}
		}
		if have {
			if n, err := strconv.ParseUint(strings.TrimSpace(pl.Value), 10, 16); err == nil {
				r.Port, r.PortFrom = uint16(n), "config"
			}
		} else if p, ok := onlyExposed(s); ok && proto != "udp" {
			r.Port, r.PortFrom = p, "expose"
		}
		out = append(out, r)
	}
	return out
}

// listen maps a router's entrypoints to the proxy's container ports (a
// router without entrypoints listens on every entrypoint of its
// transport: udp ones for a UDP router, tcp ones otherwise).
func (cfg traefikSettings) listen(eps []string, udp bool) []uint16 {
	var out []uint16
	for name, port := range cfg.eps {
		if cfg.udp[name] != udp {
			continue
		}
		if len(eps) == 0 || slices.ContainsFunc(eps, func(e string) bool { return strings.EqualFold(e, name) }) {
			out = append(out, port)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedFields(m map[string]EnvVar) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func posBefore(a, b Position) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
}

func nginxProxyRoutes(t *Topology, p *Service) []Route {
	var out []Route
	// Separate-containers set-up: nginx-proxy's docker-gen writes the
	// configuration of the nginx container carrying this label, which is
	// the one that forwards.
	// NGINX_CONTAINER_LABEL on the generator names another label.
	gen, mark := p, "com.github.nginx-proxy.nginx-proxy.nginx"
	if e, ok := svcEnv(p, "NGINX_CONTAINER_LABEL"); ok && e.Value != "" {
		mark = e.Value
	}
	for _, s := range t.Services {
		if _, ok := svcLabel(s, mark); ok {
			p = s
			break
		}
	}
	for _, s := range t.Services {
		vh, ok := svcEnv(s, "VIRTUAL_HOST")
		if s == p || s == gen || !ok || strings.TrimSpace(vh.Value) == "" {
			continue
		}
		r := Route{Kind: ProxyNginxProxy, Proxy: p.Name, Backend: s.Name, Rule: vh.Value, Pos: vh.Pos, Port: 80, PortFrom: "default"}
		if p, ok := onlyExposed(s); ok {
			r.Port, r.PortFrom = p, "expose"
		}
		for _, h := range strings.Split(vh.Value, ",") {
			if h = strings.TrimSpace(h); h != "" {
				r.Hosts = append(r.Hosts, h)
			}
		}
		if vp, ok := svcEnv(s, "VIRTUAL_PORT"); ok {
			r.Port, r.PortFrom = 0, ""
			if n, err := strconv.ParseUint(strings.TrimSpace(vp.Value), 10, 16); err == nil {
				r.Port, r.PortFrom = uint16(n), "config"
			}
		}
		if vp, ok := svcEnv(s, "VIRTUAL_PATH"); ok {
			r.Path = strings.TrimSpace(vp.Value)
		}
		r.Listen = []uint16{80}
		if le, ok := svcEnv(s, "LETSENCRYPT_HOST"); ok && strings.TrimSpace(le.Value) != "" {
			r.TLS = true
			r.Listen = []uint16{80, 443}
		}
		out = append(out, r)
	}
	return out
}

func caddyRoutes(t *Topology, p *Service) []Route {
	var out []Route
	for _, s := range t.Services {
		site, ok := svcLabel(s, "caddy")
		if s == p || !ok || strings.TrimSpace(site.Value) == "" {
			continue
		}
		r := Route{Kind: ProxyCaddy, Proxy: p.Name, Backend: s.Name, Rule: site.Value, Pos: site.Pos, TLS: true}
		for _, h := range strings.FieldsFunc(site.Value, func(c rune) bool { return c == ',' || c == ' ' }) {
			if strings.HasPrefix(h, "http://") {
				r.TLS = false
			}
			h = strings.TrimPrefix(strings.TrimPrefix(h, "http://"), "https://")
			if i := strings.IndexByte(h, ':'); i >= 0 {
				if n, err := strconv.ParseUint(h[i+1:], 10, 16); err == nil && n > 0 && !slices.Contains(r.Listen, uint16(n)) {
					r.Listen = append(r.Listen, uint16(n))
				}
				h = h[:i]
			}
			if h != "" {
				r.Hosts = append(r.Hosts, h)
			}
		}
		if len(r.Listen) == 0 {
			r.Listen = []uint16{80}
			if r.TLS {
				r.Listen = []uint16{443}
			}
		}
		for _, l := range s.Labels {
			k := strings.ToLower(l.Key)
			for _, a := range []string{"basicauth", "basic_auth", "forward_auth"} {
				if k == "caddy."+a || strings.HasPrefix(k, "caddy."+a+".") || strings.HasPrefix(k, "caddy."+a+"_") {
					if !slices.Contains(r.Middlewares, a) {
						r.Middlewares = append(r.Middlewares, a)
					}
				}
			}
		}
		if rp, ok := svcLabel(s, "caddy.reverse_proxy"); ok {
			r.Pos = rp.Pos
			if m := reUp().FindStringSubmatch(rp.Value); m != nil && m[1] != "" {
				if n, err := strconv.ParseUint(m[1], 10, 16); err == nil {
					r.Port, r.PortFrom = uint16(n), "config"
				}
			}
			if f := strings.Fields(rp.Value); len(f) > 0 && strings.HasPrefix(f[0], "/") {
				r.Path = strings.TrimSuffix(f[0], "*")
			}
		} else {
			continue
		}
		out = append(out, r)
	}
	return out
}

// onlyExposed returns the backend's container port when its compose file
// exposes or publishes exactly one TCP port: traefik and nginx-proxy use
// a container's only exposed port when no port is configured. The
// image's EXPOSE lines are not read.
func onlyExposed(s *Service) (uint16, bool) {
	if len(s.Containers) == 0 {
		return 0, false
	}
	c := s.Containers[0]
	ports := map[uint16]bool{}
	for _, e := range c.Expose {
		if e.Protocol == "" || e.Protocol == "tcp" {
			ports[e.Port] = true
		}
	}
	for _, b := range c.Ports {
		if b.Protocol == "" || b.Protocol == "tcp" {
			ports[b.ContainerPort] = true
		}
	}
	if len(ports) != 1 {
		return 0, false
	}
	for p := range ports {
		return p, true
	}
	return 0, false
}

// RoutingKnown reports whether all of a proxy's routing comes from the
// project: traefik configured on its command line with only the docker
// provider, nginx-proxy, caddy-docker-proxy without a Caddyfile, or an
// nginx/haproxy gateway whose mounted routes all name their backend.
// Only then may a linter judge the proxy's own networks by its routes.
func RoutingKnown(p *Service) bool {
	switch ProxyKind(p) {
	case ProxyTraefik:
		if p.ConfigIncomplete != "" {
			return false
		}
		for _, r := range p.ConfigRoutes {
			if r.Unresolved != "" {
				return false
			}
		}
		if st := &p.Traefik; st.File != "" {
			return (st.Docker && !st.Swarm || st.FileProvider != "") && len(st.Others) == 0
		}
		docker := false
		for _, a := range p.Command {
			a = strings.ToLower(a)
			if strings.HasPrefix(a, "--providers.file.") {
				// Read by the loader (ConfigRoutes); ConfigIncomplete says
				// when it could not be.
				docker = true
				continue
			}
			if strings.HasPrefix(a, "--providers.") && !strings.HasPrefix(a, "--providers.docker") || strings.HasPrefix(a, "--providers.docker.swarmmode") {
				return false
			}
			docker = docker || strings.HasPrefix(a, "--providers.docker")
		}
		return docker
	case ProxyCaddy:
		_, file := svcEnv(p, "CADDY_DOCKER_CADDYFILE_PATH")
		return !file
	case ProxyNginx, ProxyHAProxy, ProxyCaddyfile:
		if p.ConfigIncomplete != "" {
			return false
		}
		for _, r := range p.ConfigRoutes {
			if r.Unresolved != "" {
				return false
			}
		}
	}
	return true
}
