#!/bin/bash
# SPDX-License-Identifier: MIT
# A/B of two builds of traceflow_modes, every mode, taking turns per mode on
# one capture: seconds of each (and x the walk of its own run).
#   bench/ab_modes.sh OLD_TRACEFLOW_MODES NEW_TRACEFLOW_MODES CAPTURE [traceflow_modes options, e.g. --threaded]
# Prints a Markdown row per mode: | mode | old: x walk (s) | new: x walk (s) |
set -euo pipefail
OLD=$1; NEW=$2; F=$3; shift 3
one() {  # one() BINARY MODE OPTIONS...: the mode's cell of the bench's table
  local bin=$1 mode=$2; shift 2
  nice -n -10 "$bin" "$F" --repeat 1 --cap 30 --give-up 30 --only "$mode" "$@" 2>/dev/null | tail -n 1 | awk -F'|' '{print $3}'
}
for lifecycle in pcapkit tcp; do
  for keying in directional bidirectional; do
    for stats in "stats off" "stats on"; do
      for timeout in "none" "idle 60 s" "active 300 s"; do
        mode="$lifecycle, $keying, $stats, $timeout"
        echo "| $mode | $(one "$OLD" "$mode" "$@") | $(one "$NEW" "$mode" "$@") |"
      done
    done
  done
done
