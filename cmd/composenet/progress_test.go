package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressOnlyAfterASecond(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &buf, label: "matrix", on: true, now: func() time.Time { return now }, after: time.Second, width: 10}
	p.start = now
	p.update(1, 10)
	if buf.Len() != 0 {
		t.Fatalf("drew before a second: %q", buf.String())
	}
	now = now.Add(1500 * time.Millisecond)
	p.update(5, 10)
	if got := buf.String(); got != "\rmatrix [#####.....]  50% 5/10" {
		t.Errorf("bar %q", got)
	}
	p.finish()
	if !strings.HasSuffix(buf.String(), "\r\033[K") {
		t.Errorf("not cleared: %q", buf.String())
	}
}

func TestProgressOffWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&env{stderr: &buf, rawErr: &buf}, "matrix")
	p.now = func() time.Time { return time.Unix(100, 0) }
	p.update(5, 10)
	p.finish()
	if buf.Len() != 0 {
		t.Errorf("a non-terminal stderr got %q", buf.String())
	}
}
