package dot

import (
	"fmt"
	"strings"
	"testing"

	"gonum.org/v1/gonum/graph/encoding/dot"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
)

func TestSummary(t *testing.T) {
	topo := fixture.Load(fixture.ECommerceYAML)
	out := Summary(topo)
	for _, want := range []string{
		"shop · summary: 2 networks, 6 containers",
		"shop_backend-network\n172.18.0.0/16\n5 containers\negress",
		"shop_frontend-network\n172.19.0.0/16\n5 containers\negress",
		`n0 -> n1 [dir=none, penwidth=2.50, tooltip="shop_backend-network and shop_frontend-network share 4 containers"`,
		`host -> n0 [label="5 published"`,
	} {
		if !strings.Contains(strings.ReplaceAll(out, `\n`, "\n"), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if Summary(topo) != out {
		t.Error("summary is not deterministic")
	}
	g := simple.NewDirectedGraph()
	if err := dot.Unmarshal([]byte(out), g); err != nil {
		t.Errorf("summary DOT does not parse: %v", err)
	}
}

// TestSummaryLayout: the summary is laid out with dot up to sfdpNetworks
// networks (sfdp's overlap removal fails on tiny graphs in the
// WebAssembly Graphviz) and with sfdp above.
func TestSummaryLayout(t *testing.T) {
	for _, tc := range []struct {
		nets int
		want string
	}{{1, "layout=dot"}, {sfdpNetworks, "layout=dot"}, {sfdpNetworks + 1, "layout=sfdp"}} {
		b := fixture.New("p")
		for i := range tc.nets {
			b.Net(fmt.Sprintf("n%d", i), fmt.Sprintf("10.%d.0.0/24", i)).Svc(fmt.Sprintf("s%d", i), "", "img", 1, []string{fmt.Sprintf("n%d", i)})
		}
		if out := Summary(b.Topology()); !strings.Contains(out, tc.want) {
			t.Errorf("%d networks: want %s", tc.nets, tc.want)
		}
	}
}

// The renderer draws the summary when asked, whatever the overlays, and
// the full picture otherwise.
func TestRendererSummary(t *testing.T) {
	topo := fixture.Load(fixture.ECommerceYAML)
	var sum, full strings.Builder
	if err := (Renderer{Summary: true}).Render(&sum, topo, render.Options{Highlights: []render.Flow{fixture.GatewayToDB()}, HidePorts: true}); err != nil {
		t.Fatal(err)
	}
	if sum.String() != Summary(topo) {
		t.Errorf("summary renderer differs from Summary")
	}
	if err := (Renderer{}).Render(&full, topo, render.Options{}); err != nil || full.String() == sum.String() || !strings.Contains(full.String(), "postgres-db") {
		t.Errorf("full picture: %v", err)
	}
}
