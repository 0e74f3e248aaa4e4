package loader

import (
	"testing"
)

// TestNginxStreamAndRegexp: stream {} servers give routes of protocol tcp
// and udp (an upstream block of the stream context, a host:port
// proxy_pass, ssl_preread, a variable, a proxy_pass without a port, which
// nginx refuses, gives none); a regex server_name and ~* location are
// kept as Go patterns (case-insensitive), the location's text as the path.
func TestNginxStreamAndRegexp(t *testing.T) {
	top := loadProject(t, map[string]string{
		"compose.yaml": `
services:
  lb:
    image: nginx:1.27
    ports: ["5432:5432", "53:53/udp", "443:443"]
    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
  db:
    image: postgres:16
  dns:
    image: coredns/coredns
  web:
    image: example/web
`,
		"nginx.conf": `events {}
stream {
    upstream pg { server db:5432; }
    server { listen 5432; proxy_pass pg; }
    server { listen 53 udp; listen 53; proxy_pass dns:53; }
    server { listen 443; ssl_preread on; proxy_pass $upstream; }
    server { listen 9000; proxy_pass web; }
}
http {
    server {
        listen 80;
        server_name ~^(?<app>[a-z]+)\.Example\.com$ www.example.com;
        location ~* \.(png|jpg)$ { proxy_pass http://web:8080; }
    }
}
`,
	})
	same(t, lines(top), []string{
		"nginx.conf:6:42 nginx lb->?:0 * tls=true listen=[443] unresolved: proxy_pass $upstream: the backend is a variable, not resolved statically",
		"nginx.conf:3:19 nginx lb->db:5432 * tls=false listen=[5432] backend=db",
		"nginx.conf:5:40 nginx lb->dns:53 * tls=false listen=[53] backend=dns",
		"nginx.conf:5:40 nginx lb->dns:53 * tls=false listen=[53] backend=dns",
		"nginx.conf:13:36 nginx lb->web:8080 www.example.com~* \\.(png|jpg)$ tls=false listen=[80] backend=web",
	})
	var got []string
	for _, r := range top.Routes() {
		got = append(got, orQ(r.Protocol)+" "+r.PathRegexp+" "+join(r.HostRegexps)+" "+r.RegexpNote)
	}
	same(t, got, []string{"tcp   ", "tcp   ", "tcp   ", "udp   ", "? (?i)\\.(png|jpg)$ (?i)^(?<app>[a-z]+)\\.Example\\.com$ "})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
