package render_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
)

func names[T any](xs []T, f func(T) string) string {
	var s []string
	for _, x := range xs {
		s = append(s, f(x))
	}
	return strings.Join(s, " ")
}

func TestBuildOrderAndIDs(t *testing.T) {
	v, err := render.Build(fixture.ECommerce(), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(v.Networks, func(n *render.NetView) string { return n.ID }); got != "n_shop_backend_network n_shop_frontend_network" {
		t.Errorf("networks %s", got)
	}
	if got := names(v.Containers, func(c *render.ContainerView) string { return c.Name() }); got != "api-gateway order-service payment-service postgres-db product-service user-service" {
		t.Errorf("containers %s", got)
	}
	back := v.Networks[0]
	if got := names(back.Members, func(m render.Member) string { return m.Addr.String() + "=" + m.C.Name() }); got != "172.18.0.2=postgres-db 172.18.0.3=payment-service 172.18.0.4=product-service 172.18.0.5=user-service 172.18.0.6=order-service" {
		t.Errorf("backend members %s", got)
	}
	// Home: only single-network containers live inside a network.
	if got := names(back.Home, func(c *render.ContainerView) string { return c.Name() }); got != "postgres-db" {
		t.Errorf("backend home %s", got)
	}
	// Ports sorted by host port.
	if got := names(v.Ports, func(p render.PortView) string { return p.Label("->") }); !strings.HasPrefix(got, "0.0.0.0:80 -> gateway:80/tcp 0.0.0.0:3001 -> user-service:3001/tcp") {
		t.Errorf("ports %s", got)
	}
	for name, id := range map[string]string{
		"user-service": "c_user_service", "database": "c_postgres_db", "shop_backend-network": "n_shop_backend_network_gw",
		"backend-network": "n_shop_backend_network_gw", "host": "host", "internet": "internet", "nope": "",
	} {
		if got := v.NodeID(name); got != id {
			t.Errorf("NodeID(%q) = %q, want %q", name, got, id)
		}
	}
}

func TestSanitizeCollisions(t *testing.T) {
	b := fixture.New("p").Net("a-b", "10.0.0.0/24").Net("a_b", "10.0.1.0/24").
		Svc("x", "x.y", "", 1, []string{"a-b"}).Svc("x2", "x-y", "", 1, []string{"a_b"})
	v, err := render.Build(b.Topology(), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(v.Networks, func(n *render.NetView) string { return n.ID }); got != "n_p_a_b n_p_a_b_2" {
		t.Errorf("network IDs %s", got)
	}
	if got := names(v.Containers, func(c *render.ContainerView) string { return c.ID }); got != "c_x_y c_x_y_2" {
		t.Errorf("container IDs %s", got)
	}
}

// TestLayers: the production example layers public-tier first, the tiers
// behind the services next, payment-db-tier (behind payment-service, which
// is only on app-tier) last.
func TestLayers(t *testing.T) {
	v, err := render.Build(fixture.Production(), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	depth := map[string]int{}
	for _, n := range v.Networks {
		depth[n.Net.Key] = n.Depth
	}
	want := map[string]int{"public-tier": 0, "app-tier": 1, "cache-tier": 1, "message-tier": 1, "order-db-tier": 1,
		"product-db-tier": 1, "search-tier": 1, "user-db-tier": 1, "payment-db-tier": 2}
	for k, d := range want {
		if depth[k] != d {
			t.Errorf("depth(%s) = %d, want %d", k, depth[k], d)
		}
	}
	for _, c := range v.Containers {
		if c.C.Service != "user-service" {
			continue
		}
		for _, n := range c.NetNet {
			if above := c.Above(n); above != (n.Net.Key == "public-tier") {
				t.Errorf("%s above %s = %v", c.Name(), n.Name(), above)
			}
		}
	}
}

func TestFocus(t *testing.T) {
	v, err := render.Build(fixture.ECommerce(), render.Options{Focus: "database"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(v.Networks, func(n *render.NetView) string { return n.Name() }); got != "shop_backend-network" {
		t.Errorf("networks %s", got)
	}
	if got := names(v.Containers, func(c *render.ContainerView) string { return c.Name() }); got != "order-service payment-service postgres-db product-service user-service" {
		t.Errorf("containers %s (api-gateway shares no network with the database)", got)
	}
	for _, c := range v.Containers {
		if len(c.Nets) != 1 {
			t.Errorf("%s keeps %d networks, want only the focused one", c.Name(), len(c.Nets))
		}
	}
	// A sidecar follows its provider into the picture.
	v, err = render.Build(fixture.Modes(), render.Options{Focus: "db"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(v.Containers, func(c *render.ContainerView) string { return c.Name() }); got != "modes-api-1 modes-db-1 modes-sidecar-1" {
		t.Errorf("modes focus db: %s", got)
	}
	if _, err := render.Build(fixture.ECommerce(), render.Options{Focus: "nosuch"}); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown focus: err = %v", err)
	}
}

func TestHidePortsKeepsLayout(t *testing.T) {
	a, _ := render.Build(fixture.ECommerce(), render.Options{})
	b, _ := render.Build(fixture.ECommerce(), render.Options{HidePorts: true})
	if len(b.Ports) != 0 || len(a.Ports) != 6 {
		t.Fatalf("ports %d / %d", len(a.Ports), len(b.Ports))
	}
	for i := range a.Containers {
		for _, n := range a.Containers[i].NetNet {
			m := b.Networks[0]
			if n.Name() != m.Name() {
				m = b.Networks[1]
			}
			if a.Containers[i].Above(n) != b.Containers[i].Above(m) {
				t.Errorf("%s: layering changed with hidden ports", a.Containers[i].Name())
			}
		}
	}
}

func TestReach(t *testing.T) {
	v, _ := render.Build(fixture.ECommerce(), render.Options{ReachableFrom: "gateway", Reach: fixture.ReachFromGateway()})
	want := map[string]render.ReachState{"api-gateway": render.ReachSource, "postgres-db": render.ReachNo, "user-service": render.ReachYes}
	for _, c := range v.Containers {
		if w, ok := want[c.Name()]; ok && c.Reach != w {
			t.Errorf("%s reach %v, want %v", c.Name(), c.Reach, w)
		}
	}
	if v.Networks[0].Reach != render.ReachNo || v.Networks[1].Reach != render.ReachYes || v.Host.Reach != render.ReachYes {
		t.Errorf("network/host reach %v %v %v", v.Networks[0].Reach, v.Networks[1].Reach, v.Host.Reach)
	}
	plain, _ := render.Build(fixture.ECommerce(), render.Options{Reach: fixture.ReachFromGateway()})
	if plain.From != "" || plain.Containers[0].Reach != render.ReachUnknown {
		t.Error("Reach without ReachableFrom coloured the picture")
	}
}

func TestFlowSteps(t *testing.T) {
	extraHop := fixture.GatewayToDB()
	extraHop.Hops = append(extraHop.Hops[:1:1], append([]render.Hop{{Node: "user-service", Label: "connect", LatencyMS: 0.002}}, extraHop.Hops[1:]...)...)
	blockedNoAt := render.Flow{From: "user-service", To: "example.com", Hops: []render.Hop{
		{Node: "user-service", Label: "route"}, {Node: "shop_backend-network"}, {Node: "example.com", Label: "?"}}}
	v, err := render.Build(fixture.ECommerce(), render.Options{Highlights: []render.Flow{extraHop, fixture.GatewayBlocked(), blockedNoAt}})
	if err != nil {
		t.Fatal(err)
	}
	f := v.Flows[0]
	if len(f.Steps) != 2 {
		t.Fatalf("steps %+v", f.Steps)
	}
	s := f.Steps[0]
	if s.FromID != "c_user_service" || s.ToID != "n_shop_backend_network_gw" ||
		strings.Join(s.Labels, "|") != "DNS database -> 172.18.0.2|connect|bridge (icc on)" || s.LatencyMS < 0.1049 || s.LatencyMS > 0.1051 {
		t.Errorf("first step merges the hops in the source: %+v", s)
	}
	if f.BlockedID != "" {
		t.Error("reachable flow has a blocked node")
	}
	b := v.Flows[1]
	if len(b.Steps) != 1 || b.Steps[0].FromID != "c_api_gateway" || b.Steps[0].ToID != "n_shop_frontend_network_gw" || b.BlockedID != "n_shop_frontend_network_gw" {
		t.Errorf("blocked flow %+v", b)
	}
	x := v.Flows[2]
	if x.BlockedID != "x_example_com" || len(v.Extra) != 1 || v.Extra[0].Name != "example.com" {
		t.Errorf("unknown node: blocked %q extra %+v", x.BlockedID, v.Extra)
	}
}

func TestFormatMS(t *testing.T) {
	for ms, want := range map[float64]string{0: "0 ms", 0.002: "0.002 ms", 0.0005: "0.0005 ms", 0.106: "0.106 ms", 0.1: "0.1 ms", 20.512: "20.51 ms", 20: "20 ms"} {
		if got := render.FormatMS(ms); got != want {
			t.Errorf("FormatMS(%v) = %q, want %q", ms, got, want)
		}
	}
}

// TestTitle: pictures show the service name users type, and the engine
// name beside it when it says more (R1-4 default names do not).
func TestTitle(t *testing.T) {
	b := fixture.New("p").Net("n", "10.0.0.0/24").
		Svc("web", "", "nginx", 1, []string{"n"}).
		Svc("gateway", "api-gateway", "nginx", 1, []string{"n"}).
		Svc("worker", "", "w", 2, []string{"n"}).
		Svc("same", "same", "x", 1, []string{"n"})
	v, err := render.Build(b.Topology(), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := names(v.Containers, func(c *render.ContainerView) string { return c.Title(" · ") })
	if want := "gateway · api-gateway web worker · p-worker-1 worker · p-worker-2 same"; !strings.Contains(got, "gateway · api-gateway") ||
		!strings.Contains(got, "worker · p-worker-1") || !strings.Contains(got, "worker · p-worker-2") || strings.Contains(got, "p-web-1") || strings.Contains(got, "same · same") {
		t.Errorf("titles %q, want %q (in name order)", got, want)
	}
}

// TestRouteLabels: a route's edge label keeps the rule on one line when it
// fits, breaks between hosts when it does not, counts hosts past four
// lines, and puts the port on a line of its own after a long single host.
func TestRouteLabels(t *testing.T) {
	many := []string{"www.example.com", "example.com", "shop.example.com", "static.example.com",
		"cdn.example.com", "images.example.com", "media.example.com", "assets.example.com"}
	for _, tc := range []struct {
		name string
		r    render.Route
		want string
	}{
		{"host and path", render.Route{Hosts: []string{"api.example.com"}, Path: "/v1", Port: 8080}, "api.example.com/v1 → :8080"},
		{"any host, unknown port", render.Route{}, "* → :?"},
		{"two hosts fit", render.Route{Hosts: []string{"blog.example.com", "www.example.com"}, Port: 80}, "blog.example.com,www.example.com|→ :80"},
		{"two hosts and a path", render.Route{Hosts: []string{"a.example", "b.example"}, Path: "/api/", Port: 9000}, "a.example,b.example/api/ → :9000"},
		{"long single host", render.Route{Hosts: []string{"very-long-service-name.internal.example.org"}, Path: "/x", Port: 443}, "very-long-service-name.internal.example.org/x|→ :443"},
		{"many hosts counted", render.Route{Hosts: many, Port: 80}, "www.example.com,example.com,|shop.example.com,|static.example.com,|cdn.example.com, +3 more → :80"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (render.RouteView{Route: tc.r}).Label("→", "|"); got != tc.want {
				t.Errorf("label %q, want %q", got, tc.want)
			}
		})
	}
	if got := (render.Route{Hosts: many, Path: "/p"}).Short(40); got != "www.example.com,example.com,+6 more/p" {
		t.Errorf("Short(40) = %q", got)
	}
	if got := (render.Route{Hosts: many[:2]}).Short(40); got != "www.example.com,example.com" {
		t.Errorf("Short of a fitting rule = %q", got)
	}
}

// TestBuildRoutes: routes resolve to the proxy's and the backend's nodes in
// the caller's order with their index; a focus that leaves the proxy out
// leaves its routes out; the legend flags follow the states drawn.
func TestBuildRoutes(t *testing.T) {
	v, err := render.Build(fixture.Proxy(), render.Options{Routes: fixture.ProxyRoutes()})
	if err != nil {
		t.Fatal(err)
	}
	got := names(v.Routes, func(r render.RouteView) string { return fmt.Sprintf("%d:%s->%s", r.Index, r.FromID, r.ToID) })
	if want := "0:c_edge_traefik_1->c_edge_admin_1 1:c_edge_traefik_1->c_edge_api_1 2:c_edge_traefik_1->c_edge_metrics_1 3:c_edge_traefik_1->c_edge_web_1"; got != want {
		t.Errorf("routes %s, want %s", got, want)
	}
	if !v.HasRouteOK || !v.HasRouteBlocked || !v.HasRouteUnknown {
		t.Errorf("legend flags ok=%t blocked=%t unknown=%t, want all", v.HasRouteOK, v.HasRouteBlocked, v.HasRouteUnknown)
	}
	v, err = render.Build(fixture.Proxy(), render.Options{Routes: fixture.ProxyRoutes(), Focus: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Routes) != 0 || v.HasRouteBlocked {
		t.Errorf("focus admin (traefik not drawn): %d routes drawn", len(v.Routes))
	}
	v, err = render.Build(fixture.Proxy(), render.Options{Routes: fixture.ProxyRoutes(), Focus: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(v.Routes, func(r render.RouteView) string { return r.Route.Backend }); got != "admin api web" {
		t.Errorf("focus api: routes to %q, want admin api web (not metrics: host mode shares no network with api)", got)
	}
}

// TestRouteRepeats: several proxies serving one rule on one backend draw
// one label; a different rule, port or verdict is not a repeat.
func TestRouteRepeats(t *testing.T) {
	top := fixture.New("p").Net("n", "10.0.0.0/24").
		Svc("a", "", "nginxproxy/nginx-proxy", 1, []string{"n"}).Svc("b", "", "nginxproxy/nginx-proxy", 1, []string{"n"}).
		Svc("web", "", "web", 1, []string{"n"}).Topology()
	r := func(proxy, host string, port uint16, st render.RouteState) render.Route {
		return render.Route{Proxy: proxy, Backend: "web", Hosts: []string{host}, Port: port, State: st}
	}
	v, err := render.Build(top, render.Options{Routes: []render.Route{
		r("a", "w.example", 80, render.RouteOK), r("b", "w.example", 80, render.RouteOK),
		r("b", "w.example", 81, render.RouteOK), r("b", "x.example", 80, render.RouteOK), r("a", "w.example", 80, render.RouteBlocked),
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := names(v.Routes, func(r render.RouteView) string { return fmt.Sprint(r.Repeat) })
	if want := "false true false false false"; got != want {
		t.Errorf("repeats %s, want %s", got, want)
	}
}
