package loader

import (
	"fmt"
	"slices"
	"strings"

	"github.com/composenet/composenet/topology"

	"github.com/compose-spec/compose-go/v2/graph"
	"github.com/compose-spec/compose-go/v2/types"
)

// consistency runs the model checks of compose-go's loader
// (loader/validate.go, checkConsistency) that concern a project's
// services, all of them: compose-go returns the first inconsistency it
// meets while ranging over maps, so which one it reports changes from run
// to run. Here every service, network key and dependency is visited in
// sorted order and every problem is kept, with the wording of compose-go.
// Load calls it when compose-go's own check failed (see recheck).
func consistency(p *types.Project, ix *posIndex) []topology.Problem {
	var out []topology.Problem
	add := func(path, format string, args ...any) {
		out = append(out, topology.Problem{Pos: ix.lookup(path), Path: path, Message: fmt.Sprintf(format, args...)})
	}
	for _, name := range sortedKeys(p.Services) {
		s := p.Services[name]
		sp := "services." + name
		if s.Build == nil && s.Image == "" && s.Provider == nil {
			add(sp, "service %q has neither an image nor a build context specified", name)
		}
		if s.NetworkMode != "" && len(s.Networks) > 0 {
			add(sp+".network_mode", "service %s declares mutually exclusive `network_mode` and `networks`", name)
		}
		for _, n := range sortedKeys(s.Networks) {
			if _, ok := p.Networks[n]; !ok {
				add(sp+".networks."+n, "service %q refers to undefined network %s", name, n)
			}
		}
		if s.HealthCheck != nil && len(s.HealthCheck.Test) > 0 {
			switch s.HealthCheck.Test[0] {
			case "CMD", "CMD-SHELL", "NONE":
			default:
				add(sp+".healthcheck.test", `healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"`)
			}
		}
		for _, d := range sortedKeys(s.DependsOn) {
			if _, ok := p.Services[d]; ok {
				continue
			}
			if _, ok := p.DisabledServices[d]; ok && !s.DependsOn[d].Required {
				continue
			}
			add(dependencyPath(ix, s, d), "service %q depends on undefined service %q", name, d)
		}
		if target, ok := strings.CutPrefix(s.NetworkMode, types.ServicePrefix); ok {
			if _, known := s.DependsOn[target]; !known {
				if _, err := p.GetServices(target); err != nil {
					add(sp+".network_mode", "service %q not found for network_mode 'service:%s'", target, target)
				}
			}
		}
		for i, v := range s.Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				if _, ok := p.Volumes[v.Source]; !ok {
					add(fmt.Sprintf("%s.volumes.%d", sp, i), "service %q refers to undefined volume %s", name, v.Source)
				}
			}
		}
		for i, c := range s.Configs {
			if _, ok := p.Configs[c.Source]; !ok {
				add(fmt.Sprintf("%s.configs.%d", sp, i), "service %q refers to undefined config %s", name, c.Source)
			}
		}
		for i, c := range s.Secrets {
			if _, ok := p.Secrets[c.Source]; !ok {
				add(fmt.Sprintf("%s.secrets.%d", sp, i), "service %q refers to undefined secret %s", name, c.Source)
			}
		}
		if s.Scale != nil && s.Deploy != nil && s.Deploy.Replicas != nil && *s.Scale != *s.Deploy.Replicas {
			add(sp+".scale", "can't set distinct values on 'scale' and 'deploy.replicas'")
		}
		if s.Scale != nil && *s.Scale < 0 {
			add(sp+".scale", "must be greater than or equal to 0")
		}
		if s.Deploy != nil && s.Deploy.Replicas != nil && *s.Deploy.Replicas < 0 {
			add(sp+".deploy.replicas", "must be greater than or equal to 0")
		}
		if s.GetScale() > 1 && s.ContainerName != "" {
			attr := "scale"
			if s.Scale == nil {
				attr = "deploy.replicas"
			}
			add(sp+".container_name", "can't set container_name together with %s > 1: a container name must be unique, so the service cannot be scaled; remove container_name", attr)
		}
	}
	if err := graph.CheckCycle(p); err != nil {
		// Undefined dependencies are reported above; only cycles are news.
		if rest, ok := strings.CutPrefix(err.Error(), "dependency cycle detected: "); ok {
			first, _, _ := strings.Cut(rest, " -> ")
			add("services."+first+".depends_on", "%s", err.Error())
		}
	}
	return out
}

// dependencyPath is where a dependency is written: under depends_on, or
// implied by network_mode: service:X, links or volumes_from (compose-go
// adds those to depends_on).
func dependencyPath(ix *posIndex, s types.ServiceConfig, d string) string {
	sp := "services." + s.Name
	if _, ok := ix.exact(sp + ".depends_on." + d); ok {
		return sp + ".depends_on." + d
	}
	if s.NetworkMode == types.ServicePrefix+d {
		return sp + ".network_mode"
	}
	for _, l := range s.Links {
		if name, _, _ := strings.Cut(l, ":"); name == d {
			return sp + ".links"
		}
	}
	if slices.ContainsFunc(s.VolumesFrom, func(v string) bool { return strings.HasPrefix(v, d) }) {
		return sp + ".volumes_from"
	}
	return sp + ".depends_on"
}

// samePlace reports whether one dotted path is the other or lies under it.
func samePlace(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	return a == b || strings.HasPrefix(b, a+".")
}
