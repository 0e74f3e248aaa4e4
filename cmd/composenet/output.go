package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/composenet/composenet/answers"
	"github.com/composenet/composenet/internal/loadcmd"
	"github.com/composenet/composenet/internal/outfile"
	"github.com/composenet/composenet/internal/progress"
	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/render/svgcmd"
)

// outPath is the -o flag: a file name, never empty.
type outPath string

func (o *outPath) String() string { return string(*o) }
func (o *outPath) Type() string   { return "file" }
func (o *outPath) Set(v string) error {
	if v == "" {
		return errors.New("empty file name")
	}
	*o = outPath(v)
	return nil
}

// addOutputFlag registers -o/--output FILE.
func addOutputFlag(fs *flagSet, what string) *outPath {
	o := new(outPath)
	fs.VarP(o, "output", "o", "write "+what+" to `FILE` (atomically; a symbolic link is followed, a device written through) instead of stdout")
	return o
}

// formatFor returns the explicit format, else the one -o's extension names
// in byExt, else def; an -o extension byExt does not know is a usage error.
func formatFor(explicit string, out *outPath, byExt map[string]string, def string) (string, error) {
	if explicit != "" || *out == "" {
		return cmp.Or(explicit, def), nil
	}
	return outfile.Format(string(*out), byExt)
}

// emit writes a finished report, escaped for its format (this is the one
// place output is escaped: termsafe.ForFormat), to stdout or,
// when out is set, to that file (package outfile). It reports whether the
// write worked; a failure is printed.
func (e *env) emit(ctx context.Context, cmd string, out *outPath, format string, data []byte) bool {
	if out == nil || *out == "" {
		w := termsafe.ForFormat(e.rawOut, format)
		_, err := w.Write(data)
		if ferr := w.Flush(); err == nil {
			err = ferr
		}
		return err == nil
	}
	var b bytes.Buffer
	w := termsafe.ForFormat(&b, format)
	w.Write(data)
	w.Flush()
	release, ok := e.holds.Hold()
	if !ok {
		fmt.Fprintf(e.stderr, "composenet %s: interrupted: not writing %s\n", cmd, string(*out))
		return false
	}
	defer release()
	if err := outfile.Write(ctx, string(*out), b.Bytes()); err != nil {
		fmt.Fprintf(e.stderr, "composenet %s: %v\n", cmd, err)
		return false
	}
	return true
}

// emitJSON encodes v as JSON (two-space indent, HTML characters as they
// are) and emits it.
func (e *env) emitJSON(ctx context.Context, cmd string, out *outPath, v any) bool {
	var buf bytes.Buffer
	if err := answers.WriteJSON(&buf, v); err != nil {
		fmt.Fprintf(e.stderr, "composenet %s: %v\n", cmd, err)
		return false
	}
	return e.emit(ctx, cmd, out, "json", buf.Bytes())
}

// emitWith emits v as JSON when format is "json", else the report write
// writes, in format. It reports whether that worked; a failure is printed.
func (e *env) emitWith(ctx context.Context, cmd string, out *outPath, format string, v any, write func(io.Writer) error) bool {
	if format == "json" {
		return e.emitJSON(ctx, cmd, out, v)
	}
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		fmt.Fprintf(e.stderr, "composenet %s: %v\n", cmd, err)
		return false
	}
	return e.emit(ctx, cmd, out, format, buf.Bytes())
}

// exitCode is exitOK when ok, else exitBadInput.
func exitCode(ok bool) int {
	if ok {
		return exitOK
	}
	return exitBadInput
}

// svgHelper is the SVG helper with the environment run was given.
func (e *env) svgHelper() svgcmd.Helper { return svgcmd.Helper{Env: e.environ} }

// loadHelper runs composenet-load, which loads projects with compose-go
// so that composenet need not link it (package loadcmd).
func (e *env) loadHelper() *loadcmd.Helper {
	return &loadcmd.Helper{Env: e.environ, Stdin: e.stdin}
}

// newProgress is a progress bar on the real stderr (package progress);
// COMPOSENET_PROGRESS=never turns it off.
func newProgress(e *env, label string) *progress.Bar {
	return progress.New(e.rawErr, label, e.getenv("COMPOSENET_PROGRESS") != "never")
}
