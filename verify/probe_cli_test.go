package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

func TestParseListen(t *testing.T) {
	for in, want := range map[string]topology.PortProto{
		"80":      {Port: 80, Protocol: "tcp"},
		"80/tcp":  {Port: 80, Protocol: "tcp"},
		"53/udp":  {Port: 53, Protocol: "udp"},
		"0":       {},
		"70000":   {},
		"80/sctp": {},
		"x/tcp":   {},
		"":        {},
	} {
		got, ok := parseListen(in)
		if got != want || ok != (want.Port != 0) {
			t.Errorf("parseListen(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
}

// The probe's usage errors exit 2 with one line; a run over no tasks is a
// clean 0 with no output.
func TestProbeMainUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{nil, 2, "usage: composenet probe serve|run|dns-stub"},
		{[]string{"serve", "--listen", "80/icmp"}, 2, `composenet probe: bad --listen "80/icmp" (want PORT/tcp or PORT/udp)`},
		{[]string{"serve", "extra"}, 2, `composenet probe: unknown argument "extra"`},
		{[]string{"serve", "--port", "80"}, 2, "composenet probe: unknown flag: --port"},
		{[]string{"dns-stub"}, 2, "composenet probe dns-stub: want exactly one --listen ADDR:PORT"},
		{[]string{"dns-stub", "--listen=127.0.0.1:0", "--listen", "127.0.0.1:1"}, 2, "want exactly one --listen"},
		{[]string{"fly"}, 2, `composenet probe: unknown mode "fly" (want serve, run or dns-stub)`},
		{[]string{"run"}, 0, ""},
	} {
		var out, errb strings.Builder
		code := ProbeMain(context.Background(), c.args, strings.NewReader(""), &out, &errb)
		if code != c.code || c.err == "" && errb.Len() > 0 || !strings.Contains(errb.String(), c.err) || out.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want %d %q", c.args, code, errb.String(), out.String(), c.code, c.err)
		}
	}
}
