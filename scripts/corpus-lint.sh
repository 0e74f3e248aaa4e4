#!/bin/sh
# corpus-lint.sh [COMPOSENET]: run `composenet lint` on the real projects of
# topology/testdata/corpus the way review/corpus_test.go loads them, and print
# the findings per project (errors, warnings, info). Used for the before/after
# figures in topology/testdata/corpus/README.md.
set -u
bin=$(cd "$(dirname "${1:-bin/composenet}")" && pwd)/$(basename "${1:-bin/composenet}")
root=$(cd "$(dirname "$0")/../topology/testdata/corpus" && pwd)
mailcow="MAILCOW_HOSTNAME=mail.example.org DBNAME=mailcow DBUSER=mailcow DBPASS=placeholder DBROOT=placeholder REDISPASS=placeholder TZ=Europe/Berlin ADDITIONAL_SAN="
while IFS='|' read -r name dir args envs; do
	out=$(cd "$root/$dir" && env -i PATH="$PATH" HOME=/nonexistent $envs "$bin" lint --fail-on none $args 2>&1)
	if echo "$out" | grep -q 'finding(s)$'; then
		printf '%-32s %3s findings: %2s errors, %2s warnings, %2s info\n' "$name" \
			"$(echo "$out" | tail -1 | cut -d' ' -f1)" \
			"$(echo "$out" | grep -c ': error ')" "$(echo "$out" | grep -c ': warning ')" "$(echo "$out" | grep -c ': info ')"
	else
		printf '%-32s load error: %s\n' "$name" "$(echo "$out" | head -1)"
	fi
done <<EOT
appwrite|appwrite||
appwrite-separate|appwrite|-f docker-compose.yml -f docker-compose.separate.yml --profile separate|
jitsi|docker-jitsi-meet|-f docker-compose.yml -f jibri.yml -f jigasi.yml -f etherpad.yml -f whiteboard.yml -f transcriber.yml --env-file env.example|
langfuse|langfuse|-f docker-compose.yml|
mailcow|mailcow-dockerized|-f docker-compose.yml|$mailcow
mailu|mailu|-f tests/compose/core/docker-compose.yml|
nextcloud-insecure-postgres-fpm|nextcloud-docker|-f .examples/docker-compose/insecure/postgres/fpm/compose.yaml|
nextcloud-proxy-mariadb-fpm|nextcloud-docker|-f .examples/docker-compose/with-nginx-proxy/mariadb/fpm/compose.yaml|
nextcloud-proxy-postgres-apache|nextcloud-docker|-f .examples/docker-compose/with-nginx-proxy/postgres/apache/compose.yaml|
otel-demo|opentelemetry-demo|-f compose.yaml -f compose.full.yaml -f compose.observability.yaml|
penpot|penpot|-f docker/images/docker-compose.yaml|
penpot-devenv|penpot|-f docker/devenv/docker-compose.main.yml -f docker/devenv/docker-compose.infra.yml|
sentry|sentry-self-hosted|-f docker-compose.yml|
wazuh-multi|wazuh-docker|-f multi-node/docker-compose.yml|
wazuh-single|wazuh-docker|-f single-node/docker-compose.yml|
zabbix|zabbix-docker|-f docker-compose_v3_alpine_pgsql_latest.yaml|
zabbix-all-mysql|zabbix-docker|-f docker-compose_v3_ubuntu_mysql_latest.yaml --profile all|
zabbix-full|zabbix-docker|-f docker-compose_v3_alpine_pgsql_latest.yaml --profile full|
EOT
