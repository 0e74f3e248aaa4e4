package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// host writes three projects (proxy creates the network proxy; admin and
// app join it, each with a default network of its own) and a scenario
// file beside app's compose file; it returns the scenario's path.
func host(t *testing.T, scenario string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"proxy/compose.yaml":  "name: proxy\nservices:\n  traefik: {image: traefik, networks: [proxy], ports: [\"80:80\"]}\nnetworks:\n  proxy: {name: proxy}\n",
		"admin/compose.yaml":  "name: admin\nservices:\n  web: {image: adminer, networks: [proxy, default]}\nnetworks:\n  proxy: {external: true}\n",
		"app/compose.yaml":    "name: app\nservices:\n  web: {image: nginx, networks: [proxy, default]}\n  db: {image: postgres}\nnetworks:\n  proxy: {external: true}\n",
		"app/s.scenario.yaml": scenario,
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "app", "s.scenario.yaml")
}

// TestQualifyWhatIf: on a host with several projects a what-if's service
// is project/service or a bare name one project has; a network is its
// engine name, PROJECT/KEY of the project that created it (R2-4), or a
// bare key that one network, or one network of the service's project, has.
func TestQualifyWhatIf(t *testing.T) {
	sc, err := Load(host(t, "compose: compose.yaml\nwith: [../proxy, ../admin]\n"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := sc.Topology(context.Background(), loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name             string
		service, network string
		wantSvc, wantNet string
		wantErr          string
	}{
		{name: "qualified service", service: "app/web", wantSvc: "app/web"},
		{name: "bare name one project has", service: "db", wantSvc: "app/db"},
		{name: "bare name two projects have", service: "web", wantErr: `service "web" is ambiguous: several projects have a service of that name (admin/web, app/web); name one as project/service`},
		{name: "network by engine name", service: "app/web", network: "proxy", wantSvc: "app/web", wantNet: "proxy"},
		{name: "R2-4 network as creator/key", service: "app/web", network: "proxy/proxy", wantSvc: "app/web", wantNet: "proxy"},
		{name: "R2-4 network as project/key", service: "admin/web", network: "app/default", wantSvc: "admin/web", wantNet: "app_default"},
		{name: "bare key of the service's project", service: "admin/web", network: "default", wantSvc: "admin/web", wantNet: "admin_default"},
		{name: "bare key from a project without it", service: "proxy/traefik", network: "default", wantErr: `network "default" is ambiguous: several projects have a network of that key (admin_default, app_default); name it by its engine name or as project/key`},
		{name: "unknown names are left to the what-if", service: "nope", network: "nonet", wantSvc: "nope", wantNet: "nonet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := qualify(top, WhatIf{Kind: WhatIfDisconnect, Service: tc.service, Network: tc.network})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Service != tc.wantSvc || w.Network != tc.wantNet {
				t.Errorf("got %s on %s, want %s on %s", w.Service, w.Network, tc.wantSvc, tc.wantNet)
			}
		})
	}
}

// TestRunAcrossProjects: expectations, what-ifs and flows on the merged
// host; a connect what-if registers the bare service name (R6-3).
func TestRunAcrossProjects(t *testing.T) {
	_, err := Load(host(t, `compose: compose.yaml
with: [../proxy, {path: ../admin, project: office}]
what_if:
  - connect: {service: db, network: proxy}
expect:
  - reach: proxy/traefik -> app/db
  - dns: {from: traefik, name: db, answers: [app/db@proxy]}
  - dns: {from: traefik, name: web, answers: [web@proxy, office/web@proxy]}
  - blocked: office/web -> app-db-1
    verdict: delivered
`))
	if err == nil {
		t.Fatal("blocked with verdict delivered parsed")
	}
	sc, err := Load(host(t, `compose: compose.yaml
with: [../proxy, {path: ../admin, project: office}]
what_if:
  - connect: {service: db, network: proxy}
expect:
  - reach: proxy/traefik -> app/db
  - dns: {from: traefik, name: db, answers: [app/db@proxy]}
  - dns: {from: traefik, name: web, answers: [web@proxy, office/web@proxy]}
  - exposed: internet
    only: [traefik:80]
flows:
  - chain: client -> proxy/traefik:80 -> app/web:80 -> db:5432
`))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.Projects, ","); got != "proxy,office,app" || rep.Project != "app" {
		t.Errorf("projects %s, project %s", got, rep.Project)
	}
	for _, r := range rep.Results {
		if r.Status != Pass {
			t.Errorf("%s %s: %s %s", r.Position, r.Text, r.Status, r.Message)
		}
	}
	if len(rep.Results) != 5 {
		t.Errorf("%d results, want 5", len(rep.Results))
	}
}

// TestParseWith: with: entries, positioned, with their options.
func TestParseWith(t *testing.T) {
	sc, err := Parse("d/s.scenario.yaml", []byte("compose: c.yaml\nwith:\n  - ../proxy\n  - {path: ../admin, project: office, profiles: [x]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []topology.ProjectRef{
		{Path: "../proxy", Base: "d", Pos: topology.Position{File: "d/s.scenario.yaml", Line: 3, Col: 5}, Field: "with.0"},
		{Path: "../admin", Base: "d", ProjectName: "office", Profiles: []string{"x"}, Pos: topology.Position{File: "d/s.scenario.yaml", Line: 4, Col: 5}, Field: "with.1"},
	}
	if len(sc.With) != len(want) {
		t.Fatalf("with: %+v", sc.With)
	}
	for i, w := range want {
		g := sc.With[i]
		if g.Path != w.Path || g.Base != w.Base || g.ProjectName != w.ProjectName || strings.Join(g.Profiles, ",") != strings.Join(w.Profiles, ",") || g.Pos != w.Pos || g.Field != w.Field {
			t.Errorf("with.%d: %+v, want %+v", i, g, w)
		}
	}
	_, err = Parse("s.yaml", []byte("compose: c.yaml\nwith: [{project: x}, {path: p, image: y}, 3]\n"))
	if err == nil {
		t.Fatal("bad with: accepted")
	}
	got := err.Error()
	for _, w := range []string{
		`s.yaml:2:8: with.0: a project needs path:`,
		`s.yaml:2:32: with.1.image: unknown field "image" (known: path, project, profiles)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}

// TestAnswersMatch: dns answers: specs are matched to distinct answers as
// a matching, so a bare service name listed before a qualified one does
// not take the answer the qualified one needs (R6-6: both projects' web
// answer on a shared network).
func TestAnswersMatch(t *testing.T) {
	got := []sim.DNSAnswer{{Service: "office/web", Network: "proxy"}, {Service: "app/web", Network: "proxy"}}
	tests := []struct {
		specs string
		want  bool
	}{
		{"web,office/web", true},
		{"office/web,web", true},
		{"web,web", true},
		{"app/web,app/web", false},
		{"web", false},
		{"web,office", false},
	}
	for _, tc := range tests {
		var specs []AnswerSpec
		for _, s := range strings.Split(tc.specs, ",") {
			specs = append(specs, AnswerSpec{Service: s, Network: "proxy"})
		}
		if g := answersMatch(specs, got); g != tc.want {
			t.Errorf("%s: %v, want %v", tc.specs, g, tc.want)
		}
	}
}
