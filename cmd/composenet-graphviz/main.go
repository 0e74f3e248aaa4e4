// Command composenet-graphviz is composenet's SVG helper: it reads DOT on
// stdin and writes the SVG that Graphviz (compiled to WebAssembly, no system
// install) lays out to stdout.
//
// It is a separate process because go-graphviz compiles its WebAssembly
// module in a package initialiser: every binary that links it pays that
// start-up cost (about a second without a warm cache). Keeping it out of
// composenet means only `composenet diagram --format svg` pays it.
//
// It limits its own address space (svgcmd.MaxAddressSpace, Linux) before
// reading its input; composenet bounds its time and its life
// (package svgcmd).
package main

import (
	"fmt"
	"os"

	_ "github.com/composenet/composenet/cmd/composenet-graphviz/internal/gcoff" // before go-graphviz's initialiser
	"github.com/composenet/composenet/render/svg"
	"github.com/composenet/composenet/render/svgcmd"
)

func main() {
	if err := svgcmd.LimitSelf(); err != nil {
		fmt.Fprintf(os.Stderr, "composenet-graphviz: cannot limit memory: %v\n", err)
	}
	os.Exit(svg.Serve(os.Stdin, os.Stdout, os.Stderr))
}
