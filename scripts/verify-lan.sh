#!/usr/bin/env bash
# The LAN-client real-engine test (issue 16): composenet verify from a
# machine on the host's LAN, played by a network namespace that this
# script creates and joins to the host with a veth pair on private test
# addresses (198.18.0.0/29, benchmark space; host end 198.18.0.1, the
# client holds .2 and .3). For each case in testdata/lan (or the files
# given), it loads the case's DOCKER-USER rules (NAME.rules next to
# NAME.yaml) into the host's iptables, each tagged with a comment naming
# this run, writes a host description that names the veth and holds the
# same rules, and runs
#   composenet verify --host HOST --lan-netns NS -f CASE
# which must agree on every query; a case with rules runs a second time
# with the host's own `iptables-save` output as the host description's
# firewall. Everything this script creates (namespace, veth, tagged rules)
# is removed on exit, failure or signal; verify tears its project down
# itself, and any container or network of a case's project still there is
# removed by ID. Needs root, ip(8) from iproute2, iptables and a running Docker
# Engine with Compose v2 (scripts/verify-engine.sh sets one up and calls
# this). Traffic stays between the namespace, the host and the engine's
# bridges: the namespace has no default route, only the /29 and the routes
# verify adds to the project's subnets, and the probe refuses any address
# but the host's end of the link and the project's containers.
# VERIFY_LAN_OUT=DIR keeps each verify report there; VERIFY_LAN_FLAGS are
# verify's other flags (default --timeout 5m).
set -euo pipefail
cd "$(dirname "$0")/.."
NS=composenet-lan
HOSTIF=cnlan0h
PEERIF=cnlan0c
NET=198.18.0.0/29
HOSTADDR=198.18.0.1
CLIENTS="198.18.0.2 198.18.0.3"
BITS=29
TAG="composenet-lan-$$"
BIN=${COMPOSENET:-bin/composenet}
VERIFY_FLAGS=${VERIFY_LAN_FLAGS:---timeout 5m}
log() { echo "verify-lan: $*" >&2; }

[ "$(id -u)" = 0 ] || { log "needs root (network namespaces, veth, iptables)"; exit 2; }
for t in ip iptables iptables-save docker; do
  command -v "$t" >/dev/null || { log "needs $t (scripts/verify-engine.sh installs iproute2, iptables and docker.io)"; exit 2; }
done
docker version >/dev/null 2>&1 || { log "no reachable Docker daemon"; exit 2; }
[ -x "$BIN" ] || make build >/dev/null

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(testdata/lan/*.yaml)

STATE=$(mktemp -d /tmp/composenet-lan.XXXXXX)
created_ns=""
created_link=""
verify_pid=""
project=""

remove_rules() {
  local line args
  { iptables -S DOCKER-USER 2>/dev/null || true; } | { grep -F -- "--comment $TAG" || true; } | while read -r line; do
    read -ra args <<<"${line/#-A /-D }"
    iptables "${args[@]}" || log "could not remove: $line"
  done
}
remove_project() {
  [ -n "$project" ] || return 0
  local ids
  ids=$(docker ps -aq --filter "label=com.docker.compose.project=$project" 2>/dev/null || true)
  if [ -n "$ids" ]; then
    log "removing leftover containers of $project: $ids"
    # shellcheck disable=SC2086
    docker rm -f $ids >/dev/null 2>&1 || true
  fi
  ids=$(docker network ls -q --filter "label=com.docker.compose.project=$project" 2>/dev/null || true)
  if [ -n "$ids" ]; then
    log "removing leftover networks of $project: $ids"
    # shellcheck disable=SC2086
    docker network rm $ids >/dev/null 2>&1 || true
  fi
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$verify_pid" ] && kill -0 "$verify_pid" 2>/dev/null; then
    # verify tears its project down on SIGTERM.
    kill -TERM "$verify_pid" 2>/dev/null || true
    wait "$verify_pid" 2>/dev/null || true
  fi
  remove_project
  remove_rules
  [ -n "$created_link" ] && { ip link del "$HOSTIF" 2>/dev/null || true; }
  [ -n "$created_ns" ] && { ip netns del "$NS" 2>/dev/null || true; }
  rm -rf "$STATE"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The test link must be new, and its /29 must overlap no route of the host
# and no network of the engine.
if ip netns list | grep -qw "$NS" || ip link show "$HOSTIF" >/dev/null 2>&1; then
  log "namespace $NS or link $HOSTIF exists already (another run, or a leftover: ip netns del $NS; ip link del $HOSTIF)"
  exit 2
fi
if [ -n "$(ip -4 route show root "$NET")" ] || ip -4 route show match "$NET" | grep -qv '^default'; then
  log "the host routes part of $NET already; refusing to shadow it"
  exit 2
fi
ip2int() { local IFS=.; read -r a b c d <<<"$1"; echo $(((a << 24) | (b << 16) | (c << 8) | d)); }
overlaps() { # CIDR CIDR
  local a=${1%/*} m=${1#*/} b=${2%/*} n=${2#*/} k
  k=$((m < n ? m : n))
  [ $(($(ip2int "$a") >> (32 - k))) = $(($(ip2int "$b") >> (32 - k))) ]
}
for sn in $(docker network ls -q | xargs docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}'); do
  case $sn in *:*) continue ;; esac
  if overlaps "$sn" "$NET"; then log "engine network subnet $sn overlaps $NET"; exit 2; fi
done

# The namespace and its link. No IPv6 on the link (no link-local address,
# no router solicitations), no default route in the namespace.
ip netns add "$NS"
created_ns=1
ip link add "$HOSTIF" type veth peer name "$PEERIF" netns "$NS"
created_link=1
ip link set dev "$HOSTIF" addrgenmode none
ip -n "$NS" link set dev "$PEERIF" addrgenmode none
ip addr add "$HOSTADDR/$BITS" dev "$HOSTIF"
ip link set "$HOSTIF" up
for a in $CLIENTS; do ip -n "$NS" addr add "$a/$BITS" dev "$PEERIF"; done
ip -n "$NS" link set lo up
ip -n "$NS" link set "$PEERIF" up
log "LAN client: namespace $NS ($CLIENTS) <-> $HOSTIF $HOSTADDR on the host"

# host_yaml RULES_FILE|"" IPTABLES_SAVE|"": the host description.
host_yaml() {
  echo "interfaces:"
  echo "  - {name: $HOSTIF, addresses: [$HOSTADDR/$BITS]}"
  if [ -n "$2" ]; then
    printf 'firewall:\n  iptables-save: %s\n' "$2"
  elif [ -n "$1" ]; then
    echo "firewall:"
    echo "  docker-user:"
    rules "$1" | while IFS= read -r r; do
      printf "    - '%s -m comment --comment %s'\n" "${r//\'/\'\'}" "$TAG"
    done
  fi
}
rules() { grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$1"; }

passed=0
failed=0
agree=0
disagree=0
skipped=0
run_verify() { # CASE HOSTFILE LABEL SUFFIX
  local out="$STATE/out.txt" rc=0 s
  echo "== composenet verify --host $3 --lan-netns $NS -f $1"
  # shellcheck disable=SC2086
  "$BIN" verify $VERIFY_FLAGS --host "$2" --lan-netns "$NS" -f "$1" >"$out" &
  verify_pid=$!
  wait "$verify_pid" || rc=$?
  verify_pid=""
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    sed -n '/^DISAGREE/,/^AGREE/p' "$out"
  fi
  s=$(tail -1 "$out")
  echo "$s"
  if [ -n "${VERIFY_LAN_OUT:-}" ]; then
    mkdir -p "$VERIFY_LAN_OUT"
    cp "$out" "$VERIFY_LAN_OUT/$(basename "$1" .yaml)-$4.txt"
  fi
  if [[ $s =~ ([0-9]+)\ agree,\ ([0-9]+)\ disagree,\ ([0-9]+)\ skipped ]]; then
    agree=$((agree + BASH_REMATCH[1]))
    disagree=$((disagree + BASH_REMATCH[2]))
    skipped=$((skipped + BASH_REMATCH[3]))
  fi
}

for c in "${cases[@]}"; do
  project="$(sed -n 's/^name: *//p' "$c" | head -1)-verify"
  rf="${c%.yaml}.rules"
  [ -f "$rf" ] || rf=""
  if [ -n "$rf" ]; then
    n=1
    while IFS= read -r r; do
      read -ra args <<<"$r"
      iptables -I DOCKER-USER "$n" "${args[@]}" -m comment --comment "$TAG"
      n=$((n + 1))
    done < <(rules "$rf")
    log "loaded $((n - 1)) DOCKER-USER rules from $rf (tagged $TAG)"
  fi
  host_yaml "$rf" "" >"$STATE/host.yaml"
  run_verify "$c" "$STATE/host.yaml" "<interfaces + ${rf:-no rules}>" inline
  if [ -n "$rf" ]; then
    iptables-save >"$STATE/iptables-save.txt"
    host_yaml "" iptables-save.txt >"$STATE/host-save.yaml"
    run_verify "$c" "$STATE/host-save.yaml" "<interfaces + this host's iptables-save>" iptables-save
    remove_rules
  fi
  remove_project
  project=""
done
echo "verify-lan: $passed passed, $failed failed; queries: $agree agree, $disagree disagree, $skipped skipped"
[ "$failed" = 0 ]
