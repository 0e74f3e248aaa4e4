package verify

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
)

// projectsPlan plans the run of testdata/projects: proxy from the host
// description's projects:, admin by --with, app with -f.
func projectsPlan(t *testing.T) (*topology.Topology, *runPlan) {
	t.Helper()
	dir, _ := filepath.Abs("../testdata/projects")
	main := topology.Options{Files: []string{"app/compose.yaml"}, Dir: dir, HostFile: "host.yaml"}
	host, plan, err := loadHost(context.Background(), loader.Load, main, []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	return host, plan
}

// TestPlanOrder: the up order is composenet's (host description, --with,
// main), each project under its own verify name in its own folder, and
// the teardown takes the projects whose up began, last first.
func TestPlanOrder(t *testing.T) {
	_, plan := projectsPlan(t)
	var got []string
	for _, rp := range plan.Projects {
		got = append(got, rp.Orig+"="+rp.Name+"@"+rp.Folder)
	}
	want := []string{"proxy=proxy-verify@1-proxy", "admin=admin-verify@2-admin", "app=app-verify@3-app"}
	if !slices.Equal(got, want) {
		t.Errorf("projects %v, want %v", got, want)
	}
	if plan.main().Name != "app-verify" {
		t.Errorf("main %s", plan.main().Name)
	}
	for _, c := range []struct {
		started int
		want    string
	}{
		{0, ""},
		{1, "proxy-verify"},
		{2, "admin-verify proxy-verify"},
		{3, "app-verify admin-verify proxy-verify"},
		{9, "app-verify admin-verify proxy-verify"},
	} {
		var names []string
		for _, rp := range plan.downOrder(c.started) {
			names = append(names, rp.Name)
		}
		if got := strings.Join(names, " "); got != c.want {
			t.Errorf("downOrder(%d) = %q, want %q", c.started, got, c.want)
		}
	}
	rp := plan.Projects[1]
	up := strings.Join(rp.upArgs("/run"), " ")
	down := strings.Join(rp.downArgs("/run"), " ")
	if up != "compose -p admin-verify -f /run/2-admin/compose.yaml --project-directory /run/2-admin up -d --no-build --remove-orphans" {
		t.Errorf("up: %s", up)
	}
	if down != "compose -p admin-verify -f /run/2-admin/compose.yaml --project-directory /run/2-admin down -v --remove-orphans --timeout 1" {
		t.Errorf("down: %s", down)
	}
}

// TestPlanNetworks: every project renames its networks by one rule, and
// an external network keeps pointing at the network that an earlier
// project creates under its verify name (R2-5): proxy's "proxy" for admin
// and app; "backplane", which no project creates, is created by admin
// (the first to name it) and joined by app.
func TestPlanNetworks(t *testing.T) {
	_, plan := projectsPlan(t)
	wantNets := map[string]string{
		"proxy":         "proxy-verify",
		"proxy_default": "proxy-verify_default",
		"backplane":     "backplane-verify",
		"app_default":   "app-verify_default",
	}
	if !reflect.DeepEqual(plan.Networks, wantNets) {
		t.Errorf("networks %v, want %v", plan.Networks, wantNets)
	}
	wantExt := []map[string]string{
		{},
		{"proxy": "proxy-verify"},
		{"proxy": "proxy-verify", "backplane": "backplane-verify"},
	}
	for i, rp := range plan.Projects {
		if !reflect.DeepEqual(rp.Spec.External, wantExt[i]) {
			t.Errorf("%s: external %v, want %v", rp.Orig, rp.Spec.External, wantExt[i])
		}
	}
	for _, c := range []struct{ proj, key, name, want string }{
		{"app", "default", "app_default", "app-verify_default"},
		{"app", "proxy", "proxy", "proxy-verify"},
		{"app", "front", "edge_net", "edge_net-verify"},
	} {
		if got := NetworkName(c.proj, c.key, c.name); got != c.want {
			t.Errorf("NetworkName(%s, %s, %s) = %s, want %s", c.proj, c.key, c.name, got, c.want)
		}
	}
}

// TestPlanRoutes: the routes of the host (traefik in proxy, labels in
// admin and app) are renamed to the verify projects, their network
// (traefik's --providers.docker.network=proxy) to its verify name, and
// each backend's probe serves the route's port.
func TestPlanRoutes(t *testing.T) {
	_, plan := projectsPlan(t)
	var got []string
	for _, pr := range plan.Routes {
		r := pr.Route
		got = append(got, r.Proxy+" -> "+r.Backend+":"+strconv.Itoa(int(r.Port))+" via "+r.Network+" ("+pr.Orig.Backend+")")
	}
	want := []string{
		"proxy-verify/traefik -> admin-verify/web:8080 via proxy-verify (admin/web)",
		"proxy-verify/traefik -> app-verify/api:3000 via proxy-verify (app/api)",
		"proxy-verify/traefik -> app-verify/web:8080 via proxy-verify (app/web)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("routes\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantListen := []map[string][]string{
		{},
		{"web": {"8080/tcp"}},
		{"api": {"3000/tcp"}, "web": {"8080/tcp"}},
	}
	for i, rp := range plan.Projects {
		if !reflect.DeepEqual(rp.Spec.Listen, wantListen[i]) {
			t.Errorf("%s: listen %v, want %v", rp.Orig, rp.Spec.Listen, wantListen[i])
		}
	}
}

// TestPlanOneProject: a single project plans as verify always ran it:
// PROJECT-verify, service names unqualified, external networks created by
// the project itself.
func TestPlanOneProject(t *testing.T) {
	dir, _ := filepath.Abs("../testdata/projects")
	host, plan, err := loadHost(context.Background(), loader.Load, topology.Options{Files: []string{"app/compose.yaml"}, Dir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Projects) != 1 || plan.main().Name != "app-verify" || plan.main().T != host {
		t.Fatalf("plan %+v", plan.Projects)
	}
	if len(plan.main().Spec.External) != 0 {
		t.Errorf("external %v: nothing earlier creates them", plan.main().Spec.External)
	}
	if plan.Networks["proxy"] != "proxy-verify" || plan.Networks["backplane"] != "backplane-verify" {
		t.Errorf("networks %v", plan.Networks)
	}
	// No traefik on this host: no routes, nothing added to the probes.
	if len(plan.Routes) != 0 || len(plan.main().Spec.Listen) != 0 {
		t.Errorf("routes %v, listen %v", plan.Routes, plan.main().Spec.Listen)
	}
}

// TestContainerName: compose's PROJECT-SERVICE-N moves to the verify
// project; a container_name gets the suffix.
func TestContainerName(t *testing.T) {
	for _, c := range []struct {
		ctr  topology.Container
		want string
	}{
		{topology.Container{Name: "app-web-1", Service: "web", Replica: 1}, "app-verify-web-1"},
		{topology.Container{Name: "app-web-12", Service: "web", Replica: 12}, "app-verify-web-12"},
		{topology.Container{Name: "gateway", Service: "web", Replica: 1}, "gateway-verify"},
	} {
		if got := containerName("app", &c.ctr); got != c.want {
			t.Errorf("%s: %s, want %s", c.ctr.Name, got, c.want)
		}
	}
}

// TestLoadHostBadInput: a --with path that does not exist is bad input,
// positioned like every other command's, before anything runs.
func TestLoadHostBadInput(t *testing.T) {
	dir, _ := filepath.Abs("../testdata/projects")
	_, _, err := loadHost(context.Background(), loader.Load, topology.Options{Files: []string{"app/compose.yaml"}, Dir: dir}, []string{"nowhere"})
	if err == nil || !strings.Contains(err.Error(), "--with nowhere: cannot load project nowhere: no such file or folder") {
		t.Errorf("error %v", err)
	}
}

// TestQueriesAcrossProjects: on a host of several projects the queries
// ask DNS names (bare service names, never project/service), connect
// across projects (traefik to both web containers on the shared network),
// and ask the layer-4 half of each route (traefik to the backend on the
// route's port: delivered for the two web backends, dropped for api,
// which is not on the proxy's network). Every query agrees with a probe
// that observes the prediction.
func TestQueriesAcrossProjects(t *testing.T) {
	host, plan := projectsPlan(t)
	w := fakeWorldOf(host)
	w.dnsUpstream = true
	for _, r := range host.Routes() {
		// The original host stands in for the rewritten one: the routes
		// under their own names.
		w.routes = append(w.routes, plannedRoute{Orig: r, Route: r})
	}
	if len(w.routes) != len(plan.Routes) {
		t.Fatalf("%d routes, the plan %d", len(w.routes), len(plan.Routes))
	}
	qs := w.generate(nil)
	var routes []string
	seen := map[string]bool{}
	for _, q := range qs {
		if strings.Contains(q.To, "/") && q.Kind == KindDNS {
			t.Errorf("DNS query for %q: project/service is not a DNS name", q.To)
		}
		seen[q.Kind+" "+q.From+" "+q.To] = true
		if strings.Contains(q.To, "; route ") {
			routes = append(routes, q.From+" -> "+q.To+" port "+strconv.Itoa(int(q.Port))+": "+q.Predicted)
		}
		if q.skip != "" {
			continue
		}
		w.judge(q, w.asPredicted(q))
		if q.Agree == nil || !*q.Agree {
			t.Errorf("%s %s -> %s: predicted %q, observed %q: not agreeing with itself", q.Kind, q.From, q.To, q.Predicted, q.Observed)
		}
	}
	for _, k := range []string{
		"dns proxy-traefik-1 web", "dns proxy-traefik-1 dashboard", "dns app-web-1 dashboard", "dns admin-web-1 app-web-1",
		"connect app-web-1 172.21.0.1 (host on app_default; proxy-traefik-1 publishes 0.0.0.0:18080)",
		"ping app-web-1 172.19.0.2 (proxy-traefik-1 on proxy)", "ping proxy-traefik-1 172.20.0.2 (admin-web-1 on backplane)",
	} {
		if !seen[k] {
			t.Errorf("no query %q", k)
		}
	}
	want := []string{
		"proxy-traefik-1 -> 172.19.0.3 (admin-web-1 on proxy; route admin.example.com of proxy/traefik, admin/compose.yaml:15:7) port 8080: delivered to admin-web-1",
		"proxy-traefik-1 -> 172.21.0.2 (app-api-1 on app_default; route app.example.com/api of proxy/traefik, app/compose.yaml:18:7) port 3000: dropped-isolation (the route names network proxy, which app/api does not join: the proxy falls back to its first network)",
		"proxy-traefik-1 -> 172.19.0.4 (app-web-1 on proxy; route app.example.com of proxy/traefik, app/compose.yaml:12:7) port 8080: delivered to app-web-1",
	}
	if !slices.Equal(routes, want) {
		t.Errorf("route queries\n%s\nwant\n%s", strings.Join(routes, "\n"), strings.Join(want, "\n"))
	}
}

// TestPlanRename: names of the original host in a scenario file become
// the verify ones: project/service of a known project, container names
// of any project; anything else is left alone.
func TestPlanRename(t *testing.T) {
	_, plan := projectsPlan(t)
	for _, c := range []struct{ in, want string }{
		{"app/web", "app-verify/web"},
		{"proxy/traefik", "proxy-verify/traefik"},
		{"admin-web-1", "admin-verify-web-1"},
		{"proxy-traefik-1", "proxy-verify-traefik-1"},
		{"web", "web"},
		{"dashboard", "dashboard"},
		{"nope/web", "nope/web"},
		{"internet", "internet"},
		{"", ""},
	} {
		if got := plan.rename(c.in); got != c.want {
			t.Errorf("rename(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestRunNetworksLeaveTheHostsOut: a network the host description
// declares is not inspected on the engine (verify created shared-verify
// for the project instead, and "shared" need not exist there).
func TestRunNetworksLeaveTheHostsOut(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "host.yaml"), []byte("networks:\n  - name: shared\n    subnet: 172.30.0.0/16\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("name: hn\nservices:\n  a:\n    image: x\n    networks: [shared, own]\nnetworks:\n  shared: {external: true, name: shared-verify}\n  own: {}\n"), 0o644)
	tp, err := loader.Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, HostFile: "host.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(runNetworks(tp), " "); got != "hn_own shared-verify" {
		t.Errorf("networks %q, want hn_own shared-verify (not the host's shared)", got)
	}
}
