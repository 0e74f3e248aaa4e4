package loader

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/template"
	"go.yaml.in/yaml/v4"
)

// reInvalidSpec is compose-go's message for a value that, once
// interpolated, is not a valid short-syntax entry (a volume, say); it
// carries no path.
var reInvalidSpec = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^invalid spec: (.*): ([^:]+)$`) })

// interpolatedEntry finds the scalar in the loaded files whose
// interpolation is spec, so an error about the interpolated value can
// point at the entry as written and name the unset variables that emptied
// it ("${PENPOT_SOURCE_PATH}:/home/penpot/penpot:z" with the variable
// unset reads ":/home/penpot/penpot:z"). Files are searched in load order;
// the first match wins.
func (ix *posIndex) interpolatedEntry(spec string) (topology.Position, []string, bool) {
	for _, f := range ix.files {
		if f.root == nil {
			continue
		}
		var found *yaml.Node
		var unset []string
		var walk func(n *yaml.Node, depth int)
		walk = func(n *yaml.Node, depth int) {
			if found != nil || n == nil || depth > maxWalkDepth {
				return
			}
			if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
				var missing []string
				out, err := template.Substitute(n.Value, func(k string) (string, bool) {
					v, ok := ix.env[k]
					if !ok {
						missing = append(missing, k)
					}
					return v, ok
				})
				if err == nil && out == spec {
					found, unset = n, missing
				}
				return
			}
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
		// compose-go logs a warning per unset variable: keep it quiet.
		withCapturedLogs(func() { walk(f.root, 0) })
		if found != nil {
			sort.Strings(unset)
			return topology.Position{File: f.name, Line: found.Line, Col: found.Column}, unset, true
		}
	}
	return topology.Position{}, nil, false
}

// invalidSpecProblem positions compose-go's "invalid spec" error at the
// entry as written, naming the unset variables, when the entry can be
// found.
func invalidSpecProblem(msg string, ix *posIndex) (topology.Problem, bool) {
	m := reInvalidSpec().FindStringSubmatch(msg)
	if m == nil {
		return topology.Problem{}, false
	}
	pos, unset, ok := ix.interpolatedEntry(m[1])
	if !ok {
		return topology.Problem{}, false
	}
	out := msg
	switch len(unset) {
	case 0:
	case 1:
		out += fmt.Sprintf(" (%s is not set, so it interpolates to an empty string)", unset[0])
	default:
		out += fmt.Sprintf(" (%s are not set, so they interpolate to empty strings)", strings.Join(unset, ", "))
	}
	return topology.Problem{Pos: pos, Message: out}, true
}
