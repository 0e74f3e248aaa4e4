package scenarios

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"testing"

	"github.com/composenet/composenet/topology/loader"
)

// TestJUnitWellFormed decodes the whole JUnit report of the bundled
// e-commerce suite with encoding/xml: every token must parse, and the
// counts must match the test cases.
func TestJUnitWellFormed(t *testing.T) {
	sc, err := Load("../examples/ecommerce/ecommerce.scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteJUnit(&out, []*Report{rep}); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(out.Bytes()))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 || doc.Tests != len(doc.Suites[0].Cases) || doc.Tests < 10 || doc.Failures != 0 || doc.Suites[0].Skipped != 3 {
		t.Errorf("unexpected counts: tests=%d failures=%d suites=%d", doc.Tests, doc.Failures, len(doc.Suites))
	}
}
