package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/template"
	"go.yaml.in/yaml/v4"
)

// posIndex maps dotted compose paths ("services.web.ports.0") to positions
// in the raw YAML of one or more files. Scalars in a sequence are also
// indexed by their value ("services.web.networks.front" for the short
// `networks: [front]` form), so paths built from the loaded model find the
// item that wrote them.
type posIndex struct {
	files []fileIndex
	// env interpolates ${VAR} in referenced paths (include, extends,
	// env_file); nil leaves such paths out.
	env map[string]string
}

// expand interpolates a referenced path as compose-go will. It reports
// false when the path cannot be resolved here.
func (ix *posIndex) expand(p string) (string, bool) {
	if !strings.Contains(p, "$") {
		return p, true
	}
	if ix.env == nil {
		return "", false
	}
	out, err := template.Substitute(p, func(k string) (string, bool) {
		v, ok := ix.env[k]
		return v, ok
	})
	if err != nil {
		return "", false
	}
	return out, true
}

type fileIndex struct {
	name  string
	path  string // as read (absolute when the caller gave absolute paths)
	raw   []byte
	root  *yaml.Node
	paths map[string]topology.Position
}

// add indexes one file. It returns the YAML syntax error, if any, with its
// position, or the walker's refusal (limit is then true).
func (ix *posIndex) add(name string, raw []byte) (p *topology.Problem, limit bool) {
	fi := fileIndex{name: name, raw: raw, paths: map[string]topology.Position{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	err := dec.Decode(&doc)
	ix.files = append(ix.files, fi)
	if err != nil {
		if err.Error() == "EOF" {
			return nil, false
		}
		line, col := yamlErrorLine(err.Error())
		return &topology.Problem{Pos: topology.Position{File: name, Line: line, Col: col}, Message: cleanYAMLError(err.Error())}, false
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	fi.root = root
	p = walkNode(root, "", name, fi.paths)
	ix.files[len(ix.files)-1] = fi
	return p, p != nil
}

// Limits of the position walker. Aliases are followed (a merge key or an
// alias repeats its anchor's paths under the new place), so a file of a
// few hundred bytes can stand for billions of nodes ("billion laughs").
const (
	// maxAliasVisits is how many nodes the walker visits through aliases
	// in one file before it refuses the file.
	maxAliasVisits = 100_000
	// maxWalkDepth is the deepest nesting indexed.
	maxWalkDepth = 64
	// maxKeyBytes is the longest mapping key accepted; paths are built from
	// keys, so a longer key would be copied into every path under it.
	maxKeyBytes = 1024
)

// walker indexes the paths of one YAML document.
type walker struct {
	file       string
	out        map[string]topology.Position
	aliased    int               // nodes visited through an alias
	firstAlias *yaml.Node        // the first alias met, for the message
	problem    *topology.Problem // set once a limit is hit; the walk stops
}

// walkNode indexes n's paths under path into out. It returns a problem
// when the document exceeds the walker's limits (see maxAliasVisits).
func walkNode(n *yaml.Node, path, file string, out map[string]topology.Position) *topology.Problem {
	w := &walker{file: file, out: out}
	w.walk(n, path, 0, false)
	return w.problem
}

func (w *walker) walk(n *yaml.Node, path string, depth int, viaAlias bool) {
	if n == nil || depth > maxWalkDepth || w.problem != nil {
		return
	}
	if viaAlias {
		w.aliased++
		if w.aliased > maxAliasVisits {
			a := w.firstAlias
			w.problem = &topology.Problem{Pos: topology.Position{File: w.file, Line: a.Line, Col: a.Column},
				Message: fmt.Sprintf("YAML aliases (the first one here) expand to more than %d nodes (composenet's limit for nodes reached through aliases in one file); write the repeated parts out or use fewer nested aliases", maxAliasVisits)}
			return
		}
	}
	if n.Kind == yaml.AliasNode {
		if w.firstAlias == nil {
			w.firstAlias = n
		}
		w.walk(n.Alias, path, depth+1, true)
		return
	}
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	out := w.out
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if len(k.Value) > maxKeyBytes {
				w.problem = &topology.Problem{Pos: topology.Position{File: w.file, Line: k.Line, Col: k.Column},
					Message: fmt.Sprintf("a mapping key of %d bytes; composenet accepts keys of at most %d bytes", len(k.Value), maxKeyBytes)}
				return
			}
			if k.Value == "<<" {
				// merge key: index the merged mapping's children under path
				// without overriding explicit keys.
				tmp := map[string]topology.Position{}
				w.out = tmp
				w.walk(v, path, depth+1, viaAlias)
				w.out = out
				for p, pos := range tmp {
					if _, ok := out[p]; !ok {
						out[p] = pos
					}
				}
				continue
			}
			p := join(k.Value)
			out[p] = topology.Position{File: w.file, Line: k.Line, Col: k.Column}
			w.walk(v, p, depth+1, viaAlias)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := join(strconv.Itoa(i))
			out[p] = topology.Position{File: w.file, Line: c.Line, Col: c.Column}
			if c.Kind == yaml.ScalarNode && len(c.Value) <= maxKeyBytes {
				v := c.Value
				if j := strings.IndexAny(v, "=:"); j > 0 && !strings.Contains(path, "ports") {
					// environment "KEY=value", links "svc:alias", extra_hosts "h:ip"
					if _, ok := out[join(v[:j])]; !ok {
						out[join(v[:j])] = out[p]
					}
				}
				if _, ok := out[join(v)]; !ok {
					out[join(v)] = out[p]
				}
			}
			w.walk(c, p, depth+1, viaAlias)
		}
	}
}

// lookup returns the position of the longest prefix of path found in any
// file; on equal length the later file (the override) wins.
func (ix *posIndex) lookup(path string) topology.Position {
	best, bestLen := topology.Position{}, -1
	for _, f := range ix.files {
		p := path
		for {
			if pos, ok := f.paths[p]; ok {
				if len(p) >= bestLen {
					best, bestLen = pos, len(p)
				}
				break
			}
			i := strings.LastIndexByte(p, '.')
			if i < 0 {
				break
			}
			p = p[:i]
		}
	}
	if bestLen < 0 && len(ix.files) > 0 {
		return topology.Position{File: ix.files[0].name, Line: 1, Col: 1}
	}
	return best
}

// exact returns the position of path itself, if some file has it.
func (ix *posIndex) exact(path string) (topology.Position, bool) {
	for i := len(ix.files) - 1; i >= 0; i-- {
		if pos, ok := ix.files[i].paths[path]; ok {
			return pos, true
		}
	}
	return topology.Position{}, false
}

// findText returns the position of the first occurrence of s in any file.
func (ix *posIndex) findText(s string) (topology.Position, bool) {
	for _, f := range ix.files {
		i := bytes.Index(f.raw, []byte(s))
		if i < 0 {
			continue
		}
		line := 1 + bytes.Count(f.raw[:i], []byte("\n"))
		col := i - bytes.LastIndexByte(f.raw[:i], '\n')
		return topology.Position{File: f.name, Line: line, Col: col}, true
	}
	return topology.Position{}, false
}

func yamlErrorLine(msg string) (int, int) {
	// yaml errors say "line N" and sometimes "column M".
	line, col := 1, 1
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(rest[:j]); err == nil {
			line = n
		}
	}
	if i := strings.Index(msg, "column "); i >= 0 {
		rest := msg[i+7:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(rest[:j]); err == nil {
			col = n
		}
	}
	return line, col
}

var (
	reYAMLConstruct = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile("cannot (?:construct|unmarshal) !!(\\w+)(?: `[^`]*`)? into (\\S+)")
	})
	reYAMLLinePfx = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line \d+: `) })
)

// cleanYAMLError makes a YAML decoder message fit one output line without
// Go type names or quoted file contents ("cannot construct !!seq into
// cli.named" says the top level is a list).
func cleanYAMLError(msg string) string {
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "construct errors:")
	var parts []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		l = reYAMLLinePfx().ReplaceAllString(l, "")
		l = reYAMLConstruct().ReplaceAllStringFunc(l, func(m string) string {
			sub := reYAMLConstruct().FindStringSubmatch(m)
			kind := sub[1]
			names := map[string]string{"seq": "a list", "map": "a mapping", "str": "a string", "int": "a number", "float": "a number", "bool": "a boolean", "null": "an empty value"}
			if n, ok := names[kind]; ok {
				kind = n
			}
			if strings.HasSuffix(sub[2], ".named") {
				return "the top level is " + kind + "; a compose file is a mapping (services:, networks:, ...)"
			}
			return "found " + kind + " where another type was expected"
		})
		parts = append(parts, l)
	}
	return "invalid YAML: " + strings.Join(parts, "; ")
}

// references returns the local files that a parsed compose file pulls in
// through include: and extends.file, resolved against its folder.
func references(root *yaml.Node, file string, expand func(string) (string, bool)) []string {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	child := func(n *yaml.Node, key string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	var refs []string
	if inc := child(root, "include"); inc != nil && inc.Kind == yaml.SequenceNode {
		for _, it := range inc.Content {
			switch it.Kind {
			case yaml.ScalarNode:
				refs = append(refs, it.Value)
			case yaml.MappingNode:
				if v := child(it, "path"); v != nil {
					if v.Kind == yaml.ScalarNode {
						refs = append(refs, v.Value)
					}
					for _, c := range v.Content {
						refs = append(refs, c.Value)
					}
				}
			}
		}
	}
	if svcs := child(root, "services"); svcs != nil && svcs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(svcs.Content); i += 2 {
			if f := child(child(svcs.Content[i+1], "extends"), "file"); f != nil && f.Kind == yaml.ScalarNode {
				refs = append(refs, f.Value)
			}
		}
	}
	var out []string
	for _, r := range refs {
		r, ok := expand(r)
		if !ok || r == "" || strings.Contains(r, "://") || strings.HasPrefix(r, "oci:") || strings.HasPrefix(r, "git") {
			continue
		}
		if !filepath.IsAbs(r) {
			r = filepath.Join(filepath.Dir(file), r)
		}
		out = append(out, r)
	}
	return out
}

// envFileRefs returns the env_file and label_file paths a parsed compose
// file names (services.*.env_file, services.*.label_file and
// include[].env_file: a string, a list of strings or of {path: ...}),
// resolved against its folder. Paths that need interpolation are skipped.
func envFileRefs(root *yaml.Node, file string, expand func(string) (string, bool)) []string {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	child := func(n *yaml.Node, key string) *yaml.Node {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
	var refs []string
	collect := func(v *yaml.Node) {
		if v == nil {
			return
		}
		items := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			items = v.Content
		}
		for _, it := range items {
			switch it.Kind {
			case yaml.ScalarNode:
				refs = append(refs, it.Value)
			case yaml.MappingNode:
				if p := child(it, "path"); p != nil && p.Kind == yaml.ScalarNode {
					refs = append(refs, p.Value)
				}
			}
		}
	}
	if svcs := child(root, "services"); svcs != nil && svcs.Kind == yaml.MappingNode {
		for i := 1; i < len(svcs.Content); i += 2 {
			collect(child(svcs.Content[i], "env_file"))
			collect(child(svcs.Content[i], "label_file"))
		}
	}
	if inc := child(root, "include"); inc != nil && inc.Kind == yaml.SequenceNode {
		for _, it := range inc.Content {
			collect(child(it, "env_file"))
		}
	}
	var out []string
	for _, r := range refs {
		r, ok := expand(r)
		if !ok || r == "" {
			continue
		}
		if !filepath.IsAbs(r) {
			r = filepath.Join(filepath.Dir(file), r)
		}
		out = append(out, r)
	}
	return out
}

// addAll indexes the given compose files and, transitively, the local
// files they include or extend (each parsed once, at most 256). Referenced
// files come first in the index so that the given files win ties in
// lookups. Every file is read through ReadInput. It returns the YAML
// syntax problems of the given files, and for every file the refusals of
// ReadInput and of the walker's limits; a missing file is left to
// compose-go to report.
func (ix *posIndex) addAll(dir string, files []string) []topology.Problem {
	var problems []topology.Problem
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
	}
	read := func(f string) ([]byte, bool) {
		raw, err := topology.ReadInput(f)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				problems = append(problems, inputProblem(displayPath(dir, f), err))
			}
			return nil, false
		}
		return raw, true
	}
	var queue []string
	for _, f := range files {
		raw, ok := read(f)
		if !ok {
			continue
		}
		if p, _ := ix.add(displayPath(dir, f), raw); p != nil {
			problems = append(problems, *p)
		}
		ix.files[len(ix.files)-1].path = f
		queue = append(queue, references(ix.files[len(ix.files)-1].root, f, ix.expand)...)
	}
	main := len(ix.files)
	for len(queue) > 0 && len(ix.files)-main < 256 {
		r := queue[0]
		queue = queue[1:]
		if seen[r] {
			continue
		}
		seen[r] = true
		raw, ok := read(r)
		if !ok {
			continue
		}
		if p, limit := ix.add(displayPath(dir, r), raw); limit {
			problems = append(problems, *p)
		}
		ix.files[len(ix.files)-1].path = r
		queue = append(queue, references(ix.files[len(ix.files)-1].root, r, ix.expand)...)
	}
	ix.files = append(ix.files[main:], ix.files[:main]...)
	return problems
}
