package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/snapshot"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// cmdSpec describes a command for its --help text.
type cmdSpec struct {
	name     string
	args     string // positional arguments, e.g. "FROM TO"
	summary  string
	examples []string
}

// newFlagSet returns a flag set whose --help prints the usage, the flags and
// the examples of spec to stdout.
func newFlagSet(e *env, spec cmdSpec) *flag.FlagSet {
	fs := flag.NewFlagSet(spec.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: composenet %s\n\n%s\n\nFlags:\n", strings.TrimSpace(spec.name+" [flags] "+spec.args), spec.summary)
		printFlags(w, fs)
		if len(spec.examples) > 0 {
			fmt.Fprintf(w, "\nExamples:\n")
			for _, ex := range spec.examples {
				fmt.Fprintf(w, "  %s\n", ex)
			}
		}
	}
	return fs
}

// shortFlags are the one-letter spellings of long flags, shown together.
var shortFlags = map[string]string{"file": "f", "project-name": "p"}

// printFlags lists the flags the way docker compose users read them:
// "-f, --file FILE", long names with two dashes, aliases folded together.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	isShort := map[string]bool{}
	for _, s := range shortFlags {
		isShort[s] = true
	}
	fs.VisitAll(func(f *flag.Flag) {
		if isShort[f.Name] && fs.Lookup(longOf(f.Name)) != nil {
			return
		}
		short := shortFlags[f.Name]
		if short == "" && isShort[f.Name] {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		if f.Name == longOf(short) && short != "" {
			if alias := fs.Lookup(short); alias != nil {
				name, usage = flag.UnquoteUsage(alias)
			}
		}
		if name == "value" {
			name = ""
		}
		var lead string
		switch {
		case short != "":
			lead = "-" + short + ", --" + f.Name
		case len(f.Name) == 1:
			lead = "-" + f.Name
		default:
			lead = "--" + f.Name
		}
		if name != "" {
			lead += " " + name
		}
		if _, isBool := f.Value.(interface{ IsBoolFlag() bool }); isBool {
			lead = strings.TrimSuffix(lead, " "+name)
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" {
			def = fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintf(w, "  %s\n      %s%s\n", lead, usage, def)
	})
}

func longOf(short string) string {
	for l, s := range shortFlags {
		if s == short {
			return l
		}
	}
	return ""
}

// parseArgs parses flags that may stand before or after the positional
// arguments, as docker compose allows. "--" ends flag parsing. It returns
// the positional arguments, or ok=false with the exit code to use: 0 after
// --help, 2 on a usage error (already reported).
func parseArgs(e *env, fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(e.stdout)
			fs.Usage()
			return nil, exitOK, false
		}
	}
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		if err != nil {
			return nil, exitBadInput, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		// flag stops at "--" or at the first non-flag argument.
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs reports a usage error unless pos has between min and max items.
func wantArgs(e *env, fs *flag.FlagSet, pos []string, min, max int) bool {
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
	files      multiFlag
	profiles   multiFlag
	envFiles   multiFlag
	daemon     multiFlag
	latency    multiFlag
	project    string
	projectDir string
	hostFile   string
	noCache    bool
	engine     string
}

// addLoadFlags registers the shared project flags on fs.
func addLoadFlags(fs *flag.FlagSet) *loadFlags {
	lf := &loadFlags{}
	fs.Var(&lf.files, "f", "compose `FILE` (repeatable, merged in order; default: compose.yaml discovery)")
	fs.Var(&lf.files, "file", "compose `FILE` (repeatable, merged in order; default: compose.yaml discovery)")
	fs.StringVar(&lf.project, "p", "", "project `NAME` (default: COMPOSE_PROJECT_NAME, name:, or the directory)")
	fs.StringVar(&lf.project, "project-name", "", "project `NAME` (default: COMPOSE_PROJECT_NAME, name:, or the directory)")
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
	stop := newProgress(e, "loading the project").spin()
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
	cfg := snapshot.Config{Version: version, Disabled: lf.noCache}
	for _, kv := range e.environ {
		if v, ok := strings.CutPrefix(kv, "COMPOSENET_CACHE_DIR="); ok {
			cfg.Dir = v
		}
	}
	return cfg
}

// printError writes err to stderr, one problem per line.
func printError(e *env, err error) {
	msg := strings.TrimRight(err.Error(), "\n")
	fmt.Fprintln(e.stderr, msg)
}

// printWarnings writes the topology's warnings to stderr. Notices about
// tie-breaks are left to inspect (printNotices).
func printWarnings(e *env, t *topology.Topology) {
	perCode := map[string]int{}
	var held []string
	for _, w := range t.Warnings {
		if w.Notice {
			continue
		}
		perCode[w.Code]++
		if perCode[w.Code] > maxWarningsPerCode {
			if perCode[w.Code] == maxWarningsPerCode+1 {
				held = append(held, w.Code)
			}
			continue
		}
		fmt.Fprintf(e.stderr, "warning: %s\n", formatWarning(w))
	}
	for _, code := range held {
		fmt.Fprintf(e.stderr, "warning: %d more %s warnings not shown (composenet lint or inspect --format json lists them all)\n", perCode[code]-maxWarningsPerCode, code)
	}
}

// maxWarningsPerCode caps how many warnings of one code a command prints,
// so that a large estate's output stays readable.
const maxWarningsPerCode = 10

// printNotices writes the tie-break notices to stderr.
func printNotices(e *env, t *topology.Topology) {
	for _, w := range t.Warnings {
		if w.Notice {
			fmt.Fprintf(e.stderr, "note: %s\n", formatWarning(w))
		}
	}
}

func formatWarning(w topology.Warning) string {
	var b strings.Builder
	if p := w.Pos.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	b.WriteString(w.Message)
	b.WriteString(" [")
	b.WriteString(w.Code)
	if w.Rule != "" {
		b.WriteString(", ")
		b.WriteString(w.Rule)
	}
	b.WriteString("]")
	return b.String()
}

// writeFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so a failed run never leaves a half-written file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, errors.Unwrap(err))
	}
	tmp := f.Name()
	// CreateTemp makes the file 0600; the result should read like any
	// other output file.
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Chmod(0o644)
	}
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %v", path, werr)
	}
	return nil
}
