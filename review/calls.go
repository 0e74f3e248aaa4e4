package review

// Call inference: which environment values name a peer this service calls.
//
// Inference is typed and conservative. A value is parsed, in this order, as
// URLs (net/url: scheme://host[:port], with query parameters looked into),
// a connection string (key=value pairs: host=, server=, data source=, or a
// Go MySQL DSN's tcp(host:port)), a list of host:port pairs, or, for keys
// ending in _HOST, _ADDR, _ADDRESS, _URL, _URI, _HOSTS, _SERVERS or
// _BROKERS, a bare name (list). Each Call records the variable and the
// inference rule (Infer*) that produced it.
//
// Not calls:
//   - variables that configure this service's own listener or its public
//     face: keys containing LISTEN, BIND, PUBLIC, EXTERNAL, ADVERTIS,
//     CALLBACK, REDIRECT, ORIGIN, CORS, ALLOWED or TRUSTED, and
//     ASPNETCORE_URLS, DOTNET_URLS, URLS (listen addresses);
//   - booleans, numbers, wildcards (*, +, 0.0.0.0, ::), IP literals,
//     localhost, the service's own name;
//   - placeholders (replace-me, changeme, your-…, example, <…>, xxx, todo);
//   - dotted names the project does not register (public hostnames);
//   - the host part of s3://, gs://, file://, unix://, sqlite:// and similar
//     URLs (a bucket or a path, not a peer); their query parameters are
//     still read (s3://bucket?endpoint=seaweedfs:8333 calls seaweedfs).
//
// A single-label name that nothing in the project registers is kept: it
// can only be an internal peer, so lint reports it (L-ENV-UNRESOLVED).

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/composenet/composenet/topology"
)

// Inference rules: how a Call was read from its environment value.
const (
	// InferURL is the host of a URL (scheme://host[:port]).
	InferURL = "url"
	// InferURLQuery is a host:port or URL inside a URL's query parameter
	// (s3://bucket?endpoint=seaweedfs:8333).
	InferURLQuery = "url-query"
	// InferDSN is the host of a connection string (host=db port=5432,
	// Server=db;Port=1433, user@tcp(mysql:3306)/x).
	InferDSN = "dsn"
	// InferHostPort is a host:port pair (or a comma-separated list).
	InferHostPort = "host-port"
	// InferHostKey is a bare name in the value of a *_HOST-style key, with
	// the port from a sibling *_PORT key when given.
	InferHostKey = "host-key"
)

var inferText = sync.OnceValue(func() map[string]string {
	return map[string]string{
		InferURL:      "URL host",
		InferURLQuery: "peer in a URL query parameter",
		InferDSN:      "connection-string host",
		InferHostPort: "host:port value",
		InferHostKey:  "host name in a *_HOST-style variable",
	}
})

// Call is an intended call read from an environment value.
type Call struct {
	From string
	Host string
	Port uint16
	Env  topology.EnvVar
	// Rule is the Infer* rule that read the call from Env.
	Rule string
}

// Why says which variable and which inference rule produced the call, e.g.
// "DB_URL, read as a URL host".
func (c Call) Why() string {
	return c.Env.Key + ", read as a " + inferText()[c.Rule]
}

var (
	urlRe      = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s,;"'()]+`) })
	hostPortRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-zA-Z0-9_][a-zA-Z0-9._-]*):([0-9]{1,5})$`) })
	mysqlTCPRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`@tcp\(([^()/\s]+)\)`) })
	keySuffix  = []string{"_HOST", "_ADDR", "_ADDRESS", "_URL", "_URI", "_BROKERS", "_SERVERS", "_HOSTS"}
	// notCallKeys mark variables about the service's own listener or its
	// public face, not about a peer it calls.
	notCallKeys = []string{"LISTEN", "BIND", "PUBLIC", "EXTERNAL", "ADVERTIS", "CALLBACK", "REDIRECT", "ORIGIN", "CORS", "ALLOWED", "TRUSTED"}
	listenKeys  = sync.OnceValue(func() map[string]bool {
		return map[string]bool{"ASPNETCORE_URLS": true, "DOTNET_URLS": true, "URLS": true}
	})
	schemePort = sync.OnceValue(func() map[string]uint16 {
		return map[string]uint16{"http": 80, "https": 443, "ws": 80, "wss": 443, "postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306, "redis": 6379, "rediss": 6379, "mongodb": 27017, "amqp": 5672, "amqps": 5671, "kafka": 9092, "nats": 4222, "memcached": 11211, "clickhouse": 9000, "smtp": 25, "ldap": 389, "ldaps": 636}
	})
	// pathSchemes name a bucket, file or socket, not a network peer.
	pathSchemes = sync.OnceValue(func() map[string]bool {
		return map[string]bool{"s3": true, "s3a": true, "gs": true, "gcs": true, "azblob": true, "file": true, "unix": true, "sqlite": true, "sqlite3": true, "memory": true, "mem": true, "mailto": true, "data": true, "urn": true, "npipe": true}
	})
	placeholders = []string{"replace", "change", "your", "example", "placeholder", "xxx", "todo", "fixme", "dummy", "<", ">"}
	notNames     = sync.OnceValue(func() map[string]bool {
		return map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "none": true, "null": true, "nil": true, "disabled": true, "enabled": true, "auto": true, "default": true, "*": true, "+": true, "localhost": true}
	})
	dsnHostKeys = sync.OnceValue(func() map[string]bool {
		return map[string]bool{"host": true, "hostname": true, "server": true, "data source": true, "datasource": true, "address": true, "addr": true}
	})
)

// netSchemes are URL schemes whose host is a network peer. Other schemes
// (sms://user:pass@mock, a provider name) count only when the host is a
// project name or a near miss of one.
var netSchemes = sync.OnceValue(func() map[string]bool {
	return map[string]bool{"tcp": true, "udp": true, "grpc": true, "grpcs": true, "h2c": true, "ftp": true, "ftps": true, "sftp": true, "ssh": true, "git": true, "mqtt": true, "mqtts": true, "nfs": true, "thrift": true, "zk": true, "jdbc": true, "opc.tcp": true, "telnet": true, "imap": true, "imaps": true, "pop3": true, "pop3s": true, "smtps": true, "submission": true, "sentinel": true, "redis-sentinel": true, "mongodb+srv": true, "neo4j": true, "bolt": true, "cassandra": true, "elasticsearch": true, "couchdb": true, "influxdb": true, "rtmp": true, "rtsp": true, "sip": true, "xmpp": true, "syslog": true, "statsd": true, "otlp": true}
})

func netScheme(s string) bool {
	_, ok := schemePort()[s]
	return ok || netSchemes()[s]
}

// registered reports whether h is a project name or within a typo of one.
func registered(h string, names map[string]bool) bool {
	h = strings.ToLower(h)
	return names[h] || len(closest(h, names)) > 0
}

// notCallKey reports whether key configures the service's own listener
// or public face rather than a peer.
func notCallKey(key string) bool {
	k := strings.ToUpper(key)
	if listenKeys()[k] {
		return true
	}
	for _, s := range notCallKeys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// peerName normalises h and reports whether it can name a peer: not a
// boolean, number, wildcard, address, placeholder or public (dotted,
// unregistered) name.
func peerName(h string, names map[string]bool) (string, bool) {
	h = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
	if h == "" || notNames()[h] || strings.ContainsAny(h, "*") {
		return "", false
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return "", false // addresses, including 0.0.0.0 and ::
	}
	if strings.IndexFunc(h, func(r rune) bool { return r < '0' || r > '9' }) < 0 {
		return "", false // a number
	}
	for _, p := range placeholders {
		if strings.Contains(h, p) {
			return "", false
		}
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return "", false
		}
	}
	if strings.Contains(h, ".") && !names[h] {
		return "", false // a public hostname
	}
	return h, true
}

func portOf(s string) uint16 {
	if p, err := strconv.Atoi(s); err == nil && p > 0 && p < 65536 {
		return uint16(p)
	}
	return 0
}

// inferValue returns the calls one environment value makes. env holds the
// service's other variables (for sibling *_PORT keys).
func inferValue(e topology.EnvVar, env map[string]string, names map[string]bool) []Call {
	if !e.Set || e.Value == "" || strings.Contains(e.Value, "${") || notCallKey(e.Key) {
		return nil
	}
	var out []Call
	add := func(h string, port uint16, rule string) {
		if n, ok := peerName(h, names); ok {
			out = append(out, Call{Host: n, Port: port, Env: e, Rule: rule})
		}
	}
	// hostPort reads "host:port" and returns whether it matched.
	hostPort := func(s, rule string) bool {
		m := hostPortRe().FindStringSubmatch(s)
		if m == nil {
			return false
		}
		if p := portOf(m[2]); p != 0 {
			add(m[1], p, rule)
		}
		return true
	}
	// URLs.
	if ms := urlRe().FindAllString(e.Value, -1); len(ms) > 0 {
		for _, m := range ms {
			u, err := url.Parse(m)
			if err != nil {
				continue
			}
			scheme := strings.ToLower(u.Scheme)
			if !pathSchemes()[scheme] && (netScheme(scheme) || registered(u.Hostname(), names)) {
				port := schemePort()[scheme]
				if p := portOf(u.Port()); p != 0 {
					port = p
				}
				add(u.Hostname(), port, InferURL)
			}
			for _, vs := range u.Query() {
				for _, v := range vs {
					if nu, err := url.Parse(v); err == nil && nu.Scheme != "" && nu.Host != "" && !pathSchemes()[strings.ToLower(nu.Scheme)] {
						port := schemePort()[strings.ToLower(nu.Scheme)]
						if p := portOf(nu.Port()); p != 0 {
							port = p
						}
						add(nu.Hostname(), port, InferURLQuery)
						continue
					}
					hostPort(v, InferURLQuery)
				}
			}
		}
		return out
	}
	// Go MySQL DSN: user:pass@tcp(host:port)/db.
	if m := mysqlTCPRe().FindStringSubmatch(e.Value); m != nil {
		if !hostPort(m[1], InferDSN) {
			add(m[1], 3306, InferDSN)
		}
		return out
	}
	// Connection strings: host=db port=5432 / Server=db;Port=1433.
	if strings.Contains(e.Value, "=") {
		kv := map[string]string{}
		for _, f := range strings.FieldsFunc(e.Value, func(r rune) bool { return r == ';' || r == ' ' || r == '\t' }) {
			k, v, ok := strings.Cut(f, "=")
			if ok {
				kv[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		// "Data Source=x" splits at the space; rejoin its key.
		if v, ok := kv["source"]; ok {
			kv["data source"] = v
		}
		for k := range dsnHostKeys() {
			h := kv[k]
			if h == "" {
				continue
			}
			h = strings.TrimPrefix(strings.ToLower(h), "tcp:")
			if hp, p, ok := strings.Cut(h, ","); ok { // SQL Server host,port
				add(hp, portOf(p), InferDSN)
			} else if !hostPort(h, InferDSN) {
				add(h, portOf(kv["port"]), InferDSN)
			}
		}
		return out
	}
	suffixed := false
	for _, suf := range keySuffix {
		if strings.HasSuffix(strings.ToUpper(e.Key), suf) {
			suffixed = true
		}
	}
	for _, part := range strings.FieldsFunc(e.Value, func(r rune) bool { return r == ',' || r == ' ' }) {
		if hostPort(part, InferHostPort) {
			continue
		}
		if suffixed && !strings.ContainsAny(part, "/:=") {
			var port uint16
			if i := strings.LastIndexByte(e.Key, '_'); i > 0 {
				port = portOf(env[e.Key[:i]+"_PORT"])
			}
			add(part, port, InferHostKey)
		}
	}
	return out
}

// Calls extracts the intended calls of every service, sorted by service,
// then position. Names the service itself answers to (its name, container
// names and aliases) are not calls.
func Calls(t *topology.Topology) []Call {
	names := projectNames(t)
	var out []Call
	for _, s := range t.Services {
		env := map[string]string{}
		for _, e := range s.Environment {
			env[e.Key] = e.Value
		}
		self := map[string]bool{strings.ToLower(s.Name): true}
		for _, c := range s.Containers {
			self[strings.ToLower(c.Name)] = true
			self[strings.ToLower(c.Hostname)] = true
			for _, ep := range c.Endpoints {
				for _, a := range ep.Aliases {
					self[strings.ToLower(a)] = true
				}
			}
		}
		for _, e := range s.Environment {
			for _, c := range inferValue(e, env, names) {
				if self[c.Host] {
					continue
				}
				c.From = s.Name
				out = append(out, c)
			}
		}
	}
	return out
}

func projectNames(t *topology.Topology) map[string]bool {
	m := map[string]bool{}
	for _, s := range t.Services {
		m[strings.ToLower(s.Name)] = true
	}
	for _, c := range t.Containers {
		m[strings.ToLower(c.Name)] = true
		if c.Hostname != "" {
			m[strings.ToLower(c.Hostname)] = true
		}
		for _, e := range c.Endpoints {
			for _, a := range e.Aliases {
				m[strings.ToLower(a)] = true
			}
		}
	}
	return m
}

// closest returns the project names within a small edit distance of name
// (at most 2, and less than half its length), closest first, then by name.
func closest(name string, names map[string]bool) []string {
	type cand struct {
		n string
		d int
	}
	var cs []cand
	for n := range names {
		if d := editDistance(name, n); d > 0 && d <= 2 && 2*d < len(name) {
			cs = append(cs, cand{n, d})
		}
	}
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && (cs[j].d < cs[j-1].d || cs[j].d == cs[j-1].d && cs[j].n < cs[j-1].n); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
	var out []string
	for i, c := range cs {
		if i == 3 {
			break
		}
		out = append(out, c.n)
	}
	return out
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// didYouMean formats closest names as a suggestion ("" when none).
func didYouMean(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("did you mean %s?", l[0])
	}
	return fmt.Sprintf("did you mean %s or %s?", strings.Join(l[:len(l)-1], ", "), l[len(l)-1])
}
