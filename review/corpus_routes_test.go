package review

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// TestCorpusRoutes: the routes of real proxy projects of
// topology/testdata/corpus (traefik's own user-guide examples,
// caddy-docker-proxy's example and CI test, awesome-compose's nginx
// gateways with their mounted nginx.conf), each route with its position
// and the simulator's verdict on the proxied hop; and no route finding
// (L-ROUTE-*) on them. Each loads the way the project runs it (the CI
// test's run.sh sets DOCKER_SOCKET_PATH and DOCKER_SOCKET_TYPE).
func TestCorpusRoutes(t *testing.T) {
	root, err := filepath.Abs("../topology/testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		env  []string
		want []string
	}{
		{file: "traefik/basic-example/docker-compose.yml", want: []string{
			"docker-compose.yml:23:9 traefik traefik->whoami:0 whoami.localhost tls=false listen=[80] hop=delivered"}},
		{file: "traefik/acme-http/docker-compose.yml", want: []string{
			"docker-compose.yml:31:9 traefik traefik->whoami:0 whoami.example.com tls=true listen=[443] hop=delivered"}},
		{file: "traefik/acme-tls/docker-compose.yml", want: []string{
			"docker-compose.yml:28:9 traefik traefik->whoami:0 whoami.example.com tls=true listen=[443] hop=delivered"}},
		{file: "traefik/acme-dns/docker-compose.yml", want: []string{
			"docker-compose.yml:36:9 traefik traefik->whoami:0 whoami.example.com tls=true listen=[443] hop=delivered"}},
		{file: "caddy-docker-proxy/examples/standalone.yaml", want: []string{
			"standalone.yaml:71:7 caddy-docker-proxy caddy->whoami2:80 whoami2.example.com tls=true listen=[443] hop=delivered",
			"standalone.yaml:81:7 caddy-docker-proxy caddy->whoami3:80 whoami3.example.com tls=true listen=[443] hop=delivered"}},
		{file: "caddy-docker-proxy/tests/standalone/compose.yaml", env: []string{"DOCKER_SOCKET_PATH=/var/run/docker.sock", "DOCKER_SOCKET_TYPE=bind"}, want: []string{
			// whoami0, whoami1 and echo_0 carry their caddy labels under
			// deploy.labels (swarm service labels), which are not read.
			"compose.yaml:46:7 caddy-docker-proxy caddy->whoami2:80 whoami2.example.com tls=true listen=[443] hop=delivered",
			"compose.yaml:56:7 caddy-docker-proxy caddy->whoami3:80 whoami3.example.com tls=true listen=[443] hop=delivered",
			"compose.yaml:67:7 caddy-docker-proxy caddy->whoami4:80 whoami4.example.com tls=true listen=[443] hop=delivered"}},
		{file: "awesome-compose/nginx-golang/compose.yaml", want: []string{
			"proxy/nginx.conf:4:5 nginx proxy->backend:80 */ tls=false listen=[80] hop=delivered"}},
		{file: "awesome-compose/nginx-golang-mysql/compose.yaml", want: []string{
			"proxy/nginx.conf:5:9 nginx proxy->backend:8000 localhost/ tls=false listen=[80] hop=delivered"}},
		{file: "awesome-compose/traefik-golang/compose.yaml", want: []string{
			"compose.yaml:17:9 traefik frontend->backend:80 */ tls=false listen=[80] hop=delivered"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			dir := filepath.Join(root, filepath.Dir(c.file))
			tp, err := loader.Load(context.Background(), topology.Options{Dir: dir, Files: []string{filepath.Join(root, c.file)}, Env: append([]string{"HOME=/nonexistent"}, c.env...)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range RouteHops(tp, sim.New(tp)) {
				r := h.Route
				got = append(got, fmt.Sprintf("%s %s %s->%s:%d %s tls=%v listen=%v hop=%s", r.Position, r.Kind, r.Proxy, r.Backend, r.Port, r.Target(), r.TLS, r.Listen, h.Result.Verdict))
			}
			wantLines(t, got, c.want)
			for _, f := range Lint(tp) {
				if len(f.Code) > 8 && f.Code[:8] == "L-ROUTE-" {
					t.Errorf("route finding on a working project: %s %s %s", f.Position, f.Code, f.Message)
				}
			}
		})
	}
}
