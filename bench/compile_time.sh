#!/bin/bash
# SPDX-License-Identifier: MIT
# Compile time of a user's TU, as ratios to a TU of standard headers only
# (issue 28): the tracer TU (<traceflow/trace_flow.hpp>, one TraceFlow<MyPacket>
# traced and indexed) should cost at most 3x the baseline
# (<vector> <string> <functional> <memory>), the umbrella TU
# (<traceflow/traceflow.hpp>, the same use) at most 5x.
#
#   bash bench/compile_time.sh [--check] [-n N] [CXX]
#
# Compiles each TU N times (default 5) at -O0 -std=c++17 (-c, object file
# written), taking turns (baseline, tracer, umbrella, baseline, ...) so that
# load on the machine falls on all three alike; prints the median CPU
# seconds (user + system) of each and the two ratios. With --check, exits 1
# when a ratio is over its target. CXX defaults to $CXX, else g++. Run from
# anywhere: the headers are found next to this script.
set -euo pipefail

check=0
n=5
cxx=${CXX:-g++}
while [ $# -gt 0 ]; do
  case $1 in
    --check) check=1 ;;
    -n) n=$2; shift ;;
    -n*) n=${1#-n} ;;
    -h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) cxx=$1 ;;
  esac
  shift
done

include=$(cd "$(dirname "$0")/../include" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/baseline.cpp" <<'EOF'
#include <functional>
#include <memory>
#include <string>
#include <vector>
int main() { return 0; }
EOF

# The user's packet: a plain struct with pcapkit's ten field names.
use='#include <cstdint>
#include <string>
#include <vector>
struct MyPacket {
    int protocol = 1;
    std::uint64_t index = 0;
    std::vector<unsigned char> frame;
    bool syn = false;
    bool fin = false;
    std::string src;
    std::string dst;
    int srcport = 0;
    int dstport = 0;
    double timestamp = 0;
};
int main() {
    traceflow::TraceFlow<MyPacket> flows;
    MyPacket p;
    p.src = "10.0.0.1";
    p.dst = "10.0.0.2";
    p.srcport = 1;
    p.dstport = 2;
    flows(p);
    return static_cast<int>(flows.index().size());
}'
{ echo '#include <traceflow/trace_flow.hpp>'; echo "$use"; } > "$dir/tracer.cpp"
{ echo '#include <traceflow/traceflow.hpp>'; echo "$use"; } > "$dir/umbrella.cpp"

# CPU seconds (user + system, the compiler's processes) one compile of $1
# takes: unlike wall time, not stretched by other work on a shared machine.
compile() {
  local TIMEFORMAT='%3U %3S' t
  t=$( { time "$cxx" -std=c++17 -O0 -I"$include" -c "$dir/$1.cpp" -o "$dir/$1.o" 2>&3; } 3>&2 2>&1 )
  awk -v t="$t" 'BEGIN { split(t, a, " "); print a[1] + a[2] }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for tu in baseline tracer umbrella; do compile "$tu" > /dev/null; done  # warm the file cache
: > "$dir/times"
for _ in $(seq 1 "$n"); do
  for tu in baseline tracer umbrella; do echo "$tu $(compile "$tu")" >> "$dir/times"; done
done

b=$(awk '$1 == "baseline" { print $2 }' "$dir/times" | median)
t=$(awk '$1 == "tracer" { print $2 }' "$dir/times" | median)
u=$(awk '$1 == "umbrella" { print $2 }' "$dir/times" | median)
rt=$(awk -v a="$t" -v b="$b" 'BEGIN { print a / b }')
ru=$(awk -v a="$u" -v b="$b" 'BEGIN { print a / b }')
echo "$("$cxx" --version | head -1), -std=c++17 -O0, median of $n"
printf 'baseline  %6.2f s  (<vector> <string> <functional> <memory>)\n' "$b"
printf 'tracer    %6.2f s  %4.1fx  (<traceflow/trace_flow.hpp>, target 3x)\n' "$t" "$rt"
printf 'umbrella  %6.2f s  %4.1fx  (<traceflow/traceflow.hpp>, target 5x)\n' "$u" "$ru"
if [ "$check" = 1 ]; then
  if awk -v t="$rt" -v u="$ru" 'BEGIN { exit !(t > 3 || u > 5) }'; then
    echo "over target" >&2
    exit 1
  fi
fi
