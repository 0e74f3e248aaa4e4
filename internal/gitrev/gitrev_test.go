package gitrev

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repo makes a git repository with one commit holding compose.yaml.
func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := filepath.Join(t.TempDir(), "app")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services: {a: {image: x}}\n"), 0o644)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "v1"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// Option-like and malformed revisions never reach git as options: each is
// refused, and no file appears.
func TestVerifyRefusesOptions(t *testing.T) {
	dir := repo(t)
	victim := filepath.Join(dir, "victim")
	for _, rev := range []string{"--output=" + victim, "-o" + victim, "--remote=ext::sh", "", "HEAD\n--output=x", "nosuchrev", "HEAD:compose.yaml"} {
		if id, err := Verify(context.Background(), dir, rev); err == nil {
			t.Errorf("Verify(%q) = %s, want an error", rev, id)
		}
		if _, err := Extract(context.Background(), dir, rev); err == nil {
			t.Errorf("Extract(%q) worked, want an error", rev)
		}
	}
	if _, err := os.Stat(victim); err == nil {
		t.Error("git wrote the victim file")
	}
}

// A real revision resolves to a full commit ID and extracts under the
// repository's own folder name.
func TestExtract(t *testing.T) {
	dir := repo(t)
	s, err := Extract(context.Background(), dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	if len(s.Commit) != 40 || filepath.Base(s.Root) != "app" {
		t.Errorf("commit %q root %q", s.Commit, s.Root)
	}
	p, err := s.Map(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(b), "image: x") {
		t.Errorf("extracted %q: %v", b, err)
	}
	if _, err := s.Map("/etc/passwd"); err == nil {
		t.Error("a path outside the repository was mapped")
	}
	s.Remove()
	if _, err := os.Stat(s.Root); !os.IsNotExist(err) {
		t.Error("Remove left the snapshot")
	}
}

// MapProject maps the folder and each file (relative to the folder or
// absolute) and refuses a file outside the repository.
func TestMapProject(t *testing.T) {
	dir := repo(t)
	s, err := Extract(context.Background(), dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	mdir, files, err := s.MapProject(dir, []string{"compose.yaml", filepath.Join(dir, "sub", "x.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	if mdir != s.Root || len(files) != 2 || files[0] != filepath.Join(s.Root, "compose.yaml") || files[1] != filepath.Join(s.Root, "sub", "x.yaml") {
		t.Errorf("dir %q files %q", mdir, files)
	}
	if _, files, err := s.MapProject(dir, nil); err != nil || files != nil {
		t.Errorf("no files: %q %v", files, err)
	}
	if _, _, err := s.MapProject(dir, []string{"../outside.yaml"}); err == nil || !strings.Contains(err.Error(), "outside the git repository") {
		t.Errorf("outside: %v", err)
	}
}

func TestParseRange(t *testing.T) {
	for spec, want := range map[string][2]string{"main": {"main", ""}, "v1..HEAD": {"v1", "HEAD"}, "a..": {"a", ""}, "..b": {}, "": {}} {
		o, n, err := ParseRange(spec)
		if o != want[0] || n != want[1] || (err != nil) != (want[0] == "") {
			t.Errorf("ParseRange(%q) = %q %q %v", spec, o, n, err)
		}
	}
	if _, _, err := ParseRange("..b"); err == nil || err.Error() != `--git wants OLD[..NEW], got "..b"` {
		t.Errorf("message: %v", err)
	}
}

// objectID accepts exactly 40 or 64 lowercase hexadecimal digits (the
// expression it replaced: ^[0-9a-f]{40}([0-9a-f]{24})?$).
func TestObjectID(t *testing.T) {
	hex40 := strings.Repeat("0123456789", 4)
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{hex40, true},
		{hex40 + strings.Repeat("abcdef", 4), true},
		{hex40[:39], false},
		{hex40 + "a", false},
		{hex40 + strings.Repeat("f", 23), false},
		{strings.ToUpper(hex40[:39]) + "A", false},
		{hex40[:39] + "g", false},
		{hex40[:39] + "\n", false},
		{"", false},
	} {
		if got := objectID(tc.id); got != tc.want {
			t.Errorf("objectID(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
