package loader

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// A small, bounded view of a YAML document for the proxy configuration
// readers (traefik's static and dynamic files): mappings with keys
// matched case-insensitively (traefik's file decoder does so), sequences
// and scalars, each with its line and column. Aliases are expanded within
// a node budget, so a "billion laughs" file is refused, not expanded.

// Limits of one YAML proxy file.
const (
	maxYAMLNodes = 200_000
	maxYAMLDepth = 64
)

type ytree struct {
	kind      yaml.Kind // MappingNode, SequenceNode or ScalarNode
	keys      []string  // mapping keys in order, as written
	vals      []*ytree  // mapping values (parallel to keys), sequence items
	keyPos    [][2]int  // line, col of each key
	value     string    // scalar
	line, col int
	null      bool
}

// get returns the value of key (case-insensitive), or nil.
func (t *ytree) get(key string) *ytree {
	if t == nil || t.kind != yaml.MappingNode {
		return nil
	}
	for i, k := range t.keys {
		if strings.EqualFold(k, key) {
			return t.vals[i]
		}
	}
	return nil
}

// has reports whether key is present (even with a null value).
func (t *ytree) has(key string) bool {
	if t == nil || t.kind != yaml.MappingNode {
		return false
	}
	for _, k := range t.keys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

// str is a scalar's value ("" for anything else).
func (t *ytree) str() string {
	if t == nil || t.kind != yaml.ScalarNode || t.null {
		return ""
	}
	return t.value
}

// strs is a sequence of scalars, or one scalar split on commas.
func (t *ytree) strs() []string {
	var out []string
	switch {
	case t == nil:
	case t.kind == yaml.SequenceNode:
		for _, v := range t.vals {
			if s := strings.TrimSpace(v.str()); s != "" {
				out = append(out, s)
			}
		}
	case t.kind == yaml.ScalarNode:
		for _, s := range strings.Split(t.str(), ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// yamlTreeError is a syntax error or a refused document, at a line.
type yamlTreeError struct {
	line, col int
	msg       string
}

func (e *yamlTreeError) Error() string { return e.msg }

// parseYAMLTree reads the first document of data. An empty document gives
// an empty mapping.
func parseYAMLTree(data []byte) (*ytree, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if err.Error() == "EOF" {
			return &ytree{kind: yaml.MappingNode, line: 1, col: 1}, nil
		}
		line, col := yamlErrorLine(err.Error())
		return nil, &yamlTreeError{line, col, cleanYAMLError(err.Error())}
	}
	n := &doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	budget := maxYAMLNodes
	var fail *yamlTreeError
	t := toYTree(n, 0, &budget, &fail)
	if fail != nil {
		return nil, fail
	}
	return t, nil
}

func toYTree(n *yaml.Node, depth int, budget *int, fail **yamlTreeError) *ytree {
	if *fail != nil || n == nil {
		return nil
	}
	*budget--
	if *budget < 0 {
		*fail = &yamlTreeError{n.Line, n.Column, fmt.Sprintf("more than %d YAML nodes (aliases included)", maxYAMLNodes)}
		return nil
	}
	if depth > maxYAMLDepth {
		*fail = &yamlTreeError{n.Line, n.Column, fmt.Sprintf("nested deeper than %d levels", maxYAMLDepth)}
		return nil
	}
	if n.Kind == yaml.AliasNode {
		t := toYTree(n.Alias, depth+1, budget, fail)
		if t != nil {
			c := *t
			c.line, c.col = n.Line, n.Column
			return &c
		}
		return nil
	}
	t := &ytree{kind: n.Kind, line: n.Line, col: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		t.value = n.Value
		t.null = n.Tag == "!!null"
	case yaml.SequenceNode:
		for _, c := range n.Content {
			t.vals = append(t.vals, toYTree(c, depth+1, budget, fail))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			// A merge key (<<) brings its mapping's entries in.
			if k.Value == "<<" && k.Tag == "!!merge" {
				m := toYTree(v, depth+1, budget, fail)
				if m != nil && m.kind == yaml.MappingNode {
					for j := range m.keys {
						if !t.has(m.keys[j]) {
							t.keys = append(t.keys, m.keys[j])
							t.vals = append(t.vals, m.vals[j])
							t.keyPos = append(t.keyPos, m.keyPos[j])
						}
					}
				}
				continue
			}
			t.keys = append(t.keys, k.Value)
			t.keyPos = append(t.keyPos, [2]int{k.Line, k.Column})
			t.vals = append(t.vals, toYTree(v, depth+1, budget, fail))
		}
	default:
		t.kind = yaml.ScalarNode
		t.null = true
	}
	return t
}
