package sim

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/composenet/composenet/topology"
)

// PeerKind says what an end of a flow is.
type PeerKind string

// The peer kinds.
const (
	// PeerContainer is a container (Container names it; for a service the
	// first replica).
	PeerContainer PeerKind = "container"
	// PeerHost is the Docker host (its namespace or one of its addresses).
	PeerHost PeerKind = "host"
	// PeerInternet is a machine outside the host: the internet keyword, an
	// external name, or an address outside the Docker model.
	PeerInternet PeerKind = "internet"
	// PeerAddress is an address inside a Docker subnet that no container
	// holds.
	PeerAddress PeerKind = "address"
	// PeerUnresolved is a target name that has no address from the source.
	PeerUnresolved PeerKind = "unresolved"
)

// Peer is a resolved end of a flow: the source a FROM word names, or the
// destination a TO word denotes.
type Peer struct {
	Kind PeerKind `json:"kind"`
	// Name is the canonical spelling of what was asked: the service's name
	// when a service was named, else the container's engine name, host or
	// internet; for a target, the name or address as given.
	Name string `json:"name,omitempty"`
	// Container is the container's engine name (PeerContainer; for
	// PeerHost, the network_mode: host container a name stood for).
	Container string `json:"container,omitempty"`
	// Service is the container's compose service.
	Service string `json:"service,omitempty"`
	// Address is the destination address the flow was evaluated against
	// (targets only).
	Address netip.Addr `json:"address,omitzero"`

	ctr *topology.Container
}

// Peer resolves a FROM word, the one resolver every command uses: host and
// internet (any case) are the keywords; otherwise an exact container name,
// a service name (its first replica), then the same case-insensitively.
// The error for an unknown name suggests the closest service and container
// names.
func (s *Sim) Peer(name string) (Peer, error) {
	switch {
	case strings.EqualFold(name, Host):
		return Peer{Kind: PeerHost, Name: Host}, nil
	case strings.EqualFold(name, Internet):
		return Peer{Kind: PeerInternet, Name: Internet}, nil
	}
	if a, err := netip.ParseAddr(name); err == nil {
		// A remote client with that address (R7-20): the LAN or the
		// internet, for host firewall rules that match on -s.
		a = a.Unmap()
		if s.isHostAddr(a) || a.IsLoopback() || s.subnetOf(a) != nil {
			return Peer{}, fmt.Errorf("source address %s is the host's or inside a Docker subnet: name the container or use host", a)
		}
		return Peer{Kind: PeerInternet, Name: a.String(), Address: a}, nil
	}
	c := s.findContainer(name)
	if cands := s.Ambiguous(name); c == nil && cands != nil {
		return Peer{}, ambiguityError("source", name, cands)
	}
	if c == nil {
		return Peer{}, fmt.Errorf("unknown source %q: not a container, a service, host or internet%s", name, DidYouMean(s.Suggest(name)))
	}
	p := peerOf(c)
	if !strings.EqualFold(name, c.Name) {
		p.Name = c.Service
	}
	return p, nil
}

func peerOf(c *topology.Container) Peer {
	return Peer{Kind: PeerContainer, Name: c.Name, Container: c.Name, Service: c.Service, ctr: c}
}

// Suggest returns up to three service and container names closest to name
// by edit distance (at most a third of its length, at least one edit),
// sorted; none when nothing is that close.
func (s *Sim) Suggest(name string) []string {
	l := strings.ToLower(name)
	if len(l) > 64 {
		return nil
	}
	limit := max(1, len(l)/3)
	best := limit + 1
	var out []string
	seen := map[string]bool{}
	consider := func(cand string) {
		if cand == "" || seen[cand] {
			return
		}
		seen[cand] = true
		d := editDistance(l, strings.ToLower(cand))
		switch {
		case d < best:
			best, out = d, []string{cand}
		case d == best:
			out = append(out, cand)
		}
	}
	for _, sv := range s.t.Services {
		consider(sv.Name)
	}
	for _, c := range s.t.Containers {
		consider(c.Service)
		consider(c.Name)
	}
	for name := range s.bare {
		consider(name)
	}
	sort.Strings(out)
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// didYouMean is DidYouMean(s.Suggest(name)).
func (s *Sim) didYouMean(name string) string { return DidYouMean(s.Suggest(name)) }

// DidYouMean formats suggestions as " (did you mean a, b?)", or "" for none.
func DidYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}

// editDistance is the optimal-string-alignment distance of a and b in
// bytes: insertions, deletions, substitutions and swaps of two neighbours
// each cost one ("wbe" is one step from "web").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// targetPeer classifies the resolved destination d as seen from view (nil
// for the host or a remote machine).
func (s *Sim) targetPeer(d dst, view *topology.Container) Peer {
	if d.internet {
		return Peer{Kind: PeerInternet, Name: d.label}
	}
	a := d.addr
	p := Peer{Address: a}
	switch te := s.ipOwner[a]; {
	case a.IsLoopback() && view != nil:
		p = peerOf(view)
		p.Address = a
	case te != nil && te.Container != nil:
		p = peerOf(te.Container)
		p.Address = a
	case a.IsLoopback() || s.isHostAddr(a):
		p.Kind, p.Name = PeerHost, Host
	case s.subnetOf(a) != nil:
		p.Kind, p.Name = PeerAddress, a.String()
	default:
		p.Kind, p.Name = PeerInternet, a.String()
	}
	return p
}
