package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// corpusDir is the real-world corpus: $COMPOSENET_CORPUS, else
// ../shared/corpus beside the repository (the team's copy), else the copy
// in testdata/corpus, so that CI checks it on any machine.
func corpusDir(t testing.TB) string {
	for _, d := range []string{os.Getenv("COMPOSENET_CORPUS"), "../../../shared/corpus", "../testdata/corpus"} {
		if d == "" {
			continue
		}
		if abs, err := filepath.Abs(d); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	t.Skip("corpus not found (set COMPOSENET_CORPUS)")
	return ""
}

// corpusSets returns every load the corpus README describes: single files
// and the documented multi-file sets, keyed by a readable name.
func corpusSets(t testing.TB, root string) map[string][]string {
	sets := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !strings.HasSuffix(p, ".yml") && !strings.HasSuffix(p, ".yaml") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		files := []string{p}
		switch {
		case strings.HasPrefix(rel, "nginx-proxy/test/") && strings.Count(rel, "/") == 3 && !strings.HasSuffix(rel, ".base.yml") && !strings.HasSuffix(rel, "compose.base.override.yml"):
			base := filepath.Join(root, "nginx-proxy/test/compose.base.yml")
			files = []string{base}
			if ov := filepath.Join(filepath.Dir(p), "compose.base.override.yml"); exists(ov) {
				files = append(files, ov)
			}
			files = append(files, p)
		case rel == "docker-elk/extensions/fleet/agent-apmserver-compose.yml":
			// the APM agent depends on fleet-server from fleet-compose.yml
			files = []string{filepath.Join(root, "docker-elk/docker-compose.yml"), filepath.Join(root, "docker-elk/extensions/fleet/fleet-compose.yml"), p}
		case strings.HasPrefix(rel, "docker-elk/extensions/"):
			files = []string{filepath.Join(root, "docker-elk/docker-compose.yml"), p}
		case rel == "netbox-docker/docker-compose.test.yml":
			files = []string{filepath.Join(root, "netbox-docker/docker-compose.yml"), p}
		case rel == "netbox-docker/docker-compose.test.override.yml":
			files = []string{filepath.Join(root, "netbox-docker/docker-compose.yml"), filepath.Join(root, "netbox-docker/docker-compose.test.yml"), p}
		}
		sets[rel] = files
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sets
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// mustFail lists the corpus README's deliberately invalid files.
var mustFail = []string{
	`docker-compose-v1-fixtures/invalid-composefile/invalid\.yml`,
	// invalid-net-v2.yml is accepted by Compose v2: extending a service
	// with network_mode service:net is only a Compose v1 error.
	`docker-compose-v1-fixtures/extends/invalid-(links|net|volumes)\.yml`,
	`docker-compose-v1-fixtures/extends/circle-.*\.yml`,
	`docker-compose-v1-fixtures/extends/nonexistent-.*\.yml`,
	`docker-compose-v1-fixtures/extends/service-with-invalid-schema\.yml`,
	`docker-compose-v1-fixtures/extends/no-file-specified\.yml`,
	`docker-compose-v1-fixtures/net-container/v2-invalid\.yml`,
	// v2-simple/links-invalid.yml loads in Compose v2 (both services share
	// the default network, so the link is valid); it was a v1-only error.
	`docker-compose-v1-fixtures/networks/missing-network\.yml`,
	`compose-go/.*/compose-depends-on-cycle\.yaml`,
	`compose-go/.*/compose-depends-on-self\.yaml`,
	`compose-go/.*/compose-include-cycle\.yaml`,
	`compose-go/.*/empty\.yaml`,
	// remote/compose.yaml and remote/nested/compose-nested.yaml are plain
	// local files; the others include remote (OCI/git) resources.
	`compose-go/.*/remote/(cycle/.*|nested/compose\.yaml)`,
}

// mustLoadCorpus are real projects that must load cleanly.
var mustLoadCorpus = []string{
	`awesome-compose/.*`,
	`example-voting-app/docker-compose\.yml`,
	`docker-elk/docker-compose\.yml`,
	`docker-elk/extensions/.*`,
	`netbox-docker/docker-compose\.yml`,
	`temporalio-docker-compose/.*`,
	`nginx-proxy/test/test_ipv6/.*`,
	`docker-compose-v1-fixtures/networks/network-static-addresses\.yml`,
	`docker-compose-v1-fixtures/networks/network-aliases\.yml`,
}

var positioned = regexp.MustCompile(`^[^\s:][^:]*:\d+:\d+: \S`)

func matchAny(pats []string, s string) bool {
	for _, p := range pats {
		if regexp.MustCompile("^" + p + "$").MatchString(s) {
			return true
		}
	}
	return false
}

// TestCorpus loads every file of the real-world corpus (and the multi-file
// sets its README describes): each loads, or fails with positioned
// problems; never a panic. Files listed as invalid must fail; the listed
// real projects must load.
func TestCorpus(t *testing.T) {
	root := corpusDir(t)
	sets := corpusSets(t, root)
	names := make([]string, 0, len(sets))
	for k := range sets {
		names = append(names, k)
	}
	sort.Strings(names)
	loaded, failed := 0, 0
	for _, name := range names {
		files := sets[name]
		t.Run(name, func(t *testing.T) {
			env := []string{"HOME=/nonexistent"}
			topo, err := Load(context.Background(), topology.Options{Files: files, Dir: filepath.Dir(files[len(files)-1]), Env: env})
			if err != nil {
				failed++
				var le *topology.LoadError
				if !errors.As(err, &le) {
					t.Fatalf("error is not a *LoadError: %T %v", err, err)
				}
				for _, p := range le.Problems {
					if strings.Contains(p.Message, "internal error") {
						t.Fatalf("panic while loading: %s", p)
					}
					if !positioned.MatchString(p.String()) && !strings.Contains(p.Message, "no such file") {
						t.Errorf("problem without file:line:col: %q", p.String())
					}
				}
				if matchAny(mustLoadCorpus, name) {
					t.Errorf("must load, got:\n%v", err)
				}
				return
			}
			loaded++
			if matchAny(mustFail, name) {
				t.Errorf("deliberately invalid file loaded without error (%d containers)", len(topo.Containers))
			}
			checkInvariants(t, topo)
		})
	}
	t.Logf("corpus: %d loads, %d loaded, %d failed with positioned errors", len(names), loaded, failed)
}

// checkInvariants asserts what must hold for every loaded topology.
func checkInvariants(t *testing.T, topo *topology.Topology) {
	t.Helper()
	seen := map[string]bool{}
	for _, n := range append(topo.Networks, topo.Bridge0) {
		ips := map[string]string{}
		for _, e := range n.Endpoints {
			if !e.IPv4.IsValid() {
				t.Errorf("%s on %s has no address", e.Container.Name, n.Name)
				continue
			}
			if !n.Subnet.Contains(e.IPv4) {
				t.Errorf("%s: %s outside %s", e.Container.Name, e.IPv4, n.Subnet)
			}
			if e.IPv4 == n.Gateway {
				t.Errorf("%s got the gateway address %s", e.Container.Name, e.IPv4)
			}
			if o, ok := ips[e.IPv4.String()]; ok {
				t.Errorf("%s and %s share %s on %s", o, e.Container.Name, e.IPv4, n.Name)
			}
			ips[e.IPv4.String()] = e.Container.Name
		}
	}
	for _, n := range topo.Networks {
		for _, m := range topo.Networks {
			if n != m && n.Subnet.Overlaps(m.Subnet) {
				t.Errorf("subnets overlap: %s %s and %s %s", n.Name, n.Subnet, m.Name, m.Subnet)
			}
		}
	}
	for _, c := range topo.Containers {
		if seen[c.Name] {
			t.Errorf("duplicate container name %s", c.Name)
		}
		seen[c.Name] = true
	}
}
