// Package review turns a topology into design-review findings: intended
// calls (service addresses found in environment values) that cannot work,
// depends_on without a network path, datastores published on every host
// interface, attachments no declared call uses, the default network in a
// segmented project, and the topology's own silent-misconfiguration
// warnings (rule book section 11). Every finding has a stable code, a
// severity, the compose position and a fix. Findings are sorted by
// position, then code, then message.
//
// Calls are read from environment values only (see Calls for the typed,
// conservative inference rules). Calls configured elsewhere (nginx.conf,
// code) are not seen, so L-NET-UNUSED is a hint and never suggests cutting
// a service off from every peer.
package review

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/composenet/composenet/sim"
	"github.com/composenet/composenet/topology"
)

// Severities, most severe first.
const (
	Error   = "error"
	Warning = "warning"
	Info    = "info"
)

// Finding codes.
const (
	CodeEnvUnresolved  = "L-ENV-UNRESOLVED"
	CodeEnvUnreachable = "L-ENV-UNREACHABLE"
	CodeDatastoreAll   = "L-DATASTORE-PUBLISHED"
	CodeNetUnused      = "L-NET-UNUSED"
	CodeDefaultNetwork = "L-DEFAULT-NETWORK"
)

// Rules describes every L- code for SARIF and --help.
var Rules = map[string]string{
	CodeEnvUnresolved:  "a service names another in an environment value, but the name does not resolve from it",
	CodeEnvUnreachable: "a service names another in an environment value; the name resolves but the connection is blocked",
	CodeDatastoreAll:   "a datastore publishes its port on every host interface",
	CodeNetUnused:      "a network the service joins that no declared call uses (least privilege)",
	CodeDefaultNetwork: "a service on the default network of a project that otherwise segments its networks",
}

// Finding is one review finding.
type Finding struct {
	Code     string            `json:"code"`
	Severity string            `json:"severity"`
	Service  string            `json:"service,omitempty"`
	Message  string            `json:"message"`
	Fix      string            `json:"fix"`
	Rule     string            `json:"rule,omitempty"`
	Pos      topology.Position `json:"-"`
	Position string            `json:"position"`
}

var datastores = []string{"postgres", "postgis", "mysql", "mariadb", "mongo", "redis", "valkey", "keydb", "elasticsearch", "opensearch", "kafka", "cp-kafka", "zookeeper", "cp-zookeeper", "memcached", "cassandra", "scylla", "rabbitmq", "influxdb", "couchdb", "couchbase", "neo4j", "clickhouse", "etcd", "minio", "mssql", "oracle", "cockroach"}

// IsDatastore reports whether image names a well-known datastore (by the
// last path component of the repository, before the tag).
func IsDatastore(image string) bool {
	repo := image
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		repo = repo[i+1:]
	}
	if i := strings.IndexAny(repo, ":@"); i >= 0 {
		repo = repo[:i]
	}
	repo = strings.ToLower(repo)
	for _, d := range datastores {
		if repo == d || strings.HasPrefix(repo, d+"-") || strings.HasPrefix(repo, d+"db") || strings.HasPrefix(repo, d+"ql") {
			return true
		}
	}
	return false
}

// Lint reviews t. The result is sorted and deterministic.
func Lint(t *topology.Topology) []Finding {
	s := sim.New(t)
	var out []Finding
	add := func(f Finding) {
		f.Position = f.Pos.String()
		out = append(out, f)
	}
	// Networks used by declared calls, per container name.
	used := map[string]map[string]bool{}
	use := func(c *topology.Container, n string) {
		if c == nil {
			return
		}
		if used[c.Name] == nil {
			used[c.Name] = map[string]bool{}
		}
		used[c.Name][n] = true
	}
	calls := Calls(t)
	names := projectNames(t)
	for _, cl := range calls {
		src := t.Service(cl.From)
		if src == nil || len(src.Containers) == 0 {
			continue
		}
		from := src.Containers[0]
		r := s.Reach(sim.Query{From: from.Name, To: cl.Host, Port: cl.Port})
		target := cl.Host
		if cl.Port != 0 {
			target += ":" + strconv.Itoa(int(cl.Port))
		}
		var fixes []string
		for _, b := range r.BlockedBy {
			if b.Fix != "" && !contains(fixes, b.Fix) {
				fixes = append(fixes, b.Fix)
			}
		}
		fix := strings.Join(fixes, "; ")
		switch {
		case r.Verdict == sim.NameNotResolved && !names[cl.Host]:
			// Nothing in the project answers to the name. Only single
			// labels get here (dotted unregistered names are public).
			msg := fmt.Sprintf("%s=%s (read as a %s): no service, container or alias of the project is named %q", cl.Env.Key, cl.Env.Value, inferText[cl.Rule], cl.Host)
			fix := fmt.Sprintf("correct the name in %s, or add the service it names", cl.Env.Key)
			if dym := didYouMean(closest(cl.Host, names)); dym != "" {
				msg += ": " + dym
				fix = fmt.Sprintf("correct the name in %s (%s)", cl.Env.Key, dym)
			}
			add(Finding{Code: CodeEnvUnresolved, Severity: Error, Service: cl.From, Pos: cl.Env.Pos, Rule: "R6-7", Message: msg, Fix: fix})
		case r.Verdict == sim.NameNotResolved:
			if fix == "" {
				fix = fmt.Sprintf("attach %s to a network that %s joins, or correct the name", cl.From, cl.Host)
			}
			add(Finding{Code: CodeEnvUnresolved, Severity: Error, Service: cl.From, Pos: cl.Env.Pos, Rule: "R6-7",
				Message: fmt.Sprintf("%s=%s (read as a %s): %s cannot resolve %q (%s): the call cannot work", cl.Env.Key, cl.Env.Value, inferText[cl.Rule], cl.From, cl.Host, r.Reason), Fix: fix})
		case !r.Reachable && r.Verdict != sim.InvalidQuery && !(cl.Port == 0 && r.Verdict == sim.Refused):
			add(Finding{Code: CodeEnvUnreachable, Severity: Error, Service: cl.From, Pos: cl.Env.Pos,
				Message: fmt.Sprintf("%s=%s (read as a %s): %s -> %s is %s (%s)", cl.Env.Key, cl.Env.Value, inferText[cl.Rule], cl.From, target, r.Verdict, r.Reason), Fix: orText(fix, "give both services a common network")})
		case r.DNS != nil && r.DNS.Network != "":
			use(from, r.DNS.Network)
			for _, a := range r.DNS.Answers {
				if c := s.Container(a.Container); c != nil {
					use(c, a.Network)
				}
			}
		}
	}
	// depends_on without a shared network is the topology's
	// W-DEPENDS-NO-NETWORK warning (R4-2), surfaced below.
	// Datastores published on every interface; ingress networks count as used.
	for _, c := range t.Containers {
		sv := t.Service(c.Service)
		for _, p := range c.Ports {
			if p.Endpoint != nil {
				use(c, p.Endpoint.Network.Key)
			}
			// A service that builds its own image is judged by its name.
			var kind string
			var isStore bool
			switch {
			case sv == nil:
			case sv.Image == "":
				kind, isStore = "built from source, judged by its name", IsDatastore(sv.Name)
			default:
				kind, isStore = "image "+sv.Image, IsDatastore(sv.Image)
			}
			if isStore && (!p.HostIP.IsValid() || p.HostIP.IsUnspecified()) && c.Replica <= 1 {
				add(Finding{Code: CodeDatastoreAll, Severity: Warning, Service: c.Service, Pos: p.Pos, Rule: "R8-6",
					Message: fmt.Sprintf("datastore %s (%s) publishes %s on every host interface: the LAN (and the internet, without a host firewall) reaches it", c.Service, kind, topology.FormatBinding(p)),
					Fix:     fmt.Sprintf("remove the ports entry (services on its network reach it without publishing), or bind it to 127.0.0.1:%d:%d", p.HostPort, p.ContainerPort)})
			}
		}
	}
	// Unused attachments: only when the project declares calls at all.
	if len(calls) > 0 {
		for _, sv := range t.Services {
			if len(sv.Containers) == 0 || len(sv.Containers[0].Endpoints) < 2 {
				continue
			}
			c := sv.Containers[0]
			for _, e := range c.Endpoints {
				if e.Network.Key == "" || used[c.Name][e.Network.Key] {
					continue
				}
				add(Finding{Code: CodeNetUnused, Severity: Info, Service: sv.Name, Pos: e.Pos,
					Message: fmt.Sprintf("%s joins %s but no declared call (environment values, published ports) uses it", sv.Name, e.Network.Key),
					Fix:     fmt.Sprintf("remove %s from %s's networks unless a call configured elsewhere needs it", e.Network.Key, sv.Name)})
			}
		}
	}
	// Default network in a segmented project.
	custom := false
	for _, n := range t.Networks {
		if n.Key != "" && n.Key != "default" && !n.Declared {
			custom = true
		}
	}
	if custom {
		for _, sv := range t.Services {
			if len(sv.Containers) == 0 {
				continue
			}
			for _, e := range sv.Containers[0].Endpoints {
				if e.Network.Key == "default" {
					add(Finding{Code: CodeDefaultNetwork, Severity: Warning, Service: sv.Name, Pos: sv.Pos, Rule: "R2-1",
						Message: fmt.Sprintf("%s is on the project's default network while the project otherwise segments into named networks: everything else on default reaches it", sv.Name),
						Fix:     fmt.Sprintf("give %s an explicit networks: list", sv.Name)})
				}
			}
		}
	}
	for _, w := range t.Warnings {
		if w.Notice {
			continue // tie-break statements, not design findings
		}
		fix := w.Fix
		if fix == "" {
			fix = "see the rule book, " + orText(w.Rule, "section 11")
		}
		add(Finding{Code: w.Code, Severity: Warning, Pos: w.Pos, Rule: w.Rule, Message: w.Message, Fix: fix})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
