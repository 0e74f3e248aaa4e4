package topology

import "sort"

// SortEndpoints orders a container's endpoints as libnetwork does
// (R5-3): the first is the gateway endpoint.
func SortEndpoints(es []*Endpoint) {
	gws := func(n *Network) int {
		if n.Internal {
			return 0
		}
		if n.EnableIPv6 {
			return 2
		}
		return 1
	}
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.GwPriority != b.GwPriority {
			return a.GwPriority > b.GwPriority
		}
		if a.Network.Internal != b.Network.Internal {
			return !a.Network.Internal
		}
		if ga, gb := gws(a.Network), gws(b.Network); ga != gb {
			return ga > gb
		}
		return a.Network.Name < b.Network.Name
	})
}

// dedupe drops empty and repeated names, keeping the first of each.
func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if x == "" || seen[x] {
			continue
		}
		seen[x] = true
		out = append(out, x)
	}
	return out
}

// UnsupportedWarning is the warning for a firewall rule that uses matches
// or targets the model does not evaluate (r.Unsupported), as the host
// description's inline rules and ParseIptablesSave report it.
func UnsupportedWarning(r *FWRule) Warning { return unsupportedWarning(r) }

// CompareDockerRules compares the Docker chains of the host's pasted
// iptables-save with the ones the model predicts for t (R7-27); the
// loader adds its warnings to the topology's.
func CompareDockerRules(t *Topology) []Warning { return compareDockerRules(t) }
