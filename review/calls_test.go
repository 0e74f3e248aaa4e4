package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/composenet/composenet/topology"
)

// TestInferValue: the typed, conservative call inference, with the issue's
// real-world examples (issue 11).
func TestInferValue(t *testing.T) {
	names := map[string]bool{"db": true, "seaweedfs": true, "kafka": true, "api.internal": true}
	for _, tc := range []struct {
		key, value string
		env        map[string]string
		want       string // "host:port/rule ..." or ""
	}{
		// Not calls.
		{"SEED_SELF_HOST", "true", nil, ""},
		{"REDIS_HOST", "6379", nil, ""},
		{"ASPNETCORE_URLS", "http://*:7070", nil, ""},
		{"ASPNETCORE_URLS", "http://api:7070", nil, ""},
		{"APP_URLS", "http://+:80", nil, ""},
		{"APP_URLS", "http://[::]:80", nil, ""},
		{"BASE_URL", "replace-me", nil, ""},
		{"BASE_URL", "https://your-domain", nil, ""},
		{"BASE_URL", "https://changeme", nil, ""},
		{"HTTP_LISTEN_ADDR", "web:8080", nil, ""},
		{"BIND_HOST", "app", nil, ""},
		{"PUBLIC_URL", "http://frontend:3000", nil, ""},
		{"API_EXTERNAL_URL", "http://kong:8000", nil, ""},
		{"SERVER_HOST", "0.0.0.0", nil, ""},
		{"SERVER_HOST", "::", nil, ""},
		{"DB_HOST", "10.0.0.5", nil, ""},
		{"SMTP_HOST", "smtp.gmail.com", nil, ""},
		{"DB_URL", "postgres://db.example.org/x", nil, ""},
		{"CACHE_URL", "redis://localhost:6379", nil, ""},
		{"DB_URL", "${DB_URL}", nil, ""},
		{"DATA_URL", "file:///data/x", nil, ""},
		{"DB_URL", "sqlite:///var/lib/app.db", nil, ""},
		{"MODE", "production", nil, ""},
		{"_APP_SMS_PROVIDER", "sms://username:password@mock", nil, ""},
		{"NOTIFY", "custom://kafka:9092", nil, "kafka:9092/url"},
		{"NOTIFY", "custom://kafkaa:9092", nil, "kafkaa:9092/url"},
		{"VERSION", "1.2:3", nil, ""},
		// Calls.
		{"PROFILES_STORE", "s3://profiles?region=us-east-1&endpoint=seaweedfs:8333", nil, "seaweedfs:8333/url-query"},
		{"S3_URL", "s3://bucket?endpoint=http://seaweedfs:8333", nil, "seaweedfs:8333/url-query"},
		{"DATABASE_URL", "postgres://u:p@db:5432/app?sslmode=disable", nil, "db:5432/url"},
		{"DATABASE_URL", "jdbc:postgresql://db/app", nil, "db:5432/url"},
		{"API", "http://api.internal/v1", nil, "api.internal:80/url"},
		{"DB_HOST", "db", map[string]string{"DB_PORT": "5433"}, "db:5433/host-key"},
		{"DB_HOST", "db", nil, "db:0/host-key"},
		{"KAFKA_BROKERS", "kafka:9092,kafkaa:9093", nil, "kafka:9092/host-port kafkaa:9093/host-port"},
		{"ES_HOSTS", "es1 es2", nil, "es1:0/host-key es2:0/host-key"},
		{"UPSTREAM", "kafka:9092", nil, "kafka:9092/host-port"},
		{"PG_DSN", "host=db port=5433 user=x dbname=y", nil, "db:5433/dsn"},
		{"MSSQL", "Server=mssql,1433;Database=x;User Id=sa", nil, "mssql:1433/dsn"},
		{"NET_CS", "Data Source=sqlsrv;Initial Catalog=x", nil, "sqlsrv:0/dsn"},
		{"MYSQL_DSN", "user:pw@tcp(mysql:3306)/app", nil, "mysql:3306/dsn"},
		{"MYSQL_DSN", "user:pw@tcp(mysql)/app", nil, "mysql:3306/dsn"},
	} {
		e := topology.EnvVar{Key: tc.key, Value: tc.value, Set: true}
		var got []string
		for _, c := range inferValue(e, tc.env, names) {
			got = append(got, fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Rule))
		}
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%s=%s: calls %q, want %q", tc.key, tc.value, g, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	names := map[string]bool{"postgres": true, "redis": true, "db": true, "rabbitmq": true}
	for in, want := range map[string]string{"postgress": "did you mean postgres?", "rediss": "did you mean redis?", "dc": "", "mysql": "", "rabitmq": "did you mean rabbitmq?"} {
		if got := didYouMean(closest(in, names)); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLintUnresolvedMessages: an unknown single-label name is an error
// naming the variable, the inference rule and the closest service; a
// boolean in a *_HOST key is no call at all.
func TestLintUnresolvedMessages(t *testing.T) {
	tp := loadInline(t, t.TempDir(), `name: p
services:
  api:
    image: app
    environment:
      DATABASE_URL: postgres://u:p@postgress:5432/app
      SEED_SELF_HOST: "true"
      ASPNETCORE_URLS: http://*:7070
      STORE: s3://profiles?endpoint=seaweedfs:8333
  postgres:
    image: postgres
  seaweedfs:
    image: chrislusf/seaweedfs
`)
	var got []string
	for _, f := range Lint(tp) {
		got = append(got, f.Position+" "+f.Code+" "+f.Message+" | "+f.Fix)
	}
	want := []string{
		`compose.yaml:6:7 L-ENV-UNRESOLVED DATABASE_URL=postgres://u:p@postgress:5432/app (read as a URL host): no service, container or alias of the project is named "postgress": did you mean postgres? | correct the name in DATABASE_URL (did you mean postgres?)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
