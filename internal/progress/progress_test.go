package progress

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProgressOnlyAfterASecond(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	b := &Bar{w: &buf, label: "matrix", on: true, now: func() time.Time { return now }, after: time.Second, width: 10}
	b.start = now
	b.Update(1, 10)
	if buf.Len() != 0 {
		t.Fatalf("drew before a second: %q", buf.String())
	}
	now = now.Add(1500 * time.Millisecond)
	b.Update(5, 10)
	if got := buf.String(); got != "\rmatrix [#####.....]  50% 5/10" {
		t.Errorf("bar %q", got)
	}
	now = now.Add(50 * time.Millisecond)
	b.Update(6, 10) // within 100 ms of the last drawing: skipped
	if got := buf.String(); got != "\rmatrix [#####.....]  50% 5/10" {
		t.Errorf("redrew within 100 ms: %q", got)
	}
	b.Update(10, 10) // the end is always drawn
	if got := buf.String(); !strings.HasSuffix(got, "\rmatrix [##########] 100% 10/10") {
		t.Errorf("end not drawn: %q", got)
	}
	b.Finish()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Errorf("not cleared: %q", buf.String())
	}
}

func TestProgressOffWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "matrix", true)
	b.now = func() time.Time { return time.Unix(100, 0) }
	b.Update(5, 10)
	b.Spin()()
	b.Finish()
	if buf.Len() != 0 {
		t.Errorf("a non-terminal writer got %q", buf.String())
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if New(f, "x", true).on {
		t.Errorf("a regular file is not a terminal")
	}
	var nilBar *Bar
	nilBar.Update(1, 2)
	nilBar.Finish()
}

// A label cannot drive the terminal: it is escaped.
func TestProgressLabelEscaped(t *testing.T) {
	if b := New(&bytes.Buffer{}, "a\x1b[2Jb", true); strings.ContainsRune(b.label, 0x1b) {
		t.Errorf("label %q", b.label)
	}
}

// Spin draws the elapsed time on its timer once the work has taken longer
// than after, clears it on stop and draws nothing after; work stopped
// before the first tick draws nothing at all.
func TestSpin(t *testing.T) {
	var buf syncBuffer
	b := New(&buf, "layout", true)
	b.on, b.after = true, 0 // a terminal, shown from the first tick
	stop := b.Spin()
	time.Sleep(500 * time.Millisecond)
	stop()
	got := buf.String()
	if !strings.HasPrefix(got, "\rlayout ") || !strings.HasSuffix(got, " s\r\x1b[K") {
		t.Errorf("drew %q", got)
	}
	time.Sleep(300 * time.Millisecond)
	if buf.String() != got {
		t.Errorf("drew after stop: %q", buf.String())
	}

	var quiet syncBuffer
	q := New(&quiet, "load", true)
	q.on = true
	q.Spin()()
	time.Sleep(300 * time.Millisecond)
	if quiet.String() != "" {
		t.Errorf("work stopped at once drew %q", quiet.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the timer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
