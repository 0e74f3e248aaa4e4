package sim

import (
	"testing"
)

// TestUnresolvedExplainsWhy: a name that resolves to nothing is explained
// by what it is: a service a what-if stopped, a service of a profile that
// is not active (R1-10), or an unknown name with the closest names (R6-9).
func TestUnresolvedExplainsWhy(t *testing.T) {
	tp := loadYAML(t, t.TempDir(), "name: p\nservices:\n  web: {image: nginx}\n  db: {image: postgres}\n  cache: {image: redis, profiles: [extra]}\n")
	stopped, err := tp.Stopped("db")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		s    *Sim
		to   string
		fix  string
	}{
		{"stopped by a what-if", New(stopped), "db", "db has no running container: stopped by this what-if"},
		{"R1-10 inactive profile", New(tp), "cache", "cache is in profile extra, which is not active: add --profile extra"},
		{"R6-9 unknown name, did you mean", New(tp), "wbe", `no service, container, alias or hostname "wbe" exists in the project: check the name (did you mean web?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.s.Reach(Query{From: "web", To: tc.to, Port: 80})
			if r.Verdict != NameNotResolved || len(r.BlockedBy) != 1 || r.BlockedBy[0].Fix != tc.fix {
				t.Errorf("verdict %s, blockers %+v; want fix %q", r.Verdict, r.BlockedBy, tc.fix)
			}
		})
	}
}
