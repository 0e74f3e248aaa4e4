package answers

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/topology"
)

// WriteInspect writes the topology for people (composenet inspect): each
// network with its subnet, gateway, flags and members, then each container
// with its endpoints, aliases, DNS names, published ports, links,
// /etc/hosts entries and listeners. Warnings are counted, not listed: the
// caller prints them.
func WriteInspect(w io.Writer, t *topology.Topology) error {
	if len(t.Projects) > 0 {
		names := make([]string, len(t.Projects))
		for i, p := range t.Projects {
			names[i] = p.Name
		}
		fmt.Fprintf(w, "projects %s  (in up order; services are named project/service)\n", strings.Join(names, ", "))
	} else {
		fmt.Fprintf(w, "project %s  (%s)\n", t.Project, termsafe.Escape(strings.Join(t.Files, ", ")))
	}
	d := t.Daemon
	fmt.Fprintf(w, "daemon  engine=%s userland-proxy=%t icc=%t ip-masq=%t bip=%s\n", d.Engine, d.UserlandProxy, d.ICC, d.IPMasq, d.Bridge0)
	fmt.Fprintf(w, "\nNETWORKS\n")
	nets := append([]*topology.Network{}, t.Networks...)
	if len(t.Bridge0.Endpoints) > 0 {
		nets = append(nets, t.Bridge0)
	}
	for _, n := range nets {
		var flags []string
		if n.Internal {
			flags = append(flags, "internal")
		}
		if n.External {
			flags = append(flags, "external")
		}
		if !n.ICC {
			flags = append(flags, "icc off")
		}
		if !n.Masquerade && !n.Internal {
			flags = append(flags, "no masquerade")
		}
		if n.EnableIPv6 {
			flags = append(flags, "ipv6")
		}
		if !n.SubnetConfigured {
			flags = append(flags, "auto subnet")
		}
		key := n.Key
		if key == "" {
			key = "-"
		}
		owner := ""
		if n.Project != "" {
			owner = ", created by project " + n.Project // Merge: the creator (R2-4)
		}
		fmt.Fprintf(w, "  %s  (key %s, %s%s)\n", n.Name, key, n.Bridge, owner)
		fmt.Fprintf(w, "    subnet %s  gateway %s", n.Subnet, n.Gateway)
		if n.IPRange.IsValid() {
			fmt.Fprintf(w, "  ip_range %s", n.IPRange)
		}
		if len(flags) > 0 {
			fmt.Fprintf(w, "  [%s]", strings.Join(flags, ", "))
		}
		fmt.Fprintln(w)
		if n.Subnet6.IsValid() {
			fmt.Fprintf(w, "    subnet %s  gateway %s\n", n.Subnet6, n.Gateway6)
		}
		for _, ep := range n.Endpoints {
			static := ""
			if ep.Static {
				static = " (static)"
			}
			v6 := ""
			if ep.IPv6.IsValid() {
				v6 = "  " + ep.IPv6.String()
			}
			fmt.Fprintf(w, "    %-15s %s%s%s\n", ep.IPv4, ep.Container.Name, static, v6)
		}
	}
	fmt.Fprintf(w, "\nCONTAINERS\n")
	group := ""
	for _, c := range byProject(t) {
		if len(t.Projects) > 0 && c.Project != group && !c.Declared {
			group = c.Project
			fmt.Fprintf(w, "  project %s  (%s)\n", group, termsafe.Escape(strings.Join(projectFiles(t, group), ", ")))
		}
		label := c.Service
		if c.Declared {
			label = "declared on the host"
		}
		fmt.Fprintf(w, "  %s  (%s)\n", c.Name, label)
		switch {
		case c.NetworkMode == "host":
			fmt.Fprintf(w, "    network_mode host: uses the host's network stack\n")
		case c.NetworkMode == "none":
			fmt.Fprintf(w, "    network_mode none: loopback only\n")
		case c.NetNS != nil && c.NetNS != c:
			fmt.Fprintf(w, "    %s: shares the network namespace of %s\n", c.NetworkMode, c.NetNS.Name)
		case c.NetNS == nil:
			fmt.Fprintf(w, "    %s: namespace owner unknown; no network access modelled\n", c.NetworkMode)
		}
		gw := c.GatewayEndpoint()
		for _, ep := range c.Endpoints {
			mark := ""
			if ep == gw {
				mark = "  (default route)"
			}
			addr := ep.IPv4.String()
			if ep.IPv6.IsValid() {
				addr += " " + ep.IPv6.String()
			}
			fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("    %-20s %-15s%s", ep.Network.Name, addr, mark), " "))
			if len(ep.Aliases) > 0 {
				fmt.Fprintf(w, "      aliases: %s\n", strings.Join(ep.Aliases, ", "))
			}
			if len(ep.DNSNames) > 0 {
				fmt.Fprintf(w, "      dns names: %s\n", strings.Join(ep.DNSNames, ", "))
			}
		}
		for _, p := range c.Ports {
			eph := ""
			if p.Ephemeral {
				eph = " (ephemeral)"
			}
			fmt.Fprintf(w, "    publishes %s%s\n", topology.FormatBinding(p), eph)
		}
		if len(c.Links) > 0 {
			var ls []string
			for _, l := range c.Links {
				ls = append(ls, l.Alias+"->"+l.Target)
			}
			fmt.Fprintf(w, "    links: %s\n", strings.Join(ls, ", "))
		}
		for _, h := range c.ExtraHosts {
			fmt.Fprintf(w, "    /etc/hosts: %s %s\n", h.IP, h.Name)
		}
		if c.ListenKnown {
			var ls []string
			for _, l := range c.Listen {
				ls = append(ls, l.String())
			}
			fmt.Fprintf(w, "    listens on: %s\n", strings.Join(ls, ", "))
		}
	}
	if len(t.Warnings) > 0 {
		fmt.Fprintf(w, "\n%d warning(s) and note(s) on stderr\n", len(t.Warnings))
	}
	return nil
}

// byProject returns the containers grouped by project when several
// projects share the host: the host description's containers first, then
// each project in up order, by name within a group. One project: as they
// are (by name).
func byProject(t *topology.Topology) []*topology.Container {
	if len(t.Projects) == 0 {
		return t.Containers
	}
	rank := map[string]int{}
	for i, p := range t.Projects {
		rank[p.Name] = i + 1
	}
	out := append([]*topology.Container(nil), t.Containers...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := 0, 0
		if !out[i].Declared {
			a = rank[out[i].Project]
		}
		if !out[j].Declared {
			b = rank[out[j].Project]
		}
		return a < b
	})
	return out
}

func projectFiles(t *topology.Topology, name string) []string {
	for _, p := range t.Projects {
		if p.Name == name {
			return p.Files
		}
	}
	return nil
}
