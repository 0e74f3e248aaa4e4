package scenarios

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// thousandExpectations is a scenario on the e-commerce example with 1000
// reach/blocked/dns expectations.
func thousandExpectations() []byte {
	var b strings.Builder
	b.WriteString("compose: [compose.yaml]\nproject: ecommerce\nexpect:\n")
	svcs := []string{"gateway", "user-service", "product-service", "order-service", "payment-service", "database"}
	ports := []int{80, 3001, 3002, 3003, 3004, 5432}
	for i := 0; i < 1000; i++ {
		from, to := svcs[i%6], svcs[(i/6)%6]
		switch i % 3 {
		case 0, 1:
			fmt.Fprintf(&b, "  - reach: %s -> %s:%d\n    xfail: mixed on purpose\n", from, to, ports[(i/6)%6])
		default:
			fmt.Fprintf(&b, "  - dns: {from: %s, name: %s, rcode: noerror}\n    xfail: mixed on purpose\n", from, to)
		}
	}
	return []byte(b.String())
}

// BenchmarkCheck1000 runs a 1000-expectation scenario: parse, load the
// project once, run everything. Compare with BenchmarkLoadOnly: the
// difference is what the expectations add (issue 6 target: < 100 ms).
func BenchmarkCheck1000(b *testing.B) {
	src := thousandExpectations()
	b.ReportAllocs()
	for b.Loop() {
		sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "bench.scenario.yaml"), src)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Run(context.Background(), sc, loader.Load)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Results) != 1000 {
			b.Fatalf("%d results", len(rep.Results))
		}
	}
}

// BenchmarkLoadOnly loads the same project once.
func BenchmarkLoadOnly(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loader.Load(context.Background(), benchOptions("ecommerce")); err != nil {
			b.Fatal(err)
		}
	}
}

// benchOptions returns load options for a bundled example folder.
func benchOptions(dir string) topology.Options {
	return topology.Options{Files: []string{"compose.yaml"}, Dir: filepath.Join("..", "examples", dir), ProjectName: "ecommerce", Env: []string{}}
}

func TestCheck1000BodyOnce(t *testing.T) {
	sc, err := Parse(filepath.Join("..", "examples", "ecommerce", "bench.scenario.yaml"), thousandExpectations())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil || len(rep.Results) != 1000 {
		t.Fatalf("results %v err %v", rep, err)
	}
}
