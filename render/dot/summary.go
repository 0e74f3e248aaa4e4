package dot

import (
	"fmt"
	"sort"
	"strings"

	"github.com/composenet/composenet/topology"
)

// maxSummaryLinks caps the network links of a summary.
const maxSummaryLinks = 200

// sfdpNetworks is the network count above which the summary is laid out
// with sfdp instead of dot.
const sfdpNetworks = 40

// Summary returns the summarised picture of a large topology as DOT: the
// networks are the nodes (with their subnet, markers, member count and
// whether they have egress), the Docker host carries the published ports
// counted per network, and an undirected edge joins two networks that
// share containers, thicker the more they share (the count is in the
// tooltip). At most maxSummaryLinks links are drawn, the strongest first
// (ties by name), and the title says when some are left out. The layout
// engine is dot (layered, like the full picture) up to sfdpNetworks
// networks, and sfdp above, which places a few hundred nodes in about a
// second; the full dot picture of thousands of containers takes minutes.
// (sfdp's overlap removal fails in the WebAssembly Graphviz on very small
// graphs, such as one network under the host.)
func Summary(t *topology.Topology) string {
	var b strings.Builder
	nets := append([]*topology.Network{}, t.Networks...)
	if len(t.Bridge0.Endpoints) > 0 {
		nets = append(nets, t.Bridge0)
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	id := map[*topology.Network]string{}
	for i, n := range nets {
		id[n] = fmt.Sprintf("n%d", i)
	}
	fmt.Fprintf(&b, "digraph %s {\n", quote(t.Project+" (summary)"))
	// Networks that share containers.
	shared := map[[2]int]int{}
	index := map[*topology.Network]int{}
	for i, n := range nets {
		index[n] = i
	}
	for _, c := range t.Containers {
		es := c.Endpoints
		for i := 0; i < len(es); i++ {
			for j := i + 1; j < len(es); j++ {
				a, z := index[es[i].Network], index[es[j].Network]
				if a > z {
					a, z = z, a
				}
				shared[[2]int{a, z}]++
			}
		}
	}
	keys := make([][2]int, 0, len(shared))
	for k := range shared {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if shared[keys[i]] != shared[keys[j]] {
			return shared[keys[i]] > shared[keys[j]]
		}
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	title := fmt.Sprintf("%s · summary: %d networks, %d containers (networks as nodes, containers counted; links: networks sharing containers)", t.Project, len(nets), len(t.Containers))
	if len(keys) > maxSummaryLinks {
		title += fmt.Sprintf("; the %d strongest of %d links shown", maxSummaryLinks, len(keys))
		keys = keys[:maxSummaryLinks]
	}
	layout := "layout=dot, rankdir=TB, nodesep=0.4, ranksep=0.6"
	if len(nets) > sfdpNetworks {
		layout = "layout=sfdp, overlap=prism, splines=false"
	}
	fmt.Fprintf(&b, "  graph [%s, fontname=%q, fontsize=12, labelloc=t, labeljust=l, pad=0.3, label=%s];\n",
		layout, Font, quote(title))
	fmt.Fprintf(&b, "  node [fontname=%q, fontsize=11, color=%q, fontcolor=%q];\n  edge [fontname=%q, fontsize=9, color=%q, fontcolor=%q];\n", Font, colMuted, colInk, Font, colFaint, colMuted)
	b.WriteString("  internet [label=\"Internet / LAN\", shape=ellipse, style=filled, fillcolor=\"#eaeef2\"];\n")
	ports := map[*topology.Network]int{}
	total := 0
	for _, c := range t.Containers {
		for _, p := range c.Ports {
			if p.Endpoint != nil {
				ports[p.Endpoint.Network]++
				total++
			}
		}
	}
	hostAddr := ""
	if len(t.Host.Addresses) > 0 {
		hostAddr = t.Host.Addresses[0].String()
	}
	fmt.Fprintf(&b, "  host [label=%s, shape=box3d, style=filled, fillcolor=\"#f6f8fa\"];\n", quote(fmt.Sprintf("Docker host\n%s\n%s", hostAddr, plural(total, "published port"))))
	b.WriteString("  internet -> host [label=\"inbound to\\npublished ports\", color=\"" + colPort + "\", fontcolor=\"" + colPort + "\"];\n")
	for _, n := range nets {
		var marks []string
		if n.Internal {
			marks = append(marks, "INTERNAL")
		}
		if n.External {
			marks = append(marks, "EXTERNAL")
		}
		if !n.ICC {
			marks = append(marks, "ICC OFF")
		}
		members := map[string]bool{}
		for _, e := range n.Endpoints {
			members[e.Container.Name] = true
		}
		label := fmt.Sprintf("%s\n%s\n%s", n.Name, n.Subnet, plural(len(members), "container"))
		if !n.Internal && n.Masquerade {
			marks = append(marks, "egress")
		}
		if len(marks) > 0 {
			label += "\n" + strings.Join(marks, " · ")
		}
		style := "rounded,filled"
		if n.Internal {
			style = "rounded,filled,dashed"
		}
		fmt.Fprintf(&b, "  %s [label=%s, shape=box, style=%q, fillcolor=\"#ffffff\"];\n", id[n], quote(label), style)
		if p := ports[n]; p > 0 {
			fmt.Fprintf(&b, "  host -> %s [label=%s, color=%q, fontcolor=%q];\n", id[n], quote(fmt.Sprintf("%d published", p)), colPort, colPort)
		}
	}
	for _, k := range keys {
		w := shared[k]
		pen := 1.0
		for x := w; x > 1; x /= 2 {
			pen += 0.75
		}
		fmt.Fprintf(&b, "  n%d -> n%d [dir=none, penwidth=%.2f, tooltip=%s, color=%q];\n", k[0], k[1], pen, quote(fmt.Sprintf("%s and %s share %s", nets[k[0]].Name, nets[k[1]].Name, plural(w, "container"))), colShare)
	}
	b.WriteString("}\n")
	return b.String()
}

// plural writes "1 container", "2 containers".
func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
