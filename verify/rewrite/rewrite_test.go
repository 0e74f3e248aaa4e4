package rewrite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composenet/composenet/verify"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// rewriteFile loads compose file f, rewrites it and loads the rewrite.
func rewriteFile(t *testing.T, f string) (orig, re *topology.Topology, rw *verify.Rewritten) {
	t.Helper()
	opts := topology.Options{Files: []string{f}}
	ctx := context.Background()
	orig, err := loader.Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadCompose(ctx, opts, orig)
	if err != nil {
		t.Fatal(err)
	}
	rw, err = Rewrite(p, orig, verify.RewriteSpec{Image: "composenet-probe:test"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, rw.YAML, 0o644); err != nil {
		t.Fatal(err)
	}
	re, err = loader.Load(ctx, topology.Options{Files: []string{path}, ProjectName: rw.Project})
	if err != nil {
		t.Fatalf("the rewritten file does not load: %v\n%s", err, rw.YAML)
	}
	return orig, re, rw
}

// TestRewriteKeepsTheNetworkModel checks that the rewritten project has
// the same networks (flags, subnets), containers, endpoints, aliases and
// published ports as the original, under the -verify names, and that
// nothing of the project's own code survives.
func TestRewriteKeepsTheNetworkModel(t *testing.T) {
	files, _ := filepath.Glob("../../examples/*/compose.yaml")
	files = append(files, "testdata/rewrite.yaml")
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			orig, re, rw := rewriteFile(t, f)
			if re.Project != orig.Project+verify.Suffix {
				t.Fatalf("project %q, want %q", re.Project, orig.Project+verify.Suffix)
			}
			y := string(rw.YAML)
			for _, banned := range []string{"build:", "healthcheck:", "volumes:", "secrets:", "environment:", "env_file:", "user:", "condition: service_healthy"} {
				if strings.Contains(y, banned) {
					t.Errorf("rewrite keeps %q:\n%s", banned, y)
				}
			}
			if len(re.Networks) != len(orig.Networks) || len(re.Containers) != len(orig.Containers) {
				t.Fatalf("networks %d/%d, containers %d/%d", len(re.Networks), len(orig.Networks), len(re.Containers), len(orig.Containers))
			}
			for i, n := range orig.Networks {
				m := re.Networks[i]
				if m.Key != n.Key || m.Internal != n.Internal || m.ICC != n.ICC || m.Masquerade != n.Masquerade ||
					(n.SubnetConfigured && m.Subnet != n.Subnet) || m.SubnetConfigured != n.SubnetConfigured {
					t.Errorf("network %s: %+v, want the settings of %+v", n.Key, m, n)
				}
			}
			for _, c := range orig.Containers {
				name := c.Name + verify.Suffix
				if c.Name == fmt.Sprintf("%s-%s-%d", orig.Project, c.Service, c.Replica) {
					name = fmt.Sprintf("%s-%s-%d", re.Project, c.Service, c.Replica)
				}
				d := re.Container(name)
				if d == nil {
					t.Errorf("container %s (%s) missing", name, c.Name)
					continue
				}
				if d.NetworkMode != c.NetworkMode || len(d.Endpoints) != len(c.Endpoints) || len(d.Ports) != len(c.Ports) || len(d.Links) != len(c.Links) {
					t.Errorf("%s: mode %q endpoints %d ports %d links %d, want %q %d %d %d", name, d.NetworkMode, len(d.Endpoints), len(d.Ports), len(d.Links), c.NetworkMode, len(c.Endpoints), len(c.Ports), len(c.Links))
					continue
				}
				for i, e := range c.Endpoints {
					f := d.Endpoints[i]
					if f.Network.Key != e.Network.Key || !slices.Equal(f.Aliases, e.Aliases) || (e.Static && f.IPv4 != e.IPv4) {
						t.Errorf("%s endpoint %d: %s %v %v, want %s %v %v", name, i, f.Network.Key, f.Aliases, f.IPv4, e.Network.Key, e.Aliases, e.IPv4)
					}
				}
				for i, p := range c.Ports {
					q := d.Ports[i]
					if q.HostIP != p.HostIP || q.ContainerPort != p.ContainerPort || q.Protocol != p.Protocol || (!p.Ephemeral && q.HostPort != p.HostPort) {
						t.Errorf("%s port %d: %+v, want %+v", name, i, q, p)
					}
				}
				if !d.ListenKnown {
					t.Errorf("%s: the rewrite must declare what the probe listens on", name)
				}
			}
		})
	}
}

// TestRewriteSpec: an external network the spec maps stays external under
// the mapped name (another project of the run creates it, R2-5), one it
// does not map is created as an ordinary NAME-verify network, and the
// spec's listen ports join the service's probe (a route's backend port).
func TestRewriteSpec(t *testing.T) {
	opts := topology.Options{Files: []string{"../../testdata/projects/app/compose.yaml"}}
	ctx := context.Background()
	orig, err := loader.Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := LoadCompose(ctx, opts, orig)
	if err != nil {
		t.Fatal(err)
	}
	rw, err := Rewrite(p, orig, verify.RewriteSpec{Image: "composenet-probe:test",
		External: map[string]string{"proxy": "proxy-verify", "elsewhere": "elsewhere-verify"},
		Listen:   map[string][]string{"web": {"8080/tcp"}, "api": {"3000/tcp", "bad"}}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(path, rw.YAML, 0o644); err != nil {
		t.Fatal(err)
	}
	// The loader models an external network without --host as assumed:
	// proxy-verify must be one, under its mapped name.
	re, err := loader.Load(ctx, topology.Options{Files: []string{path}, ProjectName: rw.Project})
	if err != nil {
		t.Fatalf("the rewritten file does not load: %v\n%s", err, rw.YAML)
	}
	for _, c := range []struct {
		key, name string
		external  bool
	}{
		{"proxy", "proxy-verify", true},
		{"backplane", "backplane-verify", false},
		{"default", "app-verify_default", false},
	} {
		n := re.Network(c.key)
		if n == nil || n.Name != c.name || n.External != c.external {
			t.Errorf("network %s: %+v, want name %s external %v", c.key, n, c.name, c.external)
		}
	}
	for _, c := range []struct {
		ctr  string
		want []topology.PortProto
	}{
		{"app-verify-web-1", []topology.PortProto{{Port: 8080, Protocol: "tcp"}}},
		{"app-verify-api-1", []topology.PortProto{{Port: 3000, Protocol: "tcp"}}},
		{"app-verify-db-1", []topology.PortProto{{Port: 5432, Protocol: "tcp"}}},
	} {
		if got := re.Container(c.ctr).Listen; !slices.Equal(got, c.want) {
			t.Errorf("%s listens on %v, want %v", c.ctr, got, c.want)
		}
	}
	if !slices.Contains(rw.Notes, "external network proxy is proxy-verify, created by an earlier project of the run") {
		t.Errorf("notes %q", rw.Notes)
	}
}
