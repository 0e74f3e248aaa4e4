package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/composenet/composenet/scenarios"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/verify"
)

// verifyTeardownWait is how long main waits after a signal for verify to
// tear its projects down.
const verifyTeardownWait = 5 * time.Minute

// cmdVerify checks composenet's predictions against the local Docker
// Engine: exit 0 when every probed query agrees, 1 when any disagrees, 2
// on bad input or when docker / docker compose v2 is missing.
func cmdVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "verify",
		summary: "Bring the project up on the local Docker Engine (as PROJECT-verify) with every\n" +
			"service replaced by composenet's probe (a static binary in a FROM scratch image:\n" +
			"nothing is pulled, none of the project's code runs), ask every DNS, connect and\n" +
			"ping question the model raises from inside the containers and from the host, and\n" +
			"compare each answer with composenet's prediction for the engine's version. The\n" +
			"project is torn down afterwards (also on failure and Ctrl-C) unless --keep.\n" +
			"With --with (or projects: in --host) every project of the host comes up in the\n" +
			"modelled up order, each as its own PROJECT-verify, sharing external networks;\n" +
			"they are torn down in the reverse order.",
		examples: []string{
			"composenet verify -f examples/ecommerce/compose.yaml",
			"composenet verify --format json --timeout 5m",
			"composenet verify --scenario examples/secure/secure.scenario.yaml -f examples/secure/compose.yaml",
			"composenet verify --host lan-host.yaml --lan-netns composenet-lan -f compose.yaml",
			"composenet verify -f app/compose.yaml --with proxy",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.formatFlag("output `FORMAT`: text or json", "text", "json")
	keep := fs.Bool("keep", false, "leave the verify project running afterwards")
	timeout := fs.Duration("timeout", 10*time.Minute, "bound the whole run to `DURATION`")
	dnsUp := fs.Bool("dns-upstream", false, "also ask names that the engine forwards to its upstream resolvers (their queries leave the machine unless dockerd's dns points at a local server)")
	probe := fs.String("probe", "", "static composenet `BINARY` to use as the probe (default: this executable)")
	lanNS := fs.String("lan-netns", "", "also probe from `NETNS`, a network namespace joined to the host by a veth pair whose host end --host's interfaces name: a client on the host's LAN (published ports, DOCKER-USER, direct routing; needs root and ip(8); scripts/verify-lan.sh sets one up)")
	var scens multiFlag
	fs.Var(&scens, "scenario", "scenario `FILE` whose reach, blocked and dns expectations are probed too (repeatable)")
	_, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	scs, err := scenarios.LoadFiles(scens)
	if err != nil {
		printError(e, err)
		return exitBadInput
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After Ctrl-C or SIGTERM, main waits for the teardown (each project's
	// down is bounded by 2 minutes); a second signal stops waiting.
	release, ok := e.holds.HoldLong(verifyTeardownWait)
	if !ok {
		return exitBadInput
	}
	defer release()
	rep, err := verify.Run(ctx, verify.Options{
		Load:        lf.options(e),
		With:        lf.with,
		Loader:      e.loadHelper().Load,
		Rewrite:     e.loadHelper().Rewrite,
		Scenarios:   scs,
		Keep:        *keep,
		Timeout:     *timeout,
		DNSUpstream: *dnsUp,
		Probe:       *probe,
		LANNetNS:    *lanNS,
		Docker:      e.getenv("COMPOSENET_DOCKER"),
		Env:         e.environ,
		Progress:    e.stderr,
	})
	if err != nil {
		var te *verify.ToolError
		var le *topology.LoadError
		switch {
		case errors.As(err, &te), errors.As(err, &le):
			printError(e, err)
		default:
			fmt.Fprintf(e.stderr, "composenet verify: %v\n", err)
		}
		return exitBadInput
	}
	write := verify.WriteText
	if *format == "json" {
		write = verify.WriteJSON
	}
	if err := write(e.stdout, rep); err != nil {
		printError(e, err)
		return exitBadInput
	}
	if !rep.OK() {
		return exitNegative
	}
	return exitOK
}
