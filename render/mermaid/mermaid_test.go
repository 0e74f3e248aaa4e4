package mermaid_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/mermaid"
)

func renderCase(t *testing.T, c fixture.Case) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (mermaid.Renderer{}).Render(&buf, c.Top(), c.Opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestGolden(t *testing.T) {
	for _, c := range fixture.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			fixture.Golden(t, c.Name+".mmd", []byte(renderCase(t, c)))
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range fixture.Cases() {
		if a, b := renderCase(t, c), renderCase(t, c); a != b {
			t.Errorf("%s: two renders differ", c.Name)
		}
	}
}

var linkRE = regexp.MustCompile(`(?m)^  \S+ (---|-->|-\.->|==>|--x)(\|"[^"]*"\|)? \S+$`)
var styleRE = regexp.MustCompile(`(?m)^  linkStyle (\d+) `)

// TestStructure checks what Mermaid would reject or mis-style: balanced
// subgraphs, linkStyle indexes within the links, no raw quotes in labels.
func TestStructure(t *testing.T) {
	for _, c := range fixture.Cases() {
		out := renderCase(t, c)
		if !strings.Contains(out, "\nflowchart TB\n") {
			t.Errorf("%s: no flowchart header", c.Name)
		}
		if s, e := strings.Count(out, "\n  subgraph "), strings.Count(out, "\n  end\n"); s != e {
			t.Errorf("%s: %d subgraphs, %d ends", c.Name, s, e)
		}
		links := len(linkRE.FindAllString(out, -1))
		for _, m := range styleRE.FindAllStringSubmatch(out, -1) {
			if i, _ := strconv.Atoi(m[1]); i >= links {
				t.Errorf("%s: linkStyle %d but only %d links", c.Name, i, links)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Count(line, `"`)%2 != 0 {
				t.Errorf("%s: unbalanced quotes: %s", c.Name, line)
			}
		}
	}
}

func TestOverlays(t *testing.T) {
	out := renderCase(t, fixture.Case{Top: fixture.ECommerce, Opt: render.Options{Highlights: []render.Flow{fixture.GatewayToDB(), fixture.GatewayBlocked()}}})
	for _, want := range []string{
		`c_user_service ==>|"1a DNS database -#gt; 172.18.0.2<br/>bridge (icc on)<br/>0.103 ms"| n_shop_backend_network_gw`,
		`✓ total 0.106 ms`,
		`c_api_gateway --x|"2a DNS database: NXDOMAIN<br/>0.1 ms<br/>✗ dropped: R6-9 name not resolvable; R7-2 isolation"| n_shop_frontend_network_gw`,
		"class n_shop_frontend_network_gw blocked",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}
