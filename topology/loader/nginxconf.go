package loader

import (
	"fmt"
	"github.com/composenet/composenet/topology"
	"slices"
	"strconv"
	"strings"
)

// nginx configuration files mounted into a gateway (issue 17): a bounded
// tokenizer for nginx's directive syntax and the reading of its routing
// directives. Nothing is executed and include directives are not
// followed (the files read are the ones mounted from the project).
//
// Read: upstream NAME { server HOST[:PORT] ...; }, server { listen;
// server_name; location [=|^~|~|~*] PATH { proxy_pass | grpc_pass |
// fastcgi_pass | uwsgi_pass | scgi_pass URL; } } at any depth (http {}
// or the top level of a conf.d file), nested locations and if blocks.
// stream {} blocks (layer-4 proxying): upstream and server blocks with
// listen (udp, ssl) and proxy_pass, as routes of protocol tcp/udp
// (nginxStreamRoutes). Ignored: every other directive, map and set (a variable in the backend address is reported as not
// resolved statically).

// Limits of one nginx file.
const (
	maxNginxDepth      = 32
	maxNginxDirectives = 20000
)

// ncDirective is one directive: name, arguments (quotes removed), its
// position and, for a block directive, its children.
type ncDirective struct {
	name      string
	args      []string
	line, col int
	block     []*ncDirective
}

// ncError is a syntax problem at a line and column.
type ncError struct {
	line, col int
	msg       string
}

func (e *ncError) Error() string { return fmt.Sprintf("%d:%d: %s", e.line, e.col, e.msg) }

// parseNginx reads nginx's directive syntax: words and quoted strings,
// ';' ending a directive, '{' '}' around a block, '#' comments. On a
// syntax error it returns what was read before it and the error.
func parseNginx(data []byte) ([]*ncDirective, error) {
	p := &ncParser{data: data, line: 1, col: 1}
	top, err := p.block(0)
	if err == nil && p.closed {
		err = &ncError{p.tokLine, p.tokCol, "unexpected }"}
	}
	return top, err
}

type ncParser struct {
	data            []byte
	i, line, col    int
	tokLine, tokCol int
	count           int
	closed          bool
}

// token kinds
const (
	tkEOF = iota
	tkWord
	tkSemi
	tkOpen
	tkClose
)

func (p *ncParser) advance() {
	if p.data[p.i] == '\n' {
		p.line++
		p.col = 1
	} else {
		p.col++
	}
	p.i++
}

func (p *ncParser) next() (int, string, error) {
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			p.advance()
			continue
		case c == '#':
			for p.i < len(p.data) && p.data[p.i] != '\n' {
				p.advance()
			}
			continue
		}
		break
	}
	p.tokLine, p.tokCol = p.line, p.col
	if p.i >= len(p.data) {
		return tkEOF, "", nil
	}
	switch c := p.data[p.i]; c {
	case ';':
		p.advance()
		return tkSemi, "", nil
	case '{':
		p.advance()
		return tkOpen, "", nil
	case '}':
		p.advance()
		return tkClose, "", nil
	case '"', '\'':
		p.advance()
		var b strings.Builder
		for p.i < len(p.data) {
			d := p.data[p.i]
			if d == '\\' && p.i+1 < len(p.data) {
				p.advance()
				b.WriteByte(p.data[p.i])
				p.advance()
				continue
			}
			if d == c {
				p.advance()
				return tkWord, b.String(), nil
			}
			b.WriteByte(d)
			p.advance()
		}
		return 0, "", &ncError{p.tokLine, p.tokCol, "unterminated quoted string"}
	}
	var b strings.Builder
	for p.i < len(p.data) {
		d := p.data[p.i]
		if d == ' ' || d == '\t' || d == '\r' || d == '\n' || d == ';' || d == '}' {
			break
		}
		if d == '{' {
			// ${name} is a variable, not a block.
			if b.Len() == 0 || !strings.HasSuffix(b.String(), "$") {
				break
			}
			for p.i < len(p.data) && p.data[p.i] != '}' {
				b.WriteByte(p.data[p.i])
				p.advance()
			}
			if p.i < len(p.data) {
				b.WriteByte('}')
				p.advance()
			}
			continue
		}
		if d == '\\' && p.i+1 < len(p.data) {
			b.WriteByte(d)
			p.advance()
		}
		b.WriteByte(p.data[p.i])
		p.advance()
	}
	return tkWord, b.String(), nil
}

// block reads directives until '}' (depth > 0) or the end of the file.
func (p *ncParser) block(depth int) ([]*ncDirective, error) {
	var out []*ncDirective
	var cur *ncDirective
	for {
		k, w, err := p.next()
		if err != nil {
			return out, err
		}
		switch k {
		case tkEOF:
			if cur != nil {
				return out, &ncError{cur.line, cur.col, fmt.Sprintf("directive %q has no ending \";\"", cur.name)}
			}
			if depth > 0 {
				return out, &ncError{p.tokLine, p.tokCol, "unexpected end of file: a block is not closed"}
			}
			return out, nil
		case tkWord:
			if cur == nil {
				p.count++
				if p.count > maxNginxDirectives {
					return out, &ncError{p.tokLine, p.tokCol, fmt.Sprintf("more than %d directives; the rest is not read", maxNginxDirectives)}
				}
				cur = &ncDirective{name: w, line: p.tokLine, col: p.tokCol}
			} else {
				cur.args = append(cur.args, w)
			}
		case tkSemi:
			if cur == nil {
				return out, &ncError{p.tokLine, p.tokCol, "unexpected ;"}
			}
			out = append(out, cur)
			cur = nil
		case tkOpen:
			if cur == nil {
				return out, &ncError{p.tokLine, p.tokCol, "unexpected {"}
			}
			if depth+1 > maxNginxDepth {
				return out, &ncError{p.tokLine, p.tokCol, fmt.Sprintf("blocks nested deeper than %d", maxNginxDepth)}
			}
			d := cur
			cur = nil
			children, err := p.block(depth + 1)
			d.block = children
			if d.block == nil {
				d.block = []*ncDirective{}
			}
			out = append(out, d)
			if err != nil {
				return out, err
			}
		case tkClose:
			if cur != nil {
				return out, &ncError{cur.line, cur.col, fmt.Sprintf("directive %q has no ending \";\"", cur.name)}
			}
			if depth == 0 {
				p.closed = true
				return out, nil
			}
			return out, nil
		}
	}
}

// ncFile is one parsed nginx file and the name its positions use.
type ncFile struct {
	name string
	top  []*ncDirective
}

// ncUpstream is one server line of an upstream block.
type ncUpstream struct {
	host string
	port uint16
	pos  topology.Position
}

// nginxRoutes reads the routes of a gateway's nginx files (upstream blocks
// are shared across the files, as nginx's http context shares them).
func nginxRoutes(proxy string, files []ncFile) []topology.Route {
	ups := map[string][]ncUpstream{}
	var walkUp func(file string, ds []*ncDirective)
	walkUp = func(file string, ds []*ncDirective) {
		for _, d := range ds {
			switch {
			case d.name == "upstream" && len(d.args) == 1 && d.block != nil:
				name := strings.ToLower(d.args[0])
				for _, s := range d.block {
					if s.name != "server" || len(s.args) == 0 || strings.HasPrefix(s.args[0], "unix:") {
						continue
					}
					host, port, ok := splitHostPort(s.args[0], 80)
					if !ok {
						continue
					}
					ups[name] = append(ups[name], ncUpstream{host: host, port: port, pos: topology.Position{File: file, Line: s.line, Col: s.col}})
				}
			case d.name == "http" && d.block != nil:
				walkUp(file, d.block)
			}
		}
	}
	for _, f := range files {
		walkUp(f.name, f.top)
	}
	var out []topology.Route
	var walk func(file string, ds []*ncDirective)
	walk = func(file string, ds []*ncDirective) {
		for _, d := range ds {
			switch {
			case d.name == "http" && d.block != nil:
				walk(file, d.block)
			case d.name == "server" && d.block != nil:
				out = append(out, ncServer(proxy, file, d, ups)...)
			}
		}
	}
	for _, f := range files {
		walk(f.name, f.top)
	}
	return append(out, nginxStreamRoutes(proxy, files)...)
}

// nginxStreamRoutes reads stream {} blocks (layer-4 proxying): their
// upstream blocks (separate from http's) and server blocks with listen
// (udp, ssl) and proxy_pass UPSTREAM or HOST:PORT. Each gives routes of
// protocol tcp or udp (one per protocol its listen lines use).
func nginxStreamRoutes(proxy string, files []ncFile) []topology.Route {
	ups := map[string][]ncUpstream{}
	var streams []struct {
		file string
		d    *ncDirective
	}
	for _, f := range files {
		for _, d := range f.top {
			if d.name != "stream" || d.block == nil {
				continue
			}
			streams = append(streams, struct {
				file string
				d    *ncDirective
			}{f.name, d})
			for _, u := range d.block {
				if u.name != "upstream" || len(u.args) != 1 || u.block == nil {
					continue
				}
				for _, sv := range u.block {
					if sv.name != "server" || len(sv.args) == 0 || strings.HasPrefix(sv.args[0], "unix:") {
						continue
					}
					if host, port, ok := splitHostPort(sv.args[0], 0); ok && port != 0 {
						ups[strings.ToLower(u.args[0])] = append(ups[strings.ToLower(u.args[0])], ncUpstream{host: host, port: port, pos: topology.Position{File: f.name, Line: sv.line, Col: sv.col}})
					}
				}
			}
		}
	}
	var out []topology.Route
	for _, st := range streams {
		for _, srv := range st.d.block {
			if srv.name != "server" || srv.block == nil {
				continue
			}
			listen := map[string][]uint16{}
			tls := false
			var pass *ncDirective
			for _, d := range srv.block {
				switch d.name {
				case "listen":
					if len(d.args) == 0 || strings.HasPrefix(d.args[0], "unix:") {
						continue
					}
					a := d.args[0]
					var port uint64
					var err error
					if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.HasSuffix(a, "]") {
						port, err = strconv.ParseUint(a[i+1:], 10, 16)
					} else {
						port, err = strconv.ParseUint(a, 10, 16)
					}
					if err != nil || port == 0 {
						continue
					}
					proto := "tcp"
					if slices.Contains(d.args[1:], "udp") {
						proto = "udp"
					}
					if slices.Contains(d.args[1:], "ssl") {
						tls = true
					}
					if !slices.Contains(listen[proto], uint16(port)) {
						listen[proto] = append(listen[proto], uint16(port))
					}
				case "proxy_pass":
					if len(d.args) > 0 {
						pass = d
					}
				case "ssl_preread":
					if len(d.args) == 1 && d.args[0] == "on" {
						tls = true
					}
				}
			}
			if pass == nil {
				continue
			}
			for _, proto := range []string{"tcp", "udp"} {
				ports := listen[proto]
				if len(ports) == 0 {
					continue
				}
				slices.Sort(ports)
				r := topology.Route{Kind: topology.ProxyNginx, Proxy: proxy, Protocol: proto, TLS: tls, Listen: ports,
					Pos: topology.Position{File: st.file, Line: pass.line, Col: pass.col}}
				where := fmt.Sprintf("stream server (%s:%d) -> proxy_pass %s", st.file, srv.line, pass.args[0])
				target := pass.args[0]
				switch {
				case strings.Contains(target, "$"):
					r.Rule = where
					r.Unresolved = fmt.Sprintf("proxy_pass %s: the backend is a variable, not resolved statically", target)
					out = append(out, r)
				case ups[strings.ToLower(target)] != nil:
					for _, u := range ups[strings.ToLower(target)] {
						ru := r
						ru.Listen = slices.Clone(r.Listen)
						ru.Upstream, ru.Port, ru.PortFrom, ru.Pos = u.host, u.port, "config", u.pos
						ru.Rule = fmt.Sprintf("%s (%s:%d) -> upstream %s: server %s:%d", where, st.file, pass.line, target, u.host, u.port)
						out = append(out, ru)
					}
				default:
					host, port, ok := splitHostPort(target, 0)
					if !ok || port == 0 {
						// nginx requires a port here; no route.
						continue
					}
					r.Upstream, r.Port, r.PortFrom, r.Rule = host, port, "config", where
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// ncServer reads one server block.
func ncServer(proxy, file string, srv *ncDirective, ups map[string][]ncUpstream) []topology.Route {
	var listen []uint16
	tls := false
	var names, regexps, written []string
	for _, d := range srv.block {
		switch d.name {
		case "listen":
			if len(d.args) == 0 {
				continue
			}
			a := d.args[0]
			if strings.HasPrefix(a, "unix:") {
				continue
			}
			port := uint16(80)
			if n, err := strconv.ParseUint(a, 10, 16); err == nil {
				port = uint16(n)
			} else if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.HasSuffix(a, "]") {
				if n, err := strconv.ParseUint(a[i+1:], 10, 16); err == nil {
					port = uint16(n)
				}
			}
			if port != 0 && !slices.Contains(listen, port) {
				listen = append(listen, port)
			}
			if slices.Contains(d.args[1:], "ssl") || slices.Contains(d.args[1:], "quic") {
				tls = true
			}
		case "ssl":
			if len(d.args) == 1 && d.args[0] == "on" {
				tls = true
			}
		case "server_name":
			for _, n := range d.args {
				switch {
				case strings.HasPrefix(n, "~") && len(n) > 1:
					// A regular expression; nginx matches server names
					// case-insensitively.
					regexps = append(regexps, "(?i)"+n[1:])
					written = append(written, n)
				case n != "_" && n != "" && n != "\"\"":
					names = append(names, strings.ToLower(n))
					written = append(written, strings.ToLower(n))
				}
			}
		}
	}
	if len(listen) == 0 {
		listen = []uint16{80}
	}
	slices.Sort(listen)
	base := topology.Route{Kind: topology.ProxyNginx, Proxy: proxy, Hosts: names, HostRegexps: regexps, TLS: tls, Listen: listen}
	sname := "server"
	if len(written) > 0 {
		sname = "server_name " + strings.Join(written, " ")
	}
	var out []topology.Route
	// auth are the authentication directives in force in a block: nginx
	// inherits auth_basic and auth_request into nested locations.
	authOf := func(ds []*ncDirective, inherited []string) []string {
		out := slices.Clone(inherited)
		for _, d := range ds {
			if (d.name == "auth_basic" && len(d.args) == 1 && d.args[0] != "off" || d.name == "auth_request" && len(d.args) == 1 && d.args[0] != "off") && !slices.Contains(out, d.name) {
				out = append(out, d.name)
			}
		}
		return out
	}
	var walk func(ds []*ncDirective, path, pathRE, where string, auth []string)
	walk = func(ds []*ncDirective, path, pathRE, where string, auth []string) {
		auth = authOf(ds, auth)
		for _, d := range ds {
			switch d.name {
			case "location":
				if d.block == nil || len(d.args) == 0 {
					continue
				}
				p := d.args[len(d.args)-1]
				mod := ""
				if len(d.args) > 1 {
					mod = d.args[0]
				}
				re := ""
				switch mod {
				case "~":
					re = p
				case "~*":
					re = "(?i)" + p
				}
				if re != "" {
					p = mod + " " + p
				}
				walk(d.block, p, re, fmt.Sprintf("%s; location %s (%s:%d)", sname, strings.Join(d.args, " "), file, d.line), auth)
			case "if", "limit_except":
				if d.block != nil {
					walk(d.block, path, pathRE, where, auth)
				}
			case "proxy_pass", "grpc_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass":
				if len(d.args) == 0 {
					continue
				}
				for _, r := range ncPass(base, file, d, path, where, ups) {
					r.Middlewares = slices.Clone(auth)
					r.HostRegexps = slices.Clone(regexps)
					r.PathRegexp = pathRE
					out = append(out, r)
				}
			}
		}
	}
	walk(srv.block, "", "", sname+" ("+file+":"+strconv.Itoa(srv.line)+")", nil)
	return out
}

// ncPass turns one *_pass directive into routes: one per server of the
// upstream block it names, or one for the host it names.
func ncPass(base topology.Route, file string, d *ncDirective, path, where string, ups map[string][]ncUpstream) []topology.Route {
	r := base
	r.Hosts = slices.Clone(base.Hosts)
	r.Listen = slices.Clone(base.Listen)
	r.Path = path
	r.Pos = topology.Position{File: file, Line: d.line, Col: d.col}
	target := d.args[0]
	r.Rule = where + " -> " + d.name + " " + target
	def := uint16(0)
	rest := target
	switch {
	case strings.HasPrefix(strings.ToLower(rest), "https://"), strings.HasPrefix(strings.ToLower(rest), "grpcs://"):
		def = 443
		rest = rest[strings.Index(rest, "://")+3:]
	case strings.Contains(rest, "://"):
		def = 80
		rest = rest[strings.Index(rest, "://")+3:]
	case d.name == "grpc_pass":
		def = 80
	}
	hostport, _, _ := strings.Cut(rest, "/")
	if strings.HasPrefix(hostport, "unix:") || strings.HasPrefix(target, "unix:") {
		return nil
	}
	// http://api:3000$request_uri: the host and port end before the
	// variable.
	if i := strings.IndexByte(hostport, '$'); i > 0 {
		if j := strings.LastIndexByte(hostport[:i], ':'); j > 0 && j+1 < i && strings.Trim(hostport[j+1:i], "0123456789") == "" {
			hostport = hostport[:i]
		}
	}
	if strings.Contains(hostport, "$") {
		r.Unresolved = fmt.Sprintf("%s %s: the backend is a variable, not resolved statically", d.name, target)
		return []topology.Route{r}
	}
	if list, ok := ups[strings.ToLower(hostport)]; ok {
		var out []topology.Route
		for _, u := range list {
			ru := r
			ru.Hosts = slices.Clone(r.Hosts)
			ru.Listen = slices.Clone(r.Listen)
			ru.Upstream, ru.Port, ru.PortFrom, ru.Pos = u.host, u.port, "config", u.pos
			ru.Rule = fmt.Sprintf("%s (%s:%d) -> upstream %s: server %s:%d", r.Rule, file, d.line, hostport, u.host, u.port)
			out = append(out, ru)
		}
		return out
	}
	host, port, ok := splitHostPort(hostport, def)
	if !ok {
		return nil
	}
	r.Upstream, r.Port = host, port
	if port != 0 {
		r.PortFrom = "config"
	}
	return []topology.Route{r}
}

// splitHostPort splits HOST[:PORT] (IPv6 in brackets) with def as the
// port when none is written.
func splitHostPort(s string, def uint16) (string, uint16, bool) {
	if s == "" {
		return "", 0, false
	}
	host, ps := s, ""
	if strings.HasPrefix(s, "[") {
		j := strings.IndexByte(s, ']')
		if j < 0 {
			return "", 0, false
		}
		host = s[1:j]
		if rest := s[j+1:]; strings.HasPrefix(rest, ":") {
			ps = rest[1:]
		}
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		host, ps = s[:i], s[i+1:]
	}
	port := def
	if ps != "" {
		n, err := strconv.ParseUint(ps, 10, 16)
		if err != nil || n == 0 {
			return "", 0, false
		}
		port = uint16(n)
	}
	if host == "" || strings.ContainsAny(host, " \t/") {
		return "", 0, false
	}
	return strings.ToLower(host), port, true
}
