#!/usr/bin/env bash
# CSI driver benchmark (as root: it mounts file systems). In one run, against one agent and one
# driver (controller and node in one process):
#  - CreateVolume (1 GiB, ext4) + NodeStage (attach, mkfs, mount) + NodePublish, and CreateSnapshot,
#    as the CO sees the calls: median of $ROUNDS (default 20);
#  - file write throughput through a published volume's file system against the same workload on
#    an ext4 on a loop device over a plain file in the same directory as the pool (the reference):
#    1 MiB sequential writes and 4k random writes (QD32), O_DIRECT, fsync at the end.
#
#   bench/csi.sh
#   ROUNDS=5 bench/csi.sh
#
# Not a test: it asserts nothing, it measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE=1GiB
ROUNDS=${ROUNDS:-20}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}
[ "$(id -u)" -eq 0 ] || { echo "bench: the CSI node mounts file systems; run as root" >&2; exit 1; }

. "$ROOT/bench/lib.sh"
REF_LOOP=""
csi_cleanup() {
    mountpoint -q "$WORK/ref-mnt" 2>/dev/null && umount "$WORK/ref-mnt"
    [ -n "$REF_LOOP" ] && losetup -d "$REF_LOOP" 2>/dev/null
    cleanup
}
trap csi_cleanup EXIT
bench_start

. "$ROOT/bin/lib/java.sh"
select_java
"$ROOT/bin/csi-driver" --endpoint "unix://$WORK/csi.sock" --node-id bench --agent "127.0.0.1:$CONTROL_PORT" \
    --insecure-dev --state-dir "$WORK/state" >"$WORK/driver.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
    [ -S "$WORK/csi.sock" ] && break
    sleep 0.5 # waiting for a process to come up; not synchronising a test
done
java_opts=(--enable-native-access=ALL-UNNAMED)
# protobuf-java uses sun.misc.Unsafe; JDK 24+ warns about it unless told it is expected (as bin/lib/launch.sh)
[ "$JAVA_MAJOR" -ge 24 ] && java_opts+=(--sun-misc-unsafe-memory-access=allow)
bench_java() {
    "$JAVA" "${java_opts[@]}" -cp "$ROOT/csi-driver/target/classes:$ROOT/csi-driver/target/lib/*" \
        "$ROOT/bench/CsiBench.java" "$WORK/csi.sock" "$@"
}

echo "bench: CSI calls, $ROUNDS rounds"
bench_java times "$ROUNDS" "$WORK"

# fio through a file system: prints "sequential-MiB/s random-IOPS"
fs_pass() {
    local dir=$1 seq rnd
    sync
    seq=$(fio --name=seq --directory="$dir" --rw=write --bs=1M --size=512M --direct=1 --end_fsync=1 \
        --ioengine=psync --output-format=terse --terse-version=3 2>/dev/null | grep "^3;" | awk -F';' '{ printf "%.0f", $48 / 1024 }')
    rm -f "$dir"/seq.*
    rnd=$(fio --name=rnd --directory="$dir" --rw=randwrite --bs=4k --size=256M --io_size=64M --direct=1 \
        --iodepth=32 --ioengine=libaio --randrepeat=1 --end_fsync=1 --output-format=terse --terse-version=3 2>/dev/null |
        grep "^3;" | awk -F';' '{ print $49 }')
    rm -f "$dir"/rnd.*
    echo "$seq $rnd"
}

target=$(bench_java attach bench-fio "$WORK")
read -r csi_seq csi_rnd < <(fs_pass "$target")
bench_java detach bench-fio "$WORK"

truncate -s "$SIZE" "$WORK/ref.img"
REF_LOOP=$(losetup --find --show "$WORK/ref.img")
mkfs.ext4 -q -F -E nodiscard "$REF_LOOP"
mkdir -p "$WORK/ref-mnt"
mount "$REF_LOOP" "$WORK/ref-mnt"
read -r ref_seq ref_rnd < <(fs_pass "$WORK/ref-mnt")

printf '\n%-40s %14s %14s %8s\n' "ext4, O_DIRECT, fsync at the end" "CSI volume" "loop + file" "ratio"
printf '%-40s %9s MiB/s %9s MiB/s %8s\n' "1 MiB sequential writes (512 MiB)" "$csi_seq" "$ref_seq" "$(ratio "$csi_seq" "$ref_seq")"
printf '%-40s %10s IOPS %10s IOPS %8s\n' "4k random writes, QD32 (64 MiB)" "$csi_rnd" "$ref_rnd" "$(ratio "$csi_rnd" "$ref_rnd")"
