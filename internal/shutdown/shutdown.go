// Package shutdown runs a command line under signals: the first SIGINT or
// SIGTERM cancels the command's context; work that cleans up on
// cancellation (writing an output file, serving) holds the process open
// for a grace time, everything else ends at once. The exit status after a
// signal is 128 plus its number (130, 143), or the command's own 0 when it
// stopped cleanly (serve).
package shutdown

import (
	"context"
	"os"
	"sync"
	"syscall"
	"time"
)

// Holds counts the work under way that cleans up when the command's
// context is cancelled; once closed (a signal arrived), no new such work
// starts. A nil *Holds holds nothing and never refuses (nothing waits).
type Holds struct {
	mu     sync.Mutex
	n      int
	used   bool
	closed bool
	// grace is the longest wait HoldLong asked for.
	grace time.Duration
}

// Hold registers work that cleans up on cancellation. It returns false,
// and the work must not start, after a signal; else release ends it.
func (h *Holds) Hold() (release func(), ok bool) {
	if h == nil {
		return func() {}, true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	h.n++
	h.used = true
	return func() { h.mu.Lock(); h.n--; h.mu.Unlock() }, true
}

// HoldLong is Hold for work whose clean-up takes longer than the grace
// time (verify tearing its projects down on the engine): after a signal,
// Run waits up to d for the command instead (a second signal still ends
// the wait).
func (h *Holds) HoldLong(d time.Duration) (release func(), ok bool) {
	release, ok = h.Hold()
	if ok && h != nil {
		h.mu.Lock()
		h.grace = max(h.grace, d)
		h.mu.Unlock()
	}
	return release, ok
}

// close stops new work and reports whether such work is under way or has
// run: work that already cleaned up and released its hold may still be
// returning its status (serve stopping on the same signal), so Run waits
// for the command then too.
func (h *Holds) close() (wait bool, grace time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return h.n > 0 || h.used, h.grace
}

// Run runs cmd and returns the process's exit status. When a signal
// arrives on sig first, Run cancels cmd's context; if cmd holds (or held)
// work, Run waits for cmd to return, up to grace or a second signal;
// otherwise it returns at once. The status is then 128 plus the signal's
// number, or 0 when cmd returned 0.
func Run(sig <-chan os.Signal, grace time.Duration, cmd func(ctx context.Context, h *Holds) int) int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &Holds{}
	done := make(chan int, 1)
	go func() { done <- cmd(ctx, h) }()
	select {
	case code := <-done:
		return code
	case s := <-sig:
		cancel()
		status := 128
		if n, ok := s.(syscall.Signal); ok {
			status += int(n)
		}
		code := -1
		if wait, long := h.close(); wait {
			select {
			case code = <-done:
			case <-sig:
			case <-time.After(max(grace, long)):
			}
		} else {
			select { // cmd may have stopped on the signal already
			case code = <-done:
			default:
			}
		}
		if code == 0 {
			return 0
		}
		return status
	}
}
