#!/usr/bin/env bash
# Runs `make verify` against a real Docker Engine (issue 13; with the
# several-projects host of testdata/projects, issue 17), then the
# LAN-client test (scripts/verify-lan.sh, issue 16). On a machine
# without a reachable daemon it installs Debian's docker.io, containerd,
# runc, iptables and iproute2, builds the Docker Compose v2 plugin once (cached in
# $COMPOSENET_CI_CACHE, default ~/.cache/composenet-ci), starts dockerd
# itself with a local upstream DNS (a composenet NXDOMAIN stub on
# docker0's address, so that no lookup leaves the machine), runs the
# target, and stops what it started by PID. Traffic goes only to loopback
# and to bridges this dockerd created.
set -euo pipefail
cd "$(dirname "$0")/.."
COMPOSE_VERSION=v2.35.1
CACHE=${COMPOSENET_CI_CACHE:-$HOME/.cache/composenet-ci}
STATE=$(mktemp -d /tmp/composenet-engine.XXXXXX)
mkdir -p "$CACHE"
log() { echo "verify-engine: $*" >&2; }

started_dockerd=""
stub_pid=""
cleanup() {
  [ -n "$stub_pid" ] && kill "$stub_pid" 2>/dev/null || true
  if [ -n "$started_dockerd" ]; then
    log "stopping dockerd (pid $started_dockerd)"
    kill "$started_dockerd" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$started_dockerd" 2>/dev/null || break; sleep 1; done
  fi
}
trap cleanup EXIT

# 1. The engine's packages (Debian 12 ships Engine 20.10), and ip(8) for
# the LAN client's namespace.
if ! command -v dockerd >/dev/null || ! command -v iptables >/dev/null || ! command -v ip >/dev/null; then
  log "installing docker.io containerd runc iptables iproute2"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 900 apt-get install -y -qq docker.io containerd runc iptables iproute2 >/dev/null
fi

# 2. Docker Compose v2 as a CLI plugin, built from its Go module once.
plugin="$HOME/.docker/cli-plugins/docker-compose"
if ! docker compose version >/dev/null 2>&1; then
  bin="$CACHE/docker-compose-$COMPOSE_VERSION"
  if [ ! -x "$bin" ]; then
    log "building docker compose $COMPOSE_VERSION (once; cached in $CACHE)"
    dir=$(go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/.*"Dir": "\(.*\)",*/\1/p')
    src="$STATE/compose-src"
    cp -r "$dir" "$src" && chmod -R u+w "$src"
    (cd "$src" && CGO_ENABLED=0 timeout 2700 go build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$bin.tmp" ./cmd)
    mv "$bin.tmp" "$bin"
    rm -rf "$src"
  fi
  mkdir -p "$(dirname "$plugin")"
  ln -sf "$bin" "$plugin"
fi
docker compose version

# 3. The composenet binary (static: it is also the probe).
make build >/dev/null

# 4. dockerd, unless one answers already.
if ! docker version >/dev/null 2>&1; then
  cat > "$STATE/daemon.json" <<JSON
{"dns": ["172.17.0.1"], "storage-driver": "overlay2"}
JSON
  log "starting dockerd"
  dockerd --config-file "$STATE/daemon.json" --pidfile "$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 &
  started_dockerd=$!
  for _ in $(seq 1 60); do docker version >/dev/null 2>&1 && break; sleep 1; done
  docker version >/dev/null 2>&1 || { tail -20 "$STATE/dockerd.log"; exit 1; }
  # The daemon's upstream DNS: NXDOMAIN for everything, on docker0.
  bin/composenet probe dns-stub --listen 172.17.0.1:53 2>"$STATE/stub.log" &
  stub_pid=$!
  sleep 1
  kill -0 "$stub_pid" || { cat "$STATE/stub.log"; exit 1; }
else
  log "using the running Docker daemon"
fi
docker version --format 'Docker Engine {{.Server.Version}} (API {{.Server.APIVersion}})'

# 5. The checks: every case from the containers and the host, then from
# a LAN client (a namespace on a veth, with DOCKER-USER rules loaded and
# removed again by verify-lan.sh itself).
verify_start=$(date +%s)
verify_rc=0
make verify | tee "$STATE/verify.out" || verify_rc=$?
# The counts over every run (each report ends with "N queries: A agree,
# D disagree, S skipped").
awk '/^[0-9]+ queries: [0-9]+ agree, [0-9]+ disagree, [0-9]+ skipped$/ {n++; t+=$1; a+=$3; d+=$5; s+=$7}
  END {printf "verify-engine: %d runs, %d queries: %d agree, %d disagree, %d skipped\n", n, t, a, d, s}' "$STATE/verify.out" >&2
log "make verify: $(($(date +%s) - verify_start)) s"
[ "$verify_rc" = 0 ] || exit "$verify_rc"
lan_start=$(date +%s)
VERIFY_LAN_FLAGS="--dns-upstream --timeout 5m" ./scripts/verify-lan.sh
log "LAN-client test: $(($(date +%s) - lan_start)) s"
