package review

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// diffBase: web and api share front; api, db share the internal network
// back; cache sits alone on store. db publishes 5432, which Docker drops
// because back is internal-only (R7-5, W-PORTS-INTERNAL).
const diffBase = `name: shop
services:
  web:
    image: nginx
    ports: ["8080:80"]
    environment:
      API_URL: http://api:3000
    networks: [front]
  api:
    image: api
    environment:
      DB_URL: postgres://db:5432/app
      CACHE_HOST: cache
    networks: [front, back]
    x-composenet: {listen: ["3000"]}
  db:
    image: postgres:16
    ports: ["5432:5432"]
    networks: [back]
  cache:
    image: redis:7
    networks: [store]
networks:
  front:
  back:
    internal: true
  store:
`

// diffLines flattens a report into comparable lines, one per change.
func diffLines(d *DiffReport) []string {
	var out []string
	for _, c := range d.ContainersAdded {
		out = append(out, "+container "+c)
	}
	for _, c := range d.ContainersRemoved {
		out = append(out, "-container "+c)
	}
	for _, p := range d.Gained {
		out = append(out, fmt.Sprintf("+reach %s->%s %s (was %s)", p.From, p.To, p.Port, p.Old))
	}
	for _, p := range d.Lost {
		out = append(out, fmt.Sprintf("-reach %s->%s %s (now %s)", p.From, p.To, p.Port, p.New))
	}
	for _, c := range d.DNS {
		out = append(out, fmt.Sprintf("~dns %s %s: %s => %s", c.From, c.Name, c.Old, c.New))
	}
	for _, x := range d.Exposure {
		out = append(out, fmt.Sprintf("%s %s %s: %s => %s", x.Change, x.What, x.Label, x.Old, x.New))
	}
	for _, f := range d.NewFindings {
		out = append(out, "+lint "+f.Code+" "+f.Service)
	}
	for _, f := range d.FixedFindings {
		out = append(out, "-lint "+f.Code+" "+f.Service)
	}
	return out
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name string
		// edit turns diffBase into the new side.
		edit func(string) string
		want []string
	}{
		{
			name: "no change: same file",
			edit: func(s string) string { return s },
		},
		{
			// Lint findings are matched by code and subject, not by line.
			name: "moved lines: nothing changed",
			edit: func(s string) string { return "# a comment\n\n" + s },
		},
		{
			// R7-2: a network is the unit of reachability; joining store
			// gives api and cache names and a path (R6-7).
			name: "R7-2 R6-7 adding api to store gains pairs and names",
			edit: func(s string) string {
				return strings.Replace(s, "networks: [front, back]", "networks: [front, back, store]", 1)
			},
			want: []string{
				"+reach shop-api-1->shop-cache-1 ip (was name-not-resolved)",
				"+reach shop-cache-1->shop-api-1 ip (was name-not-resolved)",
				"+reach shop-cache-1->shop-api-1 3000/tcp (was name-not-resolved)",
				"~dns shop-api-1 cache: NXDOMAIN => shop-cache-1",
				"~dns shop-cache-1 api: NXDOMAIN => shop-api-1",
				"added surface cache:  => depth 3 (internet -> web -> api -> cache)",
				"-lint L-ENV-UNRESOLVED api",
			},
		},
		{
			// R7-5: on an internal-only network Docker drops db's ports;
			// without internal: true the binding is live and the internet
			// reaches the datastore (R7-9). Unknown names now get NXDOMAIN
			// from upstream instead of SERVFAIL (R6-11): no answer either
			// way, so no DNS change.
			name: "R7-5 R7-9 R6-11 removing internal: true publishes the datastore",
			edit: func(s string) string { return strings.Replace(s, "    internal: true\n", "", 1) },
			want: []string{
				"+reach internet->shop-db-1 5432/tcp (was dropped-direct-access)",
				"added entry 0.0.0.0:5432 -> shop-db-1:5432/tcp:  => internet/LAN",
				"changed surface db: depth 3 (internet -> web -> api -> db) => depth 1 (internet -> db)",
				"+lint L-DATASTORE-PUBLISHED db",
				"-lint W-PORTS-INTERNAL ",
			},
		},
		{
			// R7-9: a loopback binding reaches the host only, so publishing
			// on 127.0.0.1 gains no internet pair; on 0.0.0.0 it does.
			name: "R7-9 publishing a port: loopback host-only, all interfaces internet",
			edit: func(s string) string {
				return strings.Replace(s, "    networks: [store]\n", "    ports: [\"127.0.0.1:6379:6379\", \"8081:8081\"]\n    networks: [store]\n", 1)
			},
			want: []string{
				"+reach internet->shop-cache-1 8081/tcp (was dropped-direct-access)",
				"added entry 127.0.0.1:6379 -> shop-cache-1:6379/tcp:  => host only",
				"added entry 0.0.0.0:8081 -> shop-cache-1:8081/tcp:  => internet/LAN",
				"added surface cache:  => depth 1 (internet -> cache)",
				"+lint L-DATASTORE-PUBLISHED cache",
			},
		},
		{
			// Pairs of a removed container are not listed (the container
			// line says it); the call that named it becomes a finding, and
			// api's attachment to back serves no call any more.
			name: "R6-7 removing a service",
			edit: func(s string) string {
				return strings.Replace(s, "  db:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n    networks: [back]\n", "", 1)
			},
			want: []string{
				"-container shop-db-1",
				"~dns shop-api-1 db: shop-db-1 => NXDOMAIN",
				"removed surface db: depth 3 (internet -> web -> api -> db) => ",
				"+lint L-ENV-UNRESOLVED api",
				"+lint L-NET-UNUSED api",
				"-lint W-PORTS-INTERNAL ",
			},
		},
		{
			// A new service on front: its pairs both ways, except host ->
			// it (R7-6 holds for every container).
			name: "R7-6 adding a service lists its pairs, not the host's",
			edit: func(s string) string {
				return strings.Replace(s, "networks:\n  front:", "  worker:\n    image: w\n    networks: [front]\nnetworks:\n  front:", 1)
			},
			want: []string{
				"+container shop-worker-1",
				"+reach shop-api-1->shop-worker-1 ip (was absent)",
				"+reach shop-web-1->shop-worker-1 ip (was absent)",
				"+reach shop-worker-1->shop-api-1 ip (was absent)",
				"+reach shop-worker-1->shop-api-1 3000/tcp (was absent)",
				"+reach shop-worker-1->shop-web-1 ip (was absent)",
				"+reach shop-worker-1->shop-web-1 80/tcp (was absent)",
				"~dns shop-api-1 worker: NXDOMAIN => shop-worker-1",
				"~dns shop-web-1 worker: NXDOMAIN => shop-worker-1",
			},
		},
	}
	oldT := loadYAML(t, diffBase)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Diff(oldT, loadYAML(t, tc.edit(diffBase)))
			got := diffLines(d)
			if !slices.Equal(got, tc.want) {
				t.Errorf("diff:\n got %q\nwant %q", got, tc.want)
			}
			if d.Changed != (len(tc.want) > 0) {
				t.Errorf("Changed = %t with %d change(s)", d.Changed, len(got))
			}
		})
	}
}
