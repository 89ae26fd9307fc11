#!/bin/bash
# SPDX-License-Identifier: MIT
# A/B of two builds of the CLI, taking turns on one capture: wall seconds of
# each run, and whether the two listings are byte-identical.
#   bench/ab_cli.sh OLD_TRACEFLOW NEW_TRACEFLOW CAPTURE [ROUNDS]
# Prints a Markdown row per option set: | options | old times | new times | identical? |
set -euo pipefail
OLD=$1; NEW=$2; F=$3; R=${4:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for args in "-j2" "-j2 --json" "-j2 --stats" "-j2 --csv" "-j1" "-j1 --json"; do
  o=(); n=()
  for _ in $(seq 1 "$R"); do
    # shellcheck disable=SC2086  # $args is several options
    o+=("$( { /usr/bin/time -f %e "$OLD" -q $args "$F" > "$out/old"; } 2>&1 )")
    # shellcheck disable=SC2086
    n+=("$( { /usr/bin/time -f %e "$NEW" -q $args "$F" > "$out/new"; } 2>&1 )")
  done
  cmp -s "$out/old" "$out/new" && same=identical || same=DIFFERENT
  echo "| \`$args\` | ${o[*]} | ${n[*]} | $same |"
done
