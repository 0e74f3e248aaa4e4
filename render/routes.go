package render

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Route is a reverse-proxy route to draw: Proxy forwards the requests that
// match Hosts and Path to Backend:Port. The caller fills it from the route
// reader and the simulator (package review reads the labels and
// environment, sim decides the proxied hop); renderers only draw it.
type Route struct {
	// Proxy and Backend are service (or container) names.
	Proxy, Backend string
	// Hosts are the host names of the rule, in rule order; none means any
	// host ("*").
	Hosts []string
	// Path is the path prefix ("" for any path).
	Path string
	// Port is the backend port; 0 when the configuration does not say.
	Port uint16
	// Kind is the proxy kind ("traefik", "nginx-proxy",
	// "caddy-docker-proxy"); Name the traefik router name ("" otherwise).
	Kind, Name string
	// Position is where the route is configured, as file:line:col.
	Position string
	// State is the simulator's verdict on the proxied hop.
	State RouteState
	// Verdict is the hop's verdict code ("delivered",
	// "dropped-isolation", ...; "" when not evaluated).
	Verdict string
	// Rule names what blocks a blocked hop (rule-book IDs).
	Rule string
	// Reason is a short explanation of a blocked or unevaluated hop.
	Reason string
}

// RouteState is how the simulator sees a route's proxied hop.
type RouteState int

// The route states. RouteUnknown is the zero value.
const (
	// RouteUnknown: not evaluated (the backend has no network address).
	RouteUnknown RouteState = iota
	// RouteOK: the proxy reaches the backend on the route's port.
	RouteOK
	// RouteBlocked: the proxy cannot reach the backend (drawn like a
	// blocked flow).
	RouteBlocked
)

// Match is the rule as a picture shows it: the hosts joined by ","
// ("*" for any host) followed by the path, e.g. "api.example.com/v1".
func (r Route) Match() string {
	h := "*"
	if len(r.Hosts) > 0 {
		h = strings.Join(r.Hosts, ",")
	}
	return h + r.Path
}

// PortText is ":8080", or ":?" when the port is unknown.
func (r Route) PortText() string {
	if r.Port == 0 {
		return ":?"
	}
	return fmt.Sprintf(":%d", r.Port)
}

// RouteView is a Route resolved against the drawn nodes.
type RouteView struct {
	Route Route
	// Index is the position in Options.Routes (stable element IDs).
	Index int
	// FromID and ToID are the proxy's and the backend's node IDs.
	FromID, ToID string
	// Repeat is true when an earlier drawn route goes to the same backend
	// with the same rule, port and state (several proxies serving one
	// site): pictures draw its edge without a label, so that one label
	// stands for all of them instead of a stack of identical ones.
	Repeat bool
}

// maxLabelWidth is the width in characters past which a route label
// breaks between hosts.
const maxLabelWidth = 32

// maxLabelHosts is the number of label lines of hosts; further hosts are
// counted ("+3 more").
const maxLabelHosts = 4

// Lines returns the label of the route edge, one string per line: the
// hosts joined by "," (a new line past about 32 characters, at most four
// lines, the rest counted as "+N more"), the path, then arrow and the port:
// "api.example.com/v1 → :8080". The path and port go on a line of their own
// when they do not fit after the hosts.
func (r RouteView) Lines(arrow string) []string {
	hosts := r.Route.Hosts
	if len(hosts) == 0 {
		hosts = []string{"*"}
	}
	var lines []string
	cur, shown := "", 0
	for _, h := range hosts {
		if cur != "" && width(cur)+1+width(h) > maxLabelWidth {
			if len(lines) == maxLabelHosts-1 {
				break
			}
			lines = append(lines, cur+",")
			cur = ""
		}
		if cur != "" {
			cur += ","
		}
		cur += h
		shown++
	}
	if shown < len(hosts) {
		cur += fmt.Sprintf(", +%d more", len(hosts)-shown)
	}
	lines = append(lines, cur)
	last := &lines[len(lines)-1]
	path, port := r.Route.Path, arrow+" "+r.Route.PortText()
	switch {
	case width(*last)+width(path)+1+width(port) <= maxLabelWidth:
		*last += path + " " + port
	case len(hosts) == 1:
		*last += path
		lines = append(lines, port)
	default:
		lines = append(lines, strings.TrimSpace(path+" "+port))
	}
	return lines
}

func width(s string) int { return utf8.RuneCountInString(s) }

// Label is Lines joined by sep.
func (r RouteView) Label(arrow, sep string) string { return strings.Join(r.Lines(arrow), sep) }

// routes resolves the routes whose proxy and backend are both drawn, in
// Options.Routes order, and marks repeats (see RouteView.Repeat).
func (b *builder) routes(rs []Route) {
	v := b.v
	seen := map[string]bool{}
	ctr := map[string]bool{}
	for _, c := range v.Containers {
		ctr[c.ID] = true
	}
	for i, r := range rs {
		// Both ends must be drawn containers (a name may also be a
		// network's, or an upstream outside the project).
		from, to := v.nodes[r.Proxy], v.nodes[r.Backend]
		if !ctr[from] || !ctr[to] {
			v.RoutesNotDrawn++
			continue
		}
		key := fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", to, r.Match(), r.Port, r.State, r.Verdict)
		v.Routes = append(v.Routes, RouteView{Route: r, Index: i, FromID: from, ToID: to, Repeat: seen[key]})
		seen[key] = true
		switch r.State {
		case RouteOK:
			v.HasRouteOK = true
		case RouteBlocked:
			v.HasRouteBlocked = true
		default:
			v.HasRouteUnknown = true
		}
	}
}

// Short is Match in at most about w characters: the hosts that fit, the
// others counted ("a.example,b.example,+3 more/api"), then the path.
func (r Route) Short(w int) string {
	if width(r.Match()) <= w || len(r.Hosts) < 2 {
		return r.Match()
	}
	s := r.Hosts[0]
	n := 1
	for ; n < len(r.Hosts); n++ {
		more := fmt.Sprintf(",+%d more", len(r.Hosts)-n-1)
		if n == len(r.Hosts)-1 {
			more = ""
		}
		if width(s)+1+width(r.Hosts[n])+width(more)+width(r.Path) > w {
			break
		}
		s += "," + r.Hosts[n]
	}
	if n < len(r.Hosts) {
		s += fmt.Sprintf(",+%d more", len(r.Hosts)-n)
	}
	return s + r.Path
}
