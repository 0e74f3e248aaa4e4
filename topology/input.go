package topology

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Input limits. Every file composenet reads (compose files, their include:
// and extends files, .env, --env-file and env_file files, the --host
// description, scenario files) goes through ReadInput or, for files that
// compose-go reads itself, CheckInput first.
const (
	// MaxInputBytes is the largest input file composenet reads (32 MiB).
	MaxInputBytes = 32 << 20
)

// InputError says why an input file is refused. Its message names the
// file and the problem, never the file's contents.
type InputError struct {
	Path string
	Msg  string
	Err  error // the underlying error, if any (fs.ErrNotExist, ...)
}

func (e *InputError) Error() string { return e.Msg }
func (e *InputError) Unwrap() error { return e.Err }

// ReadInput reads the input file path: a regular file (or a link to one) of
// at most MaxInputBytes. A FIFO, a device, a socket or a directory is
// refused without being read (a FIFO is opened non-blocking, so a missing
// writer does not hang), and so is a larger file, read or growing.
func ReadInput(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &InputError{Path: path, Msg: pathErrText(err), Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &InputError{Path: path, Msg: pathErrText(err)}
	}
	if err := checkMode(st); err != nil {
		return nil, &InputError{Path: path, Msg: err.Error()}
	}
	return ReadInputFrom(path, f)
}

// ReadInputFrom reads at most MaxInputBytes from r, the input named path
// (standard input, say), and refuses a larger one as ReadInput does.
func ReadInputFrom(path string, r io.Reader) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, &InputError{Path: path, Msg: pathErrText(err)}
	}
	if len(raw) > MaxInputBytes {
		return nil, &InputError{Path: path, Msg: tooBig(int64(len(raw)), true)}
	}
	return raw, nil
}

// CheckInput applies ReadInput's checks to a file that another reader
// (compose-go) will open, without opening it. A missing file is not an
// error here: the reader reports it in its own words.
func CheckInput(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &InputError{Path: path, Msg: pathErrText(err)}
	}
	if err := checkMode(st); err != nil {
		return &InputError{Path: path, Msg: err.Error()}
	}
	return nil
}

func checkMode(st fs.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		if st.Size() > MaxInputBytes {
			return errors.New(tooBig(st.Size(), false))
		}
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a block device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("is %s; composenet reads only regular files", kind)
}

func tooBig(n int64, read bool) string {
	size := fmt.Sprintf("is %d bytes", n)
	if read {
		size = fmt.Sprintf("is more than %d bytes", MaxInputBytes)
	}
	return size + fmt.Sprintf("; composenet reads input files of at most 32 MiB (%d bytes)", MaxInputBytes)
}

// pathErrText is the error without the "open PATH:" prefix.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// StdinFrom makes raw the process's standard input (a temporary file,
// removed at once) and returns the function that puts the old one back.
// The loader uses it for `-f -` (compose-go reads standard input itself),
// composenet-load for the `-f -` text composenet sends it.
func StdinFrom(raw []byte) (restore func(), err error) {
	f, err := os.CreateTemp("", "composenet-stdin-*.yaml")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	if _, err := f.Write(raw); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	old := os.Stdin
	os.Stdin = f
	return func() { os.Stdin = old; f.Close() }, nil
}
