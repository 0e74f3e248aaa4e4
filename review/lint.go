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
	"sync"

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

// RuleDescription returns the one-line description of an L- code (for
// SARIF), or "" for codes that are not review's own.
func RuleDescription(code string) string { return ruleDescriptions()[code] }

// ruleDescriptions describes every L- code. It is never modified.
var ruleDescriptions = sync.OnceValue(func() map[string]string {
	return map[string]string{
		CodeEnvUnresolved:  "a service names another in an environment value, but the name does not resolve from it",
		CodeEnvUnreachable: "a service names another in an environment value; the name resolves but the connection is blocked",
		CodeDatastoreAll:   "a datastore publishes its port on every host interface",
		CodeNetUnused:      "a network the service joins that no declared call uses (least privilege)",
		CodeDefaultNetwork: "a service on the default network of a project that otherwise segments its networks",
		// Reverse-proxy routes (routes_lint.go).
		CodeRouteUnreachable: "a reverse-proxy route (label or environment) whose backend the proxy cannot reach on the route's port",
		CodeRouteNetwork:     "traefik.docker.network names a network the backend does not join (traefik then picks another of its networks)",
		CodeRouteBypass:      "a backend routed by a reverse proxy also publishes the route's port on every host interface (clients go around the proxy)",
		CodeRouteNoTLS:       "a route without TLS on a proxy that terminates TLS for its other routes, with no redirect to HTTPS",
		CodeRouteAdmin:       "an admin UI, the traefik dashboard or a datastore routed to the internet/LAN with no middleware or authentication",
		// Host firewall codes (lint_firewall.go).
		CodeFWDportAfterDNAT: firewallRules()[CodeFWDportAfterDNAT],
		CodeFWInputPublished: firewallRules()[CodeFWInputPublished],
		CodeFWReplies:        firewallRules()[CodeFWReplies],
		CodeFWContainers:     firewallRules()[CodeFWContainers],
	}
})

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

// datastores are image families of datastores, including vendor images
// built on them (wazuh-indexer is OpenSearch, supavisor and pgbouncer pool
// PostgreSQL), matched against the last path component of the repository.
var datastores = []string{"postgres", "postgis", "pgvector", "timescaledb", "supavisor", "pgbouncer", "pgpool", "mysql", "mariadb", "percona", "mongo", "ferretdb", "redis", "valkey", "keydb", "dragonfly", "elasticsearch", "opensearch", "wazuh-indexer", "kafka", "cp-kafka", "redpanda", "zookeeper", "cp-zookeeper", "memcached", "cassandra", "scylla", "rabbitmq", "influxdb", "couchdb", "couchbase", "neo4j", "clickhouse", "etcd", "minio", "mssql", "oracle", "cockroach", "arangodb", "rethinkdb", "questdb", "qdrant", "weaviate", "milvus", "meilisearch", "typesense", "solr", "surrealdb", "yugabyte", "tidb", "nats"}

// toolWords mark tools named after a datastore: admin UIs, exporters,
// dashboards, proxies to a managed service, backup jobs.
var toolWords = []string{"express", "insight", "commander", "-ui", "ui-", "exporter", "admin", "manager", "dashboard", "browser", "backup", "operator", "cloudsql", "connect", "rest-proxy", "schema-registry", "ksql", "control-center", "init", "migrat", "setup"}

// datastorePorts are well-known datastore ports (container side).
var datastorePorts = sync.OnceValue(func() map[uint16]string {
	return map[uint16]string{
		5432: "PostgreSQL", 3306: "MySQL/MariaDB", 6379: "Redis", 27017: "MongoDB",
		9200: "Elasticsearch/OpenSearch HTTP", 9300: "Elasticsearch transport",
		5672: "AMQP (RabbitMQ)", 9042: "Cassandra CQL", 2181: "ZooKeeper",
		9092: "Kafka", 11211: "Memcached", 8086: "InfluxDB", 5984: "CouchDB",
		7474: "Neo4j HTTP", 7687: "Neo4j Bolt", 1433: "SQL Server", 1521: "Oracle",
		26257: "CockroachDB", 2379: "etcd", 8529: "ArangoDB", 28015: "RethinkDB",
		6333: "Qdrant", 4222: "NATS",
	}
})

// IsDatastore reports whether image names a well-known datastore (by the
// last path component of the repository, before the tag).
func IsDatastore(image string) bool {
	return datastoreFamily(image) != ""
}

// datastoreFamily returns the datastore family image belongs to, or "".
func datastoreFamily(image string) string {
	repo := image
	if i := strings.IndexAny(repo, "@"); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndexByte(repo, '/'); i >= 0 {
		repo = repo[i+1:]
	}
	if i := strings.IndexByte(repo, ':'); i >= 0 {
		repo = repo[:i]
	}
	repo = strings.ToLower(repo)
	for _, t := range toolWords {
		if strings.Contains(repo, t) {
			return "" // mongo-express, redisinsight, kafka-ui, postgres-exporter, opensearch-dashboards
		}
	}
	for _, d := range datastores {
		if repo == d || strings.HasPrefix(repo, d+"-") || strings.HasPrefix(repo, d+"db") || strings.HasPrefix(repo, d+"ql") {
			return d
		}
	}
	return ""
}

// datastoreEvidence says why the published port p of sv is a datastore's
// ("" when it is not): the image family (a service built from source is
// judged by its name), or the container port's well-known datastore
// protocol.
func datastoreEvidence(sv *topology.Service, p topology.PortBinding) string {
	var ev []string
	switch {
	case sv == nil:
	case sv.Image == "":
		if f := datastoreFamily(sv.Name); f != "" {
			ev = append(ev, fmt.Sprintf("built from source; its name says %s", f))
		}
	default:
		if f := datastoreFamily(sv.Image); f != "" {
			ev = append(ev, fmt.Sprintf("image %s is a %s image", sv.Image, f))
		}
	}
	if what := datastorePorts()[p.ContainerPort]; what != "" && (p.Protocol == "" || p.Protocol == "tcp") {
		ev = append(ev, fmt.Sprintf("container port %d is %s's well-known port", p.ContainerPort, what))
	}
	return strings.Join(ev, "; ")
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
	// callsTo[from][service]: a declared call of from names service (by
	// the container that answered, or by the name itself).
	callsTo := map[string]map[string]bool{}
	callTo := func(from, to string) {
		if callsTo[from] == nil {
			callsTo[from] = map[string]bool{}
		}
		callsTo[from][to] = true
	}
	for _, cl := range calls {
		callTo(cl.From, cl.Host)
	}
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
		case r.Verdict == sim.NameNotResolved && !names[cl.Host] && t.InactiveService(cl.Host) != nil:
			// R1-10: the peer exists but its profile is off; the call works
			// when the profile is enabled.
			in := t.InactiveService(cl.Host)
			add(Finding{Code: CodeEnvUnresolved, Severity: Info, Service: cl.From, Pos: cl.Env.Pos, Rule: "R1-10",
				Message: fmt.Sprintf("%s=%s (read as a %s): %s is in profile %s, which is not active: the call works only with that profile", cl.Env.Key, cl.Env.Value, inferText()[cl.Rule], cl.Host, strings.Join(in.Profiles, ", ")),
				Fix:     fmt.Sprintf("add --profile %s (or COMPOSE_PROFILES=%s) when %s needs %s", in.Profiles[0], in.Profiles[0], cl.From, cl.Host)})
		case r.Verdict == sim.NameNotResolved && !names[cl.Host]:
			// Nothing in the project answers to the name. Only single
			// labels get here (dotted unregistered names are public).
			msg := fmt.Sprintf("%s=%s (read as a %s): no service, container or alias of the project is named %q", cl.Env.Key, cl.Env.Value, inferText()[cl.Rule], cl.Host)
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
				Message: fmt.Sprintf("%s=%s (read as a %s): %s cannot resolve %q (%s): the call cannot work", cl.Env.Key, cl.Env.Value, inferText()[cl.Rule], cl.From, cl.Host, r.Reason), Fix: fix})
		case !r.Reachable && r.Verdict != sim.InvalidQuery && !(cl.Port == 0 && r.Verdict == sim.Refused):
			add(Finding{Code: CodeEnvUnreachable, Severity: Error, Service: cl.From, Pos: cl.Env.Pos,
				Message: fmt.Sprintf("%s=%s (read as a %s): %s -> %s is %s (%s)", cl.Env.Key, cl.Env.Value, inferText()[cl.Rule], cl.From, target, r.Verdict, r.Reason), Fix: orText(fix, "give both services a common network")})
		}
		// A call that resolved shows which network it means to use, even
		// when the connection itself is blocked.
		// Every network the caller shares with the peer counts: the call
		// could take any of them, so none is "unused".
		if r.DNS != nil && r.DNS.Network != "" {
			use(from, r.DNS.Network)
			for _, a := range r.DNS.Answers {
				if c := s.Container(a.Container); c != nil {
					use(c, a.Network)
					callTo(cl.From, c.Service)
					for _, ea := range from.Endpoints {
						for _, eb := range c.Endpoints {
							if ea.Network == eb.Network {
								use(from, ea.Network.Key)
								use(c, eb.Network.Key)
							}
						}
					}
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
			if p.HostIP.IsValid() && !p.HostIP.IsUnspecified() || c.Replica > 1 {
				continue
			}
			if ev := datastoreEvidence(sv, p); ev != "" {
				add(Finding{Code: CodeDatastoreAll, Severity: Warning, Service: c.Service, Pos: p.Pos, Rule: "R8-6",
					Message: fmt.Sprintf("datastore %s (%s) publishes %s on every host interface: the LAN (and the internet, without a host firewall) reaches it", c.Service, ev, topology.FormatBinding(p)),
					Fix:     fmt.Sprintf("remove the ports entry (services on its network reach it without publishing), or bind it to 127.0.0.1:%d:%d", p.HostPort, p.ContainerPort)})
			}
		}
	}
	routed := lintRoutes(t, s, add, use, callTo)
	lintRouteDesign(t, add)
	lintUnused(t, calls, routed, used, add)
	lintDefaultNetwork(t, add)
	for _, w := range t.Warnings {
		if w.Notice {
			continue // tie-break statements, not design findings
		}
		fix := w.Fix
		if fix == "" {
			fix = "see the rule book, " + orText(w.Rule, "section 11")
		}
		sev := Warning
		if w.Code == "W-DEPENDS-NO-NETWORK" && !callsTo[w.Service][w.Peer] {
			// Start order without a call is harmless: a hint, not a
			// warning (a declared call is an L-ENV finding already).
			sev = Info
			w.Message += fmt.Sprintf(" (no declared call of %s names %s, so this is only start order)", w.Service, w.Peer)
		}
		add(Finding{Code: w.Code, Severity: sev, Pos: w.Pos, Rule: w.Rule, Message: w.Message, Fix: fix})
	}
	lintFirewall(t, s, add)
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

// proxies are reverse-proxy image families: they route by their own
// configuration (nginx.conf, labels, Caddyfile), which lint does not read.
var proxies = []string{"nginx", "traefik", "caddy", "haproxy", "envoy", "httpd", "apache", "kong", "varnish", "apisix", "openresty", "nginx-proxy", "swag", "oauth2-proxy", "pomerium"}

// isProxy reports whether sv runs a reverse proxy (by image family, or by
// name when built from source).
func isProxy(sv *topology.Service) bool {
	ref := sv.Image
	if ref == "" {
		ref = sv.Name
	}
	if i := strings.IndexByte(ref, '@'); i >= 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		ref = ref[i+1:]
	}
	if i := strings.IndexByte(ref, ':'); i >= 0 {
		ref = ref[:i]
	}
	ref = strings.ToLower(ref)
	for _, p := range proxies {
		if ref == p || strings.HasPrefix(ref, p+"-") || strings.HasSuffix(ref, "-"+p) || ref == "proxy" {
			return true
		}
	}
	return false
}

// lintUnused reports attachments no evidence uses (L-NET-UNUSED), and only
// where the advice is safe: the service declares calls of its own (else
// its traffic is configured elsewhere and unknown), it is not a reverse
// proxy, the network carries no declared call in either direction, no
// published port, no depends_on partner and no reverse proxy that may
// route to it; and at least one of its networks stays used,
// so the advice never cuts it off from every peer.
func lintUnused(t *topology.Topology, calls []Call, routed map[string]bool, used map[string]map[string]bool, add func(Finding)) {
	callers := map[string]bool{}
	for _, cl := range calls {
		callers[cl.From] = true
	}
	for p, known := range routed {
		callers[p] = callers[p] || known // a proxy whose routes were all read (routes.go)
	}
	if len(callers) == 0 {
		return
	}
	// Networks that carry a depends_on pair, per service.
	dep := map[string]map[string]bool{}
	mark := func(a, b *topology.Service) {
		if a == nil || b == nil || len(a.Containers) == 0 || len(b.Containers) == 0 {
			return
		}
		for _, ea := range a.Containers[0].Endpoints {
			for _, eb := range b.Containers[0].Endpoints {
				if ea.Network == eb.Network {
					if dep[a.Name] == nil {
						dep[a.Name] = map[string]bool{}
					}
					dep[a.Name][ea.Network.Key] = true
				}
			}
		}
	}
	for _, sv := range t.Services {
		for _, d := range sv.DependsOn {
			mark(sv, t.Service(d))
			mark(t.Service(d), sv)
		}
	}
	// Networks with a reverse proxy on them: it may route to any peer there
	// by its own configuration.
	ingress := map[*topology.Network][]string{}
	for _, sv := range t.Services {
		if len(sv.Containers) == 0 {
			continue
		}
		c := sv.Containers[0]
		if isProxy(sv) && !routed[sv.Name] {
			for _, e := range c.Endpoints {
				ingress[e.Network] = append(ingress[e.Network], sv.Name)
			}
		}
	}
	for _, sv := range t.Services {
		if !callers[sv.Name] || isProxy(sv) && !routed[sv.Name] || len(sv.Containers) == 0 || len(sv.Containers[0].Endpoints) < 2 {
			continue
		}
		c := sv.Containers[0]
		var unused []*topology.Endpoint
		for _, e := range c.Endpoints {
			if e.Network.Key == "" || used[c.Name][e.Network.Key] || dep[sv.Name][e.Network.Key] {
				continue
			}
			routed := false
			for _, p := range ingress[e.Network] {
				if p != sv.Name {
					routed = true
				}
			}
			if !routed {
				unused = append(unused, e)
			}
		}
		if len(unused) == len(c.Endpoints) {
			continue // no evidence at all: never advise cutting it off
		}
		for _, e := range unused {
			add(Finding{Code: CodeNetUnused, Severity: Info, Service: sv.Name, Pos: e.Pos,
				Message: fmt.Sprintf("%s joins %s but nothing uses it: no declared call in either direction, no published port, no depends_on partner and no reverse proxy on it", sv.Name, e.Network.Key),
				Fix:     fmt.Sprintf("remove %s from %s's networks unless a call configured elsewhere needs it (its other networks carry its declared calls)", e.Network.Key, sv.Name)})
		}
	}
}

// lintDefaultNetwork reports services that land on the default network
// implicitly (no networks: key) in a project whose services mostly choose
// their networks (L-DEFAULT-NETWORK, R2-1). A project that uses default
// deliberately (declares it at the top level, or lists it in a service's
// networks) is not segmented around it, so nothing is reported.
func lintDefaultNetwork(t *topology.Topology, add func(Finding)) {
	var implicit []*topology.Service
	explicit := 0
	for _, sv := range t.Services {
		if len(sv.Containers) == 0 || sv.Containers[0].NetworkMode != "" {
			continue
		}
		eps := sv.Containers[0].Endpoints
		onDefault, isImplicit := false, false
		for _, e := range eps {
			if e.Network.Key == "default" {
				onDefault = true
				// An implicit attachment has no networks entry: its position
				// falls back to the service's own.
				isImplicit = len(eps) == 1 && e.Pos == sv.Pos
				if !e.Network.Pos.IsZero() || !isImplicit {
					return // default is a deliberate tier
				}
			}
		}
		switch {
		case onDefault && isImplicit:
			implicit = append(implicit, sv)
		case len(eps) > 0:
			explicit++
		}
	}
	// Alone on default, a service reaches nothing and nothing reaches it
	// there: no finding (a busybox data container, say).
	if len(implicit) < 2 || explicit <= len(implicit) {
		return
	}
	for _, sv := range implicit {
		var others []string
		for _, o := range implicit {
			if o != sv {
				others = append(others, o.Name)
			}
		}
		add(Finding{Code: CodeDefaultNetwork, Severity: Warning, Service: sv.Name, Pos: sv.Pos, Rule: "R2-1",
			Message: fmt.Sprintf("%s has no networks: list, so it lands on the project's default network with %s, while %d of the project's services choose their networks: they reach each other there unsegmented", sv.Name, strings.Join(others, ", "), explicit),
			Fix:     fmt.Sprintf("give %s an explicit networks: list", sv.Name)})
	}
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
