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

// refJUnit is how WriteJUnit wrote the document with encoding/xml before
// it wrote it by hand: the reference for TestJUnitMatchesEncodingXML.
func refJUnit(w io.Writer, doc JUnitSuites) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.EncodeElement(doc, xml.StartElement{Name: xml.Name{Local: "testsuites"}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// TestJUnitMatchesEncodingXML: the hand-written JUnit document has the
// bytes of encoding/xml's indented encoder, for the bundled suite and for
// documents with every shape (no suites, a suite without cases, failures,
// skips, both) and hostile strings (markup, quotes, line breaks, control
// characters, invalid UTF-8, U+FFFD, characters outside the BMP).
func TestJUnitMatchesEncodingXML(t *testing.T) {
	sc, err := Load("../examples/ecommerce/ecommerce.scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), sc, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	hostile := []string{"", "plain", `a "quoted" & <tagged> 'x'`, "line\nbreak\r\ttab", "ctl\x00\x01\x1b[2J\x7f", "bad \xff\xfe utf8", "repl \uFFFD ok", "emoji 🐳 \U0010FFFF", "\u2028\ud7ff\ue000"}
	docs := []JUnitSuites{JUnit([]*Report{rep}), {}, {Tests: 0, Suites: []JUnitSuite{{Name: "empty"}}}}
	var cases []JUnitCase
	for i, s := range hostile {
		c := JUnitCase{Name: s, Classname: hostile[(i+1)%len(hostile)], File: hostile[(i+2)%len(hostile)]}
		switch i % 4 {
		case 1:
			c.Failure = &JUnitFailure{Message: s, Type: "fail", Body: hostile[(i+3)%len(hostile)]}
		case 2:
			c.Skipped = &JUnitFailure{Message: s}
		case 3:
			c.Failure = &JUnitFailure{Message: s, Body: s}
			c.Skipped = &JUnitFailure{Message: s, Type: s, Body: s}
		}
		cases = append(cases, c)
	}
	docs = append(docs, JUnitSuites{Tests: len(cases), Failures: 2, Suites: []JUnitSuite{{Name: "hostile\n\"x\"", Tests: len(cases), Cases: cases}, {Name: "second", Cases: cases[:1]}}})
	for i, doc := range docs {
		var got, want bytes.Buffer
		if err := writeJUnit(&got, doc); err != nil {
			t.Fatal(err)
		}
		if err := refJUnit(&want, doc); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("document %d differs from encoding/xml:\n got %q\nwant %q", i, got.String(), want.String())
		}
	}
}
