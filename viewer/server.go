package viewer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/composenet/composenet/answers"
	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Loader loads the project afresh: the topology and the files the load
// read (topology.Options.Record), which the server watches.
type Loader func(ctx context.Context) (*topology.Topology, []string, error)

// Config configures a Server.
type Config struct {
	// Load loads the project; it is called at start and whenever a watched
	// file changes.
	Load Loader
	// Layout lays out the diagram (see Diagram).
	Layout Layout
	// Version is composenet's version, shown on the page.
	Version string
	// Listen is the address the server listens on, shown on the page;
	// Public is true when it is not a loopback address (the page warns).
	Listen string
	Public bool
	// Poll is how often the watched files are checked (default 500 ms).
	Poll time.Duration
}

// Server is `composenet serve`: the viewer page and its HTTP API over the
// current model, reloaded when the compose files change. The zero value is
// not usable; use NewServer.
type Server struct {
	cfg Config

	mu      sync.RWMutex
	base    *state            // last good model
	gen     int               // how many good models were loaded
	loadErr string            // the files' load error while base is older
	derived map[string]*state // what-if models of base, by canonical list
	watched map[string]stamp  // watched files and what they were

	subMu sync.Mutex
	subs  map[chan struct{}]struct{}
}

// state is one model (the loaded one or a what-if of it) with the page
// data and the diagram, each computed once on first use.
type state struct {
	m    *Model
	what []string

	pageOnce sync.Once
	page     *Page
	pageErr  error

	svgOnce sync.Once
	svg     []byte
	svgErr  error
}

func (s *state) pageData(ctx context.Context, cfg Config) (*Page, []byte, error) {
	s.pageOnce.Do(func() {
		s.page, s.pageErr = Build(s.m, Options{Mode: "serve", Version: cfg.Version, Live: true})
	})
	s.svgOnce.Do(func() {
		s.svg, s.svgErr = Diagram(ctx, s.m.T, cfg.Layout)
	})
	if s.pageErr != nil {
		return nil, nil, s.pageErr
	}
	return s.page, s.svg, s.svgErr
}

// stamp is what a watched file looked like.
type stamp struct {
	exists bool
	size   int64
	mtime  time.Time
	sum    [32]byte
}

func stampOf(path string) stamp {
	st, err := os.Stat(path)
	if err != nil {
		return stamp{}
	}
	s := stamp{exists: true, size: st.Size(), mtime: st.ModTime()}
	if b, err := topology.ReadInput(path); err == nil { // regular files of at most 32 MiB: a FIFO never blocks the watcher
		s.sum = sha256.Sum256(b)
	}
	return s
}

// NewServer loads the project once; a load error is returned as is (the
// command prints it and exits 2).
func NewServer(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = 500 * time.Millisecond
	}
	s := &Server{cfg: cfg, subs: map[chan struct{}]struct{}{}}
	t, files, err := cfg.Load(ctx)
	if err != nil {
		return nil, err
	}
	s.install(t, files)
	return s, nil
}

func (s *Server) install(t *topology.Topology, files []string) {
	w := map[string]stamp{}
	for _, f := range files {
		w[f] = stampOf(f)
	}
	s.mu.Lock()
	s.base = &state{m: NewModel(t)}
	s.gen++
	s.loadErr = ""
	s.derived = map[string]*state{}
	s.watched = w
	s.mu.Unlock()
}

// Watch polls the watched files until ctx ends; on a change, once the files
// are unchanged for one more interval, it reloads the project and tells the
// open pages. A load that fails keeps the last good
// model and shows the error on the pages until the files load again.
func (s *Server) Watch(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !s.changed() {
			continue
		}
		// Let the files settle: an editor may be half-way through
		// writing them. Reload once they are unchanged for one interval
		// (at least 100 ms).
		for range 20 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(max(s.cfg.Poll, 100*time.Millisecond)):
			}
			if !s.changed() {
				break
			}
		}
		s.Reload(ctx)
	}
}

// changed reports whether a watched file differs from its stamp, and
// records the new stamps.
func (s *Server) changed() bool {
	s.mu.RLock()
	files := make([]string, 0, len(s.watched))
	old := map[string]stamp{}
	for f, st := range s.watched {
		files = append(files, f)
		old[f] = st
	}
	s.mu.RUnlock()
	diff := false
	now := map[string]stamp{}
	for _, f := range files {
		st, err := os.Stat(f)
		o := old[f]
		if err == nil && o.exists && st.Size() == o.size && st.ModTime().Equal(o.mtime) {
			now[f] = o
			continue
		}
		n := stampOf(f)
		now[f] = n
		if n.exists != o.exists || n.sum != o.sum {
			diff = true
		}
	}
	s.mu.Lock()
	for f, st := range now {
		if _, ok := s.watched[f]; ok {
			s.watched[f] = st
		}
	}
	s.mu.Unlock()
	return diff
}

// Reload loads the project again and tells the open pages.
func (s *Server) Reload(ctx context.Context) {
	t, files, err := s.cfg.Load(ctx)
	if err != nil {
		s.mu.Lock()
		s.loadErr = strings.TrimRight(err.Error(), "\n")
		s.mu.Unlock()
	} else {
		s.install(t, files)
	}
	s.notify()
}

// Generation returns how many good models were loaded and the current
// load error ("" when the files load).
func (s *Server) Generation() (int, string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen, s.loadErr
}

func (s *Server) notify() {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for c := range s.subs {
		select {
		case c <- struct{}{}:
		default: // a signal is pending already; the page reloads once
		}
	}
}

// maxDerived bounds the what-if models kept per loaded model.
const maxDerived = 32

// model returns the state for the what-ifs of r (query parameter "what",
// repeatable): "stop:SERVICE", "disconnect:SERVICE:NETWORK",
// "connect:SERVICE:NETWORK", "daemon:KEY=VALUE" (icc, userland-proxy,
// ip-masq), applied in order to the loaded model.
func (s *Server) model(r *http.Request) (*state, error) {
	what := r.URL.Query()["what"]
	s.mu.RLock()
	base := s.base
	st := s.derived[strings.Join(what, "\n")]
	s.mu.RUnlock()
	if len(what) == 0 {
		return base, nil
	}
	if st != nil {
		return st, nil
	}
	t := base.m.T
	for _, w := range what {
		var err error
		if t, err = ApplyWhatIf(t, w); err != nil {
			return nil, err
		}
	}
	st = &state{m: NewModel(t), what: slices.Clone(what)}
	st.m.remember(base.m)
	s.mu.Lock()
	if s.base == base {
		if len(s.derived) >= maxDerived {
			s.derived = map[string]*state{}
		}
		s.derived[strings.Join(what, "\n")] = st
	}
	s.mu.Unlock()
	return st, nil
}

// ApplyWhatIf applies one what-if to t (see Server.model for the forms),
// through topology's copy-on-write operations: t itself is not changed.
// Connecting a service gives each replica an endpoint with the service
// name as alias, as listing the network in the compose file would (R6-3).
func ApplyWhatIf(t *topology.Topology, w string) (*topology.Topology, error) {
	verb, rest, _ := strings.Cut(w, ":")
	bad := func(format string, a ...any) error {
		return fmt.Errorf("what-if %q: %s", w, fmt.Sprintf(format, a...))
	}
	switch verb {
	case "stop":
		if rest == "" {
			return nil, bad("want stop:SERVICE")
		}
		out, err := t.Stopped(rest)
		if err != nil {
			return nil, bad("%v", err)
		}
		return out, nil
	case "disconnect", "connect":
		svc, net, ok := strings.Cut(rest, ":")
		if !ok || svc == "" || net == "" {
			return nil, bad("want %s:SERVICE:NETWORK", verb)
		}
		if verb == "disconnect" {
			out, err := t.Disconnected(svc, net)
			if err != nil {
				return nil, bad("%v", err)
			}
			return out, nil
		}
		s := t.Service(svc)
		if s == nil || len(s.Containers) == 0 {
			return nil, bad("no running service %q", svc)
		}
		out := t
		for _, c := range s.Containers {
			var err error
			if out, err = out.WithEndpoint(c.Name, net, svc); err != nil {
				return nil, bad("%v", err)
			}
		}
		return out, nil
	case "daemon":
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			return nil, bad("want daemon:KEY=VALUE")
		}
		out, err := t.WithDaemon(k, v)
		if err != nil {
			return nil, bad("%v", err)
		}
		return out, nil
	}
	return nil, bad("want stop:SERVICE, disconnect:SERVICE:NETWORK, connect:SERVICE:NETWORK or daemon:KEY=VALUE")
}

// Handler returns the HTTP handler: the page at /, the API under /api/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.index)
	mux.HandleFunc("GET /api/page", s.apiPage)
	mux.HandleFunc("GET /api/topology", s.apiTopology)
	mux.HandleFunc("GET /api/reach", s.apiReach)
	mux.HandleFunc("GET /api/dns", s.apiDNS)
	mux.HandleFunc("GET /api/matrix", s.apiMatrix)
	mux.HandleFunc("GET /api/lint", s.apiLint)
	mux.HandleFunc("GET /api/journey", s.apiJourney)
	mux.HandleFunc("GET /api/whatif", s.apiWhatIf)
	mux.HandleFunc("GET /api/events", s.events)
	if s.cfg.Public {
		return mux
	}
	return hostCheck(mux)
}

// hostCheck refuses requests whose Host header is not a loopback name or
// address: a page on another site cannot reach a loopback server through
// DNS rebinding.
func hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			h = r.Host
		}
		if ip, err := netipParse(h); !(h == "localhost" || err == nil && ip.IsLoopback()) {
			http.Error(w, "composenet serve: Host "+strconv.Quote(r.Host)+" is not a loopback address", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func netipParse(h string) (net.IP, error) {
	ip := net.ParseIP(strings.Trim(h, "[]"))
	if ip == nil {
		return nil, errors.New("not an address")
	}
	return ip, nil
}

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	title := s.base.m.T.Project
	s.mu.RUnlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(page(title, s.cfg.Version, serveCSP, nil, ""))
}

// badRequest answers 400 with the message the CLI prints.
func badRequest(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	io.WriteString(w, msg+"\n")
}

// writeJSON answers with v encoded as the CLI encodes it.
func writeJSON(w http.ResponseWriter, v any) {
	var b bytes.Buffer
	if err := answers.WriteJSON(&b, v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

func (s *Server) withModel(w http.ResponseWriter, r *http.Request) (*state, bool) {
	st, err := s.model(r)
	if err != nil {
		badRequest(w, "composenet serve: "+err.Error())
		return nil, false
	}
	return st, true
}

func (s *Server) apiPage(w http.ResponseWriter, r *http.Request) {
	st, ok := s.withModel(w, r)
	if !ok {
		return
	}
	p, svg, err := st.pageData(r.Context(), s.cfg)
	if err != nil {
		http.Error(w, "composenet serve: "+err.Error(), http.StatusInternalServerError)
		return
	}
	out := *p
	out.SVG = string(svg)
	out.WhatIf = st.what
	out.Listen, out.Public = s.cfg.Listen, s.cfg.Public
	out.Generation, out.Error = s.Generation()
	writeJSON(w, &out)
}

// apiWhatIf checks the what-ifs of the request: 200 with {"what_if": [...]}
// when they apply, {"error": "..."} when one is refused. The page asks it
// before switching to a what-if model (a refusal is an answer here, not a
// bad request).
func (s *Server) apiWhatIf(w http.ResponseWriter, r *http.Request) {
	out := struct {
		WhatIf []string `json:"what_if"`
		Error  string   `json:"error,omitempty"`
	}{WhatIf: r.URL.Query()["what"]}
	if out.WhatIf == nil {
		out.WhatIf = []string{}
	}
	if _, err := s.model(r); err != nil {
		out.Error = err.Error()
	}
	writeJSON(w, out)
}

func (s *Server) apiTopology(w http.ResponseWriter, r *http.Request) {
	if st, ok := s.withModel(w, r); ok {
		writeJSON(w, st.m.T.Doc())
	}
}

func (s *Server) apiLint(w http.ResponseWriter, r *http.Request) {
	if st, ok := s.withModel(w, r); ok {
		fs := review.Lint(st.m.T)
		if fs == nil {
			fs = []review.Finding{}
		}
		writeJSON(w, fs)
	}
}

// apiReach answers GET /api/reach?from=FROM&to=TARGET[:PORT][/PROTO] as
// composenet reach FROM TARGET --format json.
func (s *Server) apiReach(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" || to == "" {
		badRequest(w, "composenet reach: missing arguments (want from and to)")
		return
	}
	target, port, proto, err := sim.ParseTarget(to)
	if err != nil {
		badRequest(w, "composenet reach: "+err.Error())
		return
	}
	st, ok := s.withModel(w, r)
	if !ok {
		return
	}
	res := st.m.S.Reach(sim.Query{From: from, To: target, Port: port, Protocol: proto})
	if res.Verdict == sim.InvalidQuery {
		badRequest(w, "composenet reach: "+res.Error)
		return
	}
	writeJSON(w, res)
}

// apiDNS answers GET /api/dns?from=FROM&name=NAME[&type=A|AAAA] as
// composenet dns FROM NAME --format json.
func (s *Server) apiDNS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, name, qtype := q.Get("from"), q.Get("name"), q.Get("type")
	if from == "" || name == "" {
		badRequest(w, "composenet dns: missing arguments (want from and name)")
		return
	}
	if qtype == "" {
		qtype = "A"
	}
	st, ok := s.withModel(w, r)
	if !ok {
		return
	}
	ans, err := st.m.S.Lookup(from, name, qtype)
	if err != nil {
		badRequest(w, "composenet dns: "+err.Error())
		return
	}
	writeJSON(w, ans)
}

// apiMatrix answers GET /api/matrix[?port=PORT[/PROTO]] as composenet
// matrix --format json.
func (s *Server) apiMatrix(w http.ResponseWriter, r *http.Request) {
	port, proto, err := sim.ParseOptionalPort(r.URL.Query().Get("port"))
	if err != nil {
		badRequest(w, "composenet matrix: --port: "+err.Error())
		return
	}
	if st, ok := s.withModel(w, r); ok {
		writeJSON(w, st.m.S.Matrix(port, proto))
	}
}

// apiJourney answers the page's question GET /api/journey?from=SOURCE&
// target=CONTAINER&port=PORT/PROTO: the journey a report embeds for that
// cell (see Model.Question), as composenet reach --format json.
func (s *Server) apiJourney(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, ok := s.withModel(w, r)
	if !ok {
		return
	}
	query, err := st.m.Question(q.Get("from"), q.Get("target"), q.Get("port"))
	if err != nil {
		badRequest(w, "composenet serve: "+err.Error())
		return
	}
	writeJSON(w, st.m.S.Reach(query))
}

// events is the page's Server-Sent Events stream: a "model" event each
// time the files were reloaded (or stopped loading), a comment every 15 s
// to keep the connection open. Each write has its own deadline, so a
// client that stops reading is dropped without holding anyone up.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{}) // the stream outlives the request timeout
	c := make(chan struct{}, 1)
	s.subMu.Lock()
	s.subs[c] = struct{}{}
	s.subMu.Unlock()
	defer func() {
		s.subMu.Lock()
		delete(s.subs, c)
		s.subMu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	send := func(msg string) bool {
		rc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(w, msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	gen, _ := s.Generation()
	if !send(fmt.Sprintf("retry: 1000\nevent: hello\ndata: %d\n\n", gen)) {
		return
	}
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c:
			gen, msg := s.Generation()
			b, _ := json.Marshal(map[string]any{"generation": gen, "error": msg})
			if !send("event: model\ndata: " + string(b) + "\n\n") {
				return
			}
		case <-keep.C:
			if !send(": keep-alive\n\n") {
				return
			}
		}
	}
}

// HTTPServer returns an http.Server for h with the timeouts that keep a
// slow or vanished client from holding a connection: headers within 5 s, a
// request within 10 s, a response within 60 s (the event stream sets its
// own deadline per write), idle connections closed after 60 s.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}
