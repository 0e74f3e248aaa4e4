package loader

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/composenet/composenet/topology"
	"github.com/composenet/composenet/topology/internal/ipam"

	"github.com/compose-spec/compose-go/v2/types"
)

// builder turns a compose-go project into a Topology.
type builder struct {
	p     *types.Project
	ix    *posIndex
	hs    *hostSpec
	dir   string
	files []string // the compose files, as given or discovered, in merge order
	t     *topology.Topology

	problems []topology.Problem
	warnings []topology.Warning

	allocated []netip.Prefix // subnets in use, in allocation order (R3-2)
	ipam      map[*topology.Network]*ipam.V4
	ipam6     map[*topology.Network]*ipam.V6
	bindIdx   map[portKey][]*topology.PortBinding // bindings by port, for conflicts (R8-8)
	bindOwner map[*topology.PortBinding]*topology.Container
	ephLast   map[string]int  // per protocol (R8-5)
	rangeLast map[string]int  // per protocol+range (R8-5)
	exhausted map[string]bool // service+network pairs out of addresses

	// the lookup indexes while building; Reindex sets the topology's own
	netByKey, netByName map[string]*topology.Network
	ctrByName           map[string]*topology.Container
	svcByName           map[string]*topology.Service

	// proxyInputs are the proxy configuration files and folders read
	// (proxyconf.go); proxyFolder is true when a folder was listed.
	proxyInputs []string
	proxyFolder bool

	// sharedHost is Options.SharedHost: static addresses on assumed
	// external networks are left to topology.Merge (R3-10).
	sharedHost bool
}

func newBuilder(p *types.Project, ix *posIndex, hs *hostSpec, dir string, files []string) *builder {
	return &builder{
		p: p, ix: ix, hs: hs, dir: dir, files: files,
		ipam:      map[*topology.Network]*ipam.V4{},
		ipam6:     map[*topology.Network]*ipam.V6{},
		bindOwner: map[*topology.PortBinding]*topology.Container{},
		bindIdx:   map[portKey][]*topology.PortBinding{},
		ephLast:   map[string]int{},
		rangeLast: map[string]int{},
		exhausted: map[string]bool{},
	}
}

func (b *builder) problem(path, format string, args ...any) {
	b.problems = append(b.problems, topology.Problem{Pos: b.ix.lookup(path), Path: path, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) warn(code, rule string, pos topology.Position, format string, args ...any) {
	b.warnings = append(b.warnings, topology.Warning{Code: code, Rule: rule, Pos: pos, Message: fmt.Sprintf(format, args...), Notice: noticeCodes[code]})
}

// fix sets the suggested fix of the warning just added.
func (b *builder) fix(f string) {
	if len(b.warnings) > 0 {
		b.warnings[len(b.warnings)-1].Fix = f
	}
}

// noticeCodes are the warnings that state a tie-break rather than a
// misconfiguration.
var noticeCodes = map[string]bool{"W-IP-ORDER": true, "W-SUBNET-ORDER": true, "W-PORT-REPLICA-ORDER": true}

// composeWarning turns one compose-go log line into a positioned warning.
func (b *builder) composeWarning(msg string) {
	switch {
	case strings.Contains(msg, "variable is not set"):
		name := ""
		if i := strings.IndexByte(msg, '"'); i >= 0 {
			if j := strings.IndexByte(msg[i+1:], '"'); j >= 0 {
				name = msg[i+1 : i+1+j]
			}
		}
		pos, ok := b.ix.findText("${" + name)
		if !ok {
			pos, _ = b.ix.findText("$" + name)
		}
		b.warn("W-ENV-UNSET", "R1-7", pos, "%s", msg)
		b.fix(fmt.Sprintf("set %s in the environment or the project's .env, or give a default: ${%s:-value}", name, name))
	case strings.Contains(msg, "`version` is obsolete"):
		pos, _ := b.ix.exact("version")
		b.warn("W-VERSION-OBSOLETE", "", pos, "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
		b.fix("delete the top-level version: line")
	default:
		b.warn("W-COMPOSE", "", topology.Position{}, "%s", msg)
	}
}

func shortHash(parts ...string) string { return topology.ShortHash(parts...) }

func (b *builder) build() (*topology.Topology, error) {
	d := b.hs.daemon
	t := &topology.Topology{
		Project:    b.p.Name,
		WorkingDir: b.p.WorkingDir,
		Daemon:     d,
		Host:       b.hs.host,
		Latency:    b.hs.latency,
	}
	t.Files = b.files
	t.NamePos, _ = b.ix.exact("name")
	b.t = t
	b.warnings = append(b.warnings, b.hs.warnings...)
	t.Bridge0 = &topology.Network{
		Name: "bridge", Driver: "bridge", Bridge: "docker0",
		Subnet: d.Bridge0.Masked(), Gateway: d.Bridge0.Addr(),
		ICC: d.ICC, Masquerade: d.IPMasq, GatewayMode: "nat", SubnetConfigured: true,
	}
	b.allocated = append(b.allocated, t.Bridge0.Subnet)
	b.ipam[t.Bridge0] = ipam.NewV4(t.Bridge0.Subnet, netip.Prefix{}, t.Bridge0.Gateway, nil)

	b.checkNames()
	b.buildNetworks()
	b.buildServices()
	// R1-10: services of profiles that are not enabled, kept by name.
	for name, s := range b.p.DisabledServices {
		ps := append([]string(nil), s.Profiles...)
		sort.Strings(ps)
		t.Inactive = append(t.Inactive, topology.InactiveService{Name: name, Profiles: ps})
	}
	sort.Slice(t.Inactive, func(i, j int) bool { return t.Inactive[i].Name < t.Inactive[j].Name })
	if len(b.problems) > 0 {
		return nil, &topology.LoadError{Problems: sortProblems(b.problems)}
	}
	b.finish()
	b.warnings = append(b.warnings, topology.CompareDockerRules(t)...) // R7-27
	t.Warnings = sortWarnings(b.warnings)
	t.Reindex()
	return t, nil
}

// ---------------------------------------------------------------- networks

func (b *builder) buildNetworks() {
	t := b.t
	b.netByKey = map[string]*topology.Network{}
	b.netByName = map[string]*topology.Network{"bridge": t.Bridge0}

	// 1. Networks that already exist on the host (host description).
	for _, hn := range b.hs.networks {
		n := &topology.Network{
			Name: hn.Name, Driver: "bridge", External: true, Declared: true,
			Internal: hn.Internal, ICC: hn.ICC == nil || *hn.ICC, Masquerade: !hn.Internal, GatewayMode: "nat",
			Bridge: "br-" + shortHash("network", hn.Name),
			Pos:    topology.Position{File: b.hs.file, Line: hn.line, Col: 5},
		}
		if hn.Subnet != "" {
			s, err := netip.ParsePrefix(hn.Subnet)
			if err != nil || !s.Addr().Is4() {
				b.problems = append(b.problems, topology.Problem{Pos: n.Pos, Path: "networks." + hn.Name + ".subnet", Message: fmt.Sprintf("invalid IPv4 subnet %q", hn.Subnet)})
				continue
			}
			n.Subnet, n.SubnetConfigured = s.Masked(), true
			if hn.Gateway != "" {
				g, err := netip.ParseAddr(hn.Gateway)
				if err != nil || !n.Subnet.Contains(g) {
					b.problems = append(b.problems, topology.Problem{Pos: n.Pos, Path: "networks." + hn.Name + ".gateway", Message: fmt.Sprintf("invalid gateway %q for subnet %s", hn.Gateway, n.Subnet)})
				}
				n.Gateway = g
			}
			if o := b.overlapping(n.Subnet); o.IsValid() {
				b.problems = append(b.problems, topology.Problem{Pos: n.Pos, Path: "networks." + hn.Name + ".subnet", Message: fmt.Sprintf("invalid pool request: Pool overlaps with other one on this address space (%s overlaps %s)", n.Subnet, o)})
				continue
			}
			b.allocated = append(b.allocated, n.Subnet)
		}
		if b.netByName[n.Name] != nil {
			b.problems = append(b.problems, topology.Problem{Pos: n.Pos, Path: "networks", Message: fmt.Sprintf("network %q declared twice", n.Name)})
			continue
		}
		b.netByName[n.Name] = n
		t.Networks = append(t.Networks, n)
	}

	keys := make([]string, 0, len(b.p.Networks))
	for k := range b.p.Networks {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	type pending struct {
		n   *topology.Network
		cfg types.NetworkConfig
	}
	var project []pending
	for _, k := range keys {
		cfg := b.p.Networks[k]
		path := "networks." + k
		pos, _ := b.ix.exact(path)
		name := cfg.Name
		if name == "" {
			name = b.p.Name + "_" + k
		}
		if bool(cfg.External) {
			if name == "bridge" || name == "host" || name == "none" {
				// R2-7, M26: the built-in networks cannot be joined through networks:.
				if name == "bridge" {
					b.problem(path, "invalid config for network bridge: invalid endpoint settings: network-scoped alias is supported only for containers in user defined networks (use network_mode: bridge)")
				} else {
					b.problem(path, "network %s cannot be listed under networks; use network_mode: %s", name, name)
				}
				continue
			}
			if n := b.netByName[name]; n != nil && n.Declared {
				if n.Key == "" {
					n.Key = k
				}
				b.netByKey[k] = n
				continue
			}
			n := &topology.Network{Key: k, Name: name, Driver: "bridge", External: true, ICC: true, Masquerade: true, GatewayMode: "nat", Bridge: "br-" + shortHash("network", name), Pos: pos}
			// R2-5: an external network must exist; the model assumes it does.
			b.warn("W-EXTERNAL-ASSUMED", "R2-5", pos, "external network %q is assumed to exist as a plain bridge network with an automatic subnet; describe it with --host to model its real subnet and members", name)
			b.fix(fmt.Sprintf("declare network %s with its subnet in a --host description", name))
			project = append(project, pending{n, cfg})
			continue
		}
		n := &topology.Network{Key: k, Name: name, Driver: cfg.Driver, Internal: cfg.Internal, Attachable: cfg.Attachable,
			ICC: true, Masquerade: true, GatewayMode: "nat", Pos: pos}
		if n.Driver == "" {
			n.Driver = "bridge"
		}
		if cfg.EnableIPv6 != nil && *cfg.EnableIPv6 {
			n.EnableIPv6 = true
		}
		if n.Driver != "bridge" {
			b.warn("W-DRIVER-UNMODELLED", "R2-3", b.ix.lookup(path+".driver"), "network %q uses driver %q, which composenet does not model; it is treated as a bridge network", name, n.Driver)
			b.fix("use driver: bridge, or read the results as a bridge approximation")
		}
		b.applyDriverOpts(n, cfg, path)
		b.applyNetworkExt(n, cfg.Extensions, path)
		// IPAM: one IPv4 and one IPv6 config at most on a bridge (R3-5).
		v4 := 0
		for i, pool := range cfg.Ipam.Config {
			ppath := fmt.Sprintf("%s.ipam.config.%d", path, i)
			if pool == nil || pool.Subnet == "" {
				continue
			}
			s, err := netip.ParsePrefix(pool.Subnet)
			if err != nil {
				b.problem(ppath+".subnet", "invalid subnet %q", pool.Subnet)
				continue
			}
			if s.Addr().Is6() {
				n.EnableIPv6 = true // R3-11: an IPv6 subnet turns IPv6 on
				if n.Subnet6Configured {
					b.problem(ppath+".subnet", "bridge driver doesn't support multiple subnets")
					continue
				}
				n.Subnet6, n.Subnet6Configured = s.Masked(), true
				if g, err := netip.ParseAddr(pool.Gateway); err == nil && g.Is6() && s.Contains(g) {
					n.Gateway6 = g
				} else if pool.Gateway != "" {
					b.problem(ppath+".gateway", "invalid gateway %q: not an address in the subnet %s", pool.Gateway, s)
				}
				continue
			}
			v4++
			if v4 > 1 {
				b.problem(ppath+".subnet", "bridge driver doesn't support multiple subnets")
				continue
			}
			if s.Masked() != s {
				b.problem(ppath+".subnet", "invalid subnet %s: it has host bits set (did you mean %s?)", s, s.Masked())
				continue
			}
			n.Subnet, n.SubnetConfigured = s, true
			if pool.IPRange != "" {
				r, err := netip.ParsePrefix(pool.IPRange)
				if err != nil || !r.Addr().Is4() || !prefixContains(s, r) {
					b.problem(ppath+".ip_range", "invalid ip_range %q: it must be an IPv4 prefix inside the subnet %s", pool.IPRange, s)
				} else {
					n.IPRange = r.Masked()
				}
			}
			if pool.Gateway != "" {
				g, err := netip.ParseAddr(pool.Gateway)
				if err != nil || !s.Contains(g) {
					b.problem(ppath+".gateway", "invalid gateway %q: not an address in the subnet %s", pool.Gateway, s)
				} else {
					n.Gateway = g
				}
			}
			auxKeys := make([]string, 0, len(pool.AuxiliaryAddresses))
			for k := range pool.AuxiliaryAddresses {
				auxKeys = append(auxKeys, k)
			}
			sort.Strings(auxKeys)
			for _, ak := range auxKeys {
				a, err := netip.ParseAddr(pool.AuxiliaryAddresses[ak])
				if err != nil || !s.Contains(a) {
					b.problem(ppath+".aux_addresses."+ak, "invalid auxiliary address %q: not an address in the subnet %s", pool.AuxiliaryAddresses[ak], s)
					continue
				}
				n.AuxAddresses = append(n.AuxAddresses, a)
			}
			if o := b.overlapping(s); o.IsValid() {
				// M12 / R3-4.
				b.problem(ppath+".subnet", "failed to create network %s: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (%s overlaps %s)", name, s, o)
				continue
			}
			b.allocated = append(b.allocated, s)
		}
		n.Bridge = bridgeName(n, cfg)
		project = append(project, pending{n, cfg})
	}

	// Auto subnets (R3-2): pre-existing external networks first, then the
	// project's networks in sorted key order. Docker creates networks in
	// random order (R2-6); the sorted order is the documented tie-break.
	auto := 0
	for pass := 0; pass < 2; pass++ {
		for _, pd := range project {
			n := pd.n
			if n.SubnetConfigured || n.External != (pass == 0) {
				continue
			}
			s, ok := b.nextPool()
			if !ok {
				b.problem("networks."+n.Key, "failed to create network %s: Error response from daemon: all predefined address pools have been fully subnetted", n.Name)
				continue
			}
			n.Subnet = s
			b.allocated = append(b.allocated, s)
			if !n.External {
				auto++
			}
		}
	}
	if auto > 1 {
		b.warn("W-SUBNET-ORDER", "R2-6", topology.Position{}, "Compose creates networks in random order, so which automatic subnet each network gets varies between runs; composenet assigns them in sorted key order")
	}
	// R3-4 hazard: an explicit subnet that an automatic network could take
	// first when Docker happens to create it earlier.
	for _, pd := range project {
		n := pd.n
		if !n.SubnetConfigured {
			continue
		}
		for _, q := range project {
			if !q.n.SubnetConfigured && q.n.Subnet.IsValid() && isDefaultPoolCandidate(b.hs.daemon, n.Subnet) && n.Subnet.Bits() == q.n.Subnet.Bits() && lessPrefix(n.Subnet, q.n.Subnet) {
				b.warn("W-SUBNET-RACE", "R3-4", b.ix.lookup("networks."+n.Key+".ipam"), "subnet %s of network %q lies in Docker's default pools: if Docker creates automatic network %q first, it takes that subnet and %q fails to create (nondeterministic)", n.Subnet, n.Name, q.n.Name, n.Name)
				b.fix(fmt.Sprintf("give %s an explicit subnet outside Docker's default pools, or explicit subnets to every network", q.n.Name))
				break
			}
		}
	}
	// R3-11: IPv6 networks without a subnet get successive /64s of the
	// host's ULA /48, in the same sorted order.
	ula := 0
	for _, pd := range project {
		n := pd.n
		if !n.EnableIPv6 {
			continue
		}
		if !n.Subnet6.IsValid() {
			n.Subnet6 = ulaSubnet(ula)
			ula++
		}
		if !n.Gateway6.IsValid() {
			n.Gateway6 = n.Subnet6.Addr().Next()
		}
		b.ipam6[n] = ipam.NewV6(n.Subnet6, n.Gateway6)
	}
	for _, pd := range project {
		n := pd.n
		if !n.Subnet.IsValid() {
			continue
		}
		if !n.Gateway.IsValid() && !n.Internal || !n.Gateway.IsValid() {
			// R3-6: first free address of ip_range if set, else of the subnet.
			n.Gateway = firstUsable(n.Subnet, n.IPRange, n.AuxAddresses)
		}
		b.ipam[n] = ipam.NewV4(n.Subnet, n.IPRange, n.Gateway, n.AuxAddresses)
		if b.netByName[n.Name] != nil {
			b.problem("networks."+n.Key+".name", "two networks are named %q", n.Name)
			continue
		}
		b.netByName[n.Name] = n
		b.netByKey[n.Key] = n
		t.Networks = append(t.Networks, n)
	}
	for _, n := range t.Networks {
		if n.Declared && !n.Subnet.IsValid() {
			s, ok := b.nextPool()
			if ok {
				n.Subnet = s
				b.allocated = append(b.allocated, s)
			}
		}
		if n.Declared {
			if !n.Gateway.IsValid() && n.Subnet.IsValid() {
				n.Gateway = firstUsable(n.Subnet, netip.Prefix{}, nil)
			}
			b.ipam[n] = ipam.NewV4(n.Subnet, netip.Prefix{}, n.Gateway, nil)
		}
	}
	sort.Slice(t.Networks, func(i, j int) bool { return t.Networks[i].Name < t.Networks[j].Name })
}

func bridgeName(n *topology.Network, cfg types.NetworkConfig) string {
	if v := cfg.DriverOpts["com.docker.network.bridge.name"]; v != "" {
		return v
	}
	return "br-" + shortHash("network", n.Name)
}

func (b *builder) applyDriverOpts(n *topology.Network, cfg types.NetworkConfig, path string) {
	keys := make([]string, 0, len(cfg.DriverOpts))
	for k := range cfg.DriverOpts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := cfg.DriverOpts[k]
		opath := path + ".driver_opts." + k
		parseBool := func() (bool, bool) {
			bv, err := strconv.ParseBool(v)
			if err != nil {
				b.problem(opath, "invalid value %q: want true or false", v)
				return false, false
			}
			return bv, true
		}
		switch k {
		case "com.docker.network.bridge.enable_icc":
			if bv, ok := parseBool(); ok {
				n.ICC = bv // R7-4
			}
		case "com.docker.network.bridge.enable_ip_masquerade":
			if bv, ok := parseBool(); ok {
				n.Masquerade = bv // R7-8
			}
		case "com.docker.network.bridge.host_binding_ipv4":
			a, err := netip.ParseAddr(v)
			if err != nil {
				b.problem(opath, "invalid address %q", v)
			} else {
				n.HostBindingIPv4 = a // R8-6
			}
		case "com.docker.network.bridge.gateway_mode_ipv4":
			switch v {
			case "nat", "nat-unprotected", "routed", "isolated":
				n.GatewayMode = v
				if v != "nat" {
					b.warn("W-GATEWAY-MODE", "R8-13", b.ix.lookup(opath), "gateway mode %q is recorded but composenet models only the default \"nat\" mode's firewall rules", v)
					b.fix("verify the flows of this network on a real host")
				}
			default:
				b.problem(opath, "invalid gateway mode %q (want nat, nat-unprotected, routed or isolated)", v)
			}
		}
	}
}

func (b *builder) applyNetworkExt(n *topology.Network, ext types.Extensions, path string) {
	raw, ok := ext["x-composenet"]
	if !ok {
		return
	}
	m, ok := raw.(map[string]any)
	if !ok {
		b.problem(path+".x-composenet", "want a mapping such as {latency: 2ms}")
		return
	}
	for _, k := range sortedKeys(m) {
		switch k {
		case "latency":
			d, err := parseDuration(m[k])
			if err != nil {
				b.problem(path+".x-composenet.latency", "%v", err)
				continue
			}
			n.Latency = d
		default:
			b.problem(path+".x-composenet."+k, "unknown x-composenet field %q for a network (known: latency)", k)
		}
	}
}

func parseDuration(v any) (time.Duration, error) {
	s := fmt.Sprint(v)
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > topology.MaxLatency {
		return 0, fmt.Errorf("invalid duration %s (want 0 to 1h, e.g. 500us, 2ms)", topology.QuoteName(s))
	}
	return d, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// overlapping returns an allocated subnet that overlaps s, if any.
func (b *builder) overlapping(s netip.Prefix) netip.Prefix {
	for _, a := range b.allocated {
		if a.Overlaps(s) {
			return a
		}
	}
	return netip.Prefix{}
}

// nextPool returns the lowest free default-pool subnet (R3-1, R3-2): one
// that overlaps no allocated subnet, no on-link host route and no host
// nameserver.
func (b *builder) nextPool() (netip.Prefix, bool) {
	for _, pool := range b.hs.daemon.AddressPools {
		step := uint64(1) << (32 - pool.Size)
		base := ipam.AddrToU32(pool.Base.Addr())
		count := uint64(1) << (pool.Size - pool.Base.Bits())
		for i := uint64(0); i < count; i++ {
			cand := netip.PrefixFrom(ipam.U32ToAddr(uint32(uint64(base)+i*step)), pool.Size)
			if b.overlapping(cand).IsValid() {
				continue
			}
			clash := false
			for _, h := range b.hs.host.Addresses {
				if h.Addr().Is4() && h.Masked().Overlaps(cand) {
					clash = true
				}
			}
			for _, ns := range b.hs.host.Nameservers {
				if cand.Contains(ns) {
					clash = true
				}
			}
			if !clash {
				return cand, true
			}
		}
	}
	return netip.Prefix{}, false
}

func isDefaultPoolCandidate(d topology.Daemon, s netip.Prefix) bool {
	for _, p := range d.AddressPools {
		if prefixContains(p.Base, s) && s.Bits() == p.Size {
			return true
		}
	}
	return false
}

func lessPrefix(a, b netip.Prefix) bool { return a.Addr().Less(b.Addr()) }

func prefixContains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

// firstUsable is the gateway Docker picks when none is given (R3-6): the
// first free address of ip_range when set (which can be its .0, R3-9), else
// the subnet's first host address.
func firstUsable(subnet, rng netip.Prefix, aux []netip.Addr) netip.Addr {
	a := ipam.NewV4(subnet, rng, netip.Addr{}, aux)
	ip, _ := a.Next()
	return ip
}

// ulaSubnet returns the i-th /64 of the model's stand-in for the host's
// unique local /48 (R3-11). Docker derives the /48 from the engine's host
// ID, which composenet cannot know; the stand-in is fixed so that output is
// deterministic.
func ulaSubnet(i int) netip.Prefix {
	h := sha256.Sum256([]byte("composenet-host-id"))
	var b [16]byte
	b[0] = 0xfd
	copy(b[1:6], h[:5])
	b[6], b[7] = byte(i>>8), byte(i)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}
