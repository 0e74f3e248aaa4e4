package sim

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Matrix holds the verdict of every source (each container, then Host and
// Internet) against every container, for one port and protocol.
//
// Cell (i, j) answers exactly the Reach question that Query(i, j) returns:
//   - container row S, column T: Reach(S -> T's container name:port);
//   - Host row: Reach(host -> T's container name:port), i.e. T's address;
//   - Internet row: when T publishes the port (container port = Port) on a
//     host address, Reach(internet -> that host address:published port);
//     otherwise Reach(internet -> T's address:port), which the direct-access
//     filter drops.
type Matrix struct {
	Port     uint16
	Protocol string
	// Rows are the source names: container names, then "host", "internet".
	Rows []string
	// Cols are the container names.
	Cols []string
	// codes holds len(Rows)*len(Cols) verdicts, row-major.
	codes []uint8
	s     *Sim
	ctrs  []*topology.Container
}

// At returns the verdict of row i, column j.
func (m *Matrix) At(i, j int) Verdict { return Verdict(m.codes[i*len(m.Cols)+j]) }

// Query returns the Reach question that cell (i, j) answers.
func (m *Matrix) Query(i, j int) Query {
	t := m.ctrs[j]
	q := Query{From: m.Rows[i], To: t.Name, Port: m.Port, Protocol: m.Protocol}
	if m.Rows[i] != Internet || m.Port == 0 {
		return q
	}
	pp := topology.PortProto{Port: m.Port, Protocol: m.Protocol}
	if b, ok := m.s.publishedFor(t, pp); ok {
		q.To = b.host.String()
		q.Port = b.port
	}
	return q
}

// Counts returns how many cells carry each verdict, indexed by Verdict.
func (m *Matrix) Counts() []int {
	out := make([]int, numVerdicts)
	for _, c := range m.codes {
		out[c]++
	}
	return out
}

type matrixJSON struct {
	Port     uint16     `json:"port"`
	Protocol string     `json:"protocol"`
	Rows     []string   `json:"rows"`
	Columns  []string   `json:"columns"`
	Verdicts [][]string `json:"verdicts"`
}

// MarshalJSON encodes the matrix with verdict codes per row.
func (m *Matrix) MarshalJSON() ([]byte, error) {
	out := matrixJSON{Port: m.Port, Protocol: m.Protocol, Rows: m.Rows, Columns: m.Cols, Verdicts: make([][]string, len(m.Rows))}
	for i := range m.Rows {
		row := make([]string, len(m.Cols))
		for j := range m.Cols {
			row[j] = m.At(i, j).String()
		}
		out.Verdicts[i] = row
	}
	return json.Marshal(out)
}

type pub struct {
	host netip.Addr
	port uint16
}

// publishedFor returns the host address and port through which an outside
// client reaches T's container port pp: the first binding of T with that
// target, preferring non-loopback bindings (R8-6, R7-9).
func (s *Sim) publishedFor(t *topology.Container, pp topology.PortProto) (pub, bool) {
	var lo *topology.PortBinding
	for i := range t.Ports {
		b := &t.Ports[i]
		if b.ContainerPort != pp.Port || proto(b.Protocol) != pp.Protocol || b.Endpoint == nil {
			continue
		}
		ip := b.HostIP.Unmap()
		switch {
		case !ip.IsValid() || ip.IsUnspecified():
			if a, ok := s.hostAddr(); ok {
				return pub{a, b.HostPort}, true
			}
		case ip.IsLoopback():
			if lo == nil {
				lo = b
			}
		default:
			return pub{ip, b.HostPort}, true
		}
	}
	if lo != nil {
		if a, ok := s.hostAddr(); ok {
			return pub{a, lo.HostPort}, true
		}
	}
	return pub{}, false
}

// regEntry says that a container's name is registered on network netID and
// the lowest address answering it there.
type regEntry struct {
	netID int
	ans   *topology.Endpoint
}

// Matrix computes every verdict from the per-network name tables and the
// published-port index (see Matrix for what each cell means). Rows whose
// DNS view needs the full procedure (links, extra_hosts, default bridge,
// network_mode host/none) and the Host and Internet rows use the same
// decision code as Reach without building traces.
func (s *Sim) Matrix(port uint16, protocol string) *Matrix {
	return s.MatrixProgress(port, protocol, nil)
}

// MatrixProgress is Matrix with a progress callback, called after each
// row with the rows done and the total (for a progress bar; nil for none).
func (s *Sim) MatrixProgress(port uint16, protocol string, progress func(done, total int)) *Matrix {
	if progress == nil {
		progress = func(int, int) {}
	}
	pp := topology.PortProto{Port: port, Protocol: proto(protocol)}
	ctrs := s.t.Containers
	m := &Matrix{Port: port, Protocol: pp.Protocol, s: s, ctrs: ctrs}
	m.Cols = make([]string, len(ctrs))
	m.Rows = make([]string, 0, len(ctrs)+2)
	for i, c := range ctrs {
		m.Cols[i] = c.Name
		m.Rows = append(m.Rows, c.Name)
	}
	m.Rows = append(m.Rows, Host, Internet)
	n := len(ctrs)
	m.codes = make([]uint8, len(m.Rows)*n)

	// Where is each container's name registered, and which address answers?
	idx := make(map[*topology.Container]int, n)
	for i, c := range ctrs {
		idx[c] = i
	}
	reg := make([][]regEntry, n)
	lowerName := make([]string, n)
	for i, c := range ctrs {
		lowerName[i] = strings.ToLower(c.Name)
	}
	// Columns whose name the table path cannot judge: dotted names (R6-7
	// candidates), keywords, /etc/hosts names, addresses.
	slowCol := make([]bool, n)
	for j, l := range lowerName {
		_, err := netip.ParseAddr(l)
		slowCol[j] = err == nil || strings.IndexByte(l, '.') >= 0 || isKeyword(l) ||
			l == "localhost.localdomain" || l == "ip6-localhost"
	}
	byLower := make(map[string]int, n)
	for i := n - 1; i >= 0; i-- {
		byLower[lowerName[i]] = i
	}
	for id, table := range s.names {
		if table == nil {
			continue
		}
		for name, eps := range table {
			j, ok := byLower[name]
			if !ok {
				continue
			}
			var best *topology.Endpoint
			for _, e := range eps {
				if e.IPv4.IsValid() && (best == nil || e.IPv4.Less(best.IPv4)) {
					best = e
				}
			}
			if best != nil {
				reg[j] = append(reg[j], regEntry{id, best})
			}
		}
	}
	// Listener verdict per namespace owner for pp.
	lv := make(map[*topology.Container]Verdict)
	listen := func(o *topology.Container) Verdict {
		if pp.Port == 0 {
			return Delivered
		}
		if v, ok := lv[o]; ok {
			return v
		}
		v := Delivered
		if ok, known := s.listens(o, pp); !ok && known {
			v = Refused
		}
		lv[o] = v
		return v
	}

	var ids []int
	for i, src := range ctrs {
		progress(i, len(m.Rows))
		row := m.codes[i*n : (i+1)*n]
		mode, view := modeOf(src)
		if mode != nsBridge || !s.fastRow(view) || isKeyword(src.Name) || s.findContainer(src.Name) != src {
			for j := range ctrs {
				row[j] = uint8(s.reach(m.Query(i, j), nil))
			}
			continue
		}
		ids = ids[:0]
		for _, e := range view.Endpoints {
			ids = append(ids, s.netID[e.Network])
		}
		for j := range ctrs {
			if slowCol[j] || strings.EqualFold(view.Hostname, lowerName[j]) {
				row[j] = uint8(s.reach(m.Query(i, j), nil))
				continue
			}
			// R6-7: the first of the source's endpoints (gateway order)
			// whose network has the name answers.
			var ans *topology.Endpoint
			var on *topology.Network
		find:
			for k, id := range ids {
				if s.names[id] == nil {
					continue
				}
				for _, r := range reg[j] {
					if r.netID == id {
						ans, on = r.ans, view.Endpoints[k].Network
						break find
					}
				}
			}
			switch {
			case ans == nil:
				row[j] = uint8(NameNotResolved)
			case s.ownAddr(view, ans.IPv4):
				row[j] = uint8(listen(view))
			case !s.icc(on):
				row[j] = uint8(DroppedICC)
			default:
				o := owner(ans.Container)
				if o == nil {
					o = ans.Container
				}
				row[j] = uint8(listen(o))
			}
		}
	}
	for _, i := range []int{n, n + 1} {
		progress(i, len(m.Rows))
		row := m.codes[i*n : (i+1)*n]
		for j := range ctrs {
			row[j] = uint8(s.reach(m.Query(i, j), nil))
		}
	}
	progress(len(m.Rows), len(m.Rows))
	return m
}

// fastRow reports whether the matrix may use the table-driven path for a
// source namespace: embedded DNS, no links, no extra_hosts, and no two of
// its networks with overlapping subnets.
func (s *Sim) fastRow(view *topology.Container) bool {
	// A host firewall can decide same-bridge flows (R7-20): no shortcut.
	if len(view.Links) > 0 || len(view.ExtraHosts) > 0 || s.hasFirewall() {
		return false
	}
	embedded := false
	for i, e := range view.Endpoints {
		if !s.isBridge0(e.Network) {
			embedded = true
		}
		for _, f := range view.Endpoints[:i] {
			if e.Network.Subnet.Overlaps(f.Network.Subnet) {
				return false
			}
		}
		if !e.IPv4.IsValid() || s.ipOwner[e.IPv4] != e {
			return false
		}
	}
	return embedded
}

// String renders a compact summary, e.g. "matrix 80/tcp 4x6".
func (m *Matrix) String() string {
	return "matrix " + strconv.Itoa(int(m.Port)) + "/" + m.Protocol + " " + strconv.Itoa(len(m.Rows)) + "x" + strconv.Itoa(len(m.Cols))
}
