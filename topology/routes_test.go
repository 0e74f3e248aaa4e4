package topology

import (
	"strings"
	"testing"
)

func TestParseRule(t *testing.T) {
	tests := []struct {
		rule, hosts, path string
	}{
		{"Host(`a.example`)", "a.example", ""},
		{"Host(`a.example`) && PathPrefix(`/api`)", "a.example", "/api"},
		{"Host(`a.example`,`b.example`)", "a.example,b.example", ""},
		{"Host(`a.example`) || Host(`b.example`)", "a.example,b.example", ""},
		{"PathPrefix(`/x`)", "", "/x"},
		{"Path(`/exact`) && Host(\"q.example\")", "q.example", "/exact"},
		{"HostRegexp(`{sub:[a-z]+}.example`)", "", ""},
	}
	for _, tt := range tests {
		h, p := parseRule(tt.rule)
		if strings.Join(h, ",") != tt.hosts || p != tt.path {
			t.Errorf("parseRule(%q) = %q, %q; want %q, %q", tt.rule, h, p, tt.hosts, tt.path)
		}
	}
}

// FuzzParseRule: any rule text gives hosts that are non-empty and free of
// quote characters, and a path free of them, without panicking.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"Host(`a.example`) && PathPrefix(`/api`)", "Host(`a`,`b`)", "Path(\"/x\")", "Host(", "PathPrefix(`)", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		hosts, path := parseRule(rule)
		for _, h := range hosts {
			if h == "" || strings.ContainsAny(h, "`\"'") {
				t.Fatalf("parseRule(%q): host %q", rule, h)
			}
		}
		if strings.ContainsAny(path, "`\"'") {
			t.Fatalf("parseRule(%q): path %q", rule, path)
		}
	})
}
