package review

import (
	"strings"
	"testing"
)

func lintLines(t *testing.T, compose string, codes ...string) []string {
	t.Helper()
	tp := loadInline(t, t.TempDir(), compose)
	var got []string
	for _, f := range Lint(tp) {
		for _, c := range codes {
			if f.Code == c {
				got = append(got, f.Position+" "+f.Severity+" "+f.Code+" "+f.Message)
			}
		}
	}
	return got
}

func wantLines(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDatastoreEvidence: L-DATASTORE-PUBLISHED by image family (vendor
// images included) and by well-known port, saying which matched; loopback
// bindings and admin tools named after a datastore are not findings (R8-6).
func TestDatastoreEvidence(t *testing.T) {
	got := lintLines(t, `name: p
services:
  indexer:
    image: wazuh/wazuh-indexer:4.9.0
    ports: ["9200:9200"]
  pooler:
    image: supabase/supavisor:2.4.0
    ports: ["5432:5432", "6543:6543"]
  db:
    image: postgres:16
    ports: ["127.0.0.1:5433:5432"]
  ui:
    image: mongo-express
    ports: ["8081:8081"]
  web:
    image: nginx
    ports: ["80:80"]
`, CodeDatastoreAll)
	wantLines(t, got, []string{
		"compose.yaml:5:13 warning L-DATASTORE-PUBLISHED datastore indexer (image wazuh/wazuh-indexer:4.9.0 is a wazuh-indexer image; container port 9200 is Elasticsearch/OpenSearch HTTP's well-known port) publishes 0.0.0.0:9200->9200/tcp, [::]:9200->9200/tcp on every host interface: the LAN (and the internet, without a host firewall) reaches it",
		"compose.yaml:8:13 warning L-DATASTORE-PUBLISHED datastore pooler (image supabase/supavisor:2.4.0 is a supavisor image; container port 5432 is PostgreSQL's well-known port) publishes 0.0.0.0:5432->5432/tcp, [::]:5432->5432/tcp on every host interface: the LAN (and the internet, without a host firewall) reaches it",
		"compose.yaml:8:26 warning L-DATASTORE-PUBLISHED datastore pooler (image supabase/supavisor:2.4.0 is a supavisor image) publishes 0.0.0.0:6543->6543/tcp, [::]:6543->6543/tcp on every host interface: the LAN (and the internet, without a host firewall) reaches it",
	})
	byPort := lintLines(t, "name: p\nservices:\n  store:\n    image: example/custom-kv\n    ports: [\"6379:6379\"]\n", CodeDatastoreAll)
	wantLines(t, byPort, []string{"compose.yaml:5:13 warning L-DATASTORE-PUBLISHED datastore store (container port 6379 is Redis's well-known port) publishes 0.0.0.0:6379->6379/tcp, [::]:6379->6379/tcp on every host interface: the LAN (and the internet, without a host firewall) reaches it"})
}

// TestInactiveProfilePeer: R1-10 a call to a service whose profile is off
// is explained as such (info), not as a missing service.
func TestInactiveProfilePeer(t *testing.T) {
	got := lintLines(t, `name: p
services:
  app:
    image: app
    environment:
      DATABASE_URL: postgres://db:5432/app
  db:
    image: postgres
    profiles: [database]
`, CodeEnvUnresolved)
	wantLines(t, got, []string{"compose.yaml:6:7 info L-ENV-UNRESOLVED DATABASE_URL=postgres://db:5432/app (read as a URL host): db is in profile database, which is not active: the call works only with that profile"})
}

// TestTwoTierProxy: nextcloud's deliberate two-tier design (an nginx web
// on the proxy network and the default network, a php-fpm app reached by
// nginx.conf) gets no L-DEFAULT-NETWORK and no L-NET-UNUSED; depends_on on
// the proxy without a call is only start order (info).
func TestTwoTierProxy(t *testing.T) {
	got := lintLines(t, `name: nc
services:
  db:
    image: mariadb
  redis:
    image: redis:alpine
  app:
    image: nextcloud:fpm-alpine
    environment: [MYSQL_HOST=db, REDIS_HOST=redis]
    depends_on: [db, redis, proxy]
  web:
    image: nginx:alpine-slim
    depends_on: [app]
    networks: [proxy-tier, default]
  proxy:
    build: ./proxy
    ports: ["80:80", "443:443"]
    networks: [proxy-tier]
networks:
  proxy-tier:
`, CodeDefaultNetwork, CodeNetUnused, "W-DEPENDS-NO-NETWORK")
	wantLines(t, got, []string{"compose.yaml:10:29 info W-DEPENDS-NO-NETWORK app depends on proxy but they share no network: depends_on orders start-up only, it gives no connectivity (no declared call of app names proxy, so this is only start order)"})
}

// TestNetUnusedNeverCutsOff: a service whose networks show no use at all
// gets no L-NET-UNUSED (its calls are configured elsewhere); one with a
// used network is told about the other only.
func TestNetUnusedNeverCutsOff(t *testing.T) {
	got := lintLines(t, `name: p
services:
  worker:
    image: w
    environment: [QUEUE_HOST=mq]
    networks: [a, b]
  api:
    image: api
    environment: [DB_HOST=db]
    networks: [back, extra]
  db:
    image: postgres
    networks: [back]
  mq:
    image: rabbitmq
    networks: [c]
networks: {a: {}, b: {}, back: {}, extra: {}, c: {}}
`, CodeNetUnused)
	wantLines(t, got, []string{"compose.yaml:10:22 info L-NET-UNUSED api joins extra but nothing uses it: no declared call in either direction, no published port, no depends_on partner and no reverse proxy on it"})
}
