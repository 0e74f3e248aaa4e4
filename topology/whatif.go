package topology

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/composenet/composenet/topology/internal/ipam"
)

// Copy-on-write operations. A loaded Topology never changes; each
// operation below returns a new, consistent Topology (every pointer inside
// it points into the copy, the lookup indexes are rebuilt) and leaves the
// receiver untouched. Slices of plain values (aliases, extra_hosts, ...) are
// shared between the copies: neither side ever writes to them.
//
// Warnings are those of the loaded project; an operation does not re-derive
// them.

// clone deep-copies the networks, containers, endpoints, port bindings and
// services of t and rebuilds the indexes.
func (t *Topology) clone() *Topology {
	c := *t
	nets := make(map[*Network]*Network, len(t.Networks)+1)
	cn := func(n *Network) *Network {
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
	c.Networks = make([]*Network, len(t.Networks))
	for i, n := range t.Networks {
		c.Networks[i] = cn(n)
	}
	ctrs := make(map[*Container]*Container, len(t.Containers))
	for _, x := range t.Containers {
		y := *x
		ctrs[x] = &y
	}
	eps := map[*Endpoint]*Endpoint{}
	c.Containers = make([]*Container, len(t.Containers))
	for i, x := range t.Containers {
		y := ctrs[x]
		if x.NetNS != nil {
			y.NetNS = ctrs[x.NetNS]
		}
		y.Endpoints = make([]*Endpoint, len(x.Endpoints))
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
		n.Endpoints = make([]*Endpoint, 0, len(old.Endpoints))
		for _, e := range old.Endpoints {
			if f := eps[e]; f != nil {
				n.Endpoints = append(n.Endpoints, f)
			}
		}
	}
	c.Services = make([]*Service, len(t.Services))
	for i, s := range t.Services {
		u := *s
		u.Containers = make([]*Container, len(s.Containers))
		for j, x := range s.Containers {
			u.Containers[j] = ctrs[x]
		}
		c.Services[i] = &u
	}
	c.Reindex()
	return &c
}

// serviceNames lists the enabled services, for error messages.
func (t *Topology) serviceNames() string {
	names := make([]string, len(t.Services))
	for i, s := range t.Services {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

// service looks a service up through the index, falling back to the slice
// for topologies built by hand without Reindex.
func (t *Topology) service(name string) *Service {
	if s := t.svcByName[name]; s != nil {
		return s
	}
	for _, s := range t.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// network finds a network by compose key or engine name (docker0 is
// "bridge").
func (t *Topology) network(name string) *Network {
	for _, n := range t.Networks {
		if n.Key == name || n.Name == name {
			return n
		}
	}
	if t.Bridge0 != nil && name == t.Bridge0.Name {
		return t.Bridge0
	}
	return nil
}

func (t *Topology) container(name string) *Container {
	if c := t.ctrByName[name]; c != nil {
		return c
	}
	for _, c := range t.Containers {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Stopped models `docker compose stop SERVICE`: the service's containers
// leave every network, so their DNS names are unregistered (R6-3) and
// their addresses released (R3-8), and their published ports are gone.
// The service stays in Services with no containers (it is known, just not
// running). Stopping a container whose namespace another container shares
// (network_mode: service:/container:) is refused: what a stopped namespace
// provider leaves behind is not modelled.
func (t *Topology) Stopped(service string) (*Topology, error) {
	s := t.service(service)
	if s == nil {
		return nil, fmt.Errorf("unknown service %q (services: %s)", service, t.serviceNames())
	}
	c := t.clone()
	if err := c.removeContainers(c.service(service)); err != nil {
		return nil, err
	}
	c.Reindex()
	return c, nil
}

// WithoutService returns the project as if SERVICE were not part of it
// (`docker compose rm -s SERVICE`, or the service left out of the file):
// its containers are gone as with Stopped, and so is the service itself.
// Services that share its namespace or list it under depends_on are
// reasons to refuse (R4-2: Compose would start it for them).
func (t *Topology) WithoutService(service string) (*Topology, error) {
	s := t.service(service)
	if s == nil {
		return nil, fmt.Errorf("unknown service %q (services: %s)", service, t.serviceNames())
	}
	for _, o := range t.Services {
		if slices.Contains(o.DependsOn, service) {
			return nil, fmt.Errorf("service %s depends on %s (R4-2): Compose would start %s again for it", o.Name, service, service)
		}
	}
	c := t.clone()
	cs := c.service(service)
	if err := c.removeContainers(cs); err != nil {
		return nil, err
	}
	c.Services = slices.DeleteFunc(c.Services, func(x *Service) bool { return x == cs })
	c.Reindex()
	return c, nil
}

// removeContainers takes s's containers off every network and out of the
// container list, in place on a fresh clone.
func (t *Topology) removeContainers(s *Service) error {
	gone := map[*Container]bool{}
	for _, c := range s.Containers {
		gone[c] = true
	}
	for _, c := range t.Containers {
		if !gone[c] && c.NetNS != nil && gone[c.NetNS] {
			return fmt.Errorf("%s shares the network namespace of %s (network_mode %s); composenet does not model what a stopped namespace provider leaves behind", c.Name, c.NetNS.Name, c.NetworkMode)
		}
	}
	t.Containers = slices.DeleteFunc(t.Containers, func(c *Container) bool { return gone[c] })
	for _, n := range t.allNetworks() {
		n.Endpoints = slices.DeleteFunc(n.Endpoints, func(e *Endpoint) bool { return gone[e.Container] })
	}
	s.Containers = nil
	return nil
}

func (t *Topology) allNetworks() []*Network {
	all := make([]*Network, 0, len(t.Networks)+1)
	if t.Bridge0 != nil {
		all = append(all, t.Bridge0)
	}
	return append(all, t.Networks...)
}

// WithoutEndpoint models `docker network disconnect NETWORK CONTAINER`:
// the container's endpoint on the network (compose key or engine name) is
// removed, with its DNS names there (R6-3). It is refused when the endpoint
// carries published ports (R8-7 would move them to another endpoint, which
// composenet does not re-derive) and when the container is not on the
// network.
func (t *Topology) WithoutEndpoint(container, network string) (*Topology, error) {
	x := t.container(container)
	if x == nil {
		return nil, fmt.Errorf("unknown container %q", container)
	}
	return t.disconnect([]*Container{x}, network, "container "+container)
}

// Disconnected is WithoutEndpoint for every replica of SERVICE.
func (t *Topology) Disconnected(service, network string) (*Topology, error) {
	s := t.service(service)
	if s == nil {
		return nil, fmt.Errorf("unknown service %q (services: %s)", service, t.serviceNames())
	}
	return t.disconnect(s.Containers, network, "service "+service)
}

func (t *Topology) disconnect(xs []*Container, network, what string) (*Topology, error) {
	n := t.network(network)
	if n == nil {
		return nil, fmt.Errorf("unknown network %q", network)
	}
	joined := false
	for _, x := range xs {
		e := x.Endpoint(n)
		if e == nil {
			continue
		}
		joined = true
		for _, p := range x.Ports {
			if p.Endpoint == e {
				return nil, fmt.Errorf("%s publishes ports through its endpoint on %s (R8-7); disconnecting would move them, which composenet does not model", x.Name, network)
			}
		}
	}
	if !joined {
		return nil, fmt.Errorf("%s does not join network %s", what, network)
	}
	c := t.clone()
	cn := c.network(network)
	for _, x := range xs {
		y := c.container(x.Name)
		e := y.Endpoint(cn)
		if e == nil {
			continue
		}
		y.Endpoints = slices.DeleteFunc(y.Endpoints, func(f *Endpoint) bool { return f == e })
		cn.Endpoints = slices.DeleteFunc(cn.Endpoints, func(f *Endpoint) bool { return f == e })
	}
	return c, nil
}

// WithEndpoint models `docker network connect [--alias A]... NETWORK
// CONTAINER`: the container gets the lowest free address of the network's
// range (R3-8) and, on an IPv6 network, the next free IPv6 address (R3-11);
// it registers its container name, the aliases, its short ID and hostname
// (R6-3; `docker network connect` adds no service-name alias). Its
// endpoints are re-sorted in gateway order (R5-3). Refused: containers
// that have no namespace of their own (host, none, service:, container:),
// the default bridge (no aliases, R2-7), a network the container is already
// on, a full network, and a connect that would change the gateway endpoint
// of a container that publishes ports (R8-7 would move them).
func (t *Topology) WithEndpoint(container, network string, aliases ...string) (*Topology, error) {
	x := t.container(container)
	if x == nil {
		return nil, fmt.Errorf("unknown container %q", container)
	}
	if x.NetNS != x {
		mode := x.NetworkMode
		if mode == "" {
			mode = "with no network"
		}
		return nil, fmt.Errorf("container %s uses network_mode %s: it has no network namespace of its own to connect (R7-10)", x.Name, mode)
	}
	n := t.network(network)
	if n == nil {
		return nil, fmt.Errorf("unknown network %q", network)
	}
	if n == t.Bridge0 {
		return nil, fmt.Errorf("connecting to the default bridge is not modelled: it has no embedded DNS or aliases (R2-7, R6-16)")
	}
	if x.Endpoint(n) != nil {
		return nil, fmt.Errorf("endpoint with name %s already exists in network %s", x.Name, n.Name)
	}
	for _, a := range aliases {
		if err := CheckDNSName(a); err != nil {
			return nil, fmt.Errorf("alias %q: %v", a, err)
		}
	}
	a := ipam.NewV4(n.Subnet, n.IPRange, n.Gateway, n.AuxAddresses)
	for _, e := range n.Endpoints {
		if e.IPv4.IsValid() {
			a.Reserve(e.IPv4)
		}
	}
	ip, ok := a.Next()
	if !ok {
		return nil, fmt.Errorf("no available IPv4 addresses on network %s (%s) for %s", n.Name, n.Subnet, x.Name)
	}
	var ip6 netip.Addr
	if n.EnableIPv6 && n.Subnet6.IsValid() {
		a6 := ipam.NewV6(n.Subnet6, n.Gateway6)
		for _, e := range n.Endpoints {
			a6.Reserve(e.IPv6)
		}
		if ip6, ok = a6.Alloc(); !ok {
			return nil, fmt.Errorf("no available IPv6 addresses on network %s (%s) for %s", n.Name, n.Subnet6, x.Name)
		}
	}
	c := t.clone()
	y, cn := c.container(x.Name), c.network(network)
	e := &Endpoint{Container: y, Network: cn, IPv4: ip, IPv6: ip6, Aliases: slices.Clone(aliases)}
	e.DNSNames = dedupe(append(append([]string{y.Name}, aliases...), y.ID, y.Hostname))
	oldGW := y.GatewayEndpoint()
	y.Endpoints = append(slices.Clone(y.Endpoints), e)
	SortEndpoints(y.Endpoints)
	if len(y.Ports) > 0 && y.GatewayEndpoint() != oldGW {
		return nil, fmt.Errorf("%s publishes ports through its gateway endpoint; connecting to %s would make that the gateway and move them (R5-3, R8-7), which composenet does not model", x.Name, network)
	}
	cn.Endpoints = append(cn.Endpoints, e)
	sort.SliceStable(cn.Endpoints, func(i, j int) bool { return cn.Endpoints[i].IPv4.Less(cn.Endpoints[j].IPv4) })
	return c, nil
}

// DaemonSettingNeedsReload reports whether the dockerd setting KEY changes
// addresses or ports chosen at load (bip, default-address-pools,
// host-gateway-ip, ephemeral-port-range): such a change is a daemon
// restart that re-creates every network and container, so it is modelled
// by loading again with Options.Daemon, not by WithDaemon.
func DaemonSettingNeedsReload(key string) bool {
	switch key {
	case "userland-proxy", "icc", "ip-masq":
		return false
	}
	return true
}

// WithDaemon returns a copy with one dockerd setting changed (the --daemon
// KEY=VALUE syntax): userland-proxy (R8-2), icc (R7-4: the default bridge's
// inter-container rule) or ip-masq (R7-8: the default bridge's
// masquerading). Settings that move addresses or ports are refused (see
// DaemonSettingNeedsReload).
func (t *Topology) WithDaemon(key, value string) (*Topology, error) {
	if DaemonSettingNeedsReload(key) {
		d := t.Daemon
		if err := d.Set(key, value); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("daemon setting %s changes the addresses or ports Docker chooses; load the project again with it (--daemon %s=%s)", key, key, value)
	}
	d := t.Daemon
	if err := d.Set(key, value); err != nil {
		return nil, err
	}
	c := t.clone()
	c.Daemon = d
	if c.Bridge0 != nil {
		c.Bridge0.ICC, c.Bridge0.Masquerade = d.ICC, d.IPMasq
	}
	return c, nil
}
