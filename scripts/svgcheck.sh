#!/usr/bin/env bash
# make svgcheck: draw the bundled examples and the real-world corpus as SVG
# with the built binaries, then render every drawing in headless Chromium
# (scripts/svgcheck/svgcheck.mjs) twice: with the machine's fonts, and with
# DejaVu only (a Linux desktop without Arial-compatible fonts). Fails on
# overlapping text, text outside its node, text clipped at the edge, a
# drawing wider than 4,000 px or flatter than 3:1, or text under 9 px.
#
# Needs chromium (Debian: apt-get install chromium) and node/npm; installs
# playwright-core from scripts/svgcheck/package-lock.json (npm ci).
# SVGCHECK_OUT=DIR keeps the drawings there (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/bin/composenet
[ -x "$bin" ] && [ -x bin/composenet-graphviz ] || { echo "svgcheck: run make build first" >&2; exit 2; }
command -v "${CHROMIUM:-chromium}" >/dev/null || { echo "svgcheck: chromium is required (apt-get install -y chromium)" >&2; exit 2; }
if [ ! -d scripts/svgcheck/node_modules/playwright-core ]; then
  (cd scripts/svgcheck && npm ci --silent --no-audit --no-fund)
fi
out=${SVGCHECK_OUT:-$(mktemp -d)}
mkdir -p "$out"
rm -f "$out"/*.svg "$out"/*.err

# run NAME DIR COMMAND ARGS...: composenet COMMAND in DIR, SVG to
# $out/NAME.svg; the load warnings are shown only when it fails.
run() {
  local name=$1 dir=$2
  shift 2
  if ! (cd "$dir" && "$bin" "$@" --format svg -o "$out/$name.svg") 2>"$out/$name.err"; then
    echo "svgcheck: composenet $* in $dir failed:" >&2
    cat "$out/$name.err" >&2
    exit 1
  fi
  rm -f "$out/$name.err"
}
draw() { local name=$1 dir=$2; shift 2; run "$name" "$dir" diagram "$@"; }
exposure() { local name=$1 dir=$2; shift 2; run "$name" "$dir" exposure "$@"; }

# Bundled examples: plain, with the README's flows, and their exposure.
for ex in ecommerce production secure; do
  draw "example-$ex" "examples/$ex"
  exposure "exposure-$ex" "examples/$ex"
done
draw example-ecommerce-flows examples/ecommerce --highlight 'internet->host:80' \
  --highlight 'order-service->database:5432' --highlight 'gateway->database:5432'
draw example-ecommerce-from examples/ecommerce --from gateway
draw example-production-focus examples/production --focus payment-service

# Larger real projects (render/testdata/corpus, 9 to 68 containers).
c=render/testdata/corpus
draw jitsi "$c/docker-jitsi-meet" -f docker-compose.yml -f etherpad.yml -f jibri.yml \
  -f jigasi.yml -f transcriber.yml -f whiteboard.yml
exposure exposure-jitsi "$c/docker-jitsi-meet" -f docker-compose.yml -f jigasi.yml
draw otel-demo "$c/opentelemetry-demo"
draw dsb-hotel "$c/deathstarbench/hotelReservation"
draw dsb-social "$c/deathstarbench/socialNetwork"
draw dsb-social-sharding "$c/deathstarbench/socialNetwork" -f docker-compose-sharding.yml
draw dsb-media "$c/deathstarbench/mediaMicroservices"
draw dsb-social-focus "$c/deathstarbench/socialNetwork" --focus nginx-thrift --highlight 'nginx-thrift->user-service:9090'
draw train-ticket "$c/train-ticket"
draw train-ticket-focus "$c/train-ticket" --focus ts-order-service
draw train-ticket-summary "$c/train-ticket" --summary on

# Reverse-proxy routes (render/testdata/routes): traefik labels with a
# blocked route, nginx-proxy VIRTUAL_HOST, and 40 generated services behind
# traefik (focused on the proxy: the whole generated project is wider than
# 4,000 px with or without routes).
r=render/testdata/routes
draw routes-traefik "$r" -f traefik.yaml
draw routes-nginx-proxy "$r" -f nginx-proxy.yaml
draw routes-gen40-focus "$r" -f gen40-traefik.yaml --focus traefik

# Several projects on one host (render/testdata/projects): one group per
# project, traefik's routes across them.
draw projects render/testdata/projects -f app/compose.yaml --with proxy --with admin

# Every Compose file of topology/testdata/corpus that loads on its own
# (exit status 2 is a load error: fragments, overrides, invalid files).
n=0
while IFS= read -r f; do
  name=corpus-$(echo "${f#topology/testdata/corpus/}" | tr '/' '-')
  name=${name%.*}
  status=0
  (cd "$(dirname "$f")" && "$bin" diagram --format svg -f "$(basename "$f")" -o "$out/$name.svg") 2>"$out/$name.err" || status=$?
  case $status in
    0) n=$((n + 1)); rm -f "$out/$name.err";;
    2) rm -f "$out/$name.err" "$out/$name.svg";;
    *) echo "svgcheck: drawing $f failed:" >&2; cat "$out/$name.err" >&2; exit 1;;
  esac
done < <(find topology/testdata/corpus -name '*.yml' -o -name '*.yaml' | LC_ALL=C sort)
echo "svgcheck: $(ls "$out"/*.svg | wc -l) drawings ($n from topology/testdata/corpus) in $out"

check() { node scripts/svgcheck/svgcheck.mjs --max-width 4000 --max-aspect 3 --min-font 9 "$out"/*.svg; }
status=0
echo "== fonts: this machine's"
check || status=1
echo "== fonts: DejaVu only"
cache=$(mktemp -d)
cat >"$cache/fonts.conf" <<XML
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>$cache/fc-cache</cachedir></fontconfig>
XML
FONTCONFIG_FILE=$cache/fonts.conf check || status=1
rm -rf "$cache"
exit $status
