package review

import "testing"

// TestOneNetworkSummary: R7-1 a project whose containers all share one
// network gets the one-line summary; a second network, a container on two
// networks or icc off does not.
func TestOneNetworkSummary(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"one network", "name: p\nservices:\n  a: {image: x}\n  b: {image: x, deploy: {replicas: 2}}\n", "3 containers on one network (p_default): all pairs reach each other on their listening ports"},
		{"two networks", "name: p\nservices:\n  a: {image: x}\n  b: {image: x, networks: [n]}\nnetworks: {n: {}}\n", ""},
		{"one container on two", "name: p\nservices:\n  a: {image: x, networks: [default, n]}\n  b: {image: x}\nnetworks: {n: {}}\n", ""},
		{"icc off", "name: p\nservices:\n  a: {image: x}\n  b: {image: x}\nnetworks:\n  default: {driver_opts: {com.docker.network.bridge.enable_icc: \"false\"}}\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := OneNetworkSummary(loadInline(t, t.TempDir(), tc.yaml)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
