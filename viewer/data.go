package viewer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Limits of what a report embeds. A journey is one Reach answer (source,
// target container, one of the target's ports); a project with S sources
// (containers, host, internet), T containers and P ports per container has
// about S*T*P of them.
const (
	// DefaultMaxJourneys is the number of journeys embedded in full (hops,
	// DNS steps, blockers) by default. 57 containers with their ports need
	// about 5,000.
	DefaultMaxJourneys = 25000
	// MaxVerdicts is the number of journeys above which not even their
	// verdict codes are embedded.
	MaxVerdicts = 250000
)

// Embedding says how much of the pair answers a Page carries.
const (
	// EmbedJourneys: every journey in full.
	EmbedJourneys = "journeys"
	// EmbedVerdicts: every journey's verdict code, no hops.
	EmbedVerdicts = "verdicts"
	// EmbedNone: no pair answers (too many pairs).
	EmbedNone = "none"
	// EmbedLive: none embedded; the page asks the server (composenet serve).
	EmbedLive = "live"
)

// Page is everything the viewer's page shows, as the JavaScript reads it.
// Its JSON form is built by Build and is deterministic.
type Page struct {
	// Mode is "report" (a file) or "serve" (a live server).
	Mode string `json:"mode"`
	// Version is composenet's version.
	Version string `json:"version"`
	// Topology is inspect's JSON document.
	Topology topology.Doc `json:"topology"`
	// Lint are the lint findings (composenet lint --format json).
	Lint []review.Finding `json:"lint"`
	// Exposure is composenet exposure --format json.
	Exposure *review.ExposureReport `json:"exposure"`
	// Sources are the journey sources: container names, then "host" and
	// "internet".
	Sources []string `json:"sources"`
	// Targets are the containers with the ports the page offers for them.
	Targets []Target `json:"targets"`
	// Embedded is one of the Embed* values.
	Embedded string `json:"embedded"`
	// Limit explains what was left out of the file and why ("" when
	// nothing was).
	Limit string `json:"limit,omitempty"`
	// Journeys maps Key(source, target, port) to the sim.Result as
	// composenet reach --format json prints it (EmbedJourneys).
	Journeys map[string]json.RawMessage `json:"journeys,omitempty"`
	// Verdicts maps the same keys to the verdict code (EmbedJourneys and
	// EmbedVerdicts).
	Verdicts map[string]string `json:"verdicts,omitempty"`
	// WhatIf lists the what-ifs applied to the model shown (serve).
	WhatIf []string `json:"what_if,omitempty"`
	// Services are the service names, sorted (for the what-if controls).
	Services []string `json:"services"`
	// Generation counts the models a server has loaded (serve).
	Generation int `json:"generation,omitempty"`
	// Error is the positioned load error of the files on disk while the
	// page shows the last good model (serve).
	Error string `json:"error,omitempty"`
	// Listen is the address a server listens on; Public is true when it
	// is not a loopback address (serve).
	Listen string `json:"listen,omitempty"`
	Public bool   `json:"public,omitempty"`
	// SVG is the diagram (serve; a report inlines it in the HTML).
	SVG string `json:"svg,omitempty"`
}

// Target is a container and the ports its journeys are computed for.
type Target struct {
	Name    string `json:"name"`
	Service string `json:"service"`
	// Ports are "PORT/PROTO" strings, the default first; "" stands for an
	// IP-level question when the container declares no port at all.
	Ports []string `json:"ports"`
}

// Key is the key of one journey in Page.Journeys and Page.Verdicts:
// "SOURCE|TARGET|PORT/PROTO" ("SOURCE|TARGET|" for an IP-level question).
func Key(source, target, port string) string { return source + "|" + target + "|" + port }

// Options control Build.
type Options struct {
	// Mode is "report" or "serve".
	Mode string
	// Version is composenet's version string.
	Version string
	// MaxJourneys caps the journeys embedded in full (0: DefaultMaxJourneys).
	MaxJourneys int
	// Live leaves the journeys out: the page asks the server.
	Live bool
}

// Model is one loaded project with its simulator and the matrices the
// journeys' questions come from. It is safe for concurrent use.
type Model struct {
	T *topology.Topology
	S *sim.Sim

	mu    sync.Mutex
	mats  map[string]*sim.Matrix
	col   map[string]int
	known map[string]bool // container names of the project's services, running or not
}

// NewModel indexes t for questions.
func NewModel(t *topology.Topology) *Model {
	m := &Model{T: t, S: sim.New(t), mats: map[string]*sim.Matrix{}, col: map[string]int{}, known: map[string]bool{}}
	for j, c := range t.Containers {
		m.col[c.Name] = j
		m.known[c.Name] = true
	}
	return m
}

// remember makes m know the containers of base, so that a what-if model
// still answers for containers it stopped.
func (m *Model) remember(base *Model) {
	for n := range base.known {
		m.known[n] = true
	}
}

// matrix returns the (cached) matrix of one port.
func (m *Model) matrix(pp string) (*sim.Matrix, error) {
	port, proto, err := ParsePort(pp)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if x := m.mats[pp]; x != nil {
		return x, nil
	}
	x := m.S.Matrix(port, proto)
	m.mats[pp] = x
	return x, nil
}

// Question returns the Reach question of the journey from source (a
// container name, "host" or "internet") to the container target on port
// ("PORT/PROTO", or "" for IP level). It is sim.Matrix's question for that
// cell: the internet asks for a published port on the host's address (or
// the container's address, which the direct-access filter drops, when the
// port is not published), the others for the container by name. A
// container of the project that a what-if stopped is still asked for by
// name (its names are unregistered: name-not-resolved, R6-3).
func (m *Model) Question(source, target, port string) (sim.Query, error) {
	j, ok := m.col[target]
	if !ok && (source == sim.Internet || !m.known[target]) {
		return sim.Query{}, fmt.Errorf("unknown container %q", target)
	}
	pnum, proto, err := ParsePort(port)
	if err != nil {
		return sim.Query{}, err
	}
	if source != sim.Internet {
		if source != sim.Host && m.T.Container(source) == nil {
			return sim.Query{}, fmt.Errorf("unknown source %q (want a container name, host or internet)", source)
		}
		return sim.Query{From: source, To: target, Port: pnum, Protocol: proto}, nil
	}
	x, err := m.matrix(port)
	if err != nil {
		return sim.Query{}, err
	}
	return x.Query(len(x.Rows)-1, j), nil
}

// Build computes the page data for m: details, lint, exposure, and the
// verdict of every journey (every source to every container port); the
// journeys themselves too unless opt.Live.
func Build(m *Model, opt Options) (*Page, error) {
	t := m.T
	p := &Page{Mode: opt.Mode, Version: opt.Version, Topology: t.Doc(), Lint: review.Lint(t), Exposure: review.Exposure(t), Services: []string{}}
	if p.Lint == nil {
		p.Lint = []review.Finding{}
	}
	for _, s := range t.Services {
		p.Services = append(p.Services, s.Name)
	}
	slices.Sort(p.Services)
	for _, c := range t.Containers {
		p.Sources = append(p.Sources, c.Name)
		p.Targets = append(p.Targets, Target{Name: c.Name, Service: c.Service, Ports: Ports(c)})
	}
	p.Sources = append(p.Sources, sim.Host, sim.Internet)

	n := 0
	for _, tg := range p.Targets {
		n += len(p.Sources) * len(tg.Ports)
	}
	max := opt.MaxJourneys
	if max <= 0 {
		max = DefaultMaxJourneys
	}
	switch {
	case n > MaxVerdicts:
		p.Embedded = EmbedNone
		if opt.Live {
			p.Embedded = EmbedLive
		}
		p.Limit = fmt.Sprintf("%d journeys (%d sources × %d containers × their ports) exceed the limit of %d: no verdicts are precomputed for the matrix", n, len(p.Sources), len(p.Targets), MaxVerdicts)
		if !opt.Live {
			p.Limit += "; use composenet serve, or composenet reach and matrix"
		}
		return p, nil
	case opt.Live:
		p.Embedded = EmbedLive
	case n > max:
		p.Embedded = EmbedVerdicts
		p.Limit = fmt.Sprintf("%d journeys exceed --max-journeys %d: only their verdicts are embedded, not the hops; use composenet serve, composenet reach, or a higher --max-journeys", n, max)
	default:
		p.Embedded = EmbedJourneys
		p.Journeys = make(map[string]json.RawMessage, n)
	}
	p.Verdicts = make(map[string]string, n)
	byPort := map[string][]int{}
	var ports []string
	for j, tg := range p.Targets {
		for _, pp := range tg.Ports {
			if _, ok := byPort[pp]; !ok {
				ports = append(ports, pp)
			}
			byPort[pp] = append(byPort[pp], j)
		}
	}
	slices.Sort(ports)
	for _, pp := range ports {
		x, err := m.matrix(pp)
		if err != nil {
			return nil, err
		}
		for i, src := range x.Rows {
			for _, j := range byPort[pp] {
				name := p.Targets[j].Name
				key := Key(src, name, pp)
				if p.Journeys == nil {
					p.Verdicts[key] = x.At(i, m.col[name]).String()
					continue
				}
				r := m.S.Reach(x.Query(i, m.col[name]))
				p.Verdicts[key] = r.Verdict.String()
				b, err := json.Marshal(r)
				if err != nil {
					return nil, err
				}
				p.Journeys[key] = b
			}
		}
	}
	return p, nil
}

// ParsePort parses "80/tcp", "80" (tcp) or "" (IP level: 0, tcp) with
// sim's messages.
func ParsePort(pp string) (uint16, string, error) { return sim.ParseOptionalPort(pp) }

// Ports returns the ports the page offers for c: its declared listeners
// (x-composenet.listen) when it declares them, otherwise its published
// container ports and expose entries; sorted by number then protocol,
// deduplicated. A container with none gets the IP-level question only ("").
func Ports(c *topology.Container) []string {
	var pps []topology.PortProto
	if c.ListenKnown {
		pps = slices.Clone(c.Listen)
	} else {
		for _, b := range c.Ports {
			pps = append(pps, topology.PortProto{Port: b.ContainerPort, Protocol: b.Protocol})
		}
		pps = append(pps, c.Expose...)
	}
	slices.SortFunc(pps, func(a, b topology.PortProto) int {
		if c := cmp.Compare(a.Port, b.Port); c != 0 {
			return c
		}
		return cmp.Compare(a.Protocol, b.Protocol)
	})
	pps = slices.Compact(pps)
	out := []string{}
	for _, pp := range pps {
		out = append(out, pp.String())
	}
	if len(out) == 0 {
		out = append(out, "")
	}
	return out
}
