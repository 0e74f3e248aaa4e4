// Command composenet-load is composenet's loader helper: it reads one
// request from composenet on stdin, loads the compose project with
// compose-go (package topology/loader) and writes the topology, or the
// load's problems, to stdout (package internal/loadcmd).
//
// It is a separate process because compose-go's package initialisers cost
// about 30 ms at every start: composenet answers questions about an
// unchanged project from a stored topology (topology/snapshot) without
// linking compose-go, and runs this helper only to load afresh.
//
// It limits its own address space (loadcmd.MaxAddressSpace, Linux) before
// reading its input; composenet kills it when it stops.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/composenet/composenet/internal/loadcmd"
	"github.com/composenet/composenet/topology/loader"
	"github.com/composenet/composenet/verify/rewrite"
)

func main() {
	if err := loadcmd.LimitSelf(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot limit memory: %v\n", loadcmd.HelperName, err)
	}
	os.Exit(loadcmd.Serve(context.Background(), os.Stdin, os.Stdout, os.Stderr, loadcmd.Ops{Load: loader.Load, Rewrite: rewrite.Project}))
}
