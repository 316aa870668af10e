#!/usr/bin/env bash
# FlashCopy (Snapshot mode) benchmark. In one run, against the same agent:
#  - 4k random writes (QD32) to a base with 1 and with 4 FlashCopies, as ratios against the same
#    workload on a volume without FlashCopies:
#      first writes: writes at random 16 KiB-aligned offsets, few enough (one per 8 chunks) that
#                    about 94% land in a chunk not yet copied and copy it into every repository
#                    (the script prints the measured share);
#      rewrites:     the same offsets again: nothing left to copy;
#  - FlashCopy create time for a 1 GiB and a 64 GiB base, as the agent measures the call (median of 5).
#
#   bench/flashcopy.sh
#   SIZE=8GiB bench/flashcopy.sh
#
# All three volumes are filled with the same random bytes through NBD first, so they are allocated
# alike. Not a test: it asserts nothing, it measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${SIZE:-4GiB}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}

. "$ROOT/bench/lib.sh"
bench_start

for v in plain one four; do
    csctl volume create "$v" --size "$SIZE" >/dev/null
done
bytes=$(csctl -o json volume show plain | sed -n 's/.*"sizeBytes": "\{0,1\}\([0-9]*\).*/\1/p')
head -c "$bytes" /dev/urandom >"$WORK/source.img"
for v in plain one four; do
    nbdcopy "$WORK/source.img" "nbd://127.0.0.1:$NBD_PORT/$v"
done
rm -f "$WORK/source.img"

csctl flashcopy create one >/dev/null
for _ in 1 2 3 4; do
    csctl flashcopy create four >/dev/null
done

# One pass of 4k writes at random 16 KiB-aligned offsets, the same ones in the same order each time.
# Prints IOPS.
WRITES=$((bytes / 16384 / 8))
pass() {
    local volume=$1
    sync
    fio --name=bench --ioengine=nbd --uri="nbd://127.0.0.1:$NBD_PORT/$volume" --rw=randwrite --bs=4k \
        --blockalign=16k --size="$bytes" --io_size=$((WRITES * 4096)) --iodepth=32 --randrepeat=1 \
        --output-format=terse --terse-version=3 2>/dev/null | grep "^3;" | awk -F';' '{ print $49 }'
}

plain_first=$(pass plain)
one_first=$(pass one)
four_first=$(pass four)
used=$(csctl -o json flashcopy show one-1 | sed -n 's/.*"usedBytes": "\{0,1\}\([0-9]*\).*/\1/p')
echo "bench: $WRITES first-pass writes copied $((used / 16384)) chunks ($(awk -v c=$((used / 16384)) -v w=$WRITES 'BEGIN{printf "%.0f", 100*c/w}')% of the writes)"
# rewrites are fast and close to each other: run them twice, in opposite orders, and average
plain_re1=$(pass plain); one_re1=$(pass one); four_re1=$(pass four)
four_re2=$(pass four); one_re2=$(pass one); plain_re2=$(pass plain)
plain_re=$(( (plain_re1 + plain_re2) / 2 )) one_re=$(( (one_re1 + one_re2) / 2 )) four_re=$(( (four_re1 + four_re2) / 2 ))

printf '\n%-44s %12s %12s %8s\n' "4k random writes, QD32" "with" "without" "ratio"
printf '%-44s %8s IOPS %8s IOPS %8s\n' "first writes, 1 FlashCopy" "$one_first" "$plain_first" "$(ratio "$one_first" "$plain_first")"
printf '%-44s %8s IOPS %8s IOPS %8s\n' "first writes, 4 FlashCopies" "$four_first" "$plain_first" "$(ratio "$four_first" "$plain_first")"
printf '%-44s %8s IOPS %8s IOPS %8s\n' "rewrites, 1 FlashCopy" "$one_re" "$plain_re" "$(ratio "$one_re" "$plain_re")"
printf '%-44s %8s IOPS %8s IOPS %8s\n' "rewrites, 4 FlashCopies" "$four_re" "$plain_re" "$(ratio "$four_re" "$plain_re")"
csctl flashcopy list

# create time as the agent measures the call: median of five creates per base size
create_ms() {
    local base=$1
    for _ in 1 2 3 4 5; do
        csctl flashcopy create "$base" --name "$base-t" >/dev/null
        csctl flashcopy delete "$base-t" >/dev/null
    done
    grep "FlashCopyService/CreateFlashCopy" "$WORK/agent.log" | tail -5 |
        sed -n 's/.* in \([0-9.]*\) ms.*/\1/p' | sort -n | sed -n 3p
}
csctl volume create small --size 1GiB >/dev/null
csctl volume create large --size 64GiB >/dev/null
small_ms=$(create_ms small)
large_ms=$(create_ms large)
printf '\n%-44s %10s\n' "FlashCopy create (agent-side, median of 5)" "ms"
printf '%-44s %10s\n' "1 GiB base" "$small_ms"
printf '%-44s %10s\n' "64 GiB base" "$large_ms"
printf '%-44s %10s\n' "ratio 64 GiB / 1 GiB" "$(ratio "$large_ms" "$small_ms")"
