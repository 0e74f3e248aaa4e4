package sim

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Class is a set of containers that the matrix cannot tell apart: every
// member reaches every container outside the class with the same verdict,
// is reached by every source with the same verdict, and reaches the other
// members with one verdict.
type Class struct {
	// Members are container names, in matrix (name) order.
	Members []string
	// Networks are the engine names of the networks of the members'
	// namespace in gateway order, or the network mode ("host", "none",
	// "service:…"/"container:…" shown as the namespace owner's networks).
	Networks []string
	// Self is the verdict of each member to itself.
	Self Verdict
}

// ClassMatrix is a Matrix folded into equivalence classes of containers.
// Row and column i are class i; rows len(Classes) and len(Classes)+1 are
// Host and Internet. Cell (A, B) is the verdict of any member of A to any
// member of B other than itself, so cell (A, A) of a one-member class is
// its Self verdict. Expanding every class into its members gives back the
// full matrix exactly (TestClassesExpandToMatrix).
//
// Containers are first grouped by what the decision procedure reads
// (Batfish's idea of computing on equivalence classes rather than on every
// header): their namespace's networks in gateway order, the network mode,
// for the matrix's port the published bindings (host address, family,
// ephemeral, network), whether the port is listened on and exposed, links,
// extra_hosts and DNS settings. Containers whose own name is special (it
// is someone's link target, extra_hosts name or alias, shares or lends a
// namespace, or is not a plain single label) start alone. The grouping is
// then checked against the computed matrix and split wherever two members
// differ; Splits counts those splits (zero when the grouping alone
// explains the matrix).
type ClassMatrix struct {
	Port     uint16
	Protocol string
	Classes  []Class
	// Of maps a container's matrix index to its class.
	Of     []int
	Splits int
	codes  []uint8
}

// At returns the verdict of class row i (or Host, Internet) to class
// column j.
func (cm *ClassMatrix) At(i, j int) Verdict {
	return Verdict(cm.codes[i*len(cm.Classes)+j])
}

// Classes folds m into equivalence classes of containers.
func (m *Matrix) Classes() *ClassMatrix {
	return m.classesFrom(m.signatureClasses())
}

// classesFrom refines the partition cls (class numbers by container
// index, numbered in order of first member) until every class pair has
// one verdict, then folds the matrix.
func (m *Matrix) classesFrom(cls []int) *ClassMatrix {
	n := len(m.Cols)
	at := func(i, j int) uint8 { return m.codes[i*n+j] }
	cm := &ClassMatrix{Port: m.Port, Protocol: m.Protocol}

	const unset, mixed = 254, 255
	for round := 0; ; round++ {
		k := 0
		for _, c := range cls {
			k = max(k, c+1)
		}
		if consistent(cls, k, n, at) {
			break
		}
		// rowv[a*k+B]: the verdict of a to every member of B but itself,
		// or mixed; colv likewise towards a.
		rowv := make([]uint8, n*k)
		colv := make([]uint8, n*k)
		for i := range rowv {
			rowv[i], colv[i] = unset, unset
		}
		for a := 0; a < n; a++ {
			for j := 0; j < n; j++ {
				if j == a {
					continue
				}
				x := a*k + cls[j]
				if v, cur := at(a, j), rowv[x]; cur == unset {
					rowv[x] = v
				} else if cur != v {
					rowv[x] = mixed
				}
				if v, cur := at(j, a), colv[x]; cur == unset {
					colv[x] = v
				} else if cur != v {
					colv[x] = mixed
				}
			}
		}
		// A member whose verdicts towards (or from) class B are mixed
		// witnesses that B must split by those verdicts.
		witness := make([]int, k)
		for b := range witness {
			witness[b] = -1
		}
		for a := 0; a < n && round < 64; a++ {
			for b := 0; b < k; b++ {
				if witness[b] < 0 && (rowv[a*k+b] == mixed || colv[a*k+b] == mixed) {
					witness[b] = a
				}
			}
		}
		keys := make(map[string]int, k)
		next := make([]int, n)
		var key []byte
		for a := 0; a < n; a++ {
			key = key[:0]
			key = strconv.AppendInt(key, int64(cls[a]), 10)
			key = append(key, ':', at(a, a), at(n, a), at(n+1, a))
			if round >= 64 {
				// Give up on the classes' summaries and compare whole rows
				// and columns: always consistent, possibly finer.
				for j := 0; j < n; j++ {
					key = append(key, at(a, j), at(j, a))
				}
			} else {
				key = append(key, rowv[a*k:(a+1)*k]...)
				key = append(key, colv[a*k:(a+1)*k]...)
				if w := witness[cls[a]]; w >= 0 {
					if w == a {
						key = append(key, unset, unset)
					} else {
						key = append(key, at(w, a), at(a, w))
					}
				}
			}
			id, ok := keys[string(key)]
			if !ok {
				id = len(keys)
				keys[string(key)] = id
			}
			next[a] = id
		}
		if len(keys) == k {
			break
		}
		cm.Splits += len(keys) - k
		cls = next
		if round >= 64 {
			break
		}
	}

	k := 0
	for _, c := range cls {
		k = max(k, c+1)
	}
	cm.Of = cls
	cm.Classes = make([]Class, k)
	first := make([]int, k)
	second := make([]int, k)
	for c := range first {
		first[c], second[c] = -1, -1
	}
	for a, c := range cls {
		cm.Classes[c].Members = append(cm.Classes[c].Members, m.Cols[a])
		switch {
		case first[c] < 0:
			first[c] = a
			cm.Classes[c].Self = Verdict(at(a, a))
			cm.Classes[c].Networks = namespaceNetworks(m.ctrs[a])
		case second[c] < 0:
			second[c] = a
		}
	}
	cm.codes = make([]uint8, (k+2)*k)
	for A := 0; A < k; A++ {
		for B := 0; B < k; B++ {
			a, b := first[A], first[B]
			if A == B {
				b = second[B]
			}
			if b < 0 {
				cm.codes[A*k+B] = at(a, a)
			} else {
				cm.codes[A*k+B] = at(a, b)
			}
		}
	}
	for B := 0; B < k; B++ {
		cm.codes[k*k+B] = at(n, first[B])
		cm.codes[(k+1)*k+B] = at(n+1, first[B])
	}
	return cm
}

// consistent reports whether the partition cls (k classes) folds the
// matrix exactly: one verdict per class pair (members other than
// themselves), per class from host and from internet, and per class to
// itself. It is the common case, checked in one pass over the cells.
func consistent(cls []int, k, n int, at func(i, j int) uint8) bool {
	const unset = 255
	ref := make([]uint8, k*k+3*k)
	for i := range ref {
		ref[i] = unset
	}
	check := func(x int, v uint8) bool {
		if ref[x] == unset {
			ref[x] = v
			return true
		}
		return ref[x] == v
	}
	for a := 0; a < n; a++ {
		ra := cls[a] * k
		for j := 0; j < n; j++ {
			if j != a && !check(ra+cls[j], at(a, j)) {
				return false
			}
		}
		if !check(k*k+cls[a], at(a, a)) || !check(k*k+k+cls[a], at(n, a)) || !check(k*k+2*k+cls[a], at(n+1, a)) {
			return false
		}
	}
	return true
}

// signatureClasses groups the matrix's containers by what the decision
// procedure reads of them (see ClassMatrix), numbering classes in order of
// their first member.
func (m *Matrix) signatureClasses() []int {
	pp := topology.PortProto{Port: m.Port, Protocol: m.Protocol}
	// Names that other containers' configuration mentions.
	special := map[string]bool{}
	for _, c := range m.ctrs {
		for _, l := range c.Links {
			special[strings.ToLower(l.Target)] = true
			special[strings.ToLower(l.Alias)] = true
		}
		for _, h := range c.ExtraHosts {
			special[strings.ToLower(h.Name)] = true
		}
		if c.NetNS != nil && c.NetNS != c {
			special[strings.ToLower(c.Name)] = true
			special[strings.ToLower(c.NetNS.Name)] = true
		}
		special[strings.ToLower(c.Hostname)] = true
		for _, e := range c.Endpoints {
			for _, a := range e.Aliases {
				special[strings.ToLower(a)] = true
			}
			for _, d := range e.DNSNames {
				if !strings.EqualFold(d, c.Name) {
					special[strings.ToLower(d)] = true
				}
			}
		}
	}
	// A service name is registered by every replica; a name equal to
	// another container's service is special too.
	svcCount := map[string]int{}
	for _, c := range m.ctrs {
		if c.Service != "" {
			svcCount[strings.ToLower(c.Service)]++
		}
	}
	keys := map[string]int{}
	out := make([]int, len(m.ctrs))
	var b strings.Builder
	for i, c := range m.ctrs {
		b.Reset()
		lower := strings.ToLower(c.Name)
		_, addrErr := netip.ParseAddr(lower)
		if special[lower] || svcCount[lower] > 0 && !strings.EqualFold(c.Service, c.Name) ||
			addrErr == nil || strings.IndexByte(lower, '.') >= 0 || isKeyword(lower) {
			// Its name is answered differently from other containers'.
			b.WriteString("alone:" + c.Name + "|")
		}
		mode, view := modeOf(c)
		b.WriteString(strconv.Itoa(int(mode)))
		b.WriteString("|" + c.NetworkMode + "|" + strconv.FormatBool(c.Declared) + "|" + c.Project)
		if view != nil {
			for _, e := range view.Endpoints {
				b.WriteString("|n:" + e.Network.Name)
			}
			for _, l := range view.Links {
				b.WriteString("|l:" + l.Alias + ">" + l.Target)
			}
			for _, h := range view.ExtraHosts {
				b.WriteString("|h:" + h.Name + "=" + h.IP.String() + strconv.FormatBool(h.HostGateway))
			}
			b.WriteString("|d:" + strings.Join(view.DNS, ",") + "|o:" + strings.Join(view.DNSOptions, ",") + strconv.FormatBool(view.NdotsSet))
		}
		if pp.Port != 0 {
			for _, p := range c.Ports {
				if p.ContainerPort != pp.Port || proto(p.Protocol) != pp.Protocol {
					continue
				}
				net := ""
				if p.Endpoint != nil {
					net = p.Endpoint.Network.Name
				}
				b.WriteString("|p:" + p.HostIP.String() + strconv.FormatBool(p.Family4Only) + strconv.FormatBool(p.Ephemeral) + net)
			}
			b.WriteString("|L:" + strconv.FormatBool(c.ListenKnown) + strconv.FormatBool(hasPort(c.Listen, pp)))
			b.WriteString("|E:" + strconv.FormatBool(hasPort(c.Expose, pp)))
		}
		id, ok := keys[b.String()]
		if !ok {
			id = len(keys)
			keys[b.String()] = id
		}
		out[i] = id
	}
	return out
}

// namespaceNetworks names the networks of c's namespace in gateway order,
// or its network mode when it has none of its own.
func namespaceNetworks(c *topology.Container) []string {
	mode, view := modeOf(c)
	switch mode {
	case nsHost:
		return []string{"host"}
	case nsNone:
		return []string{"none"}
	}
	out := make([]string, 0, len(view.Endpoints))
	for _, e := range view.Endpoints {
		out = append(out, e.Network.Name)
	}
	return slices.Clip(out)
}
