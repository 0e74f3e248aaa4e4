package loader

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/composenet/composenet/topology"

	"go.yaml.in/yaml/v4"
)

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
	daemon     topology.Daemon
	host       topology.Host
	latency    topology.LatencyModel
	networks   []hostNetwork
	containers []hostContainer
	file       string
	// firewallFile is the absolute path of the iptables-save file read.
	firewallFile string
	warnings     []topology.Warning
}

func loadHost(dir, file string, daemonKV, latencyKV []string) (*hostSpec, []topology.Problem) {
	hs := &hostSpec{daemon: topology.DefaultDaemon(), host: topology.DefaultHost(), latency: topology.DefaultLatency()}
	var problems []topology.Problem
	if file != "" {
		path := file
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		name := displayPath(dir, path)
		hs.file = name
		raw, err := topology.ReadInput(path)
		if err != nil {
			return nil, []topology.Problem{{Pos: topology.Position{File: name}, Message: "cannot read host description: " + err.Error()}}
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			line, col := yamlErrorLine(err.Error())
			return nil, []topology.Problem{{Pos: topology.Position{File: name, Line: line, Col: col}, Message: cleanYAMLError(err.Error())}}
		}
		ix := map[string]topology.Position{}
		if len(doc.Content) > 0 {
			if p := walkNode(doc.Content[0], "", name, ix); p != nil {
				return nil, []topology.Problem{*p}
			}
		}
		pos := func(p string) topology.Position {
			for {
				if q, ok := ix[p]; ok {
					return q
				}
				i := strings.LastIndexByte(p, '.')
				if i < 0 {
					return topology.Position{File: name, Line: 1, Col: 1}
				}
				p = p[:i]
			}
		}
		var hf hostFile
		if err := doc.Decode(&hf); err != nil {
			line, col := yamlErrorLine(err.Error())
			return nil, []topology.Problem{{Pos: topology.Position{File: name, Line: line, Col: col}, Message: cleanYAMLError(err.Error())}}
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
			if err := hs.daemon.Set(k, val); err != nil {
				problems = append(problems, topology.Problem{Pos: pos("daemon." + k), Path: "daemon." + k, Message: err.Error()})
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
					problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("addresses.%d", i)), Path: fmt.Sprintf("addresses.%d", i), Message: fmt.Sprintf("invalid address %q (want an address with its prefix, e.g. 192.168.1.10/24)", a)})
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
				problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("nameservers.%d", i)), Path: fmt.Sprintf("nameservers.%d", i), Message: fmt.Sprintf("invalid address %q", a)})
				continue
			}
			hs.host.Nameservers = append(hs.host.Nameservers, ad)
		}
		problems = append(problems, hs.loadFirewall(dir, path, name, &hf, pos)...)
		for i, l := range hf.Listeners {
			pp, err := topology.ParsePortProto(l)
			if err != nil {
				problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("listeners.%d", i)), Path: fmt.Sprintf("listeners.%d", i), Message: err.Error()})
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
			if err := hs.latency.Set(k, hf.Latency[k]); err != nil {
				problems = append(problems, topology.Problem{Pos: pos("latency." + k), Path: "latency." + k, Message: err.Error()})
			}
		}
		for i := range hf.Networks {
			n := &hf.Networks[i]
			n.line = pos(fmt.Sprintf("networks.%d", i)).Line
			if n.Name == "" {
				problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("networks.%d", i)), Path: fmt.Sprintf("networks.%d", i), Message: "a declared network needs a name"})
			}
		}
		for i := range hf.Containers {
			c := &hf.Containers[i]
			c.line = pos(fmt.Sprintf("containers.%d", i)).Line
			if c.Name == "" {
				problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("containers.%d", i)), Path: fmt.Sprintf("containers.%d", i), Message: "a declared container needs a name"})
			}
		}
		hs.networks = hf.Networks
		hs.containers = hf.Containers
	}
	for _, kv := range daemonKV {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			problems = append(problems, topology.Problem{Path: "--daemon", Message: fmt.Sprintf("%q: want KEY=VALUE", kv)})
			continue
		}
		if err := hs.daemon.Set(k, v); err != nil {
			problems = append(problems, topology.Problem{Path: "--daemon " + k, Message: err.Error()})
		}
	}
	for _, kv := range latencyKV {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			problems = append(problems, topology.Problem{Path: "--latency", Message: fmt.Sprintf("%q: want HOP=DURATION", kv)})
			continue
		}
		if err := hs.latency.Set(k, v); err != nil {
			problems = append(problems, topology.Problem{Path: "--latency " + k, Message: err.Error()})
		}
	}
	return hs, problems
}

// loadFirewall reads the firewall: and interfaces: keys of a host
// description: firewall: true (the host filters INPUT, R7-7), or a mapping
// with iptables-save: PATH (relative to the host file), docker-user: and
// input: lists of rules, br_netfilter: and filters-input:.
func (hs *hostSpec) loadFirewall(dir, hostPath, hostName string, hf *hostFile, pos func(string) topology.Position) []topology.Problem {
	var problems []topology.Problem
	for i, ifc := range hf.Interfaces {
		p := fmt.Sprintf("interfaces.%d", i)
		if ifc.Name == "" {
			problems = append(problems, topology.Problem{Pos: pos(p), Path: p, Message: "an interface needs a name (e.g. eth0)"})
			continue
		}
		hi := topology.Interface{Name: ifc.Name}
		for j, a := range ifc.Addresses {
			pf, err := netip.ParsePrefix(a)
			if err != nil {
				problems = append(problems, topology.Problem{Pos: pos(fmt.Sprintf("%s.addresses.%d", p, j)), Path: fmt.Sprintf("%s.addresses.%d", p, j), Message: fmt.Sprintf("invalid address %q (want an address with its prefix, e.g. 192.168.1.10/24)", a)})
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
			return append(problems, topology.Problem{Pos: pos("firewall"), Path: "firewall", Message: fmt.Sprintf("want true, false or a mapping (iptables-save:, docker-user:, input:), got %q", n.Value)})
		}
		hs.host.Firewall = b
		return problems
	case yaml.MappingNode:
	default:
		return append(problems, topology.Problem{Pos: pos("firewall"), Path: "firewall", Message: "want true, false or a mapping (iptables-save:, docker-user:, input:)"})
	}
	var fw hostFirewall
	if err := n.Decode(&fw); err != nil {
		return append(problems, topology.Problem{Pos: pos("firewall"), Path: "firewall", Message: cleanYAMLError(err.Error())})
	}
	hs.host.Firewall = fw.Filters
	hs.host.BrNetfilter = fw.BrNetfilter
	rs := &topology.Ruleset{Source: hostName, Tables: map[string]map[string][]*topology.FWRule{}, Policies: map[string]string{}}
	if fw.IptablesSave != "" {
		p := fw.IptablesSave
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(hostPath), p)
		}
		name := displayPath(dir, p)
		raw, err := topology.ReadInput(p)
		if err != nil {
			problems = append(problems, topology.Problem{Pos: pos("firewall.iptables-save"), Path: "firewall.iptables-save", Message: "cannot read iptables-save file " + name + ": " + strings.TrimPrefix(err.Error(), "open "+p+": ")})
		} else {
			hs.firewallFile = p
			parsed, ps, ws := topology.ParseIptablesSave(name, string(raw))
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
			rs.Tables["filter"] = map[string][]*topology.FWRule{}
		}
		for i, text := range rules {
			path := fmt.Sprintf("firewall.%s.%d", key, i)
			p := pos(path)
			line := text
			if f := strings.Fields(text); len(f) < 2 || (f[0] != "-A" && f[0] != "--append") {
				line = "-A " + chain + " " + text
			}
			r, err := topology.ParseRule("filter", line, p)
			if err != nil {
				problems = append(problems, topology.Problem{Pos: p, Path: path, Message: err.Error()})
				continue
			}
			if len(r.Unsupported) > 0 {
				hs.warnings = append(hs.warnings, topology.UnsupportedWarning(r))
			}
			rs.Tables["filter"][r.Chain] = append(rs.Tables["filter"][r.Chain], r)
		}
	}
	inline("docker-user", "DOCKER-USER", fw.DockerUser)
	inline("input", "INPUT", fw.Input)
	hs.host.Rules = rs
	return problems
}
