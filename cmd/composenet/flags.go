package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/composenet/composenet/topology/loader"

	"github.com/spf13/pflag"

	"github.com/composenet/composenet/answers"
	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/snapshot"
)

// Flags are parsed by github.com/spf13/pflag, the library docker compose
// itself uses: -f/--file style short and long names, flags before or after
// the positional arguments, "--" ends the flags.

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
func (m *multiFlag) Type() string       { return "strings" }

// cmdSpec describes a command for its --help text.
type cmdSpec struct {
	name     string
	args     string // positional arguments, e.g. "FROM TO"
	summary  string
	examples []string
}

// newFlagSet returns a flag set whose --help prints the usage, the flags and
// the examples of spec to stdout.
func newFlagSet(e *env, spec cmdSpec) *pflag.FlagSet {
	fs := pflag.NewFlagSet(spec.name, pflag.ContinueOnError)
	fs.SortFlags = false
	fs.SetOutput(e.stdout)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: composenet %s\n\n%s\n\nFlags:\n%s", strings.TrimSpace(spec.name+" [flags] "+spec.args), spec.summary, fs.FlagUsagesWrapped(100))
		if len(spec.examples) > 0 {
			fmt.Fprintf(w, "\nExamples:\n  %s\n", strings.Join(spec.examples, "\n  "))
		}
	}
	return fs
}

// parseArgs parses the flags, which may stand before or after the
// positional arguments. It returns the positional arguments, or ok=false
// with the exit code to use: 0 after --help, 2 on a usage error (reported).
func parseArgs(e *env, fs *pflag.FlagSet, args []string) (pos []string, code int, ok bool) {
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet %s: %v\nRun 'composenet %s --help' for usage.\n", fs.Name(), err, fs.Name())
		return nil, exitBadInput, false
	}
	return fs.Args(), 0, true
}

// wantArgs reports a usage error unless pos has between min and max items.
func wantArgs(e *env, fs *pflag.FlagSet, pos []string, min, max int) bool {
	if len(pos) >= min && len(pos) <= max {
		return true
	}
	switch {
	case len(pos) < min:
		fmt.Fprintf(e.stderr, "composenet %s: missing arguments (want %d, got %d)\n", fs.Name(), min, len(pos))
	default:
		fmt.Fprintf(e.stderr, "composenet %s: too many arguments: %s\n", fs.Name(), strings.Join(pos[max:], " "))
	}
	fmt.Fprintf(e.stderr, "Run 'composenet %s --help' for usage.\n", fs.Name())
	return false
}

// loadFlags are the flags every command that reads a project shares.
type loadFlags struct {
	files, profiles, envFiles, daemon, latency multiFlag
	project, projectDir, hostFile              string
	engine                                     string
	noCache                                    bool
}

// addLoadFlags registers the shared project flags on fs.
func addLoadFlags(fs *pflag.FlagSet) *loadFlags {
	lf := &loadFlags{}
	fs.VarP(&lf.files, "file", "f", "compose `FILE` (repeatable, merged in order; default: compose.yaml discovery)")
	fs.StringVarP(&lf.project, "project-name", "p", "", "project `NAME` (default: COMPOSE_PROJECT_NAME, name:, or the directory)")
	fs.StringVar(&lf.projectDir, "project-directory", "", "project `DIR` (default: the first compose file's directory)")
	fs.Var(&lf.profiles, "profile", "enable profile `NAME` (repeatable)")
	fs.Var(&lf.envFiles, "env-file", "environment `FILE` instead of the project's .env (repeatable)")
	fs.StringVar(&lf.hostFile, "host", "", "host description `FILE` (YAML: daemon settings, host addresses, pre-existing networks and containers)")
	fs.Var(&lf.daemon, "daemon", "daemon setting `KEY=VALUE`, e.g. userland-proxy=false, icc=false, ip-masq=false, bip=172.17.0.1/16, default-address-pools=10.10.0.0/16/24 (repeatable)")
	fs.StringVar(&lf.engine, "engine", "", "Docker Engine `VERSION` to model, e.g. 20.10, 25.0, 28 (default 28; same as --daemon engine=VERSION)")
	fs.Var(&lf.latency, "latency", "latency model override `HOP=DURATION`, e.g. proxy=80us, internet=30ms (repeatable)")
	fs.BoolVar(&lf.noCache, "no-cache", false, "load the project afresh and store no snapshot (default: reuse a snapshot whose inputs are unchanged; folder: $COMPOSENET_CACHE_DIR or the user cache folder)")
	return lf
}

// options turns the flags into topology.Options.
func (lf *loadFlags) options(e *env) topology.Options {
	return topology.Options{
		Files:       lf.files,
		ProjectName: lf.project,
		ProjectDir:  lf.projectDir,
		Profiles:    lf.profiles,
		EnvFiles:    lf.envFiles,
		Env:         e.environ,
		HostFile:    lf.hostFile,
		Daemon:      lf.daemonSettings(),
		Latency:     lf.latency,
	}
}

// daemonSettings are the --daemon settings plus --engine.
func (lf *loadFlags) daemonSettings() []string {
	if lf.engine == "" {
		return lf.daemon
	}
	return append(append([]string{}, lf.daemon...), "engine="+lf.engine)
}

// load loads the project; on failure it prints every problem to stderr and
// returns ok=false (exit status 2).
func (lf *loadFlags) load(ctx context.Context, e *env) (*topology.Topology, bool) {
	stop := newProgress(e, "loading the project").Spin()
	t, _, err := snapshot.Load(ctx, lf.options(e), lf.cacheConfig(e))
	stop()
	if err != nil {
		printError(e, err)
		return nil, false
	}
	return t, true
}

// cacheConfig says where the load cache lives: $COMPOSENET_CACHE_DIR, else
// the user cache folder; --no-cache turns it off.
func (lf *loadFlags) cacheConfig(e *env) snapshot.Config {
	return snapshot.Config{Version: version, Disabled: lf.noCache, Dir: e.getenv("COMPOSENET_CACHE_DIR"), Load: loader.Load}
}

// printError writes err to stderr, one problem per line. A problem's own
// text is escaped whole (termsafe.Escape), so that a newline inside a
// file name or a ${VAR:?message} text cannot forge a line; stderr itself
// escapes every other control character.
func printError(e *env, err error) {
	var le *topology.LoadError
	if errors.As(err, &le) && len(le.Problems) > 0 {
		for _, p := range le.Problems {
			fmt.Fprintln(e.stderr, termsafe.Escape(p.String()))
		}
		return
	}
	fmt.Fprintln(e.stderr, strings.TrimRight(err.Error(), "\n"))
}

// printWarnings writes the topology's warnings to stderr, at most
// maxWarningsPerCode of each code. Tie-break notices are left to inspect
// (printNotices).
func printWarnings(e *env, t *topology.Topology) {
	answers.WriteWarnings(e.stderr, t.Warnings, maxWarningsPerCode)
}

// maxWarningsPerCode caps how many warnings of one code a command prints,
// so that a large estate's output stays readable.
const maxWarningsPerCode = 10

// printNotices writes the tie-break notices to stderr.
func printNotices(e *env, t *topology.Topology) { answers.WriteNotices(e.stderr, t.Warnings) }
