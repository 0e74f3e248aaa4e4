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

// TestCorpusProxyConfigFiles: routes read from real configuration files
// of topology/testdata/corpus (issue 17): zitadel's reverse-proxy guide
// with a traefik static file that is also its file provider (three TLS
// modes) and with Caddyfiles, and searxng-docker's Caddyfile (a single
// site without braces, its address from {$SEARXNG_HOSTNAME} in the
// compose environment, caddy on the host network proxying to a port
// searxng publishes on 127.0.0.1). zitadel's guide runs one proxy at a
// time (docker compose up proxy-NAME); the test puts the two others in an
// inactive profile, as that command leaves them out. The traefik set-ups
// work; the Caddyfile set-ups of that version of the guide do not: its
// caddy services join no network of zitadel's, which lint reports
// (L-ROUTE-UNREACHABLE, name-not-resolved) and W-DEPENDS-NO-NETWORK
// confirms.
func TestCorpusProxyConfigFiles(t *testing.T) {
	root, err := filepath.Abs("../topology/testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		name   string
		files  []string
		only   string // the zitadel proxy to keep
		want   []string
		errors []string // L-ROUTE-* findings expected
	}
	var cases []tc
	for _, mode := range []string{"disabled", "external", "enabled"} {
		tls := mode != "disabled"
		port, lp := 8080, 80
		if tls {
			lp = 443
		}
		line := map[string]int{"disabled": 20, "external": 21, "enabled": 22}[mode]
		cases = append(cases, tc{name: "zitadel/traefik/" + mode, only: mode,
			files: []string{"zitadel/traefik/docker-compose-base.yaml", "zitadel/traefik/docker-compose-traefik.yaml"},
			want:  []string{fmt.Sprintf("traefik-%s-tls.yaml:%d:18 traefik proxy-%s-tls->zitadel-%s-tls:%d */ tls=%v listen=[%d] hop=delivered", mode, line, mode, mode, port, tls, lp)}})
		cline, ccol, cport := 3, 23, 8080
		if mode == "disabled" {
			cline, ccol = 2, 16
		}
		cases = append(cases, tc{name: "zitadel/caddy/" + mode, only: mode,
			files:  []string{"zitadel/caddy/docker-compose-base.yaml", "zitadel/caddy/docker-compose-caddy.yaml"},
			want:   []string{fmt.Sprintf("%s-tls.Caddyfile:%d:%d caddy proxy-%s-tls->zitadel-%s-tls:%d 127.0.0.1.sslip.io tls=%v listen=[%d] hop=name-not-resolved", mode, cline, ccol, mode, mode, cport, tls, lp)},
			errors: []string{fmt.Sprintf("%s-tls.Caddyfile:%d:%d L-ROUTE-UNREACHABLE fix: attach proxy-%s-tls to network zitadel (docker-compose-base.yaml:142)", mode, cline, ccol, mode)}})
	}
	cases = append(cases, tc{name: "searxng-docker", files: []string{"searxng-docker/docker-compose.yaml"},
		want: []string{"Caddyfile:91:15 caddy caddy->:8080 localhost tls=false listen=[80] hop=delivered"}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var files []string
			for _, f := range c.files {
				files = append(files, filepath.Join(root, f))
			}
			if c.only != "" {
				var b strings.Builder
				b.WriteString("services:\n")
				for _, m := range []string{"disabled", "external", "enabled"} {
					if m != c.only {
						fmt.Fprintf(&b, "  proxy-%s-tls: {profiles: [other]}\n", m)
					}
				}
				only := filepath.Join(t.TempDir(), "only.yaml")
				if err := os.WriteFile(only, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				files = append(files, only)
			}
			tp, err := loader.Load(context.Background(), topology.Options{Dir: filepath.Dir(files[0]), Files: files, Env: []string{"HOME=/nonexistent"}})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range RouteHops(tp, sim.New(tp)) {
				r := h.Route
				got = append(got, fmt.Sprintf("%s %s %s->%s:%d %s tls=%v listen=%v hop=%s", r.Position, r.Kind, r.Proxy, r.Backend, r.Port, r.Target(), r.TLS, r.Listen, h.Result.Verdict))
			}
			wantLines(t, got, c.want)
			var errs []string
			for _, f := range Lint(tp) {
				if strings.HasPrefix(f.Code, "L-ROUTE-") {
					errs = append(errs, fmt.Sprintf("%s %s fix: %s", f.Position, f.Code, f.Fix))
				}
			}
			wantLines(t, errs, c.errors)
		})
	}
}
