// Package rewrite turns a compose project into the one composenet verify
// brings up: the same networks, addresses, aliases, links, published
// ports and network modes, with every service running the probe image.
// It loads the project with compose-go, so the composenet command reaches
// it through the composenet-load helper (verify.Options.Rewrite).
package rewrite

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/composenet/composenet/verify"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"

	"github.com/composenet/composenet/topology"
)

// LoadCompose loads the compose project that opts describe with compose-go,
// the same way loader.Load does, for rewriting. t is the topology that
// loader.Load built from the same options (it has already reported every
// input problem) and gives the resolved files and project name.
func LoadCompose(ctx context.Context, opts topology.Options, t *topology.Topology) (*types.Project, error) {
	files := make([]string, len(t.Files))
	for i, f := range t.Files {
		if !filepath.IsAbs(f) {
			base := opts.Dir
			if len(opts.Files) == 0 && base == "" {
				base = t.WorkingDir
			}
			f = filepath.Join(base, f)
		}
		files[i] = f
	}
	projectDir := opts.ProjectDir
	if projectDir != "" && !filepath.IsAbs(projectDir) {
		projectDir = filepath.Join(opts.Dir, projectDir)
	}
	po, err := cli.NewProjectOptions(files,
		cli.WithWorkingDirectory(projectDir),
		cli.WithEnv(opts.Env),
		cli.WithEnvFiles(opts.EnvFiles...),
		cli.WithDotEnv,
		cli.WithName(t.Project),
		cli.WithResolvedPaths(true),
		cli.WithDefaultProfiles(opts.Profiles...),
	)
	if err != nil {
		return nil, err
	}
	var p *types.Project
	withQuietLogs(func() { p, err = po.LoadProject(ctx) })
	if err != nil {
		return nil, err
	}
	return p.WithoutUnnecessaryResources(), nil
}

// Rewrite turns project p into the project that verify brings up: the
// same networks, endpoints, addresses, aliases, links, published ports and
// network modes, with every service's image replaced by the probe image,
// the probe serving every declared port (ports targets, expose,
// x-composenet.listen), and everything that runs or needs the project's
// own code or data removed (build, healthchecks, volumes, secrets,
// configs, entrypoints, environment, depends_on conditions). t is the
// topology of p; its containers give the declared listeners.
func Rewrite(p *types.Project, t *topology.Topology, spec verify.RewriteSpec) (*verify.Rewritten, error) {
	name := verify.ProjectName(p.Name)
	out := &types.Project{Name: name, Services: types.Services{}, Networks: types.Networks{}}
	var notes []string
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		nn := types.NetworkConfig{
			Name:       n.Name,
			Driver:     n.Driver,
			DriverOpts: n.DriverOpts,
			Ipam:       n.Ipam,
			Internal:   n.Internal,
			Attachable: n.Attachable,
			EnableIPv4: n.EnableIPv4,
			EnableIPv6: n.EnableIPv6,
		}
		switch v, shared := spec.External[n.Name]; {
		case bool(n.External) && shared:
			// Another project of the run creates it (R2-5): looked up by
			// its verify name.
			out.Networks[key] = types.NetworkConfig{Name: v, External: true}
			notes = append(notes, fmt.Sprintf("external network %s is %s, created by an earlier project of the run", n.Name, v))
			continue
		case bool(n.External):
			nn.Name = n.Name + verify.Suffix
			notes = append(notes, fmt.Sprintf("external network %s is created by verify as %s (an ordinary project network)", n.Name, nn.Name))
		default:
			nn.Name = verify.NetworkName(p.Name, key, n.Name)
		}
		out.Networks[key] = nn
	}
	for _, sname := range sortedKeys(p.Services) {
		s := p.Services[sname]
		listen := listenOf(s, t, spec.Listen[sname])
		cmd := types.ShellCommand{"serve"}
		for _, pp := range listen {
			cmd = append(cmd, "--listen", pp)
		}
		grace := types.Duration(time.Second)
		ns := types.ServiceConfig{
			Name:          sname,
			Scale:         s.Scale,
			ContainerName: s.ContainerName,
			Links:         s.Links,
		}
		if s.Deploy != nil && s.Deploy.Replicas != nil {
			r := *s.Deploy.Replicas
			ns.Deploy = &types.DeployConfig{Replicas: &r}
		}
		if ns.ContainerName != "" {
			ns.ContainerName += verify.Suffix
			notes = append(notes, fmt.Sprintf("container_name %s becomes %s", s.ContainerName, ns.ContainerName))
		}
		if len(s.ExternalLinks) > 0 {
			notes = append(notes, fmt.Sprintf("services.%s.external_links dropped: verify does not start containers outside the project", sname))
		}
		ns.ContainerSpec = types.ContainerSpec{
			Image:           spec.Image,
			PullPolicy:      types.PullPolicyNever,
			Entrypoint:      types.ShellCommand{verify.ProbePath, "probe"},
			Command:         cmd,
			Hostname:        s.Hostname,
			DomainName:      s.DomainName,
			NetworkMode:     networkMode(s.NetworkMode, spec.Containers),
			Networks:        s.Networks,
			DNS:             s.DNS,
			DNSOpts:         s.DNSOpts,
			DNSSearch:       s.DNSSearch,
			ExtraHosts:      s.ExtraHosts,
			MacAddress:      s.MacAddress,
			Sysctls:         s.Sysctls,
			StopGracePeriod: &grace,
		}
		if ns.NetworkMode != s.NetworkMode {
			notes = append(notes, fmt.Sprintf("services.%s.network_mode %s becomes %s", sname, s.NetworkMode, ns.NetworkMode))
		}
		ns.Ports = s.Ports
		ns.Expose = s.Expose
		if len(s.DependsOn) > 0 {
			ns.DependsOn = types.DependsOnConfig{}
			for d := range s.DependsOn {
				if _, ok := p.Services[d]; ok {
					ns.DependsOn[d] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
				}
			}
		}
		xc := map[string]any{}
		if old, ok := s.Extensions["x-composenet"].(map[string]any); ok {
			for k, v := range old {
				xc[k] = v
			}
		}
		ls := make([]any, len(listen))
		for i, l := range listen {
			ls[i] = l
		}
		xc["listen"] = ls
		ns.Extensions = types.Extensions{"x-composenet": xc}
		out.Services[sname] = ns
	}
	y, err := out.MarshalYAML()
	if err != nil {
		return nil, err
	}
	header := "# Written by composenet verify: the project " + p.Name + " with every service replaced\n" +
		"# by the composenet probe (no project code, images, volumes or secrets).\n"
	sort.Strings(notes)
	return &verify.Rewritten{Project: name, YAML: append([]byte(header), y...), Notes: notes}, nil
}

// networkMode renames the container of a network_mode container:NAME
// when the run brings that container up under another name (R7-10).
func networkMode(mode string, names map[string]string) string {
	if x, ok := strings.CutPrefix(mode, "container:"); ok {
		if v, ok := names[x]; ok {
			return "container:" + v
		}
	}
	return mode
}

// listenOf returns the ports the probe of service s serves, as
// "PORT/PROTO" sorted by protocol then port: x-composenet.listen, the
// targets of ports, and expose. SCTP is not served.
func listenOf(s types.ServiceConfig, t *topology.Topology, extra []string) []string {
	set := map[topology.PortProto]bool{}
	for _, e := range extra {
		if pp, err := topology.ParsePortProto(e); err == nil {
			set[pp] = true
		}
	}
	if svc := t.Service(s.Name); svc != nil && len(svc.Containers) > 0 {
		c := svc.Containers[0]
		for _, pp := range c.Listen {
			set[pp] = true
		}
		for _, pp := range c.Expose {
			set[pp] = true
		}
	}
	for _, pc := range s.Ports {
		proto := strings.ToLower(pc.Protocol)
		if proto == "" {
			proto = "tcp"
		}
		set[topology.PortProto{Port: uint16(pc.Target), Protocol: proto}] = true
	}
	var pps []topology.PortProto
	for pp := range set {
		if pp.Port != 0 && (pp.Protocol == "tcp" || pp.Protocol == "udp") {
			pps = append(pps, pp)
		}
	}
	slices.SortFunc(pps, func(a, b topology.PortProto) int {
		if a.Protocol != b.Protocol {
			return strings.Compare(a.Protocol, b.Protocol)
		}
		return int(a.Port) - int(b.Port)
	})
	out := make([]string, len(pps))
	for i, pp := range pps {
		out[i] = strconv.Itoa(int(pp.Port)) + "/" + pp.Protocol
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// withQuietLogs runs fn with logrus (which compose-go logs through)
// silenced: loader.Load has already reported compose-go's warnings.
func withQuietLogs(fn func()) {
	l := logrus.StandardLogger()
	out := l.Out
	l.SetOutput(io.Discard)
	defer l.SetOutput(out)
	fn()
}

// Project loads the project opts describe with compose-go and rewrites it
// (LoadCompose, then Rewrite): a verify.RewriteFunc.
func Project(ctx context.Context, opts topology.Options, t *topology.Topology, spec verify.RewriteSpec) (*verify.Rewritten, error) {
	p, err := LoadCompose(ctx, opts, t)
	if err != nil {
		return nil, err
	}
	return Rewrite(p, t, spec)
}
