package sim

import (
	"strings"
	"testing"
)

// TestR79LoopbackOnlyClientSeesRST: a port published on 127.0.0.1 only,
// asked for on the host's LAN address: no DNAT rule and no docker-proxy
// listen there, so the kernel resets; the client sees connection refused,
// not a timeout (R7-9, R10-5), from the internet and from the host alike.
func TestR79LoopbackOnlyClientSeesRST(t *testing.T) {
	s := New(loadYAML(t, "p", "name: p\nservices:\n  ui: {image: x, ports: [\"127.0.0.1:5601:5601\"]}\n"))
	for _, from := range []string{"internet", "host"} {
		r := s.Reach(Query{From: from, To: "host", Port: 5601})
		if r.Verdict != LoopbackOnly || !strings.Contains(r.ClientSees, "RST") || !strings.Contains(r.ClientSees, "ECONNREFUSED") {
			t.Errorf("from %s: %s, client sees %q", from, r.Verdict, r.ClientSees)
		}
		for _, b := range r.BlockedBy {
			if strings.Contains(b.Rule, "DROP") {
				t.Errorf("from %s: blocker names a DROP rule that did not apply: %s", from, b.Rule)
			}
		}
	}
}
