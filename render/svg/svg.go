// Package svg renders a topology as an SVG picture by laying out the DOT
// text of package dot with Graphviz compiled to WebAssembly
// (github.com/goccy/go-graphviz); no system Graphviz is needed.
//
// This is the only package that imports go-graphviz. The Graphviz context
// is created lazily, on the first Render, and shared by every later call;
// calls are serialised because the WebAssembly instance is single-threaded.
// Note that go-graphviz compiles its WebAssembly module in its own package
// initialiser, with a compilation cache under os.TempDir()/go-graphviz, so
// a binary linking this package pays that (cached: tens of milliseconds)
// at start-up.
package svg

import (
	"bytes"
	"context"
	_ "embed" // the font files
	"encoding/base64"
	"fmt"
	"io"
	"sync"

	"github.com/goccy/go-graphviz"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/topology"
)

// Renderer writes SVG. The zero value is ready to use.
type Renderer struct{}

// Render writes the SVG picture of t with the overlays of opt to w.
func (Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	v, err := render.Build(t, opt)
	if err != nil {
		return err
	}
	out, err := FromDOT(context.Background(), []byte(dot.String(v)))
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

var (
	mu      sync.Mutex
	once    sync.Once
	gv      *graphviz.Graphviz
	initErr error
)

// FromDOT lays out DOT source with the dot engine and returns the SVG.
func FromDOT(ctx context.Context, src []byte) ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	once.Do(func() {
		gv, initErr = graphviz.New(ctx)
	})
	if initErr != nil {
		return nil, fmt.Errorf("svg: starting graphviz: %w", initErr)
	}
	g, err := graphviz.ParseBytes(src)
	if err != nil {
		return nil, fmt.Errorf("svg: parsing dot: %w", err)
	}
	defer g.Close()
	var buf bytes.Buffer
	if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("svg: layout: %w", err)
	}
	return fixFonts(buf.Bytes()), nil
}

// Text widths. Graphviz lays out every label with Helvetica metrics (the
// advance widths of Arial); a reader whose browser substitutes a wider
// sans-serif (DejaVu Sans on many Linux desktops is about 15% wider) sees
// labels spill out of their boxes and collide. So the SVG carries its font:
// "composenet sans", a subset of Liberation Sans 2 (metric-compatible with
// Arial, SIL Open Font License 1.1, font/OFL.txt) as two WOFF2 files of
// about 8.5 KB each, declared with @font-face and named first in every
// font-family. The system fonts with the same metrics follow as fallbacks
// for viewers that ignore embedded fonts. Text is drawn with
// text-rendering: geometricPrecision, which keeps the font's own advance
// widths (hinting rounds each one to a whole pixel).
//
//go:embed font/composenet-sans-regular.woff2
var fontRegular []byte

//go:embed font/composenet-sans-bold.woff2
var fontBold []byte

// FontFamily is the font-family of every text element.
const FontFamily = `composenet-sans,Helvetica,Arial,Liberation Sans,Nimbus Sans,sans-serif`

// fontStyle is the <style> element inserted at the top of the SVG.
var fontStyle = func() []byte {
	face := func(weight int, woff2 []byte) string {
		return fmt.Sprintf(`@font-face{font-family:"composenet-sans";font-weight:%d;font-style:normal;src:url(data:font/woff2;base64,%s) format("woff2")}`,
			weight, base64.StdEncoding.EncodeToString(woff2))
	}
	// geometricPrecision: no hinting, so glyph advances are not rounded to
	// whole pixels (with full hinting, as on many Linux set-ups, that
	// alone makes 11 px bold text up to 12% wider than laid out).
	return []byte("<style>" + face(400, fontRegular) + face(700, fontBold) + "text{text-rendering:geometricPrecision}</style>\n")
}()

// fixFonts names the embedded font in every font-family that Graphviz
// wrote ("Helvetica,sans-Serif") and inserts the @font-face rules after the
// opening <svg> tag.
func fixFonts(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte(`font-family="Helvetica,sans-Serif"`), []byte(`font-family="`+FontFamily+`"`))
	i := bytes.Index(b, []byte("<svg "))
	if i < 0 {
		return b
	}
	j := bytes.IndexByte(b[i:], '>')
	if j < 0 {
		return b
	}
	j += i + 1
	for j < len(b) && b[j] == '\n' {
		j++
	}
	out := make([]byte, 0, len(b)+len(fontStyle))
	out = append(out, b[:j]...)
	out = append(out, fontStyle...)
	return append(out, b[j:]...)
}

// Serve is the composenet-graphviz helper process: it reads DOT text on
// stdin and writes the SVG to stdout. It returns the process exit status:
// 0 on success, 2 when the DOT cannot be laid out (the reason on stderr).
func Serve(stdin io.Reader, stdout, stderr io.Writer) int {
	src, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "composenet-graphviz: reading DOT: %v\n", err)
		return 2
	}
	out, err := FromDOT(context.Background(), src)
	if err != nil {
		fmt.Fprintf(stderr, "composenet-graphviz: %v\n", err)
		return 2
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "composenet-graphviz: %v\n", err)
		return 2
	}
	return 0
}
