// Package gitrev extracts a revision of a git repository into a temporary
// folder, so that `composenet diff --git` loads compose files with their
// includes, extends and .env files exactly as they were at that revision.
//
// Revisions come from the command line, and a command line can be hostile
// (a pull request's CI job, a copied snippet): "--output=/tmp/victim" or
// "--remote=host:repo" are options to git archive, not revisions. Every
// revision is therefore checked with
//
//	git rev-parse --verify --end-of-options REV^{commit}
//
// and only the commit ID that check returns is handed to git archive, after
// --end-of-options. Nothing the user typed reaches git as an option.
//
// Only the cmd package imports gitrev.
package gitrev

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Snapshot is one revision of the repository extracted into a temporary
// folder. The repository keeps its own folder name inside it, so that a
// project name derived from a folder (R1-1) is the same as in the work tree.
type Snapshot struct {
	// Rev is the revision as the user gave it; Commit is the commit it
	// names (a full hexadecimal object ID).
	Rev, Commit string
	// Top is the real repository's top-level folder; Root is the same
	// folder inside the snapshot.
	Top, Root string
	tmp       string
}

// objectID reports whether id is a full object ID: 40 (SHA-1) or 64
// (SHA-256) lowercase hexadecimal digits. (A loop: the regular expression
// it replaces cost every composenet start about 0.4 ms to compile.)
func objectID(id string) bool {
	if len(id) != 40 && len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Verify resolves rev to the commit it names in the repository that holds
// dir, or says why it is not a revision. rev is never passed to git as an
// option: it follows --end-of-options, and a rev that starts with "-" is
// refused before git runs.
func Verify(ctx context.Context, dir, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, "\x00\n") {
		return "", fmt.Errorf("%q is not a git revision", rev)
	}
	out, err := git(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%q is not a commit in the git repository at %s", rev, dir)
		}
		return "", err
	}
	id := strings.TrimSpace(out)
	if !objectID(id) {
		return "", fmt.Errorf("%q is not a commit in the git repository at %s", rev, dir)
	}
	return id, nil
}

// Extract verifies rev and extracts it from the repository that holds dir
// into a new temporary folder. The caller removes it with Remove.
func Extract(ctx context.Context, dir, rev string) (*Snapshot, error) {
	out, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	top := strings.TrimSpace(out)
	commit, err := Verify(ctx, top, rev)
	if err != nil {
		return nil, err
	}
	var tarball bytes.Buffer
	if err := gitTo(ctx, top, &tarball, "archive", "--format=tar", "--end-of-options", commit); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "composenet-rev-")
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Rev: rev, Commit: commit, Top: top, Root: filepath.Join(tmp, filepath.Base(top)), tmp: tmp}
	if err := untar(&tarball, s.Root); err != nil {
		s.Remove()
		return nil, fmt.Errorf("extracting %s: %v", rev, err)
	}
	return s, nil
}

// Remove deletes the snapshot's temporary folder.
func (s *Snapshot) Remove() {
	if s != nil && s.tmp != "" {
		os.RemoveAll(s.tmp)
	}
}

// Map maps a path inside the real repository into the snapshot.
func (s *Snapshot) Map(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	// Resolve symlinks on both sides so that /tmp vs /private/tmp and the
	// like do not break the relative path.
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(r, filepath.Base(abs))
	}
	top := s.Top
	if r, err := filepath.EvalSymlinks(top); err == nil {
		top = r
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the git repository %s", p, s.Top)
	}
	return filepath.Join(s.Root, rel), nil
}

// MapProject maps a project's folder dir and its compose files (relative
// to dir, or absolute) into the snapshot, in order; no files stay none
// (compose file discovery in the mapped folder).
func (s *Snapshot) MapProject(dir string, files []string) (string, []string, error) {
	mdir, err := s.Map(dir)
	if err != nil {
		return "", nil, err
	}
	var mapped []string
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		m, err := s.Map(f)
		if err != nil {
			return "", nil, err
		}
		mapped = append(mapped, m)
	}
	return mdir, mapped, nil
}

// ParseRange reads a revision range OLD[..NEW] as `diff --git` takes it;
// new is empty for the working tree.
func ParseRange(spec string) (old, new string, err error) {
	old, new, _ = strings.Cut(spec, "..")
	if old == "" {
		return "", "", fmt.Errorf("--git wants OLD[..NEW], got %q", spec)
	}
	return old, new, nil
}

// exitError is git exiting with a non-zero status (as opposed to git not
// running at all).
type exitError struct{ msg string }

func (e *exitError) Error() string { return e.msg }

func git(ctx context.Context, dir string, args ...string) (string, error) {
	var out bytes.Buffer
	err := gitTo(ctx, dir, &out, args...)
	return out.String(), err
}

func gitTo(ctx context.Context, dir string, stdout io.Writer, args ...string) error {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return errors.New("--git needs the git command on PATH")
	}
	var xe *exec.ExitError
	if errors.As(err, &xe) {
		return &exitError{"git " + args[0] + ": " + firstLine(stderr.String(), err)}
	}
	return fmt.Errorf("git %s: %v", args[0], err)
}

func firstLine(s string, err error) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return err.Error()
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.TrimPrefix(s, "fatal: ")
}

// untar extracts regular files, folders and symlinks of r under dst,
// refusing paths that leave it.
func untar(r io.Reader, dst string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Clean(filepath.FromSlash(h.Name))
		if name == "." || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) || filepath.IsAbs(name) {
			continue
		}
		p := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			f.Close()
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			os.Symlink(h.Linkname, p)
		}
	}
}
