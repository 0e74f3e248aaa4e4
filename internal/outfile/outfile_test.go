package outfile

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// leftovers fails the test when dir holds a temporary file.
func leftovers(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// A new file is 0644; no temporary file is left; a failed write leaves
// nothing.
func TestNewFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "arch.svg")
	if err := Write(context.Background(), out, []byte("<svg/>")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o644 || read(t, out) != "<svg/>" {
		t.Fatalf("stat %v %v", st, err)
	}
	leftovers(t, dir)
	err = Write(context.Background(), filepath.Join(dir, "missing", "x.svg"), []byte("x"))
	if err == nil || !strings.Contains(err.Error(), "cannot write") {
		t.Errorf("want a cannot write error, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Error("a failed write created something")
	}
}

// Issue 10: replacing a file keeps its permission bits.
func TestKeepsMode(t *testing.T) {
	for _, mode := range []fs.FileMode{0o600, 0o755, 0o640} {
		out := filepath.Join(t.TempDir(), "report.txt")
		os.WriteFile(out, []byte("old"), 0o600)
		os.Chmod(out, mode)
		if err := Write(context.Background(), out, []byte("new")); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(out)
		if st.Mode().Perm() != mode || read(t, out) != "new" {
			t.Errorf("mode %v became %v", mode, st.Mode().Perm())
		}
	}
}

// Issue 10: -o onto a symbolic link replaces the file it points at and
// keeps the link; a link to nothing is refused.
func TestSymlinkFollowed(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.svg")
	os.WriteFile(real, []byte("old"), 0o600)
	link := filepath.Join(dir, "link.svg")
	if err := os.Symlink("real.svg", link); err != nil {
		t.Skip(err)
	}
	if err := Write(context.Background(), link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(link)
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", st, err)
	}
	if read(t, real) != "new" {
		t.Errorf("the target was not written")
	}
	if st, _ := os.Stat(real); st.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode became %v", st.Mode().Perm())
	}
	leftovers(t, dir)
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("nowhere/x", dangling)
	if err := Write(context.Background(), dangling, []byte("x")); err == nil || !strings.Contains(err.Error(), "symbolic link to nothing") {
		t.Errorf("want a refusal, got %v", err)
	}
}

// Issue 10: a FIFO (like a character device such as /dev/null) is written
// through, not replaced by a regular file.
func TestFIFOWrittenThrough(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skip(err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(p)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := Write(context.Background(), p, []byte("through")); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through" {
		t.Errorf("reader got %q", s)
	}
	if st, _ := os.Lstat(p); st.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v", st.Mode())
	}
}

// /dev/null is seen as a character device, the kind written through.
func TestDevNullIsADevice(t *testing.T) {
	target, mode, _, err := resolve("/dev/null")
	if err != nil || target != "/dev/null" || mode&fs.ModeCharDevice == 0 {
		t.Errorf("resolve(/dev/null) = %q %v %v", target, mode, err)
	}
}

// Folders and empty names are refused.
func TestRefusals(t *testing.T) {
	dir := t.TempDir()
	for path, want := range map[string]string{dir: "it is a folder", "": "empty file name"} {
		if err := Write(context.Background(), path, []byte("x")); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Write(%q) = %v, want %q", path, err, want)
		}
	}
}

// countdown is a context that is cancelled after n looks at it: the
// signal arrives in the middle of the write.
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n > 0 {
		c.n--
		return nil
	}
	return context.Canceled
}

// Issue 10: a cancelled context (SIGINT, SIGTERM), before or in the middle
// of the write, leaves no temporary file and does not touch the
// destination.
func TestCancelledLeavesNothing(t *testing.T) {
	for n := 0; n < 4; n++ {
		dir := t.TempDir()
		out := filepath.Join(dir, "big.svg")
		os.WriteFile(out, []byte("old"), 0o644)
		err := Write(&countdown{context.Background(), n}, out, make([]byte, 2*chunk+1))
		if err == nil {
			t.Errorf("cancelled after %d looks: the write succeeded", n)
		}
		if read(t, out) != "old" {
			t.Errorf("cancelled after %d looks: the destination changed", n)
		}
		leftovers(t, dir)
	}
}

// Format reads the format from the extension, in any case, and refuses an
// unknown one with a hint.
func TestFormat(t *testing.T) {
	byExt := map[string]string{".svg": "svg", ".gv": "dot"}
	for path, want := range map[string]string{"a.svg": "svg", "dir.x/A.SVG": "svg", "b.gv": "dot", "c.png": "", "noext": ""} {
		got, err := Format(path, byExt)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("Format(%q) = %q, %v", path, got, err)
		}
	}
	if _, err := Format("c.png", byExt); err == nil || err.Error() != `cannot tell the format from "c.png": use --format` {
		t.Errorf("message: %v", err)
	}
}
