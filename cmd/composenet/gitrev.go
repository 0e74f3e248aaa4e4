package main

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

// gitSnapshot is a revision of the repository around dir, extracted into a
// temporary folder so that compose files load with their includes, extends
// and .env files exactly as they were at that revision.
type gitSnapshot struct {
	tmp  string // the temporary folder to remove
	root string // the repository root inside it
}

// checkoutRev extracts revision rev of the git repository that holds dir.
// The repository keeps its own folder name inside the temporary folder, so
// that a project name derived from a folder (R1-1) is the same.
func checkoutRev(ctx context.Context, dir, rev string) (*gitSnapshot, string, error) {
	top, err := gitOutput(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, "", err
	}
	top = strings.TrimSpace(top)
	var tarball bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "-C", top, "archive", "--format=tar", rev)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &tarball, &stderr
	if err := cmd.Run(); err != nil {
		return nil, "", fmt.Errorf("git archive %s: %s", rev, firstLine(stderr.String(), err))
	}
	tmp, err := os.MkdirTemp("", "composenet-rev-")
	if err != nil {
		return nil, "", err
	}
	snap := &gitSnapshot{tmp: tmp, root: filepath.Join(tmp, filepath.Base(top))}
	if err := untar(&tarball, snap.root); err != nil {
		snap.remove()
		return nil, "", fmt.Errorf("extracting %s: %v", rev, err)
	}
	return snap, top, nil
}

// remove deletes the snapshot.
func (s *gitSnapshot) remove() {
	if s != nil {
		os.RemoveAll(s.tmp)
	}
}

// mapPath maps a path inside the real repository (top) into the snapshot.
func (s *gitSnapshot) mapPath(top, p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	// Resolve symlinks on both sides so that /tmp vs /private/tmp and the
	// like do not break the relative path.
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(r, filepath.Base(abs))
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("%s is outside the git repository %s", p, top)
	}
	return filepath.Join(s.root, rel), nil
}

func gitOutput(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return "", fmt.Errorf("--git needs the git command on PATH")
		}
		return "", fmt.Errorf("git %s: %s", args[0], firstLine(stderr.String(), err))
	}
	return out.String(), nil
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
		if name == "." || strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			continue
		}
		p := filepath.Join(dst, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
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
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			os.Symlink(h.Linkname, p)
		}
	}
}
