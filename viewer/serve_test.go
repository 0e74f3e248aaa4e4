package viewer

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Listen reports the address as asked for with the chosen port, and calls
// only loopback addresses and "localhost" private.
func TestListen(t *testing.T) {
	for _, c := range []struct {
		addr, prefix string
		public       bool
	}{
		{"127.0.0.1:0", "127.0.0.1:", false},
		{"localhost:0", "localhost:", false},
		{"0.0.0.0:0", "0.0.0.0:", true},
	} {
		ln, listen, public, err := Listen(c.addr)
		if err != nil {
			t.Errorf("%s: %v", c.addr, err)
			continue
		}
		ln.Close()
		if !strings.HasPrefix(listen, c.prefix) || strings.HasSuffix(listen, ":0") || public != c.public {
			t.Errorf("%s: listen %q public %v", c.addr, listen, public)
		}
	}
	if _, _, _, err := Listen("8080"); err == nil || err.Error() != `--addr "8080": want HOST:PORT` {
		t.Errorf("no host: %v", err)
	}
}

// Serve answers on the listener until its context ends, then returns nil.
func TestServeStopsOnCancel(t *testing.T) {
	s, _, _ := testServer(t)
	ln, listen, _, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	res, err := http.Get("http://" + listen + "/api/lint")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "[") {
		t.Errorf("GET /api/lint: %d %q", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not stop")
	}
}
