package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/verify"
)

// cmdProbe is the hidden `composenet probe` command: the program that
// `composenet verify` runs inside every container of the project it brings
// up (copied into a FROM scratch image), and the NXDOMAIN DNS stub of CI.
//
//	composenet probe serve [--listen PORT/PROTO]...   serve the declared ports
//	composenet probe run                              JSON tasks on stdin, observations on stdout
//	composenet probe dns-stub --listen ADDR:PORT      answer every DNS query with NXDOMAIN
func cmdProbe(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "usage: composenet probe serve|run|dns-stub [--listen PORT/PROTO|ADDR:PORT]...")
		return exitBadInput
	}
	var listen []string
	for i := 1; i < len(args); i++ {
		switch {
		case args[i] == "--listen" && i+1 < len(args):
			listen = append(listen, args[i+1])
			i++
		case strings.HasPrefix(args[i], "--listen="):
			listen = append(listen, strings.TrimPrefix(args[i], "--listen="))
		default:
			fmt.Fprintf(e.stderr, "composenet probe: unknown argument %q\n", args[i])
			return exitBadInput
		}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "serve":
		var pps []topology.PortProto
		for _, l := range listen {
			pp, ok := parsePortProto(l)
			if !ok {
				fmt.Fprintf(e.stderr, "composenet probe: bad --listen %q (want PORT/tcp or PORT/udp)\n", l)
				return exitBadInput
			}
			pps = append(pps, pp)
		}
		if err := verify.Serve(ctx, pps, e.stderr); err != nil {
			fmt.Fprintf(e.stderr, "composenet probe: %v\n", err)
			return exitNegative
		}
		return exitOK
	case "run":
		if err := verify.RunTasks(ctx, e.stdin, e.rawOut); err != nil {
			fmt.Fprintf(e.stderr, "composenet probe: %v\n", err)
			return exitBadInput
		}
		return exitOK
	case "dns-stub":
		if len(listen) != 1 {
			fmt.Fprintln(e.stderr, "composenet probe dns-stub: want exactly one --listen ADDR:PORT")
			return exitBadInput
		}
		if err := verify.ServeNXDomain(ctx, listen[0], e.stderr); err != nil {
			fmt.Fprintf(e.stderr, "composenet probe dns-stub: %v\n", err)
			return exitNegative
		}
		return exitOK
	}
	fmt.Fprintf(e.stderr, "composenet probe: unknown mode %q (want serve, run or dns-stub)\n", args[0])
	return exitBadInput
}

// parsePortProto reads "80", "80/tcp" or "53/udp".
func parsePortProto(s string) (topology.PortProto, bool) {
	p, proto, _ := strings.Cut(s, "/")
	if proto == "" {
		proto = "tcp"
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 || (proto != "tcp" && proto != "udp") {
		return topology.PortProto{}, false
	}
	return topology.PortProto{Port: uint16(n), Protocol: proto}, true
}
