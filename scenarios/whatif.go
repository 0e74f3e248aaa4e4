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
	if len(t.Projects) > 1 && w.Kind != WhatIfDaemon {
		if w, err = qualify(t, w); err != nil {
			return nil, fmt.Errorf("%s: %w", w.Kind, err)
		}
	}
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
	// Compose registers the service name as an alias (R6-3): the bare
	// one, not composenet's project/service.
	name := w.Service
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	aliases := append([]string{name}, w.Aliases...)
	for _, c := range s.Containers {
		var err error
		if t, err = t.WithEndpoint(c.Name, w.Network, aliases...); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// qualify resolves a what-if's names on a host with several projects
// (topology.Merge names services project/service): a bare service name
// that one project has stands for that project's service, and a network
// is named by its engine name, as PROJECT/KEY (the project that created
// it, and its compose key), or by a bare key that one network has, or
// that one network of the service's own project has. Ambiguous names are
// errors listing the candidates.
func qualify(t *topology.Topology, w WhatIf) (WhatIf, error) {
	if t.Service(w.Service) == nil {
		var cands []string
		for _, s := range t.Services {
			if _, bare, ok := strings.Cut(s.Name, "/"); ok && bare == w.Service {
				cands = append(cands, s.Name)
			}
		}
		switch {
		case len(cands) == 1:
			w.Service = cands[0]
		case len(cands) > 1:
			return w, fmt.Errorf("service %q is ambiguous: several projects have a service of that name (%s); name one as project/service", w.Service, strings.Join(cands, ", "))
		}
	}
	if w.Network == "" {
		return w, nil
	}
	project, _, _ := strings.Cut(w.Service, "/")
	var byKey, own []*topology.Network
	for _, n := range t.Networks {
		switch {
		case n.Name == w.Network:
			return w, nil // the engine name
		case n.Project != "" && n.Project+"/"+n.Key == w.Network:
			w.Network = n.Name
			return w, nil
		case n.Key == w.Network:
			byKey = append(byKey, n)
			if n.Project == project {
				own = append(own, n)
			}
		}
	}
	switch {
	case len(byKey) == 1:
		w.Network = byKey[0].Name
	case len(own) == 1:
		w.Network = own[0].Name
	case len(byKey) > 1:
		var names []string
		for _, n := range byKey {
			names = append(names, n.Name)
		}
		return w, fmt.Errorf("network %q is ambiguous: several projects have a network of that key (%s); name it by its engine name or as project/key", w.Network, strings.Join(names, ", "))
	}
	return w, nil
}
