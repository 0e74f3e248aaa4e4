package snapshot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// TestCodecKnowsEveryPointer walks the model's types: every field that
// holds a pointer into the model must be one the wire form replaces by an
// index, or encoding would copy shared objects (or loop on cycles).
func TestCodecKnowsEveryPointer(t *testing.T) {
	known := map[string]bool{
		"Topology.Bridge0":     true,
		"Topology.Networks":    true,
		"Topology.Containers":  true,
		"Topology.Services":    true,
		"Network.Endpoints":    true,
		"Container.NetNS":      true,
		"Container.Endpoints":  true,
		"PortBinding.Endpoint": true,
		"Endpoint.Container":   true,
		"Endpoint.Network":     true,
		"Service.Containers":   true,
		// The host firewall is a tree (no rule is shared or points back
		// into the model): the wire form carries it by value.
		"Host.Rules":       true,
		"Ruleset.Tables":   true,
		"FWRule.CtOrigDst": true,
	}
	seen := map[reflect.Type]bool{}
	var walk func(ty reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() != reflect.TypeFor[topology.Topology]().PkgPath() {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			if !f.IsExported() {
				continue
			}
			name := ty.Name() + "." + f.Name
			if holdsModelPointer(f.Type) && !known[name] {
				t.Errorf("%s holds a pointer into the model that the snapshot wire form does not rebuild; add it to codec.go", name)
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[topology.Topology]())
}

// holdsModelPointer reports whether ty is, or directly contains through
// slices and arrays, a pointer to a topology struct.
func holdsModelPointer(ty reflect.Type) bool {
	for ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array {
		ty = ty.Elem()
	}
	if ty.Kind() == reflect.Map {
		return holdsModelPointer(ty.Key()) || holdsModelPointer(ty.Elem())
	}
	return ty.Kind() == reflect.Pointer && ty.Elem().PkgPath() == reflect.TypeFor[topology.Topology]().PkgPath()
}

// corpusFiles lists every compose file of the corpus and the examples.
func corpusFiles(t *testing.T) []string {
	var files []string
	for _, root := range []string{"../testdata/corpus", "../../examples"} {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if (strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".yaml")) && !strings.Contains(p, "scenario") {
				abs, _ := filepath.Abs(p)
				files = append(files, abs)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 50 {
		t.Fatalf("found only %d corpus files", len(files))
	}
	return files
}

// fingerprint is what the commands print from a topology: inspect's JSON
// and the IP-level and port-80 matrices.
func fingerprint(t *testing.T, top *topology.Topology) string {
	t.Helper()
	doc, err := json.Marshal(top.Doc())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.Write(doc)
	for _, port := range []uint16{0, 80} {
		m, err := json.Marshal(sim.New(top).Matrix(port, "tcp"))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(m)
	}
	return b.String()
}

// TestCorpusCachedEqualsUncached is the differential test: for every corpus
// project that loads, the topology read back from a snapshot is the same
// value as the one loaded (reflect.DeepEqual, pointers and sharing
// included) and prints the same inspect JSON and matrices.
func TestCorpusCachedEqualsUncached(t *testing.T) {
	files := corpusFiles(t)
	if testing.Short() {
		var some []string
		for i := 0; i < len(files); i += 5 {
			some = append(some, files[i])
		}
		files = some
	}
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	hits := 0
	for _, f := range files {
		opts := topology.Options{Files: []string{f}, Dir: filepath.Dir(f), Env: []string{}}
		cold, err := loader.Load(context.Background(), opts)
		if err != nil {
			continue
		}
		_, st, err := Load(context.Background(), opts, cfg)
		if err != nil {
			t.Fatalf("%s: cached load failed where the plain one did not: %v", f, err)
		}
		if st.FromCache {
			t.Fatalf("%s: first load came from an empty cache", f)
		}
		warm, st, err := Load(context.Background(), opts, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if st.Uncacheable != "" {
			t.Logf("%s: not cached: %s", f, st.Uncacheable)
			continue
		}
		if !st.FromCache {
			t.Errorf("%s: second load missed the cache", f)
			continue
		}
		hits++
		if !reflect.DeepEqual(cold, warm) {
			t.Errorf("%s: the snapshot's topology differs from the loaded one", f)
		}
		if a, b := fingerprint(t, cold), fingerprint(t, warm); a != b {
			i := 0
			for i < len(a) && i < len(b) && a[i] == b[i] {
				i++
			}
			t.Errorf("%s: inspect JSON or matrix differ from byte %d: %.80q vs %.80q", f, i, a[i:], b[i:])
		}
	}
	if hits < len(files)/5 {
		t.Errorf("only %d corpus projects were served from the cache", hits)
	}
}

// project writes files under a fresh folder with modification times in the
// past (Load does not store snapshots of files written during the load).
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	return dir
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
}

const (
	mainCompose = `include:
  - inc/compose.yaml
services:
  web:
    image: nginx
    extends:
      file: base.yaml
      service: base
    env_file: web.env
    environment:
      - BARE
    ports:
      - "${WEB_PORT:-8080}:80"
    networks: [front]
networks:
  front:
    ipam:
      config:
        - subnet: ${SUBNET}
`
	baseCompose = `services:
  base:
    image: busybox
    hostname: base
`
	incCompose = `services:
  db:
    image: postgres
    networks: [back]
networks:
  back: {}
`
	hostYAML = `daemon:
  icc: true
`
)

func testProject(t *testing.T) string {
	return project(t, map[string]string{
		"compose.yaml":     mainCompose,
		"base.yaml":        baseCompose,
		"inc/compose.yaml": incCompose,
		".env":             "SUBNET=10.5.0.0/24\n",
		"web.env":          "A=1\n",
		"host.yaml":        hostYAML,
	})
}

func loadIn(t *testing.T, cfg Config, dir string, env []string, files ...string) (*topology.Topology, *Stamp) {
	t.Helper()
	top, st, err := Load(context.Background(), topology.Options{Files: files, Dir: dir, Env: env, HostFile: "host.yaml"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return top, st
}

// TestInvalidation changes each input in turn: every change must miss the
// cache and show in the result, and an unrelated change must not miss.
func TestInvalidation(t *testing.T) {
	cases := []struct {
		name   string
		change func(t *testing.T, dir string, env *[]string)
		check  func(top *topology.Topology) bool // true when the change shows
		miss   bool
	}{
		{"compose file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "compose.yaml"), strings.Replace(mainCompose, "image: nginx", "image: nginx\n    hostname: changed", 1))
		}, func(top *topology.Topology) bool { return top.Container("p-web-1").Hostname == "changed" }, true},
		{"included file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "inc/compose.yaml"), strings.Replace(incCompose, "back: {}", "back:\n    internal: true", 1))
		}, func(top *topology.Topology) bool { return top.Network("back").Internal }, true},
		{"extended file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "base.yaml"), strings.Replace(baseCompose, "hostname: base", "hostname: rebased", 1))
		}, func(top *topology.Topology) bool { return top.Container("p-web-1").Hostname == "rebased" }, true},
		{".env", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, ".env"), "SUBNET=10.6.0.0/24\n")
		}, func(top *topology.Topology) bool { return top.Network("front").Subnet.String() == "10.6.0.0/24" }, true},
		{"env_file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "web.env"), "A=2\n")
		}, func(top *topology.Topology) bool { return envOf(top, "web", "A") == "2" }, true},
		{"host file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "host.yaml"), "daemon:\n  icc: false\n")
		}, func(top *topology.Topology) bool { return !top.Daemon.ICC }, true},
		{"interpolated variable", func(t *testing.T, dir string, env *[]string) {
			*env = append(*env, "WEB_PORT=9090")
		}, func(top *topology.Topology) bool { return top.Container("p-web-1").Ports[0].HostPort == 9090 }, true},
		{"variable that wins over .env", func(t *testing.T, dir string, env *[]string) {
			*env = append(*env, "SUBNET=10.7.0.0/24")
		}, func(top *topology.Topology) bool { return top.Network("front").Subnet.String() == "10.7.0.0/24" }, true},
		{"bare environment key", func(t *testing.T, dir string, env *[]string) {
			*env = append(*env, "BARE=x")
		}, func(top *topology.Topology) bool { return envOf(top, "web", "BARE") == "x" }, true},
		{"COMPOSE_PROJECT_NAME", func(t *testing.T, dir string, env *[]string) {
			*env = []string{"COMPOSE_PROJECT_NAME=q"}
		}, func(top *topology.Topology) bool { return top.Project == "q" }, true},
		{"unrelated variable", func(t *testing.T, dir string, env *[]string) {
			*env = append(*env, "UNRELATED=1")
		}, func(top *topology.Topology) bool { return true }, false},
		{"unrelated file", func(t *testing.T, dir string, env *[]string) {
			write(t, filepath.Join(dir, "README.md"), "hello")
		}, func(top *topology.Topology) bool { return true }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := testProject(t)
			cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
			env := []string{"COMPOSE_PROJECT_NAME=p"}
			loadIn(t, cfg, dir, env, "compose.yaml")
			if _, st := loadIn(t, cfg, dir, env, "compose.yaml"); !st.FromCache {
				t.Fatal("the unchanged project missed the cache")
			}
			c.change(t, dir, &env)
			top, st := loadIn(t, cfg, dir, env, "compose.yaml")
			if st.FromCache == c.miss {
				t.Fatalf("after the change FromCache = %v", st.FromCache)
			}
			if !c.check(top) {
				t.Fatal("the change does not show in the topology")
			}
			if c.miss {
				if _, st := loadIn(t, cfg, dir, env, "compose.yaml"); !st.FromCache {
					t.Fatal("the changed project was not stored again")
				}
			}
		})
	}
}

func envOf(top *topology.Topology, svc, key string) string {
	for _, e := range top.Service(svc).Environment {
		if e.Key == key {
			return e.Value
		}
	}
	return ""
}

// TestDiscoveryInvalidation: without -f, a compose.override.yaml that
// appears beside the discovered file, or a compose file that appears in a
// folder between the working directory and the discovered one, changes the
// project and must miss.
func TestDiscoveryInvalidation(t *testing.T) {
	for _, newFile := range []string{"compose.override.yaml", "sub/compose.yaml"} {
		t.Run(newFile, func(t *testing.T) {
			dir := project(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n", "sub/deeper/keep": ""})
			work := filepath.Join(dir, "sub", "deeper")
			cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
			env := []string{"COMPOSE_PROJECT_NAME=p"}
			loadIn2 := func() (*topology.Topology, *Stamp) {
				top, st, err := Load(context.Background(), topology.Options{Dir: work, Env: env}, cfg)
				if err != nil {
					t.Fatal(err)
				}
				return top, st
			}
			loadIn2()
			if _, st := loadIn2(); !st.FromCache {
				t.Fatal("the unchanged project missed the cache")
			}
			write(t, filepath.Join(dir, newFile), "services:\n  b:\n    image: y\n")
			top, st := loadIn2()
			if st.FromCache || top.Service("b") == nil {
				t.Fatalf("FromCache = %v, service b = %v", st.FromCache, top.Service("b"))
			}
		})
	}
}

// TestCorruptEntriesAreIgnored damages the stored entry in several ways:
// each load must fall back to a cold load with the right answer and
// rewrite the entry.
func TestCorruptEntriesAreIgnored(t *testing.T) {
	damage := map[string]func([]byte) []byte{
		"flipped byte in the body": func(b []byte) []byte { b[len(b)-10] ^= 0xff; return b },
		"truncated":                func(b []byte) []byte { return b[:len(b)/2] },
		"empty":                    func(b []byte) []byte { return nil },
		"wrong magic":              func(b []byte) []byte { b[0] = 'x'; return b },
		"wrong format version":     func(b []byte) []byte { b[7]++; return b },
		"garbage with a valid checksum": func(b []byte) []byte {
			body := bytes.Repeat([]byte{0x7f}, 100)
			return resum(b[:8], body)
		},
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			dir := testProject(t)
			cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
			env := []string{"COMPOSE_PROJECT_NAME=p"}
			want, _ := loadIn(t, cfg, dir, env, "compose.yaml")
			entry := onlyEntry(t, cfg.Dir)
			raw, err := os.ReadFile(entry)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(entry, f(raw), 0o600); err != nil {
				t.Fatal(err)
			}
			got, st := loadIn(t, cfg, dir, env, "compose.yaml")
			if st.FromCache {
				t.Fatal("a damaged entry was trusted")
			}
			if !reflect.DeepEqual(want, got) {
				t.Fatal("the cold load after a damaged entry differs")
			}
			if _, st := loadIn(t, cfg, dir, env, "compose.yaml"); !st.FromCache {
				t.Fatal("the damaged entry was not rewritten")
			}
		})
	}
}

func resum(head, body []byte) []byte {
	var out []byte
	out = append(out, head...)
	sum := sha256.Sum256(body)
	out = append(out, sum[:]...)
	return append(out, body...)
}

func onlyEntry(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "*.snap"))
	if len(m) != 1 {
		t.Fatalf("want one entry, found %v", m)
	}
	return m[0]
}

// TestVersionIsPartOfTheKey: another version never reads this one's
// entries.
func TestVersionIsPartOfTheKey(t *testing.T) {
	dir := testProject(t)
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "1"}
	env := []string{"COMPOSE_PROJECT_NAME=p"}
	loadIn(t, cfg, dir, env, "compose.yaml")
	cfg.Version = "2"
	if _, st := loadIn(t, cfg, dir, env, "compose.yaml"); st.FromCache {
		t.Fatal("version 2 read version 1's snapshot")
	}
}

// TestEviction: the folder stays within MaxBytes, dropping the least
// recently used entries first.
func TestEviction(t *testing.T) {
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	env := []string{"COMPOSE_PROJECT_NAME=p"}
	var dirs []string
	for i := 0; i < 3; i++ {
		dirs = append(dirs, testProject(t))
		loadIn(t, cfg, dirs[i], env, "compose.yaml")
	}
	entries, _ := filepath.Glob(filepath.Join(cfg.Dir, "*.snap"))
	if len(entries) != 3 {
		t.Fatalf("want 3 entries, got %d", len(entries))
	}
	info, _ := os.Stat(entries[0])
	// Make the first project the most recently used, then store a fourth
	// with room for about two entries.
	past := time.Now().Add(-time.Minute)
	for _, e := range entries {
		os.Chtimes(e, past, past)
	}
	if _, st := loadIn(t, cfg, dirs[0], env, "compose.yaml"); !st.FromCache {
		t.Fatal("missed")
	}
	cfg.MaxBytes = 2*info.Size() + info.Size()/2
	loadIn(t, cfg, testProject(t), env, "compose.yaml")
	entries, _ = filepath.Glob(filepath.Join(cfg.Dir, "*.snap"))
	if len(entries) != 2 {
		t.Fatalf("want 2 entries after trimming, got %d", len(entries))
	}
	if _, st := loadIn(t, Config{Load: loader.Load, Dir: cfg.Dir, Version: "test", MaxBytes: 1 << 30}, dirs[0], env, "compose.yaml"); !st.FromCache {
		t.Fatal("the most recently used entry was evicted")
	}
}

// TestConcurrentRuns: many loads of one project at once, cold and warm,
// all succeed with the same topology and leave one whole entry.
func TestConcurrentRuns(t *testing.T) {
	dir := testProject(t)
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	env := []string{"COMPOSE_PROJECT_NAME=p"}
	want, _ := loadIn(t, Config{Load: loader.Load, Disabled: true}, dir, env, "compose.yaml")
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			top, _, err := Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: env, HostFile: "host.yaml"}, cfg)
			if err != nil {
				errs <- err.Error()
				return
			}
			if !reflect.DeepEqual(want, top) {
				errs <- "a concurrent load returned a different topology"
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	onlyEntry(t, cfg.Dir)
	left, _ := filepath.Glob(filepath.Join(cfg.Dir, ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestStampFresh: the stamp lists the inputs and notices a change.
func TestStampFresh(t *testing.T) {
	dir := testProject(t)
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	env := []string{"COMPOSE_PROJECT_NAME=p"}
	_, st := loadIn(t, cfg, dir, env, "compose.yaml")
	if !st.Fresh() {
		t.Fatal("a just-loaded stamp is stale")
	}
	files := st.Files()
	for _, want := range []string{"compose.yaml", "base.yaml", "inc/compose.yaml", ".env", "web.env", "host.yaml", "inc/.env"} {
		if !slices.Contains(files, filepath.Join(dir, want)) {
			t.Errorf("inputs lack %s: %v", want, files)
		}
	}
	write(t, filepath.Join(dir, "inc/.env"), "X=1\n")
	if st.Fresh() {
		t.Fatal("a new .env for the included project did not make the stamp stale")
	}
}

// TestUncacheableIncludePath: an include path built from a variable cannot
// be listed offline, so nothing is stored.
func TestUncacheableIncludePath(t *testing.T) {
	dir := project(t, map[string]string{
		"compose.yaml":     "include:\n  - ${INC:-inc}/compose.yaml\nservices:\n  a:\n    image: x\n",
		"inc/compose.yaml": incCompose,
	})
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	_, st, err := Load(context.Background(), topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{}}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Uncacheable == "" {
		t.Fatal("an include path with a variable was cached")
	}
	if m, _ := filepath.Glob(filepath.Join(cfg.Dir, "*.snap")); len(m) != 0 {
		t.Fatalf("stored %v", m)
	}
}

// TestDecodeNeverPanics feeds Decode truncations of a real snapshot.
func TestDecodeNeverPanics(t *testing.T) {
	dir := testProject(t)
	top, _ := loadIn(t, Config{Load: loader.Load, Disabled: true}, dir, nil, "compose.yaml")
	var buf bytes.Buffer
	if err := Encode(&buf, top); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	for n := 0; n < len(raw); n += 7 {
		if _, err := Decode(bytes.NewReader(raw[:n])); err == nil {
			t.Fatalf("a %d-byte prefix decoded", n)
		}
	}
	got, err := Decode(bytes.NewReader(raw))
	if err != nil || !reflect.DeepEqual(top, got) {
		t.Fatalf("round trip: %v", err)
	}
}

// FuzzDecode: arbitrary bytes, seeded with real snapshots, decode to a
// topology or fail with an error; never a panic, never a topology whose
// lookups or simulation crash, and what decodes encodes back to bytes
// that decode to an equal topology.
func FuzzDecode(f *testing.F) {
	for _, file := range []string{"../../examples/ecommerce/compose.yaml", "../testdata/corpus/traefik/basic-example/docker-compose.yml"} {
		top, err := loader.Load(context.Background(), topology.Options{Files: []string{file}})
		if err != nil {
			f.Fatal(err)
		}
		raw, err := Marshal(top)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		f.Add(raw[:len(raw)/2])
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Unmarshal(data)
		if err != nil {
			return
		}
		for _, c := range top.Containers {
			top.Container(c.Name)
			c.GatewayEndpoint()
		}
		raw, err := Marshal(top)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Unmarshal(raw)
		if err != nil {
			t.Fatalf("re-encoded topology does not decode: %v", err)
		}
		if !reflect.DeepEqual(top, again) {
			t.Fatal("re-encoded topology differs")
		}
	})
}

// TestTrack: Track stamps the inputs without touching a cache folder; a
// stamp taken while an input was just written is not trusted.
func TestTrack(t *testing.T) {
	dir := testProject(t)
	opts := topology.Options{Files: []string{"compose.yaml"}, Dir: dir, Env: []string{"COMPOSE_PROJECT_NAME=p"}, HostFile: "host.yaml"}
	top, st, err := Track(context.Background(), opts, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	if top.Container("p-web-1") == nil || st.FromCache || !st.Fresh() {
		t.Fatalf("FromCache %v, Fresh %v", st.FromCache, st.Fresh())
	}
	write(t, filepath.Join(dir, "web.env"), "A=3\n")
	if st.Fresh() {
		t.Fatal("a changed env_file left the stamp fresh")
	}
	if err := os.WriteFile(filepath.Join(dir, "web.env"), []byte("A=4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, st, err = Track(context.Background(), opts, loader.Load)
	if err != nil {
		t.Fatal(err)
	}
	if st.Fresh() {
		t.Fatal("a stamp taken right after a write is trusted")
	}
}

// The usage file keeps the folder's total without a stat of every entry
// at every store: it matches the entries' sizes, a damaged one is
// replaced by a full count, and the bound holds over many stores.
func TestUsageAccounting(t *testing.T) {
	cfg := Config{Load: loader.Load, Dir: t.TempDir(), Version: "test"}
	env := []string{"COMPOSE_PROJECT_NAME=p"}
	sizes := func() (total int64, n int) {
		m, _ := filepath.Glob(filepath.Join(cfg.Dir, "*.snap"))
		for _, e := range m {
			info, err := os.Stat(e)
			if err != nil {
				t.Fatal(err)
			}
			total += info.Size()
		}
		return total, len(m)
	}
	usage := func() (int64, string) {
		raw, err := os.ReadFile(filepath.Join(cfg.Dir, usageFile))
		if err != nil {
			t.Fatal(err)
		}
		n, ok := parseUsage(raw)
		if !ok {
			t.Fatalf("unreadable usage file %q", raw)
		}
		return n, string(raw)
	}
	for i := range 3 {
		loadIn(t, cfg, testProject(t), env, "compose.yaml")
		got, raw := usage()
		want, n := sizes()
		if got != want || n != i+1 {
			t.Fatalf("after %d stores: usage %d (%q), entries %d bytes in %d files", i+1, got, raw, want, n)
		}
		if lines := strings.Count(raw, "\n"); lines != i+1 || !strings.HasPrefix(raw, "=") {
			t.Fatalf("after %d stores the usage file is %q", i+1, raw)
		}
	}
	// A damaged usage file costs one full count.
	os.WriteFile(filepath.Join(cfg.Dir, usageFile), []byte("garbage"), 0o600)
	loadIn(t, cfg, testProject(t), env, "compose.yaml")
	if got, raw := usage(); !strings.HasPrefix(raw, "=") || strings.Contains(raw, "+") {
		t.Fatalf("damaged usage file not recounted: %q", raw)
	} else if want, _ := sizes(); got != want {
		t.Fatalf("recounted usage %d, entries %d", got, want)
	}
	// A bound of about three entries holds over ten stores.
	one, n := sizes()
	cfg.MaxBytes = 3 * one / int64(n)
	for range 10 {
		loadIn(t, cfg, testProject(t), env, "compose.yaml")
		if total, _ := sizes(); total > cfg.MaxBytes {
			t.Fatalf("folder holds %d bytes, bound %d", total, cfg.MaxBytes)
		}
	}
}

func TestParseUsage(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"=10\n", 10, true},
		{"=10\n+5\n+7\n", 22, true},
		{"=0\n", 0, true},
		{"", 0, false},
		{"+5\n", 0, false},
		{"=10\n=5\n", 0, false},
		{"=10\n+x\n", 0, false},
		{"=10\n+-5\n", 0, false},
		{"=10\n\n", 0, false},
		{"=10\n+", 0, false},
	} {
		got, ok := parseUsage([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseUsage(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
