package dot

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/graph/encoding/dot"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/composenet/composenet/internal/fixture"
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
