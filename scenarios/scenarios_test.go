package scenarios

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/composenet/composenet/topology/loader"
)

// TestOrderFlowLatencyByHand checks the e-commerce order flow against a
// hand computation under the documented model (FlowResult). Default latency
// model (R10): a container-to-container call on one network costs the
// embedded DNS lookup 0.100 + veth 0.002 + bridge 0.001 + veth 0.002, and
// the reply veth+bridge+veth 0.005: 0.110 ms. The client's call through the
// published port 80 (R8-9, DNAT): wire 20 + raw 0.003 + DNAT 0.005 +
// FORWARD 0.003 + bridge 0.001 + veth 0.002, reply 0.002 + 0.001 + conntrack
// 0.003 + wire 20: 40.020 ms.
func TestOrderFlowLatencyByHand(t *testing.T) {
	sc, err := Load("../examples/ecommerce/ecommerce.scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	var fr *FlowResult
	for _, r := range rep.Results {
		if r.Kind == "flow" && strings.HasPrefix(r.Text, "place order") {
			fr = r.Flow
		}
	}
	if fr == nil {
		t.Fatal("no place order flow")
	}
	const c2c, ext = 0.110, 40.020
	// processing: gateway 1, order 5, user 2, product 2, payment 10, db 3.
	// client -> gateway -> order; order calls user, product, payment in
	// sequence, then the database itself (the guide's steps 1-5).
	want := ext + 1 + c2c + 5 +
		(c2c + 2) + (c2c + 2) + (c2c + 10) + (c2c + 3)
	if math.Abs(fr.LatencyMS-want) > 1e-9 {
		t.Errorf("end-to-end = %.6f ms, want %.6f", fr.LatencyMS, want)
	}
	if want != 40.020+1+0.110+5+2.110+2.110+10.110+3.110 {
		t.Fatal("hand sum changed")
	}
	// Sequential calls: every call is on the critical path, and the
	// critical path's network+processing adds up to the total.
	if len(fr.CriticalPath) != 6 || len(fr.Calls) != 6 {
		t.Errorf("critical path has %d calls of %d, want 6 of 6", len(fr.CriticalPath), len(fr.Calls))
	}
	if last := fr.CriticalPath[len(fr.CriticalPath)-1]; last.From != "order-service" || last.To != "database" {
		t.Errorf("the database call comes from %s (join after the group), want order-service", last.From)
	}
	var sum float64
	for _, c := range fr.CriticalPath {
		sum += c.NetworkMS + c.ProcessingMS
	}
	if math.Abs(sum-fr.LatencyMS) > 1e-9 {
		t.Errorf("critical path sums to %.6f, total %.6f", sum, fr.LatencyMS)
	}
}

// TestParallelFlowTakesSlowest: in parallel[...] only the slowest call
// counts, and it alone is on the critical path.
func TestParallelFlowTakesSlowest(t *testing.T) {
	src := `compose: [compose.yaml]
flows:
  - chain: order-service -> parallel[user-service:3001, payment-service:3004, product-service:3002]
    processing: {user-service: 2ms, payment-service: 10ms, product-service: 2ms}
`
	sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	fr := rep.Results[0].Flow
	if math.Abs(fr.LatencyMS-10.110) > 1e-9 {
		t.Errorf("latency %.6f, want 10.110", fr.LatencyMS)
	}
	if len(fr.CriticalPath) != 1 || fr.CriticalPath[0].To != "payment-service" {
		t.Errorf("critical path %+v, want payment-service only", fr.CriticalPath)
	}
}

func TestParseErrorsPositioned(t *testing.T) {
	src := `name: bad
compose: compose.yaml
frobnicate: 1
what_if:
  - stop: [a]
  - explode: x
expect:
  - reach: gateway => db
  - blocked: a -> b:99999
  - reach: a -> b:80
    verdict: dropped-isolation
  - dns: {from: a}
  - reach: a -> b:80
    max_latency: fast
flows:
  - chain: client -> [a:1, b]
`
	_, err := Parse("s.yaml", []byte(src))
	if err == nil {
		t.Fatal("want errors")
	}
	got := err.Error()
	for _, want := range []string{
		"s.yaml:3:1: frobnicate: unknown field \"frobnicate\"",
		"s.yaml:5:11: what_if.0.stop: want a string",
		"s.yaml:6:5: what_if.1.explode: unknown what-if \"explode\"",
		"s.yaml:8:12: expect.0.reach: want FROM -> TO[:PORT][/PROTO], got \"gateway => db\"",
		"s.yaml:9:14: expect.1.blocked: invalid port \"99999\"",
		"s.yaml:11:14: expect.2.verdict: reach with verdict dropped-isolation contradicts itself; use blocked",
		"s.yaml:12:10: expect.3.dns: dns needs from: and name:",
		"s.yaml:14:18: expect.4.max_latency: want a positive duration such as 3ms or 250us, got \"fast\"",
		"s.yaml:12:10: expect.3.dns: dns needs answers: [...] or rcode: nxdomain|servfail|noerror",
		"s.yaml:16:12: flows.0.chain: element 2: \"b\" needs a port (NAME:PORT)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 10 {
		t.Errorf("got %d problems, want 10 (every problem at once):\n%s", n, got)
	}
}

func TestParseYAMLSyntaxError(t *testing.T) {
	_, err := Parse("s.yaml", []byte("compose: [a\nexpect: x\n"))
	if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:") {
		t.Fatalf("want positioned syntax error, got %v", err)
	}
}

func TestRunRejectsBadNamesAndWhatIfs(t *testing.T) {
	src := `compose: [compose.yaml]
what_if:
  - disconnect: {service: gateway, network: frontend-network}
  - stop: nobody
expect:
  - reach: ghost -> gateway:80
`
	sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), sc, loader.Load)
	if err == nil {
		t.Fatal("want error")
	}
	got := err.Error()
	// R8-7: gateway publishes port 80 through its frontend endpoint.
	for _, want := range []string{
		"x.scenario.yaml:3:5: what_if.0: disconnect: api-gateway publishes ports through its endpoint on frontend-network (R8-7)",
		"x.scenario.yaml:4:5: what_if.1: stop: unknown service \"nobody\"",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

// TestWhatIfDisconnectR67: after disconnecting user-service from
// frontend-network, the gateway's embedded DNS no longer answers
// user-service (R6-7, only registered on backend-network now), while
// user-service still reaches the database.
func TestWhatIfDisconnectR67(t *testing.T) {
	src := `compose: [compose.yaml]
what_if:
  - disconnect: {service: user-service, network: frontend-network}
expect:
  - blocked: gateway -> user-service:3001
    verdict: name-not-resolved
  - reach: gateway -> product-service:3002
  - reach: user-service -> database:5432
  - dns: {from: order-service, name: user-service, answers: [user-service@backend-network]}
`
	sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Status != Pass {
			t.Errorf("%s %s: %s %s", r.Kind, r.Text, r.Status, r.Message)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, g := range []string{"*/*.scenario.yaml"} {
		files, _ := filepath.Glob(g)
		for _, file := range files {
			if b, err := os.ReadFile(file); err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("compose: [a]\nflows: [{chain: 'a -> parallel[b:1, c:2] -> d:3'}]\n"))
	f.Add([]byte("expect: [{dns: {from: a, name: b, answers: [x@y]}}]"))
	f.Add([]byte("compose: [a]\nwith: [../p, {path: q, project: x, profiles: [y]}, {image: z}, ~, 3]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("f.yaml", data)
		if err == nil && sc == nil {
			t.Fatal("nil scenario without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "f.yaml") {
			t.Fatalf("error without position: %v", err)
		}
	})
}

// TestScenarioLimits: a scenario file is read only if it is a regular file
// of at most 32 MiB, and its lists are bounded (issue 10). The long list
// is generated here, not committed.
func TestScenarioLimits(t *testing.T) {
	dir := t.TempDir()
	many := "compose: [c.yaml]\nexpect:\n" + strings.Repeat("  - reach: a -> b:80\n", MaxExpectations+1)
	if err := os.WriteFile(filepath.Join(dir, "many.scenario.yaml"), []byte(many), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "p.scenario.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ file, want string }{
		{filepath.Join(dir, "many.scenario.yaml"), "many.scenario.yaml:2:1: expect: 10001 entries; composenet accepts at most 10000 expect entries in one scenario file"},
		{fifo, "p.scenario.yaml: cannot read scenario: is a named pipe (FIFO); composenet reads only regular files"},
		{"/dev/zero", "/dev/zero: cannot read scenario: is a character device; composenet reads only regular files"},
	}
	for _, tc := range tests {
		_, err := Load(tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.file, err, tc.want)
		}
	}
}

// TestWhatIfConnect: connect attaches every replica with the lowest free
// address (R3-8) and registers the service name and the aliases (R6-3);
// a connect that would move published ports (R5-3, R8-7) is refused.
func TestWhatIfConnect(t *testing.T) {
	src := `compose: [compose.yaml]
what_if:
  - connect: {service: database, network: frontend-network, aliases: [db]}
expect:
  - reach: gateway -> db:5432
  - reach: gateway -> database:5432
`
	sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 {
		t.Fatalf("%d results", len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Status != Pass {
			t.Errorf("%s %s: %s %s", r.Kind, r.Text, r.Status, r.Message)
		}
	}
	// Without the what-if the database is not on the gateway's network.
	sc.WhatIfs = nil
	if rep, err = Run(context.Background(), sc, loader.Load); err == nil && rep.Results[0].Status == Pass {
		t.Error("gateway reaches db without the connect")
	}

	bad := `compose: [compose.yaml]
what_if:
  - connect: {service: gateway, network: backend-network}
  - connect: {service: nobody, network: backend-network, extra: 1}
`
	if _, err := Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(bad)); err == nil || !strings.Contains(err.Error(), `x.scenario.yaml:4:58: what_if.1.connect.extra: unknown field "extra" (known: service, network, aliases)`) {
		t.Errorf("got %v", err)
	}
	sc, err = Parse(filepath.Join("..", "examples", "ecommerce", "x.scenario.yaml"), []byte(strings.Replace(bad, ", extra: 1", "", 1)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), sc, loader.Load)
	for _, want := range []string{
		"x.scenario.yaml:3:5: what_if.0: connect: api-gateway publishes ports through its gateway endpoint; connecting to backend-network would make that the gateway and move them (R5-3, R8-7)",
		`x.scenario.yaml:4:5: what_if.1: connect: unknown service "nobody"`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
}
