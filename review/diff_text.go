package review

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
)

// WriteDiffText writes the diff report as a review summary: one section per
// kind of change, "+" for what the new side adds, "-" for what it removes,
// "~" for what it changes, then a count of each kind and the notes.
func WriteDiffText(w io.Writer, d *DiffReport) error {
	if len(d.New.Projects) > 1 || len(d.Old.Projects) > 1 {
		fmt.Fprintf(w, "diff %s -> %s (projects %s -> %s, in up order)\n", termsafe.Escape(strings.Join(d.Old.Files, " + ")), termsafe.Escape(strings.Join(d.New.Files, " + ")), orDash(strings.Join(d.Old.Projects, ", ")), orDash(strings.Join(d.New.Projects, ", ")))
	} else {
		fmt.Fprintf(w, "diff %s -> %s (project %s)\n", termsafe.Escape(strings.Join(d.Old.Files, " + ")), termsafe.Escape(strings.Join(d.New.Files, " + ")), d.New.Project)
	}
	section := func(title string, n int) bool {
		if n == 0 {
			return false
		}
		fmt.Fprintf(w, "\n%s\n", title)
		return true
	}
	if section("PROJECTS (on the host, in up order)", len(d.ProjectsAdded)+len(d.ProjectsRemoved)) {
		for _, p := range d.ProjectsAdded {
			fmt.Fprintf(w, "+ %s\n", p)
		}
		for _, p := range d.ProjectsRemoved {
			fmt.Fprintf(w, "- %s\n", p)
		}
	}
	if section("CONTAINERS", len(d.ContainersAdded)+len(d.ContainersRemoved)) {
		for _, c := range d.ContainersAdded {
			fmt.Fprintf(w, "+ %s\n", d.label(c))
		}
		for _, c := range d.ContainersRemoved {
			fmt.Fprintf(w, "- %s\n", d.label(c))
		}
	}
	if section("REACHABILITY (pairs gained and lost; ip = IP-level traffic, else container ports)", len(d.Gained)+len(d.Lost)) {
		writePairs(w, d, "+", "was", d.Gained, func(p PairChange) string { return p.Old })
		writePairs(w, d, "-", "now", d.Lost, func(p PairChange) string { return p.New })
	}
	if section("DNS (service names looked up from each container; answers by container)", len(d.DNS)) {
		for _, c := range d.DNS {
			fmt.Fprintf(w, "~ %s: %s  %s -> %s\n", d.label(c.From), c.Name, c.Old, c.New)
		}
	}
	if section("EXPOSURE (entry points and the attack surface)", len(d.Exposure)) {
		for _, x := range d.Exposure {
			sign := map[string]string{ChangeAdded: "+", ChangeRemoved: "-", ChangeChanged: "~"}[x.Change]
			what := x.New
			switch x.Change {
			case ChangeRemoved:
				what = x.Old
			case ChangeChanged:
				what = "was " + x.Old + ", now " + x.New
			}
			line := fmt.Sprintf("%s %s %s: %s", sign, x.What, x.Label, what)
			if x.Position != "" {
				line += " (" + termsafe.Escape(x.Position) + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if section("LINT (findings new and fixed)", len(d.NewFindings)+len(d.FixedFindings)) {
		for _, f := range d.NewFindings {
			fmt.Fprintf(w, "+ %s %s %s: %s\n", f.Severity, f.Code, orDash(termsafe.Escape(f.Position)), f.Message)
		}
		for _, f := range d.FixedFindings {
			fmt.Fprintf(w, "- %s %s %s: %s\n", f.Severity, f.Code, orDash(termsafe.Escape(f.Position)), f.Message)
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
		add(len(d.ProjectsAdded), "project(s) added")
		add(len(d.ProjectsRemoved), "project(s) removed")
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
	return nil
}

// writePairs prints pairs grouped by source and target: "+ a -> b: ip,
// 80/tcp (was name-not-resolved)". The pairs come sorted by from, to, port.
func writePairs(w io.Writer, d *DiffReport, sign, word string, ps []PairChange, other func(PairChange) string) {
	for i := 0; i < len(ps); {
		j := i
		var ports, verdicts []string
		for ; j < len(ps) && ps[j].From == ps[i].From && ps[j].To == ps[i].To; j++ {
			ports = append(ports, ps[j].Port)
			if v := other(ps[j]); !slices.Contains(verdicts, v) {
				verdicts = append(verdicts, v)
			}
		}
		fmt.Fprintf(w, "%s %s -> %s: %s (%s %s)\n", sign, d.label(ps[i].From), d.label(ps[i].To), strings.Join(ports, ", "), word, strings.Join(verdicts, "/"))
		i = j
	}
}

// label names a container for people: on a host with several projects
// its qualified service first ("app/web · app-web-1", as diagrams do),
// else its name.
func (d *DiffReport) label(container string) string {
	if svc := d.Services[container]; svc != "" {
		return svc + " · " + container
	}
	return container
}
