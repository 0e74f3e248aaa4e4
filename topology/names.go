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

var reContainerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// checkContainerName applies Docker's container name rule.
func checkContainerName(s string) error {
	if !reContainerName.MatchString(s) {
		return fmt.Errorf("invalid container name %s: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, starting with a letter or digit, at least 2 characters", quoteName(s))
	}
	return nil
}

var reNetworkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// checkNetworkName refuses network names outside the container-name
// alphabet: the name becomes the DNS suffix of reverse answers (R6-13)
// and appears in every report.
func checkNetworkName(s string) error {
	if len(s) > 255 || !reNetworkName.MatchString(s) {
		return fmt.Errorf("invalid network name %s: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, starting with a letter or digit, at most 255 characters", quoteName(s))
	}
	return nil
}

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

var reHostLabel = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$`)

// checkHostname applies RFC 1123 to a container hostname: labels of
// letters, digits and '-', not starting or ending with '-', and at most 64
// characters in all (Linux HOST_NAME_MAX; sethostname refuses more).
func checkHostname(s string) error {
	if len(s) > 64 {
		return fmt.Errorf("invalid hostname: %d characters; Linux allows at most 64", len(s))
	}
	for _, l := range strings.Split(s, ".") {
		if !reHostLabel.MatchString(l) {
			return fmt.Errorf("invalid hostname %s: RFC 1123 allows dot-separated labels of letters, digits and '-', not starting or ending with '-'", quoteName(s))
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
