package main

import (
	"context"
	"fmt"
	"io"

	"github.com/composenet/composenet/answers"
	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// cmdDNS answers `composenet dns FROM NAME`: exit 0 when the name resolves
// to at least one address, 1 when it does not, 2 on bad input.
func cmdDNS(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "dns", minArgs: 2, maxArgs: 2,
		args: "FROM NAME",
		summary: "Resolve NAME from container or service FROM the way Docker's embedded DNS,\n" +
			"the container's /etc/hosts and the upstream resolvers would (A records; AAAA with\n" +
			"--type AAAA; a reverse name such as 2.0.19.172.in-addr.arpa asks for the PTR).",
		examples: []string{
			"composenet dns web api",
			"composenet dns shop-api-1 db.shop_back --format json",
			"composenet dns web api --type AAAA",
			"composenet dns web 2.0.19.172.in-addr.arpa",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text (also called ascii) or json", "text", "json")
	fs.format.asciiText = true
	qtype := fs.String("type", "A", "query `TYPE`: A or AAAA")
	ascii := fs.Bool("ascii-only", false, "plain ASCII text output")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	r, err := sim.New(t).Lookup(pos[0], pos[1], *qtype)
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet dns: %v\n", err)
		return exitBadInput
	}
	// An external name answered upstream resolves too (exit 0).
	return emitAnswer(e, t, "dns", *format, r.Resolved() || r.External && r.Rcode == sim.RcodeNoError, r, func(w io.Writer) error {
		return answers.WriteDNS(w, r, answers.Options{ASCIIOnly: *ascii})
	})
}

// emitAnswer prints a dns or reach answer as JSON or through text, with
// the warnings for text, and returns 0 for a yes, 1 for a no.
func emitAnswer(e *env, t *topology.Topology, cmd, format string, yes bool, v any, text func(io.Writer) error) int {
	if format == "text" {
		printWarnings(e, t)
	}
	switch {
	case !e.emitWith(context.Background(), cmd, nil, format, v, text):
		return exitBadInput
	case !yes:
		return exitNegative
	}
	return exitOK
}

// cmdReach answers `composenet reach FROM TO`: exit 0 when delivered, 1
// when not, 2 on bad input.
func cmdReach(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "reach", minArgs: 2, maxArgs: 2,
		args: "FROM TARGET[:PORT][/tcp|udp|sctp] | FROM route:HOST[:PORT][/PATH]",
		summary: "Can FROM (a container, a service, host or internet) reach TARGET (a name resolved\n" +
			"from FROM, an IP, localhost, host or internet)? Without a port the question is\n" +
			"IP-level (ping). Prints the hop-by-hop journey with latencies, and for a \"no\"\n" +
			"every blocker with its Docker rule, compose position and a fix. From internet or\n" +
			"host, route:HOST/PATH (or HOST/PATH) follows a reverse-proxy route: the published\n" +
			"port into the proxy, then the proxied hop to the backend.",
		examples: []string{
			"composenet reach web api:8080",
			"composenet reach internet host:80",
			"composenet reach worker 172.17.0.1:8080/udp --format json",
			"composenet reach internet api.example.com/v1",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text (also called ascii: the hop-by-hop drawing) or json", "text", "json")
	fs.format.asciiText = true
	ascii := fs.Bool("ascii-only", false, "plain ASCII text output")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	q, err := sim.ParseReach(pos[0], pos[1])
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet reach: %v\n", err)
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	r := sim.New(t).Reach(q)
	if r.Verdict == sim.InvalidQuery {
		fmt.Fprintf(e.stderr, "composenet reach: %s\n", r.Error)
		return exitBadInput
	}
	return emitAnswer(e, t, "reach", *format, r.Reachable, r, func(w io.Writer) error {
		return answers.WriteReach(w, r, answers.Options{ASCIIOnly: *ascii, Engine: t.Daemon.Engine.String()})
	})
}

// cmdMatrix prints every source against every container.
func cmdMatrix(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "matrix",
		summary: "Every container (plus host and internet) against every container: the reach\n" +
			"verdict for each pair on --port (IP level without it).",
		examples: []string{
			"composenet matrix --port 80",
			"composenet matrix --port 5432 --format csv",
			"composenet matrix --port 80 --classes",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text (or ascii), csv or json", "text", "csv", "json")
	fs.format.asciiText = true
	ascii := fs.Bool("ascii-only", false, "plain ASCII text output")
	portFlag := fs.String("port", "", "destination `PORT[/PROTO]` (default: IP level)")
	classes := fs.Bool("classes", false, "fold containers that the matrix cannot tell apart (same networks, published and listened ports, flags) into classes: the matrix between classes, with each class's members")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	port, proto, err := sim.ParseOptionalPort(*portFlag)
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet matrix: --port: %v\n", err)
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	bar := newProgress(e, "matrix")
	m := sim.New(t).MatrixProgress(port, proto, bar.Update)
	bar.Finish()
	if *format == "text" {
		printWarnings(e, t)
	}
	tw := termsafe.ForFormat(e.rawOut, *format)
	defer tw.Flush()
	opt := answers.Options{ASCIIOnly: *ascii, Summary: review.OneNetworkSummary(t)}
	if err := answers.WriteMatrixAs(tw, m, *format, *classes, opt); err != nil {
		printError(e, err)
		return exitBadInput
	}
	return exitOK
}
