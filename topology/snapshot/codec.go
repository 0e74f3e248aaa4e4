package snapshot

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/composenet/composenet/internal/wire"
	"github.com/composenet/composenet/topology"
)

// The wire form of a Topology. The model is a graph (an endpoint points at
// its container and network, which point back at it; a container points at
// the one whose namespace it shares; a port binding at its endpoint), which
// encoding/gob cannot carry. Each object is stored once in a table, with
// its pointer fields cleared and replaced by table indexes (-1 for nil);
// decoding rebuilds the pointers so that shared objects are shared again,
// then rebuilds the lookup indexes with Reindex. The bytes are package
// internal/wire's encoding of wireTopology (a plan built by reflection
// from the types, no type description in the data; see that package for
// why not encoding/gob).
//
// The model structs travel whole otherwise, so a field added to the model
// is carried without a change here; a pointer field added to the model
// must be added here (TestCodecKnowsEveryPointer fails until it is).
type wireTopology struct {
	Top        topology.Topology
	Bridge0    int
	Networks   []int
	Containers []int
	Services   []int
	Nets       []wireNetwork
	Ctrs       []wireContainer
	Eps        []wireEndpoint
	Svcs       []wireService
}

type wireNetwork struct {
	N         topology.Network
	Endpoints []int
}

type wireContainer struct {
	C         topology.Container
	NetNS     int
	Endpoints []int
	// PortEndpoints[i] is Ports[i].Endpoint.
	PortEndpoints []int
}

type wireEndpoint struct {
	E         topology.Endpoint
	Container int
	Network   int
}

type wireService struct {
	S          topology.Service
	Containers []int
}

// tables numbers the objects of a topology in the order they are met.
type tables struct {
	w    wireTopology
	nets map[*topology.Network]int
	ctrs map[*topology.Container]int
	eps  map[*topology.Endpoint]int
	svcs map[*topology.Service]int
}

func (tb *tables) net(n *topology.Network) int {
	if n == nil {
		return -1
	}
	if i, ok := tb.nets[n]; ok {
		return i
	}
	i := len(tb.w.Nets)
	tb.nets[n] = i
	tb.w.Nets = append(tb.w.Nets, wireNetwork{})
	c := *n
	c.Endpoints = nil
	var eps []int // nil stays nil, empty stays empty
	if n.Endpoints != nil {
		eps = make([]int, len(n.Endpoints))
		for j, e := range n.Endpoints {
			eps[j] = tb.ep(e)
		}
	}
	tb.w.Nets[i] = wireNetwork{N: c, Endpoints: eps}
	return i
}

func (tb *tables) ctr(c *topology.Container) int {
	if c == nil {
		return -1
	}
	if i, ok := tb.ctrs[c]; ok {
		return i
	}
	i := len(tb.w.Ctrs)
	tb.ctrs[c] = i
	tb.w.Ctrs = append(tb.w.Ctrs, wireContainer{})
	cp := *c
	cp.NetNS, cp.Endpoints = nil, nil
	cp.Ports = slices.Clone(c.Ports)
	wc := wireContainer{NetNS: tb.ctr(c.NetNS)}
	if c.Endpoints != nil {
		wc.Endpoints = make([]int, len(c.Endpoints))
		for j, e := range c.Endpoints {
			wc.Endpoints[j] = tb.ep(e)
		}
	}
	if len(c.Ports) > 0 {
		wc.PortEndpoints = make([]int, len(c.Ports))
		for j := range cp.Ports {
			wc.PortEndpoints[j] = tb.ep(cp.Ports[j].Endpoint)
			cp.Ports[j].Endpoint = nil
		}
	}
	wc.C = cp
	tb.w.Ctrs[i] = wc
	return i
}

func (tb *tables) ep(e *topology.Endpoint) int {
	if e == nil {
		return -1
	}
	if i, ok := tb.eps[e]; ok {
		return i
	}
	i := len(tb.w.Eps)
	tb.eps[e] = i
	tb.w.Eps = append(tb.w.Eps, wireEndpoint{})
	cp := *e
	cp.Container, cp.Network = nil, nil
	we := wireEndpoint{E: cp, Container: tb.ctr(e.Container), Network: tb.net(e.Network)}
	tb.w.Eps[i] = we
	return i
}

func (tb *tables) svc(s *topology.Service) int {
	if s == nil {
		return -1
	}
	if i, ok := tb.svcs[s]; ok {
		return i
	}
	i := len(tb.w.Svcs)
	tb.svcs[s] = i
	tb.w.Svcs = append(tb.w.Svcs, wireService{})
	cp := *s
	cp.Containers = nil
	ws := wireService{S: cp}
	if s.Containers != nil {
		ws.Containers = make([]int, len(s.Containers))
		for j, c := range s.Containers {
			ws.Containers[j] = tb.ctr(c)
		}
	}
	tb.w.Svcs[i] = ws
	return i
}

// toWire flattens t.
func toWire(t *topology.Topology) *wireTopology {
	tb := &tables{
		nets: map[*topology.Network]int{},
		ctrs: map[*topology.Container]int{},
		eps:  map[*topology.Endpoint]int{},
		svcs: map[*topology.Service]int{},
	}
	top := *t
	top.Bridge0, top.Networks, top.Containers, top.Services = nil, nil, nil, nil
	tb.w.Top = top
	tb.w.Bridge0 = tb.net(t.Bridge0)
	idx := func(n int, isNil bool, f func(int) int) []int {
		if isNil {
			return nil
		}
		out := make([]int, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	tb.w.Networks = idx(len(t.Networks), t.Networks == nil, func(i int) int { return tb.net(t.Networks[i]) })
	tb.w.Containers = idx(len(t.Containers), t.Containers == nil, func(i int) int { return tb.ctr(t.Containers[i]) })
	tb.w.Services = idx(len(t.Services), t.Services == nil, func(i int) int { return tb.svc(t.Services[i]) })
	return &tb.w
}

var (
	errBadIndex = errors.New("snapshot: index out of range")
	errNilRef   = errors.New("snapshot: missing object")
)

// fromWire rebuilds the topology, checking every index.
func fromWire(w *wireTopology) (_ *topology.Topology, err error) {
	nets := make([]*topology.Network, len(w.Nets))
	ctrs := make([]*topology.Container, len(w.Ctrs))
	eps := make([]*topology.Endpoint, len(w.Eps))
	svcs := make([]*topology.Service, len(w.Svcs))
	for i := range w.Nets {
		nets[i] = &w.Nets[i].N
	}
	for i := range w.Ctrs {
		ctrs[i] = &w.Ctrs[i].C
	}
	for i := range w.Eps {
		eps[i] = &w.Eps[i].E
	}
	for i := range w.Svcs {
		svcs[i] = &w.Svcs[i].S
	}
	ref := func(n int, i int) (int, bool) {
		if i < -1 || i >= n {
			err = errBadIndex
			return 0, false
		}
		return i, i >= 0
	}
	net := func(i int) *topology.Network {
		if j, ok := ref(len(nets), i); ok {
			return nets[j]
		}
		return nil
	}
	ctr := func(i int) *topology.Container {
		if j, ok := ref(len(ctrs), i); ok {
			return ctrs[j]
		}
		return nil
	}
	ep := func(i int) *topology.Endpoint {
		if j, ok := ref(len(eps), i); ok {
			return eps[j]
		}
		return nil
	}
	svc := func(i int) *topology.Service {
		if j, ok := ref(len(svcs), i); ok {
			return svcs[j]
		}
		return nil
	}
	for i := range w.Nets {
		wn := &w.Nets[i]
		if wn.Endpoints != nil {
			wn.N.Endpoints = make([]*topology.Endpoint, len(wn.Endpoints))
			for j, k := range wn.Endpoints {
				wn.N.Endpoints[j] = ep(k)
			}
		}
	}
	for i := range w.Ctrs {
		wc := &w.Ctrs[i]
		wc.C.NetNS = ctr(wc.NetNS)
		if wc.Endpoints != nil {
			wc.C.Endpoints = make([]*topology.Endpoint, len(wc.Endpoints))
			for j, k := range wc.Endpoints {
				wc.C.Endpoints[j] = ep(k)
			}
		}
		if len(wc.PortEndpoints) != len(wc.C.Ports) {
			return nil, errBadIndex
		}
		for j, k := range wc.PortEndpoints {
			wc.C.Ports[j].Endpoint = ep(k)
		}
	}
	for i := range w.Eps {
		we := &w.Eps[i]
		we.E.Container = ctr(we.Container)
		we.E.Network = net(we.Network)
	}
	for i := range w.Svcs {
		ws := &w.Svcs[i]
		if ws.Containers != nil {
			ws.S.Containers = make([]*topology.Container, len(ws.Containers))
			for j, k := range ws.Containers {
				ws.S.Containers[j] = ctr(k)
			}
		}
	}
	// What the model never holds nil (Reindex and every reader rely on
	// it) must not come out nil from hostile bytes either.
	for _, k := range slicesOf(w.Networks, w.Containers, w.Services) {
		if k < 0 {
			return nil, errNilRef
		}
	}
	for i := range w.Eps {
		if w.Eps[i].Container < 0 || w.Eps[i].Network < 0 {
			return nil, errNilRef
		}
	}
	for _, k := range w.Nets {
		for _, e := range k.Endpoints {
			if e < 0 {
				return nil, errNilRef
			}
		}
	}
	for _, c := range w.Ctrs {
		for _, e := range c.Endpoints {
			if e < 0 {
				return nil, errNilRef
			}
		}
	}
	for _, sv := range w.Svcs {
		for _, c := range sv.Containers {
			if c < 0 {
				return nil, errNilRef
			}
		}
	}
	t := new(topology.Topology)
	*t = w.Top
	t.Bridge0 = net(w.Bridge0)
	if w.Networks != nil {
		t.Networks = make([]*topology.Network, len(w.Networks))
		for i, k := range w.Networks {
			t.Networks[i] = net(k)
		}
	}
	if w.Containers != nil {
		t.Containers = make([]*topology.Container, len(w.Containers))
		for i, k := range w.Containers {
			t.Containers[i] = ctr(k)
		}
	}
	if w.Services != nil {
		t.Services = make([]*topology.Service, len(w.Services))
		for i, k := range w.Services {
			t.Services[i] = svc(k)
		}
	}
	if err != nil {
		return nil, err
	}
	t.Reindex()
	return t, nil
}

// Marshal returns t in the snapshot's binary form. The form is private to
// this package and changes with the model; Unmarshal reads only what a
// build with the same Fingerprint wrote (the cache keys entries by the
// build, see Load; composenet-load's answers carry the fingerprint).
func Marshal(t *topology.Topology) ([]byte, error) {
	return wire.Marshal(toWire(t))
}

// Unmarshal reads a topology that Marshal wrote. Malformed input yields an
// error, never a panic or a topology with dangling references, and costs
// memory in proportion to its length (package wire).
func Unmarshal(data []byte) (*topology.Topology, error) {
	var w wireTopology
	if err := wire.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return fromWire(&w)
}

// Encode writes t in the snapshot's binary form (Marshal).
func Encode(w io.Writer, t *topology.Topology) error {
	raw, err := Marshal(t)
	if err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}

// Decode reads a topology that Encode wrote, to the end of r (Unmarshal).
func Decode(r io.Reader) (*topology.Topology, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return Unmarshal(raw)
}

// slicesOf yields the elements of each list.
func slicesOf(lists ...[]int) []int {
	var out []int
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
