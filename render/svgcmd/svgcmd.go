// Package svgcmd renders SVG through the composenet-graphviz helper
// process, so that the composenet binary does not link go-graphviz, whose
// package initialiser compiles a WebAssembly module at every start-up.
// Only the SVG output pays that cost, and only when it is asked for.
//
// The helper is found, in order: $COMPOSENET_GRAPHVIZ; composenet-graphviz
// next to the running executable; composenet-graphviz on $PATH.
package svgcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/dot"
	"github.com/composenet/composenet/topology"
)

// HelperName is the helper executable's name.
const HelperName = "composenet-graphviz"

// ErrNoHelper says the helper could not be found.
var ErrNoHelper = errors.New("SVG output needs the " + HelperName + " helper next to composenet or on PATH (`make build` builds both into bin/; `go install github.com/composenet/composenet/cmd/...` installs both)")

// Renderer writes SVG by running the helper. Helper is the helper's path;
// empty means Find.
type Renderer struct {
	Helper string
}

// Render writes the SVG picture of t with the overlays of opt to w.
func (r Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	v, err := render.Build(t, opt)
	if err != nil {
		return err
	}
	out, err := FromDOT(context.Background(), r.Helper, []byte(dot.String(v)))
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// Find returns the helper's path.
func Find() (string, error) {
	if p := os.Getenv("COMPOSENET_GRAPHVIZ"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), HelperName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(HelperName); err == nil {
		return p, nil
	}
	return "", ErrNoHelper
}

// FromDOT lays out DOT source through the helper and returns the SVG.
func FromDOT(ctx context.Context, helper string, src []byte) ([]byte, error) {
	if helper == "" {
		var err error
		if helper, err = Find(); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, helper)
	cmd.Stdin = bytes.NewReader(src)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("svg: %s", msg)
	}
	return out.Bytes(), nil
}
