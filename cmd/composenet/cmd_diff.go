package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/composenet/composenet/internal/gitrev"
	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/topology"
)

// cmdDiff answers `composenet diff`: what changed between two versions of
// a project. Exit 0 when nothing changed, 1 when anything did, 2 on bad
// input.
func cmdDiff(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "diff", maxArgs: -1,
		args: "[OLD NEW]",
		summary: "What changed between two versions of a project, for pull-request review: reachability\n" +
			"pairs gained and lost (IP level and every published or listened-on port; containers\n" +
			"matched by name), DNS answers changed (service names looked up from every container),\n" +
			"exposure changed (published bindings, the attack surface), lint findings new and fixed\n" +
			"(matched by code and subject, not by line), and projects added to or removed from the\n" +
			"host. Each side is one or more compose files: --old/--new (repeatable, merged in order)\n" +
			"or two positional files; -f files are shared, merged before each side's own. The other\n" +
			"project flags apply to both sides, --with too (the other projects on the host, named\n" +
			"project/service in the report; --old-with/--new-with for one side only). When the two\n" +
			"sides' project names differ and -p is not given, the old side is loaded under the new\n" +
			"side's name so that containers match. --git OLD[..NEW] compares git revisions of the\n" +
			"same files instead (NEW defaults to the working tree): each revision is extracted whole,\n" +
			"so includes, extends, .env files and --with projects inside the repository come from\n" +
			"it too. Exit 0 when nothing changed, 1 when anything did, 2 on bad input.",
		examples: []string{
			"composenet diff compose.old.yaml compose.yaml",
			"composenet diff --old base.yaml --old prod.yaml --new base.yaml --new prod.next.yaml",
			"composenet diff -f base.yaml --old prod.yaml --new prod.next.yaml",
			"composenet diff --git main                 # main against the working tree",
			"composenet diff --git v1.2..HEAD -f deploy/compose.yaml",
		},
	})
	lf := addLoadFlags(fs)
	fs.Lookup("file").Usage = "compose `FILE` that both sides share, merged before each side's own files (repeatable)"
	var olds, news multiFlag
	fs.Var(&olds, "old", "compose `FILE` of the old side (repeatable, merged in order)")
	fs.Var(&news, "new", "compose `FILE` of the new side (repeatable, merged in order)")
	var oldWith, newWith multiFlag
	fs.Var(&oldWith, "old-with", "a compose project in `DIR_OR_FILE` that only the old side's host runs, brought up after the --with ones (repeatable)")
	fs.Var(&newWith, "new-with", "a compose project in `DIR_OR_FILE` that only the new side's host runs, brought up after the --with ones (repeatable)")
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	gitRange := fs.String("git", "", "compare git revisions `OLD[..NEW]` of the -f files (or the discovered ones); NEW defaults to the working tree")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "composenet diff: "+format+"\n", a...)
		fmt.Fprintf(e.stderr, "Run 'composenet diff --help' for usage.\n")
		return exitBadInput
	}
	if *gitRange != "" {
		if len(pos) > 0 || len(olds) > 0 || len(news) > 0 || len(oldWith) > 0 || len(newWith) > 0 {
			return usage("--git compares revisions of the -f files; do not give --old, --new, --old-with, --new-with or OLD NEW as well")
		}
		if !checkFormat(e, "diff", *format, "text", "json") {
			return exitBadInput
		}
		return diffGit(ctx, e, lf, *gitRange, *format)
	}
	switch {
	case len(pos) == 0 && len(olds) > 0 && len(news) > 0:
	case len(pos) == 2 && len(olds) == 0 && len(news) == 0:
		olds, news = multiFlag{pos[0]}, multiFlag{pos[1]}
	case len(pos) == 0:
		return usage("want --old FILE and --new FILE, or two files OLD NEW")
	case len(pos) != 2:
		return usage("want two files OLD NEW, got %d", len(pos))
	default:
		return usage("give the sides either as --old/--new or as two files, not both")
	}
	if !checkFormat(e, "diff", *format, "text", "json") {
		return exitBadInput
	}
	load := func(files multiFlag, extra multiFlag, project string) (*topology.Topology, bool) {
		opt := lf.options(e)
		opt.Files = append(append([]string{}, lf.files...), files...)
		if project != "" {
			opt.ProjectName = project
		}
		// --with and the host description's projects: apply to both sides.
		t, err := topology.LoadProjects(ctx, opt, append(slices.Clone(lf.with), extra...), e.loadHelper().Load)
		if err != nil {
			printError(e, err)
			return nil, false
		}
		return t, true
	}
	oldT, ok1 := load(olds, oldWith, "")
	newT, ok2 := load(news, newWith, "")
	if !ok1 || !ok2 {
		return exitBadInput
	}
	var notes []string
	if lf.project == "" && oldT.Project != newT.Project {
		// Containers match by name, and names carry the project (R1-4): a
		// copy of the old file in another folder would otherwise differ
		// everywhere. Load the old side under the new side's name.
		own := oldT.Project
		if oldT, ok1 = load(olds, oldWith, newT.Project); !ok1 {
			return exitBadInput
		}
		notes = append(notes, fmt.Sprintf("the old side was loaded as project %s (its own name is %s) so that containers match by name; pass -p to choose", newT.Project, own))
	}
	d := review.Diff(oldT, newT)
	d.Notes = append(notes, d.Notes...)
	return writeDiff(ctx, e, d, *format)
}

// writeDiff prints the report and returns the exit status: 1 when anything
// changed.
func writeDiff(ctx context.Context, e *env, d *review.DiffReport, format string) int {
	switch {
	case !e.emitWith(ctx, "diff", nil, format, d, func(w io.Writer) error { return review.WriteDiffText(w, d) }):
		return exitBadInput
	case d.Changed:
		return exitNegative
	}
	return exitOK
}

// diffGit compares two git revisions of the project (NEW empty: the
// working tree). Each revision is verified and extracted whole into a
// temporary folder (package gitrev).
func diffGit(ctx context.Context, e *env, lf *loadFlags, spec, format string) int {
	oldRev, newRev, err := gitrev.ParseRange(spec)
	if err != nil {
		fmt.Fprintf(e.stderr, "composenet diff: %v\n", err)
		return exitBadInput
	}
	cwd, err := os.Getwd()
	if err != nil {
		printError(e, err)
		return exitBadInput
	}
	var outside []string // --with projects outside the repository
	var absent []string  // notes: --with projects missing at a revision
	side := func(rev string) (*topology.Topology, bool) {
		opt := lf.options(e)
		opt.Dir = cwd
		with := lf.with
		if rev != "" {
			snap, err := gitrev.Extract(ctx, cwd, rev)
			if err != nil {
				fmt.Fprintf(e.stderr, "composenet diff: %v\n", err)
				return nil, false
			}
			defer snap.Remove()
			if opt.Dir, opt.Files, err = snap.MapProject(cwd, lf.files); err != nil {
				fmt.Fprintf(e.stderr, "composenet diff: %v\n", err)
				return nil, false
			}
			// The other projects (--with) are read at the revision when
			// they are inside the repository, else from the working tree.
			with = nil
			for _, w := range lf.with {
				p := w
				if !filepath.IsAbs(p) {
					p = filepath.Join(cwd, p)
				}
				if m, err := snap.Map(p); err == nil {
					if _, err := os.Stat(m); err != nil {
						// Not in the repository at that revision: not on
						// that side's host (a project added or removed).
						absent = append(absent, fmt.Sprintf("--with %s does not exist at revision %s: that side's host does not run it", w, rev))
						continue
					}
					with = append(with, m)
					continue
				}
				with = append(with, p)
				if !slices.Contains(outside, w) {
					outside = append(outside, w)
				}
			}
		}
		t, err := topology.LoadProjects(ctx, opt, with, e.loadHelper().Load)
		if err != nil {
			if rev != "" {
				fmt.Fprintf(e.stderr, "at revision %s:\n", rev)
			}
			printError(e, err)
			return nil, false
		}
		return t, true
	}
	oldT, ok1 := side(oldRev)
	newT, ok2 := side(newRev)
	if !ok1 || !ok2 {
		return exitBadInput
	}
	d := review.Diff(oldT, newT)
	newName := newRev
	if newName == "" {
		newName = "working tree"
	}
	notes := []string{fmt.Sprintf("old side: git revision %s; new side: %s", oldRev, newName)}
	for _, w := range outside {
		notes = append(notes, fmt.Sprintf("--with %s is outside the git repository: both sides read it from the working tree", w))
	}
	notes = append(notes, absent...)
	d.Notes = append(notes, d.Notes...)
	return writeDiff(ctx, e, d, format)
}
