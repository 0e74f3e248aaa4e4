package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/composenet/composenet/verify"
)

// cmdProbe is the hidden `composenet probe` command: the program that
// `composenet verify` runs inside every container of the project it brings
// up (copied into a FROM scratch image), and the NXDOMAIN DNS stub of CI.
// Package verify owns its command line (verify.ProbeMain), which verify
// itself writes.
func cmdProbe(ctx context.Context, e *env, args []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return verify.ProbeMain(ctx, args, e.stdin, e.rawOut, e.stderr)
}
