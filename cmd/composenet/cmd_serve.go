package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/viewer"
)

// cmdServe serves the viewer live: the page, its API, and updates when the
// compose files change.
func cmdServe(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "serve",
		summary: "Serve the interactive viewer of `composenet report`, live: the page follows the\n" +
			"compose files (and .env, includes, --host) as they change, what-ifs (disconnect or\n" +
			"connect a service, stop a service, daemon settings) are recomputed by the server, and\n" +
			"an HTTP API answers with the CLI's JSON: /api/topology, /api/reach?from=&to=,\n" +
			"/api/dns?from=&name=, /api/matrix?port=, /api/lint. Loopback only unless --addr says\n" +
			"otherwise. Stops on Ctrl-C.",
		examples: []string{
			"composenet serve",
			"composenet serve -f examples/ecommerce/compose.yaml --addr 127.0.0.1:8080",
			"curl 'http://127.0.0.1:8080/api/reach?from=gateway&to=database:5432'",
		},
	})
	lf := addLoadFlags(fs)
	addr := fs.String("addr", "127.0.0.1:0", "listen on `HOST:PORT` (port 0: any free port)")
	poll := fs.Duration("poll", 500*time.Millisecond, "check the watched files every `DURATION`")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if *poll < 10*time.Millisecond {
		fmt.Fprintf(e.stderr, "composenet serve: --poll must be at least 10ms\n")
		return exitBadInput
	}
	opts := lf.options(e)
	load := func(ctx context.Context) (*topology.Topology, []string, error) {
		var files []string
		t, err := topology.LoadProjects(ctx, opts, lf.with, func(ctx context.Context, o topology.Options) (*topology.Topology, error) {
			var in topology.Inputs
			o.Record = &in
			t, err := e.loadHelper().Load(ctx, o)
			files = append(files, in.Files...)
			return t, err
		})
		return t, files, err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Shutting down cleanly on a signal: main waits for it (its grace time).
	if release, ok := e.holds.Hold(); ok {
		defer release()
	}
	ln, listen, public, err := viewer.Listen(*addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet serve: %v\n", err)
		return exitBadInput
	}
	defer ln.Close()
	s, err := viewer.NewServer(ctx, viewer.Config{
		Load:    load,
		Layout:  e.svgHelper().FromDOT,
		Version: version,
		Listen:  listen,
		Public:  public,
		Poll:    *poll,
	})
	if err != nil {
		printError(e, err)
		return exitBadInput
	}
	if public {
		fmt.Fprintf(e.stderr, "warning: listening on %s, which is not a loopback address: anyone who reaches it sees the project\n", listen)
	}
	fmt.Fprintf(e.stdout, "composenet serve: http://%s/ (Ctrl-C to stop)\n", listen)
	if err := s.Serve(ctx, ln); err != nil {
		fmt.Fprintf(e.stderr, "composenet serve: %v\n", err)
		return exitBadInput
	}
	return exitOK
}
