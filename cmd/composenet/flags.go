package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/composenet/composenet/answers"
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

// cmdSpec describes a command for its --help text and its positional
// arguments: between minArgs and maxArgs (negative: no limit).
type cmdSpec struct {
	name             string
	args             string // positional arguments, e.g. "FROM TO"
	summary          string
	examples         []string
	minArgs, maxArgs int
}

// flagSet is a command's flags (pflag) with its spec and its --format.
type flagSet struct {
	*pflag.FlagSet
	spec   cmdSpec
	format *formatValue
}

// newFlagSet returns a flag set whose --help prints the usage, the flags and
// the examples of spec to stdout.
func newFlagSet(e *env, spec cmdSpec) *flagSet {
	fs := &flagSet{FlagSet: pflag.NewFlagSet(spec.name, pflag.ContinueOnError), spec: spec}
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

// formatValue is a --format checked once the positional arguments are
// (parseArgs): one of allowed; "ascii" stands for "text" when asciiText.
type formatValue struct {
	v         string
	allowed   []string
	asciiText bool
}

func (f *formatValue) String() string { return f.v }
func (f *formatValue) Type() string   { return "string" }
func (f *formatValue) Set(v string) error {
	if f.v = v; f.asciiText && v == "ascii" {
		f.v = "text"
	}
	return nil
}

// formatFlag registers --format, one of allowed, the first the default.
func (fs *flagSet) formatFlag(usage string, allowed ...string) *string {
	fs.format = &formatValue{v: allowed[0], allowed: allowed}
	fs.Var(fs.format, "format", usage)
	return &fs.format.v
}

// parseArgs parses the flags, which may stand before or after the
// positional arguments, then checks the positional count and --format. It
// returns the positional arguments, or ok=false with the exit code to
// use: 0 after --help, 2 on a usage error (reported).
func parseArgs(e *env, fs *flagSet, args []string) (pos []string, code int, ok bool) {
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet %s: %v\nRun 'composenet %s --help' for usage.\n", fs.Name(), err, fs.Name())
		return nil, exitBadInput, false
	}
	pos = fs.Args()
	if !wantArgs(e, fs, pos) || fs.format != nil && !checkFormat(e, fs.Name(), fs.format.v, fs.format.allowed...) {
		return nil, exitBadInput, false
	}
	return pos, 0, true
}

// wantArgs reports a usage error unless pos has between the spec's
// minArgs and maxArgs items.
func wantArgs(e *env, fs *flagSet, pos []string) bool {
	min, max := fs.spec.minArgs, fs.spec.maxArgs
	switch {
	case len(pos) < min:
		fmt.Fprintf(e.stderr, "composenet %s: missing arguments (want %d, got %d)\n", fs.Name(), min, len(pos))
	case max >= 0 && len(pos) > max:
		fmt.Fprintf(e.stderr, "composenet %s: too many arguments: %s\n", fs.Name(), strings.Join(pos[max:], " "))
	default:
		return true
	}
	fmt.Fprintf(e.stderr, "Run 'composenet %s --help' for usage.\n", fs.Name())
	return false
}

// checkFormat reports a usage error unless got is one of allowed.
func checkFormat(e *env, cmd, got string, allowed ...string) bool {
	if slices.Contains(allowed, got) {
		return true
	}
	want := allowed[0]
	for i, a := range allowed[1:] {
		if i == len(allowed)-2 {
			want += " or " + a
		} else {
			want += ", " + a
		}
	}
	fmt.Fprintf(e.stderr, "composenet %s: unknown format %q (want %s)\n", cmd, got, want)
	return false
}

// loadFlags are the flags every command that reads a project shares.
type loadFlags struct {
	files, profiles, envFiles, daemon, latency multiFlag
	with                                       multiFlag
	project, projectDir, hostFile              string
	engine                                     string
	noCache                                    bool
}

// addLoadFlags registers the shared project flags on fs.
func addLoadFlags(fs *flagSet) *loadFlags {
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
	fs.Var(&lf.with, "with", "also load the compose project in `DIR_OR_FILE` onto the same host, brought up before this one (repeatable, in up order; see \"Several projects on one host\")")
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
	cfg := lf.cacheConfig(e)
	t, err := topology.LoadProjects(ctx, lf.options(e), lf.with, func(ctx context.Context, o topology.Options) (*topology.Topology, error) {
		t, _, err := snapshot.Load(ctx, o, cfg)
		return t, err
	})
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
	h := e.loadHelper()
	return snapshot.Config{Version: version, Disabled: lf.noCache, Dir: e.getenv("COMPOSENET_CACHE_DIR"), Load: h.Load, Loader: h.Identity()}
}

// printError writes err to stderr, one problem a line (answers.WriteError;
// stderr itself escapes every other control character).
func printError(e *env, err error) { answers.WriteError(e.stderr, err) }

// printWarnings writes the topology's warnings to stderr, at most
// answers.MaxWarningsPerCode of each code. Tie-break notices are left to
// inspect (printNotices).
func printWarnings(e *env, t *topology.Topology) {
	answers.WriteWarnings(e.stderr, t.Warnings, answers.MaxWarningsPerCode)
}

// printNotices writes the tie-break notices to stderr.
func printNotices(e *env, t *topology.Topology) { answers.WriteNotices(e.stderr, t.Warnings) }
