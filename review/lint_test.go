package review

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// TestProductionKafkaR67: the guide's production example names kafka in
// user-service's KAFKA_BROKERS, but user-service is not on message-tier, so
// its embedded DNS cannot answer the name (R6-7).
func TestProductionKafkaR67(t *testing.T) {
	tp, err := loader.Load(context.Background(), topology.Options{Files: []string{"../examples/production/compose.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Lint(tp) {
		if strings.HasPrefix(f.Code, "L-ENV") {
			got = append(got, f.Code+" "+f.Position+" "+f.Fix)
		}
	}
	want := "L-ENV-UNRESOLVED " + tp.Files[0] + ":39:9 attach user-service to network message-tier"
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("env findings = %q, want exactly one starting %q", got, want)
	}
}

func TestIsDatastore(t *testing.T) {
	for img, want := range map[string]bool{
		"postgres:14": true, "confluentinc/cp-kafka:latest": true, "redis:alpine": true,
		"docker.elastic.co/elasticsearch/elasticsearch:8.5.0": true, "nginx:alpine": false, "myapp/api": false,
		"wazuh/wazuh-indexer:4.9.0": true, "supabase/supavisor:2.4.0": true, "bitnami/postgresql:16": true, "ghcr.io/valkey-io/valkey:8": true,
		"zabbix/zabbix-proxy-mysql:alpine-7.0-latest": false, "mongo-express": false, "redis/redisinsight": false, "opensearchproject/opensearch-dashboards:2": false,
		"quay.io/prometheuscommunity/postgres-exporter": false, "provectuslabs/kafka-ui": false, "confluentinc/cp-kafka-connect": false,
	} {
		if IsDatastore(img) != want {
			t.Errorf("IsDatastore(%q) = %v, want %v", img, !want, want)
		}
	}
}

// TestDatastoreBuiltFromSource: a datastore built from a Dockerfile has no
// image; it is judged by its service name (docker-elk's elasticsearch).
func TestDatastoreBuiltFromSource(t *testing.T) {
	dir := t.TempDir()
	tp := loadInline(t, dir, "name: p\nservices:\n  elasticsearch:\n    build: .\n    ports: [\"9200:9200\"]\n  web:\n    build: .\n    ports: [\"8080:80\"]\n")
	var got []string
	for _, f := range Lint(tp) {
		if f.Code == CodeDatastoreAll {
			got = append(got, f.Service+" "+f.Position)
		}
	}
	if strings.Join(got, ";") != "elasticsearch compose.yaml:5:13" {
		t.Errorf("datastore findings %q", got)
	}
}

func loadInline(t *testing.T, dir, compose string) *topology.Topology {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	tp, err := loader.Load(context.Background(), topology.Options{Dir: dir, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	return tp
}
