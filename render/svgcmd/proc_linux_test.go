//go:build linux

package svgcmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHelperDiesWithParent: when composenet is killed outright (SIGKILL:
// no context cancellation runs), the kernel kills the helper too
// (Pdeathsig). The test binary runs itself as the parent.
func TestHelperDiesWithParent(t *testing.T) {
	if h := os.Getenv("SVGCMD_TEST_HELPER"); h != "" {
		Helper{Path: h}.FromDOT(context.Background(), nil)
		return
	}
	pidFile := filepath.Join(t.TempDir(), "pid")
	helper := fakeHelper(t, "echo $$ > "+pidFile+"; exec sleep 30")
	parent := exec.Command(os.Args[0], "-test.run=^TestHelperDiesWithParent$")
	parent.Env = append(os.Environ(), "SVGCMD_TEST_HELPER="+helper)
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var pid int
	for deadline := time.Now().Add(10 * time.Second); pid == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			parent.Process.Kill()
			t.Fatal("the helper did not start")
		}
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	parent.Process.Kill()
	parent.Wait()
	for deadline := time.Now().Add(5 * time.Second); alive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("helper %d outlived its parent", pid)
		}
	}
}

// alive reports whether pid runs (a zombie waiting to be reaped is dead).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}
