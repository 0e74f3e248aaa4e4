package bench_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/ascii"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/render/mermaid"
	"github.com/composenet/composenet/render/svg"
)

// countingWriter counts bytes so that the render benchmarks pay no copy.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var _ io.Writer = (*countingWriter)(nil)

// renderBody renders the whole topology with r and checks that the last
// container's name is in the picture.
func renderBody(r render.Renderer) func(tb testing.TB, fx *fixture) {
	return func(tb testing.TB, fx *fixture) {
		var w countingWriter
		if err := r.Render(&w, fx.top, render.Options{}); err != nil {
			tb.Fatal(err)
		}
		if w.n == 0 {
			tb.Fatal("empty picture")
		}
	}
}

// renderCheck renders once into memory and checks that a late container's
// service name appears, so a renderer that drops nodes fails TestBodies.
func renderCheck(tb testing.TB, r render.Renderer, fx *fixture) {
	var buf bytes.Buffer
	if err := r.Render(&buf, fx.top, render.Options{}); err != nil {
		tb.Fatal(err)
	}
	last := fx.top.Containers[len(fx.top.Containers)-1].Service
	// Graphviz writes '-' as &#45; in SVG text.
	escaped := strings.ReplaceAll(last, "-", "&#45;")
	if !bytes.Contains(buf.Bytes(), []byte(last)) && !bytes.Contains(buf.Bytes(), []byte(escaped)) {
		tb.Fatalf("%T: %q not in the picture", r, last)
	}
}

// BenchmarkRenderDOT renders the DOT text.
func BenchmarkRenderDOT(b *testing.B) { forSizes(b, sizes, renderBody(dot.Renderer{})) }

// BenchmarkRenderMermaid renders the Mermaid text.
func BenchmarkRenderMermaid(b *testing.B) { forSizes(b, sizes, renderBody(mermaid.Renderer{})) }

// BenchmarkRenderASCII renders the text boxes.
func BenchmarkRenderASCII(b *testing.B) { forSizes(b, sizes, renderBody(ascii.Renderer{})) }

// BenchmarkRenderSVG lays out the DOT text with Graphviz (WebAssembly);
// 5000 services are left out (minutes per picture).
func BenchmarkRenderSVG(b *testing.B) { forSizes(b, sizes[:2], renderBody(svg.Renderer{})) }
