#!/usr/bin/env bash
# NBD data path benchmark: fio (nbd engine) against an agent volume and, in the same run, against
# nbdkit's file plugin serving a file on the same file system. Prints each figure and agent/nbdkit.
#
#   bench/nbd.sh                 # 10 s per workload
#   RUNTIME=30 SIZE=4GiB bench/nbd.sh
#
# Both servers listen on loopback TCP and serve the same random bytes, written into each through NBD
# by nbdcopy: how a file was filled changes its random-write speed by half on ext4, so both files are
# filled alike. Each figure is the mean of two runs, one in each order, each after a sync, so neither
# server pays for the other's write-back. Not a test: it asserts nothing, it measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNTIME=${RUNTIME:-10}
SIZE=${SIZE:-1GiB}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}

for tool in fio nbdkit nbdcopy; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install fio nbdkit libnbd-bin)" >&2; exit 1; }
done

. "$ROOT/bench/lib.sh"
NBDKIT_PORT=$(free_port)
echo "bench: workdir $WORK, size $SIZE, ${RUNTIME}s per workload"
start_agent
AGENT_NBD_PORT=$NBD_PORT
csctl volume create bench --size "$SIZE" >/dev/null

bytes=$(csctl -o json volume show bench | sed -n 's/.*"sizeBytes": "\{0,1\}\([0-9]*\).*/\1/p')
truncate -s "$bytes" "$WORK/nbdkit.img"
nbdkit --foreground --exit-with-parent --port "$NBDKIT_PORT" --ipaddr 127.0.0.1 file "$WORK/nbdkit.img" \
    >"$WORK/nbdkit.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
    nbdinfo --size "nbd://127.0.0.1:$NBDKIT_PORT" >/dev/null 2>&1 && break
    sleep 0.5
done

# the same random bytes on both sides, written the same way
head -c "$bytes" /dev/urandom >"$WORK/source.img"
nbdcopy "$WORK/source.img" "nbd://127.0.0.1:$AGENT_NBD_PORT/bench"
nbdcopy "$WORK/source.img" "nbd://127.0.0.1:$NBDKIT_PORT"
rm -f "$WORK/source.img"

# prints "IOPS MiB/s" for one workload against one URI
run_fio() {
    local uri=$1 rw=$2 bs=$3 depth=$4
    sync
    fio --name=bench --ioengine=nbd --uri="$uri" --rw="$rw" --bs="$bs" --iodepth="$depth" \
        --time_based --runtime="$RUNTIME" --ramp_time=1 --norandommap --randrepeat=0 \
        --output-format=terse --terse-version=3 2>/dev/null | grep "^3;" |
        awk -F';' '{ r_iops=$8; r_bw=$7; w_iops=$49; w_bw=$48;
                     iops = r_iops + w_iops; bw = (r_bw + w_bw) / 1024;
                     printf "%d %.1f\n", iops, bw }'
}

printf '%-28s %14s %14s %8s\n' "workload" "agent" "nbdkit" "ratio"
workloads=(
    "4k random read, QD1|randread|4k|1|iops"
    "4k random read, QD32|randread|4k|32|iops"
    "4k random write, QD1|randwrite|4k|1|iops"
    "4k random write, QD32|randwrite|4k|32|iops"
    "1M sequential read, QD8|read|1m|8|bw"
    "1M sequential write, QD8|write|1m|8|bw"
)
for w in "${workloads[@]}"; do
    IFS='|' read -r label rw bs depth unit <<<"$w"
    agent_uri="nbd://127.0.0.1:$AGENT_NBD_PORT/bench" nbdkit_uri="nbd://127.0.0.1:$NBDKIT_PORT"
    read -r a1_iops a1_bw < <(run_fio "$agent_uri" "$rw" "$bs" "$depth")
    read -r k1_iops k1_bw < <(run_fio "$nbdkit_uri" "$rw" "$bs" "$depth")
    read -r k2_iops k2_bw < <(run_fio "$nbdkit_uri" "$rw" "$bs" "$depth")
    read -r a2_iops a2_bw < <(run_fio "$agent_uri" "$rw" "$bs" "$depth")
    a_iops=$(( (a1_iops + a2_iops) / 2 )) k_iops=$(( (k1_iops + k2_iops) / 2 ))
    a_bw=$(awk -v x="$a1_bw" -v y="$a2_bw" 'BEGIN{printf "%.1f", (x+y)/2}')
    k_bw=$(awk -v x="$k1_bw" -v y="$k2_bw" 'BEGIN{printf "%.1f", (x+y)/2}')
    if [ "$unit" = iops ]; then
        a="$a_iops IOPS" k="$k_iops IOPS" ratio=$(awk -v a="$a_iops" -v k="$k_iops" 'BEGIN{printf "%.2f", k ? a/k : 0}')
    else
        a="$a_bw MiB/s" k="$k_bw MiB/s" ratio=$(awk -v a="$a_bw" -v k="$k_bw" 'BEGIN{printf "%.2f", k ? a/k : 0}')
    fi
    printf '%-28s %14s %14s %8s\n' "$label" "$a" "$k" "$ratio"
done
