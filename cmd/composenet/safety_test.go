package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/render"
)

// runIn runs composenet in-process with the given environment.
func runIn(t *testing.T, environ []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, helperEnv(t, environ...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// rawControl returns the first control character other than newline and
// tab in s, or -1.
func rawControl(s string) rune {
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return r
		}
	}
	return -1
}

// Issue 10: names, file names and ${VAR:?message} texts from the input
// reach neither stdout nor stderr as control characters, in any format a
// terminal shows, and a newline in them cannot forge an output line.
func TestControlCharactersEscaped(t *testing.T) {
	dir := t.TempDir()
	evil := filepath.Join(dir, "x\x1b]0;pwned\x07\nfake.yaml:1:1: services.x: injected.yaml")
	compose := "name: p\nservices:\n  web:\n    image: nginx\n    hostname: \"h\\e[31m\"\n    extra_hosts: [\"e\\e[2Jvil=10.0.0.1\"]\n" +
		"    networks:\n      front:\n        aliases: [\"al\\e]0;title\\a\"]\n  api:\n    image: api\n    networks: [front]\n    ports: [\"8080:80\"]\n" +
		"networks:\n  front: {}\n"
	if err := os.WriteFile(evil, []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	required := filepath.Join(dir, "required.yaml")
	os.WriteFile(required, []byte("services:\n  a:\n    image: \"${A:?must be set\\e]0;x\\a\\nfake.yaml:1:1: services.x: injected}\"\n"), 0o644)
	cases := [][]string{
		{"inspect", "-f", evil},
		{"inspect", "-f", evil, "--format", "json"},
		{"lint", "-f", evil},
		{"lint", "-f", evil, "--format", "sarif"},
		{"exposure", "-f", evil},
		{"diagram", "-f", evil, "--format", "ascii"},
		{"diagram", "-f", evil, "--format", "dot"},
		{"diagram", "-f", evil, "--format", "mermaid"},
		{"diff", evil, evil},
		{"inspect", "-f", required},
		{"inspect", "-f", filepath.Join(dir, "missing\x1b[2J.yaml")},
		{"reach", "-f", evil, "web\x1b[2J", "api:80"},
		{"nope\x1b]0;x\x07"},
	}
	for _, args := range cases {
		stdout, stderr, code := runIn(t, []string{"PATH=/usr/bin:/bin"}, args...)
		if code == exitInternal {
			t.Errorf("%q: internal error: %s", args, stderr)
		}
		for name, s := range map[string]string{"stdout": stdout, "stderr": stderr} {
			if r := rawControl(s); r >= 0 {
				t.Errorf("%q: %s has a raw %U:\n%s", args, name, r, s)
			}
			for _, line := range strings.Split(s, "\n") {
				if strings.HasPrefix(line, "fake.yaml") {
					t.Errorf("%q: %s has a forged line: %q", args, name, line)
				}
			}
		}
	}
	// The escapes say what was there.
	_, stderr, _ := runIn(t, nil, "inspect", "-f", required)
	if !strings.Contains(stderr, `must be set\x1b]0;x\x07`) {
		t.Errorf("the ${A:?...} message is not shown escaped: %q", stderr)
	}
}

// Issue 10: a panic is an internal error with exit status 3, never an
// answer (0, 1) or bad input (2).
func TestPanicIsInternalError(t *testing.T) {
	var errb bytes.Buffer
	code := run(context.Background(), []string{"version"}, nil, nil, panicWriter{}, &errb)
	if code != exitInternal || !strings.Contains(errb.String(), "composenet: internal error: boom") || strings.Contains(errb.String(), "goroutine") {
		t.Errorf("exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	run(context.Background(), []string{"version"}, []string{"COMPOSENET_DEBUG=1"}, nil, panicWriter{}, &errb)
	if !strings.Contains(errb.String(), "goroutine") {
		t.Errorf("COMPOSENET_DEBUG=1 should print the stack: %q", errb.String())
	}
}

type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("boom") }

// Issue 10: what cannot be drawn usefully is refused with the count:
// too many --highlight flags, too many networks on one container.
func TestDiagramLimits(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("name: p\nservices:\n  web:\n    image: nginx\n    networks:\n")
	for i := 0; i <= render.MaxNetworksLayout; i++ {
		fmt.Fprintf(&b, "      - n%d\n", i)
	}
	b.WriteString("networks:\n")
	for i := 0; i <= render.MaxNetworksLayout; i++ {
		fmt.Fprintf(&b, "  n%d:\n    ipam: {config: [{subnet: 10.%d.%d.0/24}]}\n", i, i/250, i%250)
	}
	f := filepath.Join(dir, "compose.yaml")
	os.WriteFile(f, []byte(b.String()), 0o644)
	want := fmt.Sprintf("p-web-1 joins %d networks: at most %d", render.MaxNetworksLayout+1, render.MaxNetworksLayout)
	for _, format := range []string{"svg", "dot"} {
		_, stderr, code := runIn(t, nil, "diagram", "-f", f, "--format", format)
		if code != exitBadInput || !strings.Contains(stderr, want) {
			t.Errorf("%s: exit %d, stderr %q", format, code, stderr)
		}
	}
	if _, stderr, code := runIn(t, nil, "diagram", "-f", f, "--format", "ascii"); code != exitOK {
		t.Errorf("ascii should draw it: exit %d %s", code, stderr)
	}
	args := []string{"diagram", "-f", f}
	for i := 0; i <= render.MaxHighlights; i++ {
		args = append(args, "--highlight", "web->web")
	}
	_, stderr, code := runIn(t, nil, args...)
	if code != exitBadInput || !strings.Contains(stderr, fmt.Sprintf("%d --highlight flags: at most %d", render.MaxHighlights+1, render.MaxHighlights)) {
		t.Errorf("highlights: exit %d, stderr %q", code, stderr)
	}
}
