package bench_test

import (
	"testing"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/ascii"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/render/mermaid"
	"github.com/composenet/composenet/render/svg"
)

// TestBodies runs every benchmark body once on a small generated project
// so that the benchmarks cannot rot between `make bench` runs.
func TestBodies(t *testing.T) {
	fx := load(t, 20)
	if len(fx.top.Containers) < 20 {
		t.Fatalf("%d containers for 20 services", len(fx.top.Containers))
	}
	bodies := map[string]func(testing.TB, *fixture){
		"reach":   reachBody,
		"resolve": resolveBody,
		"simnew":  newBody,
		"matrix":  matrixBody,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) { body(t, fx) })
	}
	classesBody(t, fx.sim.Matrix(fx.port, "tcp"))
	for _, r := range []render.Renderer{dot.Renderer{}, mermaid.Renderer{}, ascii.Renderer{}, svg.Renderer{}} {
		renderBody(r)(t, fx)
		renderCheck(t, r, fx)
	}
}
