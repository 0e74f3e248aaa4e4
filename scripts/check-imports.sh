#!/usr/bin/env bash
# Import direction (../shared/docs/architecture.md): topology imports no
# project package (but its own internal ones); topology/loader only
# topology; sim imports only topology; render never imports cmd or
# scenarios; nothing imports cmd.
set -euo pipefail
mod=github.com/composenet/composenet
fail=0
deps() { go list -deps "$1" 2>/dev/null | grep "^$mod/" | grep -v "^$1\$" || true; }
# topology/internal/... are topology's own helpers (shared with topology/loader).
for d in $(deps $mod/topology); do case "$d" in $mod/topology/internal/*) ;; *) echo "topology must not import $d"; fail=1;; esac; done
for d in $(deps $mod/topology/loader); do case "$d" in $mod/topology|$mod/topology/internal/*) ;; *) echo "topology/loader must not import $d"; fail=1;; esac; done
for d in $(deps $mod/sim); do case "$d" in $mod/topology|$mod/topology/internal/*) ;; *) echo "sim must not import $d"; fail=1;; esac; done
for p in $(go list ./... | grep -v "^$mod/cmd/"); do
  for d in $(deps "$p"); do
    case "$d" in
      $mod/cmd/*) echo "$p must not import $d"; fail=1;;
      $mod/scenarios*) case "$p" in $mod/render*) echo "$p must not import $d"; fail=1;; esac;;
    esac
  done
done
# The composenet command loads projects through composenet-load: linking
# compose-go would cost every command its package initialisers.
if go list -deps ./cmd/composenet | grep -q '^github.com/compose-spec/compose-go'; then
  echo "cmd/composenet must not link compose-go (it loads through cmd/composenet-load, package internal/loadcmd)"; fail=1
fi
[ $fail = 0 ] && echo "imports: ok"
exit $fail
