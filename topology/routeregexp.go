package topology

import (
	"fmt"
	"regexp"
	"strings"
)

// Regular expressions of route rules (issue 17): nginx `location ~ RE`
// and `~* RE`, nginx `server_name ~RE`, traefik `HostRegexp()`. They are
// matched with Go's regexp package (RE2: linear time, no backtracking),
// which accepts most of what these configurations use; a pattern RE2
// rejects (look-around, backreferences, possessive quantifiers) or one
// longer than MaxRouteRegexp bytes never matches, and the route says why
// (Route.RegexpNote).

var reV2Var = lazyRegexp(`\{[A-Za-z_][A-Za-z0-9_]*(:[^}]*)?\}`)

// MaxRouteRegexp is the longest route pattern compiled.
const MaxRouteRegexp = 1024

// CompileRouteRegexp compiles a route pattern as written in the
// configuration (a leading "(?i)" is kept: nginx ~* and server_name
// regexes are case-insensitive).
func CompileRouteRegexp(pattern string) (*regexp.Regexp, error) {
	if len(pattern) > MaxRouteRegexp {
		return nil, fmt.Errorf("longer than %d bytes", MaxRouteRegexp)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "error parsing regexp") {
			msg = msg[i+2:]
		}
		return nil, fmt.Errorf("not accepted by Go's regexp (RE2): %s", msg)
	}
	return re, nil
}

// TraefikHostPattern turns a HostRegexp argument into a Go pattern:
// traefik v2's form with {name:re} and {name} parts (the rest literal,
// the whole host anchored) or, otherwise, v3's plain regular expression.
func TraefikHostPattern(arg string) string {
	if !strings.Contains(arg, "{") || !reV2Var().MatchString(arg) {
		return "(?i)" + arg
	}
	var b strings.Builder
	b.WriteString("(?i)^")
	for arg != "" {
		i := strings.IndexByte(arg, '{')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(arg))
			break
		}
		b.WriteString(regexp.QuoteMeta(arg[:i]))
		// The part up to the matching brace (v2 patterns may hold braces
		// of their own, such as [a-z]{3}).
		depth, j := 0, i
		for ; j < len(arg); j++ {
			if arg[j] == '{' {
				depth++
			} else if arg[j] == '}' {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j >= len(arg) {
			b.WriteString(regexp.QuoteMeta(arg[i:]))
			break
		}
		inner := arg[i+1 : j]
		if _, re, ok := strings.Cut(inner, ":"); ok {
			b.WriteString("(?:" + re + ")")
		} else {
			b.WriteString("[^.]+")
		}
		arg = arg[j+1:]
	}
	b.WriteString("$")
	return b.String()
}

// RegexpProblems checks a route's patterns and returns the note for
// RegexpNote ("" when every pattern compiles).
func RegexpProblems(r Route) string {
	var notes []string
	for _, p := range append(slicesClone(r.HostRegexps), r.PathRegexp) {
		if p == "" {
			continue
		}
		if _, err := CompileRouteRegexp(p); err != nil {
			notes = append(notes, fmt.Sprintf("%q %v: it never matches", p, err))
		}
	}
	return strings.Join(notes, "; ")
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
