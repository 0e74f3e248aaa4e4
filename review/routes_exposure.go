package review

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// PublishedRoute is a reverse-proxy route in the exposure report: the
// route as read from the project, whether the internet/LAN reaches its
// proxy through a published port, and the proxied hop's verdict.
type PublishedRoute struct {
	Route
	// Entries are the proxy's entry points the internet/LAN reaches
	// ("0.0.0.0:443 -> traefik:443/tcp"), sorted as the report's entries.
	Entries []string `json:"entries"`
	// Hop is the verdict of proxy -> backend:port (sim.Reach from the
	// proxy's first container to the backend address it uses); empty when
	// the backend has no network address (network_mode: host and similar).
	Hop *sim.Verdict `json:"hop,omitempty"`
	// HopReason explains a hop other than delivered.
	HopReason string `json:"hop_reason,omitempty"`
}

// Published reports whether the route serves the internet/LAN: its proxy
// is reachable from outside and the proxied hop is delivered.
func (p PublishedRoute) Published() bool {
	return len(p.Entries) > 0 && p.Hop != nil && *p.Hop == sim.Delivered
}

// publishedRoutes evaluates every route for the exposure report.
func publishedRoutes(t *topology.Topology, s *sim.Sim, entries []Entry) []PublishedRoute {
	out := []PublishedRoute{}
	for _, h := range RouteHops(t, s) {
		pr := PublishedRoute{Route: h.Route, Entries: []string{}}
		for _, en := range entries {
			if en.Service == h.Route.Proxy && en.Exposed() {
				pr.Entries = append(pr.Entries, en.Label())
			}
		}
		if h.Evaluated {
			v := h.Result.Verdict
			pr.Hop = &v
			if !h.Result.Reachable {
				pr.HopReason = h.Result.Reason
			}
		}
		out = append(out, pr)
	}
	return out
}

// writeRoutesText writes the PUBLISHED THROUGH REVERSE PROXIES section.
func writeRoutesText(w io.Writer, r *ExposureReport) {
	if len(r.Routes) == 0 {
		return
	}
	fmt.Fprintf(w, "\nPUBLISHED THROUGH REVERSE PROXIES (routes read from configuration, not probed)\n")
	width := 0
	for _, pr := range r.Routes {
		width = max(width, len(routeTarget(pr)))
	}
	for _, pr := range r.Routes {
		tls := "http "
		switch {
		case pr.Protocol != "" && pr.TLS:
			tls = "tls  " // a TCP router with TLS (terminated or passed through)
		case pr.Protocol != "":
			tls = fmt.Sprintf("%-5s", pr.Protocol)
		case pr.TLS:
			tls = "https"
		}
		who := "internet/LAN"
		switch {
		case len(pr.Entries) == 0:
			who = "not published"
		case pr.Unresolved != "":
			who = "not resolved"
		case !pr.Published():
			who = "broken route"
		}
		fmt.Fprintf(w, "  %-13s  %s  %-*s  %s\n", who, tls, width, termsafe.Escape(routeTarget(pr)), orDash(termsafe.Escape(pr.Position)))
		backend := pr.Backend
		if backend == "" {
			backend = pr.Upstream
		}
		if pr.Port != 0 {
			backend += ":" + strconv.Itoa(int(pr.Port))
		} else {
			backend += " (port unknown: not configured, or not a port number; the image's EXPOSE is not read)"
		}
		if pr.Upstream != "" && pr.Backend != "" && !strings.EqualFold(pr.Upstream, pr.Backend) {
			backend += " (as " + pr.Upstream + ")"
		}
		if pr.Upstream != "" && pr.Backend == "" {
			backend += " (no service of this project)"
		}
		hop := "no network address"
		if pr.Unresolved != "" {
			backend, hop = "?", pr.Unresolved
		}
		if pr.Hop != nil {
			hop = pr.Hop.String()
			if pr.HopReason != "" {
				hop += " (" + pr.HopReason + ")"
			}
		}
		fmt.Fprintf(w, "      %s -> %s: %s\n", pr.Proxy, backend, hop)
		if len(pr.Entries) == 0 {
			fmt.Fprintf(w, "      the internet/LAN reaches no published port of %s\n", pr.Proxy)
		} else {
			fmt.Fprintf(w, "      via %s\n", strings.Join(pr.Entries, ", "))
		}
	}
}

// routeTarget is "HOST[PATH] (kind[ router NAME])".
func routeTarget(pr PublishedRoute) string {
	return pr.Target() + "  (" + routeKindName(pr.Route) + ")"
}

// routeKindName is "traefik router NAME", "haproxy backend NAME" or the
// kind alone.
func routeKindName(r Route) string {
	switch {
	case r.Name == "":
		return r.Kind
	case r.Kind == ProxyHAProxy:
		return r.Kind + " backend " + r.Name
	case r.Protocol != "":
		return r.Kind + " " + r.Protocol + " router " + r.Name
	}
	return r.Kind + " router " + r.Name
}
