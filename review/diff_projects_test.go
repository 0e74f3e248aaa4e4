package review

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

const (
	diffProxy = `name: proxy
services:
  traefik: {image: traefik, networks: [proxy], ports: ["80:80"]}
networks:
  proxy: {name: proxy}
`
	diffAdmin = `name: admin
services:
  web: {image: adminer, networks: [proxy]}
networks:
  proxy: {external: true}
`
	diffApp = `name: app
services:
  web: {image: nginx, networks: [proxy, default], x-composenet: {listen: ["8080"]}}
  db: {image: postgres, x-composenet: {listen: ["5432"]}}
networks:
  proxy: {external: true}
`
)

// TestDiffAcrossProjects: both sides are merged hosts. A project added to
// the host is a change of its own, with its containers; DNS is asked for
// the bare service names (R6-3), so a second project's web on the shared
// network shows as a merged answer (R6-6); containers are labelled with
// their project/service.
func TestDiffAcrossProjects(t *testing.T) {
	old := loadHost(t, [2]string{"proxy", diffProxy}, [2]string{"app", diffApp})
	new := loadHost(t, [2]string{"proxy", diffProxy}, [2]string{"admin", diffAdmin}, [2]string{"app", diffApp})
	d := Diff(old, new)
	if !d.Changed || strings.Join(d.ProjectsAdded, ",") != "admin" || len(d.ProjectsRemoved) != 0 {
		t.Fatalf("projects added %v removed %v changed %v", d.ProjectsAdded, d.ProjectsRemoved, d.Changed)
	}
	if strings.Join(d.New.Projects, ",") != "proxy,admin,app" || strings.Join(d.Old.Projects, ",") != "proxy,app" {
		t.Errorf("sides: %v -> %v", d.Old.Projects, d.New.Projects)
	}
	lines := diffLines(d)
	for _, want := range []string{
		"+container admin-web-1",
		"+reach admin-web-1->app-web-1 8080/tcp (was absent)",
		"~dns proxy-traefik-1 web: app-web-1 => admin-web-1 app-web-1",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("missing %q in\n%s", want, strings.Join(lines, "\n"))
		}
	}
	for _, l := range lines {
		if strings.Contains(l, "dns") && strings.Contains(l, "/") {
			t.Errorf("a DNS question for a project/service name: %s", l)
		}
	}
	if d.Services["admin-web-1"] != "admin/web" || d.Services["app-db-1"] != "app/db" {
		t.Errorf("services: %v", d.Services)
	}
	var b bytes.Buffer
	if err := WriteDiffText(&b, d); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"(projects proxy, app -> proxy, admin, app, in up order)\n",
		"\nPROJECTS (on the host, in up order)\n+ admin\n",
		"\n+ admin/web · admin-web-1\n",
		"+ admin/web · admin-web-1 -> app/web · app-web-1: ip, 8080/tcp (was absent)\n",
		"changed: 1 project(s) added, 1 container(s) added,",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}

	// And back: the project removed.
	back := Diff(new, old)
	if strings.Join(back.ProjectsRemoved, ",") != "admin" || len(back.ProjectsAdded) != 0 || !slices.Contains(diffLines(back), "-container admin-web-1") {
		t.Errorf("removed: %v, %v", back.ProjectsRemoved, diffLines(back))
	}
	// The same host on both sides: nothing changed.
	if same := Diff(new, loadHost(t, [2]string{"proxy", diffProxy}, [2]string{"admin", diffAdmin}, [2]string{"app", diffApp})); same.Changed {
		t.Errorf("same host differs: %v", diffLines(same))
	}
}
