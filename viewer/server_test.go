package viewer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/answers"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// testServer serves a copy of the e-commerce example from a temporary
// folder, watched every 10 ms, with a stand-in layout.
func testServer(t *testing.T) (*Server, *httptest.Server, string) {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile("../examples/ecommerce/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, src, 0o644); err != nil {
		t.Fatal(err)
	}
	load := func(ctx context.Context) (*topology.Topology, []string, error) {
		var in topology.Inputs
		top, err := loader.Load(ctx, topology.Options{Files: []string{file}, Dir: dir, Env: []string{}, Record: &in})
		return top, in.Files, err
	}
	s, err := NewServer(context.Background(), Config{
		Load: load, Version: "test", Listen: "127.0.0.1:0", Poll: 10 * time.Millisecond,
		Layout: func(ctx context.Context, dot []byte) ([]byte, error) {
			return []byte(`<svg viewBox="0 0 10 10" xmlns="http://www.w3.org/2000/svg"></svg>`), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(s.Handler())
	ts.Config = HTTPServer(s.Handler())
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts, file
}

func get(t *testing.T, ts *httptest.Server, path string) (int, string) {
	t.Helper()
	res, err := ts.Client().Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func cliJSON(v any) string {
	var b bytes.Buffer
	answers.WriteJSON(&b, v)
	return b.String()
}

// TestAPIMatchesCLI: each endpoint answers with the bytes the CLI prints
// for the same question.
func TestAPIMatchesCLI(t *testing.T) {
	s, ts, _ := testServer(t)
	top := s.base.m.T
	sm := sim.New(top)
	for _, c := range []struct {
		path string
		want any
	}{
		{"/api/reach?from=gateway&to=database:5432", sm.Reach(sim.Query{From: "gateway", To: "database", Port: 5432, Protocol: "tcp"})},
		{"/api/reach?from=order-service&to=database:5432/tcp", sm.Reach(sim.Query{From: "order-service", To: "database", Port: 5432, Protocol: "tcp"})},
		{"/api/reach?from=internet&to=host:80", sm.Reach(sim.Query{From: "internet", To: "host", Port: 80, Protocol: "tcp"})},
		{"/api/dns?from=gateway&name=user-service", sm.ResolveType(top.Container("api-gateway"), "user-service", "A")},
		{"/api/matrix?port=5432", sm.Matrix(5432, "tcp")},
		{"/api/matrix", sm.Matrix(0, "tcp")},
		{"/api/topology", top.Doc()},
	} {
		code, body := get(t, ts, c.path)
		if code != 200 || body != cliJSON(c.want) {
			t.Errorf("%s: status %d, body differs from the CLI's JSON:\n%.300s", c.path, code, body)
		}
	}
	code, body := get(t, ts, "/api/lint")
	var fs []map[string]any
	if code != 200 || json.Unmarshal([]byte(body), &fs) != nil || len(fs) == 0 {
		t.Errorf("/api/lint: %d %.200s", code, body)
	}
}

// TestAPIBadParams: 400 with the message the CLI prints for the same
// mistake.
func TestAPIBadParams(t *testing.T) {
	_, ts, _ := testServer(t)
	for _, c := range []struct{ path, want string }{
		{"/api/reach?from=gateway", "composenet reach: missing arguments (want from and to)"},
		{"/api/reach?from=gateway&to=database:0", `composenet reach: invalid port "0"`},
		{"/api/reach?from=gateway&to=database:80/icmp", `composenet reach: unknown protocol "icmp" (want tcp, udp or sctp)`},
		{"/api/reach?from=nobody&to=database:80", "composenet reach: unknown source \"nobody\""},
		{"/api/dns?from=nobody&name=x", `composenet dns: unknown source "nobody": not a container, a service, host or internet`},
		{"/api/dns?from=gateway&name=x&type=MX", `composenet dns: unknown --type "MX" (want A or AAAA)`},
		{"/api/matrix?port=http", `composenet matrix: --port: invalid port "http" (want PORT or PORT/PROTO)`},
		{"/api/journey?from=host&target=nothing&port=80/tcp", `composenet serve: unknown container "nothing"`},
		{"/api/topology?what=explode:x", `composenet serve: what-if "explode:x": want stop:SERVICE, disconnect:SERVICE:NETWORK, connect:SERVICE:NETWORK or daemon:KEY=VALUE`},
		{"/api/topology?what=stop:nothing", `composenet serve: what-if "stop:nothing": `},
	} {
		code, body := get(t, ts, c.path)
		if code != 400 || !strings.HasPrefix(body, c.want) {
			t.Errorf("%s: %d %q, want 400 %q", c.path, code, body, c.want)
		}
	}
	res, _ := ts.Client().Post(ts.URL+"/api/reach", "text/plain", nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", res.StatusCode)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/lint", nil)
	req.Host = "attacker.example:80"
	res, _ = ts.Client().Do(req)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a non-loopback Host header: %d, want 403 (DNS rebinding)", res.StatusCode)
	}
}

// TestWhatIfs: the server recomputes answers on a changed copy; the loaded
// model stays as it was.
func TestWhatIfs(t *testing.T) {
	_, ts, _ := testServer(t)
	verdict := func(path string) string {
		_, body := get(t, ts, path)
		var r sim.Result
		json.Unmarshal([]byte(body), &r)
		return r.Verdict.String()
	}
	q := "/api/reach?from=order-service&to=database:5432"
	if v := verdict(q); v != "delivered" {
		t.Fatalf("before: %s", v)
	}
	if v := verdict(q + "&what=stop:database"); v != "name-not-resolved" {
		t.Errorf("database stopped: %s, want name-not-resolved (R6-3: its names are unregistered)", v)
	}
	j := "/api/journey?from=order-service&target=postgres-db&port=5432/tcp"
	if v := verdict(j + "&what=stop:database"); v != "name-not-resolved" {
		t.Errorf("the page's journey to a stopped container: %s, want name-not-resolved", v)
	}
	if code, _ := get(t, ts, "/api/journey?from=internet&target=postgres-db&port=5432/tcp&what=stop:database"); code != 400 {
		t.Errorf("the internet's journey to a stopped container: %d, want 400 (no published port to ask for)", code)
	}
	if v := verdict(q + "&what=daemon:icc%3Dfalse"); v != "delivered" {
		t.Errorf("icc=false (the default bridge only, R7-4): %s", v)
	}
	if v := verdict(q); v != "delivered" {
		t.Errorf("after: %s; the loaded model changed", v)
	}
	code, body := get(t, ts, "/api/whatif?what=stop:database&what=connect:gateway:backend-network")
	if code != 200 || !strings.Contains(body, `"error": "what-if \"connect:gateway:backend-network\": `) || !strings.Contains(body, "R8-7") {
		t.Errorf("/api/whatif with a refused what-if: %d %s", code, body)
	}
	code, body = get(t, ts, "/api/whatif?what=stop:database")
	if code != 200 || strings.Contains(body, "error") {
		t.Errorf("/api/whatif: %d %s", code, body)
	}
	_, body = get(t, ts, "/api/page?what=stop:payment-service")
	var p Page
	json.Unmarshal([]byte(body), &p)
	if len(p.WhatIf) != 1 || len(p.Topology.Containers) != 5 || p.Embedded != EmbedLive || p.SVG == "" {
		t.Errorf("page with a what-if: %v, %d containers, %q", p.WhatIf, len(p.Topology.Containers), p.Embedded)
	}
}

// TestConcurrentClients: 100 clients at once, each asking a different
// journey, all answered correctly, while one client trickles its request
// headers and another holds an event stream it never reads.
func TestConcurrentClients(t *testing.T) {
	s, ts, _ := testServer(t)
	m := NewModel(s.base.m.T)
	p, _ := Build(m, Options{})
	var keys []string
	for k := range p.Journeys {
		keys = append(keys, k)
	}
	// A slow client: half a request line, then nothing.
	slow, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET /api/matrix HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	// A client that opens the event stream and never reads it.
	stuck, _ := net.Dial("tcp", ts.Listener.Addr().String())
	defer stuck.Close()
	fmt.Fprintf(stuck, "GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := keys[(i*7)%len(keys)]
			parts := strings.SplitN(k, "|", 3)
			u := "/api/journey?from=" + url.QueryEscape(parts[0]) + "&target=" + url.QueryEscape(parts[1]) + "&port=" + url.QueryEscape(parts[2])
			res, err := ts.Client().Get(ts.URL + u)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer res.Body.Close()
			var got, want sim.Result
			json.NewDecoder(res.Body).Decode(&got)
			json.Unmarshal(p.Journeys[k], &want)
			if res.StatusCode != 200 || got.Verdict != want.Verdict || len(got.Hops) != len(want.Hops) || got.To != want.To {
				errs <- fmt.Sprintf("%s: %d %s (%d hops), want %s (%d hops)", k, res.StatusCode, got.Verdict, len(got.Hops), want.Verdict, len(want.Hops))
			}
		}()
	}
	// Reloads while they run must not disturb them either.
	s.notify()
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("100 clients took %v: a slow client held the others up", d)
	}
}

// TestWatch: editing a compose file pushes a model event and a new model; a
// file that stops loading keeps the last good model and reports its
// positioned error; repairing it clears the error.
func TestWatch(t *testing.T) {
	s, ts, file := testServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx)

	res, err := ts.Client().Get(ts.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	events := make(chan string, 10)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "data: {") {
				events <- sc.Text()
			}
		}
	}()
	// wait returns the first event that contains want (a loaded machine
	// may show the page a half-written file first; it reloads when the
	// write completes).
	wait := func(what, want string) string {
		deadline := time.After(10 * time.Second)
		for {
			select {
			case e := <-events:
				if strings.Contains(e, want) {
					return e
				}
			case <-deadline:
				t.Fatalf("no model event with %s after %s", want, what)
			}
		}
	}
	project := s.base.m.T.Project
	good, _ := os.ReadFile(file)
	// Move the gateway to the backend network as well.
	edited := strings.Replace(string(good), "    networks:\n      - frontend-network\n    depends_on:", "    networks:\n      - frontend-network\n      - backend-network\n    depends_on:", 1)
	if edited == string(good) {
		t.Fatal("edit did not apply")
	}
	os.WriteFile(file, []byte(edited), 0o644)
	if e := wait("an edit", `"generation":2`); !strings.Contains(e, `"generation":2`) || !strings.Contains(e, `"error":""`) {
		t.Errorf("event %s", e)
	}
	_, body := get(t, ts, "/api/reach?from=gateway&to=database:5432")
	if !strings.Contains(body, `"verdict": "delivered"`) {
		t.Errorf("after the edit the gateway should reach the database: %.200s", body)
	}

	os.WriteFile(file, []byte("services:\n  web:\n    image: x\n    networks: [nope]\n"), 0o644)
	e := wait("a broken file", "nope")
	if !strings.Contains(e, `"generation":2`) || !strings.Contains(e, `compose.yaml:4:16: services.web.networks.nope`) {
		t.Errorf("event %s", e)
	}
	_, body = get(t, ts, "/api/page")
	var p Page
	json.Unmarshal([]byte(body), &p)
	if p.Generation != 2 || !strings.Contains(p.Error, "compose.yaml:4:16") || p.Topology.Project != project || len(p.Topology.Containers) != 6 {
		t.Errorf("page while broken: generation %d, error %q, project %q", p.Generation, p.Error, p.Topology.Project)
	}

	os.WriteFile(file, good, 0o644)
	if e := wait("the repair", `"generation":3`); !strings.Contains(e, `"generation":3`) || !strings.Contains(e, `"error":""`) {
		t.Errorf("event %s", e)
	}
}

func TestIndexPage(t *testing.T) {
	_, ts, _ := testServer(t)
	code, body := get(t, ts, "/")
	if code != 200 || !strings.Contains(body, "connect-src 'self'") || strings.Contains(body, `id="composenet-data"`) {
		t.Errorf("index: %d %.200s", code, body)
	}
	if code, _ := get(t, ts, "/nothing"); code != 404 {
		t.Errorf("/nothing: %d", code)
	}
}
