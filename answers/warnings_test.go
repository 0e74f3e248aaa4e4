package answers

import (
	"errors"
	"strings"
	"testing"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// WriteError prints every problem of a load error on its own line, each
// escaped whole (a newline in a file name cannot forge a second problem),
// and any other error as its text without trailing newlines.
func TestWriteError(t *testing.T) {
	var b strings.Builder
	le := &topology.LoadError{Problems: []topology.Problem{
		{Pos: topology.Position{File: "a.yaml", Line: 2, Col: 3}, Path: "services.web", Message: "bad"},
		{Pos: topology.Position{File: "evil\nb.yaml", Line: 1, Col: 1}, Message: "x"},
	}}
	WriteError(&b, le)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || lines[0] != "a.yaml:2:3: services.web: bad" || lines[1] != `evil\x0ab.yaml:1:1: x` {
		t.Errorf("load error printed as %q", b.String())
	}
	b.Reset()
	WriteError(&b, errors.New("plain\n\n"))
	if b.String() != "plain\n" {
		t.Errorf("plain error printed as %q", b.String())
	}
}

// WriteReach names the modelled engine last when asked, and only then.
func TestWriteReachEngine(t *testing.T) {
	r := sim.Result{From: "web", To: "db", Verdict: sim.Delivered, Reachable: true}
	var with, without strings.Builder
	if err := WriteReach(&with, r, Options{Engine: "20.10", ASCIIOnly: true}); err != nil {
		t.Fatal(err)
	}
	WriteReach(&without, r, Options{ASCIIOnly: true})
	if with.String() != without.String()+"model: Docker Engine 20.10 (--engine)\n" || strings.Contains(without.String(), "model:") {
		t.Errorf("with:\n%s\nwithout:\n%s", with.String(), without.String())
	}
}
