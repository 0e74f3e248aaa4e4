package verify

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/composenet/composenet/topology"
)

// ProbeMain is the command line of the probe, the hidden `composenet
// probe` command that verify writes into every rewritten service
// (Rewrite: `probe serve --listen PORT/PROTO`...) and runs in containers
// (`probe run`), plus CI's NXDOMAIN DNS stub:
//
//	probe serve [--listen PORT/PROTO]...   serve the declared ports (Serve)
//	probe run                              JSON tasks on stdin, observations on stdout (RunTasks)
//	probe dns-stub --listen ADDR:PORT      answer every DNS query with NXDOMAIN (ServeNXDomain)
//
// args are the words after "probe". It returns the exit status: 0 after a
// clean stop, 1 when serving failed, 2 on a usage error or a failed run.
func ProbeMain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: composenet probe serve|run|dns-stub [--listen PORT/PROTO|ADDR:PORT]... [--on ADDR]...")
		return 2
	}
	fs := pflag.NewFlagSet("probe", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.StringArray("listen", nil, "")
	on := fs.StringArray("on", nil, "")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		if err == nil {
			err = fmt.Errorf("unknown argument %q", fs.Arg(0))
		}
		fmt.Fprintf(stderr, "composenet probe: %v\n", err)
		return 2
	}
	switch args[0] {
	case "serve":
		var pps []topology.PortProto
		for _, l := range *listen {
			pp, ok := parseListen(l)
			if !ok {
				fmt.Fprintf(stderr, "composenet probe: bad --listen %q (want PORT/tcp or PORT/udp)\n", l)
				return 2
			}
			pps = append(pps, pp)
		}
		var addrs []netip.Addr
		for _, o := range *on {
			a, err := netip.ParseAddr(o)
			if err != nil {
				fmt.Fprintf(stderr, "composenet probe: bad --on %q (want an address)\n", o)
				return 2
			}
			addrs = append(addrs, a)
		}
		if err := ServeOn(ctx, pps, addrs, stderr); err != nil {
			fmt.Fprintf(stderr, "composenet probe: %v\n", err)
			return 1
		}
		return 0
	case "run":
		if err := RunTasks(ctx, stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "composenet probe: %v\n", err)
			return 2
		}
		return 0
	case "dns-stub":
		if len(*listen) != 1 {
			fmt.Fprintln(stderr, "composenet probe dns-stub: want exactly one --listen ADDR:PORT")
			return 2
		}
		if err := ServeNXDomain(ctx, (*listen)[0], stderr); err != nil {
			fmt.Fprintf(stderr, "composenet probe dns-stub: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "composenet probe: unknown mode %q (want serve, run or dns-stub)\n", args[0])
	return 2
}

// parseListen reads a --listen of probe serve: "80", "80/tcp" or "53/udp"
// (what listenOf writes).
func parseListen(s string) (topology.PortProto, bool) {
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
