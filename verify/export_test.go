package verify

import (
	"context"

	"github.com/composenet/composenet/topology"
)

// The external tests (package verify_test) rewrite with verify/rewrite,
// which imports this package; they reach the run's planning through these.

// TestPlan is a run's plan, as newPlan makes it.
type TestPlan struct{ p *runPlan }

// LoadHostForTest is loadHost.
func LoadHostForTest(ctx context.Context, load topology.LoadFunc, main topology.Options, with []string) (*topology.Topology, *TestPlan, error) {
	host, p, err := loadHost(ctx, load, main, with)
	if err != nil {
		return nil, nil, err
	}
	return host, &TestPlan{p}, nil
}

// Prepare writes the rewrites into dir and loads the model of the host
// they make (rewriteAll, then model).
func (tp *TestPlan) Prepare(ctx context.Context, load topology.LoadFunc, rewrite RewriteFunc, dir string) ([]string, *topology.Topology, error) {
	notes, err := tp.p.rewriteAll(ctx, rewrite, "composenet-probe:test", dir)
	if err != nil {
		return nil, nil, err
	}
	_, t, err := tp.p.model(ctx, load, dir, topology.Options{})
	return notes, t, err
}

// Routes are the planned routes: the original and the verify one.
func (tp *TestPlan) Routes() (orig, renamed []topology.Route) {
	for _, r := range tp.p.Routes {
		orig, renamed = append(orig, r.Orig), append(renamed, r.Route)
	}
	return orig, renamed
}

// Containers maps the original container names to the verify ones.
func (tp *TestPlan) Containers() map[string]string { return tp.p.Containers }

// Networks maps the original network names to the verify ones.
func (tp *TestPlan) Networks() map[string]string { return tp.p.Networks }
