package verify_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
	"github.com/composenet/composenet/verify"
	"github.com/composenet/composenet/verify/rewrite"
)

// TestRewrittenHostIsTheHost: the projects of testdata/projects, each
// rewritten by its plan and loaded back, make the same host under the
// verify names: every container on the same networks (shared ones shared,
// no external network left assumed) with the same addresses and aliases,
// the same DNS answers across projects (R6-6), and every route's proxied
// hop the same verdict. This is what lets verify compare the engine with
// the model of the rewrite and report about the original.
func TestRewrittenHostIsTheHost(t *testing.T) {
	ctx := context.Background()
	dir, _ := filepath.Abs("../testdata/projects")
	host, plan, err := verify.LoadHostForTest(ctx, loader.Load, topology.Options{Files: []string{"app/compose.yaml"}, Dir: dir, HostFile: "host.yaml"}, []string{"admin"})
	if err != nil {
		t.Fatal(err)
	}
	notes, vt, err := plan.Prepare(ctx, loader.Load, rewrite.Project, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(notes, func(n string) bool {
		return n == "app: external network backplane is backplane-verify, created by an earlier project of the run"
	}) {
		t.Errorf("notes %q", notes)
	}
	var projects []string
	for _, p := range vt.Projects {
		projects = append(projects, p.Name)
	}
	if strings.Join(projects, " ") != "proxy-verify admin-verify app-verify" {
		t.Errorf("projects %v", projects)
	}
	for _, w := range vt.Warnings {
		if w.Code == "W-EXTERNAL-ASSUMED" {
			t.Errorf("the rewritten host assumes an external network: %s", w.Message)
		}
	}
	cmap, nmap := plan.Containers(), plan.Networks()
	if len(vt.Containers) != len(host.Containers) || len(vt.Networks) != len(host.Networks) {
		t.Fatalf("%d containers and %d networks, want %d and %d", len(vt.Containers), len(vt.Networks), len(host.Containers), len(host.Networks))
	}
	for _, c := range host.Containers {
		vc := vt.Container(cmap[c.Name])
		if vc == nil {
			t.Errorf("%s: no %s in the rewritten host", c.Name, cmap[c.Name])
			continue
		}
		want := endpoints(c, func(n string) string { return nmap[n] })
		if got := endpoints(vc, func(n string) string { return n }); got != want {
			t.Errorf("%s endpoints\n%s\nwant\n%s", vc.Name, got, want)
		}
	}
	// DNS across projects: traefik asks for web on the shared network.
	s, vs := sim.New(host), sim.New(vt)
	for _, name := range []string{"web", "dashboard", "api", "admin-web-1"} {
		r := s.Resolve(host.Container("proxy-traefik-1"), name)
		vname := name
		if v, ok := cmap[name]; ok {
			vname = v
		}
		vr := vs.Resolve(vt.Container("proxy-verify-traefik-1"), vname)
		if answers(r, cmap) != answers(vr, nil) || r.Rcode != vr.Rcode {
			t.Errorf("traefik resolves %s: %s %s, rewritten %s %s", name, r.Rcode, answers(r, cmap), vr.Rcode, answers(vr, nil))
		}
	}
	orig, renamed := plan.Routes()
	if len(orig) != 3 {
		t.Fatalf("%d routes, want 3", len(orig))
	}
	for i := range orig {
		h, vh := s.RouteHop(orig[i]), vs.RouteHop(renamed[i])
		if !h.Evaluated || !vh.Evaluated || h.Result.Verdict != vh.Result.Verdict || h.NetworkMissing != vh.NetworkMissing {
			t.Errorf("route %s -> %s: %v (network missing %v), rewritten %v (%v)", orig[i].Proxy, orig[i].Backend, h.Result.Verdict, h.NetworkMissing, vh.Result.Verdict, vh.NetworkMissing)
		}
		if h.Endpoint != nil && vh.Endpoint != nil && h.Endpoint.IPv4 != vh.Endpoint.IPv4 {
			t.Errorf("route %s -> %s goes to %s, rewritten to %s", orig[i].Proxy, orig[i].Backend, h.Endpoint.IPv4, vh.Endpoint.IPv4)
		}
	}
	// admin's exporter joins traefik's namespace in the proxy project
	// (network_mode container:, R7-10) under its verify name.
	if x := vt.Container("admin-verify-exporter-1"); x == nil || x.NetNS == nil || x.NetNS.Name != "proxy-verify-traefik-1" {
		t.Errorf("admin-verify-exporter-1: %+v, want traefik's namespace", x)
	}
	if !slices.Contains(notes, "admin: services.exporter.network_mode container:proxy-traefik-1 becomes container:proxy-verify-traefik-1") {
		t.Errorf("notes %q", notes)
	}
	// The backends serve the routes' ports: app/web's 8080 comes only from
	// its traefik label.
	if web := vt.Container("app-verify-web-1"); !slices.Contains(web.Listen, topology.PortProto{Port: 8080, Protocol: "tcp"}) {
		t.Errorf("app-verify-web-1 listens on %v, want 8080/tcp from the route", web.Listen)
	}
}

// endpoints describes c's endpoints: network (renamed by name), address
// and aliases, in order.
func endpoints(c *topology.Container, name func(string) string) string {
	var b strings.Builder
	for _, e := range c.Endpoints {
		b.WriteString(name(e.Network.Name) + " " + e.IPv4.String() + " " + strings.Join(e.Aliases, ",") + "\n")
	}
	return b.String()
}

// answers are the containers a lookup answers, renamed by cmap.
func answers(r sim.DNSResult, cmap map[string]string) string {
	var out []string
	for _, a := range r.Answers {
		n := a.Container
		if v, ok := cmap[n]; ok {
			n = v
		}
		out = append(out, n+"="+a.IP.String())
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}
