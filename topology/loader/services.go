package loader

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/types"
)

// startOrder sorts the enabled services in dependency order (R4-2): a
// service starts after everything it depends on. Docker starts independent
// services concurrently (R4-3); the tie-break is the service name.
func startOrder(p *types.Project) []string {
	deps := map[string][]string{}
	indeg := map[string]int{}
	for name, s := range p.Services {
		indeg[name] += 0
		for _, d := range serviceDeps(s) {
			if _, ok := p.Services[d]; !ok || d == name {
				continue
			}
			deps[d] = append(deps[d], name)
			indeg[name]++
		}
	}
	var ready []string
	for n, d := range indeg {
		if d == 0 {
			ready = append(ready, n)
		}
	}
	sort.Strings(ready)
	var out []string
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		next := deps[n]
		sort.Strings(next)
		for _, m := range next {
			indeg[m]--
			if indeg[m] == 0 {
				ready = append(ready, m)
				sort.Strings(ready)
			}
		}
	}
	// Cycles are rejected by compose-go; keep any leftovers in name order.
	if len(out) < len(indeg) {
		seen := map[string]bool{}
		for _, n := range out {
			seen[n] = true
		}
		var rest []string
		for n := range indeg {
			if !seen[n] {
				rest = append(rest, n)
			}
		}
		sort.Strings(rest)
		out = append(out, rest...)
	}
	return out
}

// serviceDeps are the R4-2 dependency edges of s.
func serviceDeps(s types.ServiceConfig) []string {
	var out []string
	for d := range s.DependsOn {
		out = append(out, d)
	}
	for _, l := range s.Links {
		svc, _, _ := strings.Cut(l, ":")
		out = append(out, svc)
	}
	if x, ok := strings.CutPrefix(s.NetworkMode, "service:"); ok {
		out = append(out, x)
	}
	for _, v := range s.VolumesFrom {
		if !strings.HasPrefix(v, "container:") {
			svc, _, _ := strings.Cut(v, ":")
			out = append(out, svc)
		}
	}
	sort.Strings(out)
	return out
}

func (b *builder) buildServices() {
	t := b.t
	b.ctrByName = map[string]*topology.Container{}
	b.svcByName = map[string]*topology.Service{}
	order := startOrder(b.p)

	// Declared containers exist before the project starts.
	for _, hc := range b.hs.containers {
		c := &topology.Container{Name: hc.Name, Declared: true, ID: shortHash("container", hc.Name), Pos: topology.Position{File: b.hs.file, Line: hc.line, Col: 5}}
		c.Hostname = c.ID
		c.NetNS = c
		for _, l := range hc.Listen {
			pp, err := topology.ParsePortProto(l)
			if err != nil {
				b.problems = append(b.problems, topology.Problem{Pos: c.Pos, Path: "containers." + hc.Name + ".listen", Message: err.Error()})
				continue
			}
			c.Listen = append(c.Listen, pp)
			c.ListenKnown = true
		}
		for _, nn := range sortedKeys(hc.Networks) {
			n := b.netByName[nn]
			if n == nil {
				b.problems = append(b.problems, topology.Problem{Pos: c.Pos, Path: "containers." + hc.Name + ".networks." + nn, Message: fmt.Sprintf("network %q is not declared in the host description", nn)})
				continue
			}
			he := hc.Networks[nn]
			e := &topology.Endpoint{Container: c, Network: n, Aliases: he.Aliases, Pos: c.Pos}
			e.DNSNames = dedupe(append(append([]string{c.Name}, he.Aliases...), c.ID, c.Hostname))
			if he.IPv4Address != "" {
				ip, err := netip.ParseAddr(he.IPv4Address)
				if err != nil || !n.Subnet.Contains(ip) || !b.ipam[n].Reserve(ip) {
					b.problems = append(b.problems, topology.Problem{Pos: c.Pos, Path: "containers." + hc.Name + ".networks." + nn + ".ipv4_address", Message: fmt.Sprintf("address %q is invalid, outside %s, or already in use", he.IPv4Address, n.Subnet)})
					continue
				}
				e.IPv4, e.Static = ip, true
			}
			c.Endpoints = append(c.Endpoints, e)
		}
		if b.ctrByName[c.Name] != nil {
			b.problems = append(b.problems, topology.Problem{Pos: c.Pos, Path: "containers." + hc.Name, Message: "declared twice"})
			continue
		}
		b.ctrByName[c.Name] = c
		t.Containers = append(t.Containers, c)
	}
	for _, c := range t.Containers {
		for _, e := range c.Endpoints {
			if !e.IPv4.IsValid() {
				e.IPv4, _ = b.ipam[e.Network].Next()
			}
		}
	}

	// Services and their replicas.
	names := sortedKeys(b.p.Services)
	containerNames := map[string]string{} // container_name -> service
	total, tooMany, overTotal := 0, false, false
	for _, name := range names {
		s := b.p.Services[name]
		spath := "services." + name
		pos, _ := b.ix.exact(spath)
		svc := &topology.Service{Name: name, Image: s.Image, Replicas: s.GetScale(), Pos: pos}
		if s.Scale == nil && (s.Deploy == nil || s.Deploy.Replicas == nil) {
			svc.Replicas = 1
		}
		for _, k := range sortedKeys(s.Environment) {
			ev := topology.EnvVar{Key: k, Pos: b.ix.lookup(spath + ".environment." + k)}
			if v := s.Environment[k]; v != nil {
				ev.Value, ev.Set = *v, true
			}
			svc.Environment = append(svc.Environment, ev)
		}
		for _, k := range sortedKeys(s.Labels) {
			svc.Labels = append(svc.Labels, topology.EnvVar{Key: k, Value: s.Labels[k], Set: true, Pos: b.ix.lookup(spath + ".labels." + k)})
		}
		svc.Command = append([]string(nil), s.Command...)
		if read, folder := b.readProxyConfig(svc, s, spath); len(read) > 0 {
			b.proxyInputs = append(b.proxyInputs, read...)
			b.proxyFolder = b.proxyFolder || folder
		}
		for _, d := range serviceDeps(s) {
			if _, ok := b.p.Services[d]; ok && (len(svc.DependsOn) == 0 || svc.DependsOn[len(svc.DependsOn)-1] != d) {
				svc.DependsOn = append(svc.DependsOn, d)
			}
		}
		if svc.Replicas > MaxReplicas {
			b.problem(replicasPath(s), "%d replicas; composenet models at most %d replicas of one service (and %d containers in all)", svc.Replicas, MaxReplicas, MaxContainers)
			svc.Replicas, tooMany = 0, true
		}
		total += svc.Replicas
		if total > MaxContainers && !overTotal {
			overTotal, tooMany = true, true
			b.problem(replicasPath(s), "the project reaches %d containers here; composenet models at most %d containers in all", total, MaxContainers)
		}
		if s.ContainerName != "" {
			// M1 (R1-4): compose-go rejects container_name with replicas; keep
			// the check for inputs that bypass it.
			if svc.Replicas > 1 {
				b.problem(spath+".container_name", "can't set container_name and %s as container name must be unique: Docker requires each container to have a unique name; remove container_name to scale the service (replicas: %d)", name, svc.Replicas)
			}
			if other, ok := containerNames[s.ContainerName]; ok {
				// M2
				b.problem(spath+".container_name", "Conflict. The container name \"/%s\" is already in use by the container of service %q", s.ContainerName, other)
			}
			containerNames[s.ContainerName] = name
		}
		t.Services = append(t.Services, svc)
		b.svcByName[name] = svc
	}
	b.deployLabelWarnings(t)

	if tooMany {
		return // not one container is built for a project over the limits
	}

	// Containers in start order (R4-1..R4-3).
	idx := 0
	for _, name := range order {
		s := b.p.Services[name]
		svc := b.svcByName[name]
		for r := 1; r <= svc.Replicas; r++ {
			cname := fmt.Sprintf("%s-%s-%d", b.p.Name, name, r) // R1-4
			if s.ContainerName != "" {
				cname = s.ContainerName
			}
			c := &topology.Container{Name: cname, Service: name, Project: b.p.Name, Replica: r, StartOrder: idx, Pos: svc.Pos}
			idx++
			c.ID = shortHash("container", b.p.Name, cname)
			c.Hostname = s.Hostname
			if c.Hostname == "" {
				c.Hostname = c.ID // R6-3
			}
			if old := b.ctrByName[cname]; old != nil {
				switch {
				case old.Declared:
					b.problem("services."+name+".container_name", "Conflict. The container name \"/%s\" is already in use by a container on the host", cname)
				case old.Service != name && (s.ContainerName == "" || b.p.Services[old.Service].ContainerName == ""):
					// a generated name (R1-4) taken by another service's
					// container_name, or the other way round
					b.containerNameClash(cname, name, old.Service)
				}
				continue
			}
			b.serviceExt(c, s)
			svc.Containers = append(svc.Containers, c)
			b.ctrByName[cname] = c
			t.Containers = append(t.Containers, c)
		}
	}

	// Network modes, endpoints and addresses, in start order.
	for _, name := range order {
		s := b.p.Services[name]
		for _, c := range b.svcByName[name].Containers {
			b.attach(c, s)
		}
	}
	for _, name := range order {
		for _, c := range b.svcByName[name].Containers {
			b.allocate(c)
		}
	}
	for _, name := range order {
		s := b.p.Services[name]
		for _, c := range b.svcByName[name].Containers {
			b.publish(c, s)
			b.links(c, s)
			b.hostsAndDNS(c, s)
		}
	}
}

// Capacity limits, checked before any container is built.
const (
	// MaxReplicas is the largest replica count of one service.
	MaxReplicas = 10_000
	// MaxContainers is the largest number of containers in one project.
	MaxContainers = 20_000
)

// replicasPath is where a service's replica count is written.
func replicasPath(s types.ServiceConfig) string {
	if s.Scale != nil {
		return "services." + s.Name + ".scale"
	}
	return "services." + s.Name + ".deploy.replicas"
}

// containerNameClash refuses a container_name equal to the name Compose
// generates for a replica of another service (R1-4): Docker refuses the
// second create ("Conflict. The container name is already in use"). The
// problem is reported at the container_name, naming the other service's
// position.
func (b *builder) containerNameClash(cname, svcA, svcB string) {
	named, generated := svcA, svcB
	if b.p.Services[svcB].ContainerName == cname {
		named, generated = svcB, svcA
	}
	other, _ := b.ix.exact("services." + generated)
	b.problem("services."+named+".container_name", "Conflict. The container name \"/%s\" is also the name Compose gives to a replica of service %q (%s); Docker refuses the second container: rename one", cname, generated, other)
}

// serviceExt reads x-composenet from a service.
func (b *builder) serviceExt(c *topology.Container, s types.ServiceConfig) {
	raw, ok := s.Extensions["x-composenet"]
	if !ok {
		return
	}
	path := "services." + s.Name + ".x-composenet"
	m, ok := raw.(map[string]any)
	if !ok {
		b.problem(path, "want a mapping such as {listen: [\"80\"], processing: 5ms}")
		return
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "listen":
			list, ok := m[k].([]any)
			if !ok {
				b.problem(path+".listen", "want a list of ports such as [\"80\", \"53/udp\"]")
				continue
			}
			c.ListenKnown = true
			for i, it := range list {
				pp, err := topology.ParsePortProto(fmt.Sprint(it))
				if err != nil {
					b.problem(fmt.Sprintf("%s.listen.%d", path, i), "%v", err)
					continue
				}
				c.Listen = append(c.Listen, pp)
			}
			sort.Slice(c.Listen, func(i, j int) bool {
				if c.Listen[i].Protocol != c.Listen[j].Protocol {
					return c.Listen[i].Protocol < c.Listen[j].Protocol
				}
				return c.Listen[i].Port < c.Listen[j].Port
			})
		case "processing":
			d, err := parseDuration(m[k])
			if err != nil {
				b.problem(path+".processing", "%v", err)
				continue
			}
			c.Processing = d
		default:
			b.problem(path+"."+k, "unknown x-composenet field %q for a service (known: listen, processing)", k)
		}
	}
}

// attach resolves network_mode and creates the container's endpoints with
// their addresses (R3-8, R3-10, R5-1, R5-3, R6-3, R7-10).
func (b *builder) attach(c *topology.Container, s types.ServiceConfig) {
	t := b.t
	spath := "services." + s.Name
	mode := s.NetworkMode
	switch {
	case mode == "" && len(s.Networks) == 0:
		// A service with neither (e.g. provider services) has no network.
		c.NetNS = c
		return
	case mode == "":
		c.NetNS = c
	case mode == "host" || mode == "none":
		c.NetworkMode = mode
	case mode == "bridge" || mode == "default":
		c.NetworkMode = "bridge"
		c.NetNS = c
		e := &topology.Endpoint{Container: c, Network: t.Bridge0, Pos: b.ix.lookup(spath + ".network_mode")}
		e.IPv4, _ = b.ipam[t.Bridge0].Next()
		c.Endpoints = []*topology.Endpoint{e}
		return
	case strings.HasPrefix(mode, "service:"):
		c.NetworkMode = mode
		target := b.svcByName[strings.TrimPrefix(mode, "service:")]
		if target == nil || len(target.Containers) == 0 {
			b.problem(spath+".network_mode", "service %q depends on undefined service %q", s.Name, strings.TrimPrefix(mode, "service:"))
			return
		}
		// R7-10: Compose resolves service:X to X's container whose name sorts first.
		first := target.Containers[0]
		for _, x := range target.Containers {
			if x.Name < first.Name {
				first = x
			}
		}
		c.NetNS = first.NetNS
		if c.NetNS == nil {
			c.NetNS = first
		}
		c.Hostname = first.Hostname // R6-17: X's hostname, resolv.conf and hosts
		return
	case strings.HasPrefix(mode, "container:"):
		c.NetworkMode = mode
		name := strings.TrimPrefix(mode, "container:")
		if x := b.ctrByName[name]; x != nil {
			c.NetNS = x.NetNS
		} else {
			b.warn("W-CONTAINER-UNKNOWN", "R7-10", b.ix.lookup(spath+".network_mode"), "network_mode %s: no container %q in the project or the host description; %s is modelled without network access", mode, name, c.Name)
			b.fix(fmt.Sprintf("declare container %s in a --host description", name))
		}
		return
	default:
		b.problem(spath+".network_mode", "invalid network_mode %q (want host, none, bridge, service:NAME or container:NAME)", mode)
		return
	}

	for _, key := range sortedKeys(s.Networks) {
		n := b.netByKey[key]
		epath := spath + ".networks." + key
		if n == nil {
			continue // reported elsewhere (compose-go) or network failed
		}
		cfg := s.Networks[key]
		e := &topology.Endpoint{Container: c, Network: n, Pos: b.ix.lookup(epath)}
		useSvcAlias := cfg.ServiceNameAliasEnabled()
		if cfg != nil {
			e.Aliases = append(e.Aliases, cfg.Aliases...)
			e.GwPriority = cfg.GatewayPriority
			e.Interface = cfg.InterfaceName
			if cfg.Ipv4Address != "" {
				b.static(c, e, cfg.Ipv4Address, epath+".ipv4_address")
			}
			if cfg.Ipv6Address != "" {
				b.static6(c, e, cfg.Ipv6Address, epath+".ipv6_address")
			}
		}
		// R6-3: container name, service name, aliases, short ID, hostname.
		names := []string{c.Name}
		if useSvcAlias {
			names = append(names, s.Name)
		}
		names = append(names, e.Aliases...)
		names = append(names, c.ID, c.Hostname)
		e.DNSNames = dedupe(names)
		c.Endpoints = append(c.Endpoints, e)
	}
	topology.SortEndpoints(c.Endpoints)
}

// allocate gives c's dynamic endpoints the lowest free address (R3-8).
// Static addresses were all claimed before (the documented tie-break for
// the R3-10 race).
func (b *builder) allocate(c *topology.Container) {
	for _, e := range c.Endpoints {
		if e.IPv4.IsValid() || e.Static || e.Network == b.t.Bridge0 {
			continue
		}
		ip, ok := b.ipam[e.Network].Next()
		if !ok {
			// once per service and network, not once per replica
			key := c.Service + "\x00" + e.Network.Name
			if !b.exhausted[key] {
				b.exhausted[key] = true
				b.problem("services."+c.Service+".networks."+e.Network.Key, "no available IPv4 addresses on network %s (%s) for %s", e.Network.Name, e.Network.Subnet, c.Name)
			}
			continue
		}
		e.IPv4 = ip
	}
	for _, e := range c.Endpoints {
		if a6 := b.ipam6[e.Network]; a6 != nil && !e.IPv6.IsValid() {
			e.IPv6, _ = a6.Alloc()
		}
	}
}

// static6 validates and claims an ipv6_address (R3-10, R3-11).
func (b *builder) static6(c *topology.Container, e *topology.Endpoint, addr, path string) {
	n := e.Network
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is6() {
		b.problem(path, "invalid IPv6 address %q", addr)
		return
	}
	if !n.Subnet6Configured && b.sharedHost && n.External && !n.Declared {
		// R3-10 on a host with several projects: topology.Merge checks
		// the address against the creating project's IPv6 subnet.
		if c.Replica > 1 {
			b.problem(path, "Address already in use: replica %s asks for %s too (ipv6_address cannot be combined with more than one replica)", c.Name, ip)
			return
		}
		e.IPv6, e.Static6, e.Addr6Pos = ip, true, b.ix.lookup(path)
		return
	}
	if !n.Subnet6Configured {
		b.problem(path, "invalid config for network %s: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets", n.Name)
		return
	}
	if !n.Subnet6.Contains(ip) {
		b.problem(path, "invalid config for network %s: invalid endpoint settings: no configured subnet or ip-range contain the IP address %s", n.Name, ip)
		return
	}
	a6 := b.ipam6[n]
	if a6 == nil || a6.Used(ip) || c.Replica > 1 {
		b.problem(path, "Address already in use: %s on network %s", ip, n.Name)
		return
	}
	a6.Reserve(ip)
	e.IPv6, e.Static6, e.Addr6Pos = ip, true, b.ix.lookup(path)
}

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

// static validates and claims an ipv4_address (R3-10, M8-M11).
func (b *builder) static(c *topology.Container, e *topology.Endpoint, addr, path string) {
	n := e.Network
	ip, err := netip.ParseAddr(addr)
	if err != nil || !ip.Is4() {
		b.problem(path, "invalid IPv4 address %q", addr)
		return
	}
	if !n.SubnetConfigured && b.sharedHost && n.External && !n.Declared {
		// R3-10 on a host with several projects: the network is another
		// project's (or stays assumed), whose subnet this load does not
		// know; topology.Merge checks the address against it.
		if c.Replica > 1 {
			b.problem(path, "Address already in use: replica %s asks for %s too (ipv4_address cannot be combined with more than one replica)", c.Name, ip)
			return
		}
		e.IPv4, e.Static, e.AddrPos = ip, true, b.ix.lookup(path)
		return
	}
	if !n.SubnetConfigured {
		b.problem(path, "invalid config for network %s: invalid endpoint settings: user specified IP address is supported only when connecting to networks with user configured subnets", n.Name)
		return
	}
	if !n.Subnet.Contains(ip) {
		b.problem(path, "invalid config for network %s: invalid endpoint settings: no configured subnet or ip-range contain the IP address %s", n.Name, ip)
		return
	}
	if c.Replica > 1 {
		b.problem(path, "Address already in use: replica %s asks for %s too (ipv4_address cannot be combined with more than one replica)", c.Name, ip)
		return
	}
	if !b.ipam[n].Reserve(ip) {
		what := "another container"
		if ip == n.Gateway {
			what = "the network's gateway"
		}
		for _, x := range n.AuxAddresses {
			if x == ip {
				what = "an aux_addresses entry"
			}
		}
		b.problem(path, "Address already in use: %s on network %s is taken by %s", ip, n.Name, what)
		return
	}
	e.IPv4, e.Static, e.AddrPos = ip, true, b.ix.lookup(path)
}
