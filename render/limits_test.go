package render_test

import (
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
)

// Diagram limits and choices: a container on more than MaxNetworksLayout
// networks is refused for the Graphviz formats only; the summary is
// drawn for svg/dot when asked or, automatically, for a large project
// without focus; --hide knows ports only.
func TestLayoutChoices(t *testing.T) {
	nets := make([]string, render.MaxNetworksLayout+1)
	wide := fixture.New("p")
	for i := 0; i <= render.MaxNetworksLayout; i++ {
		name := "n" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		wide.Net(name, "10."+itoa(i)+".0.0/24")
		nets[i] = name
	}
	wide.Svc("web", "p-web-1", "", 1, nets)
	for _, f := range []string{"svg", "dot"} {
		if err := render.CheckLayout(wide.Topology(), f); err == nil || !strings.Contains(err.Error(), "p-web-1 joins 101 networks: at most 100") {
			t.Errorf("%s: %v", f, err)
		}
	}
	if err := render.CheckLayout(wide.Topology(), "ascii"); err != nil {
		t.Errorf("ascii: %v", err)
	}
	small := fixture.New("p").Net("a", "10.0.0.0/24").Svc("web", "p-web-1", "", 1, []string{"a"}).Topology()
	for _, c := range []struct {
		format, mode, focus string
		use, auto, bad      bool
	}{
		{"svg", "on", "", true, false, false},
		{"dot", "on", "web", true, false, false},
		{"ascii", "on", "", false, false, false},
		{"svg", "auto", "", false, false, false}, // one container is below the threshold
		{"svg", "off", "", false, false, false},
		{"svg", "sometimes", "", false, false, true},
	} {
		use, auto, err := render.UseSummary(small, c.format, c.mode, c.focus)
		if use != c.use || auto != c.auto || (err != nil) != c.bad {
			t.Errorf("%+v: use %v auto %v err %v", c, use, auto, err)
		}
	}
	var opt render.Options
	if err := opt.ParseHide([]string{"ports", " ports"}); err != nil || !opt.HidePorts {
		t.Errorf("hide ports: %v %v", err, opt.HidePorts)
	}
	if err := opt.ParseHide([]string{"routes"}); err != nil || !opt.HideRoutes {
		t.Errorf("hide routes: %v %v", err, opt.HideRoutes)
	}
	if err := opt.ParseHide([]string{"ports,labels"}); err == nil || err.Error() != `--hide: unknown "labels" (want ports or routes)` {
		t.Errorf("hide labels: %v", err)
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
