package svgcmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv ...string) func(string) string { return lookup(kv) }

func TestFindHonoursEnvironment(t *testing.T) {
	if p, err := Find(env("COMPOSENET_GRAPHVIZ=/opt/custom/composenet-graphviz")); err != nil || p != "/opt/custom/composenet-graphviz" {
		t.Errorf("Find = %q, %v", p, err)
	}
}

// The PATH searched is the one given, not the process's.
func TestFindSearchesGivenPath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, HelperName)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := Find(env("PATH=/nonexistent:" + dir)); err != nil || got != p {
		t.Errorf("Find = %q, %v; want %q", got, err, p)
	}
}

func TestNoHelper(t *testing.T) {
	_, err := Helper{Env: []string{"PATH=" + t.TempDir()}}.FromDOT(context.Background(), []byte("digraph{}"))
	// The test binary's folder has no helper and PATH is empty.
	if !errors.Is(err, ErrNoHelper) {
		t.Fatalf("want ErrNoHelper, got %v", err)
	}
	if !strings.Contains(err.Error(), "make build") {
		t.Errorf("the message should say how to get the helper: %v", err)
	}
}

func TestHelperFailureIsReported(t *testing.T) {
	_, err := Helper{Path: "/bin/false"}.FromDOT(context.Background(), []byte("digraph{}"))
	if err == nil || !strings.HasPrefix(err.Error(), "svg: ") {
		t.Errorf("want an svg: error, got %v", err)
	}
}

// fakeHelper writes a shell script standing in for the helper.
func fakeHelper(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), HelperName)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// A helper that runs past its time budget is killed, and the message names
// the budget and what to do.
func TestHelperTimeout(t *testing.T) {
	h := Helper{Path: fakeHelper(t, "exec sleep 30"), Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err := h.FromDOT(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "within 200ms") || !strings.Contains(err.Error(), "--focus") {
		t.Errorf("want a timeout message, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the helper was not stopped: %v", d)
	}
}

// A helper that runs out of memory is reported as over its memory budget.
func TestHelperOutOfMemory(t *testing.T) {
	h := Helper{Path: fakeHelper(t, "echo 'fatal error: out of memory' >&2; exit 2")}
	_, err := h.FromDOT(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "memory budget (4 GiB") {
		t.Errorf("want a memory budget message, got %v", err)
	}
}

// Cancelling the context (SIGINT, SIGTERM in composenet) stops the helper.
func TestHelperCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := Helper{Path: fakeHelper(t, "exec sleep 30")}.FromDOT(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "stopped") || time.Since(start) > 5*time.Second {
		t.Errorf("want a quick stop, got %v after %v", err, time.Since(start))
	}
}
