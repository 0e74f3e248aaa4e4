package topology

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The name checks walk bytes instead of matching regular expressions (no
// compile at start-up); these are the expressions they replaced, and the
// checks must accept exactly the strings the expressions accept.
var (
	refContainerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)
	refNetworkName   = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	refDNSLabel      = regexp.MustCompile(`^[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?$`)
	refHostLabel     = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
)

func TestNameAlphabetsMatchExpressions(t *testing.T) {
	fixed := []string{"", "a", "ab", "a-", "-a", "_a", "a_", "a.b", ".a", "a.", "A9", "9", "é", "a\nb", "ab\n",
		"a b", "web-1", "db_primary", "x--y", "--", "__", "a\x00", "Zz09_.-"}
	const alphabet = "aZ09_.-\n é\x00/:"
	r := rand.New(rand.NewPCG(1, 2))
	cases := fixed
	for range 20000 {
		var b strings.Builder
		for range r.IntN(6) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := nameAlphabet(s, 2), refContainerName.MatchString(s); got != want {
			t.Errorf("container name %q: %v, the expression says %v", s, got, want)
		}
		if got, want := nameAlphabet(s, 1), refNetworkName.MatchString(s); got != want {
			t.Errorf("network name %q: %v, the expression says %v", s, got, want)
		}
		if got, want := dnsLabel(s), refDNSLabel.MatchString(s); got != want {
			t.Errorf("DNS label %q: %v, the expression says %v", s, got, want)
		}
		if got, want := hostLabel(s), refHostLabel.MatchString(s); got != want {
			t.Errorf("host label %q: %v, the expression says %v", s, got, want)
		}
	}
}

// Exact messages of the checks that use the alphabets.
func TestNameChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"container ok", CheckContainerName("web-1"), ""},
		{"container one byte", CheckContainerName("w"), `invalid container name "w": Docker allows only [a-zA-Z0-9][a-zA-Z0-9_.-], at least 2 characters (composenet: at most 255)`},
		{"network ok", CheckNetworkName("n"), ""},
		{"network leading dot", CheckNetworkName(".n"), `invalid network name ".n": composenet accepts [a-zA-Z0-9][a-zA-Z0-9_.-], at most 255 characters`},
		{"dns ok", CheckDNSName("db_1.internal."), ""},
		{"dns trailing dash", CheckDNSName("db-.internal"), `invalid DNS name "db-.internal": each dot-separated label must be 1 to 63 letters, digits, '-' or '_', not starting or ending with '-'`},
		{"hostname dash ends", CheckHostname("-web-.local"), ""},
		{"hostname empty label", CheckHostname("web..local"), `invalid hostname "web..local": a hostname is dot-separated labels of letters, digits, '-' and '_'`},
	} {
		got := ""
		if tc.err != nil {
			got = tc.err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
