package viewer

import (
	"os"
	"regexp"
	"testing"

	"github.com/composenet/composenet/sim"
)

// TestEveryVerdictHasItsOwnColour: the page's verdict colour map names
// every verdict sim can give, each with a colour no other verdict uses, so
// a new verdict cannot reach the heat map uncoloured or look like another.
func TestEveryVerdictHasItsOwnColour(t *testing.T) {
	js, err := os.ReadFile("assets/viewer.js")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)const verdictColour = \{(.*?)\};`).FindSubmatch(js)
	if block == nil {
		t.Fatal("viewer.js has no verdictColour map")
	}
	colours := map[string]string{}
	owner := map[string]string{}
	for _, m := range regexp.MustCompile(`'([a-z-]+)': '(#[0-9a-f]{6})'`).FindAllSubmatch(block[1], -1) {
		v, c := string(m[1]), string(m[2])
		colours[v] = c
		if o, ok := owner[c]; ok {
			t.Errorf("%s and %s share the colour %s", o, v, c)
		}
		owner[c] = v
	}
	for _, v := range sim.Verdicts() {
		if _, ok := colours[v.String()]; !ok {
			t.Errorf("verdict %s has no colour in viewer.js", v)
		}
	}
}
