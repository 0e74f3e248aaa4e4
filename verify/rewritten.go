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

// RewriteFunc turns the project opts describe, whose topology is t, into
// the project verify brings up with the probe image (package
// verify/rewrite: Project, or the composenet-load helper that runs it).
type RewriteFunc func(ctx context.Context, opts topology.Options, t *topology.Topology, image string) (*Rewritten, error)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
