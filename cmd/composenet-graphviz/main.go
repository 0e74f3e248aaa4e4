// Command composenet-graphviz is composenet's SVG helper: it reads DOT on
// stdin and writes the SVG that Graphviz (compiled to WebAssembly, no system
// install) lays out to stdout.
//
// It is a separate process because go-graphviz compiles its WebAssembly
// module in a package initialiser: every binary that links it pays that
// start-up cost (about a second without a warm cache). Keeping it out of
// composenet means only `composenet diagram --format svg` pays it.
package main

import (
	"os"

	"github.com/composenet/composenet/render/svg"
)

func main() {
	os.Exit(svg.Serve(os.Stdin, os.Stdout, os.Stderr))
}
