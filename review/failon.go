package review

import "fmt"

// FailOn is the severity at or above which lint findings fail a run
// (`lint --fail-on`): Error, Warning, Info, or "none" (never).
type FailOn string

// severityRank orders the severities; "none" ranks above every finding.
var severityRank = map[string]int{Error: 3, Warning: 2, Info: 1, "none": 4}

// ParseFailOn reads a --fail-on value.
func ParseFailOn(s string) (FailOn, error) {
	if _, ok := severityRank[s]; !ok {
		return "", fmt.Errorf("unknown --fail-on %q (want error, warning, info or none)", s)
	}
	return FailOn(s), nil
}

// Fails reports whether a finding of findings is at f's severity or worse.
func (f FailOn) Fails(findings []Finding) bool {
	for _, x := range findings {
		if severityRank[x.Severity] >= severityRank[string(f)] {
			return true
		}
	}
	return false
}
