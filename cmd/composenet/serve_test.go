package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeAnswersLikeTheCLI runs `composenet serve` in-process and asks
// its API the questions of the CLI commands: the same JSON bytes for an
// answer, and for a mistake a 400 whose body is the message the command
// prints on stderr.
func TestServeAnswersLikeTheCLI(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	os.WriteFile(file, []byte("name: shop\nservices:\n  web:\n    image: nginx\n    ports: [\"8080:80\"]\n    networks: [front]\n  db:\n    image: postgres\n    networks: [back]\n  api:\n    image: node\n    networks: [front, back]\nnetworks:\n  front:\n  back:\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-f", file, "--addr", "127.0.0.1:0"}, helperEnv(t), nil, &out, &errb)
	}()
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		base = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`).FindString(out.String())
	}
	if base == "" {
		cancel()
		t.Fatalf("serve printed no URL; stderr: %s", errb.String())
	}
	api := func(path string, q url.Values) (int, string) {
		res, err := http.Get(base + path + "?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	cli := func(args ...string) (string, string) {
		var o, e bytes.Buffer
		run(context.Background(), append(args, "-f", file), helperEnv(t), nil, &o, &e)
		return o.String(), e.String()
	}
	for _, c := range []struct {
		args []string
		path string
		q    url.Values
	}{
		{[]string{"reach", "web", "db:5432", "--format", "json"}, "/api/reach", url.Values{"from": {"web"}, "to": {"db:5432"}}},
		{[]string{"reach", "api", "db:5432/udp", "--format", "json"}, "/api/reach", url.Values{"from": {"api"}, "to": {"db:5432/udp"}}},
		{[]string{"dns", "api", "db", "--format", "json"}, "/api/dns", url.Values{"from": {"api"}, "name": {"db"}}},
		{[]string{"matrix", "--port", "80", "--format", "json"}, "/api/matrix", url.Values{"port": {"80"}}},
		{[]string{"inspect", "--format", "json"}, "/api/topology", nil},
		{[]string{"lint", "--format", "json"}, "/api/lint", nil},
	} {
		want, _ := cli(c.args...)
		code, got := api(c.path, c.q)
		if code != 200 || got != want {
			t.Errorf("%s %v: %d\n%.400s\nwant (composenet %s)\n%.400s", c.path, c.q, code, got, strings.Join(c.args, " "), want)
		}
	}
	for _, c := range []struct {
		args []string
		path string
		q    url.Values
	}{
		{[]string{"reach", "web", "db:0"}, "/api/reach", url.Values{"from": {"web"}, "to": {"db:0"}}},
		{[]string{"reach", "web", "db:80/icmp"}, "/api/reach", url.Values{"from": {"web"}, "to": {"db:80/icmp"}}},
		{[]string{"reach", "nobody", "db:80"}, "/api/reach", url.Values{"from": {"nobody"}, "to": {"db:80"}}},
		{[]string{"dns", "nobody", "db"}, "/api/dns", url.Values{"from": {"nobody"}, "name": {"db"}}},
		{[]string{"dns", "web", "db", "--type", "MX"}, "/api/dns", url.Values{"from": {"web"}, "name": {"db"}, "type": {"MX"}}},
		{[]string{"matrix", "--port", "http"}, "/api/matrix", url.Values{"port": {"http"}}},
	} {
		_, want := cli(c.args...)
		code, got := api(c.path, c.q)
		if code != 400 || got != want {
			t.Errorf("%s %v: %d %q, want 400 %q (composenet %s)", c.path, c.q, code, got, want, strings.Join(c.args, " "))
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after its context ended; stderr: %s", code, errb.String())
		}
	case <-time.After(5 * time.Second):
		t.Error("serve did not stop when its context ended")
	}
}

// TestServePublicAddress: an address that is not loopback is served only
// when --addr asks for it, with a warning; the loopback Host check is then
// off (clients name the machine by its address).
func TestServePublicAddress(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	os.WriteFile(file, []byte("services:\n  web:\n    image: nginx\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-f", file, "--addr", "0.0.0.0:0"}, helperEnv(t), nil, &out, &errb)
	}()
	var port string
	for deadline := time.Now().Add(20 * time.Second); port == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`http://0\.0\.0\.0:(\d+)/`).FindStringSubmatch(out.String()); m != nil {
			port = m[1]
		}
	}
	if port == "" {
		cancel()
		t.Fatalf("no URL; stdout %q stderr %q", out.String(), errb.String())
	}
	if !strings.Contains(errb.String(), "warning: listening on 0.0.0.0:"+port+", which is not a loopback address") {
		t.Errorf("stderr %q", errb.String())
	}
	req, _ := http.NewRequest("GET", "http://127.0.0.1:"+port+"/api/lint", nil)
	req.Host = "buildhost.example:" + port
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Errorf("a request naming the machine: %v %v", err, res)
	}
	cancel()
	<-done
}
