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
	case WhatIfConnect:
		u, err = connect(t, w)
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

// connect models `docker network connect` for every replica of the
// service, registering the service name as an alias as Compose does for
// the networks it attaches (R6-3), plus the what-if's aliases.
func connect(t *topology.Topology, w WhatIf) (*topology.Topology, error) {
	s := t.Service(w.Service)
	if s == nil {
		return nil, fmt.Errorf("unknown service %q", w.Service)
	}
	if len(s.Containers) == 0 {
		return nil, fmt.Errorf("service %s has no running container (stopped by an earlier what-if?)", w.Service)
	}
	aliases := append([]string{w.Service}, w.Aliases...)
	for _, c := range s.Containers {
		var err error
		if t, err = t.WithEndpoint(c.Name, w.Network, aliases...); err != nil {
			return nil, err
		}
	}
	return t, nil
}
