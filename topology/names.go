package topology

import (
	"fmt"
	"regexp"
	"strings"
)

// Name rules. Docker refuses a container name outside
// [a-zA-Z0-9][a-zA-Z0-9_.-]+ (moby daemon/names.go,
// validContainerNamePattern). Names that end up as DNS names (network
// aliases, extra_hosts names) and hostnames are held to DNS label rules;
// network names to the container-name alphabet. Besides matching what the
// engine or the resolver would accept, the rules keep control characters
// and line breaks out of every name composenet prints.

var reDNSLabel = regexp.MustCompile(`^[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?$`)

// checkDNSName checks a name that containers look up (a network alias, an
// extra_hosts name): dot-separated labels of letters, digits, '-' and '_'
// (Docker's embedded DNS answers service names with underscores), each at
// most 63 characters, at most 253 in all.
func checkDNSName(s string) error {
	if s == "" {
		return fmt.Errorf("empty name")
	}
	if len(s) > 253 {
		return fmt.Errorf("name is %d characters long; a DNS name has at most 253", len(s))
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(l) > 63 || !reDNSLabel.MatchString(l) {
			return fmt.Errorf("invalid DNS name %s: each dot-separated label must be 1 to 63 letters, digits, '-' or '_', not starting or ending with '-'", quoteName(s))
		}
	}
	return nil
}

// quoteName quotes a name for a message; control characters come out
// escaped and a long name is cut.
func quoteName(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q... (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}
