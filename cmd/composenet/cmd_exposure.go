package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/composenet/composenet/render/svgcmd"
	"github.com/composenet/composenet/review"
	"github.com/composenet/composenet/sim"
)

// cmdExposure answers `composenet exposure`: what the internet/LAN and the
// host reach, and the transitive attack surface through declared calls.
// Exit 0, or 2 on bad input.
func cmdExposure(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, cmdSpec{
		name: "exposure",
		summary: "What the internet/LAN and the host can reach: every published binding (host_ip:port ->\n" +
			"container:port/proto; loopback bindings reach the host only, R7-9), network_mode: host\n" +
			"listeners, and the host's direct access to every container address (R7-6). Then, for\n" +
			"each exposed service, what its declared calls (environment URLs, host:port values,\n" +
			"*_HOST keys) reach in turn, transitively: the attack surface, with each service's depth\n" +
			"(hops from the internet) and the path that makes it reachable. --format svg draws the\n" +
			"exposure graph. The format comes from --format, else from -o's extension (.txt .json\n" +
			".svg), else text.",
		examples: []string{
			"composenet exposure -f examples/production/compose.yaml",
			"composenet exposure --format json | jq '.surface[] | select(.depth > 1)'",
			"composenet exposure -o exposure.svg",
		},
	})
	lf := addLoadFlags(fs)
	format := fs.String("format", "", "output `FORMAT`: text, json or svg (default: from -o's extension, else text)")
	out := fs.String("o", "", "write the output to `FILE` (atomically) instead of stdout")
	pos, code, ok := parseArgs(e, fs, args)
	if !ok {
		return code
	}
	if !wantArgs(e, fs, pos, 0, 0) {
		return exitBadInput
	}
	f := *format
	if f == "" && *out != "" {
		f = map[string]string{".txt": "text", ".json": "json", ".svg": "svg"}[strings.ToLower(filepath.Ext(*out))]
		if f == "" {
			fmt.Fprintf(e.stderr, "composenet exposure: cannot tell the format from %q: use --format text, json or svg\n", *out)
			return exitBadInput
		}
	}
	if f == "" {
		f = "text"
	}
	if !checkFormat(e, "exposure", f, "text", "json", "svg") {
		return exitBadInput
	}
	t, ok := lf.load(ctx, e)
	if !ok {
		return exitBadInput
	}
	rep := review.Exposure(t)
	var buf bytes.Buffer
	switch f {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			printError(e, err)
			return exitBadInput
		}
	case "svg":
		svg, err := svgcmd.FromDOT(ctx, "", []byte(rep.DOT()))
		if err != nil {
			fmt.Fprintf(e.stderr, "composenet exposure: %v\n", err)
			return exitBadInput
		}
		buf.Write(svg)
	default:
		writeExposureText(&buf, rep)
	}
	if f != "json" {
		printWarnings(e, t)
	}
	if *out == "" {
		e.stdout.Write(buf.Bytes())
		return exitOK
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		printError(e, err)
		return exitBadInput
	}
	return exitOK
}

// writeExposureText writes the report for people: entry points, the host's
// direct reach, the attack surface by depth, a summary and the notes.
func writeExposureText(w io.Writer, r *review.ExposureReport) {
	fmt.Fprintf(w, "exposure of project %s (%s)\n", r.Project, strings.Join(r.Files, ", "))

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
		line := fmt.Sprintf("  %-19s  %-*s  %s", who, width, en.Label(), orDash(en.Position))
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
			fmt.Fprintf(w, "    %s\n", review.NoCalls)
			continue
		}
		calling++
		for _, c := range n.Calls {
			v := c.Verdict.String()
			if c.Reason != "" && c.Verdict != sim.Delivered {
				v += " (" + c.Reason + ")"
			}
			fmt.Fprintf(w, "    calls %s (%s, %s): %s\n", c.Target, c.Env, orDash(c.Position), v)
		}
	}

	fmt.Fprintf(w, "\nSUMMARY\n")
	fmt.Fprintf(w, "  the internet/LAN reaches %d service(s) directly through %d entry point(s)\n", direct, exposed)
	switch {
	case more > 0:
		fmt.Fprintf(w, "  declared calls reach %d more service(s), up to depth %d\n", more, maxDepth)
	case direct > 0 && calling == 0:
		fmt.Fprintf(w, "  declared calls reach nothing more: the exposed services have %s\n", review.NoCalls)
	case direct > 0:
		fmt.Fprintf(w, "  declared calls reach nothing more: they reach only services that are exposed already\n")
	}
	if hostOnly > 0 {
		fmt.Fprintf(w, "  %d binding(s) reach the host only\n", hostOnly)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
