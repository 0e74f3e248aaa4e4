package review

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/topology"
)

// corpusLints are the real projects of topology/testdata/corpus whose lint
// output is reviewed finding by finding (the corpus README says why each
// finding is right). Each loads the way the project documents.
var corpusLints = []struct {
	name, dir       string
	files, envFiles []string
	profiles        []string
	// env stands in for a file the project generates at install time
	// (mailcow's mailcow.conf from generate_config.sh).
	env []string
}{
	{name: "appwrite", dir: "appwrite"}, // discovery: docker-compose.yml + docker-compose.override.yml
	{name: "appwrite-separate", dir: "appwrite", files: []string{"docker-compose.yml", "docker-compose.separate.yml"}, profiles: []string{"separate"}},
	{name: "jitsi", dir: "docker-jitsi-meet", files: []string{"docker-compose.yml", "jibri.yml", "jigasi.yml", "etherpad.yml", "whiteboard.yml", "transcriber.yml"}, envFiles: []string{"env.example"}},
	{name: "langfuse", dir: "langfuse", files: []string{"docker-compose.yml"}},
	{name: "mailcow", dir: "mailcow-dockerized", files: []string{"docker-compose.yml"}, env: mailcowConf},
	{name: "mailu", dir: "mailu", files: []string{"tests/compose/core/docker-compose.yml"}},
	{name: "nextcloud-insecure-postgres-fpm", dir: "nextcloud-docker", files: []string{".examples/docker-compose/insecure/postgres/fpm/compose.yaml"}},
	{name: "nextcloud-proxy-mariadb-fpm", dir: "nextcloud-docker", files: []string{".examples/docker-compose/with-nginx-proxy/mariadb/fpm/compose.yaml"}},
	{name: "nextcloud-proxy-postgres-apache", dir: "nextcloud-docker", files: []string{".examples/docker-compose/with-nginx-proxy/postgres/apache/compose.yaml"}},
	{name: "otel-demo", dir: "opentelemetry-demo", files: []string{"compose.yaml", "compose.full.yaml", "compose.observability.yaml"}},
	{name: "penpot", dir: "penpot", files: []string{"docker/images/docker-compose.yaml"}},
	{name: "penpot-devenv", dir: "penpot", files: []string{"docker/devenv/docker-compose.main.yml", "docker/devenv/docker-compose.infra.yml"}},
	{name: "sentry", dir: "sentry-self-hosted", files: []string{"docker-compose.yml"}},
	{name: "wazuh-multi", dir: "wazuh-docker", files: []string{"multi-node/docker-compose.yml"}},
	{name: "wazuh-single", dir: "wazuh-docker", files: []string{"single-node/docker-compose.yml"}},
	{name: "zabbix", dir: "zabbix-docker", files: []string{"docker-compose_v3_alpine_pgsql_latest.yaml"}},
	{name: "zabbix-all-mysql", dir: "zabbix-docker", files: []string{"docker-compose_v3_ubuntu_mysql_latest.yaml"}, profiles: []string{"all"}},
	{name: "zabbix-full", dir: "zabbix-docker", files: []string{"docker-compose_v3_alpine_pgsql_latest.yaml"}, profiles: []string{"full"}},
}

// mailcowConf are the variables generate_config.sh writes to mailcow.conf
// (its defaults; passwords replaced by placeholders).
var mailcowConf = []string{"MAILCOW_HOSTNAME=mail.example.org", "DBNAME=mailcow", "DBUSER=mailcow", "DBPASS=placeholder", "DBROOT=placeholder", "REDISPASS=placeholder", "TZ=Europe/Berlin", "ADDITIONAL_SAN="}

// TestCorpusLintGolden: lint output on real projects, compared with
// reviewed goldens in testdata/corpus (COMPOSENET_UPDATE=1 rewrites them;
// review every changed finding before committing).
func TestCorpusLintGolden(t *testing.T) {
	root, err := filepath.Abs("../topology/testdata/corpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range corpusLints {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(root, c.dir)
			opts := topology.Options{Dir: dir, Profiles: c.profiles, Env: append([]string{"HOME=/nonexistent"}, c.env...)}
			for _, f := range c.files {
				opts.Files = append(opts.Files, filepath.Join(dir, f))
			}
			for _, f := range c.envFiles {
				opts.EnvFiles = append(opts.EnvFiles, filepath.Join(dir, f))
			}
			var buf bytes.Buffer
			tp, err := loader.Load(context.Background(), opts)
			if err != nil {
				var le *topology.LoadError
				if !errors.As(err, &le) {
					t.Fatalf("not a LoadError: %v", err)
				}
				for _, p := range le.Problems {
					fmt.Fprintf(&buf, "%s\n", p)
				}
			} else {
				fs := Lint(tp)
				fmt.Fprintf(&buf, "# %d services, %d containers, %d networks\n", len(tp.Services), len(tp.Containers), len(tp.Networks))
				for _, f := range fs {
					fmt.Fprintf(&buf, "%s: %s %s: %s\n    fix: %s\n", f.Position, f.Severity, f.Code, f.Message, f.Fix)
				}
				fmt.Fprintf(&buf, "%d finding(s)\n", len(fs))
			}
			golden := filepath.Join("testdata", "corpus", c.name+".golden")
			if os.Getenv("COMPOSENET_UPDATE") != "" {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("lint of %s differs from %s:\n%s", c.name, golden, buf.String())
			}
		})
	}
}
