package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/internal/termsafe"
)

// progress draws a progress bar on stderr for long work: only when stderr
// is a terminal (never in CI logs or pipes, never on stdout), and only once
// the work has taken more than a second. COMPOSENET_PROGRESS=never turns
// it off. It writes to the raw stderr (its \r and erase sequences are
// its own; the label is escaped).
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	label  string
	on     bool
	start  time.Time
	last   time.Time
	shown  bool
	now    func() time.Time
	after  time.Duration
	width  int
	stopCh chan struct{}
}

func newProgress(e *env, label string) *progress {
	p := &progress{w: e.rawErr, label: termsafe.Escape(label), now: time.Now, after: time.Second, width: 30}
	p.start = p.now()
	f, ok := e.rawErr.(*os.File)
	if ok && e.getenv("COMPOSENET_PROGRESS") != "never" {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.on = true
		}
	}
	return p
}

// update redraws the bar for done of total, at most ten times a second.
func (p *progress) update(done, total int) {
	if p == nil || !p.on || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.start) < p.after || (p.shown && now.Sub(p.last) < 100*time.Millisecond && done < total) {
		return
	}
	p.last, p.shown = now, true
	fill := p.width * done / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", p.width-fill), 100*done/total, done, total)
}

// spin shows the elapsed time of work whose size is unknown until stop is
// called (e.g. Graphviz laying out a large SVG).
func (p *progress) spin() (stop func()) {
	if p == nil || !p.on {
		return func() {}
	}
	p.stopCh = make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stopCh:
				return
			case <-t.C:
				p.mu.Lock()
				if el := p.now().Sub(p.start); el >= p.after {
					p.shown = true
					fmt.Fprintf(p.w, "\r%s %.1f s", p.label, el.Seconds())
				}
				p.mu.Unlock()
			}
		}
	}()
	return func() { close(p.stopCh); <-done; p.finish() }
}

// finish clears the bar.
func (p *progress) finish() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
