package topology

import (
	"fmt"
	"net/netip"
	"time"
)

// Topology is what Docker Engine 28 with Compose v2 would build for one
// project on a host: networks with their subnets, containers with their
// endpoints and addresses, published ports, and the warnings that a real
// `docker compose up` would print or that hide silent misconfigurations.
//
// A Topology is immutable after Load returns: what-ifs use the
// copy-on-write operations of whatif.go (Stopped, WithoutService,
// WithoutEndpoint, Disconnected, WithEndpoint, WithDaemon), which return a
// new, re-indexed Topology. Every slice is sorted as its comment says so
// that output built from it is deterministic.
type Topology struct {
	// Project is the compose project name (R1-1, R1-2).
	Project string
	// WorkingDir is the project directory (absolute).
	WorkingDir string
	// Files are the compose files that were loaded, in merge order, as given
	// or discovered (paths relative to the current directory when possible).
	Files []string
	// Daemon holds the engine settings that change behaviour.
	Daemon Daemon
	// Host describes the Docker host itself: its own addresses.
	Host Host
	// Bridge0 is the default bridge network docker0 (R2-7, R3-3). It is
	// always present; containers with network_mode: bridge join it.
	Bridge0 *Network
	// Networks are the user-defined networks the project uses plus the
	// networks declared by the host description, sorted by Name (the engine
	// name). docker0 is not in this list (see Bridge0).
	Networks []*Network
	// Containers are every replica of every enabled service plus the
	// containers declared by the host description, sorted by Name.
	Containers []*Container
	// Services are the enabled services of the project, sorted by name.
	Services []*Service
	// Inactive are the services whose profiles are not enabled (R1-10),
	// sorted by name. They build nothing; they are kept so that a name
	// that refers to one is explained ("in profile X, which is not
	// active") rather than reported as unknown.
	Inactive []InactiveService
	// Warnings are sorted by position, then code.
	Warnings []Warning
	// Latency is the latency model for simulated hops (R10), with the
	// defaults of DefaultLatency unless overridden.
	Latency LatencyModel
	// NamePos is where the project's name is written (the top-level name:
	// key), zero when it comes from -p, the environment or the folder.
	NamePos Position
	// Projects are the compose projects on the host in `up` order when
	// several were merged (Merge); nil for a single project. Their
	// services are then named "project/service" (Service.Name,
	// Container.Service), and Project is the last one's name.
	Projects []ProjectInfo

	netByKey  map[string]*Network
	netByName map[string]*Network
	ctrByName map[string]*Container
	svcByName map[string]*Service
}

// ProjectInfo is one compose project of a host that runs several (Merge).
type ProjectInfo struct {
	// Name is the project name (R1-1).
	Name string
	// WorkingDir is its project directory.
	WorkingDir string
	// Files are its compose files, as Topology.Files.
	Files []string
	// NamePos is where its name is written (zero when not in a file).
	NamePos Position
}

// Daemon is the set of dockerd settings that change networking behaviour.
// The zero value is not B0; use DefaultDaemon.
type Daemon struct {
	// UserlandProxy is dockerd's userland-proxy (default true).
	UserlandProxy bool `json:"userland_proxy" yaml:"userland-proxy"`
	// ICC is dockerd's icc for the default bridge (default true).
	ICC bool `json:"icc" yaml:"icc"`
	// IPMasq is dockerd's ip-masq (default true).
	IPMasq bool `json:"ip_masq" yaml:"ip-masq"`
	// Bridge0 is docker0's address and prefix (bip), default 172.17.0.1/16.
	Bridge0 netip.Prefix `json:"bip" yaml:"bip"`
	// AddressPools are the default-address-pools, in order (R3-1).
	AddressPools []AddressPool `json:"default_address_pools" yaml:"default-address-pools"`
	// HostGatewayIP is the address host-gateway stands for in extra_hosts
	// (R6-15); default docker0's address.
	HostGatewayIP netip.Addr `json:"host_gateway_ip" yaml:"host-gateway-ip"`
	// EphemeralPortStart and EphemeralPortEnd bound ip_local_port_range
	// (R8-5), default 32768-60999.
	EphemeralPortStart int `json:"ephemeral_port_start" yaml:"ephemeral-port-start"`
	EphemeralPortEnd   int `json:"ephemeral_port_end" yaml:"ephemeral-port-end"`
	// Engine is the Docker Engine version modelled (default 28); sim
	// branches on it for the behaviours the rule book tags [VER x].
	Engine EngineVersion `json:"engine" yaml:"engine"`
}

// AddressPool is one default-address-pools entry: Base split into /Size.
type AddressPool struct {
	Base netip.Prefix `json:"base" yaml:"base"`
	Size int          `json:"size" yaml:"size"`
}

// Host is the Docker host outside the containers.
type Host struct {
	// Addresses are the host's own non-loopback interface addresses with
	// their on-link prefixes (default 192.168.1.10/24 on eth0). Auto subnets
	// skip these routes (R3-2).
	Addresses []netip.Prefix
	// Nameservers are the host resolv.conf nameservers (R6-2); auto subnets
	// skip them (R3-2).
	Nameservers []netip.Addr
	// Firewall is true when the host filters INPUT (ufw "deny incoming" and
	// the like). B0 has none (R7-7).
	Firewall bool
	// Listeners are ports that host processes listen on, on all host
	// addresses (e.g. "22/tcp"). Nil means unknown.
	Listeners []PortProto
	// Interfaces are the host's named interfaces (firewall -i/-o matches);
	// none given means one interface eth0 holding Addresses.
	Interfaces []Interface
	// Rules is the host firewall read from iptables-save or inline rules
	// (nil: DOCKER-USER empty and no INPUT rules, B0).
	Rules *Ruleset
	// BrNetfilter says whether bridged frames traverse iptables; nil means
	// Docker's own choice (loaded when icc or the userland proxy is off).
	BrNetfilter *bool
}

// Interface is one named host interface with its addresses.
type Interface struct {
	Name      string
	Addresses []netip.Prefix
}

// Network is one Docker network.
type Network struct {
	// Key is the compose key (e.g. "back"); empty for networks that the host
	// description declares and for docker0 ("bridge").
	Key string
	// Name is the engine name (R1-3).
	Name string
	// Driver is "bridge" unless set otherwise.
	Driver string
	// Internal, External, Attachable and EnableIPv6 mirror compose.
	Internal   bool
	External   bool
	Attachable bool
	EnableIPv6 bool
	// ICC is com.docker.network.bridge.enable_icc (R7-4), default true.
	ICC bool
	// Masquerade is com.docker.network.bridge.enable_ip_masquerade (R7-8),
	// default true; false on internal networks has no meaning.
	Masquerade bool
	// GatewayMode is com.docker.network.bridge.gateway_mode_ipv4 (R8-13),
	// default "nat".
	GatewayMode string
	// HostBindingIPv4 is com.docker.network.bridge.host_binding_ipv4 (R8-6);
	// invalid means 0.0.0.0 (and [::]).
	HostBindingIPv4 netip.Addr
	// Bridge is the host-side bridge device (R1-6): br-<12 hex> with a
	// deterministic stand-in for the network ID, docker0, or the
	// com.docker.network.bridge.name option.
	Bridge string
	// Subnet, IPRange and Gateway are the IPv4 IPAM configuration (R3).
	Subnet  netip.Prefix
	IPRange netip.Prefix
	Gateway netip.Addr
	// Subnet6 and Gateway6 are the IPv6 configuration when EnableIPv6 is
	// set (R3-11): the configured subnet, or a /64 of the host's ULA /48
	// (a deterministic stand-in: Docker derives it from the engine's host
	// ID). Subnet6Configured tells which.
	Subnet6           netip.Prefix
	Gateway6          netip.Addr
	Subnet6Configured bool
	// AuxAddresses are reserved addresses (R3-7).
	AuxAddresses []netip.Addr
	// SubnetConfigured is true when the compose file (or the host
	// description) gave the subnet; false when IPAM chose it (R3-2).
	SubnetConfigured bool
	// Latency is an extra one-way latency for every hop across this network
	// (x-composenet.latency); zero by default.
	Latency time.Duration
	// Declared is true for networks described by the host description
	// (outside the project).
	Declared bool
	// Pos is where the network is declared (zero for implicit ones).
	Pos Position
	// Project is the project that created the network on a host with
	// several projects (Merge): the one that declares it non-external,
	// first in up order (R2-4, R2-5). Empty for one project, for the host
	// description's networks and for external networks no project creates.
	Project string
	// Endpoints are the endpoints on this network, sorted by address.
	Endpoints []*Endpoint
}

// Service is one enabled compose service.
type Service struct {
	Name string
	// Image is the image reference ("" when only build is given).
	Image string
	// Replicas is scale/deploy.replicas (default 1).
	Replicas int
	// Containers are the replicas in number order.
	Containers []*Container
	// Environment is the resolved environment, sorted by key.
	Environment []EnvVar
	// DependsOn are the services this one waits for (R4-2), sorted.
	DependsOn []string
	// Labels are the service's labels, sorted by key (Set is always true;
	// Pos is the label entry). Reverse-proxy routes are read from them.
	Labels []EnvVar
	// Command is the service's command as compose resolved it (nil when
	// the image's default is used).
	Command []string
	// ConfigKind is ProxyNginx or ProxyHAProxy when the service bind-mounts
	// a configuration file of that proxy from the project; ConfigFiles are
	// the files read (display paths, sorted) and ConfigRoutes the routes
	// they give (Backend empty: Topology.Routes resolves Upstream).
	ConfigKind   string
	ConfigFiles  []string
	ConfigRoutes []Route
	// ConfigIncomplete says why some of the proxy's configuration was not
	// read (a file out of bounds, a syntax error, TOML, a provider file not
	// mounted from the project); "" when all of it was. Traefik is its
	// static configuration file, when one is mounted (File "" when none
	// is; traefik.go).
	ConfigIncomplete string
	Traefik          TraefikStatic
	// Pos is the position of the service's key.
	Pos Position
}

// InactiveService is a service left out because none of its profiles is
// enabled (R1-10).
type InactiveService struct {
	Name string
	// Profiles are the service's profiles, sorted.
	Profiles []string
}

// InactiveService returns the inactive service named name, or nil.
func (t *Topology) InactiveService(name string) *InactiveService {
	for i := range t.Inactive {
		if t.Inactive[i].Name == name {
			return &t.Inactive[i]
		}
	}
	return nil
}

// EnvVar is one environment entry of a service.
type EnvVar struct {
	Key   string
	Value string
	// Set is false for a bare `KEY` without value.
	Set bool
	Pos Position
}

// Container is one container (a replica of a service, or a container
// declared in the host description).
type Container struct {
	// Name is the engine name (R1-4).
	Name string
	// Service is the compose service ("" for declared containers).
	Service string
	// Project is the owning project ("" for declared containers).
	Project string
	// Replica is the replica number starting at 1 (0 for declared ones).
	Replica int
	// ID is a deterministic stand-in for the 12-hex short container ID.
	ID string
	// Hostname is the container hostname (default: the short ID, R6-3).
	Hostname string
	// NetworkMode is "" for ordinary bridge networking, or one of "host",
	// "none", "bridge", "service:<svc>", "container:<name>".
	NetworkMode string
	// NetNS is the container whose network namespace this one uses: itself
	// for ordinary containers, the provider for service:/container: modes,
	// nil for host and none.
	NetNS *Container
	// Endpoints are sorted in gateway order (R5-3): gw_priority desc,
	// non-internal first, has-gateway first, network name. Containers that
	// share another's namespace (service:/container:) and host/none
	// containers have no endpoints of their own: use NetNS.Endpoints.
	Endpoints []*Endpoint
	// Ports are the published ports, as bound (R8). Ports that Docker drops
	// (internal-only, host mode) are not here; a warning says so.
	Ports []PortBinding
	// Expose are the expose entries (metadata only, R8-4).
	Expose []PortProto
	// ExtraHosts are /etc/hosts entries (R6-15), in file order.
	ExtraHosts []HostEntry
	// DNS are the dns: servers (R6-10), as written.
	DNS []string
	// DNSOptions are dns_opt entries; NdotsSet is true when one sets ndots.
	DNSOptions []string
	NdotsSet   bool
	// Links are links and external_links (R6-14), sorted by alias.
	Links []Link
	// Listen are the ports the container's processes listen on
	// (x-composenet.listen). ListenKnown is false when not declared.
	Listen      []PortProto
	ListenKnown bool
	// Processing is the per-request processing time (x-composenet.processing).
	Processing time.Duration
	// StartOrder is the position in the simulated start sequence (R4-3).
	StartOrder int
	// Declared is true for containers from the host description.
	Declared bool
	// Pos is the position of the service.
	Pos Position
}

// Endpoint is a container's attachment to a network (R5-1).
type Endpoint struct {
	Container *Container
	Network   *Network
	// IPv4 is the address on the network (R3-8, R3-10).
	IPv4 netip.Addr
	// Static is true for ipv4_address.
	Static bool
	// AddrPos is where ipv4_address is written (zero without one).
	AddrPos Position
	// Static6 is true for ipv6_address; Addr6Pos is where it is written.
	Static6  bool
	Addr6Pos Position
	// IPv6 is the address on an IPv6-enabled network (R3-11), from ::2
	// upward in start order, or ipv6_address.
	IPv6 netip.Addr
	// Aliases are the network aliases from compose (R6-3) in file order.
	Aliases []string
	// DNSNames are the names registered on the network (R6-3), in order.
	DNSNames []string
	// GwPriority is gw_priority (R5-3).
	GwPriority int
	// Interface is interface_name (R1-6), "" when Docker numbers the
	// interfaces itself (eth0, eth1, ... in an order R5-5 leaves open).
	Interface string
	// Pos is the position of the services.<svc>.networks.<key> entry.
	Pos Position
}

// Link is one links/external_links entry, already expanded for this
// container (R6-14).
type Link struct {
	// Alias is the name the linking container uses.
	Alias string
	// Target is the target container's name.
	Target string
	// Service is the linked service ("" for external_links).
	Service string
	Pos     Position
}

// HostEntry is one extra_hosts line.
type HostEntry struct {
	Name string
	IP   netip.Addr
	// HostGateway is true when written as host-gateway.
	HostGateway bool
	Pos         Position
}

// PortProto is a port and protocol, e.g. 80/tcp.
type PortProto struct {
	Port     uint16
	Protocol string
}

// String formats p as "80/tcp".
func (p PortProto) String() string { return fmt.Sprintf("%d/%s", p.Port, p.Protocol) }

// PortBinding is one host binding of a published port (R8).
type PortBinding struct {
	// HostIP is the binding address; the unspecified 0.0.0.0 stands for
	// both 0.0.0.0 and [::] (R8-6) unless Family4Only.
	HostIP netip.Addr
	// HostPort is the host port chosen (R8-5).
	HostPort uint16
	// ContainerPort and Protocol are the target.
	ContainerPort uint16
	Protocol      string
	// Ephemeral is true when Docker picked the host port.
	Ephemeral bool
	// RangeStart and RangeEnd are the host port range asked for
	// ("8000-8010:80", R8-5), zero for a fixed or ephemeral port.
	RangeStart, RangeEnd uint16
	// Family4Only is true when host_ip was given explicitly as an IPv4
	// address (R8-6).
	Family4Only bool
	// Endpoint is the gateway endpoint the DNAT targets (R8-7).
	Endpoint *Endpoint
	Pos      Position
}

// Position is a place in an input file.
type Position struct {
	File string
	Line int
	Col  int
}

// String formats the position as file:line:col (file alone when no line).
func (p Position) String() string {
	if p.File == "" {
		return ""
	}
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Less orders positions by file, line and column.
func (p Position) Less(q Position) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// IsZero reports whether p carries no position.
func (p Position) IsZero() bool { return p.File == "" }

// Warning is a silent misconfiguration or a notice that the model applied a
// tie-break where Docker is nondeterministic.
type Warning struct {
	// Code is stable, e.g. "W-PORTS-INTERNAL".
	Code string
	// Rule is the rule-book ID, e.g. "R7-5".
	Rule    string
	Message string
	Pos     Position
	// Fix is a concrete change that removes the warning, when there is one.
	Fix string
	// Service and Peer are the services the warning is about, when it is
	// about a pair (W-DEPENDS-NO-NETWORK: the dependent and the dependency).
	Service, Peer string
	// Notice is true for statements about a documented tie-break where
	// Docker is nondeterministic (subnet order, start order), as opposed to
	// a misconfiguration.
	Notice bool
}

// LatencyModel holds the one-way costs of simulated hops (R10). All values
// are durations; DefaultLatency gives the documented defaults.
type LatencyModel struct {
	Veth        time.Duration `json:"veth"`
	Bridge      time.Duration `json:"bridge"`
	Netfilter   time.Duration `json:"netfilter"`
	NAT         time.Duration `json:"nat"`
	Proxy       time.Duration `json:"docker_proxy"`
	HostRouting time.Duration `json:"host_routing"`
	Loopback    time.Duration `json:"loopback"`
	EmbeddedDNS time.Duration `json:"embedded_dns"`
	UpstreamDNS time.Duration `json:"upstream_dns"`
	LAN         time.Duration `json:"lan"`
	Internet    time.Duration `json:"internet"`
}

// Reindex rebuilds the lookup indexes from the exported slices. Load and
// the copy-on-write operations (Stopped, WithEndpoint, ...) do this; call
// it only after building a Topology by hand (tests).
func (t *Topology) Reindex() {
	t.netByKey = map[string]*Network{}
	t.netByName = map[string]*Network{}
	t.ctrByName = map[string]*Container{}
	t.svcByName = map[string]*Service{}
	if t.Bridge0 != nil {
		t.netByName[t.Bridge0.Name] = t.Bridge0
	}
	for _, n := range t.Networks {
		if n.Key != "" {
			t.netByKey[n.Key] = n
		}
		t.netByName[n.Name] = n
	}
	for _, c := range t.Containers {
		t.ctrByName[c.Name] = c
	}
	for _, s := range t.Services {
		t.svcByName[s.Name] = s
	}
}

// Network returns the network with compose key k, or nil.
func (t *Topology) Network(k string) *Network { return t.netByKey[k] }

// NetworkByName returns the network with engine name n (docker0's name is
// "bridge"), or nil.
func (t *Topology) NetworkByName(n string) *Network { return t.netByName[n] }

// Container returns the container with engine name n, or nil.
func (t *Topology) Container(n string) *Container { return t.ctrByName[n] }

// Service returns the enabled service s, or nil.
func (t *Topology) Service(s string) *Service { return t.svcByName[s] }

// Endpoint returns c's endpoint on network n, or nil.
func (c *Container) Endpoint(n *Network) *Endpoint {
	for _, e := range c.Endpoints {
		if e.Network == n {
			return e
		}
	}
	return nil
}

// GatewayEndpoint returns the endpoint that carries the default route and
// the published ports (R5-3, R8-7): the first endpoint in gateway order
// whose network is not internal. It returns nil when every network is
// internal or the container has no endpoints of its own.
func (c *Container) GatewayEndpoint() *Endpoint {
	for _, e := range c.Endpoints {
		if !e.Network.Internal {
			return e
		}
	}
	return nil
}

// DefaultLatency returns the documented default hop costs (R10). They are
// modelling figures in the order R10-2 gives (host <= bridge <= bridge+NAT
// <= docker-proxy), scaled from R10-1's measurement that a veth/bridge path
// adds about 1 µs one way over host networking.
func DefaultLatency() LatencyModel {
	return LatencyModel{
		Veth:        2 * time.Microsecond,
		Bridge:      1 * time.Microsecond,
		Netfilter:   3 * time.Microsecond,
		NAT:         5 * time.Microsecond,
		Proxy:       40 * time.Microsecond,
		HostRouting: 2 * time.Microsecond,
		Loopback:    1 * time.Microsecond,
		EmbeddedDNS: 100 * time.Microsecond,
		UpstreamDNS: 20 * time.Millisecond,
		LAN:         500 * time.Microsecond,
		Internet:    20 * time.Millisecond,
	}
}
