package loader

import (
	"strings"
	"testing"
)

// TestCaddyfileRoutes: a mounted /etc/caddy/Caddyfile: global options
// (auto_https off makes a bare host plain HTTP), a snippet imported into a
// site, several addresses per site, named matchers with several paths,
// handle_path / handle / route scopes, reverse_proxy with a matcher,
// several upstreams and a to subdirective, basicauth guarding its scope
// (whatever the text order), {$VAR} and {$VAR:default} from the compose
// environment, an unset {$VAR} upstream (not resolved statically), a
// runtime placeholder, and an import of a file (a warning; not followed).
func TestCaddyfileRoutes(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  caddy:
    image: caddy:2
    ports: ["80:80", "443:443"]
    environment:
      DOMAIN: example.com
      API_PORT: "3000"
    volumes:
      - ./Caddyfile:/etc/caddy/Caddyfile:ro
  api:
    image: example/api
  admin:
    image: example/admin
  web:
    image: example/web
`,
		"Caddyfile": `{
	email ops@example.com
}

(common) {
	encode gzip
	reverse_proxy /health web:8080
}

{$DOMAIN}, www.{$DOMAIN} {
	import common
	@api {
		path /api/* /v2/*
	}
	reverse_proxy @api api:{$API_PORT} api:{$OTHER:3001}
	handle_path /admin/* {
		reverse_proxy admin:9000
		basicauth {
			bob hash
		}
	}
	route /x/* {
		reverse_proxy {
			to http://web:80 https://web
		}
	}
}

http://intranet.example.com:8080 {
	reverse_proxy {$UNSET}:80
	reverse_proxy /dyn/* {http.request.host}:80
	forward_auth /auth/* auth:9091
}

import sites/*.caddy
`,
	})
	same(t, lines(top), []string{
		"Caddyfile:30:16 caddy caddy->?:0 intranet.example.com tls=false listen=[8080] unresolved: reverse_proxy {$UNSET}:80: a {$VAR} not set in the compose environment (the image's ENV is not read)",
		"Caddyfile:31:23 caddy caddy->?:0 intranet.example.com/dyn/ tls=false listen=[8080] unresolved: reverse_proxy {http.request.host}:80: a runtime placeholder, not resolved statically",
		"Caddyfile:17:17 caddy caddy->admin:9000 example.com,www.example.com/admin/ tls=true listen=[443] backend=admin",
		"Caddyfile:15:21 caddy caddy->api:3000 example.com,www.example.com/api/ tls=true listen=[443] backend=api",
		"Caddyfile:15:37 caddy caddy->api:3001 example.com,www.example.com/api/ tls=true listen=[443] backend=api",
		"Caddyfile:15:21 caddy caddy->api:3000 example.com,www.example.com/v2/ tls=true listen=[443] backend=api",
		"Caddyfile:15:37 caddy caddy->api:3001 example.com,www.example.com/v2/ tls=true listen=[443] backend=api",
		"Caddyfile:7:24 caddy caddy->web:8080 example.com,www.example.com/health tls=true listen=[443] backend=web",
		"Caddyfile:24:7 caddy caddy->web:80 example.com,www.example.com/x/ tls=true listen=[443] backend=web",
		"Caddyfile:24:21 caddy caddy->web:443 example.com,www.example.com/x/ tls=true listen=[443] backend=web",
	})
	var mw []string
	for _, r := range top.Routes() {
		mw = append(mw, r.Backend+":"+strings.Join(r.Middlewares, ","))
	}
	same(t, mw, []string{":", ":", "admin:basicauth", "api:", "api:", "api:", "api:", "web:", "web:", "web:"})
	same(t, warnings(top, "W-PROXY-CONFIG"), []string{
		"Caddyfile:35:1 Caddyfile: import sites/*.caddy is not followed (only snippets of the same file are expanded); its routes are not read",
	})
}

// TestCaddyfileBounds: a syntax error keeps what was read before it and
// is a positioned warning; nesting deeper than the bound is refused; a
// caddy-docker-proxy image is not read as a Caddyfile gateway.
func TestCaddyfileBounds(t *testing.T) {
	deep := "a.example {\n" + strings.Repeat("route {\n", maxCaddyDepth+1) + "reverse_proxy x:1\n" + strings.Repeat("}\n", maxCaddyDepth+2)
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  broken:
    image: caddy:2
    volumes: ["./broken:/etc/caddy/Caddyfile"]
  deep:
    image: caddy:2
    volumes: ["./deep:/etc/caddy/Caddyfile"]
  cmd:
    image: example/caddy
    command: caddy run --config /conf/site.caddyfile --adapter caddyfile
    volumes: ["./site.caddyfile:/conf/site.caddyfile"]
  app:
    image: example/app
`,
		"broken":         "a.example {\n\treverse_proxy app:1\n}\nb.example {\n\treverse_proxy \"app:2\n",
		"deep":           deep,
		"site.caddyfile": ":8080\nreverse_proxy app:3\n",
	})
	same(t, lines(top), []string{
		"broken:2:16 caddy broken->app:1 a.example tls=true listen=[443] backend=app",
		"site.caddyfile:2:15 caddy cmd->app:3 * tls=false listen=[8080] backend=app",
	})
	same(t, warnings(top, "W-PROXY-CONFIG"), []string{
		"broken:5:16 broken: unterminated quoted string; routes after it are not read",
		"deep:33:7 deep: blocks nested deeper than 32; routes after it are not read",
	})
}

// FuzzParseCaddyfile: the Caddyfile reader never panics, keeps its bounds,
// and its routes point at lines of the file with an upstream or a reason.
func FuzzParseCaddyfile(f *testing.F) {
	f.Add("{\n auto_https off\n}\n(s) {\n reverse_proxy /a a:1\n}\nx.example, :8080 {\n import s\n @m path /b/* /c\n reverse_proxy @m b:2 {\n  to c:3\n }\n handle_path /d/* {\n  basicauth {\n   u p\n  }\n  reverse_proxy https://d\n }\n}\n")
	f.Add("{$HOST}\nreverse_proxy {$UP:app:80}\n")
	f.Add("a {\n reverse_proxy \"x\\\"y:1\" `z:2` \\\n  w:3\n}\n} {")
	f.Add("import (s)\n(s) {\nimport s\n}\na {\nimport s\n}")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		top, _ := parseCaddyfile([]byte(s))
		nl := strings.Count(s, "\n") + 1
		for _, r := range caddyRoutes("p", cfFile{name: "f", top: top, env: map[string]string{"HOST": "h.example"}}) {
			if r.Pos.Line < 1 || r.Pos.Line > nl {
				t.Fatalf("route at line %d of a %d-line file", r.Pos.Line, nl)
			}
			if r.Upstream == "" && r.Unresolved == "" {
				t.Fatalf("route without upstream or reason: %+v", r)
			}
		}
	})
}
