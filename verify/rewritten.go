package verify

import (
	"context"
	"sort"

	"github.com/composenet/composenet/topology"
)

// Suffix is appended to the project name (and to explicit network and
// container names) of the project verify brings up, so that it never
// touches the user's own running project.
const Suffix = "-verify"

// ProbePath is where the probe binary lives inside the probe image.
const ProbePath = "/composenet"

// Rewritten is the compose project verify brings up.
type Rewritten struct {
	// Project is the project name (the original plus Suffix).
	Project string
	// YAML is the compose file.
	YAML []byte
	// Notes say what the rewrite changed that a reader may care about.
	Notes []string
}

// RewriteSpec says how to rewrite one project of a run.
type RewriteSpec struct {
	// Image is the probe image every service runs.
	Image string
	// External maps the engine name of an external network to the verify
	// name of the network an earlier project of the run creates under
	// that name: the network stays external, under the verify name (R2-5).
	// An external network not in it is created by the project itself as
	// an ordinary network named NAME-verify.
	External map[string]string
	// Listen adds ports ("PORT/PROTO") to the probe of a service (by its
	// compose name): the backend ports of reverse-proxy routes, which the
	// backend's process would serve.
	Listen map[string][]string
	// Containers maps container names to their verify names: a
	// network_mode container:NAME naming a container of the run (of this
	// project or an earlier one, R7-10) joins it under its verify name.
	Containers map[string]string
}

// RewriteFunc turns the project opts describe, whose topology is t, into
// the project verify brings up with the probe image (package
// verify/rewrite: Project, or the composenet-load helper that runs it).
type RewriteFunc func(ctx context.Context, opts topology.Options, t *topology.Topology, spec RewriteSpec) (*Rewritten, error)

// ProjectName is the name verify brings project p up under.
func ProjectName(p string) string { return p + Suffix }

// NetworkName is the engine name verify gives the network of project p
// under compose key key whose engine name is name: a project-scoped name
// (p_key) becomes PROJECT-verify_key, an explicit name gets the suffix.
// Every project of a run renames by this one rule, so an external
// reference to another project's network can be renamed to match.
func NetworkName(p, key, name string) string {
	if name == p+"_"+key {
		return ProjectName(p) + "_" + key
	}
	return name + Suffix
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
