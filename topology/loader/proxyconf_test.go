package loader

import (
	"context"
	"fmt"
	"github.com/composenet/composenet/topology"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func routeLine(r topology.Route) string {
	s := fmt.Sprintf("%s %s %s->%s:%d %s tls=%v listen=%v", r.Position, r.Kind, r.Proxy, orQ(r.Upstream), r.Port, r.Target(), r.TLS, r.Listen)
	if r.Backend != "" {
		s += " backend=" + r.Backend
	}
	if r.Unresolved != "" {
		s += " unresolved: " + r.Unresolved
	}
	return s
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// loadProject writes files (name -> content) into a temp project and
// loads compose.yaml.
func loadProject(t *testing.T, files map[string]string) *topology.Topology {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	top, err := Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return top
}

func lines(t *topology.Topology) []string {
	var out []string
	for _, r := range t.Routes() {
		out = append(out, routeLine(r))
	}
	return out
}

func same(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// nginxLB is the design guide's load balancer (docker-networking-guide.md,
// "Load balancing multiple instances"): nginx-lb.conf mounted as
// /etc/nginx/nginx.conf, an upstream block naming the scaled api service.
const nginxLB = `events {
    worker_connections 1024;
}

http {
    # Docker's internal DNS resolves 'api' to all 3 instances!
    upstream api_backend {
        # Docker provides automatic round-robin load balancing
        server api:3000;
        # No need to specify multiple servers - Docker handles it!
    }

    server {
        listen 80;

        location / {
            proxy_pass http://api_backend;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
        }
    }
}
`

// TestNginxConfigRoutes: routes from mounted nginx files, with file:line
// positions: the guide's upstream block, conf.d server blocks (listen ssl,
// server_name, nested and regex locations, fastcgi_pass, an https
// upstream's default port), a variable in proxy_pass reported as not
// resolved statically, and a backend named by an alias.
func TestNginxConfigRoutes(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
name: lb
services:
  nginx:
    image: nginx:alpine
    ports: ["80:80", "443:443"]
    volumes:
      - ./nginx-lb.conf:/etc/nginx/nginx.conf:ro
      - ./conf.d:/etc/nginx/conf.d:ro
      - ./mime.types:/etc/nginx/mime.types:ro
  api:
    image: example/api
    deploy: {replicas: 3}
  admin:
    image: example/admin
    networks:
      default:
        aliases: [backoffice]
`,
		"nginx-lb.conf": nginxLB,
		"mime.types":    "types { text/html html; }\n",
		"conf.d/admin.conf": `server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name Admin.Example.com *.admin.example.com;
    location /admin/ {
        location /admin/api/ { proxy_pass https://backoffice; }
        proxy_pass http://admin:8000/;
    }
    location ~ \.php$ { fastcgi_pass php:9000; }
    location /dyn/ {
        set $b http://api:3000;
        proxy_pass $b;
    }
    location /uri/ { proxy_pass http://api:3000$request_uri; }
    location /sock/ { proxy_pass http://unix:/run/app.sock; }
}
`,
		"conf.d/notes.txt": "server { location / { proxy_pass http://ignored:1; } }",
	})
	same(t, lines(top), []string{
		"conf.d/admin.conf:9:25 nginx nginx->php:9000 admin.example.com,*.admin.example.com~ \\.php$ tls=true listen=[443]",
		"conf.d/admin.conf:12:9 nginx nginx->?:0 admin.example.com,*.admin.example.com/dyn/ tls=true listen=[443] unresolved: proxy_pass $b: the backend is a variable, not resolved statically",
		"conf.d/admin.conf:6:32 nginx nginx->backoffice:443 admin.example.com,*.admin.example.com/admin/api/ tls=true listen=[443] backend=admin",
		"conf.d/admin.conf:7:9 nginx nginx->admin:8000 admin.example.com,*.admin.example.com/admin/ tls=true listen=[443] backend=admin",
		"conf.d/admin.conf:14:22 nginx nginx->api:3000 admin.example.com,*.admin.example.com/uri/ tls=true listen=[443] backend=api",
		"nginx-lb.conf:9:9 nginx nginx->api:3000 */ tls=false listen=[80] backend=api",
	})
	n := top.Service("nginx")
	same(t, n.ConfigFiles, []string{"conf.d/admin.conf", "nginx-lb.conf"})
	if topology.ProxyKind(n) != topology.ProxyNginx || topology.RoutingKnown(n) {
		t.Errorf("kind %q, routing known %v; want nginx, false (a variable in proxy_pass)", topology.ProxyKind(n), topology.RoutingKnown(n))
	}
}

// TestHAProxyConfigRoutes: frontend bind/acl/use_backend/default_backend
// with backend server lines, a listen section, an unless condition (read
// as matching any host: negation is not interpreted), and a server address from an environment variable.
func TestHAProxyConfigRoutes(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  hap:
    image: haproxy:3.0
    ports: ["8080:8080"]
    volumes: ["./haproxy:/usr/local/etc/haproxy:ro"]
  api:
    image: example/api
  admin:
    image: example/admin
`,
		"haproxy/haproxy.cfg": `global
    maxconn 100   # comment
defaults
    mode http
frontend www
    bind *:8080
    bind :8443 ssl crt /etc/ssl/site.pem
    acl is_api hdr(host) -i api.example.com
    acl is_v2 path_beg /v2
    acl is_adm hdr_beg(host) -i admin.
    use_backend api_v2 if is_api is_v2
    use_backend admins unless is_adm
    default_backend api_all
backend api_v2
    server a1 api:3000 check
backend api_all
    balance roundrobin
    server a1 api:3000 check
    server e1 "${BACKEND}:80"
backend admins
    server adm admin:8000
listen stats
    bind :9000
    server s1 127.0.0.1:8404
`,
	})
	same(t, lines(top), []string{
		"haproxy/haproxy.cfg:19:5 haproxy hap->?:0 * tls=true listen=[8080 8443] unresolved: server ${BACKEND}:80: the address is a variable, not resolved statically",
		"haproxy/haproxy.cfg:24:5 haproxy hap->127.0.0.1:8404 * tls=false listen=[9000]",
		"haproxy/haproxy.cfg:21:5 haproxy hap->admin:8000 * tls=true listen=[8080 8443] backend=admin",
		"haproxy/haproxy.cfg:15:5 haproxy hap->api:3000 api.example.com/v2 tls=true listen=[8080 8443] backend=api",
		"haproxy/haproxy.cfg:18:5 haproxy hap->api:3000 * tls=true listen=[8080 8443] backend=api",
	})
}

// TestProxyConfigBounds: a mounted file outside the project folder, a
// file over the size bound and a syntax error are W-PROXY-CONFIG warnings;
// routes read before the syntax error are kept; a compose config (file:)
// mounted as nginx.conf is read too.
func TestProxyConfigBounds(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.conf")
	if err := os.WriteFile(outside, []byte("server { location / { proxy_pass http://x:1; } }"), 0o644); err != nil {
		t.Fatal(err)
	}
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  out:
    image: nginx
    volumes: ["` + outside + `:/etc/nginx/conf.d/outside.conf"]
  big:
    image: nginx
    volumes: ["./big.conf:/etc/nginx/conf.d/big.conf"]
  broken:
    image: nginx
    configs:
      - source: main
        target: /etc/nginx/nginx.conf
  api:
    image: example/api
configs:
  main:
    file: ./broken.conf
`,
		"big.conf":    "# " + strings.Repeat("x", MaxProxyConfigBytes) + "\n",
		"broken.conf": "http {\n server { location /a/ { proxy_pass http://api:1; } }\n server { location /b/ { proxy_pass http://api:2 }\n",
	})
	same(t, lines(top), []string{"broken.conf:2:26 nginx broken->api:1 */a/ tls=false listen=[80] backend=api"})
	var ws []string
	for _, w := range top.Warnings {
		if w.Code == "W-PROXY-CONFIG" {
			ws = append(ws, w.Pos.String()+" "+strings.ReplaceAll(w.Message, outside, "OUTSIDE"))
		}
	}
	same(t, ws, []string{
		"big.conf big.conf: larger than 1048576 bytes; its routes are not read",
		"broken.conf:3:26 broken.conf: directive \"proxy_pass\" has no ending \";\"; routes after it are not read",
		"compose.yaml:5:15 out mounts OUTSIDE, outside the project folder: its routes are not read",
	})
}

// FuzzParseNginx: the nginx reader never panics, keeps its bounds, and the
// routes it gives have a position inside the file and no empty upstream
// unless they say why.
func FuzzParseNginx(f *testing.F) {
	f.Add(nginxLB)
	f.Add("server { listen 443 ssl; server_name a; location /x { proxy_pass http://$h; } }")
	f.Add("upstream u { server [::1]:80; server unix:/s; } server { location / { proxy_pass http://u; } }")
	f.Add("server { location ~ \"a{2}\" { grpc_pass grpcs://g; } } } {")
	f.Add("a '\\' ; b ${x} { c; }")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		top, _ := parseNginx([]byte(s))
		nl := strings.Count(s, "\n") + 1
		for _, r := range nginxRoutes("p", []ncFile{{name: "f", top: top}}) {
			if r.Pos.Line < 1 || r.Pos.Line > nl {
				t.Fatalf("route at line %d of a %d-line file", r.Pos.Line, nl)
			}
			if r.Upstream == "" && r.Unresolved == "" {
				t.Fatalf("route without upstream or reason: %+v", r)
			}
		}
	})
}

// FuzzParseHAProxy: the haproxy reader never panics and its routes point
// at lines of the file.
func FuzzParseHAProxy(f *testing.F) {
	f.Add("frontend a\n bind :80\n acl h hdr(host) -i x\n use_backend b if h\nbackend b\n server s app:80\n")
	f.Add("listen l 0.0.0.0:80\n server s \"${X}\"\n")
	f.Add("frontend a\n bind :80,:81-82 ssl\n default_backend b\nbackend b\n server s [::1]:1 # c\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		secs, err := parseHAProxy([]byte(s))
		if err != nil {
			return
		}
		nl := strings.Count(s, "\n") + 1
		for _, r := range haproxyRoutes("p", []hpFile{{name: "f", sections: secs}}) {
			if r.Pos.Line < 1 || r.Pos.Line > nl {
				t.Fatalf("route at line %d of a %d-line file", r.Pos.Line, nl)
			}
		}
	})
}
