package topology

import (
	"fmt"
	"regexp"
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

// maxNameBytes bounds every name (a container, network or service name
// becomes part of DNS names and of every report line).
const maxNameBytes = 255

var reContainerName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// checkContainerName applies Docker's container name rule.
func checkContainerName(s string) error {
	if len(s) > maxNameBytes || !reContainerName.MatchString(s) {
		return fmt.Errorf("invalid container name %s: Docker allows only [a-zA-Z0-9][a-zA-Z0-9_.-], at least 2 characters (composenet: at most %d)", quoteName(s), maxNameBytes)
	}
	return nil
}

var reNetworkName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// checkNetworkName holds network names to the container-name alphabet:
// the name is the DNS suffix of reverse answers (R6-13) and appears in
// every report.
func checkNetworkName(s string) error {
	if len(s) > maxNameBytes || !reNetworkName.MatchString(s) {
		return fmt.Errorf("invalid network name %s: composenet accepts [a-zA-Z0-9][a-zA-Z0-9_.-], at most %d characters", quoteName(s), maxNameBytes)
	}
	return nil
}

var reDNSLabel = regexp.MustCompile(`^[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?$`)

// checkDNSName checks a name that containers look up (a network alias, a
// link alias, an extra_hosts name): dot-separated labels of letters,
// digits, '-' and '_' (Docker's embedded DNS answers service names with
// underscores), not starting or ending with '-', each at most 63
// characters, at most 253 in all (RFC 1123 / RFC 1035 lengths).
func checkDNSName(s string) error {
	if len(s) > 253 {
		return fmt.Errorf("invalid DNS name %s: %d characters; a DNS name has at most 253", quoteName(s), len(s))
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if len(l) > 63 || !reDNSLabel.MatchString(l) {
			return fmt.Errorf("invalid DNS name %s: each dot-separated label must be 1 to 63 letters, digits, '-' or '_', not starting or ending with '-'", quoteName(s))
		}
	}
	return nil
}

var reHostLabel = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// checkHostname checks a container hostname: RFC 1123 characters in
// dot-separated labels (letters, digits, '-'; '_' too, and a label may
// start or end with '-', which Linux accepts), at most 64 bytes in all
// (Linux HOST_NAME_MAX: sethostname refuses more).
func checkHostname(s string) error {
	if len(s) > 64 {
		return fmt.Errorf("invalid hostname %s: %d bytes; Linux allows at most 64", quoteName(s), len(s))
	}
	for _, l := range strings.Split(s, ".") {
		if !reHostLabel.MatchString(l) {
			return fmt.Errorf("invalid hostname %s: a hostname is dot-separated labels of letters, digits, '-' and '_'", quoteName(s))
		}
	}
	return nil
}

// quoteName quotes a name for a message: control characters come out
// escaped and a long name is cut.
func quoteName(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q... (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// checkNames validates every name of the project and the host description
// with its position, all problems at once.
func (b *builder) checkNames() {
	for _, k := range sortedKeys(b.p.Networks) {
		cfg := b.p.Networks[k]
		if cfg.Name == "" {
			continue // <project>_<key>: both validated by compose-go
		}
		if err := checkNetworkName(cfg.Name); err != nil {
			b.problem("networks."+k+".name", "%v", err)
		}
	}
	for _, name := range sortedKeys(b.p.Services) {
		s := b.p.Services[name]
		sp := "services." + name
		if len(name) > maxNameBytes {
			b.problem(sp, "a service name of %d bytes; composenet accepts at most %d", len(name), maxNameBytes)
		}
		if s.ContainerName != "" {
			if err := checkContainerName(s.ContainerName); err != nil {
				b.problem(sp+".container_name", "%v", err)
			}
		}
		if s.Hostname != "" {
			if err := checkHostname(s.Hostname); err != nil {
				b.problem(sp+".hostname", "%v", err)
			}
		}
		for _, k := range sortedKeys(s.Networks) {
			if cfg := s.Networks[k]; cfg != nil {
				for i, a := range cfg.Aliases {
					if err := checkDNSName(a); err != nil {
						b.problem(fmt.Sprintf("%s.networks.%s.aliases.%d", sp, k, i), "network alias: %v", err)
					}
				}
			}
		}
		for _, l := range s.Links {
			if _, alias, ok := strings.Cut(l, ":"); ok {
				if err := checkDNSName(alias); err != nil {
					b.problem(sp+".links", "link alias: %v", err)
				}
			}
		}
		for _, h := range sortedKeys(s.ExtraHosts) {
			if err := checkDNSName(h); err != nil {
				b.problem(sp+".extra_hosts."+h, "extra_hosts name: %v", err)
			}
		}
	}
	for i, hn := range b.hs.networks {
		if hn.Name == "" {
			continue
		}
		if err := checkNetworkName(hn.Name); err != nil {
			b.problems = append(b.problems, Problem{Pos: Position{File: b.hs.file, Line: hn.line, Col: 5}, Path: fmt.Sprintf("networks.%d.name", i), Message: err.Error()})
		}
	}
	for i, hc := range b.hs.containers {
		if hc.Name == "" {
			continue
		}
		pos := Position{File: b.hs.file, Line: hc.line, Col: 5}
		if err := checkContainerName(hc.Name); err != nil {
			b.problems = append(b.problems, Problem{Pos: pos, Path: fmt.Sprintf("containers.%d.name", i), Message: err.Error()})
		}
		for _, nn := range sortedKeys(hc.Networks) {
			for j, a := range hc.Networks[nn].Aliases {
				if err := checkDNSName(a); err != nil {
					b.problems = append(b.problems, Problem{Pos: pos, Path: fmt.Sprintf("containers.%d.networks.%s.aliases.%d", i, nn, j), Message: "network alias: " + err.Error()})
				}
			}
		}
	}
}
