package scenarios

import (
	"fmt"
	"slices"

	"github.com/composenet/composenet/topology"
)

// clone deep-copies the networks, containers, endpoints and services of t
// so that what-ifs can change the copy. The copy's lookup methods
// (Topology.Service and friends) keep answering from the original; sim only
// uses the exported slices, and so does this package.
func clone(t *topology.Topology) *topology.Topology {
	c := *t
	nets := map[*topology.Network]*topology.Network{}
	cn := func(n *topology.Network) *topology.Network {
		if n == nil {
			return nil
		}
		if m, ok := nets[n]; ok {
			return m
		}
		m := *n
		nets[n] = &m
		return &m
	}
	c.Bridge0 = cn(t.Bridge0)
	c.Networks = make([]*topology.Network, len(t.Networks))
	for i, n := range t.Networks {
		c.Networks[i] = cn(n)
	}
	ctrs := map[*topology.Container]*topology.Container{}
	for _, x := range t.Containers {
		y := *x
		ctrs[x] = &y
	}
	eps := map[*topology.Endpoint]*topology.Endpoint{}
	c.Containers = make([]*topology.Container, len(t.Containers))
	for i, x := range t.Containers {
		y := ctrs[x]
		if x.NetNS != nil {
			y.NetNS = ctrs[x.NetNS]
		}
		y.Endpoints = make([]*topology.Endpoint, len(x.Endpoints))
		for j, e := range x.Endpoints {
			f := *e
			f.Container, f.Network = y, cn(e.Network)
			eps[e] = &f
			y.Endpoints[j] = &f
		}
		y.Ports = slices.Clone(x.Ports)
		c.Containers[i] = y
	}
	for _, y := range c.Containers {
		for j := range y.Ports {
			if e := eps[y.Ports[j].Endpoint]; e != nil {
				y.Ports[j].Endpoint = e
			}
		}
	}
	for old, n := range nets {
		n.Endpoints = make([]*topology.Endpoint, 0, len(old.Endpoints))
		for _, e := range old.Endpoints {
			if f := eps[e]; f != nil {
				n.Endpoints = append(n.Endpoints, f)
			}
		}
	}
	c.Services = make([]*topology.Service, len(t.Services))
	for i, s := range t.Services {
		u := *s
		u.Containers = make([]*topology.Container, len(s.Containers))
		for j, x := range s.Containers {
			u.Containers[j] = ctrs[x]
		}
		c.Services[i] = &u
	}
	return &c
}

func findService(t *topology.Topology, name string) *topology.Service {
	for _, s := range t.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func serviceNames(t *topology.Topology) []string {
	var out []string
	for _, s := range t.Services {
		out = append(out, s.Name)
	}
	return out
}

// stop models `docker compose stop SERVICE`: its containers leave every
// network (their DNS names are unregistered, R6-3) and their published
// ports are gone. Stopping a container whose namespace others share
// (network_mode: service:/container:) is rejected: what happens to the
// sharers is not modelled.
func stop(t *topology.Topology, svc string) error {
	s := findService(t, svc)
	if s == nil {
		return fmt.Errorf("stop: unknown service %q (services: %v)", svc, serviceNames(t))
	}
	gone := map[*topology.Container]bool{}
	for _, c := range s.Containers {
		gone[c] = true
	}
	for _, c := range t.Containers {
		if !gone[c] && c.NetNS != nil && gone[c.NetNS] {
			return fmt.Errorf("stop: %s shares the network namespace of %s (network_mode %s); composenet does not model what a stopped namespace provider leaves behind", c.Name, c.NetNS.Name, c.NetworkMode)
		}
	}
	t.Containers = slices.DeleteFunc(t.Containers, func(c *topology.Container) bool { return gone[c] })
	for _, n := range append([]*topology.Network{t.Bridge0}, t.Networks...) {
		if n == nil {
			continue
		}
		n.Endpoints = slices.DeleteFunc(n.Endpoints, func(e *topology.Endpoint) bool { return gone[e.Container] })
	}
	s.Containers = nil
	return nil
}

// disconnect models `docker network disconnect NETWORK CONTAINER` for every
// replica of svc. It is rejected when the endpoint carries published ports
// (R8-7 would move them to another endpoint; composenet does not re-derive
// that) or when the service does not join the network.
func disconnect(t *topology.Topology, svc, netKey string) error {
	s := findService(t, svc)
	if s == nil {
		return fmt.Errorf("disconnect: unknown service %q (services: %v)", svc, serviceNames(t))
	}
	var net *topology.Network
	for _, n := range t.Networks {
		if n.Key == netKey || n.Name == netKey {
			net = n
		}
	}
	if net == nil {
		return fmt.Errorf("disconnect: unknown network %q", netKey)
	}
	joined := false
	for _, c := range s.Containers {
		e := c.Endpoint(net)
		if e == nil {
			continue
		}
		joined = true
		for _, p := range c.Ports {
			if p.Endpoint == e {
				return fmt.Errorf("disconnect: %s publishes ports through its endpoint on %s (R8-7); disconnecting would move them, which composenet does not model", c.Name, netKey)
			}
		}
		c.Endpoints = slices.DeleteFunc(c.Endpoints, func(x *topology.Endpoint) bool { return x == e })
		net.Endpoints = slices.DeleteFunc(net.Endpoints, func(x *topology.Endpoint) bool { return x == e })
	}
	if !joined {
		return fmt.Errorf("disconnect: service %s does not join network %s", svc, netKey)
	}
	return nil
}
