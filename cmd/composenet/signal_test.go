//go:build unix

package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainProcess starts the test binary as composenet (TestMain runs main).
func mainProcess(t *testing.T, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv(t, "COMPOSENET_TEST_MAIN=1", "COMPOSENET_CACHE_DIR="+t.TempDir())...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

func exitStatus(err error) int {
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		return xe.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Issue 10: SIGINT in the middle of work stops composenet at once with
// status 130, and leaves neither the output file nor a temporary file.
func TestInterruptLeavesNoFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 100,000-service generation")
	}
	dir := t.TempDir()
	cmd, out := mainProcess(t, "generate", "--services", "100000", "-o", filepath.Join(dir, "big.yaml"))
	time.Sleep(500 * time.Millisecond) // main has installed its signal handler
	cmd.Process.Signal(syscall.SIGINT)
	start := time.Now()
	err := cmd.Wait()
	if code := exitStatus(err); code != 130 {
		t.Errorf("exit status %d, want 130; output %q", code, out.String())
	}
	if d := time.Since(start); d > graceTime {
		t.Errorf("took %v to stop", d)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// SIGTERM stops serve cleanly: main waits for its shutdown, and the
// status is serve's own 0.
func TestTerminateServe(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	os.WriteFile(file, []byte("services:\n  web:\n    image: nginx\n"), 0o644)
	cmd, out := mainProcess(t, "serve", "-f", file, "--addr", "127.0.0.1:0")
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), "http://"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("serve did not start: %q", out.String())
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitStatus(cmd.Wait()); code != 0 {
		t.Errorf("exit status %d, want 0; output %q", code, out.String())
	}
}
