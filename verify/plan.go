package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Several projects on one host (issue 17). verify brings every project of
// the host up, in the up order composenet models (topology.ProjectOptions:
// the host description's projects:, then --with in order, then the main
// project last), each as its own compose project PROJECT-verify in its own
// folder, and tears them down in the reverse order. The plan is pure: it
// is computed from the projects' own loads before anything runs, and the
// unit tests check it without an engine.

// runProject is one project of a run.
type runProject struct {
	// Orig is the project's own name, Name the one verify brings it up
	// under (ProjectName), Folder its folder in the run's temporary folder.
	Orig, Name, Folder string
	// Opts and T are the project's load options and topology, as every
	// other command loads it.
	Opts topology.Options
	T    *topology.Topology
	// Spec is its rewrite (without the probe image): the external
	// networks an earlier project creates, the routes' backend ports.
	Spec RewriteSpec
}

// plannedRoute is a reverse-proxy route of the original host (Orig) and
// the same route under the verify names (Route), whose layer-4 half
// verify probes.
type plannedRoute struct {
	Orig, Route topology.Route
}

// runPlan is how verify brings the host's projects up and down.
type runPlan struct {
	// Projects are in up order.
	Projects []*runProject
	// Networks maps the engine name of every network a project creates
	// (or names as external without any project creating it) to the name
	// verify creates it under.
	Networks map[string]string
	// Containers maps every container name to its verify name.
	Containers map[string]string
	// Routes are the host's reverse-proxy routes (topology.Routes, across
	// projects) under the verify names.
	Routes []plannedRoute
}

// newPlan plans a run over the projects ts (loaded with opts, in up
// order) whose host is host (their topology.Merge; ts[0] itself when
// there is one project).
//
// Networks are renamed by one rule for every project (NetworkName), and
// an external network is looked up by name (R2-5): when an earlier
// project of the run creates it, the later project keeps it external
// under the verify name; otherwise the first project naming it creates
// it as an ordinary network NAME-verify, and later projects share that
// one (the merge models it as assumed to exist at that project's turn).
func newPlan(opts []topology.Options, ts []*topology.Topology, host *topology.Topology) *runPlan {
	p := &runPlan{Networks: map[string]string{}, Containers: map[string]string{}}
	byOrig := map[string]*runProject{}
	for i, t := range ts {
		rp := &runProject{Orig: t.Project, Name: ProjectName(t.Project), Folder: strconv.Itoa(i+1) + "-" + t.Project, Opts: opts[i], T: t,
			Spec: RewriteSpec{External: map[string]string{}, Listen: map[string][]string{}}}
		// Only the networks a container joins: compose creates no other
		// (nor does the rewrite, which drops unused resources).
		used := map[*topology.Network]bool{}
		for _, c := range t.Containers {
			for _, e := range c.Endpoints {
				used[e.Network] = true
			}
		}
		nets := slices.Clone(t.Networks)
		sort.SliceStable(nets, func(a, b int) bool { return nets[a].Key < nets[b].Key })
		for _, n := range nets {
			if !used[n] {
				continue
			}
			// A network of the host description is external to every
			// project; the rewrite treats it as one.
			external := n.External || n.Declared
			if v, ok := p.Networks[n.Name]; ok {
				if external {
					rp.Spec.External[n.Name] = v
				}
				continue
			}
			v := NetworkName(t.Project, n.Key, n.Name)
			if external {
				v = n.Name + Suffix
			}
			p.Networks[n.Name] = v
		}
		for _, c := range t.Containers {
			if !c.Declared {
				p.Containers[c.Name] = containerName(t.Project, c)
			}
		}
		p.Projects = append(p.Projects, rp)
		byOrig[rp.Orig] = rp
	}
	for _, rp := range p.Projects {
		rp.Spec.Containers = p.Containers
	}
	multi := len(ts) > 1
	// split names a service of host as (project, compose service).
	split := func(s string) (*runProject, string) {
		if !multi {
			return p.Projects[0], s
		}
		proj, svc, _ := strings.Cut(s, "/")
		return byOrig[proj], svc
	}
	rename := func(s string) string {
		if rp, svc := split(s); multi && rp != nil {
			return rp.Name + "/" + svc
		}
		return s
	}
	for _, r := range host.Routes() {
		m := r
		m.Proxy = rename(r.Proxy)
		if r.Backend != "" {
			m.Backend = rename(r.Backend)
		}
		if v, ok := p.Networks[r.Network]; ok {
			m.Network = v
		}
		if v, ok := p.Containers[r.Upstream]; ok {
			m.Upstream = v
		}
		p.Routes = append(p.Routes, plannedRoute{Orig: r, Route: m})
		if r.Port == 0 || r.Backend == "" || r.Unresolved != "" {
			continue
		}
		if rp, svc := split(r.Backend); rp != nil {
			// The backend serves the route's port: the proxy's
			// configuration says its process does.
			pp := strconv.Itoa(int(r.Port)) + "/" + routeProto(r)
			if !slices.Contains(rp.Spec.Listen[svc], pp) {
				rp.Spec.Listen[svc] = append(rp.Spec.Listen[svc], pp)
				sort.Strings(rp.Spec.Listen[svc])
			}
		}
	}
	return p
}

// rename is the verify name of a name of the original host in a
// scenario file: a container name, or project/service on a host of
// several projects; anything else as it is.
func (p *runPlan) rename(s string) string {
	if v, ok := p.Containers[s]; ok {
		return v
	}
	if proj, svc, ok := strings.Cut(s, "/"); ok && len(p.Projects) > 1 {
		for _, rp := range p.Projects {
			if rp.Orig == proj {
				return rp.Name + "/" + svc
			}
		}
	}
	return s
}

// routeProto is the transport of a route's proxied hop: udp for a UDP
// route (a traefik UDP router), tcp otherwise (HTTP and TCP routes), as
// sim.RouteHop asks it.
func routeProto(r topology.Route) string {
	if r.Protocol == "udp" {
		return "udp"
	}
	return "tcp"
}

// containerName is the verify name of container c of project proj:
// compose's PROJECT-SERVICE-N under the verify project, a container_name
// with the suffix.
func containerName(proj string, c *topology.Container) string {
	if c.Name == fmt.Sprintf("%s-%s-%d", proj, c.Service, c.Replica) {
		return fmt.Sprintf("%s-%s-%d", ProjectName(proj), c.Service, c.Replica)
	}
	return c.Name + Suffix
}

// file is the rewritten compose file of rp in the run's folder dir.
func (rp *runProject) file(dir string) string {
	return filepath.Join(dir, rp.Folder, "compose.yaml")
}

// compose is the start of every docker compose command about rp.
func (rp *runProject) compose(dir string) []string {
	return []string{"compose", "-p", rp.Name, "-f", rp.file(dir), "--project-directory", filepath.Join(dir, rp.Folder)}
}

// upArgs brings rp up; it returns when every container has started.
func (rp *runProject) upArgs(dir string) []string {
	return append(rp.compose(dir), "up", "-d", "--no-build", "--remove-orphans")
}

// downArgs removes rp's containers, networks and anonymous volumes.
func (rp *runProject) downArgs(dir string) []string {
	return append(rp.compose(dir), "down", "-v", "--remove-orphans", "--timeout", "1")
}

// downOrder is the teardown order of a run in which the first started
// projects were brought up (or their up began): the last one first, so
// that a network is removed by its creator after every project that
// joined it as external has left it.
func (p *runPlan) downOrder(started int) []*runProject {
	var out []*runProject
	for i := min(started, len(p.Projects)) - 1; i >= 0; i-- {
		out = append(out, p.Projects[i])
	}
	return out
}

// main is the main project (the last in up order).
func (p *runPlan) main() *runProject { return p.Projects[len(p.Projects)-1] }

// names are the verify project names in up order.
func (p *runPlan) names() []string {
	out := make([]string, len(p.Projects))
	for i, rp := range p.Projects {
		out[i] = rp.Name
	}
	return out
}

// loadHost loads every project of the host that main and with describe
// (topology.LoadProjects: the host description's projects:, then with,
// then main), each as every other command loads it, and plans the run.
// Bad input of any project, and clashes between them, come back as one
// *topology.LoadError. Containers of the host description are refused:
// verify starts only what the projects declare.
func loadHost(ctx context.Context, load topology.LoadFunc, main topology.Options, with []string) (*topology.Topology, *runPlan, error) {
	var projOpts []topology.Options
	var projTs []*topology.Topology
	host, err := topology.LoadProjects(ctx, main, with, func(ctx context.Context, o topology.Options) (*topology.Topology, error) {
		t, err := load(ctx, o)
		if err == nil {
			projOpts, projTs = append(projOpts, o), append(projTs, t)
		}
		return t, err
	})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range host.Containers {
		if c.Declared {
			return nil, nil, &ToolError{Msg: "composenet verify brings up only the project itself: drop --host containers (" + c.Name + ") from the run"}
		}
	}
	return host, newPlan(projOpts, projTs, host), nil
}

// rewriteAll writes each project's rewrite (its spec, with the probe
// image) into its folder under dir and returns the rewrites' notes, each
// prefixed with its project when there are several.
func (p *runPlan) rewriteAll(ctx context.Context, rewrite RewriteFunc, image, dir string) ([]string, error) {
	multi := len(p.Projects) > 1
	var notes []string
	if multi {
		notes = append(notes, "projects come up in this order: "+strings.Join(p.names(), ", ")+"; each is its own compose project, torn down in the reverse order")
	}
	for _, rp := range p.Projects {
		spec := rp.Spec
		spec.Image = image
		rw, err := rewrite(ctx, rp.Opts, rp.T, spec)
		if err != nil {
			return nil, err
		}
		if rw.Project != rp.Name {
			return nil, fmt.Errorf("the rewrite named project %s %s, the plan %s (please report)", rp.Orig, rw.Project, rp.Name)
		}
		if err := os.MkdirAll(filepath.Dir(rp.file(dir)), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(rp.file(dir), rw.YAML, 0o644); err != nil {
			return nil, err
		}
		for _, n := range rw.Notes {
			if multi {
				n = rp.Orig + ": " + n
			}
			notes = append(notes, n)
		}
	}
	return notes, nil
}

// model loads the rewritten projects under dir with base's host
// description, daemon settings and latency model, and puts them on one
// host in up order (topology.Merge): what verify predicts with. It also
// returns each project's own load.
func (p *runPlan) model(ctx context.Context, load topology.LoadFunc, dir string, base topology.Options) ([]*topology.Topology, *topology.Topology, error) {
	var models []*topology.Topology
	for _, rp := range p.Projects {
		o := base
		o.Files, o.ProjectName = []string{rp.file(dir)}, rp.Name
		// As topology.LoadProjects loads the originals: a static address on
		// another project's network is for Merge to decide (R3-10).
		o.SharedHost = len(p.Projects) > 1
		mt, err := load(ctx, o)
		if err != nil {
			return nil, nil, fmt.Errorf("the rewritten project %s does not load (please report): %v", rp.Name, err)
		}
		models = append(models, mt)
	}
	t, err := topology.Merge(models)
	if err != nil {
		return nil, nil, fmt.Errorf("the rewritten projects do not share the host as the originals do (please report): %v", err)
	}
	return models, t, nil
}
