package loader

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestHostileNames: names are validated as Docker does, with positions,
// and no problem line carries a control character (issue 10).
func TestHostileNames(t *testing.T) {
	tests := []struct {
		name, compose, want string
	}{
		{"container_name with a newline forges no line",
			"services:\n  x:\n    image: x\n    container_name: \"a\\nfake.yaml:1:1: services.x: injected\"\n",
			`compose.yaml:4:5: services.x.container_name: invalid container name "a\nfake.yaml:1:1: services.x: injected": Docker allows only [a-zA-Z0-9][a-zA-Z0-9_.-], at least 2 characters (composenet: at most 255)`},
		{"container_name of one character",
			"services:\n  x: {image: x, container_name: a}\n",
			`compose.yaml:2:17: services.x.container_name: 'a' does not match pattern '[a-zA-Z0-9][a-zA-Z0-9_.-]+'`},
		{"hostname with a space",
			"services:\n  x: {image: x, hostname: \"a b\"}\n",
			`compose.yaml:2:17: services.x.hostname: invalid hostname "a b": a hostname is dot-separated labels of letters, digits, '-' and '_'`},
		{"hostname over 64 bytes",
			"services:\n  x: {image: x, hostname: " + strings.Repeat("h", 65) + "}\n",
			`services.x.hostname: invalid hostname "` + strings.Repeat("h", 65) + `": 65 bytes; Linux allows at most 64`},
		{"alias with an escape sequence",
			"services:\n  x:\n    image: x\n    networks:\n      n: {aliases: [ok, \"\\e]0;pwn\\a\"]}\nnetworks: {n: {}}\n",
			`compose.yaml:5:25: services.x.networks.n.aliases.1: network alias: invalid DNS name "\x1b]0;pwn\a"`},
		{"network name with a tab",
			"services:\n  x: {image: x, networks: [n]}\nnetworks:\n  n: {name: \"a\\tb\"}\n",
			`compose.yaml:4:7: networks.n.name: invalid network name "a\tb"`},
		{"extra_hosts name with an escape, the path escaped too",
			"services:\n  x:\n    image: x\n    extra_hosts: [\"\\eh:1.2.3.4\"]\n",
			`compose.yaml:4:19: services.x.extra_hosts.\x1bh: extra_hosts name: invalid DNS name "\x1bh"`},
		{"link alias with a space",
			"services:\n  x: {image: x, links: [\"y:a b\"]}\n  y: {image: x}\n",
			`compose.yaml:2:17: services.x.links: link alias: invalid DNS name "a b"`},
		{"R1-4 container_name equal to another service's generated name: both positions",
			"name: p\nservices:\n  a: {image: x}\n  b: {image: x, container_name: p-a-1}\n",
			`compose.yaml:4:17: services.b.container_name: Conflict. The container name "/p-a-1" is also the name Compose gives to a replica of service "a" (compose.yaml:3:3); Docker refuses the second container: rename one`},
		{"R1-4 the clash found from the other side of the start order",
			"name: p\nservices:\n  b: {image: x}\n  a: {image: x, container_name: p-b-2, depends_on: [b]}\n  c: {image: x, scale: 2, depends_on: [a]}\n",
			``},
		{"absurd replica count refused before building",
			"services:\n  a:\n    image: x\n    deploy: {replicas: 1000000}\n",
			`compose.yaml:4:14: services.a.deploy.replicas: 1000000 replicas; composenet models at most 10000 replicas of one service (and 20000 containers in all)`},
		{"replicas over the network's capacity: one problem, not one per replica",
			"services:\n  a:\n    image: x\n    scale: 300\n    networks: [n]\nnetworks:\n  n: {ipam: {config: [{subnet: 10.1.0.0/24}]}}\n",
			`compose.yaml:5:16: services.a.networks.n: no available IPv4 addresses on network compose_n (10.1.0.0/24) for compose-a-254`},
		{"x-composenet latency that would overflow",
			"services:\n  a: {image: x, networks: [n]}\nnetworks:\n  n: {x-composenet: {latency: 9223372036854775807ns}}\n",
			`compose.yaml:4:22: networks.n.x-composenet.latency: invalid duration "9223372036854775807ns" (want 0 to 1h, e.g. 500us, 2ms)`},
		{"negative x-composenet processing",
			"services:\n  a: {image: x, x-composenet: {processing: -1ms}}\n",
			`services.a.x-composenet.processing: invalid duration "-1ms" (want 0 to 1h, e.g. 500us, 2ms)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "compose")
			_, err := loadYAML(t, dir, tc.compose, topology.Options{Env: []string{}})
			if tc.want == "" {
				// p-b-2 does not clash: b has one replica. Loads.
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var le *topology.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want a LoadError, got %v", err)
			}
			got := err.Error()
			if !strings.Contains(got, tc.want) {
				t.Errorf("got\n  %s\nwant it to contain\n  %s", got, tc.want)
			}
			if strings.Count(got, "\n") != len(le.Problems)-1 {
				t.Errorf("%d problems on %d lines", len(le.Problems), strings.Count(got, "\n")+1)
			}
			for _, r := range got {
				if r < 0x20 && r != '\n' || r == 0x7f {
					t.Fatalf("control character %q in %q", r, got)
				}
			}
		})
	}
}

// TestNotComposeFiles: an error about a file that is not compose YAML
// names the file and the problem, never its contents or a Go type.
func TestNotComposeFiles(t *testing.T) {
	secret := "root:$6$s3cr3t:19000:0:99999:7:::"
	tests := []struct {
		name, file, content, want string
	}{
		{"include of a shadow-like file", "shadow", secret + "\ndaemon:*:19000:0:99999:7:::\n",
			"shadow:1:1: not a compose file: its top level has 2 key(s) that Compose does not know and that are not names (not shown)"},
		{"include of a YAML list", "list.yaml", "- " + secret + "\n",
			"list.yaml:1:1: top-level object must be a mapping"},
		{"include of a scalar", "scalar", "s3cr3t words\n",
			"scalar:1:1: top-level object must be a mapping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.file, tc.content)
			_, err := loadYAML(t, dir, "include: ["+tc.file+"]\nservices:\n  a: {image: x}\n", topology.Options{})
			if err == nil {
				t.Fatal("loaded")
			}
			got := err.Error()
			if !strings.Contains(got, tc.want) {
				t.Errorf("got\n  %s\nwant\n  %s", got, tc.want)
			}
			if strings.Contains(got, "s3cr3t") || strings.Contains(got, "cli.") {
				t.Errorf("contents or a Go type leaked: %s", got)
			}
		})
	}
	// -f of a YAML list: compose-go's decoder error, without its Go type.
	dir := t.TempDir()
	write(t, dir, "list.yaml", "- "+secret+"\n")
	_, err := Load(context.Background(), topology.Options{Dir: dir, Files: []string{"list.yaml"}})
	if got, want := fmt.Sprint(err), "list.yaml:1:1: invalid YAML: the top level is a list; a compose file is a mapping (services:, networks:, ...)"; got != want {
		t.Errorf("got\n  %s\nwant\n  %s", got, want)
	}
	// Top-level keys that look like names are shown: the version-1 format.
	_, err = loadYAML(t, "", "web:\n  image: x\n", topology.Options{})
	if err == nil || !strings.Contains(err.Error(), "top-level keys 'web' are not allowed (services at the top level are the version-1 format") {
		t.Errorf("version-1 hint lost: %v", err)
	}
}

// TestLoaderNodeLimitMessage: compose-go's node visit cap is reported as
// the loader's limit, not as invalid YAML.
func TestLoaderNodeLimitMessage(t *testing.T) {
	ix := &posIndex{files: []fileIndex{{name: "compose.yaml"}}}
	err := fmt.Errorf("failed to parse /p/compose.yaml: yaml: construct errors:\n  line 1: compose file exceeds maximum node visit limit (100000)")
	got := mapComposeError(err, ix, "/p").String()
	want := "compose.yaml: the file has more YAML nodes than the compose loader visits in one file (compose-go's limit: 100000 node visits, counting nodes reached through aliases); this is a limit of the loader composenet uses, not an error in the YAML: split the project into several files joined with include:"
	if got != want {
		t.Errorf("got\n  %s\nwant\n  %s", got, want)
	}
	if testing.Short() {
		return
	}
	// The real thing: 10^4 services, each on its own network.
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "  s%d:\n    image: x\n    networks:\n      n%d:\n        aliases: [a%d]\n", i, i, i)
	}
	b.WriteString("networks:\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "  n%d:\n    ipam:\n      config:\n        - subnet: 10.%d.%d.0/24\n", i, i/256, i%256)
	}
	_, lerr := loadYAML(t, "", b.String(), topology.Options{})
	if lerr == nil || !strings.Contains(lerr.Error(), "compose.yaml: the file has more YAML nodes than the compose loader visits") {
		t.Errorf("got %v", lerr)
	}
}
