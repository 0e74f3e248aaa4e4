package scenarios

import (
	"fmt"
	"strings"

	"github.com/composenet/composenet/topology"
)

// apply returns t with one what-if applied, as a new topology (the
// topology package's copy-on-write operations; t is not changed). Daemon
// settings that move addresses were given to the load instead (see
// Scenario.Topology) and are skipped here.
func apply(t *topology.Topology, w WhatIf) (*topology.Topology, error) {
	var (
		u   *topology.Topology
		err error
	)
	switch w.Kind {
	case WhatIfStop:
		u, err = t.Stopped(w.Service)
	case WhatIfDisconnect:
		u, err = t.Disconnected(w.Service, w.Network)
	case WhatIfDaemon:
		key, val := splitSetting(w.Setting)
		if topology.DaemonSettingNeedsReload(key) {
			return t, nil
		}
		u, err = t.WithDaemon(key, val)
	default:
		return nil, fmt.Errorf("unknown what-if %q", w.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.Kind, err)
	}
	return u, nil
}

func splitSetting(s string) (key, val string) {
	key, val, _ = strings.Cut(s, "=")
	return key, val
}
