package ascii_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/render/ascii"
)

func renderCase(t *testing.T, c fixture.Case) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (ascii.Renderer{}).Render(&buf, c.Top(), c.Opt); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func cases() []fixture.Case {
	cs := fixture.Cases()
	for _, c := range fixture.Cases() {
		c.Name += "-ascii-only"
		c.Opt.ASCIIOnly = true
		cs = append(cs, c)
	}
	return cs
}

func TestGolden(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.Name, func(t *testing.T) {
			fixture.Golden(t, c.Name+".txt", []byte(renderCase(t, c)))
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range cases() {
		if a, b := renderCase(t, c), renderCase(t, c); a != b {
			t.Errorf("%s: two renders differ", c.Name)
		}
	}
}

// TestFitsTerminal: every line fits 80 columns, boxes are closed, and
// --ascii-only output is 7-bit.
func TestFitsTerminal(t *testing.T) {
	for _, c := range cases() {
		out := renderCase(t, c)
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > ascii.Width {
				t.Errorf("%s line %d is %d columns: %s", c.Name, i+1, n, line)
			}
			if c.Opt.ASCIIOnly {
				for _, r := range line {
					if r > 127 {
						t.Errorf("%s line %d has non-ASCII %q: %s", c.Name, i+1, r, line)
						break
					}
				}
			}
			if (strings.HasPrefix(line, "│") || strings.HasPrefix(line, "|")) && utf8.RuneCountInString(line) != ascii.Width {
				t.Errorf("%s line %d: box row not %d wide: %q", c.Name, i+1, ascii.Width, line)
			}
		}
	}
}

func TestContent(t *testing.T) {
	out := renderCase(t, fixture.Case{Top: fixture.ECommerce})
	for _, want := range []string{
		"┌─ shop_backend-network · 172.18.0.0/16 · gw 172.18.0.1 ─",
		// The service name users type, and the container_name beside it.
		"│ 172.18.0.2  database · postgres-db  postgres:14",
		"│ 172.18.0.5  user-service            also frontend-network",
		"│ 172.19.0.6  gateway · api-gateway  nginx:alpine",
		"│ 0.0.0.0:80   → gateway:80/tcp",
		"egress: masquerade to the internet",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	modes := renderCase(t, fixture.Case{Top: fixture.Modes})
	for _, want := range []string{
		"modes_back · 172.20.0.0/16 · gw 172.20.0.1 · INTERNAL, ICC OFF",
		// Default engine names (modes-api-1) show as the service.
		"│ 172.21.0.2  sidecar  shares api's namespace",
		"127.0.0.1:9000 → api:9000/tcp (loopback only)",
		"batch: network_mode: none (loopback only)",
		"no egress, no published ports (internal)",
	} {
		if !strings.Contains(modes, want) {
			t.Errorf("modes: missing %q in\n%s", want, modes)
		}
	}
	flows := renderCase(t, fixture.Case{Top: fixture.ECommerce, Opt: render.Options{Highlights: []render.Flow{fixture.GatewayToDB(), fixture.GatewayBlocked()}}})
	for _, want := range []string{
		"  1 ✓ user-service -> database:5432/tcp  total 0.106 ms",
		"      user-service → shop_backend-network → postgres-db\n",
		"  2 ✗ gateway -> database:5432/tcp  dropped at shop_frontend-network: R6-9",
		"      api-gateway → shop_frontend-network ✗\n",
	} {
		if !strings.Contains(flows, want) {
			t.Errorf("flows: missing %q in\n%s", want, flows)
		}
	}
}
