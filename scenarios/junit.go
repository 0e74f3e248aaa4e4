package scenarios

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JUnitSuites is the JUnit XML document WriteJUnit writes: one test suite
// per scenario, one test case per expectation or flow. Failures (and
// unexpected passes) carry the text report of the case; known failures are
// skipped cases. The xml tags say how the document maps onto the types
// (encoding/xml reads it back into them); WriteJUnit writes it by hand,
// with the bytes encoding/xml's indented encoder would write, so that
// composenet does not link encoding/xml, whose initialiser every start
// paid (issue 15).
type JUnitSuites struct {
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

// WriteJUnit writes reports as a JUnit XML document (see JUnitSuites):
// the XML header, then the document indented by two spaces, then a
// newline.
func WriteJUnit(w io.Writer, reports []*Report) error {
	return writeJUnit(w, JUnit(reports))
}

func writeJUnit(w io.Writer, doc JUnitSuites) error {
	b := bufio.NewWriter(w)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<testsuites tests="` + strconv.Itoa(doc.Tests) + `" failures="` + strconv.Itoa(doc.Failures) + `">`)
	for _, s := range doc.Suites {
		b.WriteString("\n  <testsuite")
		xmlAttr(b, "name", s.Name)
		b.WriteString(` tests="` + strconv.Itoa(s.Tests) + `" failures="` + strconv.Itoa(s.Failures) + `" skipped="` + strconv.Itoa(s.Skipped) + `">`)
		for _, c := range s.Cases {
			b.WriteString("\n    <testcase")
			xmlAttr(b, "name", c.Name)
			xmlAttr(b, "classname", c.Classname)
			if c.File != "" {
				xmlAttr(b, "file", c.File)
			}
			b.WriteString(">")
			children := false
			for _, f := range []struct {
				tag string
				f   *JUnitFailure
			}{{"failure", c.Failure}, {"skipped", c.Skipped}} {
				if f.f == nil {
					continue
				}
				children = true
				b.WriteString("\n      <" + f.tag)
				xmlAttr(b, "message", f.f.Message)
				if f.f.Type != "" {
					xmlAttr(b, "type", f.f.Type)
				}
				b.WriteString(">")
				xmlEscape(b, f.f.Body)
				b.WriteString("</" + f.tag + ">")
			}
			if children {
				b.WriteString("\n    ")
			}
			b.WriteString("</testcase>")
		}
		if len(s.Cases) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("</testsuite>")
	}
	if len(doc.Suites) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("</testsuites>\n")
	return b.Flush()
}

// xmlAttr writes ` name="value"`, the value escaped.
func xmlAttr(b *bufio.Writer, name, value string) {
	b.WriteString(" " + name + `="`)
	xmlEscape(b, value)
	b.WriteByte('"')
}

// xmlEscape writes s escaped as encoding/xml's EscapeText does: the five
// markup characters and tab, newline and carriage return as character
// references, and anything XML cannot hold (control characters, invalid
// UTF-8) as U+FFFD.
func xmlEscape(b *bufio.Writer, s string) {
	last := 0
	for i := 0; i < len(s); {
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			valid := r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
			if valid && !(r == utf8.RuneError && width == 1) {
				continue
			}
			esc = "\uFFFD"
		}
		b.WriteString(s[last : i-width])
		b.WriteString(esc)
		last = i
	}
	b.WriteString(s[last:])
}
