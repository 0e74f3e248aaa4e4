package scenarios

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
)

// JUnitSuites is the JUnit XML document WriteJUnit writes: one test suite
// per scenario, one test case per expectation or flow. Failures (and
// unexpected passes) carry the text report of the case; known failures are
// skipped cases.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

// JUnitSuite is one scenario.
type JUnitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []JUnitCase `xml:"testcase"`
}

// JUnitCase is one expectation or flow.
type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
	Skipped   *JUnitFailure `xml:"skipped,omitempty"`
}

// JUnitFailure is a failure or a skip reason.
type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

// JUnit converts reports into the JUnit document.
func JUnit(reports []*Report) JUnitSuites {
	var all JUnitSuites
	for _, rep := range reports {
		s := JUnitSuite{Name: rep.Name}
		for _, r := range rep.Results {
			c := JUnitCase{Name: r.Kind + ": " + r.Text, Classname: rep.File, File: r.Position}
			switch r.Status {
			case Fail, XPass:
				var b bytes.Buffer
				WriteText(&b, []*Report{{File: rep.File, Name: rep.Name, Project: rep.Project, Results: []Result{r}}})
				c.Failure = &JUnitFailure{Message: r.Message, Type: string(r.Status), Body: strings.TrimSpace(b.String())}
				s.Failures++
			case XFail:
				c.Skipped = &JUnitFailure{Message: "known failure: " + r.XFail}
				s.Skipped++
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Suites = append(all.Suites, s)
	}
	return all
}

// WriteJUnit writes reports as a JUnit XML document (see JUnitSuites).
func WriteJUnit(w io.Writer, reports []*Report) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(JUnit(reports)); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
