#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cluster.slurm: starts a one-node Slurm cluster on this machine (munged,
# slurmctld, slurmd: all private to a temp folder, on free ports; needs root),
# then checks that tools/cluster/traceflow-slurm prints what the plain run
# prints, writes the same -o files and exits the same. Prints "SKIPPED: why"
# when Slurm or munge is missing or the daemons cannot start.
# Usage: slurm_test.sh TRACEFLOW SAMPLE_PCAP BIG_PCAP
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.bash
. "$(dirname -- "${BASH_SOURCE[0]}")/common.bash"

pids=()
# shellcheck disable=SC2317  # called by on_exit
stop_services() {
    # Jobs first (their slurmstepd would outlive slurmd), then the daemons, by id.
    if [ "${#pids[@]}" -gt 1 ]; then
        timeout 10 scancel --full --quiet --user="$(id -un)" >/dev/null 2>&1 || true
    fi
    local pid i
    for pid in ${pids[@]+"${pids[@]}"}; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in ${pids[@]+"${pids[@]}"}; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

skip() {
    echo "SKIPPED: $*"
    exit 0
}

for tool in munged slurmctld slurmd sbatch squeue scancel sinfo scontrol; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (Debian: apt-get install slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "starting slurmd and munged needs root"

# Outer Slurm settings (e.g. when this runs inside a job) must not leak in.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN)_' || true)

cluster=$tmp/cluster
mkdir -p "$cluster/state" "$cluster/spool" "$cluster/munge"
# munged wants its socket folder reachable by all and its key private.
chmod 755 "$tmp" "$cluster" "$cluster/munge"
key=$cluster/munge/munge.key
if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$key" >/dev/null 2>&1 || skip "mungekey cannot create a key"
else
    dd if=/dev/urandom of="$key" bs=1024 count=1 2>/dev/null
fi
chmod 400 "$key"
socket=$cluster/munge/socket
munged --foreground --key-file="$key" --socket="$socket" --pid-file="$cluster/munge/munged.pid" \
    --log-file="$cluster/munge/munged.log" --seed-file="$cluster/munge/munged.seed" >"$cluster/munged.out" 2>&1 &
pids+=("$!")
up=0
for ((i = 0; i < 100; i++)); do
    if [ -S "$socket" ] && munge --socket="$socket" --no-input 2>/dev/null | unmunge --socket="$socket" >/dev/null 2>&1
    then
        up=1
        break
    fi
    kill -0 "${pids[0]}" 2>/dev/null || break
    sleep 0.1
done
[ "$up" = 1 ] || skip "munged did not start: $(tail -n 3 "$cluster/munge/munged.log" "$cluster/munged.out" 2>/dev/null)"

# Two free ports (bind to port 0), so that a Slurm already on this machine is untouched.
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])' 2>/dev/null) || ports="$((20000 + RANDOM % 20000)) $((40000 + RANDOM % 20000))"
read -r ctld_port slurmd_port <<<"$ports"

export SLURM_CONF=$cluster/slurm.conf
cat >"$SLURM_CONF" <<EOF
ClusterName=traceflowtest
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
# schedule at once (default: batch jobs may wait up to 3 s per scheduling pass)
SchedulerParameters=batch_sched_delay=0
SwitchType=switch/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -D -f "$SLURM_CONF" >"$cluster/slurmctld.out" 2>&1 &
pids+=("$!")
slurmd -D -f "$SLURM_CONF" -N localhost >"$cluster/slurmd.out" 2>&1 &
pids+=("$!")
up=0
for ((i = 0; i < 300; i++)); do
    if [ "$(timeout 5 sinfo -h -N -o %t 2>/dev/null)" = idle ]; then
        up=1
        break
    fi
    if ! kill -0 "${pids[1]}" 2>/dev/null || ! kill -0 "${pids[2]}" 2>/dev/null; then break; fi
    sleep 0.1
done
if [ "$up" = 0 ]; then
    skip "the Slurm daemons did not start: $(tail -n 3 "$cluster/slurmctld.log" "$cluster/slurmd.log" \
        "$cluster/slurmctld.out" "$cluster/slurmd.out" 2>/dev/null)"
fi
echo "Slurm is up after $SECONDS s: slurmctld on port $ctld_port, slurmd on port $slurmd_port, $(nproc) CPUs"

# A trivial job first: when it fails, the cluster is the problem, not traceflow-slurm.
# (Polled here: sbatch --wait sleeps 2 s, then 8 s, between its looks.)
t0=$SECONDS
timeout 10 sbatch --quiet --chdir="$cluster" --output="$cluster/hello.out" --wrap 'echo hello' \
    || { fail "sbatch failed: $(tail -n 5 "$cluster/slurmctld.log")"; exit 1; }
for ((i = 0; i < 300; i++)); do
    [ "$(cat "$cluster/hello.out" 2>/dev/null)" != hello ] || break
    sleep 0.1
done
if [ "$(cat "$cluster/hello.out" 2>/dev/null)" != hello ]; then
    fail "a trivial job did not run in 30 s: $(tail -n 5 "$cluster/slurmctld.log" "$cluster/slurmd.log")"
    exit 1
fi
echo "ok (a trivial job): $((SECONDS - t0)) s"

S=(timeout 60 "$tools/traceflow-slurm")
same_as_plain "K=3" "${S[@]}" --parts-per-file 3 -- "$sample"
same_as_plain "K=3 tcp json" "${S[@]}" --parts-per-file 3 -- --bidirectional --lifecycle tcp --stats --json "$sample"
same_as_plain "K=3 -o" "${S[@]}" --parts-per-file 3 -- -o out "$sample"
same_as_plain "K=2 two captures, json -o" "${S[@]}" --parts-per-file 2 -- --json -o out "$sample" "$big"
damaged=$(damaged_copy "$sample" "$tmp/damaged.pcap")
same_as_plain "damaged K=3" "${S[@]}" --parts-per-file 3 -- "$damaged"

# A map that writes no part: reported, the merge job cancelled, exit 2.
expect_failing_map "$sample" "${S[@]}"
size=$(wc -c <"$sample")
middle="$((size / 3)):$((2 * size / 3))"

# TERM while a map runs: the jobs are cancelled (the map with them).
slow=$(fake_traceflow slow "$middle" "echo \$\$ >$(printf '%q' "$tmp/sleeper"); exec sleep 60")
interrupted "TERM while mapping" env PATH="$slow:$PATH" "$tools/traceflow-slurm" --parts-per-file 3 "$sample"

# Nothing left in the queue (cancelled jobs may take a moment to leave it).
for ((i = 0; i < 100; i++)); do
    queued=$(squeue -h -o '%i %T')
    [ -n "$queued" ] || break
    sleep 0.1
done
[ -z "$queued" ] || fail "jobs left in the queue: $queued"

expect_status "usage: -c" 1 "${S[@]}" -c 5 "$sample"
leftover=$(find "$tmp" -mindepth 1 -maxdepth 1 -name 'traceflow-slurm*')
[ -z "$leftover" ] || fail "work folders left behind: $leftover"
finish_tests
