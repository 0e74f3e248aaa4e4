package loader

import (
	"fmt"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestInactiveProfilesKept: R1-10 services of disabled profiles build
// nothing but are remembered with their profiles, so that a reference to
// one can be explained.
func TestInactiveProfilesKept(t *testing.T) {
	const src = "name: p\nservices:\n  app: {image: x}\n  db: {image: postgres, profiles: [database, full]}\n  dbg: {image: x, profiles: [debug]}\n"
	topo := mustLoad(t, src, topology.Options{})
	if got := fmt.Sprint(topo.Inactive); got != "[{db [database full]} {dbg [debug]}]" {
		t.Errorf("Inactive = %s", got)
	}
	if topo.Service("db") != nil || topo.InactiveService("db") == nil || topo.InactiveService("app") != nil {
		t.Error("db must be inactive, app active")
	}
	on := mustLoad(t, src, topology.Options{Profiles: []string{"database"}})
	if got := fmt.Sprint(on.Inactive); got != "[{dbg [debug]}]" {
		t.Errorf("with --profile database: Inactive = %s", got)
	}
}
