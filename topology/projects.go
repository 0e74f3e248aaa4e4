package topology

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ProjectRef names one more compose project on the host (--with, or an
// entry of the host description's projects: list): a folder holding a
// compose file, or a compose file, with that project's own options.
type ProjectRef struct {
	// Path is the folder or compose file as written.
	Path string
	// Base is the folder Path is relative to (the working directory for
	// --with, the host description's folder for projects:).
	Base string
	// ProjectName, Profiles and EnvFiles are that project's -p,
	// --profile and --env-file (projects: entries only).
	ProjectName string
	Profiles    []string
	EnvFiles    []string
	// Pos is the entry in the host description (or a scenario file's
	// with: list); zero for --with.
	Pos Position
	// Field is the dotted path shown with Pos (default "projects.path").
	Field string
	// Flag is the flag that named it ("--with"), for problems without a
	// position.
	Flag string
}

// composeFileNames and overrideFileNames are docker compose's discovery
// names, in its order of preference.
var (
	composeFileNames  = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	overrideFileNames = []string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
)

// hostProjectsFile is the projects: part of a host description.
type hostProjectsFile struct {
	Projects yaml.Node `yaml:"projects"`
}

type hostProject struct {
	Path        string   `yaml:"path"`
	ProjectName string   `yaml:"project_name"`
	Profiles    []string `yaml:"profiles"`
	EnvFile     []string `yaml:"env_file"`
}

// HostProjects reads the projects: list of the host description file
// (relative to dir): the projects already up on the host, in up order,
// each a path (a folder or a compose file, relative to the description's
// folder) with optional project_name, profiles and env_file.
func HostProjects(dir, file string) ([]ProjectRef, []Problem) {
	if file == "" {
		return nil, nil
	}
	path := file
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	name := relPath(dir, path)
	raw, err := ReadInput(path)
	if err != nil {
		return nil, nil // the host description's own load reports it
	}
	var hf hostProjectsFile
	if err := yaml.Unmarshal(raw, &hf); err != nil {
		return nil, nil // reported by the host description's load
	}
	n := &hf.Projects
	if n.Kind == 0 {
		return nil, nil
	}
	at := func(x *yaml.Node) Position { return Position{File: name, Line: x.Line, Col: x.Column} }
	if n.Kind != yaml.SequenceNode {
		return nil, []Problem{{Pos: at(n), Path: "projects", Message: "want a list of projects, e.g. [{path: ../proxy}]"}}
	}
	var refs []ProjectRef
	var problems []Problem
	for i, item := range n.Content {
		p := fmt.Sprintf("projects.%d", i)
		var hp hostProject
		if item.Kind == yaml.ScalarNode {
			hp.Path = item.Value
		} else if err := item.Decode(&hp); err != nil || item.Kind != yaml.MappingNode {
			problems = append(problems, Problem{Pos: at(item), Path: p, Message: "want a path, or a mapping with path: and optional project_name:, profiles:, env_file:"})
			continue
		}
		if hp.Path == "" {
			problems = append(problems, Problem{Pos: at(item), Path: p, Message: "a project needs a path: (its folder or compose file)"})
			continue
		}
		refs = append(refs, ProjectRef{Path: hp.Path, Base: filepath.Dir(path), ProjectName: hp.ProjectName, Profiles: hp.Profiles, EnvFiles: hp.EnvFile, Pos: at(item)})
	}
	return refs, problems
}

// Options returns the load options of the project r names, from base (the
// main project's options): the same working directory, host description,
// daemon settings and latency model, and the process environment without
// COMPOSE_PROJECT_NAME, COMPOSE_FILE and COMPOSE_PROFILES, which belong to
// the main project; the project's own files (a folder's compose file and
// override file, found as docker compose finds them, without searching
// parent folders), name, profiles and env files.
func (r ProjectRef) Options(base Options) (Options, []Problem) {
	dir := base.Dir
	if dir == "" {
		dir, _ = os.Getwd()
	}
	path := r.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.Base, path)
	}
	where, what := r.Pos, "projects.path"
	if r.Field != "" {
		what = r.Field
	}
	if r.Pos.IsZero() {
		where, what = Position{}, r.Flag+" "+r.Path
	}
	if r.Path == "" {
		return Options{}, []Problem{{Pos: where, Path: what, Message: "empty path: want a project folder or a compose file"}}
	}
	st, err := os.Stat(path)
	if err != nil {
		msg := "no such file or folder"
		if !os.IsNotExist(err) {
			msg = strings.TrimPrefix(err.Error(), "stat "+path+": ")
		}
		return Options{}, []Problem{{Pos: where, Path: what, Message: fmt.Sprintf("cannot load project %s: %s", relPath(dir, path), msg)}}
	}
	var files []string
	if st.IsDir() {
		for _, names := range [][]string{composeFileNames, overrideFileNames} {
			for _, n := range names {
				f := filepath.Join(path, n)
				if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
					files = append(files, f)
					break
				}
			}
			if len(files) == 0 {
				return Options{}, []Problem{{Pos: where, Path: what, Message: fmt.Sprintf("no compose file in %s (looked for %s)", relPath(dir, path), strings.Join(composeFileNames, ", "))}}
			}
		}
	} else {
		files = []string{path}
	}
	absDir := dir
	if a, err := filepath.Abs(dir); err == nil {
		absDir = a
	}
	for i, f := range files {
		// Relative to dir when inside it, else absolute: a path relative
		// to the process's folder would be read relative to dir.
		if a, err := filepath.Abs(f); err == nil {
			f = a
		}
		files[i] = relPath(absDir, f)
	}
	o := Options{
		Files:       files,
		Dir:         dir,
		ProjectName: r.ProjectName,
		Profiles:    r.Profiles,
		HostFile:    base.HostFile,
		Daemon:      base.Daemon,
		Latency:     base.Latency,
	}
	for _, f := range r.EnvFiles {
		if !filepath.IsAbs(f) {
			f = filepath.Join(r.Base, f)
		}
		o.EnvFiles = append(o.EnvFiles, f)
	}
	o.Env = []string{}
	for _, kv := range base.Env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "COMPOSE_PROJECT_NAME", "COMPOSE_FILE", "COMPOSE_PROFILES":
			continue
		}
		o.Env = append(o.Env, kv)
	}
	return o, nil
}

// relPath shows p relative to dir when it is inside it.
func relPath(dir, p string) string {
	if rel, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return p
}

// LoadFunc loads one project (Load, or a cache in front of it).
type LoadFunc func(context.Context, Options) (*Topology, error)

// ProjectOptions returns the load options of every project on the host
// that main describes, in `up` order: the host description's projects:
// list, then those named by with (--with), then main itself (last, with
// its Dir set). The problems are those of the projects that cannot be
// named (a missing path, a folder without a compose file); their
// projects are left out of the list.
func ProjectOptions(main Options, with []string) ([]Options, []Problem, error) {
	return HostOptions(main, withRefs(with))
}

// HostOptions is ProjectOptions with the other projects given as
// references (a scenario file's with: list, say): the host description's
// projects first, then refs in order, then main. A reference without Base
// is relative to main.Dir.
func HostOptions(main Options, with []ProjectRef) ([]Options, []Problem, error) {
	if main.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil, err
		}
		main.Dir = wd
	}
	refs, problems := HostProjects(main.Dir, main.HostFile)
	for _, r := range with {
		if r.Base == "" {
			r.Base = main.Dir
		}
		refs = append(refs, r)
	}
	var opts []Options
	for _, r := range refs {
		o, ps := r.Options(main)
		if len(ps) > 0 {
			problems = append(problems, ps...)
			continue
		}
		opts = append(opts, o)
	}
	return append(opts, main), problems, nil
}

func withRefs(with []string) []ProjectRef {
	refs := make([]ProjectRef, len(with))
	for i, w := range with {
		refs[i] = ProjectRef{Path: w, Flag: "--with"}
	}
	return refs
}

// LoadProjects loads the host that main describes: the projects of the
// host description's projects: list, then those named by with (--with),
// then the main project, in that `up` order, each with load; and merges
// them (Merge). Without other projects it is load(main). Problems of
// every project are reported together, sorted.
func LoadProjects(ctx context.Context, main Options, with []string, load LoadFunc) (*Topology, error) {
	return LoadHost(ctx, main, withRefs(with), load)
}

// LoadHost is LoadProjects with the other projects given as references
// (HostOptions).
func LoadHost(ctx context.Context, main Options, with []ProjectRef, load LoadFunc) (*Topology, error) {
	opts, problems, err := HostOptions(main, with)
	if err != nil {
		return nil, err
	}
	if len(opts) == 1 && len(problems) == 0 {
		return load(ctx, opts[0])
	}
	var ts []*Topology
	for _, o := range opts {
		o.SharedHost = true // static addresses on other projects' networks: Merge decides (R3-10)
		t, err := load(ctx, o)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) {
				return nil, err
			}
			problems = append(problems, le.Problems...)
			continue
		}
		ts = append(ts, t)
	}
	if len(problems) == 0 {
		return Merge(ts)
	}
	// The clashes between the projects that did load are reported too.
	if len(ts) > 1 {
		var le *LoadError
		if _, err := Merge(ts); errors.As(err, &le) {
			problems = append(problems, le.Problems...)
		}
	}
	return nil, &LoadError{Problems: SortProblems(problems)}
}
