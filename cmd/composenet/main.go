// Command composenet reads Docker Compose files and predicts, offline and
// without Docker, what Docker Engine 28 with Compose v2 would build and
// allow: networks, containers and addresses, DNS answers, which connections
// pass or are dropped and why, and diagrams of it all.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command may touch: its streams and the process environment.
type env struct {
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	environ []string
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is the command table, in the order `composenet --help` lists it.
func commands() []command {
	return []command{
		{"inspect", "show the networks, containers, addresses and warnings", cmdInspect},
		{"dns", "resolve a name from a container the way Docker's DNS would", cmdDNS},
		{"reach", "can FROM reach TO? the hop-by-hop journey, blockers and fixes", cmdReach},
		{"matrix", "every container (plus host, internet) against every container", cmdMatrix},
		{"diagram", "draw the topology as SVG, DOT, Mermaid or ASCII, with flow overlays", cmdDiagram},
		{"check", "run scenario files: expectations, what-ifs and flows", cmdCheck},
		{"lint", "design-review findings with codes, positions and fixes", cmdLint},
		{"exposure", "what the internet/LAN and the host reach, and the attack surface behind it", cmdExposure},
		{"diff", "what changed between two versions: reachability, DNS, exposure, lint findings", cmdDiff},
		{"report", "write an interactive review page: one offline HTML file", cmdReport},
		{"serve", "serve the interactive viewer live, with an HTTP API", cmdServe},
		{"generate", "write a synthetic compose project (testing aid for benchmarks)", cmdGenerate},
		{"version", "print the version", cmdVersion},
		{"verify", "check every prediction against the local Docker Engine (brings the project up with probes)", cmdVerify},
		{"probe", "", cmdProbe}, // hidden: the program verify runs inside containers
	}
}

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitNegative = 1 // a negative answer: not reachable, check failed, changes found
	exitBadInput = 2 // bad input or usage
)

const version = "0.1.0"

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, environ: os.Environ()}
	return e.dispatch(ctx, args)
}

func (e *env) dispatch(ctx context.Context, args []string) int {
	if len(args) == 0 {
		e.usage(e.stderr)
		return exitBadInput
	}
	switch args[0] {
	case "-h", "--help", "help":
		if len(args) > 1 {
			return e.dispatch(ctx, []string{args[1], "--help"})
		}
		e.usage(e.stdout)
		return exitOK
	case "--version", "-version":
		return cmdVersion(ctx, e, nil)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "composenet: unknown command %q\n", args[0])
	if s := suggest(args[0]); s != "" {
		fmt.Fprintf(e.stderr, "Did you mean %q?\n", s)
	}
	fmt.Fprintln(e.stderr, "Run 'composenet --help' for the list of commands.")
	return exitBadInput
}

func suggest(name string) string {
	var best string
	for _, c := range commands() {
		if strings.HasPrefix(c.name, name) || strings.HasPrefix(name, c.name) {
			best = c.name
		}
	}
	return best
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, "composenet predicts what Docker Engine 28 with Compose v2 builds and allows,\noffline: networks, addresses, DNS, reachability, diagrams.\n\nUsage:\n  composenet COMMAND [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		if c.summary == "" {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'composenet COMMAND --help' for a command's flags and an example.\n")
}

func cmdVersion(_ context.Context, e *env, _ []string) int {
	fmt.Fprintf(e.stdout, "composenet %s (models Docker Engine 28, Compose v2)\n", version)
	return exitOK
}
