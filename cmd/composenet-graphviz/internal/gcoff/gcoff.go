// Package gcoff turns the garbage collector of the composenet-graphviz
// helper off before go-graphviz's package initialiser starts Graphviz.
//
// The helper lives for one picture, and nearly all of its memory is
// Graphviz's WebAssembly linear memory, one large byte slice that wazero
// grows by copying. Collecting it while Graphviz runs buys nothing back
// (the picture's data stays live until the end) and costs CPU: the
// collector's workers spin waiting for the goroutine running WebAssembly
// to reach a safe point. With the collector off, a soft memory limit
// (MemoryLimit) still brings it back before the helper's address-space
// budget (svgcmd.MaxAddressSpace) is reached.
//
// Package initialisation runs in import-path order among the packages
// whose imports are ready, so this package (github.com/composenet/...)
// runs before github.com/goccy/go-graphviz/internal/wasm as long as the
// helper's main package imports it; TestRunsBeforeGraphviz checks it.
package gcoff

import "runtime/debug"

// MemoryLimit is the heap size at which the collector runs after all.
const MemoryLimit = 1 << 30

func init() {
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(MemoryLimit)
}
