//go:build unix

package main

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeDocker writes a docker CLI stand-in that logs every command line to
// log and answers what verify asks before and around `compose up`: an
// engine version, compose 2.x, the probe image present, docker0, no
// leftovers. `compose up` of project hang sleeps (until verify kills it);
// of project fail exits 1.
func fakeDocker(t *testing.T, dir, log, hang, fail string) string {
	t.Helper()
	script := `#!/bin/sh
echo "$*" >> '` + log + `'
case "$1" in
version) echo '{"Version":"20.10.24","ApiVersion":"1.41","Os":"linux","KernelVersion":"6.1"}' ;;
image) exit 0 ;;
network)
  case "$2" in
  inspect) echo '[{"Name":"bridge","Internal":false,"Options":{},"IPAM":{"Config":[{"Subnet":"172.17.0.0/16","Gateway":"172.17.0.1"}]}}]' ;;
  esac ;;
compose)
  case "$*" in
  *"version --short"*) echo 2.35.1 ;;
  *"-p ` + hang + ` "*" up "*) exec sleep 60 ;;
  *"-p ` + fail + ` "*" up "*) echo "Error response from daemon: boom" >&2; exit 1 ;;
  esac ;;
esac
exit 0
`
	path := filepath.Join(dir, "docker")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// staticELF writes the smallest ELF file verify accepts as a static probe
// binary (a header without program headers: no interpreter).
func staticELF(t *testing.T, dir string) string {
	t.Helper()
	h := make([]byte, 64)
	copy(h, []byte{0x7f, 'E', 'L', 'F', 2, 1, 1})
	le := binary.LittleEndian
	le.PutUint16(h[16:], 2)  // ET_EXEC
	le.PutUint16(h[18:], 62) // x86-64
	le.PutUint32(h[20:], 1)
	le.PutUint16(h[52:], 64) // header size
	le.PutUint16(h[54:], 56)
	le.PutUint16(h[58:], 64)
	path := filepath.Join(dir, "probe")
	if err := os.WriteFile(path, h, 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// downs are the projects the log shows `compose down` for, in order.
var downRe = regexp.MustCompile(`compose -p (\S+) .* down -v --remove-orphans`)

func downs(log string) []string {
	var out []string
	for _, m := range downRe.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1])
	}
	return out
}

// Several projects (issue 17): verify brings them up in the modelled up
// order (the host description's projects:, then --with, then -f) and
// tears down exactly those whose up began, in reverse order, by project
// name and then by label, on Ctrl-C in the middle of an up and when an up
// fails. No engine: docker is a logging stand-in.
func TestVerifyTeardownOrder(t *testing.T) {
	proj := "../../testdata/projects"
	args := []string{"verify", "-f", proj + "/app/compose.yaml", "--host", proj + "/host.yaml", "--with", proj + "/admin", "--timeout", "2m"}
	for _, c := range []struct {
		name, hang, fail string
		ups, downs       []string
		status           int
	}{
		{"interrupted during the last up", "app-verify", "-", []string{"proxy-verify", "admin-verify", "app-verify"}, []string{"app-verify", "admin-verify", "proxy-verify"}, 130},
		{"interrupted during the first up", "proxy-verify", "-", []string{"proxy-verify"}, []string{"proxy-verify"}, 130},
		{"second up fails", "-", "admin-verify", []string{"proxy-verify", "admin-verify"}, []string{"admin-verify", "proxy-verify"}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			log := filepath.Join(dir, "docker.log")
			docker := fakeDocker(t, dir, log, c.hang, c.fail)
			cmd, out := mainProcessEnv(t, []string{"COMPOSENET_DOCKER=" + docker}, append(args, "--probe", staticELF(t, dir))...)
			if c.hang != "-" {
				for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
					if b, _ := os.ReadFile(log); upStarted(string(b), c.hang) {
						break
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatalf("no up of %s:\n%s", c.hang, out.String())
					}
				}
				cmd.Process.Signal(syscall.SIGINT)
			}
			if code := exitStatus(cmd.Wait()); code != c.status {
				t.Errorf("exit status %d, want %d; output %s", code, c.status, out.String())
			}
			b, _ := os.ReadFile(log)
			var ups []string
			for _, m := range regexp.MustCompile(`compose -p (\S+) .* up -d --no-build`).FindAllStringSubmatch(string(b), -1) {
				ups = append(ups, m[1])
			}
			if strings.Join(ups, " ") != strings.Join(c.ups, " ") {
				t.Errorf("ups %v, want %v", ups, c.ups)
			}
			if got := downs(string(b)); strings.Join(got, " ") != strings.Join(c.downs, " ") {
				t.Errorf("downs %v, want %v\n%s", got, c.downs, b)
			}
			// After each down, what is left is looked for by the
			// project's label, exactly.
			for _, p := range c.downs {
				if !strings.Contains(string(b), "ps -a -q --no-trunc --filter label=com.docker.compose.project="+p+"\n") {
					t.Errorf("no leftover search by label for %s:\n%s", p, b)
				}
			}
		})
	}
}

// mainProcessEnv is mainProcess with more environment.
func mainProcessEnv(t *testing.T, environ []string, args ...string) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv(t, append([]string{"COMPOSENET_TEST_MAIN=1", "COMPOSENET_CACHE_DIR=" + t.TempDir()}, environ...)...)...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}

// upStarted reports whether log shows the up of project p.
func upStarted(log, p string) bool {
	return regexp.MustCompile(`compose -p ` + regexp.QuoteMeta(p) + ` .* up -d`).MatchString(log)
}
