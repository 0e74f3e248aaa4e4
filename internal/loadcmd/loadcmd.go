// Package loadcmd loads compose projects through the composenet-load
// helper process, so that the composenet binary does not link compose-go
// (package topology/loader): compose-go's package initialisers (its JSON
// schema validator compiles every meta-schema, image-reference regular
// expressions) cost about 30 ms at every start, which a command answered
// from a stored topology (topology/snapshot) would otherwise pay for
// nothing. Only a load that no snapshot serves runs the helper.
//
// The helper is found, in order: $COMPOSENET_LOAD; composenet-load next
// to the running executable; composenet-load on $PATH. The environment is
// the caller's to give (Helper.Env): this package never reads the process
// environment itself.
//
// One helper run serves one request, read whole from its standard input:
// a load (topology.Options; the inputs the load read when asked) or a
// verify rewrite. Requests and answers are a line "composenet-load
// <protocol version> <fingerprint>" (the shapes of the request, the
// answer and the topology's wire form) followed by the message in
// package wire's encoding (the topology itself in topology/snapshot's
// wire form), so that each side checks the other's build before decoding
// anything. The answer, on its standard output, is the
// topology in topology/snapshot's wire form, or the problems of a
// *topology.LoadError, or another error's text: the caller returns what
// loader.Load would have returned in process, so messages, their order
// and exit statuses are the same. Each side checks the other's protocol
// version and fingerprint: a composenet and a composenet-load built from
// different sources refuse to talk, even when only a load option was
// added.
//
// The helper never outlives its caller and never runs unbounded: it is
// killed when the context ends; on Linux it also gets SIGKILL when
// composenet dies (Pdeathsig), and it limits its own address space to
// MaxAddressSpace (RLIMIT_AS).
package loadcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/internal/helperbin"
	"github.com/composenet/composenet/internal/wire"
	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/snapshot"
	"github.com/composenet/composenet/verify"
)

// HelperName is the helper executable's name.
const HelperName = "composenet-load"

// MaxAddressSpace is the helper's RLIMIT_AS (Linux): 8 GiB of address
// space, several times what the largest input composenet accepts (32 MiB
// of compose files) costs compose-go to load.
const MaxAddressSpace = 8 << 30

// proto is the version of the request and answer shapes and of their
// encoding (2: package wire instead of encoding/gob; 3: a rewrite's
// verify.RewriteSpec instead of its image alone).
const proto = 3

// ErrNoHelper says the helper could not be found.
var ErrNoHelper = errors.New("loading a compose project needs the " + HelperName + " helper next to composenet or on PATH (`make build` builds it into bin/; `go install github.com/composenet/composenet/cmd/...` installs it with composenet)")

// request is what the helper reads (after the preamble).
type request struct {
	// Op is "load" or "rewrite".
	Op      string
	Options topology.Options
	// Record asks for the inputs the load read.
	Record bool
	// Stdin is composenet's standard input, for `-f -`.
	Stdin []byte
	// Spec is a rewrite's: the probe image, the run's shared networks
	// and the routes' backend ports.
	Spec verify.RewriteSpec
}

// answer is what the helper writes (after the preamble).
type answer struct {
	// Problems are a *topology.LoadError's; Err another error's text.
	Problems []topology.Problem
	Err      string
	Inputs   topology.Inputs
	// Topology is the loaded topology in snapshot's wire form.
	Topology  []byte
	Rewritten *verify.Rewritten
}

// Helper runs composenet-load.
type Helper struct {
	// Path is the helper's path; empty means Find with Env.
	Path string
	// Env is the helper's environment, as os.Environ gives it.
	Env []string
	// Stdin is what a compose file named "-" is read from.
	Stdin io.Reader
}

// Find returns the helper's path (helperbin.Find: $COMPOSENET_LOAD, next to
// the executable, then PATH). getenv looks up the caller's environment
// (nil: an empty one).
func Find(getenv func(string) string) (string, error) {
	if p, ok := helperbin.Find(HelperName, "COMPOSENET_LOAD", getenv); ok {
		return p, nil
	}
	return "", ErrNoHelper
}

// path returns the helper's path.
func (h *Helper) path() (string, error) {
	if h.Path != "" {
		return h.Path, nil
	}
	return Find(lookup(h.Env))
}

// Identity names the helper build by path, size and modification time
// (empty when there is no helper): snapshot keys include it, so that a
// rebuilt helper does not trust topologies its predecessor stored.
func (h *Helper) Identity() string {
	p, err := h.path()
	if err != nil {
		return ""
	}
	st, err := os.Stat(p)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%s %d %d", p, st.Size(), st.ModTime().UnixNano())
}

// Load loads the project opts describe in the helper: a
// topology.LoadFunc with loader.Load's results.
func (h *Helper) Load(ctx context.Context, opts topology.Options) (*topology.Topology, error) {
	req := request{Op: "load", Options: opts, Record: opts.Record != nil}
	req.Options.Record = nil
	a, err := h.call(ctx, &req)
	if err != nil {
		return nil, err
	}
	t, err := snapshot.Unmarshal(a.Topology)
	if err != nil {
		return nil, fmt.Errorf("%s: unreadable answer: %v", HelperName, err)
	}
	if opts.Record != nil {
		*opts.Record = a.Inputs
	}
	return t, nil
}

// Rewrite rewrites the project opts describe for composenet verify in the
// helper: a verify.RewriteFunc. The helper loads the project again; t is
// not sent.
func (h *Helper) Rewrite(ctx context.Context, opts topology.Options, _ *topology.Topology, spec verify.RewriteSpec) (*verify.Rewritten, error) {
	req := request{Op: "rewrite", Options: opts, Spec: spec}
	req.Options.Record = nil
	a, err := h.call(ctx, &req)
	if err != nil {
		return nil, err
	}
	if a.Rewritten == nil {
		return nil, fmt.Errorf("%s: no rewritten project in the answer", HelperName)
	}
	return a.Rewritten, nil
}

// call runs the helper on req and returns its answer, or the load's error
// as loader.Load returns it.
func (h *Helper) call(ctx context.Context, req *request) (*answer, error) {
	helper, err := h.path()
	if err != nil {
		return nil, err
	}
	if req.Options.Dir == "" {
		if req.Options.Dir, err = os.Getwd(); err != nil {
			return nil, &topology.LoadError{Problems: []topology.Problem{{Message: err.Error()}}}
		}
	}
	if slices.Contains(req.Options.Files, "-") && h.Stdin != nil {
		// The helper's own loader applies the size limit: one byte more
		// than it accepts is enough for it to refuse in its own words.
		req.Stdin, _ = io.ReadAll(io.LimitReader(h.Stdin, topology.MaxInputBytes+1))
	}
	in, err := encodeMessage(proto, fingerprint(), req)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, helper)
	cmd.Env = h.Env
	cmd.Stdin = bytes.NewReader(in)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.WaitDelay = time.Second
	tieToParent(cmd)
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	var a answer
	same, decErr := decodeMessage(out.Bytes(), &a)
	if runErr == nil && !same && hasPreamble(out.Bytes()) {
		return nil, mismatch(helper)
	}
	if runErr != nil || decErr != nil {
		msg := strings.TrimSpace(errb.String())
		switch {
		case strings.Contains(msg, "out of memory"):
			return nil, fmt.Errorf("%s ran out of its memory budget (%d GiB of address space) loading the project", HelperName, MaxAddressSpace>>30)
		case msg != "":
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			return nil, errors.New(msg)
		case runErr != nil:
			return nil, fmt.Errorf("%s (%s): %v", HelperName, helper, runErr)
		}
		return nil, fmt.Errorf("%s (%s): unreadable answer: %v", HelperName, helper, decErr)
	}
	switch {
	case len(a.Problems) > 0:
		return nil, &topology.LoadError{Problems: a.Problems}
	case a.Err != "":
		return nil, errors.New(a.Err)
	}
	return &a, nil
}

func mismatch(helper string) error {
	return fmt.Errorf("%s (%s) was built from a different composenet; install both from the same source (`make build`, or `go install github.com/composenet/composenet/cmd/...`)", HelperName, helper)
}

// Ops are what the helper serves.
type Ops struct {
	// Load is loader.Load.
	Load topology.LoadFunc
	// Rewrite is verify/rewrite's Project.
	Rewrite verify.RewriteFunc
}

// Serve is the helper's main: it reads one request from stdin, serves it
// with ops and writes the answer to stdout. It returns the exit status: 0
// when an answer was written (a load error is an answer), 2 when the
// request was unreadable or from another build.
func Serve(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer, ops Ops) int {
	var req request
	raw, err := io.ReadAll(stdin)
	same, derr := decodeMessage(raw, &req)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "%s: reading the request: %v\n", HelperName, err)
		return 2
	case !same && hasPreamble(raw):
		self, _ := os.Executable()
		fmt.Fprintln(stderr, mismatch(self))
		return 2
	case derr != nil:
		fmt.Fprintf(stderr, "%s: unreadable request (this program is composenet's helper; run composenet): %v\n", HelperName, derr)
		return 2
	}
	var a answer
	if req.Stdin != nil {
		restore, err := topology.StdinFrom(req.Stdin)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", HelperName, err)
			return 2
		}
		defer restore()
	}
	opts := req.Options
	var in topology.Inputs
	if req.Record {
		opts.Record = &in
	}
	switch req.Op {
	case "load":
		var t *topology.Topology
		if t, err = ops.Load(ctx, opts); err == nil {
			var raw []byte
			if raw, err = snapshot.Marshal(t); err == nil {
				a.Topology, a.Inputs = raw, in
			}
		}
	case "rewrite":
		var t *topology.Topology
		if t, err = ops.Load(ctx, opts); err == nil {
			a.Rewritten, err = ops.Rewrite(ctx, opts, t, req.Spec)
		}
	default:
		fmt.Fprintf(stderr, "%s: unknown request %q\n", HelperName, req.Op)
		return 2
	}
	var le *topology.LoadError
	switch {
	case errors.As(err, &le) && len(le.Problems) > 0:
		a.Problems = le.Problems
	case err != nil:
		a.Err = err.Error()
	}
	msg, err := encodeMessage(proto, fingerprint(), &a)
	if err == nil {
		_, err = stdout.Write(msg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", HelperName, err)
		return 2
	}
	return 0
}

// fingerprint identifies this build's protocol: its version, the shapes of
// the request and the answer (options, problems, inputs, the rewrite) and
// the topology's wire form (snapshot.Fingerprint). The wire encoding
// carries no type description, so two builds whose shapes differ in any
// field must not decode each other's messages: they refuse each other by
// the preamble instead.
var fingerprint = sync.OnceValue(func() string {
	return wire.Fingerprint("composenet-load "+strconv.Itoa(proto)+" "+snapshot.Fingerprint(), request{}, answer{})
})

// preamble starts every request and answer.
func preamble(proto int, fingerprint string) string {
	return fmt.Sprintf("%s %d %s\n", HelperName, proto, fingerprint)
}

// encodeMessage is the preamble and v in package wire's encoding.
func encodeMessage(proto int, fingerprint string, v any) ([]byte, error) {
	return wire.Append([]byte(preamble(proto, fingerprint)), v)
}

// hasPreamble reports whether raw starts like a message, of any build.
func hasPreamble(raw []byte) bool {
	return bytes.HasPrefix(raw, []byte(HelperName+" "))
}

// decodeMessage decodes a message of this build into v. same is false
// when raw does not start with this build's preamble; v is then untouched.
func decodeMessage(raw []byte, v any) (same bool, err error) {
	rest, ok := bytes.CutPrefix(raw, []byte(preamble(proto, fingerprint())))
	if !ok {
		return false, errors.New("not a message of this build")
	}
	return true, wire.Unmarshal(rest, v)
}

// lookup returns a getenv over environ.
func lookup(environ []string) func(string) string {
	return func(key string) string {
		for i := len(environ) - 1; i >= 0; i-- {
			if k, v, ok := strings.Cut(environ[i], "="); ok && k == key {
				return v
			}
		}
		return ""
	}
}
