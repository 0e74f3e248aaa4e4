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
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/composenet/composenet/internal/shutdown"
	"github.com/composenet/composenet/internal/termsafe"
)

// main wires the process into run under signals (package shutdown): on
// SIGINT or SIGTERM run's context is cancelled, which stops the SVG
// helper; work that cleans up on cancellation (writing an output file,
// serving) is waited for, up to graceTime or a second signal. The exit
// status is then 128 plus the signal's number (130, 143), or run's own
// status when run stopped cleanly with 0 (serve).
func main() {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	os.Exit(shutdown.Run(sig, graceTime, func(ctx context.Context, h *shutdown.Holds) int {
		return runWith(ctx, h, os.Args[1:], os.Environ(), os.Stdin, os.Stdout, os.Stderr)
	}))
}

// graceTime is how long main waits, after a signal, for work that cleans
// up on cancellation.
const graceTime = 3 * time.Second

// env is what a command may touch: its streams and the process environment.
// stdout and stderr escape control characters (package termsafe): what a
// command prints cannot drive the terminal, whatever the input held. JSON
// goes through e.output, which escapes the JSON way.
type env struct {
	stdin   io.Reader
	stdout  io.Writer // escaped text
	stderr  io.Writer // escaped text
	rawOut  io.Writer // the real stdout, for JSON and for escaping writers
	rawErr  io.Writer // the real stderr: the progress bar's \r lives there
	environ []string
	holds   *shutdown.Holds // nil outside main: nothing waits
}

// getenv looks key up in the environment run was given.
func (e *env) getenv(key string) string {
	for i := len(e.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(e.environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
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

// Exit codes shared by every command (README, "Limits and safety").
const (
	exitOK       = 0
	exitNegative = 1 // a negative answer: not reachable, check failed, changes found
	exitBadInput = 2 // bad input or usage
	exitInternal = 3 // a bug in composenet: never an answer
)

const version = "0.1.0"

// run is the whole command line: args without the program name, the
// environment as os.Environ gives it, and the standard streams. It returns
// the exit status. A panic becomes an "internal error" message and exit
// status 3, so that a crash never looks like an answer or like bad input.
func run(ctx context.Context, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(ctx, nil, args, environ, stdin, stdout, stderr)
}

// runWith is run with the holds main waits for after a signal.
func runWith(ctx context.Context, h *shutdown.Holds, args, environ []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	out, errw := termsafe.NewWriter(stdout), termsafe.NewWriter(stderr)
	e := &env{stdin: stdin, stdout: out, stderr: errw, rawOut: stdout, rawErr: stderr, environ: environ, holds: h}
	defer func() {
		if v := recover(); v != nil {
			out.Flush()
			fmt.Fprintf(errw, "composenet: internal error: %v\n", v)
			fmt.Fprintf(errw, "This is a bug in composenet, not a problem with the input: please report it with the command line (COMPOSENET_DEBUG=1 prints the stack).\n")
			if e.getenv("COMPOSENET_DEBUG") == "1" {
				errw.Write(debug.Stack())
			}
			code = exitInternal
		}
		out.Flush()
		errw.Flush()
	}()
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
	for _, c := range commands() {
		if strings.HasPrefix(c.name, args[0]) || strings.HasPrefix(args[0], c.name) {
			fmt.Fprintf(e.stderr, "Did you mean %q?\n", c.name)
			break
		}
	}
	fmt.Fprintln(e.stderr, "Run 'composenet --help' for the list of commands.")
	return exitBadInput
}

func (e *env) usage(w io.Writer) {
	fmt.Fprintf(w, "composenet predicts what Docker Engine 28 with Compose v2 builds and allows,\noffline: networks, addresses, DNS, reachability, diagrams.\n\nUsage:\n  composenet COMMAND [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		if c.summary == "" {
			continue
		}
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'composenet COMMAND --help' for a command's flags and an example.\nExit status: 0 yes/ok, 1 a negative answer, 2 bad input, 3 internal error.\n")
}

func cmdVersion(_ context.Context, e *env, _ []string) int {
	fmt.Fprintf(e.stdout, "composenet %s (models Docker Engine 28, Compose v2)\n", version)
	return exitOK
}
