package topology

import (
	"fmt"
	"strings"
)

// Name rules, checked with positions before anything is built. Docker
// refuses a container name outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ (moby
// daemon/names.go, validContainerNamePattern; compose-go's schema has the
// same pattern but unanchored, so "x\ny" passes it). Names that become DNS
// names (network aliases, link aliases, extra_hosts names) and hostnames
// are held to DNS label rules, network names to the container-name
// alphabet. Besides matching what the engine or a resolver accepts, the
// rules keep control characters and line breaks out of every name
// composenet prints.

// MaxNameBytes bounds every name (a container, network or service name
// becomes part of DNS names and of every report line).
const MaxNameBytes = 255

// The name alphabets are checked byte by byte rather than with regular
// expressions: compiling them at start-up cost every run, answered from a
// snapshot or not, more than all the checks of a load (issue 15).

// alnum reports whether b is an ASCII letter or digit.
func alnum(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// nameAlphabet reports whether s is [a-zA-Z0-9][a-zA-Z0-9_.-]* with at
// least min bytes.
func nameAlphabet(s string, min int) bool {
	if len(s) < min || len(s) == 0 || !alnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// dnsLabel reports whether l is [a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?.
func dnsLabel(l string) bool {
	if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	return hostLabel(l)
}

// hostLabel reports whether l is [a-zA-Z0-9_-]+.
func hostLabel(l string) bool {
	if l == "" {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !alnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// CheckContainerName applies Docker's container name rule.
func CheckContainerName(s string) error {
	if len(s) > MaxNameBytes || !nameAlphabet(s, 2) {
		return fmt.Errorf("invalid container name %s: Docker allows only [a-zA-Z0-9][a-zA-Z0-9_.-], at least 2 characters (composenet: at most %d)", QuoteName(s), MaxNameBytes)
	}
	return nil
}

// CheckNetworkName holds network names to the container-name alphabet:
// the name is the DNS suffix of reverse answers (R6-13) and appears in
// every report.
func CheckNetworkName(s string) error {
	if len(s) > MaxNameBytes || !nameAlphabet(s, 1) {
		return fmt.Errorf("invalid network name %s: composenet accepts [a-zA-Z0-9][a-zA-Z0-9_.-], at most %d characters", QuoteName(s), MaxNameBytes)
	}
	return nil
}

// CheckDNSName checks a name that containers look up (a network alias, a
// link alias, an extra_hosts name): dot-separated labels of letters,
// digits, '-' and '_' (Docker's embedded DNS answers service names with
// underscores), not starting or ending with '-', each at most 63
// characters, at most 253 in all (RFC 1123 / RFC 1035 lengths).
func CheckDNSName(s string) error {
	if len(s) > 253 {
		return fmt.Errorf("invalid DNS name %s: %d characters; a DNS name has at most 253", QuoteName(s), len(s))
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(l) > 63 || !dnsLabel(l) {
			return fmt.Errorf("invalid DNS name %s: each dot-separated label must be 1 to 63 letters, digits, '-' or '_', not starting or ending with '-'", QuoteName(s))
		}
	}
	return nil
}

// CheckHostname checks a container hostname: RFC 1123 characters in
// dot-separated labels (letters, digits, '-'; '_' too, and a label may
// start or end with '-', which Linux accepts), at most 64 bytes in all
// (Linux HOST_NAME_MAX: sethostname refuses more).
func CheckHostname(s string) error {
	if len(s) > 64 {
		return fmt.Errorf("invalid hostname %s: %d bytes; Linux allows at most 64", QuoteName(s), len(s))
	}
	for _, l := range strings.Split(s, ".") {
		if !hostLabel(l) {
			return fmt.Errorf("invalid hostname %s: a hostname is dot-separated labels of letters, digits, '-' and '_'", QuoteName(s))
		}
	}
	return nil
}

// QuoteName quotes a name for a message: control characters come out
// escaped and a long name is cut.
func QuoteName(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q... (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}
