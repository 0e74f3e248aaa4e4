package review

import "github.com/composenet/composenet/topology"

// Reverse-proxy routes (issue 17) are read by package topology
// (topology/routes.go, and proxyconf.go for mounted nginx/haproxy files)
// so that sim and scenarios can follow them too; review lints them and
// lists them in the exposure report.

// Route is one reverse-proxy route (see topology.Route).
type Route = topology.Route

// Proxy kinds (see topology).
const (
	ProxyTraefik    = topology.ProxyTraefik
	ProxyNginxProxy = topology.ProxyNginxProxy
	ProxyCaddy      = topology.ProxyCaddy
	ProxyNginx      = topology.ProxyNginx
	ProxyHAProxy    = topology.ProxyHAProxy
)

// Routes reads the reverse-proxy routes of the project, sorted by proxy,
// backend, then position (topology.Topology.Routes).
func Routes(t *topology.Topology) []Route { return t.Routes() }
