package loader

import (
	"fmt"
	"github.com/composenet/composenet/topology"
	"slices"
	"strconv"
	"strings"
)

// haproxy configuration files mounted into a gateway (issue 17), read
// line by line: frontend/listen sections with bind, acl (host from
// hdr(host)/hdr_dom(host)/hdr_beg(host)/req.hdr(host), path from
// path/path_beg), use_backend and default_backend; backend/listen sections
// with server lines. Every other keyword is ignored; nothing is executed.

// Limits of one haproxy file.
const maxHAProxyLines = 50000

// hpLine is one configuration line split into words.
type hpLine struct {
	words []string
	line  int
	col   int
}

// hpSection is one section: its keyword, name and lines.
type hpSection struct {
	kind, name string
	line       int
	lines      []hpLine
}

// parseHAProxy splits a haproxy configuration into sections. Comments
// start at an unquoted '#'; words are separated by spaces and tabs, with
// "..." and '...' quoting and backslash escapes.
func parseHAProxy(data []byte) ([]hpSection, error) {
	var out []hpSection
	lines := strings.Split(string(data), "\n")
	if len(lines) > maxHAProxyLines {
		return nil, fmt.Errorf("more than %d lines", maxHAProxyLines)
	}
	for i, raw := range lines {
		words, col := hpWords(raw)
		if len(words) == 0 {
			continue
		}
		switch strings.ToLower(words[0]) {
		case "global", "defaults", "frontend", "backend", "listen", "resolvers", "peers", "userlist", "program", "http-errors", "ring", "mailers", "cache", "crt-store", "traces", "log-forward", "fcgi-app":
			s := hpSection{kind: strings.ToLower(words[0]), line: i + 1}
			if len(words) > 1 {
				s.name = words[1]
			}
			out = append(out, s)
			// listen NAME ADDR:PORT is the old inline bind.
			if s.kind == "listen" && len(words) > 2 {
				out[len(out)-1].lines = append(out[len(out)-1].lines, hpLine{words: append([]string{"bind"}, words[2:]...), line: i + 1, col: col})
			}
			continue
		}
		if len(out) == 0 {
			continue
		}
		out[len(out)-1].lines = append(out[len(out)-1].lines, hpLine{words: words, line: i + 1, col: col})
	}
	return out, nil
}

// hpWords splits one line; col is the column of the first word.
func hpWords(s string) ([]string, int) {
	var out []string
	col := 0
	var b strings.Builder
	in := false
	var q byte
	flush := func() {
		if in {
			out = append(out, b.String())
			b.Reset()
			in = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else if c == '\\' && q == '"' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else {
				b.WriteByte(c)
			}
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
			in = true
		case c == '#':
			flush()
			return out, col
		case c == ' ' || c == '\t' || c == '\r':
			flush()
		case c == '"' || c == '\'':
			q = c
			if !in && col == 0 {
				col = i + 1
			}
			in = true
		default:
			if !in && len(out) == 0 && col == 0 {
				col = i + 1
			}
			b.WriteByte(c)
			in = true
		}
	}
	flush()
	return out, col
}

// hpACL is what a named ACL matches: hosts or a path prefix.
type hpACL struct {
	hosts []string
	path  string
}

// haproxyRoutes reads a gateway's haproxy files: one route per server of
// each backend a frontend sends requests to.
func haproxyRoutes(proxy string, files []hpFile) []topology.Route {
	type srv struct {
		host string
		port uint16
		pos  topology.Position
		raw  string
	}
	backends := map[string][]srv{}
	for _, f := range files {
		for _, s := range f.sections {
			if s.kind != "backend" && s.kind != "listen" {
				continue
			}
			for _, l := range s.lines {
				if strings.ToLower(l.words[0]) != "server" || len(l.words) < 3 {
					continue
				}
				addr := l.words[2]
				if strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "unix@") || strings.HasPrefix(addr, "abns@") {
					continue
				}
				addr = strings.TrimPrefix(strings.TrimPrefix(addr, "ipv4@"), "ipv6@")
				pos := topology.Position{File: f.name, Line: l.line, Col: l.col}
				if strings.Contains(addr, "$") {
					backends[s.name] = append(backends[s.name], srv{pos: pos, raw: addr})
					continue
				}
				host, port, ok := splitHostPort(addr, 0)
				if !ok {
					continue
				}
				backends[s.name] = append(backends[s.name], srv{host: host, port: port, pos: pos, raw: addr})
			}
		}
	}
	var out []topology.Route
	for _, f := range files {
		for _, s := range f.sections {
			if s.kind != "frontend" && s.kind != "listen" {
				continue
			}
			var listen []uint16
			tls := false
			acls := map[string]*hpACL{}
			type use struct {
				backend string
				cond    []string
				line    int
			}
			var uses []use
			for _, l := range s.lines {
				w := l.words
				switch strings.ToLower(w[0]) {
				case "bind":
					for _, a := range w[1:] {
						if strings.HasPrefix(a, "/") || !strings.Contains(a, ":") {
							break
						}
						for _, one := range strings.Split(a, ",") {
							if i := strings.LastIndexByte(one, ':'); i >= 0 {
								ps := one[i+1:]
								ps, _, _ = strings.Cut(ps, "-")
								if n, err := strconv.ParseUint(ps, 10, 16); err == nil && n > 0 && !slices.Contains(listen, uint16(n)) {
									listen = append(listen, uint16(n))
								}
							}
						}
						break
					}
					if slices.Contains(w[1:], "ssl") {
						tls = true
					}
				case "acl":
					if len(w) < 4 {
						continue
					}
					a := acls[w[1]]
					if a == nil {
						a = &hpACL{}
						acls[w[1]] = a
					}
					crit := strings.ToLower(w[2])
					var vals []string
					beg := false
					for i := 3; i < len(w); i++ {
						switch {
						case w[i] == "-m" && i+1 < len(w):
							beg = w[i+1] == "beg"
							i++
						case strings.HasPrefix(w[i], "-"):
						default:
							vals = append(vals, w[i])
						}
					}
					switch {
					case strings.HasPrefix(crit, "hdr") && strings.Contains(crit, "(host)"), strings.HasPrefix(crit, "req.hdr(host)"):
						for _, v := range vals {
							a.hosts = append(a.hosts, strings.ToLower(v))
						}
					case crit == "path_beg" || crit == "path" && beg || crit == "path":
						if len(vals) > 0 && a.path == "" {
							a.path = vals[0]
						}
					}
				case "use_backend":
					if len(w) >= 2 {
						u := use{backend: w[1], line: l.line}
						// An unless condition is not read: the route
						// matches any host and path.
						if len(w) > 3 && w[2] == "if" {
							u.cond = w[3:]
						}
						uses = append(uses, u)
					}
				case "default_backend":
					if len(w) >= 2 {
						uses = append(uses, use{backend: w[1], line: l.line})
					}
				}
			}
			if s.kind == "listen" {
				uses = append(uses, use{backend: s.name, line: s.line})
			}
			if len(listen) == 0 {
				continue // no bind: no traffic enters this section
			}
			slices.Sort(listen)
			for _, u := range uses {
				var hosts []string
				path := ""
				for _, c := range u.cond {
					if a := acls[c]; a != nil {
						hosts = append(hosts, a.hosts...)
						if path == "" {
							path = a.path
						}
					}
				}
				what := "default_backend " + u.backend
				if s.kind == "listen" {
					what = "listen " + u.backend
				} else if u.cond != nil {
					what = "use_backend " + u.backend + " if " + strings.Join(u.cond, " ")
				}
				for _, b := range backends[u.backend] {
					r := topology.Route{Kind: topology.ProxyHAProxy, Proxy: proxy, Name: u.backend, Hosts: slices.Clone(hosts), Path: path, TLS: tls,
						Listen: slices.Clone(listen), Pos: b.pos, Upstream: b.host, Port: b.port}
					r.Rule = fmt.Sprintf("%s %s: %s (%s:%d) -> server %s", s.kind, s.name, what, f.name, u.line, b.raw)
					if b.port != 0 {
						r.PortFrom = "config"
					}
					if b.host == "" {
						r.Unresolved = "server " + b.raw + ": the address is a variable, not resolved statically"
					}
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// hpFile is one parsed haproxy file and the name its positions use.
type hpFile struct {
	name     string
	sections []hpSection
}
