package viewer

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"strings"
)

//go:embed assets/page.html assets/viewer.css assets/viewer.js
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic("viewer: missing embedded asset " + name) // a build defect, not an input error
	}
	return string(b)
}

// Content-Security-Policy of the two pages. The report may not load
// anything at all (it opens from disk and must work offline); the served
// page may talk to its own origin only.
const (
	reportCSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
	serveCSP  = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'"
)

// page fills the HTML template. data is the element that carries the
// report's data ("" for the served page, which fetches it).
func page(title, version, csp string, svg []byte, data string) []byte {
	r := strings.NewReplacer(
		"{{CSP}}", csp,
		"{{VERSION}}", html.EscapeString(version),
		"{{TITLE}}", html.EscapeString(title),
		"{{CSS}}", asset("viewer.css"),
		"{{SVG}}", string(svg),
		"{{DATA}}", data,
		"{{JS}}", asset("viewer.js"),
	)
	return []byte(r.Replace(asset("page.html")))
}

// WriteReport writes the self-contained report page: the diagram inline,
// the page data as gzip-compressed JSON in base64 (the browser inflates it
// with DecompressionStream), the style and the script inline. The same
// input gives the same bytes.
func WriteReport(w io.Writer, p *Page, svg []byte) error {
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	data := `<script type="application/octet-stream" id="composenet-data">` + base64.StdEncoding.EncodeToString(z.Bytes()) + `</script>`
	_, err = w.Write(page(p.Topology.Project, p.Version, reportCSP, svg, data))
	return err
}

// ReadReportData extracts and decodes the page data of a report written by
// WriteReport (tests, tools).
func ReadReportData(report []byte) (*Page, error) {
	const open = `id="composenet-data">`
	i := bytes.Index(report, []byte(open))
	if i < 0 {
		return nil, errNoData
	}
	rest := report[i+len(open):]
	j := bytes.Index(rest, []byte("</script>"))
	if j < 0 {
		return nil, errNoData
	}
	raw, err := base64.StdEncoding.DecodeString(string(rest[:j]))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	var p Page
	if err := json.NewDecoder(zr).Decode(&p); err != nil {
		return nil, err
	}
	return &p, nil
}

type viewerError string

func (e viewerError) Error() string { return string(e) }

const errNoData = viewerError("no composenet report data in this file")
