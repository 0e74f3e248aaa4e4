// Package ascii renders a topology as text boxes for a terminal, in the
// spirit of the diagrams of the Docker networking guide: a box for the
// Docker host with its published ports, a box per network listing its
// members with their addresses, the containers with a special network_mode,
// and a short summary of highlighted and blocked flows (the hop-by-hop
// journey of a single flow is drawn by the reach command, not here).
//
// Lines are at most Width columns (80). With Options.ASCIIOnly every
// character is 7-bit ASCII: +-| boxes, "->" arrows, "ok"/"NO" marks.
// The output is deterministic.
package ascii

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/topology"
)

// Width is the maximum line width in columns.
const Width = 80

// Renderer writes the text picture. The zero value is ready to use.
type Renderer struct{}

// Render writes the text picture of t with the overlays of opt to w.
func (Renderer) Render(w io.Writer, t *topology.Topology, opt render.Options) error {
	v, err := render.Build(t, opt)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, String(v, opt.ASCIIOnly))
	return err
}

type charset struct {
	tl, tr, bl, br, h, vert, arrow, ok, no, src, dot, ellipsis string
}

var unicodeSet = charset{"┌", "┐", "└", "┘", "─", "│", "→", "✓", "✗", "◆", "·", "…"}
var asciiSet = charset{"+", "+", "+", "+", "-", "|", "->", "ok", "NO", "**", "-", "~"}

// String returns the text picture of v; asciiOnly restricts it to ASCII.
func String(v *render.View, asciiOnly bool) string {
	cs := unicodeSet
	if asciiOnly {
		cs = asciiSet
	}
	// name shows a container as users type it: the service, and the
	// engine name when it differs ("gateway · api-gateway").
	sep := " " + cs.dot + " "
	if asciiOnly {
		sep = " / "
	}
	name := func(c *render.ContainerView) string { return c.Title(sep) }
	var b strings.Builder
	title := v.Project
	if title == "" {
		title = "compose project"
	}
	head := title + " " + cs.dot + " Docker network topology"
	if v.Focus != "" {
		head += " " + cs.dot + " focus: " + v.Focus
	}
	b.WriteString(clip(head, Width, cs) + "\n")
	if v.From != "" {
		b.WriteString(clip(fmt.Sprintf("marks: %s source (%s)  %s reachable  %s not reachable", cs.src, v.From, cs.ok, cs.no), Width, cs) + "\n")
	}
	b.WriteString("\n")
	reachMark := func(r render.ReachState) string {
		switch r {
		case render.ReachSource:
			return cs.src
		case render.ReachYes:
			return cs.ok
		case render.ReachNo:
			return cs.no
		}
		return ""
	}
	marked := v.From != ""

	// Host box.
	var hostRows []string
	addrs := []string{}
	for _, a := range v.Host.Addresses {
		addrs = append(addrs, a.String())
	}
	inet := "Internet / LAN"
	if m := reachMark(v.Host.InternetReach); m != "" {
		inet = m + " " + inet
	}
	hostTitle := "Docker host"
	if len(addrs) > 0 {
		hostTitle += " " + strings.Join(addrs, ", ")
	}
	if m := reachMark(v.Host.Reach); m != "" {
		hostTitle = m + " " + hostTitle
	}
	var egress []string
	for _, n := range v.Networks {
		if n.Egress {
			egress = append(egress, n.Name())
		}
	}
	b.WriteString(inet + "\n")
	up := cs.vert + " inbound: published ports"
	switch {
	case v.PortsHidden:
		up = cs.vert + " inbound: published ports (hidden)"
	case len(v.Ports) == 0:
		up = cs.vert + " inbound: nothing published"
	}
	b.WriteString("   " + up + "\n")
	if len(egress) > 0 {
		b.WriteString("   " + cs.vert + " egress (masquerade) from " + plural(len(egress), "network") + "\n")
	}
	if len(v.Ports) > 0 {
		w := 0
		for _, p := range v.Ports {
			w = max(w, len(p.HostSide()))
		}
		for _, p := range v.Ports {
			row := fmt.Sprintf("%-*s %s %s:%d/%s", w, p.HostSide(), cs.arrow, p.C.Short(), p.B.ContainerPort, p.B.Protocol)
			if p.Loopback() {
				row += " (loopback only)"
			}
			if p.B.Ephemeral {
				row += " (ephemeral)"
			}
			hostRows = append(hostRows, row)
		}
	} else if v.PortsHidden {
		hostRows = append(hostRows, "published ports hidden (--hide ports)")
	} else {
		hostRows = append(hostRows, "no published ports")
	}
	for _, c := range v.Host.HostMode {
		hostRows = append(hostRows, name(c)+" runs in the host network namespace (network_mode: host)")
	}
	box(&b, hostTitle, hostRows, cs)

	// Network boxes.
	for _, n := range v.Networks {
		b.WriteString("\n")
		parts := []string{n.Name()}
		if m := reachMark(n.Reach); m != "" {
			parts[0] = m + " " + parts[0]
		}
		if n.Net.Subnet.IsValid() {
			parts = append(parts, n.Net.Subnet.String())
		}
		if n.Net.Gateway.IsValid() {
			parts = append(parts, "gw "+n.Net.Gateway.String())
		}
		if m := n.Markers(); len(m) > 0 {
			parts = append(parts, strings.ToUpper(strings.Join(m, ", ")))
		}
		var rows []string
		// Member rows: address, name, notes.
		type row struct{ mark, addr, name, note string }
		var rs []row
		for _, m := range n.Members {
			var notes []string
			if m.C.Image != "" {
				notes = append(notes, m.C.Image)
			}
			var others []string
			for _, o := range m.C.NetNet {
				if o != n {
					// The compose key is shorter; the box titles
					// carry the full engine names.
					name := o.Net.Key
					if name == "" {
						name = o.Name()
					}
					others = append(others, name)
				}
			}
			if len(others) > 0 {
				notes = append(notes, "also "+strings.Join(others, ", "))
			}
			if as := aliases(m, n); len(as) > 0 {
				notes = append(notes, "alias "+strings.Join(as, ", "))
			}
			rs = append(rs, row{reachMark(m.C.Reach), m.Addr.String(), name(m.C), strings.Join(notes, "; ")})
			for _, s := range v.Containers {
				if s.Provider == m.C {
					rs = append(rs, row{reachMark(s.Reach), m.Addr.String(), name(s), "shares " + name(m.C) + "'s namespace"})
				}
			}
		}
		aw, nw := 0, 0
		for _, r := range rs {
			aw = max(aw, len(r.addr))
			nw = max(nw, utf8.RuneCountInString(r.name))
		}
		nw = min(nw, 32)
		for _, r := range rs {
			line := ""
			if marked {
				line = fmt.Sprintf("%-2s ", r.mark)
			}
			line += fmt.Sprintf("%-*s  %s", aw, r.addr, pad(clip(r.name, nw, cs), nw))
			if r.note != "" {
				line += "  " + r.note
			}
			rows = append(rows, strings.TrimRight(line, " "))
		}
		if len(rs) == 0 {
			rows = append(rows, "(no containers)")
		}
		switch {
		case n.Net.Internal:
			rows = append(rows, "no egress, no published ports (internal)")
		case n.Egress:
			rows = append(rows, "egress: masquerade to the internet")
		default:
			rows = append(rows, "egress: routed without masquerade")
		}
		box(&b, strings.Join(parts, " "+cs.dot+" "), rows, cs)
	}

	// Containers outside every network box.
	var other []string
	for _, c := range v.Containers {
		if len(c.Nets) > 0 || c.Provider != nil {
			continue
		}
		mark := ""
		if marked {
			mark = fmt.Sprintf("%-2s ", reachMark(c.Reach))
		}
		switch c.C.NetworkMode {
		case "host":
			other = append(other, mark+name(c)+": network_mode: host (the host's network namespace)")
		case "none":
			other = append(other, mark+name(c)+": network_mode: none (loopback only)")
		default:
			other = append(other, mark+name(c)+": no network")
		}
	}
	if len(other) > 0 {
		b.WriteString("\nOther network modes\n")
		for _, o := range other {
			b.WriteString(clip("  "+o, Width, cs) + "\n")
		}
	}

	writeProjects(&b, v, cs, name)
	writeRoutes(&b, v, cs)

	// Flows.
	if len(v.Flows) > 0 {
		b.WriteString("\nFlows\n")
		names := nodeNames(v)
		for _, f := range v.Flows {
			verdict := cs.ok
			tail := "total " + render.FormatMS(f.Flow.TotalMS)
			if !f.Flow.Reachable {
				verdict = cs.no
				tail = "dropped at " + names[f.BlockedID]
				if f.Flow.Rule != "" {
					tail += ": " + f.Flow.Rule
				}
			}
			b.WriteString(clip(fmt.Sprintf("  %d %s %s  %s", f.Index+1, verdict, f.Flow.Title(), tail), Width, cs) + "\n")
			if f.Flow.Reason != "" {
				b.WriteString(clip("      ("+f.Flow.Reason+")", Width, cs) + "\n")
			}
			var path []string
			for i, s := range f.Steps {
				if i == 0 {
					path = append(path, names[s.FromID])
				}
				if s.ToID != s.FromID {
					path = append(path, names[s.ToID])
				}
			}
			end := ""
			if !f.Flow.Reachable {
				end = " " + cs.no
			}
			wrap(&b, "      ", path, " "+cs.arrow+" ", end, cs)
		}
	}
	return b.String()
}

// writeProjects lists, for a host that runs several compose projects, each
// project's containers in up order.
func writeProjects(b *strings.Builder, v *render.View, cs charset, name func(*render.ContainerView) string) {
	if len(v.Projects) < 2 {
		return
	}
	b.WriteString("\nProjects (in up order)\n")
	for _, pv := range v.Projects {
		var names []string
		for _, c := range pv.Containers {
			names = append(names, name(c))
		}
		if len(names) == 0 {
			names = []string{"(no container drawn)"}
		}
		names[0] = pv.Name + ": " + names[0]
		if len(pv.Networks) > 0 {
			// The networks the project created (topology.Network.Project).
			nets := make([]string, len(pv.Networks))
			for i, n := range pv.Networks {
				nets[i] = n.Name()
			}
			word := "; creates network "
			if len(nets) > 1 {
				word = "; creates networks "
			}
			names[len(names)-1] += word + strings.Join(nets, ", ")
		}
		wrap(b, "  ", names, ", ", "", cs)
	}
}

// writeRoutes lists the reverse-proxy routes: a mark (ok, NO, or ? when
// not evaluated), proxy -> backend:port, the host/path rule, and for a
// blocked route the verdict, rule and reason on the next lines (wrapped).
func writeRoutes(b *strings.Builder, v *render.View, cs charset) {
	if len(v.Routes) == 0 && v.RoutesNotDrawn == 0 {
		return
	}
	b.WriteString("\nRoutes (reverse proxy " + cs.arrow + " backend, rules read from configuration, not probed)\n")
	byID := map[string]string{}
	for _, c := range v.Containers {
		byID[c.ID] = c.Short()
	}
	type row struct{ mark, hop, more string }
	var rows []row
	w := 0
	for _, r := range v.Routes {
		x := row{mark: cs.ok, hop: byID[r.FromID] + " " + cs.arrow + " " + byID[r.ToID] + r.Route.PortText()}
		switch r.Route.State {
		case render.RouteBlocked:
			x.mark = cs.no
			x.more = r.Route.Verdict
			if r.Route.Rule != "" {
				x.more += ": " + r.Route.Rule
			}
			if r.Route.Reason != "" {
				x.more += " (" + r.Route.Reason + ")"
			}
		case render.RouteUnknown:
			x.mark = "?"
			x.more = "not evaluated"
			if r.Route.Reason != "" {
				x.more += ": " + r.Route.Reason
			}
		}
		w = max(w, utf8.RuneCountInString(x.hop))
		rows = append(rows, x)
	}
	w = min(w, 36)
	for i, x := range rows {
		// 2 + 2 + 1 + w + 2 columns before the rule.
		match := v.Routes[i].Route.Short(Width - 7 - w)
		b.WriteString(clip(fmt.Sprintf("  %-2s %s  %s", x.mark, pad(clip(x.hop, w, cs), w), match), Width, cs) + "\n")
		if x.more != "" {
			wrap(b, "       ", strings.Fields(x.more), " ", "", cs)
		}
	}
	if n := v.RoutesNotDrawn; n > 0 {
		wrap(b, "  ", strings.Fields(fmt.Sprintf("%s not drawn: the proxy or the backend is not a container of this picture (composenet exposure lists every route)", plural(n, "route"))), " ", "", cs)
	}
}

// nodeNames maps node IDs back to the names the user knows.
func nodeNames(v *render.View) map[string]string {
	m := map[string]string{render.HostID: "host", render.InternetID: "internet"}
	for _, n := range v.Networks {
		m[n.GatewayID()] = n.Name()
	}
	for _, c := range v.Containers {
		m[c.ID] = c.Name()
	}
	for _, x := range v.Extra {
		m[x.ID] = x.Name
	}
	return m
}

// box writes a box of Width columns with the title in its top border.
func box(b *strings.Builder, title string, rows []string, cs charset) {
	inner := Width - 4
	t := cs.h + " " + clip(title, inner-2, cs) + " "
	b.WriteString(cs.tl + t + strings.Repeat(cs.h, max(0, Width-2-utf8.RuneCountInString(t))) + cs.tr + "\n")
	for _, r := range rows {
		b.WriteString(cs.vert + " " + pad(clip(r, inner, cs), inner) + " " + cs.vert + "\n")
	}
	b.WriteString(cs.bl + strings.Repeat(cs.h, Width-2) + cs.br + "\n")
}

// wrap writes items joined by sep, wrapped at Width with indent.
func wrap(b *strings.Builder, indent string, items []string, sep, end string, cs charset) {
	line := indent
	for i, it := range items {
		piece := it
		if i < len(items)-1 {
			piece += sep
		} else {
			piece += end
		}
		if utf8.RuneCountInString(line)+utf8.RuneCountInString(piece) > Width && line != indent {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent + "  "
		}
		line += piece
	}
	b.WriteString(clip(strings.TrimRight(line, " "), Width, cs) + "\n")
}

func clip(s string, w int, cs charset) string {
	if utf8.RuneCountInString(s) <= w {
		return s
	}
	r := []rune(s)
	el := utf8.RuneCountInString(cs.ellipsis)
	return string(r[:w-el]) + cs.ellipsis
}

func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-utf8.RuneCountInString(s)))
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// aliases returns m's network aliases on n (R6-3).
func aliases(m render.Member, n *render.NetView) []string {
	for _, e := range m.C.C.Endpoints {
		if e.Network == n.Net {
			return e.Aliases
		}
	}
	return nil
}
