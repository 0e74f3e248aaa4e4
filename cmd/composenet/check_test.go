package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// TestCheckJUnitWellFormed decodes the whole JUnit report of the bundled
// e-commerce suite with encoding/xml: every token must parse, and the
// counts must match the test cases.
func TestCheckJUnitWellFormed(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"check", "--format", "junit", "../../examples/ecommerce/ecommerce.scenario.yaml"}, strings.NewReader(""), &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
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
	var doc junitSuites
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 1 || doc.Tests != len(doc.Suites[0].Cases) || doc.Tests < 10 || doc.Failures != 0 || doc.Suites[0].Skipped != 3 {
		t.Errorf("unexpected counts: tests=%d failures=%d suites=%d", doc.Tests, doc.Failures, len(doc.Suites))
	}
}
