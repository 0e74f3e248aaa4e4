// Package gen generates realistic synthetic Docker Compose projects for
// tests and benchmarks: services spread over several networks (some of them
// internal), published ports (some bound to 127.0.0.1 only), network
// aliases, replicated services, environment variables holding URLs that
// point at other services (reachable or not), depends_on, and
// x-composenet listeners.
//
// The output is a pure function of Config: the same seed gives the same
// bytes (math/rand/v2 with a PCG source seeded from Config.Seed; no maps
// are iterated while writing). It stays inside Docker's limits so that it
// loads: small projects leave subnets to IPAM (the default pools hold only
// about 30 automatic subnets), larger ones give most networks an explicit
// subnet in 10.0.0.0/8 sized for their members; fixed host ports are
// unique and below the ephemeral range; replicated services publish only
// ephemeral host ports (a fixed one would be taken twice).
package gen

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
)

// Config says what to generate.
type Config struct {
	// Services is the number of services (at least 1).
	Services int
	// Networks is the number of networks (at least 1); when it exceeds
	// Services, some networks are left without members and compose drops
	// them, as it does for unused networks.
	Networks int
	// Seed selects the project; the same seed gives the same bytes.
	Seed uint64
	// Project is the compose project name (default "gen").
	Project string
}

// MaxServices and MaxNetworks bound Config so that the output fits the
// address and port spaces Docker has.
const (
	MaxServices = 100000
	MaxNetworks = 10000
)

// autoSubnetLimit is how many networks may take an automatic subnet from
// the default address pools (172.18-31/16 and 192.168.x/20 minus the host's
// own 192.168.1.0/24 leave about 29).
const autoSubnetLimit = 8

// role is one kind of service with its image and listening port.
type role struct {
	name   string
	image  string
	port   uint16
	scheme string
}

var roles = []role{
	{"web", "nginx:1.27-alpine", 80, "http"},
	{"api", "node:22-alpine", 3000, "http"},
	{"auth", "golang:1.26-alpine", 8080, "http"},
	{"cart", "node:22-alpine", 3000, "http"},
	{"catalog", "python:3.13-slim", 8000, "http"},
	{"orders", "eclipse-temurin:21-jre", 8080, "http"},
	{"payments", "golang:1.26-alpine", 8443, "https"},
	{"search", "opensearchproject/opensearch:2", 9200, "http"},
	{"worker", "python:3.13-slim", 9000, "http"},
	{"cache", "redis:7-alpine", 6379, "redis"},
	{"db", "postgres:17-alpine", 5432, "postgres"},
	{"queue", "rabbitmq:4-alpine", 5672, "amqp"},
	{"mail", "axllent/mailpit:v1.21", 1025, "smtp"},
	{"metrics", "prom/prometheus:v3.0.0", 9090, "http"},
	{"gateway", "traefik:v3.2", 8080, "http"},
}

type service struct {
	name     string
	role     role
	nets     []int // network indexes; nets[0] is the home network
	aliases  [][]string
	replicas int
	ports    []string
	env      [][2]string
	deps     []string
	listen   []string // nil: not declared
}

type network struct {
	key      string
	internal bool
	members  int
	subnet   netip.Prefix // invalid: automatic
}

// Generate returns the YAML of a compose project described by cfg.
func Generate(cfg Config) ([]byte, error) {
	if cfg.Services < 1 || cfg.Services > MaxServices {
		return nil, fmt.Errorf("services must be between 1 and %d, got %d", MaxServices, cfg.Services)
	}
	if cfg.Networks < 1 || cfg.Networks > MaxNetworks {
		return nil, fmt.Errorf("networks must be between 1 and %d, got %d", MaxNetworks, cfg.Networks)
	}
	if cfg.Project == "" {
		cfg.Project = "gen"
	}
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	nets := makeNetworks(r, cfg.Networks)
	svcs := makeServices(r, cfg.Services, nets)
	if err := assignSubnets(nets, cfg.Services); err != nil {
		return nil, err
	}
	return write(cfg, nets, svcs), nil
}

func makeNetworks(r *rand.Rand, n int) []*network {
	nets := make([]*network, n)
	width := len(fmt.Sprint(n - 1))
	for i := range nets {
		nets[i] = &network{key: fmt.Sprintf("net%0*d", width, i)}
		// Network 0 is never internal so that every project has egress.
		nets[i].internal = i > 0 && r.IntN(4) == 0
	}
	return nets
}

func makeServices(r *rand.Rand, n int, nets []*network) []*service {
	svcs := make([]*service, n)
	width := len(fmt.Sprint(n - 1))
	nextPort := 10000 // fixed host ports: unique, below the ephemeral range
	for i := range svcs {
		ro := roles[r.IntN(len(roles))]
		s := &service{name: fmt.Sprintf("%s-%0*d", ro.name, width, i), role: ro, replicas: 1}
		svcs[i] = s
		// Home network round-robin so that every network has members,
		// plus zero to two more networks.
		s.nets = []int{i % len(nets)}
		for extra := r.IntN(3); extra > 0 && len(nets) > 1; extra-- {
			k := r.IntN(len(nets))
			if !slices.Contains(s.nets, k) {
				s.nets = append(s.nets, k)
			}
		}
		s.aliases = make([][]string, len(s.nets))
		for j := range s.nets {
			switch r.IntN(10) {
			case 0:
				// A shared role alias: several services answer to it (R6-6).
				s.aliases[j] = []string{ro.name}
			case 1, 2:
				s.aliases[j] = []string{fmt.Sprintf("%s-%d.svc", ro.name, i)}
			}
		}
		if r.IntN(10) == 0 {
			s.replicas = 2 + r.IntN(3)
		}
		for _, k := range s.nets {
			nets[k].members += s.replicas
		}
		egress := slices.ContainsFunc(s.nets, func(k int) bool { return !nets[k].internal })
		if egress && r.IntN(7) == 0 && nextPort < 32000 {
			switch {
			case s.replicas > 1:
				s.ports = append(s.ports, fmt.Sprint(ro.port))
			case r.IntN(4) == 0:
				s.ports = append(s.ports, fmt.Sprintf("127.0.0.1:%d:%d", nextPort, ro.port))
				nextPort++
			default:
				s.ports = append(s.ports, fmt.Sprintf("%d:%d", nextPort, ro.port))
				nextPort++
			}
		}
		s.env = append(s.env, [2]string{"SERVICE_NAME", s.name})
		s.env = append(s.env, [2]string{"PORT", fmt.Sprint(ro.port)})
		if i > 0 {
			for k, links := 0, 1+r.IntN(3); k < links; k++ {
				t := pickTarget(r, svcs[:i], s, nets)
				key := strings.ToUpper(strings.ReplaceAll(t.name, "-", "_")) + "_URL"
				if slices.ContainsFunc(s.env, func(kv [2]string) bool { return kv[0] == key }) {
					continue
				}
				url := fmt.Sprintf("%s://%s:%d", t.role.scheme, t.name, t.role.port)
				s.env = append(s.env, [2]string{key, url})
				if r.IntN(2) == 0 && !slices.Contains(s.deps, t.name) {
					s.deps = append(s.deps, t.name)
				}
			}
		}
		slices.Sort(s.deps)
		if r.IntN(5) != 0 {
			s.listen = []string{fmt.Sprint(ro.port)}
			if r.IntN(4) == 0 {
				s.listen = append(s.listen, "9100")
			}
		}
	}
	return svcs
}

// pickTarget chooses an earlier service for s to talk to: usually one that
// shares a network with s (reachable), sometimes any (maybe unreachable).
func pickTarget(r *rand.Rand, earlier []*service, s *service, nets []*network) *service {
	if r.IntN(4) != 0 {
		for range 8 {
			t := earlier[r.IntN(len(earlier))]
			for _, k := range t.nets {
				if slices.Contains(s.nets, k) {
					return t
				}
			}
		}
		// The previous service with the same home network (homes are
		// assigned round-robin).
		if j := len(earlier) - len(nets); j >= 0 {
			return earlier[j]
		}
	}
	return earlier[r.IntN(len(earlier))]
}

// assignSubnets leaves the first few networks of small projects to IPAM and
// gives every other network an explicit subnet in 10.0.0.0/8, at least a
// /24, large enough for its members, the gateway and a quarter spare;
// blocks are aligned and laid out in network order.
func assignSubnets(nets []*network, services int) error {
	auto := 0
	if services <= 200 {
		auto = autoSubnetLimit
	}
	var cursor uint32 = 10 << 24
	const end uint32 = 11 << 24
	for i, n := range nets {
		if i < auto || n.members == 0 {
			continue
		}
		need := uint32(n.members + n.members/4 + 4)
		bitsNeeded := max(8, 32-bits.LeadingZeros32(need-1))
		size := uint32(1) << bitsNeeded
		cursor = (cursor + size - 1) &^ (size - 1)
		if cursor+size > end || cursor < 10<<24 {
			return fmt.Errorf("networks do not fit in 10.0.0.0/8; use fewer services or more networks")
		}
		a := netip.AddrFrom4([4]byte{byte(cursor >> 24), byte(cursor >> 16), byte(cursor >> 8), byte(cursor)})
		n.subnet = netip.PrefixFrom(a, 32-bitsNeeded)
		cursor += size
	}
	return nil
}

func write(cfg Config, nets []*network, svcs []*service) []byte {
	var b strings.Builder
	b.Grow(len(svcs) * 600)
	fmt.Fprintf(&b, "# Synthetic project for tests and benchmarks:\n# composenet generate --services %d --networks %d --seed %d\nname: %s\n\nservices:\n",
		cfg.Services, cfg.Networks, cfg.Seed, cfg.Project)
	for _, s := range svcs {
		fmt.Fprintf(&b, "  %s:\n    image: %s\n", s.name, s.role.image)
		if s.replicas > 1 {
			fmt.Fprintf(&b, "    deploy:\n      replicas: %d\n", s.replicas)
		}
		b.WriteString("    networks:\n")
		for j, k := range s.nets {
			if len(s.aliases[j]) == 0 {
				fmt.Fprintf(&b, "      %s: {}\n", nets[k].key)
				continue
			}
			fmt.Fprintf(&b, "      %s:\n        aliases: [%s]\n", nets[k].key, strings.Join(s.aliases[j], ", "))
		}
		if len(s.ports) > 0 {
			b.WriteString("    ports:\n")
			for _, p := range s.ports {
				fmt.Fprintf(&b, "      - %q\n", p)
			}
		}
		b.WriteString("    environment:\n")
		for _, kv := range s.env {
			fmt.Fprintf(&b, "      %s: %q\n", kv[0], kv[1])
		}
		if len(s.deps) > 0 {
			fmt.Fprintf(&b, "    depends_on: [%s]\n", strings.Join(s.deps, ", "))
		}
		if s.listen != nil {
			quoted := make([]string, len(s.listen))
			for i, p := range s.listen {
				quoted[i] = fmt.Sprintf("%q", p)
			}
			fmt.Fprintf(&b, "    x-composenet:\n      listen: [%s]\n", strings.Join(quoted, ", "))
		}
	}
	b.WriteString("\nnetworks:\n")
	for _, n := range nets {
		if !n.internal && !n.subnet.IsValid() {
			fmt.Fprintf(&b, "  %s: {}\n", n.key)
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", n.key)
		if n.internal {
			b.WriteString("    internal: true\n")
		}
		if n.subnet.IsValid() {
			fmt.Fprintf(&b, "    ipam:\n      config:\n        - subnet: %s\n", n.subnet)
		}
	}
	return []byte(b.String())
}
