package sim

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// loadProjects loads projects (folder, compose YAML) onto one host in the
// order given, the last as the main project.
func loadProjects(t *testing.T, projects ...[2]string) *topology.Topology {
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
	top, err := topology.LoadProjects(context.Background(), main, with, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	return top
}

// TestDNSAcrossProjects: containers of different projects on a shared
// network resolve each other by service name, container name and alias
// (R6-3); aliases are network-scoped; a name two projects register on one
// network answers both (R6-6); a project's own network stays its own
// (R6-7).
func TestDNSAcrossProjects(t *testing.T) {
	top := loadProjects(t,
		[2]string{"proxy", `name: proxy
services:
  traefik: {image: traefik, networks: [proxy]}
networks:
  proxy: {name: proxy}
`},
		[2]string{"admin", `name: admin
services:
  web:
    image: adminer
    networks:
      proxy: {aliases: [dashboard]}
networks:
  proxy: {external: true}
`},
		[2]string{"app", `name: app
services:
  web: {image: nginx, networks: [proxy, default]}
  db: {image: postgres, networks: {default: {aliases: [database]}}}
networks:
  proxy: {external: true}
`})
	s := New(top)
	tests := []struct {
		rule, from, name, want string
	}{
		{"R6-3 service name of another project", "proxy/traefik", "dashboard", "NOERROR admin-web-1@proxy"},
		{"R6-3 container name of another project", "proxy/traefik", "app-web-1", "NOERROR app-web-1@proxy"},
		{"R6-6 one name, two projects, both answers", "proxy/traefik", "web", "NOERROR admin-web-1@proxy app-web-1@proxy"},
		{"R6-7 the own network answers first for the app", "app/web", "web", "NOERROR app-web-1@app_default"},
		{"R6-3 alias is network-scoped: db's alias only on app_default", "app/web", "database", "NOERROR app-db-1@app_default"},
		{"R6-7 the proxy does not see the app's own network", "proxy/traefik", "database", "unresolved"},
		{"R6-7 admin does not see app's db", "admin/web", "db", "unresolved"},
		{"R6-3 the proxy by service name from an app project", "admin/web", "traefik", "NOERROR proxy-traefik-1@proxy"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			r, err := s.Lookup(tc.from, tc.name, "A")
			if err != nil {
				t.Fatal(err)
			}
			got := "unresolved"
			if r.Resolved() {
				parts := []string{r.Rcode}
				for _, a := range r.Answers {
					parts = append(parts, a.Container+"@"+r.NetworkName)
				}
				got = strings.Join(parts, " ")
			}
			if got != tc.want {
				t.Errorf("%s from %s: %s, want %s", tc.name, tc.from, got, tc.want)
			}
		})
	}
}

// TestPeerAcrossProjects: the one resolver takes project/service,
// container names and unambiguous bare service names; an ambiguous bare
// name is an error listing the candidates.
func TestPeerAcrossProjects(t *testing.T) {
	top := loadProjects(t,
		[2]string{"a", "name: a\nservices:\n  web: {image: x}\n  only: {image: x}\n"},
		[2]string{"b", "name: b\nservices:\n  web: {image: x}\n"})
	s := New(top)
	tests := []struct{ in, want string }{
		{"a/web", "a-web-1 a/web"},
		{"B/WEB", "b-web-1 b/web"},
		{"b-web-1", "b-web-1 b/web"},
		{"only", "a-only-1 a/only"},
		{"web", `error: source "web" is ambiguous: several projects have a service of that name (a/web, b/web); name one as project/service or by its container name`},
		{"c/web", `error: unknown source "c/web": not a container, a service, host or internet (did you mean a/web, b/web?)`},
	}
	for _, tc := range tests {
		p, err := s.Peer(tc.in)
		got := p.Container + " " + p.Service
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("Peer(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
