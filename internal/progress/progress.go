// Package progress draws a progress bar for long work on a terminal: only
// when the writer is a terminal (never in CI logs or pipes), and only once
// the work has taken more than a second. It writes its own \r and erase
// sequences; the label is escaped (package termsafe).
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/internal/termsafe"
)

// Bar is one progress display. A nil Bar, and one that is off, draws
// nothing.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	on    bool
	start time.Time
	last  time.Time
	shown bool
	now   func() time.Time
	after time.Duration
	width int
}

// New returns a bar labelled label that draws on w when enabled is true
// and w is a terminal (an *os.File that is a character device).
func New(w io.Writer, label string, enabled bool) *Bar {
	b := &Bar{w: w, label: termsafe.Escape(label), now: time.Now, after: time.Second, width: 30}
	b.start = b.now()
	if f, ok := w.(*os.File); ok && enabled {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.on = true
		}
	}
	return b
}

// Update redraws the bar for done of total, at most ten times a second.
func (b *Bar) Update(done, total int) {
	if b == nil || !b.on || total <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if now.Sub(b.start) < b.after || (b.shown && now.Sub(b.last) < 100*time.Millisecond && done < total) {
		return
	}
	b.last, b.shown = now, true
	fill := b.width * done / total
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%% %d/%d", b.label, strings.Repeat("#", fill), strings.Repeat(".", b.width-fill), 100*done/total, done, total)
}

// Spin shows the elapsed time of work whose size is unknown until stop is
// called (e.g. Graphviz laying out a large SVG); stop clears the bar. It
// runs on a timer, not a goroutine of its own: work that ends before the
// first tick (a load answered from the cache) starts nothing.
func (b *Bar) Spin() (stop func()) {
	if b == nil || !b.on {
		return func() {}
	}
	const every = 200 * time.Millisecond
	var (
		t       *time.Timer
		stopped bool
	)
	tick := func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if stopped {
			return
		}
		if el := b.now().Sub(b.start); el >= b.after {
			b.shown = true
			fmt.Fprintf(b.w, "\r%s %.1f s", b.label, el.Seconds())
		}
		t.Reset(every)
	}
	b.mu.Lock()
	t = time.AfterFunc(every, tick)
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		stopped = true
		t.Stop()
		b.mu.Unlock()
		b.Finish()
	}
}

// Finish clears the bar.
func (b *Bar) Finish() {
	if b == nil || !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.shown {
		fmt.Fprint(b.w, "\r\033[K")
		b.shown = false
	}
}
