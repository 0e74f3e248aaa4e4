package review

import (
	"fmt"
	"io"
	"strings"

	"github.com/composenet/composenet/internal/termsafe"
	"github.com/composenet/composenet/sim"
)

// WriteExposureText writes the exposure report for people: entry points,
// the host's direct reach, the attack surface by depth, a summary and the
// notes.
func WriteExposureText(w io.Writer, r *ExposureReport) error {
	fmt.Fprintf(w, "exposure of project %s (%s)\n", r.Project, termsafe.Escape(strings.Join(r.Files, ", ")))

	fmt.Fprintf(w, "\nENTRY POINTS (published ports and other ways in)\n")
	if len(r.Entries) == 0 {
		fmt.Fprintf(w, "  none: no service publishes a port\n")
	}
	width := 0
	for _, en := range r.Entries {
		width = max(width, len(en.Label()))
	}
	dual := false
	exposed, hostOnly := 0, 0
	for _, en := range r.Entries {
		who := "not reachable"
		switch {
		case en.Exposed() && en.FromHost == sim.Delivered:
			who = "internet/LAN + host"
			exposed++
		case en.Exposed():
			who = "internet/LAN"
			exposed++
		case en.HostOnly():
			who = "host only"
			hostOnly++
		}
		line := fmt.Sprintf("  %-19s  %-*s  %s", who, width, en.Label(), orDash(termsafe.Escape(en.Position)))
		if en.AlsoIPv6 {
			dual = true
		}
		switch {
		case !en.Exposed():
			line += fmt.Sprintf("\n      internet/LAN: %s: %s [%s]", en.Internet, en.Reason, en.Rule)
		case en.Reason != "":
			line += fmt.Sprintf("\n      %s [%s]", en.Reason, en.Rule)
		}
		fmt.Fprintln(w, line)
	}
	if dual {
		fmt.Fprintf(w, "  (0.0.0.0 also binds [::] where the compose file gives no host_ip, R8-6)\n")
	}

	writeRoutesText(w, r)

	h := r.Host
	fmt.Fprintf(w, "\nFROM THE HOST (%s)\n", h.Rule)
	fmt.Fprintf(w, "  the host reaches every container address directly, on any port, internal networks included:\n")
	internal := ""
	if h.InternalNetworks > 0 {
		internal = fmt.Sprintf(", %d of them internal", h.InternalNetworks)
	}
	fmt.Fprintf(w, "  %d of %d containers, on %d network(s)%s\n", h.Reachable, h.Containers, h.Networks, internal)
	for _, u := range h.Unreachable {
		fmt.Fprintf(w, "  except %s: %s (%s)\n", u.Container, u.Verdict, u.Reason)
	}

	fmt.Fprintf(w, "\nATTACK SURFACE FROM THE INTERNET/LAN (declared calls, transitively)\n")
	if len(r.Surface) == 0 {
		fmt.Fprintf(w, "  none: nothing is reachable from the internet/LAN\n")
	}
	direct, more, maxDepth, calling := 0, 0, 0, 0
	for _, n := range r.Surface {
		if n.Depth == 1 {
			direct++
		} else {
			more++
		}
		maxDepth = max(maxDepth, n.Depth)
		fmt.Fprintf(w, "  %s  depth %d  %s\n", n.Name, n.Depth, strings.Join(n.Path, " -> "))
		if n.Depth == 1 {
			fmt.Fprintf(w, "    entry: %s\n", n.Via)
		} else {
			fmt.Fprintf(w, "    via call: %s\n", n.Via)
		}
		if len(n.Calls) == 0 {
			fmt.Fprintf(w, "    %s\n", NoCalls)
			continue
		}
		calling++
		for _, c := range n.Calls {
			v := c.Verdict.String()
			if c.Reason != "" && c.Verdict != sim.Delivered {
				v += " (" + c.Reason + ")"
			}
			fmt.Fprintf(w, "    calls %s (%s, %s): %s\n", c.Target, c.Env, orDash(termsafe.Escape(c.Position)), v)
		}
	}

	fmt.Fprintf(w, "\nSUMMARY\n")
	fmt.Fprintf(w, "  the internet/LAN reaches %d service(s) directly through %d entry point(s)\n", direct, exposed)
	switch {
	case more > 0:
		fmt.Fprintf(w, "  declared calls reach %d more service(s), up to depth %d\n", more, maxDepth)
	case direct > 0 && calling == 0:
		fmt.Fprintf(w, "  declared calls reach nothing more: the exposed services have %s\n", NoCalls)
	case direct > 0:
		fmt.Fprintf(w, "  declared calls reach nothing more: they reach only services that are exposed already\n")
	}
	if hostOnly > 0 {
		fmt.Fprintf(w, "  %d binding(s) reach the host only\n", hostOnly)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
