package svg_test

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/svg"
	"github.com/composenet/composenet/topology"
)

var (
	nodeGroup = regexp.MustCompile(`(?s)<g id="([^"]*)" class="node ?([^"]*)">(.*?)</g>`)
	pointPair = regexp.MustCompile(`-?[0-9.]+,(-?[0-9.]+)`)
	textY     = regexp.MustCompile(`<text [^>]*\by="(-?[0-9.]+)"`)
)

// nodeSpans returns the vertical extent (SVG y, downwards) of every node
// of a Graphviz SVG, by the id of its group.
func nodeSpans(t *testing.T, out []byte) (spans map[string][2]float64, legend string) {
	t.Helper()
	spans = map[string][2]float64{}
	for _, m := range nodeGroup.FindAllSubmatch(out, -1) {
		lo, hi := math.Inf(1), math.Inf(-1)
		var ys []string
		for _, p := range pointPair.FindAllSubmatch(m[3], -1) {
			ys = append(ys, string(p[1]))
		}
		for _, p := range textY.FindAllSubmatch(m[3], -1) {
			ys = append(ys, string(p[1]))
		}
		for _, s := range ys {
			y, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi = min(lo, y), max(hi, y)
		}
		if len(ys) == 0 {
			continue
		}
		spans[string(m[1])] = [2]float64{lo, hi}
		if bytes.Contains(m[2], []byte("legend")) {
			legend = string(m[1])
		}
	}
	return spans, legend
}

// TestLegendBelowEverything lays out the golden pictures and 50 generated
// services and checks that the legend's top is below the bottom of every
// other node: the legend is tied below the lowest node of each group only
// (dot.legendTies), not below every container.
func TestLegendBelowEverything(t *testing.T) {
	cases := fixture.Cases()
	y, err := gen.Generate(gen.Config{Services: 50, Networks: 5, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	generated := fixture.Load(string(y))
	cases = append(cases, fixture.Case{Name: "generated-50", Top: func() *topology.Topology { return generated }, Opt: render.Options{}})
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (svg.Renderer{}).Render(&buf, c.Top(), c.Opt); err != nil {
				t.Fatal(err)
			}
			spans, legend := nodeSpans(t, buf.Bytes())
			if legend == "" || len(spans) < 3 {
				t.Fatalf("found %d nodes and legend %q in the SVG", len(spans), legend)
			}
			top := spans[legend][0]
			for id, s := range spans {
				if id != legend && s[1] > top {
					t.Errorf("node %s reaches down to y=%.1f, below the legend's top y=%.1f", id, s[1], top)
				}
			}
		})
	}
}
