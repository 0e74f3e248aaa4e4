package dot

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/composenet/composenet/internal/fixture"
	"github.com/composenet/composenet/render"
	"github.com/composenet/composenet/topology"
)

// TestPortRows: runs of consecutive bindings fold into one row, and a box
// lists at most maxPortRows rows, the last one counting the rest.
func TestPortRows(t *testing.T) {
	c := &render.ContainerView{C: &topology.Container{Name: "x"}}
	bind := func(ip string, host, ctr uint16, proto string) render.PortView {
		return render.PortView{C: c, B: topology.PortBinding{HostIP: netip.MustParseAddr(ip), HostPort: host, ContainerPort: ctr, Protocol: proto}}
	}
	var jigasi []render.PortView
	for p := uint16(20000); p <= 20050; p++ {
		jigasi = append(jigasi, bind("0.0.0.0", p, p, "udp"))
	}
	var many []render.PortView
	for p := uint16(1); p <= 9; p++ {
		many = append(many, bind("0.0.0.0", p*10, 80, "tcp"))
	}
	for _, tc := range []struct {
		name string
		in   []render.PortView
		want string
	}{
		{"one", []render.PortView{bind("0.0.0.0", 8080, 80, "tcp")}, "0.0.0.0:8080 → 80/tcp"},
		{"range", jigasi, "0.0.0.0:20000-20050 → 20000-20050/udp"},
		{"not a run: protocols differ", []render.PortView{bind("0.0.0.0", 53, 53, "tcp"), bind("0.0.0.0", 54, 54, "udp")}, "0.0.0.0:53 → 53/tcp|0.0.0.0:54 → 54/udp"},
		{"not a run: addresses differ", []render.PortView{bind("0.0.0.0", 80, 80, "tcp"), bind("127.0.0.1", 81, 81, "tcp")}, "0.0.0.0:80 → 80/tcp|127.0.0.1:81 → 81/tcp"},
		{"capped", many, "0.0.0.0:10 → 80/tcp|0.0.0.0:20 → 80/tcp|0.0.0.0:30 → 80/tcp|0.0.0.0:40 → 80/tcp|0.0.0.0:50 → 80/tcp|… 4 more (composenet inspect)"},
	} {
		if got := strings.Join(portRows(tc.in), "|"); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestGridRows: a group of gridFrom (4) or more home containers becomes rows of
// at most gridCols, balanced, published containers first; a smaller one
// stays a star around its bridge.
func TestGridRows(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{3, ""}, {4, "2 2"}, {6, "3 3"}, {7, "4 3"}, {9, "3 3 3"}, {20, "5 5 5 5"}, {27, "7 7 7 6"}, {57, "8 7 7 7 7 7 7 7"}, {68, "8 8 8 8 8 7 7 7 7"}} {
		b := fixture.New("p").Net("n", "10.0.0.0/16")
		for i := range tc.n {
			var ports []string
			if i%5 == 4 {
				ports = []string{fmt.Sprintf("%d:80", 8000+i)}
			}
			b.Svc(fmt.Sprintf("s%02d", i), "", "img", 1, []string{"n"}, ports...)
		}
		v, err := render.Build(b.Topology(), render.Options{})
		if err != nil {
			t.Fatal(err)
		}
		rows := gridRows(v.Networks[0])
		var sizes []string
		for _, r := range rows {
			sizes = append(sizes, fmt.Sprint(len(r)))
		}
		if got := strings.Join(sizes, " "); got != tc.want {
			t.Errorf("%d containers: rows %q, want %q", tc.n, got, tc.want)
		}
		if len(rows) > 0 && tc.n >= 5 && !rows[0][0].Published {
			t.Errorf("%d containers: first row does not start with a published container", tc.n)
		}
	}
}
