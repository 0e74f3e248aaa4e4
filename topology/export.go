package topology

import (
	"strconv"
)

// Doc is the machine-readable form of a Topology that `composenet inspect
// --format json` prints. Its field names are a contract: other tools read
// them (see the README's schema).
type Doc struct {
	Project string   `json:"project"`
	Files   []string `json:"files"`
	// Projects are the projects on the host in up order, when several
	// share it (Merge); omitted for one project.
	Projects   []ProjectDoc   `json:"projects,omitempty"`
	Daemon     Daemon         `json:"daemon"`
	Networks   []NetworkDoc   `json:"networks"`
	Containers []ContainerDoc `json:"containers"`
	Warnings   []WarningDoc   `json:"warnings"`
}

// NetworkDoc is one network in a Doc.
type NetworkDoc struct {
	Key              string `json:"key"`
	Name             string `json:"name"`
	Driver           string `json:"driver"`
	Bridge           string `json:"bridge"`
	Subnet           string `json:"subnet"`
	SubnetConfigured bool   `json:"subnet_configured"`
	IPRange          string `json:"ip_range,omitempty"`
	Gateway          string `json:"gateway"`
	Subnet6          string `json:"subnet_ipv6,omitempty"`
	Gateway6         string `json:"gateway_ipv6,omitempty"`
	Internal         bool   `json:"internal"`
	External         bool   `json:"external"`
	Attachable       bool   `json:"attachable"`
	EnableIPv6       bool   `json:"enable_ipv6"`
	ICC              bool   `json:"icc"`
	Masquerade       bool   `json:"masquerade"`
	Declared         bool   `json:"declared,omitempty"`
	// Project is the project that created the network when several
	// projects share the host (Merge); omitted for one project, the host
	// description's networks and external networks no project creates.
	Project  string `json:"project,omitempty"`
	Position string `json:"position,omitempty"`
}

// ProjectDoc is one project of a host that runs several.
type ProjectDoc struct {
	Name  string   `json:"name"`
	Files []string `json:"files"`
}

// ContainerDoc is one container in a Doc.
type ContainerDoc struct {
	Name string `json:"name"`
	// Project is the container's project when several projects share the
	// host; its service is then named "project/service".
	Project     string        `json:"project,omitempty"`
	Service     string        `json:"service"`
	Replica     int           `json:"replica"`
	ID          string        `json:"id"`
	Hostname    string        `json:"hostname"`
	NetworkMode string        `json:"network_mode"`
	NetNS       string        `json:"netns,omitempty"`
	StartOrder  int           `json:"start_order"`
	Endpoints   []EndpointDoc `json:"endpoints"`
	Ports       []PortDoc     `json:"ports"`
	Expose      []string      `json:"expose,omitempty"`
	Listen      []string      `json:"listen,omitempty"`
	Links       []LinkDoc     `json:"links,omitempty"`
	ExtraHosts  []HostDoc     `json:"extra_hosts,omitempty"`
	DNS         []string      `json:"dns,omitempty"`
	Declared    bool          `json:"declared,omitempty"`
	Position    string        `json:"position,omitempty"`
}

// EndpointDoc is one endpoint in a Doc.
type EndpointDoc struct {
	Network     string   `json:"network"`
	NetworkName string   `json:"network_name"`
	IPv4        string   `json:"ipv4"`
	IPv6        string   `json:"ipv6,omitempty"`
	Static      bool     `json:"static"`
	Gateway     bool     `json:"gateway"`
	Interface   string   `json:"interface_name,omitempty"`
	Aliases     []string `json:"aliases"`
	DNSNames    []string `json:"dns_names"`
}

// PortDoc is one published port binding in a Doc.
type PortDoc struct {
	HostIP        string `json:"host_ip"`
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Protocol      string `json:"protocol"`
	Ephemeral     bool   `json:"ephemeral"`
	Network       string `json:"network"`
	Position      string `json:"position,omitempty"`
}

// LinkDoc is one link alias in a Doc.
type LinkDoc struct {
	Alias  string `json:"alias"`
	Target string `json:"target"`
}

// HostDoc is one extra_hosts entry in a Doc.
type HostDoc struct {
	Name string `json:"name"`
	IP   string `json:"ip"`
}

// WarningDoc is one warning in a Doc.
type WarningDoc struct {
	Code     string `json:"code"`
	Rule     string `json:"rule,omitempty"`
	Message  string `json:"message"`
	Position string `json:"position"`
	Fix      string `json:"fix,omitempty"`
	// Notice is true for tie-break statements (not misconfigurations).
	Notice bool `json:"notice"`
}

// Doc returns the machine-readable form of t.
func (t *Topology) Doc() Doc {
	d := Doc{Project: t.Project, Files: t.Files, Daemon: t.Daemon, Networks: []NetworkDoc{}, Containers: []ContainerDoc{}, Warnings: []WarningDoc{}}
	for _, n := range t.Networks {
		nd := NetworkDoc{Key: n.Key, Name: n.Name, Driver: n.Driver, Bridge: n.Bridge, Subnet: str(n.Subnet), SubnetConfigured: n.SubnetConfigured,
			Gateway: str(n.Gateway), Internal: n.Internal, External: n.External, Attachable: n.Attachable, EnableIPv6: n.EnableIPv6,
			ICC: n.ICC, Masquerade: n.Masquerade, Declared: n.Declared, Project: n.Project, Position: n.Pos.String(), Subnet6: str(n.Subnet6), Gateway6: str(n.Gateway6)}
		if n.IPRange.IsValid() {
			nd.IPRange = n.IPRange.String()
		}
		d.Networks = append(d.Networks, nd)
	}
	for _, p := range t.Projects {
		d.Projects = append(d.Projects, ProjectDoc{Name: p.Name, Files: nonNil(p.Files)})
	}
	for _, c := range t.Containers {
		mode := c.NetworkMode
		if mode == "" {
			mode = "networks"
		}
		cd := ContainerDoc{Name: c.Name, Service: c.Service, Replica: c.Replica, ID: c.ID, Hostname: c.Hostname, NetworkMode: mode,
			StartOrder: c.StartOrder, Endpoints: []EndpointDoc{}, Ports: []PortDoc{}, DNS: c.DNS, Declared: c.Declared, Position: c.Pos.String()}
		if c.NetNS != nil && c.NetNS != c {
			cd.NetNS = c.NetNS.Name
		}
		if len(t.Projects) > 0 {
			cd.Project = c.Project
		}
		gw := c.GatewayEndpoint()
		for _, e := range c.Endpoints {
			ed := EndpointDoc{Network: e.Network.Key, NetworkName: e.Network.Name, IPv4: str(e.IPv4), IPv6: str(e.IPv6), Static: e.Static, Gateway: e == gw, Interface: e.Interface,
				Aliases: nonNil(e.Aliases), DNSNames: nonNil(e.DNSNames)}
			d := ed
			cd.Endpoints = append(cd.Endpoints, d)
		}
		for _, p := range c.Ports {
			netName := ""
			if p.Endpoint != nil {
				netName = p.Endpoint.Network.Name
			}
			cd.Ports = append(cd.Ports, PortDoc{HostIP: p.HostIP.String(), HostPort: int(p.HostPort), ContainerPort: int(p.ContainerPort), Protocol: p.Protocol, Ephemeral: p.Ephemeral, Network: netName, Position: p.Pos.String()})
		}
		for _, x := range c.Expose {
			cd.Expose = append(cd.Expose, x.String())
		}
		for _, x := range c.Listen {
			cd.Listen = append(cd.Listen, x.String())
		}
		for _, l := range c.Links {
			cd.Links = append(cd.Links, LinkDoc{Alias: l.Alias, Target: l.Target})
		}
		for _, h := range c.ExtraHosts {
			cd.ExtraHosts = append(cd.ExtraHosts, HostDoc{Name: h.Name, IP: h.IP.String()})
		}
		d.Containers = append(d.Containers, cd)
	}
	for _, w := range t.Warnings {
		d.Warnings = append(d.Warnings, WarningDoc{Code: w.Code, Rule: w.Rule, Message: w.Message, Position: w.Pos.String(), Fix: w.Fix, Notice: w.Notice})
	}
	return d
}

type stringer interface {
	IsValid() bool
	String() string
}

func str(s stringer) string {
	if !s.IsValid() {
		return ""
	}
	return s.String()
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// FormatBinding formats a binding as docker ps does, e.g.
// "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" (R8-6).
func FormatBinding(p PortBinding) string {
	hp := strconv.Itoa(int(p.HostPort))
	target := strconv.Itoa(int(p.ContainerPort)) + "/" + p.Protocol
	if p.HostIP.Is4() {
		s := p.HostIP.String() + ":" + hp + "->" + target
		if p.HostIP.IsUnspecified() && !p.Family4Only {
			s += ", [::]:" + hp + "->" + target
		}
		return s
	}
	return "[" + p.HostIP.String() + "]:" + hp + "->" + target
}
