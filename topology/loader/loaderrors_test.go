package loader

import (
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestLoadErrorsCompleteAndDeterministic: compose-go stops at the first
// inconsistency in map order; Load reports every one, sorted, with the
// same bytes on every run (issue 9, point 5).
func TestLoadErrorsCompleteAndDeterministic(t *testing.T) {
	tests := []struct {
		name, compose string
		want          []string
	}{
		{
			name: "two services, two undefined networks",
			compose: `services:
  a:
    image: x
    networks: [nope1]
  b:
    image: x
    networks: [nope2, nope0]
`,
			want: []string{
				`compose.yaml:4:16: services.a.networks.nope1: service "a" refers to undefined network nope1`,
				`compose.yaml:7:16: services.b.networks.nope2: service "b" refers to undefined network nope2`,
				`compose.yaml:7:23: services.b.networks.nope0: service "b" refers to undefined network nope0`,
			},
		},
		{
			// compose-go checks consistency before it reads env_file, so
			// a missing env file must not stop the recheck (docker-jitsi-meet
			// rtcstats.yml, loaded on its own, changed from run to run).
			name: "one undefined network named by two services that also name missing env files",
			compose: `services:
  b:
    image: x
    env_file: [./missing/b.env]
    networks:
      meet.jitsi:
        aliases: [b.meet.jitsi]
  a:
    image: x
    env_file: [./missing/a.env]
    networks:
      meet.jitsi: {}
`,
			want: []string{
				`compose.yaml:6:7: services.b.networks.meet.jitsi: service "b" refers to undefined network meet.jitsi`,
				`compose.yaml:12:7: services.a.networks.meet.jitsi: service "a" refers to undefined network meet.jitsi`,
			},
		},
		{
			name: "undefined dependencies through depends_on, network_mode and links, with a mutually exclusive pair",
			compose: `services:
  a:
    image: x
    depends_on: [ghost, b]
    links: [phantom]
  b:
    image: x
    networks: [n]
    network_mode: service:ghost2
  c:
    build: .
    volumes: [data:/d]
    secrets: [s]
`,
			want: []string{
				`compose.yaml:4:18: services.a.depends_on.ghost: service "a" depends on undefined service "ghost"`,
				`compose.yaml:5:5: services.a.links: service "a" depends on undefined service "phantom"`,
				`compose.yaml:8:16: services.b.networks.n: service "b" refers to undefined network n`,
				`compose.yaml:9:5: services.b.network_mode: service "b" depends on undefined service "ghost2"`,
				"compose.yaml:9:5: services.b.network_mode: service b declares mutually exclusive `network_mode` and `networks`",
				`compose.yaml:12:15: services.c.volumes.0: service "c" refers to undefined volume data`,
				`compose.yaml:13:15: services.c.secrets.0: service "c" refers to undefined secret s`,
			},
		},
		{
			name: "R4-2 a dependency cycle and a builder problem reported together",
			compose: `services:
  a: {image: x, depends_on: [b], networks: [n, m]}
  b: {image: x, depends_on: [a]}
  c: {image: x, networks: [zz]}
networks:
  n: {ipam: {config: [{subnet: 10.1.0.0/16}]}}
  m: {ipam: {config: [{subnet: 10.1.2.0/24}]}}
`,
			want: []string{
				"compose.yaml:2:17: services.a.depends_on: dependency cycle detected: a -> b -> a",
				`compose.yaml:4:28: services.c.networks.zz: service "c" refers to undefined network zz`,
				"compose.yaml:6:24: networks.n.ipam.config.0.subnet: failed to create network compose_n: Error response from daemon: invalid pool request: Pool overlaps with other one on this address space (10.1.0.0/16 overlaps 10.1.2.0/24)",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir() + "/compose"
			first := ""
			for i := range 20 {
				_, err := loadYAML(t, dir, tc.compose, topology.Options{})
				if err == nil {
					t.Fatal("loaded")
				}
				if i == 0 {
					first = err.Error()
					if got, want := first, strings.Join(tc.want, "\n"); got != want {
						t.Fatalf("got\n%s\nwant\n%s", got, want)
					}
				} else if err.Error() != first {
					t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, err, first)
				}
			}
		})
	}
}
