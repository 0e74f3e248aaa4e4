#!/usr/bin/env bash
# bench-report.sh: run the benchmarks (bench/ and topology/) and print a
# markdown table: name, time per operation in human units, B/op, allocs/op.
#
#   scripts/bench-report.sh                 # every benchmark
#   scripts/bench-report.sh 'Reach|Resolve' # -bench pattern
#   BENCHTIME=5x scripts/bench-report.sh    # go test -benchtime
#   BENCH_INPUT=out.txt scripts/bench-report.sh  # format saved output instead
#
# Benchmarks repeated with -count (COUNT=N) are reduced to their fastest
# run, the figure least disturbed by other load on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern=${1:-.}
args=(-run '^$' -bench "$pattern" -benchmem -timeout 60m -count "${COUNT:-1}")
[ -n "${BENCHTIME:-}" ] && args+=(-benchtime "$BENCHTIME")

if [ -n "${BENCH_INPUT:-}" ]; then
  out=$(cat "$BENCH_INPUT")
else
  out=$(${GO:-go} test "${args[@]}" ./bench/ ./topology/ 2>&1) || { echo "$out" >&2; exit 1; }
fi

echo "$out" | awk '
function human(ns) {
  if (ns >= 1e9) return sprintf("%.2f s", ns / 1e9)
  if (ns >= 1e6) return sprintf("%.1f ms", ns / 1e6)
  if (ns >= 1e3) return sprintf("%.1f µs", ns / 1e3)
  return sprintf("%.0f ns", ns)
}
function bytes(b) {
  if (b >= 1048576) return sprintf("%.1f MiB", b / 1048576)
  if (b >= 1024) return sprintf("%.1f KiB", b / 1024)
  return sprintf("%d B", b)
}
/^cpu:/ && cpu == "" { cpu = substr($0, 6) }
/^Benchmark/ {
  name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
  ns = ""; bop = ""; aop = ""
  for (i = 3; i < NF; i++) {
    if ($(i+1) == "ns/op") ns = $i
    if ($(i+1) == "B/op") bop = $i
    if ($(i+1) == "allocs/op") aop = $i
  }
  if (ns == "") next
  if (!(name in best)) { order[++n] = name }
  if (!(name in best) || ns + 0 < best[name] + 0) { best[name] = ns; B[name] = bop; A[name] = aop }
}
END {
  if (n == 0) { print "no benchmark results" > "/dev/stderr"; exit 1 }
  if (cpu != "") printf "cpu: %s\n\n", cpu
  print "| benchmark | time/op | B/op | allocs/op |"
  print "|---|---:|---:|---:|"
  for (i = 1; i <= n; i++) {
    k = order[i]
    printf "| %s | %s | %s | %s |\n", k, human(best[k]), (B[k] == "" ? "" : bytes(B[k])), A[k]
  }
}'
