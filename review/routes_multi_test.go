package review

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// loadHost writes each project under its own folder and loads them onto
// one host in the order given (topology.LoadProjects: the last is the
// main project).
func loadHost(t *testing.T, projects ...[2]string) *topology.Topology {
	t.Helper()
	dir := t.TempDir()
	var with []string
	for i, p := range projects {
		if err := os.MkdirAll(filepath.Join(dir, p[0]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p[0], "compose.yaml"), []byte(p[1]), 0o644); err != nil {
			t.Fatal(err)
		}
		if i < len(projects)-1 {
			with = append(with, p[0])
		}
	}
	main := topology.Options{Dir: dir, Env: []string{}, Files: []string{filepath.Join(projects[len(projects)-1][0], "compose.yaml")}}
	tp, err := topology.LoadProjects(context.Background(), main, with, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// TestRoutesAcrossProjects: a proxy project with an external network and
// app projects joining it; the routes are read from the app projects'
// labels and environment and the proxied hop is simulated on the shared
// host (R2-5: the external network is the proxy project's).
func TestRoutesAcrossProjects(t *testing.T) {
	traefik := `name: edge
services:
  traefik:
    image: traefik:v3.1
    command: [--providers.docker.exposedByDefault=false, --providers.docker.network=web]
    ports: ["80:80"]
    networks: [web]
networks:
  web: {name: web}
`
	nginxProxy := `name: edge
services:
  proxy:
    image: nginxproxy/nginx-proxy:1.6
    ports: ["80:80"]
    volumes: ["/var/run/docker.sock:/tmp/docker.sock:ro"]
    networks: [web]
networks:
  web: {name: web}
`
	tests := []struct {
		name     string
		projects [][2]string
		want     []string
	}{
		{"traefik project routes to an app project", [][2]string{{"edge", traefik}, {"shop", `name: shop
services:
  front:
    image: example/front
    labels:
      traefik.enable: "true"
      traefik.http.routers.front.rule: Host(` + "`shop.example.com`" + `)
      traefik.http.services.front.loadbalancer.server.port: "3000"
    networks: [web, default]
  db:
    image: postgres
networks:
  web: {external: true}
`}}, []string{"edge/traefik->shop/front:3000 shop.example.com delivered on web"}},
		{"R7-2 traefik routes to a backend only on the app's own network", [][2]string{{"edge", traefik}, {"shop", `name: shop
services:
  admin:
    image: example/admin
    labels:
      traefik.enable: "true"
      traefik.http.routers.admin.rule: Host(` + "`admin.example.com`" + `)
      traefik.http.services.admin.loadbalancer.server.port: "8080"
`}}, []string{"edge/traefik->shop/admin:8080 admin.example.com dropped-isolation on shop_default"}},
		{"nginx-proxy project with VIRTUAL_HOST in two app projects", [][2]string{{"edge", nginxProxy}, {"blog", `name: blog
services:
  wordpress:
    image: wordpress
    environment: {VIRTUAL_HOST: blog.example.com}
    networks: [web]
networks:
  web: {external: true}
`}, {"shop", `name: shop
services:
  front:
    image: example/front
    environment: {VIRTUAL_HOST: shop.example.com, VIRTUAL_PORT: "3000"}
    networks: [web]
networks:
  web: {external: true}
`}}, []string{
			"edge/proxy->blog/wordpress:80 blog.example.com delivered on web",
			"edge/proxy->shop/front:3000 shop.example.com delivered on web",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp := loadHost(t, tc.projects...)
			var got []string
			for _, h := range RouteHops(tp, sim.New(tp)) {
				net := "-"
				if h.Endpoint != nil {
					net = h.Endpoint.Network.Name
				}
				got = append(got, fmt.Sprintf("%s->%s:%d %s %s on %s", h.Route.Proxy, h.Route.Backend, h.Route.Port, h.Route.Target(), h.Result.Verdict, net))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("route hops:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
