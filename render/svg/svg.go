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

// fontFamily is what the SVG asks for: Helvetica and the fonts with the same
// metrics (Graphviz measured the text with Helvetica metrics), so that
// labels fit on every platform; Graphviz itself writes
// "Helvetica,sans-Serif", which some renderers resolve to a wider font.
const fontFamily = `font-family="Helvetica,Arial,Liberation Sans,Nimbus Sans,sans-serif"`

func fixFonts(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(`font-family="Helvetica,sans-Serif"`), []byte(fontFamily))
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
