package loader

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composenet/composenet/topology"
	"go.yaml.in/yaml/v4"
)

// traefik's configuration files mounted from the project (issue 17).
//
// The static configuration: traefik reads exactly one source, the first
// of --configFile, /etc/traefik/traefik.{toml,yaml,yml},
// $HOME/.config/traefik.{toml,yaml,yml} and ./traefik.{toml,yaml,yml}
// (the working directory, / in the official image) that exists; the
// command's other flags are then ignored (traefik's FileLoader stops the
// loader chain). Only a file mounted from the project is read (a bind
// mount or a file config covering the path); read: entryPoints (address,
// http.tls, http.redirections), providers.docker (exposedByDefault,
// network, defaultRule, swarmMode), providers.swarm, providers.file
// (filename, directory) and the names of the other providers.
//
// The file provider's dynamic configuration (filename, or every .yml and
// .yaml file under directory): http, tcp and udp routers (rule,
// entryPoints, service, middlewares, tls) and services (loadBalancer
// servers' url or address, weighted services), http middlewares (their
// kind). Each route's position is the line of the server's url/address.
//
// TOML files are not read (no TOML parser is linked; traefik v1's TOML
// schema is another one anyway): a W-PROXY-CONFIG warning says so and the
// proxy's routing is then not judged as known. Go templates in dynamic
// files are not evaluated. Bounds: MaxProxyConfigBytes per file,
// MaxProxyConfigFiles files per service, maxYAMLNodes nodes (aliases
// included) and maxYAMLDepth levels per file; nothing is executed.

var traefikExts = []string{"toml", "yaml", "yml"}

// readTraefikConfig reads a traefik service's static configuration file
// and its file provider's dynamic files into svc.Traefik, ConfigFiles and
// ConfigRoutes.
func (b *builder) readTraefikConfig(svc *topology.Service, s types.ServiceConfig, spath string) (read []string, folder bool) {
	mounts := b.projectMounts(s, spath)
	wd := s.WorkingDir
	if wd == "" {
		wd = "/"
	}
	abs := func(p string) string {
		if path.IsAbs(p) {
			return path.Clean(p)
		}
		return path.Join(wd, p)
	}
	incomplete := func(format string, args ...any) {
		if svc.ConfigIncomplete == "" {
			svc.ConfigIncomplete = fmt.Sprintf(format, args...)
		}
	}
	cmdPos := b.ix.lookup(spath + ".command")
	if cmdPos.File == "" {
		cmdPos = svc.Pos
	}
	// The static configuration file.
	var cands []string
	cf, hasCF := topology.CommandFlag(s.Command, "--configFile")
	if hasCF && cf != "" {
		cands = append(cands, abs(cf))
	}
	for _, base := range []string{"/etc/traefik/traefik", "/root/.config/traefik", abs("traefik")} {
		for _, e := range traefikExts {
			cands = append(cands, base+"."+e)
		}
	}
	staticFile, staticTarget := "", ""
	for i, c := range cands {
		host, m, ok := b.mountedAt(mounts, c)
		if !ok {
			if i == 0 && hasCF && cf != "" {
				b.warn("W-PROXY-CONFIG", "", cmdPos, "%s: --configFile=%s is not mounted from the project: its static configuration is not read", svc.Name, cf)
				incomplete("its static configuration file %s is not mounted from the project", cf)
				return read, folder
			}
			continue
		}
		if st, err := os.Stat(host); err != nil || st.IsDir() {
			continue
		}
		if _, inside := b.insideProject(host); !inside {
			b.warn("W-PROXY-CONFIG", "", m.pos, "%s mounts %s, outside the project folder: its routes are not read", svc.Name, displayPath(b.dir, host))
			incomplete("its static configuration is outside the project folder")
			return read, folder
		}
		staticFile, staticTarget = host, c
		break
	}
	fileProvider := ""
	var fpPos topology.Position
	if staticFile != "" {
		name := displayPath(b.dir, staticFile)
		read = append(read, staticFile)
		var others []string
		for _, a := range s.Command {
			k, _, _ := strings.Cut(a, "=")
			if strings.HasPrefix(a, "--") && !strings.EqualFold(k, "--configFile") {
				others = append(others, k)
			}
		}
		if len(others) > 0 {
			b.warn("W-PROXY-CONFIG", "", cmdPos, "%s reads its static configuration from %s (mounted at %s), so traefik ignores the command's other flags (%s): the three sources of static configuration (file, flags, environment) are exclusive", svc.Name, name, staticTarget, strings.Join(firstN(others, 4), ", "))
		}
		if strings.HasSuffix(staticFile, ".toml") {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: TOML is not read (only YAML traefik configuration is); the routing it configures is not known", name)
			svc.ConfigFiles = append(svc.ConfigFiles, name)
			svc.ConfigKind = topology.ProxyTraefik
			svc.Traefik = topology.TraefikStatic{File: name, Pos: topology.Position{File: name, Line: 1, Col: 1}, ExposedByDefault: true, Others: []string{"(TOML, not read)"}}
			incomplete("%s is TOML, which is not read", name)
			return read, folder
		}
		raw, err := readBounded(staticFile, b.projectRoot())
		if err != nil {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: %v; its routes are not read", name, err)
			incomplete("%s: %v", name, err)
			return read, folder
		}
		tree, err := parseYAMLTree(raw)
		if err != nil {
			e := err.(*yamlTreeError)
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: e.line, Col: e.col}, "%s: %s; its static configuration is not read", name, e.msg)
			incomplete("%s does not parse", name)
			return read, folder
		}
		svc.ConfigFiles = append(svc.ConfigFiles, name)
		svc.ConfigKind = topology.ProxyTraefik
		st, pos := traefikStatic(name, tree)
		svc.Traefik = *st
		fileProvider, fpPos = st.FileProvider, pos
	} else {
		// No static file: the command's flags are the static configuration.
		for _, k := range []string{"--providers.file.filename", "--providers.file.directory"} {
			if v, ok := topology.CommandFlag(s.Command, k); ok && v != "" {
				fileProvider, fpPos = v, cmdPos
				break
			}
		}
	}
	if fileProvider == "" {
		return read, folder
	}
	// The file provider's dynamic configuration.
	fp := abs(fileProvider)
	host, m, ok := b.mountedAt(mounts, fp)
	if !ok {
		where := "is not mounted from the project"
		for _, v := range s.Volumes {
			t := path.Clean(v.Target)
			if v.Type == types.VolumeTypeVolume && (fp == t || strings.HasPrefix(fp, t+"/")) {
				where = fmt.Sprintf("is in the volume %s, whose content composenet does not know", orText(v.Source, "(anonymous)"))
			}
		}
		b.warn("W-PROXY-CONFIG", "", fpPos, "%s: the file provider's %s %s: its routes are not read", svc.Name, fileProvider, where)
		incomplete("the file provider's %s is not mounted from the project", fileProvider)
		return read, folder
	}
	real, inside := b.insideProject(host)
	if real == "" {
		b.warn("W-PROXY-CONFIG", "", m.pos, "%s: the file provider's %s (%s) does not exist: its routes are not read", svc.Name, fileProvider, displayPath(b.dir, host))
		incomplete("the file provider's %s does not exist", fileProvider)
		return read, folder
	}
	if !inside {
		b.warn("W-PROXY-CONFIG", "", m.pos, "%s mounts %s, outside the project folder: its routes are not read", svc.Name, displayPath(b.dir, host))
		incomplete("the file provider's files are outside the project folder")
		return read, folder
	}
	var files []string
	if st, err := os.Stat(real); err == nil && st.IsDir() {
		folder = true
		read = append(read, host)
		files = b.traefikDir(host, 0)
	} else {
		files = []string{host}
	}
	svc.ConfigKind = topology.ProxyTraefik
	var dyn []tfFile
	for i, f := range files {
		name := displayPath(b.dir, f)
		if i >= MaxProxyConfigFiles {
			b.warn("W-PROXY-CONFIG", "", svc.Pos, "%s: more than %d traefik dynamic configuration files: %s and the files after it are not read", svc.Name, MaxProxyConfigFiles, name)
			incomplete("more than %d dynamic configuration files", MaxProxyConfigFiles)
			break
		}
		if strings.HasSuffix(f, ".toml") {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: TOML is not read (only YAML traefik configuration is); its routes are not known", name)
			incomplete("%s is TOML, which is not read", name)
			continue
		}
		raw, err := readBounded(f, b.projectRoot())
		if err != nil {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: %v; its routes are not read", name, err)
			incomplete("%s: %v", name, err)
			continue
		}
		read = append(read, f)
		if !slices.Contains(svc.ConfigFiles, name) {
			svc.ConfigFiles = append(svc.ConfigFiles, name)
		}
		if i := strings.Index(string(raw), "{{"); i >= 0 {
			line := strings.Count(string(raw[:i]), "\n") + 1
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: line}, "%s: Go templates in traefik's dynamic configuration are not evaluated; the file is read as written", name)
		}
		tree, err := parseYAMLTree(raw)
		if err != nil {
			e := err.(*yamlTreeError)
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: e.line, Col: e.col}, "%s: %s; its routes are not read", name, e.msg)
			incomplete("%s does not parse", name)
			continue
		}
		dyn = append(dyn, tfFile{name: name, tree: tree})
	}
	svc.ConfigRoutes = traefikFileRoutes(svc, dyn)
	slices.Sort(svc.ConfigFiles)
	svc.ConfigFiles = slices.Compact(svc.ConfigFiles)
	return read, folder
}

// traefikDir lists the .yml, .yaml and .toml files under a file
// provider's directory, recursively (as traefik does), sorted, bounded.
func (b *builder) traefikDir(dir string, depth int) []string {
	ents, err := os.ReadDir(dir)
	if err != nil || depth > 8 {
		return nil
	}
	var out []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			out = append(out, b.traefikDir(p, depth+1)...)
		} else if ext := strings.ToLower(filepath.Ext(e.Name())); ext == ".yml" || ext == ".yaml" || ext == ".toml" {
			out = append(out, p)
		}
		if len(out) > MaxProxyConfigFiles {
			break
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clone(s[:n]), "...")
}

// traefikStatic reads the routing part of a static configuration.
func traefikStatic(name string, t *ytree) (st *topology.TraefikStatic, fpPos topology.Position) {
	pos := func(n *ytree) topology.Position {
		if n == nil {
			return topology.Position{File: name, Line: 1, Col: 1}
		}
		return topology.Position{File: name, Line: n.line, Col: n.col}
	}
	st = &topology.TraefikStatic{File: name, Pos: topology.Position{File: name, Line: 1, Col: 1}, ExposedByDefault: true}
	if eps := t.get("entryPoints"); eps != nil && eps.kind == yaml.MappingNode {
		for i, n := range eps.keys {
			ep := eps.vals[i]
			e := topology.TraefikEntryPoint{Name: n, Pos: topology.Position{File: name, Line: eps.keyPos[i][0], Col: eps.keyPos[i][1]}}
			if p, proto, ok := topology.ParseTraefikAddress(ep.get("address").str()); ok {
				e.Port, e.Protocol = p, proto
			}
			if h := ep.get("http"); h != nil {
				e.TLS = h.has("tls") && !strings.EqualFold(h.get("tls").str(), "false")
				e.Redirect = h.get("redirections") != nil && h.get("redirections").kind == yaml.MappingNode
			}
			st.EntryPoints = append(st.EntryPoints, e)
		}
	}
	prov := t.get("providers")
	if prov != nil && prov.kind == yaml.MappingNode {
		for i, k := range prov.keys {
			v := prov.vals[i]
			switch strings.ToLower(k) {
			case "docker":
				st.Docker = true
				if e := v.get("exposedByDefault"); e != nil {
					st.ExposedByDefault = !strings.EqualFold(e.str(), "false")
				}
				if n := v.get("network"); n.str() != "" {
					st.Network, st.NetworkPos = n.str(), pos(n)
				}
				if r := v.get("defaultRule"); r.str() != "" {
					st.DefaultRule, st.DefaultRulePos = r.str(), pos(r)
				}
				if strings.EqualFold(v.get("swarmMode").str(), "true") {
					st.Swarm = true
				}
			case "swarm":
				st.Swarm = true
			case "file":
				if f := v.get("filename"); f.str() != "" {
					st.FileProvider, fpPos = f.str(), pos(f)
				} else if d := v.get("directory"); d.str() != "" {
					st.FileProvider, fpPos = d.str(), pos(d)
				}
			case "providersthrottleduration":
			default:
				st.Others = append(st.Others, k)
			}
		}
	}
	sort.Strings(st.Others)
	return st, fpPos
}

// tfFile is one parsed dynamic configuration file.
type tfFile struct {
	name string
	tree *ytree
}

// tfServer is one backend address of a traefik service.
type tfServer struct {
	host  string
	port  uint16
	pos   topology.Position
	what  string // "url http://app:80" or "address db:5432"
	unres string
}

// traefikFileRoutes turns the file provider's routers into routes (one per
// server of the router's service; services are shared across the files,
// as the provider merges them).
func traefikFileRoutes(p *topology.Service, files []tfFile) []topology.Route {
	var out []topology.Route
	for _, proto := range []string{"http", "tcp", "udp"} {
		services := map[string]*ytree{}
		svcFile := map[string]string{}
		middlewares := map[string]string{}
		for _, f := range files {
			sec := f.tree.get(proto)
			for i, n := range mapKeys(sec.get("services")) {
				services[strings.ToLower(n)] = sec.get("services").vals[i]
				svcFile[strings.ToLower(n)] = f.name
			}
			mws := sec.get("middlewares")
			for i, n := range mapKeys(mws) {
				kind := ""
				if m := mws.vals[i]; m != nil && m.kind == yaml.MappingNode && len(m.keys) > 0 {
					kind = m.keys[0]
				}
				middlewares[strings.ToLower(n)] = kind
			}
		}
		for _, f := range files {
			routers := f.tree.get(proto).get("routers")
			for i, n := range mapKeys(routers) {
				rt := routers.vals[i]
				if rt == nil || rt.kind != yaml.MappingNode {
					continue
				}
				rule := rt.get("rule")
				r := topology.Route{Kind: topology.ProxyTraefik, Proxy: p.Name, Name: n, Rule: rule.str()}
				if proto != "http" {
					r.Protocol = proto
				}
				r.Hosts, r.Path = parseTraefikRule(rule.str())
				if rx := traefikHostRegexps(rule.str()); len(rx) > 0 {
					r.HostRegexps = rx
				}
				r.EntryPoints = rt.get("entryPoints").strs()
				var epTLS bool
				r.Listen, epTLS = topology.TraefikRouterListen(p, r.EntryPoints, proto == "udp")
				r.TLS = rt.has("tls") && !strings.EqualFold(rt.get("tls").str(), "false") || proto == "http" && epTLS
				for _, m := range rt.get("middlewares").strs() {
					if k := middlewares[strings.ToLower(strings.TrimSuffix(m, "@file"))]; k != "" {
						m += " (" + k + ")"
					}
					r.Middlewares = append(r.Middlewares, m)
				}
				where := fmt.Sprintf("%s router %s (%s:%d)", proto, n, f.name, routers.keyPos[i][0])
				if r.Rule != "" {
					where = fmt.Sprintf("%s router %s: %s (%s:%d)", proto, n, r.Rule, f.name, routers.keyPos[i][0])
				}
				r.Pos = topology.Position{File: f.name, Line: routers.keyPos[i][0], Col: routers.keyPos[i][1]}
				sv := strings.TrimSpace(rt.get("service").str())
				if sv == "" {
					r.Unresolved = "the router names no service"
					r.Rule = where
					out = append(out, r)
					continue
				}
				name, provider, _ := strings.Cut(sv, "@")
				if strings.EqualFold(provider, "internal") {
					// traefik's own services (api@internal, the dashboard;
					// ping, prometheus, noop): no backend container.
					continue
				}
				if provider != "" && !strings.EqualFold(provider, "file") {
					r.Unresolved = fmt.Sprintf("service %s is defined by another provider (not read here)", sv)
					r.Rule = where
					out = append(out, r)
					continue
				}
				servers := tfServers(proto, strings.ToLower(name), services, svcFile, 0)
				if len(servers) == 0 {
					r.Unresolved = fmt.Sprintf("service %s has no server read from the files", sv)
					r.Rule = where
					out = append(out, r)
					continue
				}
				for _, s := range servers {
					ru := r
					ru.Hosts, ru.Listen, ru.Middlewares, ru.EntryPoints = slices.Clone(r.Hosts), slices.Clone(r.Listen), slices.Clone(r.Middlewares), slices.Clone(r.EntryPoints)
					ru.Rule = fmt.Sprintf("%s -> service %s: %s", where, name, s.what)
					ru.Pos = s.pos
					if s.unres != "" {
						ru.Unresolved = s.unres
					} else {
						ru.Upstream, ru.Port = s.host, s.port
						if s.port != 0 {
							ru.PortFrom = "config"
						}
					}
					out = append(out, ru)
				}
			}
		}
	}
	return out
}

func mapKeys(t *ytree) []string {
	if t == nil || t.kind != yaml.MappingNode {
		return nil
	}
	return t.keys
}

// tfServers lists the servers of a service: loadBalancer servers, or the
// services of a weighted (or mirroring) service, followed to depth 4.
func tfServers(proto, name string, services map[string]*ytree, files map[string]string, depth int) []tfServer {
	sv := services[name]
	if sv == nil || depth > 4 {
		return nil
	}
	file := files[name]
	var out []tfServer
	if lb := sv.get("loadBalancer"); lb != nil {
		for _, s := range lb.get("servers").vals {
			key := "address"
			if proto == "http" {
				key = "url"
			}
			v := s.get(key)
			if v.str() == "" {
				continue
			}
			ts := tfServer{pos: topology.Position{File: file, Line: v.line, Col: v.col}, what: key + " " + v.str()}
			raw := v.str()
			switch {
			case strings.Contains(raw, "{{") || strings.Contains(raw, "${"):
				ts.unres = fmt.Sprintf("server %s %s: a template or variable, not resolved statically", key, raw)
			case proto == "http":
				u, err := url.Parse(raw)
				if err != nil || u.Hostname() == "" {
					continue
				}
				ts.host = strings.ToLower(u.Hostname())
				def := uint16(80)
				if strings.EqualFold(u.Scheme, "https") {
					def = 443
				}
				ts.port = def
				if ps := u.Port(); ps != "" {
					n, err := strconv.ParseUint(ps, 10, 16)
					if err != nil || n == 0 {
						continue
					}
					ts.port = uint16(n)
				}
			default:
				h, p, ok := splitHostPort(raw, 0)
				if !ok {
					continue
				}
				ts.host, ts.port = h, p
			}
			out = append(out, ts)
		}
	}
	if w := sv.get("weighted"); w != nil {
		for _, s := range w.get("services").vals {
			n, _, _ := strings.Cut(s.get("name").str(), "@")
			out = append(out, tfServers(proto, strings.ToLower(n), services, files, depth+1)...)
		}
	}
	if m := sv.get("mirroring"); m != nil {
		n, _, _ := strings.Cut(m.get("service").str(), "@")
		out = append(out, tfServers(proto, strings.ToLower(n), services, files, depth+1)...)
	}
	return out
}

// parseTraefikRule reads hosts and the path of a rule, as label routes do
// (topology's reading), keeping HostSNI(`*`) as any host.
func parseTraefikRule(rule string) ([]string, string) {
	return topology.ParseTraefikRule(rule)
}

// traefikHostRegexps returns the HostRegexp patterns of a rule.
func traefikHostRegexps(rule string) []string {
	return topology.TraefikHostRegexps(rule)
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// deployLabelWarnings reports routing labels written under deploy.labels
// (W-DEPLOY-LABELS). Those are swarm service labels: compose-go keeps
// them apart from labels (types.DeployConfig.Labels), and docker compose
// creates each container with the service's labels only (pkg/compose:
// mergeLabels(service.Labels, service.CustomLabels)), so traefik's docker
// provider and caddy-docker-proxy, which read container labels, never see
// them. traefik's swarm provider reads service labels, but from a swarm
// manager: docker compose up creates no swarm service (docker stack
// deploy does), so under compose those labels give no route either way.
// A key also under labels: with the same value is not reported.
func (b *builder) deployLabelWarnings(t *topology.Topology) {
	swarm := ""
	for _, p := range t.Services {
		if topology.ProxyKind(p) != topology.ProxyTraefik {
			continue
		}
		_, sw := topology.CommandFlag(p.Command, "--providers.swarm")
		if v, ok := topology.CommandFlag(p.Command, "--providers.docker.swarmMode"); ok && !strings.EqualFold(v, "false") {
			sw = true
		}
		for _, a := range p.Command {
			sw = sw || strings.HasPrefix(strings.ToLower(a), "--providers.swarm.")
		}
		if p.Traefik.File != "" {
			sw = p.Traefik.Swarm
		}
		if sw && swarm == "" {
			swarm = p.Name
		}
	}
	for _, name := range sortedKeys(b.p.Services) {
		s := b.p.Services[name]
		if s.Deploy == nil {
			continue
		}
		var keys []string
		for _, k := range sortedKeys(s.Deploy.Labels) {
			lk := strings.ToLower(k)
			if !strings.HasPrefix(lk, "traefik.") && lk != "caddy" && !strings.HasPrefix(lk, "caddy.") && !strings.HasPrefix(lk, "caddy_") {
				continue
			}
			if v, ok := s.Labels[k]; ok && v == s.Deploy.Labels[k] {
				continue
			}
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			continue
		}
		pos := b.ix.lookup("services." + name + ".deploy.labels." + keys[0])
		who := "traefik's docker provider"
		if !strings.HasPrefix(strings.ToLower(keys[0]), "traefik.") {
			who = "caddy-docker-proxy (outside swarm mode)"
		}
		msg := fmt.Sprintf("%s: deploy.labels %s are swarm service labels: docker compose puts only labels: on the containers, so %s, which reads container labels, never sees them and no route is read from them", name, strings.Join(firstN(keys, 3), ", "), who)
		if swarm != "" {
			msg += fmt.Sprintf("; %s runs traefik's swarm provider, which reads service labels from a swarm manager, but docker compose up creates no swarm service (docker stack deploy does)", swarm)
		}
		b.warn("W-DEPLOY-LABELS", "", pos, "%s", msg)
		b.fix("put the routing labels under labels: (as well) for docker compose; deploy.labels serve docker stack deploy only")
	}
}
