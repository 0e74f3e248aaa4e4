package loader

import (
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composenet/composenet/topology"
)

// Caddyfiles mounted from the project (issue 17): a bounded reader of the
// Caddyfile syntax and of its routing directives. Nothing is executed,
// import of files is not followed (snippets defined in the same file are
// expanded, to a bounded depth), and only {$VAR} / {$VAR:default}
// placeholders are substituted, from the service's compose environment
// (caddy substitutes them when it reads the file; the image's ENV is not
// read). Runtime placeholders ({env.X}, {http.*}) are not resolved.
//
// Read: the global options block (auto_https off), site blocks and their
// addresses (scheme, host, port; a single site without braces), named
// matchers (@name path ... or @name { path ... }), reverse_proxy [matcher]
// upstreams (and its to subdirective), handle / handle_path / route
// blocks with their path matchers, basicauth / basic_auth / forward_auth
// in a scope (they guard every route of the scope: caddy orders
// authentication before reverse_proxy whatever the text order).

// Limits of one Caddyfile.
const (
	maxCaddyTokens     = 50000
	maxCaddyDirectives = 20000
	maxCaddyDepth      = 32
	maxCaddyImports    = 8
)

// cfTok is one token.
type cfTok struct {
	text      string
	line, col int
	quoted    bool
}

// cfNode is one directive: its tokens (the first is the name) and, for a
// block, its children.
type cfNode struct {
	toks  []cfTok
	block []*cfNode
	open  bool // written with a block
}

func (n *cfNode) name() string { return n.toks[0].text }

func (n *cfNode) args() []cfTok { return n.toks[1:] }

// cfError is a syntax problem at a line and column.
type cfError struct {
	line, col int
	msg       string
}

func (e *cfError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

// lexCaddyfile splits a Caddyfile into tokens, each with the line it
// ends on (end), which tells where a directive's line ends.
func lexCaddyfile(data []byte) (toks []cfTok, ends []int, err error) {
	line, col := 1, 1
	i := 0
	adv := func() {
		if data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i++
	}
	for i < len(data) {
		c := data[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			adv()
			continue
		case c == '#':
			for i < len(data) && data[i] != '\n' {
				adv()
			}
			continue
		case c == '\\' && i+1 < len(data) && (data[i+1] == '\n' || data[i+1] == '\r'):
			// A line continuation: the directive goes on.
			adv()
			for i < len(data) && (data[i] == '\r' || data[i] == '\n') {
				adv()
				if data[i-1] == '\n' {
					break
				}
			}
			if len(ends) > 0 {
				ends[len(ends)-1] = line
			}
			continue
		}
		if len(toks) >= maxCaddyTokens {
			return toks, ends, &cfError{line, col, fmt.Sprintf("more than %d tokens; the rest is not read", maxCaddyTokens)}
		}
		t := cfTok{line: line, col: col}
		var b strings.Builder
		switch c {
		case '"':
			adv()
			closed := false
			for i < len(data) {
				d := data[i]
				if d == '\\' && i+1 < len(data) && (data[i+1] == '"' || data[i+1] == '\\') {
					adv()
					b.WriteByte(data[i])
					adv()
					continue
				}
				if d == '"' {
					adv()
					closed = true
					break
				}
				b.WriteByte(d)
				adv()
			}
			if !closed {
				return toks, ends, &cfError{t.line, t.col, "unterminated quoted string"}
			}
			t.quoted = true
		case '`':
			adv()
			closed := false
			for i < len(data) {
				if data[i] == '`' {
					adv()
					closed = true
					break
				}
				b.WriteByte(data[i])
				adv()
			}
			if !closed {
				return toks, ends, &cfError{t.line, t.col, "unterminated backquoted string"}
			}
			t.quoted = true
		default:
			for i < len(data) {
				d := data[i]
				if d == ' ' || d == '\t' || d == '\r' || d == '\n' {
					break
				}
				b.WriteByte(d)
				adv()
			}
		}
		t.text = b.String()
		toks = append(toks, t)
		ends = append(ends, line)
	}
	return toks, ends, nil
}

// parseCaddyfile reads the directive tree. On a syntax error it returns
// what was read before it and the error.
func parseCaddyfile(data []byte) ([]*cfNode, error) {
	toks, ends, lerr := lexCaddyfile(data)
	p := &cfParser{toks: toks, ends: ends}
	top, err := p.block(0)
	if err == nil && p.i < len(p.toks) {
		t := p.toks[p.i]
		err = &cfError{t.line, t.col, "unexpected }"}
	}
	if lerr != nil {
		// The lexer's error is the cause (an unterminated string leaves
		// the blocks open).
		err = lerr
	}
	return top, err
}

type cfParser struct {
	toks  []cfTok
	ends  []int
	i     int
	count int
}

func (p *cfParser) isOpen(k int) bool  { return !p.toks[k].quoted && p.toks[k].text == "{" }
func (p *cfParser) isClose(k int) bool { return !p.toks[k].quoted && p.toks[k].text == "}" }

// block reads directives until a closing brace (depth > 0) or the end.
func (p *cfParser) block(depth int) ([]*cfNode, error) {
	var out []*cfNode
	for p.i < len(p.toks) {
		if p.isClose(p.i) {
			if depth == 0 {
				return out, nil // the caller reports it
			}
			p.i++
			return out, nil
		}
		p.count++
		if p.count > maxCaddyDirectives {
			t := p.toks[p.i]
			return out, &cfError{t.line, t.col, fmt.Sprintf("more than %d directives; the rest is not read", maxCaddyDirectives)}
		}
		n := &cfNode{}
		line := p.ends[p.i]
		start := p.toks[p.i]
		for p.i < len(p.toks) && (len(n.toks) == 0 || p.toks[p.i].line <= line) {
			if p.isClose(p.i) && len(n.toks) > 0 {
				break
			}
			if p.isOpen(p.i) {
				// "{" opens a block only at the end of its line.
				if p.i+1 >= len(p.toks) || p.toks[p.i+1].line > p.toks[p.i].line || p.isClose(p.i+1) {
					break
				}
			}
			n.toks = append(n.toks, p.toks[p.i])
			line = max(line, p.ends[p.i])
			p.i++
		}
		if p.i < len(p.toks) && p.isOpen(p.i) {
			open := p.toks[p.i]
			if depth+1 > maxCaddyDepth {
				return out, &cfError{open.line, open.col, fmt.Sprintf("blocks nested deeper than %d", maxCaddyDepth)}
			}
			p.i++
			children, err := p.block(depth + 1)
			n.block, n.open = children, true
			if len(n.toks) == 0 {
				n.toks = []cfTok{{text: "", line: open.line, col: open.col}}
			}
			out = append(out, n)
			if err != nil {
				return out, err
			}
			continue
		}
		if len(n.toks) == 0 {
			// a stray "{" on a line of its own after nothing
			return out, &cfError{start.line, start.col, "unexpected {"}
		}
		out = append(out, n)
	}
	if depth > 0 {
		return out, &cfError{p.toks[len(p.toks)-1].line, p.toks[len(p.toks)-1].col, "unexpected end of file: a block is not closed"}
	}
	return out, nil
}

// caddyEnv substitutes {$VAR} and {$VAR:default} in a token from env; ok
// is false when a variable is not set and has no default.
func caddyEnv(s string, env map[string]string) (string, bool) {
	if !strings.Contains(s, "{$") {
		return s, true
	}
	ok := true
	var b strings.Builder
	for {
		i := strings.Index(s, "{$")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		name, def, hasDef := strings.Cut(s[i+2:i+j], ":")
		if v, set := env[name]; set {
			b.WriteString(v)
		} else if hasDef {
			b.WriteString(def)
		} else {
			ok = false
		}
		s = s[i+j+1:]
	}
	return b.String(), ok
}

// cfFile is one parsed Caddyfile.
type cfFile struct {
	name string
	top  []*cfNode
	env  map[string]string
}

// caddyRoutes reads the routes of a Caddyfile.
func caddyRoutes(proxy string, f cfFile) []topology.Route {
	snippets := map[string][]*cfNode{}
	autoHTTPS := true
	var sites []*cfNode
	top := f.top
scan:
	for i, n := range top {
		name := n.name()
		switch {
		case i == 0 && name == "" && n.open:
			for _, o := range n.block {
				if o.name() == "auto_https" && len(o.args()) > 0 && o.args()[0].text == "off" {
					autoHTTPS = false
				}
			}
		case strings.HasPrefix(name, "(") && strings.HasSuffix(name, ")") && n.open:
			snippets[strings.Trim(name, "()")] = n.block
		case name == "import":
		default:
			if !n.open {
				// A single site without braces: this line's addresses,
				// the rest of the file its directives.
				sites = append(sites, &cfNode{toks: n.toks, block: top[i+1:], open: true})
				break scan
			}
			sites = append(sites, n)
		}
	}
	var out []topology.Route
	for _, s := range sites {
		out = append(out, caddySite(proxy, f, s, snippets, autoHTTPS)...)
	}
	return out
}

// cfAuth is an authentication directive and the path prefix its matcher
// limits it to ("" for the whole scope).
type cfAuth struct{ name, prefix string }

// cfScope is what a directive inherits: the path matched so far, the
// authentication in force, the rule text, named matchers.
type cfScope struct {
	path     string
	auth     []cfAuth
	where    string
	matchers map[string][]string // @name -> paths
}

func caddySite(proxy string, f cfFile, site *cfNode, snippets map[string][]*cfNode, autoHTTPS bool) []topology.Route {
	base := topology.Route{Kind: topology.ProxyCaddyfile, Proxy: proxy}
	var written []string
	unset := false
	for _, t := range site.toks {
		for _, a := range strings.Split(t.text, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			v, ok := caddyEnv(a, f.env)
			unset = unset || !ok
			written = append(written, a)
			if v == "" {
				continue
			}
			scheme, host, port, p := caddyAddress(v)
			tls := false
			switch {
			case scheme == "https":
				tls = true
			case scheme == "http":
			case port == 443:
				tls = true
			case host != "" && port != 80 && autoHTTPS:
				tls = true
			}
			if port == 0 {
				port = 80
				if tls {
					port = 443
				}
			}
			base.TLS = base.TLS || tls
			if !slices.Contains(base.Listen, port) {
				base.Listen = append(base.Listen, port)
			}
			if host != "" && !slices.Contains(base.Hosts, host) {
				base.Hosts = append(base.Hosts, host)
			}
			if p != "" {
				base.Path = p
			}
		}
	}
	slices.Sort(base.Listen)
	where := fmt.Sprintf("site %s (%s:%d)", strings.Join(written, " "), f.name, site.toks[0].line)
	var out []topology.Route
	if unset && len(base.Hosts) == 0 {
		base.Unresolved = fmt.Sprintf("site address %s: a {$VAR} not set in the compose environment (the image's ENV is not read)", strings.Join(written, " "))
	}
	body := expandImports(site.block, snippets, 0)
	sc := cfScope{path: base.Path, where: where, matchers: map[string][]string{}}
	caddyWalk(f, base, body, sc, snippets, &out, 0)
	return out
}

// expandImports replaces "import NAME" by the snippet's directives.
func expandImports(ns []*cfNode, snippets map[string][]*cfNode, depth int) []*cfNode {
	var out []*cfNode
	for _, n := range ns {
		if n.name() == "import" && len(n.args()) > 0 && depth < maxCaddyImports {
			if s, ok := snippets[n.args()[0].text]; ok {
				out = append(out, expandImports(s, snippets, depth+1)...)
				continue
			}
		}
		out = append(out, n)
	}
	return out
}

// caddyAddress splits a site address [scheme://][host][:port][/path].
func caddyAddress(a string) (scheme, host string, port uint16, path string) {
	if s, rest, ok := strings.Cut(a, "://"); ok {
		scheme, a = strings.ToLower(s), rest
	}
	if i := strings.IndexByte(a, '/'); i >= 0 {
		a, path = a[:i], strings.TrimSuffix(a[i:], "*")
	}
	host = a
	if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.HasSuffix(a, "]") {
		if n, err := strconv.ParseUint(a[i+1:], 10, 16); err == nil {
			port = uint16(n)
		}
		host = a[:i]
	}
	return scheme, strings.ToLower(strings.Trim(host, "[]")), port, path
}

// matcherPaths reads a matcher token: "*" (any), a path, or @name.
func matcherPaths(t cfTok, sc cfScope) ([]string, bool) {
	switch {
	case t.quoted:
		return nil, false
	case t.text == "*":
		return []string{""}, true
	case strings.HasPrefix(t.text, "/"):
		return []string{t.text}, true
	case strings.HasPrefix(t.text, "@"):
		if ps, ok := sc.matchers[t.text]; ok && len(ps) > 0 {
			return ps, true
		}
		return []string{""}, true
	}
	return nil, false
}

// prefixOf turns a caddy path matcher into a prefix ("/api/*" -> "/api/").
func prefixOf(p string) string {
	return strings.TrimSuffix(p, "*")
}

func caddyWalk(f cfFile, base topology.Route, ns []*cfNode, sc cfScope, snippets map[string][]*cfNode, out *[]topology.Route, depth int) {
	if depth > maxCaddyDepth {
		return
	}
	// Named matchers and authentication first: they hold for the scope.
	sc.matchers = mapsClone(sc.matchers)
	sc.auth = slices.Clone(sc.auth)
	for _, n := range ns {
		name := n.name()
		switch {
		case strings.HasPrefix(name, "@"):
			var paths []string
			if n.open {
				for _, c := range n.block {
					if c.name() == "path" {
						for _, a := range c.args() {
							paths = append(paths, a.text)
						}
					}
				}
			} else if len(n.args()) > 1 && n.args()[0].text == "path" {
				for _, a := range n.args()[1:] {
					paths = append(paths, a.text)
				}
			}
			if len(paths) > 16 {
				paths = paths[:16]
			}
			sc.matchers[name] = paths
		case name == "basicauth" || name == "basic_auth" || name == "forward_auth":
			prefixes := []string{""}
			if args := n.args(); len(args) > 0 {
				if ps, ok := matcherPaths(args[0], sc); ok {
					prefixes = ps
				}
			}
			for _, p := range prefixes {
				sc.auth = append(sc.auth, cfAuth{name, prefixOf(p)})
			}
		}
	}
	for _, n := range ns {
		name := n.name()
		args := n.args()
		switch name {
		case "handle", "handle_path", "route":
			if !n.open {
				continue
			}
			paths := []string{""}
			label := name
			if len(args) > 0 {
				if ps, ok := matcherPaths(args[0], sc); ok {
					paths = ps
				}
				label += " " + args[0].text
			}
			for _, p := range paths {
				inner := sc
				if p != "" {
					inner.path = prefixOf(p)
				}
				inner.where = fmt.Sprintf("%s; %s (%s:%d)", sc.where, label, f.name, n.toks[0].line)
				caddyWalk(f, base, expandImports(n.block, snippets, 0), inner, snippets, out, depth+1)
			}
		case "reverse_proxy":
			paths := []string{""}
			rest := args
			if len(args) > 0 {
				if ps, ok := matcherPaths(args[0], sc); ok {
					paths, rest = ps, args[1:]
				}
			}
			ups := slices.Clone(rest)
			for _, c := range n.block {
				if c.name() == "to" {
					ups = append(ups, c.args()...)
				}
			}
			for _, p := range paths {
				path := sc.path
				if p != "" {
					path = prefixOf(p)
				}
				for _, u := range ups {
					*out = append(*out, caddyUpstream(f, base, sc, path, u))
				}
			}
		}
	}
}

func mapsClone(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// caddyUpstream turns one reverse_proxy upstream into a route.
func caddyUpstream(f cfFile, base topology.Route, sc cfScope, path string, u cfTok) topology.Route {
	r := base
	r.Hosts, r.Listen = slices.Clone(base.Hosts), slices.Clone(base.Listen)
	r.Path = path
	if r.Path == "/" {
		r.Path = ""
	}
	for _, a := range sc.auth {
		if (a.prefix == "" || strings.HasPrefix(orText(r.Path, "/"), a.prefix)) && !slices.Contains(r.Middlewares, a.name) {
			r.Middlewares = append(r.Middlewares, a.name)
		}
	}
	r.Pos = topology.Position{File: f.name, Line: u.line, Col: u.col}
	r.Rule = sc.where + " -> reverse_proxy " + u.text
	v, ok := caddyEnv(u.text, f.env)
	switch {
	case !ok || v == "":
		r.Unresolved = fmt.Sprintf("reverse_proxy %s: a {$VAR} not set in the compose environment (the image's ENV is not read)", u.text)
		return r
	case strings.Contains(v, "{"):
		r.Unresolved = fmt.Sprintf("reverse_proxy %s: a runtime placeholder, not resolved statically", u.text)
		return r
	case strings.HasPrefix(v, "unix/"):
		r.Unresolved = fmt.Sprintf("reverse_proxy %s: a unix socket", u.text)
		return r
	}
	def := uint16(80)
	if s, rest, ok := strings.Cut(v, "://"); ok {
		if strings.EqualFold(s, "https") {
			def = 443
		}
		v = rest
	}
	v, _, _ = strings.Cut(v, "/")
	host, port, ok := splitHostPort(v, def)
	if !ok {
		r.Unresolved = fmt.Sprintf("reverse_proxy %s: not an address", u.text)
		return r
	}
	r.Upstream, r.Port, r.PortFrom = host, port, "config"
	return r
}

// readCaddyfile reads the Caddyfile a caddy service mounts from the
// project: the --config of a "caddy run" command, else
// /etc/caddy/Caddyfile (the official image's). ok is false when the
// service mounts none (it is then not a Caddyfile gateway).
func (b *builder) readCaddyfile(svc *topology.Service, s types.ServiceConfig, spath string) (read []string, folder bool, ok bool) {
	target := "/etc/caddy/Caddyfile"
	adapter := ""
	if v, has := topology.CommandFlag(s.Command, "--config"); has && v != "" {
		target = v
		adapter, _ = topology.CommandFlag(s.Command, "--adapter")
	}
	if !path.IsAbs(target) {
		wd := s.WorkingDir
		if wd == "" {
			wd = "/srv" // the official image's WORKDIR
		}
		target = path.Join(wd, target)
	}
	mounts := b.projectMounts(s, spath)
	host, m, found := b.mountedAt(mounts, target)
	if !found {
		return nil, false, false
	}
	if adapter != "" && adapter != "caddyfile" || adapter == "" && (strings.HasSuffix(target, ".json") || strings.HasSuffix(target, ".yaml")) {
		return nil, false, false
	}
	real, inside := b.insideProject(host)
	if real == "" {
		return nil, false, false // not there: docker would create a folder
	}
	if st, err := os.Stat(real); err != nil || st.IsDir() {
		return nil, false, false
	}
	name := displayPath(b.dir, host)
	svc.ConfigKind = topology.ProxyCaddyfile
	if !inside {
		b.warn("W-PROXY-CONFIG", "", m.pos, "%s mounts %s, outside the project folder: its routes are not read", svc.Name, displayPath(b.dir, host))
		svc.ConfigIncomplete = "the Caddyfile is outside the project folder"
		svc.ConfigKind = ""
		return nil, false, true
	}
	raw, err := readBounded(host, b.projectRoot())
	if err != nil {
		b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: %v; its routes are not read", name, err)
		svc.ConfigIncomplete = name + ": " + err.Error()
		svc.ConfigKind = ""
		return []string{host}, false, true
	}
	top, perr := parseCaddyfile(raw)
	if perr != nil {
		if e, ok := perr.(*cfError); ok {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: e.line, Col: e.col}, "%s: %s; routes after it are not read", name, e.msg)
		}
		svc.ConfigIncomplete = name + " does not parse"
	}
	env := map[string]string{}
	for _, e := range svc.Environment {
		if e.Set {
			env[e.Key] = e.Value
		}
	}
	for _, n := range top {
		if n.name() == "import" && len(n.args()) > 0 && !strings.HasPrefix(n.args()[0].text, "(") {
			// import of a file (or a snippet defined elsewhere): not followed.
			snippet := false
			for _, d := range top {
				if d.name() == "("+n.args()[0].text+")" {
					snippet = true
				}
			}
			if !snippet {
				b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: n.toks[0].line, Col: n.toks[0].col}, "%s: import %s is not followed (only snippets of the same file are expanded); its routes are not read", name, n.args()[0].text)
				if svc.ConfigIncomplete == "" {
					svc.ConfigIncomplete = "import " + n.args()[0].text + " is not followed"
				}
			}
		}
	}
	svc.ConfigFiles = []string{name}
	svc.ConfigRoutes = caddyRoutes(svc.Name, cfFile{name: name, top: top, env: env})
	return []string{host}, false, true
}
