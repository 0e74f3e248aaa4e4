package loadcmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/loader"
	"github.com/composenet/composenet/verify"
	"github.com/composenet/composenet/verify/rewrite"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// helperPath builds cmd/composenet-load once per test binary.
func helperPath(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "composenet-load-test-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, HelperName)
		if out, err := exec.Command("go", "build", "-o", built, "../../cmd/composenet-load").CombinedOutput(); err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

func corpusFiles(t *testing.T) []string {
	var files []string
	for _, root := range []string{"../../topology/testdata/corpus", "../../examples"} {
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

// TestHelperEqualsLoader is the differential test of the helper: for
// corpus projects (every fifteenth with -short) and for broken inputs, a load
// through composenet-load returns what loader.Load returns in process:
// the same topology (reflect.DeepEqual: values, pointers and sharing),
// the same recorded inputs, or the same error, problem by problem.
func TestHelperEqualsLoader(t *testing.T) {
	h := &Helper{Path: helperPath(t)}
	files := corpusFiles(t)
	if testing.Short() {
		var some []string
		for i := 0; i < len(files); i += 15 {
			some = append(some, files[i])
		}
		files = some
	}
	broken := t.TempDir()
	for name, text := range map[string]string{
		"bad.yaml":     "services:\n  web:\n    image: nginx\n    networks: [nope]\n  db:\n    image: postgres\n    ports: [\"99999:1\"]\n",
		"yamlerr.yaml": "services:\n  web: [\n",
		"interp.yaml":  "services:\n  web:\n    image: ${MISSING:?set MISSING}\n",
	} {
		p := filepath.Join(broken, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	files = append(files, filepath.Join(broken, "absent.yaml"))
	ok, failed := 0, 0
	for _, f := range files {
		var inA, inB topology.Inputs
		opts := topology.Options{Files: []string{f}, Dir: filepath.Dir(f), Env: []string{"HOME=/nowhere"}}
		a := opts
		a.Record = &inA
		want, werr := loader.Load(context.Background(), a)
		b := opts
		b.Record = &inB
		got, gerr := h.Load(context.Background(), b)
		if (werr == nil) != (gerr == nil) {
			t.Errorf("%s: in process: %v; helper: %v", f, werr, gerr)
			continue
		}
		if werr != nil {
			failed++
			var wl, gl *topology.LoadError
			if errors.As(werr, &wl) != errors.As(gerr, &gl) || werr.Error() != gerr.Error() {
				t.Errorf("%s: errors differ:\nin process: %v\nhelper:     %v", f, werr, gerr)
			} else if wl != nil && !reflect.DeepEqual(wl.Problems, gl.Problems) {
				t.Errorf("%s: problems differ: %#v vs %#v", f, wl.Problems, gl.Problems)
			}
			continue
		}
		ok++
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: the helper's topology differs from the in-process one", f)
		}
		if !reflect.DeepEqual(inA, inB) {
			t.Errorf("%s: recorded inputs differ: %v vs %v", f, inA, inB)
		}
	}
	if ok < 10 || failed < 4 {
		t.Errorf("only %d loads and %d failures compared", ok, failed)
	}
}

// TestHelperStdin: a compose file named "-" is composenet's standard
// input, handed to the helper.
func TestHelperStdin(t *testing.T) {
	text := "name: p\nservices:\n  web:\n    image: nginx\n"
	h := &Helper{Path: helperPath(t), Stdin: strings.NewReader(text)}
	got, err := h.Load(context.Background(), topology.Options{Files: []string{"-"}, Dir: t.TempDir(), Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Project != "p" || len(got.Services) != 1 || got.Services[0].Name != "web" {
		t.Errorf("got project %q with %d services", got.Project, len(got.Services))
	}
}

// TestHelperRewrite: the helper's verify rewrite is verify/rewrite's.
func TestHelperRewrite(t *testing.T) {
	opts := topology.Options{Files: []string{"../../examples/ecommerce/compose.yaml"}, Env: []string{}}
	top, err := loader.Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The spec travels to the helper whole: an added backend port shows
	// in the rewritten file.
	spec := verify.RewriteSpec{Image: "probe:test", External: map[string]string{"edge": "edge-verify"}, Listen: map[string][]string{"gateway": {"9999/tcp"}}}
	want, err := rewrite.Project(context.Background(), opts, top, spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := (&Helper{Path: helperPath(t)}).Rewrite(context.Background(), opts, top, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got.YAML, []byte("9999/tcp")) {
		t.Errorf("the spec's listen port is not in the helper's rewrite:\n%s", got.YAML)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("rewrite differs:\n%s\nvs\n%s", want.YAML, got.YAML)
	}
}

// TestServeRefusesOtherBuilds: a request with another protocol version or
// model fingerprint is refused with a message saying to install both
// programs together, and so is garbage.
func TestServeRefusesOtherBuilds(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"garbage", []byte("hello"), "unreadable request (this program is composenet's helper; run composenet)"},
		{"gob (composenet before protocol 2)", []byte("\x1f\xff\x81\x03\x01\x01\x07request"), "unreadable request (this program is composenet's helper; run composenet)"},
		{"fingerprint", encodeReq(t, proto, "other", request{Op: "load"}), "was built from a different composenet"},
		{"proto", encodeReq(t, proto+1, fingerprint(), request{Op: "load"}), "was built from a different composenet"},
		{"this build, truncated", encodeReq(t, proto, fingerprint(), request{Op: "load", Options: topology.Options{Files: []string{"compose.yaml"}}})[:60], "unreadable request"},
	} {
		var out, errb bytes.Buffer
		code := Serve(context.Background(), bytes.NewReader(tc.in), &out, &errb, Ops{Load: loader.Load})
		if code != 2 || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
			t.Errorf("%s: exit %d, stderr %q, %d bytes out", tc.name, code, errb.String(), out.Len())
		}
	}
}

func encodeReq(t *testing.T, proto int, fingerprint string, r request) []byte {
	b, err := encodeMessage(proto, fingerprint, &r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFindOrder: $COMPOSENET_LOAD first, then PATH; without either (and
// no helper next to the test binary) the error says how to install it.
func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, HelperName)
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := func(kv ...string) func(string) string { return lookup(kv) }
	if p, err := Find(env("COMPOSENET_LOAD=/x/y", "PATH="+dir)); err != nil || p != "/x/y" {
		t.Errorf("COMPOSENET_LOAD: %q, %v", p, err)
	}
	if p, err := Find(env("PATH=/nonexistent" + string(os.PathListSeparator) + dir)); err != nil || p != exe {
		t.Errorf("PATH: %q, %v", p, err)
	}
	_, err := Find(env("PATH=/nonexistent"))
	if !errors.Is(err, ErrNoHelper) || !strings.Contains(err.Error(), "go install github.com/composenet/composenet/cmd/...") {
		t.Errorf("no helper: %v", err)
	}
	_, err = (&Helper{Env: []string{"PATH=/nonexistent"}}).Load(context.Background(), topology.Options{Dir: dir})
	if !errors.Is(err, ErrNoHelper) {
		t.Errorf("Load without a helper: %v", err)
	}
}
