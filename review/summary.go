package review

import (
	"fmt"

	"github.com/composenet/composenet/topology"
)

// OneNetworkSummary returns a one-line summary when every container of the
// project sits on the same single user-defined network with inter-container
// traffic allowed (R7-1): then all pairs reach each other on their listening
// ports, and a matrix or diagram adds nothing beyond that. It returns ""
// otherwise (several networks, a container on two, network_mode, icc off,
// declared host containers).
func OneNetworkSummary(t *topology.Topology) string {
	var net *topology.Network
	n := 0
	for _, c := range t.Containers {
		if c.Declared || c.NetworkMode != "" || len(c.Endpoints) != 1 {
			return ""
		}
		e := c.Endpoints[0]
		if net == nil {
			net = e.Network
		}
		if e.Network != net {
			return ""
		}
		n++
	}
	if net == nil || n < 2 || !net.ICC || net == t.Bridge0 {
		return ""
	}
	return fmt.Sprintf("%d containers on one network (%s): all pairs reach each other on their listening ports", n, net.Name)
}
