package loader

import (
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

func warnings(top *topology.Topology, code string) []string {
	var ws []string
	for _, w := range top.Warnings {
		if w.Code == code {
			ws = append(ws, w.Pos.String()+" "+w.Message)
		}
	}
	return ws
}

// TestTraefikStaticAndFileProvider: a mounted /etc/traefik/traefik.yml is
// the static configuration (entrypoints with their ports and TLS, the
// docker provider's exposedByDefault and network, the file provider); the
// command's flags are then ignored (W-PROXY-CONFIG says so); the file
// provider's directory gives http, tcp and udp routes (one per server,
// weighted services followed, https default port, middlewares with their
// kind), positioned at the server's url/address line; a TOML file in the
// directory is a warning; labels still give routes through the docker
// provider with the static file's settings.
func TestTraefikStaticAndFileProvider(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  traefik:
    image: traefik:v3.1
    command: ["--providers.docker.exposedByDefault=true", "--log.level=DEBUG"]
    ports: ["80:80", "443:443", "5432:5432", "53:53/udp"]
    volumes:
      - ./traefik.yml:/etc/traefik/traefik.yml:ro
      - ./dynamic:/etc/traefik/dynamic:ro
  web:
    image: example/web
    labels:
      traefik.enable: "true"
      traefik.http.routers.web.rule: Host(` + "`www.example.com`" + `)
      traefik.http.routers.web.entrypoints: websecure
      traefik.http.services.web.loadbalancer.server.port: "8080"
  hidden:
    image: example/hidden
    labels:
      traefik.http.routers.hidden.rule: Host(` + "`hidden.example.com`" + `)
  api:
    image: example/api
  db:
    image: postgres:16
  dns:
    image: coredns/coredns
`,
		"traefik.yml": `entryPoints:
  web:
    address: ":80"
    http:
      redirections:
        entryPoint: {to: websecure, scheme: https}
  websecure:
    address: ":443"
    http:
      tls: {}
  pg:
    address: ":5432"
  dns:
    address: ":53/udp"
providers:
  docker:
    exposedByDefault: false
    network: proxy
  file:
    directory: /etc/traefik/dynamic
`,
		"dynamic/http.yml": `http:
  routers:
    api:
      rule: Host(` + "`api.example.com`" + `) && PathPrefix(` + "`/v1`" + `)
      entryPoints: [websecure]
      service: api
      middlewares: [auth]
    dash:
      rule: Host(` + "`traefik.example.com`" + `)
      service: api@internal
    other:
      rule: Host(` + "`other.example.com`" + `)
      service: web@docker
  services:
    api:
      weighted:
        services:
          - name: api-v1
          - name: api-v2@file
    api-v1:
      loadBalancer:
        servers:
          - url: "http://api:3000/"
    api-v2:
      loadBalancer:
        servers:
          - url: https://10.0.0.5
  middlewares:
    auth:
      basicAuth:
        users: ["u:p"]
`,
		"dynamic/sub/l4.yaml": `tcp:
  routers:
    pg:
      rule: HostSNI(` + "`*`" + `)
      entryPoints: [pg]
      service: pg
  services:
    pg:
      loadBalancer:
        servers:
          - address: db:5432
udp:
  routers:
    dns:
      entryPoints: [dns]
      service: dns
  services:
    dns:
      loadBalancer:
        servers:
          - address: "dns:53"
`,
		"dynamic/old.toml":  "[http]\n",
		"dynamic/notes.txt": "not read",
	})
	same(t, lines(top), []string{
		"dynamic/http.yml:11:5 traefik traefik->?:0 other.example.com tls=false listen=[80 443 5432] unresolved: service web@docker is defined by another provider (not read here)",
		"dynamic/http.yml:27:18 traefik traefik->10.0.0.5:443 api.example.com/v1 tls=true listen=[443]",
		"dynamic/http.yml:23:18 traefik traefik->api:3000 api.example.com/v1 tls=true listen=[443] backend=api",
		"dynamic/sub/l4.yaml:11:22 traefik traefik->db:5432 * tls=false listen=[5432] backend=db",
		"dynamic/sub/l4.yaml:21:22 traefik traefik->dns:53 * tls=false listen=[53] backend=dns",
		"compose.yaml:14:7 traefik traefik->?:8080 www.example.com tls=true listen=[443] backend=web",
	})
	var protos, mws []string
	for _, r := range top.Routes() {
		protos = append(protos, r.Name+":"+orQ(r.Protocol)+":"+r.Network)
		mws = append(mws, strings.Join(r.Middlewares, ","))
	}
	same(t, protos, []string{"other:?:", "api:?:", "api:?:", "pg:tcp:", "dns:udp:", "web:?:proxy"})
	same(t, mws, []string{"", "auth (basicAuth)", "auth (basicAuth)", "", "", ""})
	p := top.Service("traefik")
	same(t, p.ConfigFiles, []string{"dynamic/http.yml", "dynamic/sub/l4.yaml", "traefik.yml"})
	if !topology.TraefikRedirects(p, "web") || topology.TraefikRedirects(p, "websecure") {
		t.Errorf("redirections: web should redirect, websecure not")
	}
	if topology.RoutingKnown(p) {
		t.Errorf("routing known with a TOML file and a service of another provider")
	}
	same(t, warnings(top, "W-PROXY-CONFIG"), []string{
		"compose.yaml:5:5 traefik reads its static configuration from traefik.yml (mounted at /etc/traefik/traefik.yml), so traefik ignores the command's other flags (--providers.docker.exposedByDefault, --log.level): the three sources of static configuration (file, flags, environment) are exclusive",
		"dynamic/old.toml dynamic/old.toml: TOML is not read (only YAML traefik configuration is); its routes are not known",
	})
}

// TestTraefikConfigFileFlag: --configFile names the static file (relative
// to the working directory); a static TOML file is a warning and no label
// routes are guessed from the command; a file provider given on the
// command (no static file) is read; one not mounted from the project is a
// warning and the routing is not known.
func TestTraefikConfigFileFlag(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  a:
    image: traefik
    working_dir: /conf
    command: --configFile=static.yaml
    volumes: ["./conf:/conf"]
  b:
    image: traefik:2.11
    volumes: ["./traefik.toml:/traefik.toml"]
  c:
    image: traefik:v3
    command: ["--providers.file.filename=/dyn.yml", "--entrypoints.web.address=:8000"]
    volumes: ["./dyn.yml:/dyn.yml"]
  d:
    image: traefik:v3
    command: ["--providers.file.directory=/etc/traefik/dynamic"]
  app:
    image: example/app
`,
		"conf/static.yaml": "entryPoints: {web: {address: ':81'}}\nproviders: {file: {filename: /conf/dyn.yml}, kubernetesCRD: {}}\n",
		"conf/dyn.yml":     "http: {routers: {r: {rule: 'Host(`a.example`)', service: s}}, services: {s: {loadBalancer: {servers: [{url: 'http://app:8080'}]}}}}\n",
		"traefik.toml":     "[entryPoints]\n",
		"dyn.yml":          "http:\n  routers:\n    r:\n      rule: PathPrefix(`/c`)\n      service: s\n  services:\n    s:\n      loadBalancer:\n        servers:\n          - url: http://app\n",
	})
	same(t, lines(top), []string{
		"conf/dyn.yml:1:109 traefik a->app:8080 a.example tls=false listen=[81] backend=app",
		"dyn.yml:10:18 traefik c->app:80 */c tls=false listen=[8000] backend=app",
	})
	for _, c := range []struct {
		svc   string
		known bool
	}{{"a", false}, {"b", false}, {"c", true}, {"d", false}} {
		if got := topology.RoutingKnown(top.Service(c.svc)); got != c.known {
			t.Errorf("%s: routing known %v, want %v", c.svc, got, c.known)
		}
	}
	same(t, warnings(top, "W-PROXY-CONFIG"), []string{
		"compose.yaml:17:5 d: the file provider's /etc/traefik/dynamic is not mounted from the project: its routes are not read",
		"traefik.toml traefik.toml: TOML is not read (only YAML traefik configuration is); the routing it configures is not known",
	})
}

// TestDeployLabels: routing labels under deploy.labels give no route
// under compose and a W-DEPLOY-LABELS warning at the first such label
// (compose puts only labels: on containers); a key repeated under labels:
// with the same value is not reported; with a traefik running the swarm
// provider the message says compose creates no swarm service.
func TestDeployLabels(t *testing.T) {
	for _, c := range []struct {
		cmd, want string
	}{
		{`["--providers.docker=true"]`, ""},
		{`["--providers.swarm.endpoint=unix:///var/run/docker.sock"]`, "; traefik runs traefik's swarm provider, which reads service labels from a swarm manager, but docker compose up creates no swarm service (docker stack deploy does)"},
	} {
		top := loadProject(t, map[string]string{
			"compose.yaml": `
services:
  traefik:
    image: traefik:v3
    command: ` + c.cmd + `
  web:
    image: example/web
    deploy:
      labels:
        - traefik.http.routers.web.rule=Host(` + "`web.example.com`" + `)
        - traefik.http.services.web.loadbalancer.server.port=80
        - com.example.team=web
  both:
    image: example/both
    labels: [traefik.enable=true]
    deploy:
      labels: [traefik.enable=true]
`,
		})
		same(t, lines(top), nil)
		same(t, warnings(top, "W-DEPLOY-LABELS"), []string{
			"compose.yaml:10:11 web: deploy.labels traefik.http.routers.web.rule, traefik.http.services.web.loadbalancer.server.port are swarm service labels: docker compose puts only labels: on the containers, so traefik's docker provider, which reads container labels, never sees them and no route is read from them" + c.want,
		})
	}
}
