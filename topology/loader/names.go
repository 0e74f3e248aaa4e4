package loader

import (
	"fmt"
	"strings"

	"github.com/composenet/composenet/topology"
)

// checkNames validates every name of the project and the host description
// with its position, all problems at once.
func (b *builder) checkNames() {
	for _, k := range sortedKeys(b.p.Networks) {
		cfg := b.p.Networks[k]
		if cfg.Name == "" {
			continue // <project>_<key>: both validated by compose-go
		}
		if err := topology.CheckNetworkName(cfg.Name); err != nil {
			b.problem("networks."+k+".name", "%v", err)
		}
	}
	for _, name := range sortedKeys(b.p.Services) {
		s := b.p.Services[name]
		sp := "services." + name
		if len(name) > topology.MaxNameBytes {
			b.problem(sp, "a service name of %d bytes; composenet accepts at most %d", len(name), topology.MaxNameBytes)
		}
		if s.ContainerName != "" {
			if err := topology.CheckContainerName(s.ContainerName); err != nil {
				b.problem(sp+".container_name", "%v", err)
			}
		}
		if s.Hostname != "" {
			if err := topology.CheckHostname(s.Hostname); err != nil {
				b.problem(sp+".hostname", "%v", err)
			}
		}
		for _, k := range sortedKeys(s.Networks) {
			if cfg := s.Networks[k]; cfg != nil {
				for i, a := range cfg.Aliases {
					if err := topology.CheckDNSName(a); err != nil {
						b.problem(fmt.Sprintf("%s.networks.%s.aliases.%d", sp, k, i), "network alias: %v", err)
					}
				}
			}
		}
		for _, l := range s.Links {
			if _, alias, ok := strings.Cut(l, ":"); ok {
				if err := topology.CheckDNSName(alias); err != nil {
					b.problem(sp+".links", "link alias: %v", err)
				}
			}
		}
		for _, h := range sortedKeys(s.ExtraHosts) {
			if err := topology.CheckDNSName(h); err != nil {
				b.problem(sp+".extra_hosts."+h, "extra_hosts name: %v", err)
			}
		}
	}
	for i, hn := range b.hs.networks {
		if hn.Name == "" {
			continue
		}
		if err := topology.CheckNetworkName(hn.Name); err != nil {
			b.problems = append(b.problems, topology.Problem{Pos: topology.Position{File: b.hs.file, Line: hn.line, Col: 5}, Path: fmt.Sprintf("networks.%d.name", i), Message: err.Error()})
		}
	}
	for i, hc := range b.hs.containers {
		if hc.Name == "" {
			continue
		}
		pos := topology.Position{File: b.hs.file, Line: hc.line, Col: 5}
		if err := topology.CheckContainerName(hc.Name); err != nil {
			b.problems = append(b.problems, topology.Problem{Pos: pos, Path: fmt.Sprintf("containers.%d.name", i), Message: err.Error()})
		}
		for _, nn := range sortedKeys(hc.Networks) {
			for j, a := range hc.Networks[nn].Aliases {
				if err := topology.CheckDNSName(a); err != nil {
					b.problems = append(b.problems, topology.Problem{Pos: pos, Path: fmt.Sprintf("containers.%d.networks.%s.aliases.%d", i, nn, j), Message: "network alias: " + err.Error()})
				}
			}
		}
	}
}
