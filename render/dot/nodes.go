package dot

import (
	"fmt"
	"slices"
	"strings"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/topology"
)

// Nodes and their labels: published ports, network grids, containers.

// portsByContainer returns the drawn published ports of each container, in
// the view's port order.
func portsByContainer(v *render.View) map[*render.ContainerView][]render.PortView {
	m := map[*render.ContainerView][]render.PortView{}
	for _, p := range v.Ports {
		m[p.C] = append(m[p.C], p)
	}
	return m
}

func portEdgeAttrs(ps []render.PortView) string {
	style := ", style=dotted"
	for _, p := range ps {
		if !p.Loopback() {
			style = ""
		}
	}
	return fmt.Sprintf("color=%s, fontcolor=%s, penwidth=1.4%s", quote(colPort), quote(colPort), style)
}

// maxPortRows caps the port rows in a container's box; the last row then
// counts the rest (inspect lists them all).
const maxPortRows = 6

// portRows formats a container's published ports for its box, one row per
// binding, "0.0.0.0:8080 → 80/tcp", with runs of consecutive ports (same
// address and protocol, host and container ports both counting up) folded
// into one row: "0.0.0.0:20000-20050 → 20000-20050/udp".
func portRows(ps []render.PortView) []string {
	type run struct {
		p     render.PortView
		count int
	}
	var runs []run
	for _, p := range ps {
		if k := len(runs) - 1; k >= 0 {
			r := &runs[k]
			if r.p.B.HostIP == p.B.HostIP && r.p.B.Protocol == p.B.Protocol && !p.B.Ephemeral && !r.p.B.Ephemeral &&
				int(p.B.HostPort) == int(r.p.B.HostPort)+r.count && int(p.B.ContainerPort) == int(r.p.B.ContainerPort)+r.count {
				r.count++
				continue
			}
		}
		runs = append(runs, run{p, 1})
	}
	var out []string
	for i, r := range runs {
		if i == maxPortRows-1 && len(runs) > maxPortRows {
			out = append(out, fmt.Sprintf("… %d more (composenet inspect)", len(runs)-i))
			break
		}
		host, ctr := r.p.HostSide(), fmt.Sprint(r.p.B.ContainerPort)
		if r.count > 1 {
			host += fmt.Sprintf("-%d", int(r.p.B.HostPort)+r.count-1)
			ctr += fmt.Sprintf("-%d", int(r.p.B.ContainerPort)+r.count-1)
		}
		row := host + " → " + ctr + "/" + r.p.B.Protocol
		if r.p.B.Ephemeral {
			row += " (ephemeral)"
		}
		out = append(out, row)
	}
	return out
}

// endpointLabel is the text of a container's place on a network: its
// address and its network aliases (R6-3).
func endpointLabel(m render.Member) string {
	s := m.Addr.String()
	if e := endpointOf(m); e != nil && len(e.Aliases) > 0 {
		s += "\nalias " + strings.Join(e.Aliases, ", ")
	}
	return s
}

// endpointOf finds the model endpoint of a member.
func endpointOf(m render.Member) *topology.Endpoint {
	for _, e := range m.C.C.Endpoints {
		if e.IPv4 == m.Addr {
			return e
		}
	}
	return nil
}

// legendBelowMax is the container count above which the legend is left
// where Graphviz puts it instead of below the drawing.
const legendBelowMax = 80

// Grid layout of a large network group: the containers that live only in
// it are placed in rows of at most gridCols (published ones first), below
// the bridge, instead of one rank as wide as the project.
const (
	gridFrom = 4 // home containers from which a group is a grid
	gridCols = 8 // at most this many containers per row
)

// gridRows returns the rows of n's grid, or nil when n is drawn as a star
// around its bridge. Rows are balanced: 57 containers make one row of 8
// and seven of 7.
func gridRows(n *render.NetView) [][]*render.ContainerView {
	if len(n.Home) < gridFrom {
		return nil
	}
	cs := slices.Clone(n.Home)
	slices.SortStableFunc(cs, func(a, b *render.ContainerView) int {
		switch {
		case a.Published == b.Published:
			return 0
		case a.Published:
			return -1
		default:
			return 1
		}
	})
	cols := 3
	for cols < gridCols && 2*cols*cols < 3*len(cs) {
		cols++
	}
	nrows := (len(cs) + cols - 1) / cols
	var rows [][]*render.ContainerView
	for i := range nrows {
		k := len(cs) / (nrows - i)
		if len(cs)%(nrows-i) != 0 {
			k++
		}
		rows = append(rows, cs[:k])
		cs = cs[k:]
	}
	return rows
}

// writeGrid writes the invisible scaffolding of a grid: one rank per row
// kept in order by flat edges, each row under the one above, the first
// under the bridge.
func writeGrid(p func(string, ...any), n *render.NetView, rows [][]*render.ContainerView) {
	for i, row := range rows {
		ids := make([]string, len(row))
		for j, c := range row {
			ids[j] = c.ID
		}
		p("    { rank=same; %s; }\n", strings.Join(ids, "; "))
		if len(ids) > 1 {
			p("    %s [style=invis];\n", strings.Join(ids, " -> "))
		}
		for j, c := range row {
			switch {
			case i == 0:
				p("    %s -> %s [style=invis];\n", n.GatewayID(), c.ID)
			case j < len(rows[i-1]):
				p("    %s -> %s [style=invis];\n", rows[i-1][j].ID, c.ID)
			}
		}
	}
}

func netLabel(n *render.NetView, st netStyle) string {
	s := `<b>` + html(n.Name()) + `</b>`
	var sub []string
	if n.Net.Subnet.IsValid() {
		sub = append(sub, n.Net.Subnet.String())
	}
	if n.Net.Bridge != "" {
		sub = append(sub, n.Net.Bridge)
	}
	if len(sub) > 0 {
		s += `<br/><font point-size="10" color="` + st.text + `">` + html(strings.Join(sub, " · ")) + `</font>`
	}
	if m := n.Markers(); len(m) > 0 {
		s += `<br/><font point-size="9" color="` + colBlocked + `"><b>` + html(strings.ToUpper(strings.Join(m, " · "))) + `</b></font>`
	} else if !n.Egress {
		s += `<br/><font point-size="9" color="` + colMuted + `">no egress</font>`
	}
	return s
}

// containerNode is a container's box: its title (service name, and the
// engine name when it differs), image, network_mode, its address and
// aliases on the network whose group it sits in, and its published ports.
func containerNode(c *render.ContainerView, st netStyle, ports []render.PortView, extra string) string {
	title := c.Title("\x00")
	lbl := "<b>" + html(title) + "</b>"
	if svc, name, ok := strings.Cut(title, "\x00"); ok {
		lbl = "<b>" + html(svc) + `</b><font color="` + colMuted + `">&#160;· ` + html(name) + "</font>"
	}
	small := func(color, text string) {
		lbl += `<br/><font point-size="9" color="` + color + `">` + html(text) + `</font>`
	}
	if c.Image != "" {
		small(colMuted, c.Image)
	}
	if m := c.Mode(); m != "" {
		small(colShare, m)
		if c.C.NetworkMode == "none" {
			small(colShare, "loopback only")
		}
	}
	if c.Home != nil {
		for i, n := range c.NetNet {
			if n == c.Home {
				for _, line := range strings.Split(endpointLabel(c.Nets[i]), "\n") {
					small(st.text, line)
				}
			}
		}
	}
	for _, row := range portRows(ports) {
		small(colPort, row)
	}
	return fmt.Sprintf("%s [id=%s, class=\"container\", label=<%s>%s];", c.ID, quote("ctr-"+render.Sanitize(c.Name())), lbl, reachAttrs(c.Reach)+extra)
}

func reachAttrs(r render.ReachState) string {
	switch r {
	case render.ReachSource:
		return fmt.Sprintf(", fillcolor=%s, color=%s, penwidth=2.5", quote(fillReachSrc), quote(colReachSrc))
	case render.ReachYes:
		return fmt.Sprintf(", fillcolor=%s, color=%s, penwidth=2", quote(fillReachYes), quote(colReachYes))
	case render.ReachNo:
		return fmt.Sprintf(", fillcolor=%s, color=%s, penwidth=2", quote(fillReachNo), quote(colReachNo))
	}
	return ""
}

// overlayNodeAttrs marks the nodes where blocked flows end.
func overlayNodeAttrs(v *render.View) map[string]string {
	m := map[string]string{}
	for _, f := range v.Flows {
		if f.BlockedID != "" && m[f.BlockedID] == "" {
			m[f.BlockedID] = fmt.Sprintf(", color=%s, penwidth=3, peripheries=2", quote(colBlocked))
		}
	}
	return m
}

// legendTies returns the nodes the legend is tied below: the lowest node
// of each network's group and what hangs below no bridge. Every other node
// lies above one of these, so the legend needs no edge from it, and each
// invisible edge is a chain of virtual nodes that Graphviz orders in every
// rank it crosses (tying every container, as before, made the layout of 50
// generated services a third slower). By the layering of String:
//   - a grid's rows hang under its bridge, the last row lowest: its first
//     container stands for the row (the row is one rank);
//   - in a star, a container without published ports hangs under the
//     bridge; published ones sit above it, so without the former the
//     bridge itself is lowest;
//   - a container on several networks sits above the bridge of its
//     deepest network (ContainerView.Above), which is tied as above;
//   - a container on no network (network_mode host or service:) has no
//     bridge to hang under and is tied itself;
//   - a route's backend is ranked below its proxy, possibly below its own
//     group's other members, and is tied itself.
func legendTies(v *render.View) []string {
	var ids []string
	seen := map[string]bool{}
	tie := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	routed := map[string]bool{}
	for _, r := range v.Routes {
		routed[r.ToID] = true
	}
	for _, c := range v.Containers {
		switch {
		case len(c.Nets) == 0, routed[c.ID]:
			tie(c.ID)
		case c.Home != nil:
			if rows := gridRows(c.Home); rows != nil {
				if last := rows[len(rows)-1]; last[0] == c {
					tie(c.ID)
				}
			} else if !c.Published {
				tie(c.ID)
			}
		}
	}
	for _, n := range v.Networks {
		low := gridRows(n) != nil
		for _, c := range n.Home {
			low = low || !c.Published
		}
		if !low {
			tie(n.GatewayID())
		}
	}
	return ids
}

// mincrossFullMax is the container count above which Graphviz bounds its
// two iterative phases: crossing reduction (mincross) runs fewer passes,
// mclimit=0.2 scaling its iteration limits (24 passes without
// improvement, 8 tries) by a fifth, and the network simplex that places
// nodes left to right stops after a fifth as many iterations
// (nslimit=0.2). Mincross is most of dot's time on large pictures and
// grows faster than the picture: at 500 generated services (595
// containers) it took two-thirds of the helper's CPU (2.0 s); with both
// limits the helper takes about 0.7 s. The cost is crossings: Graphviz's
// count goes from 86,291 to 189,208 on that picture, a strip tens of
// thousands of pixels wide that no one reads edge by edge; its width
// stays within 1%. Pictures up to mincrossFullMax containers (every real
// project of make svgcheck) keep the full search.
const mincrossFullMax = 150

// mincrossAttrs returns the graph attributes that bound mincross and
// positioning for a picture of n containers (with a leading ", "), or "".
func mincrossAttrs(n int) string {
	if n <= mincrossFullMax {
		return ""
	}
	return ", mclimit=0.2, nslimit=0.2"
}
