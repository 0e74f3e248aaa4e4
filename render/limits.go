package render

import (
	"fmt"
	"strings"

	"github.com/composenet/composenet/topology"
)

// Limits on what a diagram draws: past them the picture is unreadable and
// Graphviz works for minutes (one service on 1,000 networks: 29 s and
// 724 MB of SVG layout), so the caller refuses and says so.
const (
	// MaxHighlights is the number of flows one picture draws readably.
	MaxHighlights = 50
	// MaxNetworksLayout is the number of networks one container may join
	// for the svg and dot formats.
	MaxNetworksLayout = 100
	// SummaryThreshold is the container count above which SummaryAuto
	// draws the summarised picture: the full SVG of 500 services lays out
	// in about 1.5 s, of 5000 in minutes.
	SummaryThreshold = 800
)

// CheckLayout refuses, for the formats Graphviz lays out (svg, dot), a
// topology with a container on more than MaxNetworksLayout networks.
func CheckLayout(t *topology.Topology, format string) error {
	if format != "svg" && format != "dot" {
		return nil
	}
	for _, c := range t.Containers {
		if n := len(c.Endpoints); n > MaxNetworksLayout {
			return fmt.Errorf("%s joins %d networks: at most %d per container can be laid out in %s (Graphviz takes minutes); use --format ascii or --focus on another service", c.Name, n, MaxNetworksLayout, format)
		}
	}
	return nil
}

// UseSummary reports whether a picture in format of t is drawn as the
// summary (networks as nodes, containers counted): mode "on" always for
// svg and dot, "auto" there too when nothing is focused and t has more
// than SummaryThreshold containers, "off" never; auto says whether the
// automatic choice made it.
func UseSummary(t *topology.Topology, format, mode, focus string) (use, auto bool, err error) {
	switch mode {
	case "on", "off", "auto":
	default:
		return false, false, fmt.Errorf("--summary: want on, off or auto, got %q", mode)
	}
	if format != "svg" && format != "dot" {
		return false, false, nil
	}
	auto = mode == "auto" && focus == "" && len(t.Containers) > SummaryThreshold
	return mode == "on" || auto, auto, nil
}

// ParseHide reads --hide values (comma-separated, repeatable) into opt.
func (opt *Options) ParseHide(values []string) error {
	for _, h := range values {
		for _, w := range strings.Split(h, ",") {
			switch strings.TrimSpace(w) {
			case "ports":
				opt.HidePorts = true
			case "routes":
				opt.HideRoutes = true
			default:
				return fmt.Errorf("--hide: unknown %q (want ports or routes)", w)
			}
		}
	}
	return nil
}
