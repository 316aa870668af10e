#!/usr/bin/env bash
# VolumeCopy benchmark. In one run, against the same agent:
#  - copy throughput at priority Highest: `csctl volumecopy create --source source --target target`
#    of a volume filled with random bytes (no holes for the copy to skip) onto a new volume of the
#    same size. Timed on the agent's clock, from the pair's VOLUMECOPY_STARTED event to its
#    VOLUMECOPY_COMPLETED event, read from the event stream as they come (csctl's own JVM start-up
#    is not counted); the engine flushes the target before it says Completed, so that final sync
#    is in. Against `cp` of an equal random file on the same file system (the pool's) to a new
#    file, followed by `sync -d` of the copy (goal: 0.8x or better of cp + sync); the ratio to plain
#    cp is printed as well. After one unmeasured run of each, two runs of each in the order agent,
#    cp, cp, agent, as bench/flashcopy-copy.sh does.
#  - throughput at each lower priority, one copy each onto a new volume, relative to two more
#    Highest copies, one before and one after them (in the order Highest, High, Medium, Low,
#    Lowest, Highest): a copy's time depends on what ran just before it, and the Highest copies
#    after cp above ran up to twice as long as Highest copies after other copies. The goal is the engine's pace (CopyPace: after each 4 MiB chunk the
#    copier pauses so that chunk + pause = slowdown x chunk, a chunk's time counting the target sync
#    of a checkpoint after it): 1/2 (High), 1/3.5 (Medium), 1/6 (Low), 1/8 (Lowest), met when the
#    measured ratio is within 15% of it.
#  - a host's 4k random reads at QD1 (fio, nbd engine) on another volume of LAT_SIZE, filled with
#    random bytes: without a copy, while a Highest copy runs and while a Lowest copy runs; mean and
#    99th percentile of the completion latency, and their ratios to the runs without a copy. Twice:
#    reads the page cache holds (they meet the copy only on the CPUs), and reads from the disk (the
#    volume's pages evicted from the page cache before each run, so they meet the copy's
#    write-back). No goal is set for these. Each set runs in the order without, Highest, Lowest,
#    without; "without" is the mean of the two. Each fio run lasts LAT_RUNTIME seconds (by default
#    the fastest Highest copy above / 2.5, 1 to 10 s) and starts once the copy has started; the
#    script checks that the copy was still running when fio ended, and marks the row INVALID if
#    not. The Lowest copy is stopped after its fio run.
#
#   bench/volumecopy.sh                    # SIZE=4GiB, about 5 minutes and 13 GiB of disk
#   SIZE=2GiB LAT_RUNTIME=3 bench/volumecopy.sh
#
# No caches are dropped (that needs root; only the other volume's own pages are evicted, above):
# every source is written and synced before the measurements and stays in the page cache (cp's
# random file too), and each copy starts after a sync, so neither side pays for the other's
# write-back. The copies and fio need CPU (2 vCPUs here): other processes move the figures, so the
# script prints how much CPU they took meanwhile. Not a test: it asserts nothing, it measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${SIZE:-4GiB}
LAT_SIZE=${LAT_SIZE:-1GiB}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}

. "$ROOT/bench/lib.sh"
bench_start

csctl volume create source --size "$SIZE" >/dev/null
csctl volume create other --size "$LAT_SIZE" >/dev/null
bytes=$(csctl -o json volume show source | json_value sizeBytes)
head -c "$bytes" /dev/urandom >"$WORK/random.img" # also cp's source: the same bytes, on the pool's file system
nbdcopy "$WORK/random.img" "nbd://127.0.0.1:$NBD_PORT/source"
head -c "$(csctl -o json volume show other | json_value sizeBytes)" /dev/urandom >"$WORK/other.img"
nbdcopy "$WORK/other.img" "nbd://127.0.0.1:$NBD_PORT/other"
rm -f "$WORK/other.img"
sync
follow_events
cpu_mark # the machine may be shared: other processes' CPU use moves these figures (both sides need CPU)

mibps() { awk -v b="$bytes" -v s="$1" 'BEGIN{printf "%.0f", s ? b / s / 1048576 : 0}'; }
mean() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (a + b) / 2}'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN{print a + b}'; }
faster() { awk -v a="$1" -v b="$2" 'BEGIN{print (a < b ? a : b)}'; }
now() { date -u +%Y-%m-%dT%H:%M:%S.%NZ; }
# Runs a command quietly: what it says on stderr (csctl's warning: lines, e.g. that the source takes
# no writes during the copy) is shown only when it fails.
quiet() {
    local err
    if ! err=$("$@" 2>&1 >/dev/null); then
        printf '%s\n' "$err" >&2
        return 1
    fi
}

# ---- copies ------------------------------------------------------------------------------------

# Starts a copy source -> a new target at PRIORITY (lowest ... highest) and prints the agent's time
# of its VOLUMECOPY_STARTED event. The target exists only while it is used: each copy's caller
# deletes it (its pair goes with it) once measured, as cp_copy removes its copy, so that no copy
# runs with the previous one's output still there. When the target was deleted just before the
# next copy instead, the cp right after an agent copy took 4.5-5.5 s against 1.7-2.8 s for a cp
# after a cp, and the agent's copies 3.6-4.5 s instead of 5.9-8.2 s (see docs/benchmarks.md).
start_copy() {
    local priority=$1
    csctl volume create target --size "$SIZE" >/dev/null
    sync
    quiet csctl volumecopy create --source source --target target --priority "$priority" --yes
    await_event VOLUMECOPY_STARTED target | json_value time
}

# A whole copy at PRIORITY onto a new target; prints the seconds from started to completed.
agent_copy() {
    local started completed
    started=$(start_copy "$1")
    completed=$(await_event VOLUMECOPY_COMPLETED target | json_value time)
    csctl volume delete target >/dev/null
    seconds_between "$started" "$completed"
}

# One unmeasured copy of each kind first (the fill's write-back and the first allocations).
agent_copy highest >/dev/null
cp_copy >/dev/null
agent1=$(agent_copy highest)
read -r cp1 sync1 < <(cp_copy)
read -r cp2 sync2 < <(cp_copy)
agent2=$(agent_copy highest)
rm -f "$WORK/random.img"
echo "bench: copies at Highest and cp: $(cpu_others)"
echo "bench: VolumeCopy at Highest ${agent1}s, ${agent2}s; cp ${cp1}s + sync ${sync1}s, ${cp2}s + ${sync2}s"

cpu_mark
declare -A seconds slowdown=([high]=2 [medium]=3.5 [low]=6 [lowest]=8)
highest1=$(agent_copy highest)
for priority in high medium low lowest; do
    seconds[$priority]=$(agent_copy "$priority")
done
highest2=$(agent_copy highest)
highest=$(mean "$highest1" "$highest2")
echo "bench: copies at lower priorities: $(cpu_others)"
echo "bench: VolumeCopy at Highest ${highest1}s, High ${seconds[high]}s, Medium ${seconds[medium]}s, Low ${seconds[low]}s, Lowest ${seconds[lowest]}s, Highest ${highest2}s"

cpsync1=$(sum "$cp1" "$sync1") cpsync2=$(sum "$cp2" "$sync2")
agent=$(mean "$agent1" "$agent2") cp=$(mean "$cp1" "$cp2") cpsync=$(mean "$cpsync1" "$cpsync2")
met() { awk -v m="$1" -v g="$2" -v t="$3" 'BEGIN{ print ((t == "min" ? m >= g : m >= g * 0.85 && m <= g * 1.15) ? "met" : "NOT MET") }'; }
printf '\n%-52s %10s %10s\n' "copy of $SIZE of random bytes" "seconds" "MiB/s"
printf '%-52s %10s %10s\n' "VolumeCopy at Highest, after cp (mean of 2)" "$agent" "$(mibps "$agent")"
printf '%-52s %10s %10s\n' "cp to a new file (mean of 2)" "$cp" "$(mibps "$cp")"
printf '%-52s %10s %10s\n' "cp to a new file + sync -d of the copy (mean of 2)" "$cpsync" "$(mibps "$cpsync")"
printf '%-52s %10s %10s\n' "VolumeCopy at Highest, after other copies (mean of 2)" "$highest" "$(mibps "$highest")"
for priority in high medium low lowest; do
    printf '%-52s %10s %10s\n' "VolumeCopy at ${priority^}, onto a new volume" "${seconds[$priority]}" \
        "$(mibps "${seconds[$priority]}")"
done
printf '\n%-52s %10s %10s %8s\n' "throughput ratio" "measured" "goal" ""
r=$(ratio "$cpsync" "$agent")
printf '%-52s %10s %10s %8s\n' "VolumeCopy Highest / cp + sync -d" "$r" ">= 0.80" "$(met "$r" 0.8 min)"
printf '%-52s %10s\n' "VolumeCopy Highest / cp (not yet durable)" "$(ratio "$cp" "$agent")"
printf '%-52s %10s\n' "the faster runs, VolumeCopy Highest / cp + sync -d" \
    "$(ratio "$(faster "$cpsync1" "$cpsync2")" "$(faster "$agent1" "$agent2")")"
for priority in high medium low lowest; do
    r=$(ratio "$highest" "${seconds[$priority]}")
    goal=$(ratio 1 "${slowdown[$priority]}")
    printf '%-52s %10s %10s %8s\n' "VolumeCopy ${priority^} / Highest" "$r" "$goal" "$(met "$r" "$goal" near)"
done

# ---- host reads on another volume during a copy ------------------------------------------------

LAT_RUNTIME=${LAT_RUNTIME:-$(awk -v s="$(faster "$(faster "$agent1" "$agent2")" "$(faster "$highest1" "$highest2")")" 'BEGIN{ r = int(s / 2.5); print (r < 1 ? 1 : r > 10 ? 10 : r) }')}
cpu_mark

# The other volume's data file (docs/on-disk-format.md): its pages are evicted from the page cache
# (posix_fadvise DONTNEED, which needs no root; they are clean after a sync) for the reads that go
# to the disk.
OTHER_FILE=$WORK/pool/volumes/$(csctl -o json volume show other | json_value id).data
evict_other() {
    python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$OTHER_FILE"
}

# One fio run of 4k random reads at QD1 on "other"; prints "mean-us p99-us IOPS". MODE "cached"
# reads what the page cache holds, "disk" evicts the volume's pages first. No sync here: during a
# copy it would flush the copy's writes; the runs without a copy sync first.
read_pass() {
    if [ "$1" = disk ]; then evict_other; fi
    fio --name=bench --ioengine=nbd --uri="nbd://127.0.0.1:$NBD_PORT/other" --rw=randread --bs=4k \
        --iodepth=1 --time_based --runtime="$LAT_RUNTIME" --randrepeat=1 --lat_percentiles=1 \
        --output-format=json 2>/dev/null | sed -n '/^{/,$p' | # after fio's "connected to NBD server"
        python3 -c 'import json, sys; r = json.load(sys.stdin)["jobs"][0]["read"]
print("%.1f %.1f %d" % (r["lat_ns"]["mean"] / 1000, r["lat_ns"]["percentile"]["99.000000"] / 1000, r["iops"]))'
}

# A read run (MODE as read_pass) during a copy at PRIORITY; sets mean, p99, iops and valid ("" or
# why the row does not count), and prints when the reads ran against the copy. A Highest copy is
# awaited to its end, a Lowest one is asked for its state after the reads and stopped.
during_copy() {
    local priority=$1 mode=$2 started start end ended state
    started=$(start_copy "$priority")
    start=$(now)
    read -r mean p99 iops < <(read_pass "$mode")
    end=$(now)
    valid=""
    if [ "$priority" = highest ]; then
        ended=$(await_event VOLUMECOPY_COMPLETED target | json_value time)
        if awk -v e="$(seconds_between "$end" "$ended")" 'BEGIN{ exit !(e > 0) }'; then
            echo "bench:   reads from +$(seconds_between "$started" "$start")s to +$(seconds_between "$started" "$end")s" \
                "after the start of the ${priority^} copy; it completed at +$(seconds_between "$started" "$ended")s"
        else
            valid="INVALID: the copy completed $(seconds_between "$ended" "$end") s before the reads ended"
        fi
    else
        state=$(csctl -o json volumecopy show target | json_value state)
        if [ "$state" = COPY_IN_PROGRESS ]; then
            echo "bench:   reads from +$(seconds_between "$started" "$start")s to +$(seconds_between "$started" "$end")s" \
                "after the start of the ${priority^} copy; still copying after them ($(csctl -o json volumecopy \
                show target | json_value copiedPercent | awk '{ printf "%.0f", $1 }')% copied when csctl asked)"
        else
            valid="INVALID: the copy was $state when the reads ended"
        fi
        if quiet csctl volumecopy stop target --yes 2>/dev/null; then
            await_event VOLUMECOPY_STOPPED target >/dev/null
        else # it completed meanwhile
            await_event VOLUMECOPY_COMPLETED target >/dev/null
        fi
    fi
    csctl volume delete target >/dev/null
}

# The four runs of one MODE, in the order without, Highest, Lowest, without; prints its table rows.
latency_rows() {
    local mode=$1 label=$2 none_mean1 none_p991 none_iops1 none_mean2 none_p992 none_iops2
    local high_mean high_p99 high_iops high_valid low_mean low_p99 low_iops low_valid none_mean none_p99 none_iops
    echo "bench: $label" >&2
    sync
    read -r none_mean1 none_p991 none_iops1 < <(read_pass "$mode")
    during_copy highest "$mode" >&2
    high_mean=$mean high_p99=$p99 high_iops=$iops high_valid=$valid
    during_copy lowest "$mode" >&2
    low_mean=$mean low_p99=$p99 low_iops=$iops low_valid=$valid
    sync
    read -r none_mean2 none_p992 none_iops2 < <(read_pass "$mode")
    echo "bench:   without a copy: mean ${none_mean1} and ${none_mean2} us, p99 ${none_p991} and ${none_p992} us" >&2
    none_mean=$(mean "$none_mean1" "$none_mean2") none_p99=$(mean "$none_p991" "$none_p992")
    none_iops=$(mean "$none_iops1" "$none_iops2")
    printf '%s\n' "$label"
    printf '%-36s %7.0f us %8s %7.0f us %8s %8.0f\n' "  no copy (mean of 2)" "$none_mean" "" "$none_p99" "" "$none_iops"
    printf '%-36s %7.0f us %8s %7.0f us %8s %8.0f %s\n' "  during a Highest copy" "$high_mean" \
        "$(ratio "$high_mean" "$none_mean")" "$high_p99" "$(ratio "$high_p99" "$none_p99")" "$high_iops" "$high_valid"
    printf '%-36s %7.0f us %8s %7.0f us %8s %8.0f %s\n' "  during a Lowest copy" "$low_mean" \
        "$(ratio "$low_mean" "$none_mean")" "$low_p99" "$(ratio "$low_p99" "$none_p99")" "$low_iops" "$low_valid"
}

echo "bench: 4k random reads, QD1, on another volume of $LAT_SIZE, ${LAT_RUNTIME}s per run"
cached_rows=$(latency_rows cached "from the page cache")
disk_rows=$(latency_rows disk "from the disk (pages evicted first)")
echo "bench: reads: $(cpu_others)"

printf '\n%-36s %10s %8s %10s %8s %8s\n' "4k random reads, QD1, other volume" "mean" "ratio" "p99" "ratio" "IOPS"
printf '%s\n%s\n' "$cached_rows" "$disk_rows"
echo "(no goal is set for the latencies; ratio = during the copy / no copy)"
