package svg

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/topology"
)

// TestLook writes the example pictures (DOT and SVG) to the directory in
// COMPOSENET_LOOK, for looking at them by eye; it is skipped otherwise.
func TestLook(t *testing.T) {
	dir := os.Getenv("COMPOSENET_LOOK")
	if dir == "" {
		t.Skip("set COMPOSENET_LOOK=DIR to write the example pictures")
	}
	run := func(name string, top *topology.Topology, opt render.Options) {
		v, err := render.Build(top, opt)
		if err != nil {
			t.Fatal(err)
		}
		src := dot.String(v)
		if err := os.WriteFile(filepath.Join(dir, name+".dot"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := FromDOT(t.Context(), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".svg"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("ecommerce", fixture.ECommerce(), render.Options{})
	run("ecommerce-flows", fixture.ECommerce(), render.Options{Highlights: []render.Flow{fixture.GatewayToDB(), fixture.GatewayBlocked(), fixture.InternetToGateway()}})
	run("production", fixture.Production(), render.Options{})
	run("modes", fixture.Modes(), render.Options{})
	for _, ex := range []string{"ecommerce", "production", "secure"} {
		dir, _ := filepath.Abs(filepath.Join("..", "..", "examples", ex))
		top, err := loader.Load(t.Context(), topology.Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		run("real-"+ex, top, render.Options{})
	}
}
