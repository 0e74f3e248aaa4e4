package topology

import (
	"slices"
	"strconv"
	"strings"
)

// traefik's static configuration (issue 17).
//
// traefik takes its static configuration from exactly one source: a file
// (--configFile, else the first of /etc/traefik/traefik.{toml,yaml,yml},
// $HOME/.config/traefik.*, ./traefik.*), else the command line, else the
// environment. When the loader finds such a file mounted from the project
// it reads it into Service.Traefik, and the command's other flags are then
// ignored here as traefik ignores them.

// TraefikStatic is the part of a traefik static configuration file that
// routing depends on.
type TraefikStatic struct {
	// File is the file read (display path); Pos its first line.
	File string
	Pos  Position
	// EntryPoints in file order.
	EntryPoints []TraefikEntryPoint
	// Docker is true when providers.docker is configured; ExposedByDefault
	// is its exposedByDefault (default true), Network its network and
	// DefaultRule its defaultRule ("" when not set).
	Docker           bool
	ExposedByDefault bool
	Network          string
	NetworkPos       Position
	DefaultRule      string
	DefaultRulePos   Position
	// Swarm is true when the swarm provider (providers.swarm, or v2's
	// providers.docker.swarmMode) is configured.
	Swarm bool
	// FileProvider is the file provider's filename or directory (a
	// container path; "" when there is none).
	FileProvider string
	// Others are the other providers configured (kubernetesCRD, consul,
	// http, ...): their routing is not read.
	Others []string
}

// TraefikEntryPoint is one entrypoint of the static configuration.
type TraefikEntryPoint struct {
	Name string
	// Port is the container port of its address; Protocol "tcp" or "udp".
	Port     uint16
	Protocol string
	// TLS is true when http.tls is set on the entrypoint; Redirect when
	// http.redirections.entryPoint is.
	TLS      bool
	Redirect bool
	Pos      Position
}

// traefikSettings is what traefik's label routes depend on, from the
// static file when there is one, else from the command.
type traefikSettings struct {
	exposed     bool
	defNet      string
	defNetPos   Position
	eps         map[string]uint16 // entrypoint (lower case) -> container port
	udp         map[string]bool   // udp entrypoints
	tlsEPs      map[string]bool
	redirectEPs map[string]bool
}

func traefikConfig(p *Service) traefikSettings {
	s := traefikSettings{exposed: true, eps: map[string]uint16{}, udp: map[string]bool{}, tlsEPs: map[string]bool{}, redirectEPs: map[string]bool{}}
	if st := &p.Traefik; st.File != "" {
		s.exposed, s.defNet, s.defNetPos = st.ExposedByDefault, st.Network, st.NetworkPos
		for _, e := range st.EntryPoints {
			n := strings.ToLower(e.Name)
			if e.Port != 0 {
				s.eps[n] = e.Port
			}
			s.udp[n] = e.Protocol == "udp"
			s.tlsEPs[n] = e.TLS
			s.redirectEPs[n] = e.Redirect
		}
		return s
	}
	if v, ok := commandFlag(p.Command, "--providers.docker.exposedByDefault"); ok {
		s.exposed = !strings.EqualFold(v, "false")
	}
	s.defNet, _ = commandFlag(p.Command, "--providers.docker.network")
	for _, a := range p.Command {
		k, v, ok := strings.Cut(a, "=")
		k = strings.ToLower(k)
		if !strings.HasPrefix(k, "--entrypoints.") {
			continue
		}
		name, field, _ := strings.Cut(strings.TrimPrefix(k, "--entrypoints."), ".")
		switch {
		case field == "address" && ok:
			if port, proto, ok := ParseTraefikAddress(v); ok {
				s.eps[name] = port
				s.udp[name] = proto == "udp"
			}
		case field == "http.tls" && !strings.EqualFold(v, "false"), strings.HasPrefix(field, "http.tls.certresolver"), strings.HasPrefix(field, "http.tls.domains"):
			s.tlsEPs[name] = true
		case strings.HasPrefix(field, "http.redirections."):
			s.redirectEPs[name] = true
		}
	}
	return s
}

// ParseTraefikAddress reads an entrypoint address "[HOST]:PORT[/PROTO]".
func ParseTraefikAddress(v string) (port uint16, proto string, ok bool) {
	v, proto, _ = strings.Cut(strings.TrimSpace(v), "/")
	proto = strings.ToLower(proto)
	if proto == "" {
		proto = "tcp"
	}
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return 0, "", false
	}
	n, err := strconv.ParseUint(v[i+1:], 10, 16)
	if err != nil || n == 0 || proto != "tcp" && proto != "udp" {
		return 0, "", false
	}
	return uint16(n), proto, true
}

// TraefikRedirects reports whether traefik redirects an entrypoint
// (http.redirections on it, in the static file or on the command); name
// "" asks for any entrypoint.
func TraefikRedirects(p *Service, name string) bool {
	s := traefikConfig(p)
	for n, r := range s.redirectEPs {
		if r && (name == "" || strings.EqualFold(n, name)) {
			return true
		}
	}
	return false
}

// TraefikRouterListen returns the container ports a router of proxy p
// listens on, given its entrypoints (none: every entrypoint of its
// transport), and whether those entrypoints all terminate TLS (an HTTP
// router naming only entrypoints with http.tls).
func TraefikRouterListen(p *Service, eps []string, udp bool) (listen []uint16, tls bool) {
	cfg := traefikConfig(p)
	tls = len(eps) > 0 && !slices.ContainsFunc(eps, func(e string) bool { return !cfg.tlsEPs[strings.ToLower(e)] })
	return cfg.listen(eps, udp), tls
}

var reHostRegexp = lazyRegexp("HostRegexp\\(((?:`[^`]*`|\"[^\"]*\"|'[^']*'|\\s|,)*)\\)")

// TraefikHostRegexps returns the patterns of a rule's HostRegexp()
// matchers as Go patterns (TraefikHostPattern).
func TraefikHostRegexps(rule string) []string {
	var out []string
	for _, m := range reHostRegexp().FindAllStringSubmatch(rule, -1) {
		for _, q := range quoted(m[1]) {
			out = append(out, TraefikHostPattern(q))
		}
	}
	return out
}
