package loader

import (
	"strings"

	"go.yaml.in/yaml/v4"
)

// obsoleteVersion is the substring of compose-go's warning about a
// top-level version: key.
const obsoleteVersion = "the attribute `version` is obsolete"

// versionWarnings makes the obsolete-version warning independent of what
// the process loaded before: compose-go warns once per file for the life
// of the process, so a second Load of the same file (a long-running
// `serve`, scenario runs, a cache's cold reload) would lose the warning.
// It drops compose-go's lines and adds one per indexed file that has a
// top-level version key.
func versionWarnings(logs []string, ix *posIndex) []string {
	out := logs[:0]
	for _, m := range logs {
		if !strings.Contains(m, obsoleteVersion) {
			out = append(out, m)
		}
	}
	for _, fi := range ix.files {
		r := fi.root
		if r == nil || r.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(r.Content); i += 2 {
			if r.Content[i].Value == "version" {
				out = append(out, fi.name+": "+obsoleteVersion+", it will be ignored, please remove it to avoid potential confusion")
				break
			}
		}
	}
	return out
}
