package sim

import (
	"reflect"
	"testing"
)

// Lookup resolves FROM once (any spelling Peer accepts), refuses sources
// without a modelled resolver and unknown query types, and otherwise
// answers exactly what ResolveType answers from that container.
func TestLookup(t *testing.T) {
	s := New(loadYAML(t, "shop", shopYAML))
	for _, c := range []struct {
		from, name, qtype, err string
	}{
		{"api", "db", "A", ""},
		{"API", "db", "a", ""},
		{"shop-api-1", "backend", "AAAA", ""},
		{"host", "db", "A", "host has no resolver composenet models: FROM must be a container or service"},
		{"Internet", "db", "A", "internet has no resolver composenet models: FROM must be a container or service"},
		{"api", "db", "MX", `unknown --type "MX" (want A or AAAA)`},
		{"nosuch", "db", "MX", `unknown source "nosuch": not a container, a service, host or internet`},
	} {
		r, err := s.Lookup(c.from, c.name, c.qtype)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s %s %s: error %v, want %q", c.from, c.name, c.qtype, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s %s: %v", c.from, c.name, c.qtype, err)
			continue
		}
		if want := s.ResolveType(s.Container("shop-api-1"), c.name, c.qtype); !reflect.DeepEqual(r, want) {
			t.Errorf("%s %s %s: %+v, want %+v", c.from, c.name, c.qtype, r, want)
		}
	}
	if r, _ := s.Lookup("api", "db", "A"); len(r.Answers) != 2 {
		t.Errorf("api sees both db replicas: %+v", r.Answers)
	}
}
