package loader

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"

	"github.com/composenet/composenet/topology"
)

// collectInputs fills in what Load read. It over-approximates where
// compose-go's resolution is ambiguous (a relative include path is listed
// against both the including file's folder and the project folder): an
// extra file only costs a needless cache miss, a missing one a stale answer.
func collectInputs(dir string, opts topology.Options, po *cli.ProjectOptions, project *types.Project, ix *posIndex) topology.Inputs {
	var in topology.Inputs
	files := map[string]bool{}
	add := func(p string) {
		if p != "" {
			files[filepath.Clean(p)] = true
		}
	}
	uncacheable := func(why string) {
		if in.Uncacheable == "" {
			in.Uncacheable = why
		}
	}
	projectDir := project.WorkingDir
	for _, f := range po.ConfigPaths {
		if f == "-" {
			uncacheable("a compose file is read from stdin")
			continue
		}
		add(f)
	}
	if len(opts.Files) == 0 && len(po.ConfigPaths) > 0 {
		// Discovery (cli.WithDefaultConfigPath) looks for these names in
		// every folder from dir upward until it finds one.
		found := filepath.Dir(po.ConfigPaths[0])
		names := append(append([]string{}, cli.DefaultFileNames...), cli.DefaultOverrideFileNames...)
		for d := dir; ; d = filepath.Dir(d) {
			for _, n := range names {
				add(filepath.Join(d, n))
			}
			if d == found || filepath.Dir(d) == d {
				break
			}
		}
	}
	if wd, err := po.GetWorkingDir(); err == nil {
		add(filepath.Join(wd, ".env"))
	}
	add(filepath.Join(projectDir, ".env"))
	for _, f := range po.EnvFiles {
		if !filepath.IsAbs(f) {
			add(filepath.Join(dir, f))
			f = filepath.Join(projectDir, f)
		}
		add(f)
	}
	if opts.HostFile != "" {
		p := opts.HostFile
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		add(p)
	}
	for _, s := range project.Services {
		for _, ef := range s.EnvFiles {
			add(ef.Path)
		}
		for _, lf := range s.LabelFiles {
			add(lf)
		}
	}
	// Files reached through include: and extends.file, as the position
	// index found them, plus what their entries name.
	for _, fi := range ix.files {
		name := fi.name
		if !filepath.IsAbs(name) {
			name = filepath.Join(dir, filepath.FromSlash(name))
		}
		add(name)
		add(filepath.Join(filepath.Dir(name), ".env"))
		refs, why := referencedInputs(fi.root)
		if why != "" {
			uncacheable(why)
		}
		for _, r := range refs {
			if filepath.IsAbs(r) {
				add(r)
				add(filepath.Join(filepath.Dir(r), ".env"))
				continue
			}
			for _, base := range []string{filepath.Dir(name), projectDir, dir} {
				p := filepath.Join(base, r)
				add(p)
				add(filepath.Join(filepath.Dir(p), ".env"))
				add(filepath.Join(p, ".env")) // r may be a project_directory
			}
		}
	}
	if len(ix.files) > len(po.ConfigPaths)+maxReferencedFiles-1 {
		uncacheable("too many included or extended files to list")
	}
	in.Files = make([]string, 0, len(files))
	for f := range files {
		in.Files = append(in.Files, f)
	}
	slices.Sort(in.Files)
	return in
}

// referencedInputs returns the paths a compose file's include: entries
// (path, env_file, project_directory) and extends.file name, as written,
// and a reason when one of them cannot be resolved offline.
func referencedInputs(root *yaml.Node) (refs []string, uncacheable string) {
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, ""
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
	scalars := func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			refs = append(refs, n.Value)
		}
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				refs = append(refs, c.Value)
			}
		}
	}
	if inc := child(root, "include"); inc != nil {
		for _, it := range inc.Content {
			switch it.Kind {
			case yaml.ScalarNode:
				refs = append(refs, it.Value)
			case yaml.MappingNode:
				scalars(child(it, "path"))
				scalars(child(it, "env_file"))
				scalars(child(it, "project_directory"))
			default:
				uncacheable = "an include entry is neither a path nor a mapping"
			}
		}
	}
	if svcs := child(root, "services"); svcs != nil && svcs.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(svcs.Content); i += 2 {
			scalars(child(child(svcs.Content[i+1], "extends"), "file"))
		}
	}
	out := refs[:0]
	for _, r := range refs {
		switch {
		case r == "":
		case strings.Contains(r, "$"):
			uncacheable = "an include or extends path uses a variable"
		case strings.Contains(r, "://") || strings.HasPrefix(r, "oci:") || strings.HasPrefix(r, "git@"):
			uncacheable = "an include or extends file is remote"
		default:
			out = append(out, r)
		}
	}
	return out, uncacheable
}

// maxReferencedFiles is how many included or extended files the position
// index follows (posIndex.addAll); beyond it the inputs are incomplete.
const maxReferencedFiles = 256
