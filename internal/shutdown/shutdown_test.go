package shutdown

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// Without a signal the status is the command's own.
func TestRunNoSignal(t *testing.T) {
	if got := Run(make(chan os.Signal), time.Second, func(context.Context, *Holds) int { return 2 }); got != 2 {
		t.Errorf("status %d, want 2", got)
	}
}

// A signal ends a command that holds nothing at once, with 128+signal,
// and cancels its context.
func TestRunSignalNoHold(t *testing.T) {
	sig := make(chan os.Signal, 1)
	cancelled := make(chan struct{})
	started := make(chan struct{})
	go func() { <-started; sig <- syscall.SIGINT }()
	start := time.Now()
	got := Run(sig, time.Minute, func(ctx context.Context, _ *Holds) int {
		close(started)
		<-ctx.Done()
		close(cancelled)
		time.Sleep(time.Hour) // never returns on its own in time
		return 0
	})
	if got != 130 {
		t.Errorf("status %d, want 130", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("waited %v for a command that held nothing", d)
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Errorf("context not cancelled")
	}
}

// Held work is waited for: a command that stops cleanly with 0 after the
// signal keeps its 0 (serve); one that returns 1 gets 128+signal; one that
// never returns is given up on after the grace time; and a Hold asked for
// after the signal is refused.
func TestRunSignalHeld(t *testing.T) {
	for _, c := range []struct {
		name  string
		ret   int
		never bool
		want  int
	}{
		{"clean stop", 0, false, 0},
		{"failure", 1, false, 143},
		{"stuck", 0, true, 143},
	} {
		sig := make(chan os.Signal, 1)
		held := make(chan struct{})
		go func() { <-held; sig <- syscall.SIGTERM }()
		var late bool
		got := Run(sig, 200*time.Millisecond, func(ctx context.Context, h *Holds) int {
			release, ok := h.Hold()
			if !ok {
				t.Fatal("hold refused before any signal")
			}
			close(held)
			<-ctx.Done()
			_, late = h.Hold()
			release()
			if c.never {
				time.Sleep(time.Hour)
			}
			return c.ret
		})
		if got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
		if !c.never && late {
			t.Errorf("%s: a hold after the signal was granted", c.name)
		}
	}
}

// A nil *Holds never refuses: outside Run nothing waits.
func TestNilHolds(t *testing.T) {
	var h *Holds
	release, ok := h.Hold()
	if !ok || release == nil {
		t.Fatal("nil Holds refused")
	}
	release()
}

// HoldLong stretches the wait past the grace time (verify's teardown
// takes seconds per project): a command that needs longer than grace but
// less than its HoldLong returns its own status; one that needs longer
// than both is given up on.
func TestRunHoldLong(t *testing.T) {
	for _, c := range []struct {
		name string
		need time.Duration
		want int
	}{
		{"within the long hold", 600 * time.Millisecond, 130},
		{"past it", time.Hour, 130},
	} {
		sig := make(chan os.Signal, 1)
		held := make(chan struct{})
		go func() { <-held; sig <- syscall.SIGINT }()
		finished := make(chan struct{})
		start := time.Now()
		got := Run(sig, 100*time.Millisecond, func(ctx context.Context, h *Holds) int {
			release, ok := h.HoldLong(2 * time.Second)
			if !ok {
				t.Fatal("hold refused before any signal")
			}
			defer release()
			close(held)
			<-ctx.Done()
			time.Sleep(c.need)
			close(finished)
			return 2
		})
		took := time.Since(start)
		if got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
		select {
		case <-finished:
			if c.need > time.Minute {
				t.Errorf("%s: finished?", c.name)
			}
		default:
			if c.need < time.Minute {
				t.Errorf("%s: Run returned after %v, before the command's clean-up finished", c.name, took)
			}
		}
		if c.need > time.Minute && (took < 2*time.Second || took > 20*time.Second) {
			t.Errorf("%s: gave up after %v, want the long hold's 2s", c.name, took)
		}
	}
}

// A nil *Holds's HoldLong never refuses either.
func TestNilHoldLong(t *testing.T) {
	var h *Holds
	if release, ok := h.HoldLong(time.Minute); !ok || release == nil {
		t.Fatal("nil Holds refused")
	}
}
