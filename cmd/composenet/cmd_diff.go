package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/topology"
)

// cmdDiff answers `composenet diff`: what changed between two versions of
// a project. Exit 0 when nothing changed, 1 when anything did, 2 on bad
// input.
func cmdDiff(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "diff",
		args: "[OLD NEW]",
		summary: "What changed between two versions of a project, for pull-request review: reachability\n" +
			"pairs gained and lost (IP level and every published or listened-on port; containers\n" +
			"matched by name), DNS answers changed (service names looked up from every container),\n" +
			"exposure changed (published bindings, the attack surface), and lint findings new and\n" +
			"fixed (matched by code and subject, not by line). Each side is one or more compose files:\n" +
			"--old/--new (repeatable, merged in order) or two positional files; -f files are shared,\n" +
			"merged before each side's own. The other project flags apply to both sides. When the two\n" +
			"sides' project names differ and -p is not given, the old side is loaded under the new\n" +
			"side's name so that containers match. --git OLD[..NEW] compares git revisions of the\n" +
			"same files instead (NEW defaults to the working tree): each revision is extracted whole,\n" +
			"so includes, extends and .env files come from it too. Exit 0 when nothing changed,\n" +
			"1 when anything did, 2 on bad input.",
		examples: []string{
			"composenet diff compose.old.yaml compose.yaml",
			"composenet diff --old base.yaml --old prod.yaml --new base.yaml --new prod.next.yaml",
			"composenet diff -f base.yaml --old prod.yaml --new prod.next.yaml",
			"composenet diff --git main                 # main against the working tree",
			"composenet diff --git v1.2..HEAD -f deploy/compose.yaml",
		},
	})
	lf := addLoadFlags(fs)
	for _, name := range []string{"f", "file"} {
		fs.Lookup(name).Usage = "compose `FILE` that both sides share, merged before each side's own files (repeatable)"
	}
	var olds, news multiFlag
	fs.Var(&olds, "old", "compose `FILE` of the old side (repeatable, merged in order)")
	fs.Var(&news, "new", "compose `FILE` of the new side (repeatable, merged in order)")
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
		if len(pos) > 0 || len(olds) > 0 || len(news) > 0 {
			return usage("--git compares revisions of the -f files; do not give --old, --new or OLD NEW as well")
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
	load := func(files multiFlag, project string) (*topology.Topology, bool) {
		opt := lf.options(e)
		opt.Files = append(append([]string{}, lf.files...), files...)
		if project != "" {
			opt.ProjectName = project
		}
		t, err := topology.Load(ctx, opt)
		if err != nil {
			printError(e, err)
			return nil, false
		}
		return t, true
	}
	oldT, ok1 := load(olds, "")
	newT, ok2 := load(news, "")
	if !ok1 || !ok2 {
		return exitBadInput
	}
	var notes []string
	if lf.project == "" && oldT.Project != newT.Project {
		// Containers match by name, and names carry the project (R1-4): a
		// copy of the old file in another folder would otherwise differ
		// everywhere. Load the old side under the new side's name.
		own := oldT.Project
		if oldT, ok1 = load(olds, newT.Project); !ok1 {
			return exitBadInput
		}
		notes = append(notes, fmt.Sprintf("the old side was loaded as project %s (its own name is %s) so that containers match by name; pass -p to choose", newT.Project, own))
	}
	d := review.Diff(oldT, newT)
	d.Notes = append(notes, d.Notes...)
	return writeDiff(e, d, format)
}

// writeDiff prints the report and returns the exit status: 1 when anything
// changed.
func writeDiff(e *env, d *review.DiffReport, format *string) int {
	var buf bytes.Buffer
	if *format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(d); err != nil {
			printError(e, err)
			return exitBadInput
		}
	} else {
		writeDiffText(&buf, d)
	}
	e.stdout.Write(buf.Bytes())
	if d.Changed {
		return exitNegative
	}
	return exitOK
}

// diffGit compares two git revisions of the project (NEW empty: the
// working tree). Each revision is extracted whole into a temporary folder.
func diffGit(ctx context.Context, e *env, lf *loadFlags, spec, format string) int {
	oldRev, newRev, _ := strings.Cut(spec, "..")
	if oldRev == "" {
		fmt.Fprintf(e.stderr, "composenet diff: --git wants OLD[..NEW], got %q\n", spec)
		return exitBadInput
	}
	cwd, err := os.Getwd()
	if err != nil {
		printError(e, err)
		return exitBadInput
	}
	side := func(rev string) (*topology.Topology, bool) {
		opt := lf.options(e)
		opt.Dir = cwd
		if rev != "" {
			snap, top, err := checkoutRev(ctx, cwd, rev)
			if err != nil {
				fmt.Fprintf(e.stderr, "composenet diff: %v\n", err)
				return nil, false
			}
			defer snap.remove()
			if opt.Dir, err = snap.mapPath(top, cwd); err == nil {
				opt.Files = nil
				for _, f := range lf.files {
					if !filepath.IsAbs(f) {
						f = filepath.Join(cwd, f)
					}
					m, merr := snap.mapPath(top, f)
					if merr != nil {
						err = merr
						break
					}
					opt.Files = append(opt.Files, m)
				}
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "composenet diff: %v\n", err)
				return nil, false
			}
		}
		t, err := topology.Load(ctx, opt)
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
	d.Notes = append([]string{fmt.Sprintf("old side: git revision %s; new side: %s", oldRev, newName)}, d.Notes...)
	return writeDiff(e, d, &format)
}

// writeDiffText writes the report as a review summary: one section per kind
// of change, "+" for what the new side adds, "-" for what it removes, "~"
// for what it changes.
func writeDiffText(w io.Writer, d *review.DiffReport) {
	fmt.Fprintf(w, "diff %s -> %s (project %s)\n", strings.Join(d.Old.Files, " + "), strings.Join(d.New.Files, " + "), d.New.Project)
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(w, "\n%s\n", title)
		return true
	}
	if section("CONTAINERS", len(d.ContainersAdded)+len(d.ContainersRemoved)) {
		for _, c := range d.ContainersAdded {
			fmt.Fprintf(w, "+ %s\n", c)
		}
		for _, c := range d.ContainersRemoved {
			fmt.Fprintf(w, "- %s\n", c)
		}
	}
	if section("REACHABILITY (pairs gained and lost; ip = IP-level traffic, else container ports)", len(d.Gained)+len(d.Lost)) {
		writePairs(w, "+", "was", d.Gained, func(p review.PairChange) string { return p.Old })
		writePairs(w, "-", "now", d.Lost, func(p review.PairChange) string { return p.New })
	}
	if section("DNS (service names looked up from each container; answers by container)", len(d.DNS)) {
		for _, c := range d.DNS {
			fmt.Fprintf(w, "~ %s: %s  %s -> %s\n", c.From, c.Name, c.Old, c.New)
		}
	}
	if section("EXPOSURE (entry points and the attack surface)", len(d.Exposure)) {
		for _, x := range d.Exposure {
			sign := map[string]string{review.ChangeAdded: "+", review.ChangeRemoved: "-", review.ChangeChanged: "~"}[x.Change]
			what := x.New
			switch x.Change {
			case review.ChangeRemoved:
				what = x.Old
			case review.ChangeChanged:
				what = "was " + x.Old + ", now " + x.New
			}
			line := fmt.Sprintf("%s %s %s: %s", sign, x.What, x.Label, what)
			if x.Position != "" {
				line += " (" + x.Position + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if section("LINT (findings new and fixed)", len(d.NewFindings)+len(d.FixedFindings)) {
		for _, f := range d.NewFindings {
			fmt.Fprintf(w, "+ %s %s %s: %s\n", f.Severity, f.Code, orDash(f.Position), f.Message)
		}
		for _, f := range d.FixedFindings {
			fmt.Fprintf(w, "- %s %s %s: %s\n", f.Severity, f.Code, orDash(f.Position), f.Message)
		}
	}
	fmt.Fprintln(w)
	if !d.Changed {
		fmt.Fprintf(w, "no changes in containers, reachability, DNS, exposure or lint findings\n")
	} else {
		var parts []string
		add := func(n int, what string) {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, what))
			}
		}
		add(len(d.ContainersAdded), "container(s) added")
		add(len(d.ContainersRemoved), "container(s) removed")
		add(len(d.Gained), "pair(s) gained")
		add(len(d.Lost), "pair(s) lost")
		add(len(d.DNS), "DNS answer(s) changed")
		add(len(d.Exposure), "exposure change(s)")
		add(len(d.NewFindings), "new finding(s)")
		add(len(d.FixedFindings), "fixed finding(s)")
		fmt.Fprintf(w, "changed: %s\n", strings.Join(parts, ", "))
	}
	for _, n := range d.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}

// writePairs prints pairs grouped by source and target: "+ a -> b: ip,
// 80/tcp (was name-not-resolved)". The pairs come sorted by from, to, port.
func writePairs(w io.Writer, sign, word string, ps []review.PairChange, other func(review.PairChange) string) {
	for i := 0; i < len(ps); {
		j := i
		var ports, verdicts []string
		for ; j < len(ps) && ps[j].From == ps[i].From && ps[j].To == ps[i].To; j++ {
			ports = append(ports, ps[j].Port)
			if v := other(ps[j]); !containsString(verdicts, v) {
				verdicts = append(verdicts, v)
			}
		}
		fmt.Fprintf(w, "%s %s -> %s: %s (%s %s)\n", sign, ps[i].From, ps[i].To, strings.Join(ports, ", "), word, strings.Join(verdicts, "/"))
		i = j
	}
}

func containsString(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
