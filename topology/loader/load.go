package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

var logMu sync.Mutex

// warnHook collects logrus warnings that compose-go emits.
type warnHook struct{ msgs []string }

func (h *warnHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}
func (h *warnHook) Fire(e *logrus.Entry) error { h.msgs = append(h.msgs, e.Message); return nil }

// withCapturedLogs runs fn with logrus output routed into a slice instead
// of stderr. compose-go logs through the global logrus logger, so calls are
// serialised.
func withCapturedLogs(fn func()) []string {
	logMu.Lock()
	defer logMu.Unlock()
	l := logrus.StandardLogger()
	out, hooks, level := l.Out, l.ReplaceHooks(logrus.LevelHooks{}), l.GetLevel()
	h := &warnHook{}
	l.SetOutput(io.Discard)
	l.AddHook(h)
	l.SetLevel(logrus.WarnLevel)
	defer func() {
		l.SetOutput(out)
		l.ReplaceHooks(hooks)
		l.SetLevel(level)
	}()
	fn()
	return h.msgs
}

// Load reads the compose project that opts describe and builds the
// topology Docker would create. Bad input yields a *LoadError that lists
// every problem with its position; the function never panics on input.
func Load(ctx context.Context, opts topology.Options) (t *topology.Topology, err error) {
	defer func() {
		if r := recover(); r != nil {
			t = nil
			err = &topology.LoadError{Problems: []topology.Problem{{Message: fmt.Sprintf("internal error while loading (please report): %v", r)}}}
		}
	}()
	dir := opts.Dir
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return nil, &topology.LoadError{Problems: []topology.Problem{{Message: err.Error()}}}
		}
	}
	host, hostProblems := loadHost(dir, opts.HostFile, opts.Daemon, opts.Latency)
	if len(hostProblems) > 0 {
		return nil, &topology.LoadError{Problems: sortProblems(hostProblems)}
	}

	files := make([]string, len(opts.Files))
	for i, f := range opts.Files {
		if f != "-" && !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		files[i] = f
	}
	fnOpts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(opts.ProjectDir),
		cli.WithEnv(opts.Env),
		cli.WithEnvFiles(opts.EnvFiles...),
		checkEnvFiles(dir),
		cli.WithDotEnv,
		cli.WithName(opts.ProjectName),
		cli.WithResolvedPaths(true),
		// --profile wins; otherwise COMPOSE_PROFILES from the environment
		// or the project's .env (R1-10).
		cli.WithDefaultProfiles(opts.Profiles...),
	}
	if opts.ProjectDir != "" && !filepath.IsAbs(opts.ProjectDir) {
		fnOpts[0] = cli.WithWorkingDirectory(filepath.Join(dir, opts.ProjectDir))
	}
	if len(files) == 0 {
		// Discovery runs first so that .env and COMPOSE_PROFILES are read
		// from the discovered project's directory.
		fnOpts = append([]cli.ProjectOptionsFn{withDiscoveryFrom(dir)}, fnOpts...)
	}

	var (
		po      *cli.ProjectOptions
		project *types.Project
		lerr    error
	)
	logs := withCapturedLogs(func() {
		po, lerr = cli.NewProjectOptions(files, fnOpts...)
		if lerr == nil && len(po.ConfigPaths) == 0 {
			lerr = errNoFile
		}
	})
	var pe *precheckError
	if errors.As(lerr, &pe) {
		return nil, &topology.LoadError{Problems: sortProblems(pe.problems)}
	}

	// Every file compose-go will read is checked (and the compose files
	// indexed) before it reads them: see input.go and envsize.go.
	ix := &posIndex{}
	var problems []topology.Problem
	if po != nil {
		ix.env = po.Environment
		problems = append(problems, ix.addAll(dir, po.ConfigPaths)...)
		problems = append(problems, ix.checkReferencedInputs(dir, po)...)
	}
	if lerr == nil && len(problems) == 0 {
		restore, err := boundedStdin(po.ConfigPaths)
		if err != nil {
			return nil, &topology.LoadError{Problems: []topology.Problem{inputProblem("-", err)}}
		}
		logs = append(logs, withCapturedLogs(func() {
			project, lerr = po.LoadProject(ctx)
			if lerr == nil {
				project, lerr = project.WithoutUnnecessaryResources(), nil
			}
		})...)
		restore()
	}
	if lerr != nil {
		if errors.Is(lerr, errNoFile) {
			return nil, &topology.LoadError{Problems: []topology.Problem{{Message: fmt.Sprintf("no compose file found in %s or its parents (looked for %s); use -f FILE", displayPath(dir, dir), strings.Join(cli.DefaultFileNames, ", "))}}}
		}
		if len(problems) == 0 {
			problems = recheck(ctx, files, fnOpts, ix, host, dir)
		}
		if len(problems) == 0 {
			problems = append(problems, mapComposeError(lerr, ix, dir))
		}
		return nil, &topology.LoadError{Problems: sortProblems(problems)}
	}
	if len(problems) > 0 {
		return nil, &topology.LoadError{Problems: sortProblems(problems)}
	}

	var shown []string
	for _, f := range po.ConfigPaths {
		shown = append(shown, displayPath(dir, f))
	}
	if opts.Record != nil {
		*opts.Record = collectInputs(dir, opts, po, project, ix)
		if host.firewallFile != "" {
			opts.Record.Files = append(opts.Record.Files, host.firewallFile)
			slices.Sort(opts.Record.Files)
			opts.Record.Files = slices.Compact(opts.Record.Files)
		}
	}
	b := newBuilder(project, ix, host, dir, shown)
	b.sharedHost = opts.SharedHost
	for _, m := range versionWarnings(logs, ix) {
		b.composeWarning(m)
	}
	t, berr := b.build()
	if opts.Record != nil && len(b.proxyInputs) > 0 {
		// Mounted proxy configuration (proxyconf.go) is an input too; a
		// mounted folder may gain files, which a stamp cannot see.
		for _, f := range b.proxyInputs {
			opts.Record.Files = append(opts.Record.Files, filepath.Clean(f))
		}
		slices.Sort(opts.Record.Files)
		opts.Record.Files = slices.Compact(opts.Record.Files)
		if b.proxyFolder && opts.Record.Uncacheable == "" {
			opts.Record.Uncacheable = "a proxy configuration folder is mounted (files added to it would not be noticed)"
		}
	}
	return t, berr
}

var errNoFile = errors.New("no compose file")

// precheckError stops compose-go's option processing when an env file
// fails the input checks, carrying the problems.
type precheckError struct{ problems []topology.Problem }

func (e *precheckError) Error() string { return (&topology.LoadError{Problems: e.problems}).Error() }

// checkEnvFiles runs just before cli.WithDotEnv, which reads the
// project's .env (or the --env-file files) and expands its variables:
// each file must pass the input checks and no variable may expand past
// maxVarBytes.
func checkEnvFiles(dir string) cli.ProjectOptionsFn {
	return func(o *cli.ProjectOptions) error {
		var problems []topology.Problem
		vs := envSizes(o.Environment)
		for _, f := range o.EnvFiles {
			if !filepath.IsAbs(f) {
				f = filepath.Join(dir, f)
			}
			if st, err := os.Stat(f); err != nil || st.IsDir() {
				continue // compose-go's words for a missing file or a folder
			}
			raw, err := topology.ReadInput(f)
			if err != nil {
				problems = append(problems, inputProblem(displayPath(dir, f), err))
				continue
			}
			problems = append(problems, vs.measureDotenv(displayPath(dir, f), raw)...)
		}
		if len(problems) > 0 {
			return &precheckError{problems}
		}
		return nil
	}
}

// checkReferencedInputs checks the env_file files that the indexed compose
// files name (compose-go reads them itself, expanding their variables) and
// measures how far interpolation grows each compose file. Relative
// env_file paths are tried against the naming file's folder and the
// project directory.
func (ix *posIndex) checkReferencedInputs(dir string, po *cli.ProjectOptions) []topology.Problem {
	var problems []topology.Problem
	env := envSizes(po.Environment)
	wd, _ := po.GetWorkingDir()
	seen := map[string]bool{}
	for _, fi := range ix.files {
		if fi.raw == nil {
			continue
		}
		if n := env.expandedSize(fi.raw); n > maxExpandedBytes {
			problems = append(problems, topology.Problem{Pos: topology.Position{File: fi.name}, Message: fmt.Sprintf("grows to %s through ${VARIABLE} interpolation; composenet accepts compose files of at most 32 MiB (%d bytes) after interpolation", sizeText(n), maxExpandedBytes)})
		}
		refs := envFileRefs(fi.root, fi.path, ix.expand)
		if fi.path != "" && !slices.Contains(po.ConfigPaths, fi.path) {
			// an included project's own .env (compose-go reads it when
			// the include names no env_file)
			refs = append(refs, filepath.Join(filepath.Dir(fi.path), ".env"))
		}
		for _, r := range refs {
			cands := []string{r}
			if wd != "" && fi.path != "" {
				if rel, err := filepath.Rel(filepath.Dir(fi.path), r); err == nil && !filepath.IsAbs(rel) {
					cands = append(cands, filepath.Join(wd, rel))
				}
			}
			for _, c := range cands {
				if seen[c] {
					continue
				}
				seen[c] = true
				if st, err := os.Stat(c); err != nil || st.IsDir() {
					if err == nil {
						problems = append(problems, inputProblem(displayPath(dir, c), topology.CheckInput(c)))
					}
					continue
				}
				raw, err := topology.ReadInput(c)
				if err != nil {
					problems = append(problems, inputProblem(displayPath(dir, c), err))
					continue
				}
				problems = append(problems, envSizes(po.Environment).measureDotenv(displayPath(dir, c), raw)...)
			}
		}
	}
	return problems
}

// boundedStdin serves `-f -`: compose-go reads standard input to its end,
// so it is read here first, at most MaxInputBytes, and handed over as a
// temporary file in its place. restore puts the real standard input back.
func boundedStdin(paths []string) (restore func(), err error) {
	if !slices.Contains(paths, "-") {
		return func() {}, nil
	}
	raw, err := topology.ReadInputFrom("-", os.Stdin)
	if err != nil {
		return nil, err
	}
	return topology.StdinFrom(raw)
}

// recheck is called when compose-go refused the project. Its consistency
// check stops at the first problem it meets in map order, so the error
// would change from run to run and hide the others. The project is loaded
// again without that check; if that succeeds, the failure was an
// inconsistency, and the project's own checks (consistency, then the
// builder's) report every problem, sorted. It returns nil when the second
// load fails too (the error is of another kind) or finds nothing.
func recheck(ctx context.Context, files []string, fnOpts []cli.ProjectOptionsFn, ix *posIndex, host *hostSpec, dir string) []topology.Problem {
	var project *types.Project
	withCapturedLogs(func() {
		// Without environment resolution too: compose-go checks
		// consistency before it reads env_file, so a missing env file
		// must not hide the inconsistencies (docker compose reports them
		// first).
		po, err := cli.NewProjectOptions(files, append(slices.Clone(fnOpts), cli.WithConsistency(false), cli.WithoutEnvironmentResolution)...)
		if err != nil || len(po.ConfigPaths) == 0 {
			return
		}
		if project, err = po.LoadProject(ctx); err != nil {
			project = nil
		}
	})
	if project == nil {
		return nil
	}
	problems := consistency(project, ix)
	if len(problems) == 0 {
		return nil
	}
	// The builder's checks see the same project; what they report about a
	// path already refused above is a consequence, not news.
	func() {
		defer func() { _ = recover() }()
		b := newBuilder(project.WithoutUnnecessaryResources(), ix, host, dir, nil)
		if _, err := b.build(); err != nil {
			var le *topology.LoadError
			if errors.As(err, &le) {
				for _, p := range le.Problems {
					if !slices.ContainsFunc(problems, func(q topology.Problem) bool { return samePlace(p.Path, q.Path) }) {
						problems = append(problems, p)
					}
				}
			}
		}
	}()
	return problems
}

// withDiscoveryFrom runs docker compose's default file discovery starting
// at dir instead of the process working directory.
func withDiscoveryFrom(dir string) cli.ProjectOptionsFn {
	return func(o *cli.ProjectOptions) error {
		wd := o.WorkingDir
		o.WorkingDir = dir
		err := cli.WithDefaultConfigPath(o)
		o.WorkingDir = wd
		return err
	}
}

// displayPath shows p relative to dir when it is inside it.
func displayPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// The message patterns are compiled on first use: most serve only to
// translate compose-go's errors, and compiling them all at start-up cost
// every composenet-load run about 1.3 ms and 177 KB (issue 15).
var (
	reValidating  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^validating ([^:]+): (\S*) (.*)$`) })
	reAddlProps   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`additional properties '([^']+)'`) })
	reServiceQ    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`service "([^"]+)"`) })
	reServiceBare = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^service ([A-Za-z0-9._-]+) `) })
	reUndefNet    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`refers to undefined network ([^\s:]+)`) })
	reDottedPath  = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^((?:services|networks|volumes|configs|secrets|include)(?:\.[^\s:]+)?):\s*(.*)$`)
	})
	reFileInvalid = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^compose file "([^"]+)" (?:[^:]* )?is invalid: (.*)$`)
	})
	reYAMLLine           = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })
	reNodeVisits         = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`exceeds maximum node visit limit \((\d+)\)`) })
	reFailedParse        = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`failed to parse (.+?): `) })
	reQuotedKey          = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`'([^']*)'`) })
	reSafeKey            = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$`) })
	reContainerNameScale = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^services\.(deploy\.replicas|scale): can't set container_name and (\S+) as container name must be unique`)
	})
)

// mapComposeError turns a compose-go error into a positioned problem.
func mapComposeError(err error, ix *posIndex, dir string) topology.Problem {
	msg := err.Error()
	msg = strings.TrimSuffix(msg, ": invalid compose project")
	if m := reContainerNameScale().FindStringSubmatch(msg); m != nil {
		// M1: compose-go swaps the attribute and service name in its message.
		path := "services." + m[2] + ".container_name"
		return topology.Problem{Pos: ix.lookup(path), Path: path, Message: fmt.Sprintf("can't set container_name together with %s > 1: a container name must be unique, so the service cannot be scaled; remove container_name", m[1])}
	}
	if m := reNodeVisits().FindStringSubmatch(msg); m != nil {
		pos := topology.Position{}
		if f := reFailedParse().FindStringSubmatch(msg); f != nil {
			pos.File = displayPath(dir, f[1])
		} else if len(ix.files) > 0 {
			pos.File = ix.files[len(ix.files)-1].name
		}
		return topology.Problem{Pos: pos, Message: fmt.Sprintf("the file has more YAML nodes than the compose loader visits in one file (compose-go's limit: %s node visits, counting nodes reached through aliases); this is a limit of the loader composenet uses, not an error in the YAML: split the project into several files joined with include:", m[1])}
	}
	if m := reFileInvalid().FindStringSubmatch(msg); m != nil {
		return topology.Problem{Pos: topology.Position{File: displayPath(dir, m[1])}, Message: strings.TrimSpace(m[2])}
	}
	if m := reValidating().FindStringSubmatch(msg); m != nil {
		file := displayPath(dir, m[1])
		path := m[2]
		msg := schemaMessage(m[3])
		if reAddlProps().MatchString(m[3]) {
			// compose-go lists the keys in map order: list them in file
			// order and point at the first
			var keys []string
			for _, k := range reQuotedKey().FindAllStringSubmatch(m[3], -1) {
				keys = append(keys, k[1])
			}
			full := func(k string) string {
				if path == "" {
					return k
				}
				return path + "." + k
			}
			sort.SliceStable(keys, func(i, j int) bool {
				a, b := lookupInFile(ix, file, full(keys[i])), lookupInFile(ix, file, full(keys[j]))
				if a != b {
					return a.Less(b)
				}
				return keys[i] < keys[j]
			})
			quoted := make([]string, len(keys))
			for i, k := range keys {
				quoted[i] = "'" + k + "'"
			}
			listed := "additional properties " + strings.Join(quoted, ", ") + " not allowed"
			msg = schemaMessage(listed)
			if path == "" {
				msg = topLevelKeysMessage(listed)
			}
			return topology.Problem{Pos: lookupInFile(ix, file, full(keys[0])), Path: path, Message: msg}
		}
		pos := lookupInFile(ix, file, path)
		return topology.Problem{Pos: pos, Path: path, Message: msg}
	}
	if m := reDottedPath().FindStringSubmatch(msg); m != nil {
		return topology.Problem{Pos: ix.lookup(m[1]), Path: m[1], Message: m[2]}
	}
	if m := reUndefNet().FindStringSubmatch(msg); m != nil {
		if s := reServiceQ().FindStringSubmatch(msg); s != nil {
			path := "services." + s[1] + ".networks." + strings.TrimSpace(m[1])
			return topology.Problem{Pos: ix.lookup(path), Path: path, Message: msg}
		}
	}
	if s := reServiceQ().FindStringSubmatch(msg); s != nil {
		path := "services." + s[1]
		if strings.Contains(msg, "depends on undefined service") {
			if p, ok := ix.exact(path + ".network_mode"); ok {
				return topology.Problem{Pos: p, Path: path + ".network_mode", Message: msg}
			}
			path += ".depends_on"
		}
		return topology.Problem{Pos: ix.lookup(path), Path: path, Message: msg}
	}
	if s := reServiceBare().FindStringSubmatch(msg); s != nil {
		path := "services." + s[1]
		if strings.Contains(msg, "network_mode") {
			path += ".network_mode"
		}
		return topology.Problem{Pos: ix.lookup(path), Path: path, Message: msg}
	}
	if strings.HasPrefix(msg, "yaml:") || strings.Contains(msg, "line ") {
		if m := reYAMLLine().FindStringSubmatch(msg); m != nil && len(ix.files) > 0 {
			line, col := yamlErrorLine(msg)
			file := ix.files[0].name
			if f := reFailedParse().FindStringSubmatch(msg); f != nil {
				file = displayPath(dir, f[1])
				msg = strings.Replace(msg, f[0], "", 1)
			}
			return topology.Problem{Pos: topology.Position{File: file, Line: line, Col: col}, Message: cleanYAMLError(msg)}
		}
	}
	// An interpolated value that is not a valid entry: point at the entry
	// as written and name the unset variables.
	if p, ok := invalidSpecProblem(msg, ix); ok {
		return p
	}
	// Messages without a path (port syntax and the like): point at the
	// first place in the files that carries the offending value, if any.
	for _, q := range quotedValues(msg) {
		if p, ok := ix.findText(q); ok {
			return topology.Problem{Pos: p, Message: msg}
		}
	}
	pos := topology.Position{}
	if len(ix.files) > 0 {
		pos = topology.Position{File: ix.files[0].name, Line: 1, Col: 1}
	}
	return topology.Problem{Pos: pos, Message: msg}
}

// topLevelKeysMessage explains unknown top-level keys. Keys that look like
// service names are shown (the version-1 format put services at the top
// level); otherwise the file is not a compose file at all (an include of
// /etc/shadow, say), and nothing of its contents is repeated.
func topLevelKeysMessage(m string) string {
	keys := reQuotedKey().FindAllStringSubmatch(m, -1)
	for _, k := range keys {
		if !reSafeKey().MatchString(k[1]) {
			return fmt.Sprintf("not a compose file: its top level has %d key(s) that Compose does not know and that are not names (not shown)", len(keys))
		}
	}
	return strings.Replace(strings.Replace(m, "additional properties", "top-level keys", 1), "not allowed", "are not allowed", 1) +
		" (services at the top level are the version-1 format, which Compose v2 does not read; put them under services:)"
}

func lookupInFile(ix *posIndex, file, path string) topology.Position {
	for _, f := range ix.files {
		if f.name != file {
			continue
		}
		sub := &posIndex{files: []fileIndex{f}}
		return sub.lookup(path)
	}
	return ix.lookup(path)
}

// schemaMessage rewrites JSON-schema jargon into plain words.
func schemaMessage(m string) string {
	switch {
	case m == "false schema":
		return "additional property is not allowed"
	case strings.HasPrefix(m, "additional properties"):
		return strings.Replace(m, "additional properties", "unknown properties", 1)
	}
	return m
}

var reWords = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[A-Za-z0-9_./:-]*[0-9][A-Za-z0-9_./:-]*`) })

// quotedValues returns the value-like tokens of a message, longest first.
func quotedValues(msg string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]+)"`).FindAllStringSubmatch(msg, -1) {
		out = append(out, m[1])
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		out = append(out, strings.TrimSpace(msg[i+2:]))
	}
	for _, w := range reWords().FindAllString(msg, -1) {
		if len(w) > 2 {
			out = append(out, w)
		}
	}
	return out
}
