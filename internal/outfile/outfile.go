// Package outfile writes a command's output file (-o FILE) so that a failed
// or interrupted run never leaves a half-written file, and never replaces
// something that is not a plain file:
//
//   - A regular file (new or existing) is written to a temporary file in the
//     same folder, then renamed over it. An existing file keeps its
//     permission bits (and, when the process may, its owner); a new one is
//     0644.
//   - A symbolic link is followed: the file it points at is replaced as
//     above, and the link stays a link. A link to nothing is refused.
//   - A character device or a FIFO (/dev/null, /dev/stdout, a pipe) is
//     written through, never replaced.
//   - A folder, a block device or a socket is refused, and so is an empty
//     file name.
//
// The context is checked before the temporary file is created, between
// chunks of the write and before the rename: when it is cancelled (SIGINT,
// SIGTERM) the temporary file is removed and nothing is renamed.
//
// Only cmd imports outfile.
package outfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// chunk is how much is written between two looks at the context.
const chunk = 1 << 20

// Write writes data to path; see the package comment.
func Write(ctx context.Context, path string, data []byte) error {
	if path == "" {
		return errors.New("-o: empty file name")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("not writing %s: %v", path, context.Cause(ctx))
	}
	target, mode, owner, err := resolve(path)
	if err != nil {
		return err
	}
	switch {
	case mode&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0:
		return writeThrough(ctx, target, data)
	case mode != 0 && !mode.IsRegular():
		return fmt.Errorf("cannot write %s: %s", path, describe(mode))
	}
	perm := fs.FileMode(0o644)
	if mode != 0 {
		perm = mode.Perm()
	}
	return replace(ctx, target, data, perm, owner)
}

// Format returns the format byExt names for the extension of the output
// file path (case-insensitive), or an error saying to name it with
// --format.
func Format(path string, byExt map[string]string) (string, error) {
	if f := byExt[strings.ToLower(filepath.Ext(path))]; f != "" {
		return f, nil
	}
	return "", fmt.Errorf("cannot tell the format from %q: use --format", path)
}

// resolve follows path if it is a symbolic link and returns the file to
// write, its mode (0 when it does not exist yet) and its owner (nil when it
// does not exist or is not known).
func resolve(path string) (target string, mode fs.FileMode, owner *syscall.Stat_t, err error) {
	target = path
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return target, 0, nil, nil
	}
	if err != nil {
		return "", 0, nil, fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return "", 0, nil, fmt.Errorf("cannot write %s: it is a symbolic link to nothing (%v)", path, unwrap(err))
		}
		if st, err = os.Stat(target); err != nil {
			return "", 0, nil, fmt.Errorf("cannot write %s: %v", path, unwrap(err))
		}
	}
	owner, _ = st.Sys().(*syscall.Stat_t)
	return target, st.Mode(), owner, nil
}

func describe(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "it is a folder"
	case mode&fs.ModeDevice != 0:
		return "it is a block device"
	case mode&fs.ModeSocket != 0:
		return "it is a socket"
	}
	return "it is not a regular file"
}

// writeThrough writes to a device or FIFO in place.
func writeThrough(ctx context.Context, path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	werr := writeChunks(ctx, f, data)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("cannot write %s: %v", path, werr)
	}
	return nil
}

// replace writes a temporary file next to path and renames it over path.
func replace(ctx context.Context, path string, data []byte, perm fs.FileMode, owner *syscall.Stat_t) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, unwrap(err))
	}
	tmp := f.Name()
	werr := writeChunks(ctx, f, data)
	if werr == nil {
		// CreateTemp makes the file 0600.
		werr = f.Chmod(perm)
	}
	if werr == nil && owner != nil && (int(owner.Uid) != os.Getuid() || int(owner.Gid) != os.Getgid()) {
		// Keep the replaced file's owner where the process may (as root);
		// otherwise the new file is the writer's, as with any editor.
		f.Chown(int(owner.Uid), int(owner.Gid))
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		if werr = ctx.Err(); werr != nil {
			werr = context.Cause(ctx)
		}
	}
	if werr == nil {
		werr = os.Rename(tmp, path)
	}
	if werr != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %v", path, unwrap(werr))
	}
	return nil
}

func writeChunks(ctx context.Context, f *os.File, data []byte) error {
	for len(data) > 0 {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		n := min(len(data), chunk)
		if _, err := f.Write(data[:n]); err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// unwrap drops the operation and path that os errors repeat.
func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
