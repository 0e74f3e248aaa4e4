package review

import (
	"fmt"
	"strings"
	"testing"
)

func routeLines(t *testing.T, compose string) []string {
	t.Helper()
	var out []string
	for _, r := range Routes(loadInline(t, t.TempDir(), compose)) {
		out = append(out, fmt.Sprintf("%d:%d %s %s->%s:%d %s tls=%v name=%s net=%s ep=%s",
			r.Pos.Line, r.Pos.Col, r.Kind, r.Proxy, r.Backend, r.Port, r.Target(), r.TLS, r.Name, r.Network, strings.Join(r.EntryPoints, ",")))
	}
	return out
}

// TestRoutes reads routes from real label and environment sets: traefik
// (list and mapping labels, exposedByDefault, traefik.enable=false, the
// router's service, the provider's default network), nginx-proxy with
// acme-companion, and caddy-docker-proxy.
func TestRoutes(t *testing.T) {
	tests := []struct {
		name    string
		compose string
		want    []string
	}{
		{"traefik", `
services:
  traefik:
    image: traefik:v3.1
    command:
      - --providers.docker.exposedByDefault=false
      - --providers.docker.network=edge
    networks: [edge]
  api:
    image: example/api
    labels:
      - traefik.enable=true
      - traefik.http.routers.api.rule=Host(` + "`api.example.com`" + `) && PathPrefix(` + "`/v1`" + `)
      - traefik.http.routers.api.entrypoints=web,websecure
      - traefik.http.routers.api.tls=true
      - traefik.http.services.api.loadbalancer.server.port=8080
    networks: [edge]
  two:
    image: example/two
    labels:
      traefik.enable: "true"
      traefik.docker.network: custom
      traefik.http.routers.a.rule: Host(` + "`a.example`, `b.example`" + `)
      traefik.http.routers.a.service: sa
      traefik.http.routers.b.rule: PathPrefix(` + "`/b`" + `)
      traefik.http.routers.b.service: sb
      traefik.http.services.sa.loadbalancer.server.port: "81"
      traefik.http.services.sb.loadbalancer.server.port: "82"
    networks: [edge]
  notenabled:
    image: example/x
    labels:
      traefik.http.routers.x.rule: Host(` + "`x.example`" + `)
  disabled:
    image: example/y
    labels:
      traefik.enable: "false"
      traefik.http.routers.y.rule: Host(` + "`y.example`" + `)
networks:
  edge:
`, []string{
			"13:9 traefik traefik->api:8080 api.example.com/v1 tls=true name=api net=edge ep=web,websecure",
			"23:7 traefik traefik->two:81 a.example,b.example tls=false name=a net=custom ep=",
			"25:7 traefik traefik->two:82 */b tls=false name=b net=custom ep=",
		}},
		{"traefik exposed by default", `
services:
  proxy:
    image: docker.io/library/traefik@sha256:0000000000000000000000000000000000000000000000000000000000000000
  web:
    image: nginx
    labels:
      traefik.http.routers.web.rule: Host(` + "`web.example`" + `)
      traefik.http.routers.web.tls.certresolver: le
  off:
    image: nginx
    labels:
      traefik.enable: "false"
      traefik.http.routers.off.rule: Host(` + "`off.example`" + `)
`, []string{
			"8:7 traefik proxy->web:0 web.example tls=true name=web net= ep=",
		}},
		{"nginx-proxy and acme-companion", `
services:
  proxy:
    image: nginxproxy/nginx-proxy:1.6
  acme:
    image: nginxproxy/acme-companion
  blog:
    image: wordpress
    environment:
      - VIRTUAL_HOST=blog.example.com, www.example.com
      - LETSENCRYPT_HOST=blog.example.com
  api:
    image: example/api
    environment:
      VIRTUAL_HOST: blog.example.com
      VIRTUAL_PATH: /api/
      VIRTUAL_PORT: "9000"
  plain:
    image: example/plain
`, []string{
			"15:7 nginx-proxy proxy->api:9000 blog.example.com/api/ tls=false name= net= ep=",
			"10:9 nginx-proxy proxy->blog:80 blog.example.com,www.example.com tls=true name= net= ep=",
		}},
		{"nginx-proxy port from the only exposed port", `
services:
  proxy:
    image: jwilder/nginx-proxy
  one:
    image: web
    expose: ["81"]
    environment: [VIRTUAL_HOST=one.example]
  two:
    image: web
    expose: ["82", "83"]
    environment: [VIRTUAL_HOST=two.example]
  bad:
    image: web
    environment: [VIRTUAL_HOST=bad.example, VIRTUAL_PORT=abc]
`, []string{
			"15:19 nginx-proxy proxy->bad:0 bad.example tls=false name= net= ep=",
			"8:19 nginx-proxy proxy->one:81 one.example tls=false name= net= ep=",
			"12:19 nginx-proxy proxy->two:80 two.example tls=false name= net= ep=",
		}},
		{"nginx-proxy with a separate nginx container (docker-gen)", `
services:
  nginx:
    image: nginx
    labels: [com.github.nginx-proxy.nginx-proxy.nginx]
  dockergen:
    image: nginxproxy/nginx-proxy:test-dockergen
  web:
    image: web
    environment: [VIRTUAL_HOST=web.example]
`, []string{
			"10:19 nginx-proxy nginx->web:80 web.example tls=false name= net= ep=",
		}},
		{"nginx-proxy docker-gen with NGINX_CONTAINER_LABEL", `
services:
  nginx:
    image: nginx
    labels: [com.example.mine]
  dockergen:
    image: nginxproxy/nginx-proxy:test-dockergen
    environment: [NGINX_CONTAINER_LABEL=com.example.mine]
  web:
    image: web
    environment: [VIRTUAL_HOST=web.example]
`, []string{
			"11:19 nginx-proxy nginx->web:80 web.example tls=false name= net= ep=",
		}},
		{"caddy-docker-proxy", `
services:
  caddy:
    image: lucaslorentz/caddy-docker-proxy:2.9-alpine
  whoami:
    image: traefik/whoami
    labels:
      caddy: whoami.example.com
      caddy.reverse_proxy: "{{upstreams 80}}"
  app:
    image: example/app
    labels:
      caddy: http://app.example.com:8000
      caddy.reverse_proxy: /api/* {{upstreams 8080}}
  site:
    image: example/static
    labels:
      caddy: static.example.com
      caddy.file_server: ""
`, []string{
			"14:7 caddy-docker-proxy caddy->app:8080 app.example.com/api/ tls=false name= net= ep=",
			"9:7 caddy-docker-proxy caddy->whoami:80 whoami.example.com tls=true name= net= ep=",
		}},
		{"no proxy in the project", `
services:
  api:
    image: example/api
    labels:
      traefik.http.routers.api.rule: Host(` + "`api.example.com`" + `)
    environment:
      VIRTUAL_HOST: api.example.com
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantLines(t, routeLines(t, tt.compose), tt.want)
		})
	}
}

// TestLintRoutes: a route the proxy cannot follow is L-ROUTE-UNREACHABLE
// (decided by sim.Reach from the proxy to the backend on the route's
// port); traefik.docker.network naming a network the backend is not on is
// L-ROUTE-NETWORK; L-NET-UNUSED counts routes as use, and judges a proxy
// whose routing is all read from the project like any caller.
func TestLintRoutes(t *testing.T) {
	compose := `
name: shop
services:
  traefik:
    image: traefik:v3.1
    command: [--providers.docker=true, --providers.docker.exposedByDefault=false]
    ports: ["443:443"]
    networks: [proxy, store]
  api:
    image: example/api
    labels:
      traefik.enable: "true"
      traefik.http.routers.api.rule: Host(` + "`api.example.com`" + `)
      traefik.http.services.api.loadbalancer.server.port: "8080"
      traefik.docker.network: shop_proxy
    environment:
      DB_URL: postgres://db:5432/app
    networks: [proxy, store]
  admin:
    image: example/admin
    labels:
      traefik.enable: "true"
      traefik.http.routers.admin.rule: Host(` + "`admin.example.com`" + `)
      traefik.http.services.admin.loadbalancer.server.port: "3000"
      traefik.docker.network: proxy
    networks: [back]
  worker:
    image: example/worker
    environment:
      DB_URL: postgres://db:5432/app
    networks: [proxy, store]
  db:
    image: postgres:16
    networks: [store, back]
networks:
  proxy:
  store:
  back:
    internal: true
`
	got := lintLines(t, compose, CodeRouteUnreachable, CodeRouteNetwork, CodeNetUnused)
	wantLines(t, got, []string{
		"compose.yaml:8:23 info L-NET-UNUSED traefik joins store but nothing uses it: no declared call in either direction, no published port, no depends_on partner and no reverse proxy on it",
		"compose.yaml:23:7 error L-ROUTE-UNREACHABLE traefik router admin (Host(`admin.example.com`)) routes admin.example.com to admin:3000, but traefik -> 172.18.0.2:3000 (admin on shop_back) is dropped-isolation (shop-traefik-1 and shop-admin-1 share no network: silently dropped (timeout))",
		"compose.yaml:25:7 warning L-ROUTE-NETWORK traefik.docker.network=proxy names no network admin joins (its networks: shop_back): traefik falls back to another of its networks, here shop_back",
		"compose.yaml:31:16 info L-NET-UNUSED worker joins proxy but nothing uses it: no declared call in either direction, no published port, no depends_on partner and no reverse proxy on it",
	})
}

// TestLintRouteDesign: L-ROUTE-BYPASS (R8-6: a routed backend published on
// every interface; 127.0.0.1 is fine), L-ROUTE-NO-TLS (a plaintext router
// on a proxy with TLS routers, unless a redirect middleware, a redirected
// entrypoint or an entrypoint with TLS covers it), L-ROUTE-ADMIN (an admin
// UI, a datastore or the traefik dashboard routed without a middleware;
// MinIO's S3 API and routes with a middleware are not findings).
func TestLintRouteDesign(t *testing.T) {
	compose := `
name: p
services:
  traefik:
    image: traefik:v3.1
    command:
      - --providers.docker.exposedByDefault=false
      - --entrypoints.web.address=:80
      - --entrypoints.websecure.address=:443
      - --entrypoints.old.address=:8080
      - --entrypoints.old.http.redirections.entrypoint.to=websecure
      - --entrypoints.tls.address=:8443
      - --entrypoints.tls.http.tls.certresolver=le
    ports: ["80:80", "443:443", "8080:8080", "8443:8443"]
    labels:
      traefik.enable: "true"
      traefik.http.routers.dash.rule: Host(` + "`traefik.example.com`" + `)
      traefik.http.routers.dash.service: api@internal
      traefik.http.routers.dash2.rule: Host(` + "`traefik2.example.com`" + `)
      traefik.http.routers.dash2.service: api@internal
      traefik.http.routers.dash2.middlewares: auth
  app:
    image: example/app
    ports: ["8000:8000", "127.0.0.1:9000:9000"]
    labels:
      traefik.enable: "true"
      traefik.http.routers.app.rule: Host(` + "`app.example.com`" + `)
      traefik.http.routers.app.entrypoints: websecure
      traefik.http.routers.app.tls: "true"
      traefik.http.routers.plain.rule: Host(` + "`plain.example.com`" + `)
      traefik.http.routers.plain.entrypoints: web
      traefik.http.routers.redir.rule: Host(` + "`app.example.com`" + `)
      traefik.http.routers.redir.entrypoints: web
      traefik.http.routers.redir.middlewares: to-https
      traefik.http.middlewares.to-https.redirectscheme.scheme: https
      traefik.http.routers.old.rule: Host(` + "`old.example.com`" + `)
      traefik.http.routers.old.entrypoints: old
      traefik.http.routers.viatls.rule: Host(` + "`viatls.example.com`" + `)
      traefik.http.routers.viatls.entrypoints: tls
      traefik.http.services.app.loadbalancer.server.port: "8000"
  local:
    image: example/local
    ports: ["127.0.0.1:9001:9000"]
    labels:
      traefik.enable: "true"
      traefik.http.routers.local.rule: Host(` + "`local.example.com`" + `)
      traefik.http.routers.local.tls: "true"
      traefik.http.services.local.loadbalancer.server.port: "9000"
  adminer:
    image: adminer:4
    labels:
      traefik.enable: "true"
      traefik.http.routers.adminer.rule: Host(` + "`db.example.com`" + `)
      traefik.http.routers.adminer.tls: "true"
  pma:
    image: phpmyadmin/phpmyadmin
    labels:
      traefik.enable: "true"
      traefik.http.routers.pma.rule: Host(` + "`pma.example.com`" + `)
      traefik.http.routers.pma.tls: "true"
      traefik.http.routers.pma.middlewares: auth
  es:
    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0
    labels:
      traefik.enable: "true"
      traefik.http.routers.es.rule: Host(` + "`es.example.com`" + `)
      traefik.http.routers.es.tls: "true"
      traefik.http.services.es.loadbalancer.server.port: "9200"
  minio:
    image: minio/minio
    labels:
      traefik.enable: "true"
      traefik.http.routers.s3.rule: Host(` + "`s3.example.com`" + `)
      traefik.http.routers.s3.tls: "true"
      traefik.http.services.s3.loadbalancer.server.port: "9000"
`
	got := lintLines(t, compose, CodeRouteBypass, CodeRouteNoTLS, CodeRouteAdmin)
	wantLines(t, got, []string{
		"compose.yaml:17:7 warning L-ROUTE-ADMIN traefik router dash (Host(`traefik.example.com`)) routes the traefik dashboard and API (service api@internal, compose.yaml:18:7) to the internet/LAN through 0.0.0.0:80->80/tcp, [::]:80->80/tcp, with no middleware (no authentication)",
		"compose.yaml:24:13 warning L-ROUTE-BYPASS app is routed by traefik (Host(`app.example.com`), compose.yaml:27:7) and also publishes 0.0.0.0:8000->8000/tcp, [::]:8000->8000/tcp: clients reach it around the proxy, without the proxy's TLS, authentication and rules",
		"compose.yaml:30:7 warning L-ROUTE-NO-TLS traefik router plain serves plain.example.com without TLS, while traefik terminates TLS for other routes (e.g. db.example.com at compose.yaml:53:7) and nothing redirects this one to HTTPS",
		"compose.yaml:53:7 warning L-ROUTE-ADMIN traefik router adminer routes db.example.com to the admin UI Adminer (image adminer:4), reachable from the internet/LAN through 0.0.0.0:80->80/tcp, [::]:80->80/tcp, with no middleware or authentication on the route",
		"compose.yaml:66:7 warning L-ROUTE-ADMIN traefik router es routes es.example.com to the datastore es (image docker.elastic.co/elasticsearch/elasticsearch:8.15.0 is a elasticsearch image), reachable from the internet/LAN through 0.0.0.0:80->80/tcp, [::]:80->80/tcp, with no middleware or authentication on the route",
	})
}
