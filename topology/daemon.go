package topology

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
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

// MaxLatency bounds every latency figure (x-composenet latency and
// processing, --latency, the host description's latency): sums of hops
// stay far from overflowing.
const MaxLatency = time.Hour

// Set applies one daemon setting by its dockerd name (--daemon KEY=VALUE).
func (d *Daemon) Set(key, val string) error {
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

// Set applies one latency override by hop name (--latency HOP=DURATION).
func (l *LatencyModel) Set(key, val string) error {
	d, err := time.ParseDuration(val)
	if err != nil || d < 0 || d > MaxLatency {
		return fmt.Errorf("%s: invalid duration %s (want 0 to 1h, e.g. 40us, 2ms)", key, QuoteName(val))
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
