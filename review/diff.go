package review

// Diff: what changed between two versions of a project, for pull-request
// review.
//
// Model (decisions where the rule book is silent):
//
//   - Containers are matched by engine name. Pairs that involve a container
//     only the new side has are listed (what the new service reaches and who
//     reaches it), except host -> it (R7-6: always); pairs that involve a
//     removed container are not (the container line says it is gone).
//   - Reachability is compared with sim.Matrix at IP level and, towards each
//     container, for every container port it publishes or declares in
//     x-composenet.listen on either side. A pair is gained when the new side delivers and
//     the old side did not (or lacked a container), lost in the reverse case;
//     changes between two blocking verdicts are not reported.
//   - DNS: every service name is looked up from every container present on
//     both sides; the answer sets are compared by answering container, not
//     by address (auto subnets shift when networks come and go), and every
//     answer without an address counts as the same empty set (NXDOMAIN,
//     SERVFAIL and NODATA all leave the caller without a peer).
//   - Exposure: entries (published bindings, host-network listeners, routed
//     addresses) are matched by their label; an entry whose internet/host
//     reach changed is listed as changed. The attack surface is compared by
//     service and depth.
//   - Lint findings are matched by code, service and message with file
//     positions removed, so moving lines does not make a finding new.

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// DiffReport lists what changed from Old to New. Every slice is sorted as
// its comment says; the JSON field names are a contract.
type DiffReport struct {
	Old DiffSide `json:"old"`
	New DiffSide `json:"new"`
	// Changed is true when any list below is non-empty.
	Changed bool `json:"changed"`
	// ProjectsAdded and ProjectsRemoved are the compose projects that only
	// the new, respectively the old side runs on the host (several
	// projects, topology.Merge), in that side's up order.
	ProjectsAdded   []string `json:"projects_added"`
	ProjectsRemoved []string `json:"projects_removed"`
	// ContainersAdded and ContainersRemoved are sorted names.
	ContainersAdded   []string `json:"containers_added"`
	ContainersRemoved []string `json:"containers_removed"`
	// Gained and Lost are reachability pairs, sorted by from, to, then port
	// (IP level first).
	Gained []PairChange `json:"gained"`
	Lost   []PairChange `json:"lost"`
	// DNS lists lookups whose answer changed, sorted by from, then name.
	DNS []DNSChange `json:"dns"`
	// Exposure lists entry changes (in the order of ExposureReport.Entries),
	// then surface changes (by service).
	Exposure []ExposureChange `json:"exposure"`
	// NewFindings and FixedFindings are lint findings present only on the
	// new, respectively the old side, in Lint's order.
	NewFindings   []Finding `json:"new_findings"`
	FixedFindings []Finding `json:"fixed_findings"`
	// Notes state what the comparison assumed.
	Notes []string `json:"notes"`
	// Services maps every container name of either side to its service
	// named project/service, when several projects share either side's
	// host (topology.Merge); the text report labels containers with it.
	Services map[string]string `json:"services,omitempty"`
}

// DiffSide identifies one side of a diff.
type DiffSide struct {
	Project string   `json:"project"`
	Files   []string `json:"files"`
	// Projects are the projects on the host in up order when several
	// share it (the last is Project); omitted for one.
	Projects []string `json:"projects,omitempty"`
}

// PairChange is one reachability pair that changed.
type PairChange struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Port is "ip" for IP-level traffic, else "PORT/PROTO" (a container
	// port; from the internet, the binding that publishes it).
	Port string `json:"port"`
	// Old and New are verdict codes, or "absent" when the side lacks the
	// source or the target.
	Old string `json:"old"`
	New string `json:"new"`
}

// Absent marks a side that lacks a container in PairChange and DNSChange.
const Absent = "absent"

// DNSChange is one lookup whose answer changed.
type DNSChange struct {
	From string `json:"from"`
	Name string `json:"name"`
	// Old and New describe the answer: the answering containers, or the
	// rcode when there is no answer. At least one side has an answer.
	Old string `json:"old"`
	New string `json:"new"`
}

// Exposure change kinds.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// ExposureChange is one entry point or attack-surface change.
type ExposureChange struct {
	// Change is ChangeAdded, ChangeRemoved or ChangeChanged.
	Change string `json:"change"`
	// What is "entry" or "surface".
	What  string `json:"what"`
	Label string `json:"label"`
	// Old and New describe who reaches the entry ("internet/LAN", "host
	// only", "nobody") or the surface depth; empty for the missing side.
	Old      string `json:"old,omitempty"`
	New      string `json:"new,omitempty"`
	Position string `json:"position,omitempty"`

	key string // sort key within What: the entry order, or the name
}

// Diff compares two topologies. The result is deterministic.
func Diff(oldT, newT *topology.Topology) *DiffReport {
	d := &DiffReport{
		Old:           DiffSide{Project: oldT.Project, Files: append([]string{}, oldT.Files...), Projects: hostProjects(oldT)},
		New:           DiffSide{Project: newT.Project, Files: append([]string{}, newT.Files...), Projects: hostProjects(newT)},
		ProjectsAdded: []string{}, ProjectsRemoved: []string{},
		ContainersAdded: []string{}, ContainersRemoved: []string{},
		Gained: []PairChange{}, Lost: []PairChange{}, DNS: []DNSChange{}, Exposure: []ExposureChange{},
		NewFindings: []Finding{}, FixedFindings: []Finding{}, Notes: []string{},
	}
	so, sn := sim.New(oldT), sim.New(newT)
	// A project the other side's host does not run is a change of its own
	// (its containers are listed too).
	oldP, newP := projectSet(oldT), projectSet(newT)
	for _, p := range projectList(newT) {
		if !oldP[p] {
			d.ProjectsAdded = append(d.ProjectsAdded, p)
		}
	}
	for _, p := range projectList(oldT) {
		if !newP[p] {
			d.ProjectsRemoved = append(d.ProjectsRemoved, p)
		}
	}
	oldC, newC := containerSet(oldT), containerSet(newT)
	if len(oldT.Projects) > 1 || len(newT.Projects) > 1 {
		d.Services = map[string]string{}
		for _, t := range []*topology.Topology{oldT, newT} {
			for _, c := range t.Containers {
				if c.Service != "" {
					d.Services[c.Name] = c.Service
				}
			}
		}
	}
	for n := range newC {
		if !oldC[n] {
			d.ContainersAdded = append(d.ContainersAdded, n)
		}
	}
	for n := range oldC {
		if !newC[n] {
			d.ContainersRemoved = append(d.ContainersRemoved, n)
		}
	}
	sort.Strings(d.ContainersAdded)
	sort.Strings(d.ContainersRemoved)

	d.diffReach(so, sn, oldC)
	d.diffDNS(oldT, newT, so, sn, oldC)
	d.diffExposure(Exposure(oldT), Exposure(newT))
	d.diffLint(Lint(oldT), Lint(newT))

	d.Changed = len(d.ProjectsAdded)+len(d.ProjectsRemoved)+len(d.ContainersAdded)+len(d.ContainersRemoved)+len(d.Gained)+len(d.Lost)+len(d.DNS)+len(d.Exposure)+len(d.NewFindings)+len(d.FixedFindings) > 0
	if oldT.Project != newT.Project && len(newT.Projects) < 2 && len(oldT.Projects) < 2 {
		d.Notes = append(d.Notes, fmt.Sprintf("the project names differ (%s, %s): containers are matched by name, so every container differs", oldT.Project, newT.Project))
	}
	return d
}

// hostProjects are t's projects in up order when several share the host.
func hostProjects(t *topology.Topology) []string {
	if len(t.Projects) < 2 {
		return nil
	}
	return projectList(t)
}

// projectList is every project of t in up order: its Projects, or its one
// project.
func projectList(t *topology.Topology) []string {
	if len(t.Projects) == 0 {
		return []string{t.Project}
	}
	out := make([]string, len(t.Projects))
	for i, p := range t.Projects {
		out[i] = p.Name
	}
	return out
}

func projectSet(t *topology.Topology) map[string]bool {
	m := map[string]bool{}
	for _, p := range projectList(t) {
		m[p] = true
	}
	return m
}

func containerSet(t *topology.Topology) map[string]bool {
	m := map[string]bool{}
	for _, c := range t.Containers {
		m[c.Name] = true
	}
	return m
}

// diffPorts is every container port either side publishes or listens on,
// and for each container name the ports it publishes or listens on, on
// either side.
func diffPorts(ts ...*topology.Topology) ([]topology.PortProto, map[string]map[topology.PortProto]bool) {
	seen := map[topology.PortProto]bool{}
	per := map[string]map[topology.PortProto]bool{}
	mark := func(c string, pp topology.PortProto) {
		seen[pp] = true
		if per[c] == nil {
			per[c] = map[topology.PortProto]bool{}
		}
		per[c][pp] = true
	}
	for _, t := range ts {
		for _, c := range t.Containers {
			for _, b := range c.Ports {
				mark(c.Name, topology.PortProto{Port: b.ContainerPort, Protocol: b.Protocol})
			}
			for _, l := range c.Listen {
				mark(c.Name, l)
			}
		}
	}
	out := make([]topology.PortProto, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Port != out[j].Port {
			return out[i].Port < out[j].Port
		}
		return out[i].Protocol < out[j].Protocol
	})
	return out, per
}

func index(names []string) map[string]int {
	m := make(map[string]int, len(names))
	for i, n := range names {
		m[n] = i
	}
	return m
}

func (d *DiffReport) diffReach(so, sn *sim.Sim, oldC map[string]bool) {
	all, per := diffPorts(so.Topology(), sn.Topology())
	ports := append([]topology.PortProto{{}}, all...)
	for _, pp := range ports {
		label := "ip"
		if pp.Port != 0 {
			label = pp.String()
		}
		om, nm := so.Matrix(pp.Port, pp.Protocol), sn.Matrix(pp.Port, pp.Protocol)
		oRow, oCol := index(om.Rows), index(om.Cols)
		for j, to := range nm.Cols {
			if pp.Port != 0 && !per[to][pp] {
				continue
			}
			oj, hadCol := oCol[to]
			for i, from := range nm.Rows {
				if from == to || from == sim.Host && !oldC[to] {
					continue
				}
				nv := nm.At(i, j)
				oi, hadRow := oRow[from]
				had := hadRow && hadCol
				var ov sim.Verdict
				if had {
					ov = om.At(oi, oj)
				}
				switch {
				case nv == sim.Delivered && (!had || ov != sim.Delivered):
					old := Absent
					if had {
						old = ov.String()
					}
					d.Gained = append(d.Gained, PairChange{From: from, To: to, Port: label, Old: old, New: nv.String()})
				case had && ov == sim.Delivered && nv != sim.Delivered:
					d.Lost = append(d.Lost, PairChange{From: from, To: to, Port: label, Old: ov.String(), New: nv.String()})
				}
			}
		}
	}
	sortPairs(d.Gained, ports)
	sortPairs(d.Lost, ports)
}

func sortPairs(ps []PairChange, ports []topology.PortProto) {
	rank := map[string]int{}
	for i, p := range ports {
		if p.Port == 0 {
			rank["ip"] = i
		} else {
			rank[p.String()] = i
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.From != b.From {
			return rowRank(a.From) < rowRank(b.From) || rowRank(a.From) == rowRank(b.From) && a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return rank[a.Port] < rank[b.Port]
	})
}

// rowRank orders containers first, then host, then internet (the matrix's
// row order).
func rowRank(from string) int {
	switch from {
	case sim.Host:
		return 1
	case sim.Internet:
		return 2
	}
	return 0
}

func (d *DiffReport) diffDNS(oldT, newT *topology.Topology, so, sn *sim.Sim, oldC map[string]bool) {
	// The names looked up are the services' DNS names: on a host with
	// several projects the bare service name (R6-3), not project/service.
	names := map[string]bool{}
	for _, t := range []*topology.Topology{oldT, newT} {
		for _, s := range t.Services {
			name := s.Name
			if i := strings.LastIndex(name, "/"); i >= 0 && len(t.Projects) > 1 {
				name = name[i+1:]
			}
			names[name] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, nc := range newT.Containers {
		if !oldC[nc.Name] {
			continue
		}
		oc := oldT.Container(nc.Name)
		if oc == nil {
			oc = so.Container(nc.Name)
		}
		for _, name := range sorted {
			oldR, newR := so.Resolve(oc, name), sn.Resolve(nc, name)
			if answerSet(oldR) != answerSet(newR) {
				d.DNS = append(d.DNS, DNSChange{From: nc.Name, Name: name, Old: describeAnswer(oldR), New: describeAnswer(newR)})
			}
		}
	}
}

// answerSet is the comparable form of a lookup: the answering containers
// (addresses for /etc/hosts entries) in answer order; empty without an
// answer, whatever the rcode.
func answerSet(r sim.DNSResult) string {
	if !r.Resolved() {
		return ""
	}
	return describeAnswer(r)
}

// describeAnswer shows a lookup: the answering containers (addresses for
// /etc/hosts entries) in answer order, or the rcode without answers.
func describeAnswer(r sim.DNSResult) string {
	if !r.Resolved() {
		if r.External {
			return "external"
		}
		if r.Rcode == sim.RcodeNoError {
			return "NODATA"
		}
		return r.Rcode
	}
	var out []string
	for _, a := range r.Answers {
		if a.Container != "" {
			out = append(out, a.Container)
		} else {
			out = append(out, a.IP.String())
		}
	}
	return strings.Join(out, " ")
}

// reachLabel says who reaches an entry.
func reachLabel(e Entry) string {
	switch {
	case e.Exposed():
		return "internet/LAN"
	case e.HostOnly():
		return "host only"
	}
	return "nobody (" + e.Internet.String() + ")"
}

func (d *DiffReport) diffExposure(o, n *ExposureReport) {
	oe, ne := map[string]Entry{}, map[string]Entry{}
	for _, e := range o.Entries {
		oe[e.Label()] = e
	}
	for _, e := range n.Entries {
		ne[e.Label()] = e
	}
	// Entries sort as ExposureReport.Entries do: host port, protocol,
	// host address, container.
	entryKey := func(e Entry) string {
		return fmt.Sprintf("%05d/%s/%s/%s", e.HostPort, e.Protocol, e.HostIP, e.Container)
	}
	var out []ExposureChange
	for l, e := range ne {
		old, had := oe[l]
		switch {
		case !had:
			out = append(out, ExposureChange{Change: ChangeAdded, What: "entry", Label: l, New: reachLabel(e), Position: e.Position, key: entryKey(e)})
		case reachLabel(old) != reachLabel(e):
			out = append(out, ExposureChange{Change: ChangeChanged, What: "entry", Label: l, Old: reachLabel(old), New: reachLabel(e), Position: e.Position, key: entryKey(e)})
		}
	}
	for l, e := range oe {
		if _, has := ne[l]; !has {
			out = append(out, ExposureChange{Change: ChangeRemoved, What: "entry", Label: l, Old: reachLabel(e), Position: e.Position, key: entryKey(e)})
		}
	}
	oldS, newS := map[string]SurfaceNode{}, map[string]SurfaceNode{}
	for _, s := range o.Surface {
		oldS[s.Name] = s
	}
	for _, s := range n.Surface {
		newS[s.Name] = s
	}
	depth := func(s SurfaceNode) string {
		return fmt.Sprintf("depth %d (%s)", s.Depth, strings.Join(s.Path, " -> "))
	}
	for name, s := range newS {
		old, had := oldS[name]
		switch {
		case !had:
			out = append(out, ExposureChange{Change: ChangeAdded, What: "surface", Label: name, New: depth(s), key: name})
		case old.Depth != s.Depth:
			out = append(out, ExposureChange{Change: ChangeChanged, What: "surface", Label: name, Old: depth(old), New: depth(s), key: name})
		}
	}
	for name, s := range oldS {
		if _, has := newS[name]; !has {
			out = append(out, ExposureChange{Change: ChangeRemoved, What: "surface", Label: name, Old: depth(s), key: name})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.What != b.What {
			return a.What < b.What
		}
		if a.key != b.key {
			return a.key < b.key
		}
		return a.Change < b.Change
	})
	d.Exposure = append(d.Exposure, out...)
}

var posRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\S+:\d+:\d+`) })

// findingKey matches findings across versions: code, service and message
// without file positions.
func findingKey(f Finding) string {
	return f.Code + "\x00" + f.Service + "\x00" + posRe().ReplaceAllString(f.Message, "")
}

func (d *DiffReport) diffLint(o, n []Finding) {
	count := map[string]int{}
	for _, f := range o {
		count[findingKey(f)]++
	}
	for _, f := range n {
		k := findingKey(f)
		if count[k] > 0 {
			count[k]--
			continue
		}
		d.NewFindings = append(d.NewFindings, f)
	}
	count = map[string]int{}
	for _, f := range n {
		count[findingKey(f)]++
	}
	for _, f := range o {
		k := findingKey(f)
		if count[k] > 0 {
			count[k]--
			continue
		}
		d.FixedFindings = append(d.FixedFindings, f)
	}
}
