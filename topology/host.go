package topology

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// DefaultDaemon returns the baseline host B0's daemon settings (section 0.4).
func DefaultDaemon() Daemon {
	return Daemon{
		UserlandProxy:      true,
		ICC:                true,
		IPMasq:             true,
		Bridge0:            netip.MustParsePrefix("172.17.0.1/16"),
		AddressPools:       DefaultAddressPools(),
		HostGatewayIP:      netip.MustParseAddr("172.17.0.1"),
		EphemeralPortStart: 32768,
		EphemeralPortEnd:   60999,
		Engine:             DefaultEngine,
	}
}

// DefaultAddressPools returns Docker's local-scope default pools (R3-1).
func DefaultAddressPools() []AddressPool {
	return []AddressPool{
		{netip.MustParsePrefix("172.17.0.0/16"), 16},
		{netip.MustParsePrefix("172.18.0.0/16"), 16},
		{netip.MustParsePrefix("172.19.0.0/16"), 16},
		{netip.MustParsePrefix("172.20.0.0/14"), 16},
		{netip.MustParsePrefix("172.24.0.0/14"), 16},
		{netip.MustParsePrefix("172.28.0.0/14"), 16},
		{netip.MustParsePrefix("192.168.0.0/16"), 20},
	}
}

// DefaultHost returns the host the model assumes unless told otherwise: one
// LAN interface 192.168.1.10/24, nameserver 192.168.1.1, no INPUT firewall.
func DefaultHost() Host {
	return Host{
		Addresses:   []netip.Prefix{netip.MustParsePrefix("192.168.1.10/24")},
		Nameservers: []netip.Addr{netip.MustParseAddr("192.168.1.1")},
	}
}

// hostFile is the YAML shape of a host description.
type hostFile struct {
	Daemon      map[string]yaml.Node `yaml:"daemon"`
	Addresses   []string             `yaml:"addresses"`
	Nameservers []string             `yaml:"nameservers"`
	Firewall    yaml.Node            `yaml:"firewall"`
	Interfaces  []hostInterface      `yaml:"interfaces"`
	Listeners   []string             `yaml:"listeners"`
	Latency     map[string]string    `yaml:"latency"`
	Networks    []hostNetwork        `yaml:"networks"`
	Containers  []hostContainer      `yaml:"containers"`
}

type hostInterface struct {
	Name      string   `yaml:"name"`
	Addresses []string `yaml:"addresses"`
}

// hostFirewall is the mapping form of firewall: (issue 16).
type hostFirewall struct {
	IptablesSave string   `yaml:"iptables-save"`
	DockerUser   []string `yaml:"docker-user"`
	Input        []string `yaml:"input"`
	BrNetfilter  *bool    `yaml:"br_netfilter"`
	// Filters is the old boolean meaning: the host filters INPUT.
	Filters bool `yaml:"filters-input"`
}

type hostNetwork struct {
	Name     string `yaml:"name"`
	Subnet   string `yaml:"subnet"`
	Gateway  string `yaml:"gateway"`
	Internal bool   `yaml:"internal"`
	ICC      *bool  `yaml:"icc"`
	line     int
}

type hostContainer struct {
	Name     string                  `yaml:"name"`
	Networks map[string]hostEndpoint `yaml:"networks"`
	Listen   []string                `yaml:"listen"`
	line     int
}

type hostEndpoint struct {
	Aliases     []string `yaml:"aliases"`
	IPv4Address string   `yaml:"ipv4_address"`
}

// hostSpec is the parsed environment outside the project.
type hostSpec struct {
	daemon     Daemon
	host       Host
	latency    LatencyModel
	networks   []hostNetwork
	containers []hostContainer
	file       string
	// firewallFile is the absolute path of the iptables-save file read.
	firewallFile string
	warnings     []Warning
}

func loadHost(dir, file string, daemonKV, latencyKV []string) (*hostSpec, []Problem) {
	hs := &hostSpec{daemon: DefaultDaemon(), host: DefaultHost(), latency: DefaultLatency()}
	var problems []Problem
	if file != "" {
		path := file
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		name := displayPath(dir, path)
		hs.file = name
		raw, err := ReadInput(path)
		if err != nil {
			return nil, []Problem{{Pos: Position{File: name}, Message: "cannot read host description: " + err.Error()}}
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			line, col := yamlErrorLine(err.Error())
			return nil, []Problem{{Pos: Position{File: name, Line: line, Col: col}, Message: cleanYAMLError(err.Error())}}
		}
		ix := map[string]Position{}
		if len(doc.Content) > 0 {
			if p := walkNode(doc.Content[0], "", name, ix); p != nil {
				return nil, []Problem{*p}
			}
		}
		pos := func(p string) Position {
			for {
				if q, ok := ix[p]; ok {
					return q
				}
				i := strings.LastIndexByte(p, '.')
				if i < 0 {
					return Position{File: name, Line: 1, Col: 1}
				}
				p = p[:i]
			}
		}
		var hf hostFile
		if err := doc.Decode(&hf); err != nil {
			line, col := yamlErrorLine(err.Error())
			return nil, []Problem{{Pos: Position{File: name, Line: line, Col: col}, Message: cleanYAMLError(err.Error())}}
		}
		keys := make([]string, 0, len(hf.Daemon))
		for k := range hf.Daemon {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			n := hf.Daemon[k]
			val := n.Value
			if n.Kind == yaml.SequenceNode {
				var parts []string
				for _, c := range n.Content {
					if c.Kind == yaml.MappingNode {
						var m struct {
							Base string `yaml:"base"`
							Size int    `yaml:"size"`
						}
						_ = c.Decode(&m)
						parts = append(parts, fmt.Sprintf("%s/%d", m.Base, m.Size))
					} else {
						parts = append(parts, c.Value)
					}
				}
				val = strings.Join(parts, ",")
			}
			if err := hs.daemon.set(k, val); err != nil {
				problems = append(problems, Problem{Pos: pos("daemon." + k), Path: "daemon." + k, Message: err.Error()})
			}
		}
		if len(hf.Addresses) > 0 {
			hs.host.Addresses = nil
		}
		for i, a := range hf.Addresses {
			p, err := netip.ParsePrefix(a)
			if err != nil {
				if ad, err2 := netip.ParseAddr(a); err2 == nil {
					p = netip.PrefixFrom(ad, ad.BitLen())
				} else {
					problems = append(problems, Problem{Pos: pos(fmt.Sprintf("addresses.%d", i)), Path: fmt.Sprintf("addresses.%d", i), Message: fmt.Sprintf("invalid address %q (want an address with its prefix, e.g. 192.168.1.10/24)", a)})
					continue
				}
			}
			hs.host.Addresses = append(hs.host.Addresses, p)
		}
		if len(hf.Nameservers) > 0 {
			hs.host.Nameservers = nil
		}
		for i, a := range hf.Nameservers {
			ad, err := netip.ParseAddr(a)
			if err != nil {
				problems = append(problems, Problem{Pos: pos(fmt.Sprintf("nameservers.%d", i)), Path: fmt.Sprintf("nameservers.%d", i), Message: fmt.Sprintf("invalid address %q", a)})
				continue
			}
			hs.host.Nameservers = append(hs.host.Nameservers, ad)
		}
		problems = append(problems, hs.loadFirewall(dir, path, name, &hf, pos)...)
		for i, l := range hf.Listeners {
			pp, err := ParsePortProto(l)
			if err != nil {
				problems = append(problems, Problem{Pos: pos(fmt.Sprintf("listeners.%d", i)), Path: fmt.Sprintf("listeners.%d", i), Message: err.Error()})
				continue
			}
			hs.host.Listeners = append(hs.host.Listeners, pp)
		}
		lkeys := make([]string, 0, len(hf.Latency))
		for k := range hf.Latency {
			lkeys = append(lkeys, k)
		}
		sort.Strings(lkeys)
		for _, k := range lkeys {
			if err := hs.latency.set(k, hf.Latency[k]); err != nil {
				problems = append(problems, Problem{Pos: pos("latency." + k), Path: "latency." + k, Message: err.Error()})
			}
		}
		for i := range hf.Networks {
			n := &hf.Networks[i]
			n.line = pos(fmt.Sprintf("networks.%d", i)).Line
			if n.Name == "" {
				problems = append(problems, Problem{Pos: pos(fmt.Sprintf("networks.%d", i)), Path: fmt.Sprintf("networks.%d", i), Message: "a declared network needs a name"})
			}
		}
		for i := range hf.Containers {
			c := &hf.Containers[i]
			c.line = pos(fmt.Sprintf("containers.%d", i)).Line
			if c.Name == "" {
				problems = append(problems, Problem{Pos: pos(fmt.Sprintf("containers.%d", i)), Path: fmt.Sprintf("containers.%d", i), Message: "a declared container needs a name"})
			}
		}
		hs.networks = hf.Networks
		hs.containers = hf.Containers
	}
	for _, kv := range daemonKV {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			problems = append(problems, Problem{Path: "--daemon", Message: fmt.Sprintf("%q: want KEY=VALUE", kv)})
			continue
		}
		if err := hs.daemon.set(k, v); err != nil {
			problems = append(problems, Problem{Path: "--daemon " + k, Message: err.Error()})
		}
	}
	for _, kv := range latencyKV {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			problems = append(problems, Problem{Path: "--latency", Message: fmt.Sprintf("%q: want HOP=DURATION", kv)})
			continue
		}
		if err := hs.latency.set(k, v); err != nil {
			problems = append(problems, Problem{Path: "--latency " + k, Message: err.Error()})
		}
	}
	return hs, problems
}

// set applies one daemon setting by its dockerd name.
func (d *Daemon) set(key, val string) error {
	boolVal := func() (bool, error) {
		b, err := strconv.ParseBool(val)
		if err != nil {
			return false, fmt.Errorf("%s: want true or false, got %q", key, val)
		}
		return b, nil
	}
	var err error
	switch key {
	case "engine":
		d.Engine, err = ParseEngineVersion(val)
	case "userland-proxy":
		d.UserlandProxy, err = boolVal()
	case "icc":
		d.ICC, err = boolVal()
	case "ip-masq":
		d.IPMasq, err = boolVal()
	case "bip":
		p, perr := netip.ParsePrefix(val)
		if perr != nil || !p.Addr().Is4() {
			return fmt.Errorf("bip: want an IPv4 address with prefix, e.g. 172.17.0.1/16, got %q", val)
		}
		hostGW := d.HostGatewayIP == d.Bridge0.Addr()
		d.Bridge0 = p
		if hostGW {
			d.HostGatewayIP = p.Addr()
		}
	case "host-gateway-ip":
		a, perr := netip.ParseAddr(val)
		if perr != nil {
			return fmt.Errorf("host-gateway-ip: invalid address %q", val)
		}
		d.HostGatewayIP = a
	case "default-address-pools":
		var pools []AddressPool
		for _, item := range strings.Split(val, ",") {
			item = strings.TrimSpace(item)
			i := strings.LastIndexByte(item, '/')
			j := -1
			if i > 0 {
				j = strings.LastIndexByte(item[:i], '/')
			}
			if j < 0 {
				return fmt.Errorf("default-address-pools: want BASE/BITS/SIZE items such as 10.10.0.0/16/24, got %q", item)
			}
			base, perr := netip.ParsePrefix(item[:i])
			size, serr := strconv.Atoi(item[i+1:])
			if perr != nil || serr != nil || size < base.Bits() || size > 32 || !base.Addr().Is4() {
				return fmt.Errorf("default-address-pools: invalid pool %q", item)
			}
			pools = append(pools, AddressPool{Base: base.Masked(), Size: size})
		}
		d.AddressPools = pools
	case "ephemeral-port-range", "ip_local_port_range":
		a, b, ok := strings.Cut(val, "-")
		lo, e1 := strconv.Atoi(strings.TrimSpace(a))
		hi, e2 := strconv.Atoi(strings.TrimSpace(b))
		if !ok || e1 != nil || e2 != nil || lo < 1 || hi > 65535 || lo > hi {
			return fmt.Errorf("%s: want LOW-HIGH, got %q", key, val)
		}
		d.EphemeralPortStart, d.EphemeralPortEnd = lo, hi
	default:
		return fmt.Errorf("unknown daemon setting %q (known: engine, userland-proxy, icc, ip-masq, bip, host-gateway-ip, default-address-pools, ephemeral-port-range)", key)
	}
	return err
}

// set applies one latency override by hop name.
func (l *LatencyModel) set(key, val string) error {
	d, err := time.ParseDuration(val)
	if err != nil || d < 0 || d > MaxLatency {
		return fmt.Errorf("%s: invalid duration %s (want 0 to 1h, e.g. 40us, 2ms)", key, quoteName(val))
	}
	switch strings.ReplaceAll(key, "-", "_") {
	case "veth":
		l.Veth = d
	case "bridge":
		l.Bridge = d
	case "netfilter":
		l.Netfilter = d
	case "nat":
		l.NAT = d
	case "proxy", "docker_proxy":
		l.Proxy = d
	case "host_routing":
		l.HostRouting = d
	case "loopback":
		l.Loopback = d
	case "embedded_dns", "dns":
		l.EmbeddedDNS = d
	case "upstream_dns":
		l.UpstreamDNS = d
	case "lan":
		l.LAN = d
	case "internet":
		l.Internet = d
	default:
		return fmt.Errorf("unknown latency hop %q (known: veth, bridge, netfilter, nat, proxy, host_routing, loopback, embedded_dns, upstream_dns, lan, internet)", key)
	}
	return nil
}

// ParsePortProto parses "80", "80/tcp" or "53/udp".
func ParsePortProto(s string) (PortProto, error) {
	p, proto, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return PortProto{}, fmt.Errorf("invalid port %q (want PORT[/tcp|udp|sctp])", s)
	}
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return PortProto{}, fmt.Errorf("invalid protocol in %q (want tcp, udp or sctp)", s)
	}
	return PortProto{Port: uint16(n), Protocol: proto}, nil
}

// loadFirewall reads the firewall: and interfaces: keys of a host
// description: firewall: true (the host filters INPUT, R7-7), or a mapping
// with iptables-save: PATH (relative to the host file), docker-user: and
// input: lists of rules, br_netfilter: and filters-input:.
func (hs *hostSpec) loadFirewall(dir, hostPath, hostName string, hf *hostFile, pos func(string) Position) []Problem {
	var problems []Problem
	for i, ifc := range hf.Interfaces {
		p := fmt.Sprintf("interfaces.%d", i)
		if ifc.Name == "" {
			problems = append(problems, Problem{Pos: pos(p), Path: p, Message: "an interface needs a name (e.g. eth0)"})
			continue
		}
		hi := Interface{Name: ifc.Name}
		for j, a := range ifc.Addresses {
			pf, err := netip.ParsePrefix(a)
			if err != nil {
				problems = append(problems, Problem{Pos: pos(fmt.Sprintf("%s.addresses.%d", p, j)), Path: fmt.Sprintf("%s.addresses.%d", p, j), Message: fmt.Sprintf("invalid address %q (want an address with its prefix, e.g. 192.168.1.10/24)", a)})
				continue
			}
			hi.Addresses = append(hi.Addresses, pf)
		}
		hs.host.Interfaces = append(hs.host.Interfaces, hi)
	}
	if len(hf.Addresses) == 0 && len(hs.host.Interfaces) > 0 {
		// The interfaces' addresses are the host's addresses.
		hs.host.Addresses = nil
		for _, ifc := range hs.host.Interfaces {
			hs.host.Addresses = append(hs.host.Addresses, ifc.Addresses...)
		}
	}
	n := &hf.Firewall
	switch n.Kind {
	case 0:
		return problems
	case yaml.ScalarNode:
		b, err := strconv.ParseBool(n.Value)
		if err != nil {
			return append(problems, Problem{Pos: pos("firewall"), Path: "firewall", Message: fmt.Sprintf("want true, false or a mapping (iptables-save:, docker-user:, input:), got %q", n.Value)})
		}
		hs.host.Firewall = b
		return problems
	case yaml.MappingNode:
	default:
		return append(problems, Problem{Pos: pos("firewall"), Path: "firewall", Message: "want true, false or a mapping (iptables-save:, docker-user:, input:)"})
	}
	var fw hostFirewall
	if err := n.Decode(&fw); err != nil {
		return append(problems, Problem{Pos: pos("firewall"), Path: "firewall", Message: cleanYAMLError(err.Error())})
	}
	hs.host.Firewall = fw.Filters
	hs.host.BrNetfilter = fw.BrNetfilter
	rs := &Ruleset{Source: hostName, Tables: map[string]map[string][]*FWRule{}, Policies: map[string]string{}}
	if fw.IptablesSave != "" {
		p := fw.IptablesSave
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(hostPath), p)
		}
		name := displayPath(dir, p)
		raw, err := ReadInput(p)
		if err != nil {
			problems = append(problems, Problem{Pos: pos("firewall.iptables-save"), Path: "firewall.iptables-save", Message: "cannot read iptables-save file " + name + ": " + strings.TrimPrefix(err.Error(), "open "+p+": ")})
		} else {
			hs.firewallFile = p
			parsed, ps, ws := ParseIptablesSave(name, string(raw))
			problems = append(problems, ps...)
			hs.warnings = append(hs.warnings, ws...)
			rs = parsed
		}
	}
	inline := func(key, chain string, rules []string) {
		if len(rules) == 0 {
			return
		}
		if rs.Tables["filter"] == nil {
			rs.Tables["filter"] = map[string][]*FWRule{}
		}
		for i, text := range rules {
			path := fmt.Sprintf("firewall.%s.%d", key, i)
			p := pos(path)
			line := text
			if f := strings.Fields(text); len(f) < 2 || (f[0] != "-A" && f[0] != "--append") {
				line = "-A " + chain + " " + text
			}
			r, err := ParseRule("filter", line, p)
			if err != nil {
				problems = append(problems, Problem{Pos: p, Path: path, Message: err.Error()})
				continue
			}
			if len(r.Unsupported) > 0 {
				hs.warnings = append(hs.warnings, unsupportedWarning(r))
			}
			rs.Tables["filter"][r.Chain] = append(rs.Tables["filter"][r.Chain], r)
		}
	}
	inline("docker-user", "DOCKER-USER", fw.DockerUser)
	inline("input", "INPUT", fw.Input)
	hs.host.Rules = rs
	return problems
}
