// Package svgcmd renders SVG through the composenet-graphviz helper
// process, so that the composenet binary does not link go-graphviz, whose
// package initialiser compiles a WebAssembly module at every start-up.
// Only the SVG output pays that cost, and only when it is asked for.
//
// The helper is found, in order: $COMPOSENET_GRAPHVIZ; composenet-graphviz
// next to the running executable; composenet-graphviz on $PATH. The
// environment is the caller's to give (Find's getenv, Helper.Env): this
// package never reads the process environment itself.
//
// The helper never outlives its caller and never runs unbounded: it is
// killed when the context ends; on Linux it also gets SIGKILL when
// composenet dies (Pdeathsig); it has Timeout to finish, and it limits its
// own address space to MaxAddressSpace (RLIMIT_AS, Linux). Each budget,
// when exceeded, is named in the error.
package svgcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/composenet/composenet/internal/helperbin"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/topology"
)

// HelperName is the helper executable's name.
const HelperName = "composenet-graphviz"

// Budgets of one helper run.
const (
	// Timeout is how long the helper may lay out one picture. The SVG of
	// a 500-service project takes about 1.5 s.
	Timeout = 60 * time.Second
	// MaxAddressSpace is the helper's RLIMIT_AS. It is address space, not
	// resident memory: the WebAssembly runtime reserves much more than it
	// touches, and 4 GiB leaves Graphviz about 2 GiB of real memory.
	MaxAddressSpace = 4 << 30
)

// ErrNoHelper says the helper could not be found.
var ErrNoHelper = errors.New("SVG output needs the " + HelperName + " helper next to composenet or on PATH (`make build` builds both into bin/; `go install github.com/composenet/composenet/cmd/...` installs both)")

// Helper runs composenet-graphviz.
type Helper struct {
	// Path is the helper's path; empty means Find with Env.
	Path string
	// Env is the helper's environment, as os.Environ gives it (go-graphviz
	// keeps its compilation cache under $TMPDIR).
	Env []string
	// Timeout overrides the package's Timeout when positive.
	Timeout time.Duration
}

// Renderer writes SVG by running the helper. The helper is stopped when
// Context ends (nil: never, but the Timeout still holds).
type Renderer struct {
	Helper  Helper
	Context context.Context
	// Summary lays out dot's summarised picture (dot.Renderer.Summary).
	Summary bool
}

// Render writes the SVG picture of t with the overlays of opt to w.
func (r Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	var buf bytes.Buffer
	if err := (dot.Renderer{Summary: r.Summary}).Render(&buf, t, opt); err != nil {
		return err
	}
	ctx := r.Context
	if ctx == nil {
		ctx = context.Background()
	}
	out, err := r.Helper.FromDOT(ctx, buf.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// Find returns the helper's path (helperbin.Find: $COMPOSENET_GRAPHVIZ, next to
// the executable, then PATH). getenv looks up the caller's environment
// (nil: an empty one).
func Find(getenv func(string) string) (string, error) {
	if p, ok := helperbin.Find(HelperName, "COMPOSENET_GRAPHVIZ", getenv); ok {
		return p, nil
	}
	return "", ErrNoHelper
}

// FromDOT lays out DOT source through the helper and returns the SVG.
func (h Helper) FromDOT(ctx context.Context, src []byte) ([]byte, error) {
	helper := h.Path
	if helper == "" {
		var err error
		if helper, err = Find(lookup(h.Env)); err != nil {
			return nil, err
		}
	}
	limit := h.Timeout
	if limit <= 0 {
		limit = Timeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, helper)
	cmd.Env = h.Env
	cmd.Stdin = bytes.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = time.Second
	tieToParent(cmd)
	err := cmd.Run()
	if err == nil {
		return out.Bytes(), nil
	}
	msg := strings.TrimSpace(errb.String())
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("svg: Graphviz did not finish laying out the picture within %s; draw less of it (--focus SERVICE, --summary on, fewer --highlight) or use --format dot", limit)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("svg: stopped (%v)", context.Cause(ctx))
	case strings.Contains(msg, "out of memory"):
		return nil, fmt.Errorf("svg: Graphviz ran out of the helper's memory budget (%d GiB of address space) laying out the picture; draw less of it (--focus SERVICE, --summary on) or use --format dot", MaxAddressSpace>>30)
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" {
		msg = err.Error()
	}
	return nil, fmt.Errorf("svg: %s", msg)
}

// lookup returns a getenv over environ.
func lookup(environ []string) func(string) string {
	return func(key string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(environ[i], "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}
