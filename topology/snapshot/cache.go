// Package snapshot keeps built topologies on disk so that repeated
// questions about an unchanged project skip compose-go's load, which costs
// about 2 ms of CPU per service, and cost only reading and checking a
// snapshot.
//
// A snapshot is keyed by everything the load depended on: this build of
// composenet (its version and the executable's size and modification
// time), the load options (files, project name and directory, profiles, env
// files, --host, --daemon, --latency, the working directory), the COMPOSE_*
// environment variables, the content of every file the load read or looked
// for (topology.Inputs: compose files, includes, extends, .env and env
// files, env_file and label_file, the host file, discovery candidates), and
// the values of the environment variables the load could have looked up
// (every $NAME in those files and every key of a service's environment).
// The options and the COMPOSE_* variables name the entry; the entry holds
// the rest, which Load checks by hashing the files again before it trusts
// the snapshot.
//
// Entries are written to a temporary file and renamed into place, so
// concurrent runs see a whole entry or none; each carries a format version,
// the build and a SHA-256 checksum of its body, and an entry that fails any
// check or does not decode is ignored and replaced by a fresh load. The
// folder is bounded (DefaultMaxBytes); the least recently used entries go
// first, and a running total in the folder's usage file (account) tells a
// store when to count and trim, instead of a stat of every entry at every
// store. Snapshots hold services' environment values, so the folder and its
// files are private to the user (0700, 0600).
//
// Callers that keep a topology in memory (serve) use Track, or the Stamp
// that Load returns: Stamp.Fresh tells whether the inputs are unchanged and
// Stamp.Files which files to watch.
package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/internal/wire"
	"github.com/composenet/composenet/topology"
)

// format is the version of the entry layout and of the wire form; bump it
// when either changes shape. 2: package wire instead of encoding/gob.
const format = 2

// DefaultMaxBytes bounds a cache folder when Config.MaxBytes is zero.
const DefaultMaxBytes = 256 << 20

// magic starts every entry file.
var magic = [8]byte{'c', 'n', 's', 'n', 'a', 'p', 0, format}

// Config says where snapshots live and whether to use them.
type Config struct {
	// Dir is the cache folder; empty means DefaultDir.
	Dir string
	// Disabled turns the cache off: Load loads and stores nothing.
	Disabled bool
	// MaxBytes bounds the folder's entries; 0 means DefaultMaxBytes.
	MaxBytes int64
	// Version is the program's version; it is part of every key.
	Version string
	// Load loads a project afresh (loader.Load, or a helper process that
	// runs it); Load calls it when no snapshot serves.
	Load topology.LoadFunc
	// Loader identifies the build that Load runs when that is not this
	// program (composenet's helper); it is part of every key.
	Loader string
}

// DefaultDir is the composenet folder in the user's cache directory
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux, ~/Library/Caches
// on macOS, %LocalAppData% on Windows).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "composenet"), nil
}

// Stamp records what a topology was built from and the state of those
// inputs when it was built.
type Stamp struct {
	// FromCache is true when the topology came from a snapshot.
	FromCache bool
	// Uncacheable is non-empty when the inputs could not be listed
	// completely, so nothing was stored; it says why.
	Uncacheable string
	files       []fileStamp
	// recent is set when an input was modified around the load, so the
	// stamp may describe newer content than the load read.
	recent bool
}

// Files returns the files the topology depends on, existing or not
// (absolute paths, sorted): the ones to watch for changes.
func (s *Stamp) Files() []string {
	out := make([]string, len(s.files))
	for i, f := range s.files {
		out[i] = f.Path
	}
	return out
}

// Fresh reports whether every input file still has the content (or the
// absence) it had when the topology was built. The environment is not
// checked: it is fixed for the life of a process. A Stamp with Uncacheable
// set, or taken while an input was being modified, is never fresh.
func (s *Stamp) Fresh() bool {
	if s.Uncacheable != "" || s.recent {
		return false
	}
	for _, f := range s.files {
		if stampFile(f.Path, nil) != f {
			return false
		}
	}
	return true
}

// header is what an entry holds besides the topology.
type header struct {
	Format int
	Key    [32]byte
	Files  []fileStamp
	Vars   []varStamp
}

// fileStamp is one input file's state.
type fileStamp struct {
	Path  string
	State fileState
	Sum   [32]byte
}

type fileState uint8

const (
	absent  fileState = iota
	regular           // Sum is the SHA-256 of the content
	other             // exists but is not a readable regular file
)

// varStamp is one environment variable's state; the value is hashed so
// that the header does not repeat it.
type varStamp struct {
	Name string
	Set  bool
	Sum  [32]byte
}

// Load returns the topology that cfg.Load would build for opts, from
// a snapshot when one exists for the same key and all its inputs are
// unchanged, and otherwise by loading and storing a snapshot. Cache
// problems (an unwritable folder, a corrupt entry) never fail the call:
// they cost a cold load. Load errors are cfg.Load's.
func Load(ctx context.Context, opts topology.Options, cfg Config) (*topology.Topology, *Stamp, error) {
	if cfg.Load == nil {
		return nil, nil, errors.New("snapshot: Config.Load is not set")
	}
	if opts.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil, err
		}
		opts.Dir = wd
	}
	env := envMap(opts.Env)
	var key [32]byte
	var path string
	if !cfg.Disabled {
		if cfg.Dir == "" {
			d, err := DefaultDir()
			if err != nil {
				cfg.Disabled = true
			}
			cfg.Dir = d
		}
		if buildID() == "" {
			cfg.Disabled = true
		}
		key = keyOf(cfg.Version+"\x00"+cfg.Loader, opts, env)
		path = filepath.Join(cfg.Dir, hex.EncodeToString(key[:16])+".snap")
	}
	if cfg.Disabled {
		// Exactly the uncached load: no inputs recorded, nothing hashed.
		t, err := cfg.Load(ctx, opts)
		if err != nil {
			return nil, nil, err
		}
		return t, &Stamp{Uncacheable: "the cache is off"}, nil
	}
	if t, st := lookup(path, key, env); t != nil {
		return t, st, nil
	}
	t, st, vars, err := track(ctx, opts, cfg.Load)
	if err != nil || st.Uncacheable != "" || st.recent {
		return t, st, err
	}
	h := header{Format: format, Key: key, Files: st.files, Vars: stampVars(vars, env)}
	store(cfg, path, &h, t)
	return t, st, nil
}

// Track loads the project without the disk cache and returns the stamp of
// its inputs, for a caller that keeps the topology in memory and reloads
// it when Stamp.Fresh turns false.
func Track(ctx context.Context, opts topology.Options, load topology.LoadFunc) (*topology.Topology, *Stamp, error) {
	t, st, _, err := track(ctx, opts, load)
	return t, st, err
}

// track loads with the inputs recorded and stamps them. It also returns
// the environment variables the load may have looked up.
func track(ctx context.Context, opts topology.Options, load topology.LoadFunc) (*topology.Topology, *Stamp, []string, error) {
	start := time.Now()
	var in topology.Inputs
	opts.Record = &in
	t, err := load(ctx, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	st := &Stamp{Uncacheable: in.Uncacheable}
	var vars []string
	st.files = make([]fileStamp, len(in.Files))
	for i, f := range in.Files {
		st.files[i] = stampFile(f, func(raw []byte, mod time.Time) {
			vars = append(vars, referencedVars(raw)...)
			// A file written while (or just before, on file systems
			// with coarse timestamps) the load read it may not be what
			// the load saw.
			if !mod.Before(start.Truncate(time.Second)) {
				st.recent = true
			}
		})
	}
	for _, s := range t.Services {
		for _, e := range s.Environment {
			vars = append(vars, e.Key)
		}
	}
	return t, st, vars, nil
}

// lookup returns the topology of the entry at path when it is whole, was
// written by this build for key, and its inputs are unchanged.
func lookup(path string, key [32]byte, env map[string]string) (*topology.Topology, *Stamp) {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) < len(magic)+sha256.Size || !bytes.Equal(raw[:len(magic)], magic[:]) {
		return nil, nil
	}
	sum := raw[len(magic) : len(magic)+sha256.Size]
	body := raw[len(magic)+sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, nil
	}
	n, k := binary.Uvarint(body)
	if k <= 0 || n > uint64(len(body)-k) {
		return nil, nil
	}
	var h header
	if err := wire.Unmarshal(body[k:k+int(n)], &h); err != nil {
		return nil, nil
	}
	if h.Format != format || h.Key != key {
		return nil, nil
	}
	for _, v := range h.Vars {
		if stampVar(v.Name, env) != v {
			return nil, nil
		}
	}
	for _, f := range h.Files {
		if stampFile(f.Path, nil) != f {
			return nil, nil
		}
	}
	t, err := Unmarshal(body[k+int(n):])
	if err != nil {
		return nil, nil
	}
	now := time.Now()
	os.Chtimes(path, now, now) // least recently used goes first
	return t, &Stamp{FromCache: true, files: h.Files}
}

// store writes an entry atomically and trims the folder.
func store(cfg Config, path string, h *header, t *topology.Topology) {
	hb, err := wire.Marshal(h)
	if err != nil {
		return
	}
	tb, err := Marshal(t)
	if err != nil {
		return
	}
	var body bytes.Buffer
	body.Write(binary.AppendUvarint(nil, uint64(len(hb))))
	body.Write(hb)
	body.Write(tb)
	sum := sha256.Sum256(body.Bytes())
	max := cfg.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	if int64(len(magic)+len(sum)+body.Len()) > max {
		return
	}
	if os.MkdirAll(cfg.Dir, 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(cfg.Dir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(magic[:])
	if err == nil {
		_, err = f.Write(sum[:])
	}
	if err == nil {
		_, err = f.Write(body.Bytes())
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return
	}
	account(cfg.Dir, max, int64(len(magic)+len(sum)+body.Len()))
}

// usageFile keeps a running total of the folder's entries, so that a
// store does not stat every entry (trim at 3,000 entries took about
// 30 ms, a quarter of a cold run of a small project): its first line is
// "=N", the total the last trim counted, and every store since appended
// "+n", the size it wrote. Appends of a few bytes are atomic, so
// concurrent stores do not lose each other's lines; one that races with a
// trim's rewrite can be lost, which a later trim corrects.
const usageFile = ".usage"

// maxUsageBytes bounds the usage file: past it, the next store trims.
const maxUsageBytes = 64 << 10

// account adds an entry of size bytes to the folder's running total and
// trims when the total passes max (or is unknown: no usage file yet, or
// an unreadable one).
func account(dir string, max, size int64) {
	p := filepath.Join(dir, usageFile)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		trim(dir, max)
		return
	}
	_, err = f.WriteString("+" + strconv.FormatInt(size, 10) + "\n")
	f.Close()
	raw, rerr := os.ReadFile(p)
	total, ok := parseUsage(raw)
	if err != nil || rerr != nil || !ok || total > max || len(raw) > maxUsageBytes {
		trim(dir, max)
	}
}

// parseUsage sums a usage file: "=N" then "+n" lines.
func parseUsage(raw []byte) (int64, bool) {
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "=") {
		return 0, false
	}
	var total int64
	for i, l := range lines {
		if (i == 0) != strings.HasPrefix(l, "=") || len(l) < 2 {
			return 0, false
		}
		n, err := strconv.ParseInt(l[1:], 10, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		total += n
	}
	return total, true
}

// trim removes the least recently used entries until the folder's entries
// fit in max bytes (down to nine tenths of it, so that a full folder is
// not trimmed again at the next store), and temporary files that a crashed
// run left behind, then writes the total to the usage file.
func trim(dir string, max int64) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		size int64
		mod  time.Time
	}
	var snaps []entry
	var total int64
	for _, de := range ents {
		info, err := de.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(dir, de.Name())
		switch {
		case strings.HasPrefix(de.Name(), ".tmp-"):
			if time.Since(info.ModTime()) > time.Hour {
				os.Remove(p)
			}
		case strings.HasSuffix(de.Name(), ".snap"):
			snaps = append(snaps, entry{p, info.Size(), info.ModTime()})
			total += info.Size()
		}
	}
	if total > max {
		slices.SortFunc(snaps, func(a, b entry) int {
			if c := a.mod.Compare(b.mod); c != 0 {
				return c
			}
			return strings.Compare(a.path, b.path)
		})
		low := max / 10 * 9
		for _, e := range snaps {
			if total <= low {
				break
			}
			if err := os.Remove(e.path); err == nil || errors.Is(err, fs.ErrNotExist) {
				total -= e.size
			}
		}
	}
	if f, err := os.CreateTemp(dir, ".tmp-*"); err == nil {
		_, err = f.WriteString("=" + strconv.FormatInt(total, 10) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(f.Name(), filepath.Join(dir, usageFile))
		}
		if err != nil {
			os.Remove(f.Name())
		}
	}
}

// stampFile hashes the file at path; read, when not nil, also sees its
// content and modification time.
func stampFile(path string, read func(raw []byte, mod time.Time)) fileStamp {
	st := fileStamp{Path: path}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return st
	case err != nil || !info.Mode().IsRegular():
		st.State = other
		return st
	}
	raw, err := topology.ReadInput(path) // bounded: 32 MiB, regular files
	if err != nil {
		st.State = other
		return st
	}
	st.State, st.Sum = regular, sha256.Sum256(raw)
	if read != nil {
		read(raw, info.ModTime())
	}
	return st
}

// reVar finds the variables a compose or env file may interpolate:
// $NAME and ${NAME...}. It over-approximates ($$NAME is an escape, and
// comments count), which only costs needless misses.
// Compiled on first use: only a store needs it, not a warm run.
var reVar = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`) })

// referencedVars returns the variable names raw refers to.
func referencedVars(raw []byte) []string {
	if bytes.IndexByte(raw, '$') < 0 {
		return nil
	}
	var out []string
	for _, m := range reVar().FindAllSubmatch(raw, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// stampVars stamps each distinct name, sorted.
func stampVars(names []string, env map[string]string) []varStamp {
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]varStamp, len(names))
	for i, n := range names {
		out[i] = stampVar(n, env)
	}
	return out
}

func stampVar(name string, env map[string]string) varStamp {
	v, ok := env[name]
	vs := varStamp{Name: name, Set: ok}
	if ok {
		vs.Sum = sha256.Sum256([]byte(v))
	}
	return vs
}

// envMap reads KEY=VALUE entries; a later entry wins, as in compose-go's
// cli.WithEnv.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		m[k] = v
	}
	return m
}

// keyOf names an entry: the build, the load options and the COMPOSE_*
// variables (which steer discovery, the project name, profiles and env
// files before any file is read).
func keyOf(version string, opts topology.Options, env map[string]string) [32]byte {
	h := sha256.New()
	put := func(s string) { fmt.Fprintf(h, "%d:%s", len(s), s) }
	list := func(xs []string) {
		fmt.Fprintf(h, "%d;", len(xs))
		for _, x := range xs {
			put(x)
		}
	}
	fmt.Fprintf(h, "composenet-snapshot %d;", format)
	put(version)
	put(buildID())
	put(opts.Dir)
	list(opts.Files)
	put(opts.ProjectName)
	put(opts.ProjectDir)
	list(opts.Profiles)
	list(opts.EnvFiles)
	put(opts.HostFile)
	list(opts.Daemon)
	list(opts.Latency)
	put(fmt.Sprint(opts.SharedHost))
	var compose []string
	for k, v := range env {
		if strings.HasPrefix(k, "COMPOSE_") {
			compose = append(compose, k+"="+v)
		}
	}
	slices.Sort(compose)
	list(compose)
	// compose-go reads this one from the process environment itself.
	v, ok := os.LookupEnv("COMPOSE_DISABLE_ENV_FILE")
	put(fmt.Sprint(ok, v))
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

var (
	buildOnce sync.Once
	buildStr  string
)

// buildID identifies the running executable by path, size and modification
// time: a rebuilt composenet does not trust its predecessor's snapshots
// even when the version string is the same. It is empty when the
// executable cannot be found, and then Load does not use the cache.
func buildID() string {
	buildOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			return
		}
		info, err := os.Stat(exe)
		if err != nil {
			return
		}
		buildStr = fmt.Sprintf("%s %d %d", exe, info.Size(), info.ModTime().UnixNano())
	})
	return buildStr
}
