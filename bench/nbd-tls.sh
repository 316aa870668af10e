#!/usr/bin/env bash
# What NBD TLS costs: nbdcopy writes and reads one volume of SIZE through the same agent in
# plaintext and through TLS (nbds://, STARTTLS with a cli-admin certificate), alternating
# plain, TLS, TLS, plain so that drift in the machine's speed falls on both; prints the mean
# seconds of each and the TLS / plain throughput ratio (1.00 = no cost). The agent has TLS on its
# control port and offers NBD TLS (--nbd-tls offered), so both clients reach the same volume.
#
#   bench/nbd-tls.sh                 # SIZE=1GiB
#   SIZE=4GiB bench/nbd-tls.sh
#
# nbdcopy and the agent share this machine's CPUs (2 vCPUs here), and TLS is CPU work on both ends:
# the ratio is this machine's, not a property of the protocol. Not a test: it measures.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${SIZE:-1GiB}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}

# csctl calls the agent as an administrator (certificates made below), and nbdcopy uses the same
tls=$WORK/tls
export CSCTL_TLS_CERT=$tls/admin.pem CSCTL_TLS_KEY=$tls/admin.key CSCTL_TLS_CA=$tls/ca.pem
. "$ROOT/bench/lib.sh"

bench_pki "$tls" array-agent:agent cli-admin:admin
mkdir -p "$tls/client"
# the names GnuTLS clients (libnbd's nbdcopy) look for in a tls-certificates directory
cp "$tls/ca.pem" "$tls/client/ca-cert.pem"
cp "$tls/admin.pem" "$tls/client/client-cert.pem"
cp "$tls/admin.key" "$tls/client/client-key.pem"

bench_start bench --tls-cert "$tls/agent.pem" --tls-key "$tls/agent.key" --tls-ca "$tls/ca.pem"
csctl volume create bench --size "$SIZE" >/dev/null
csctl volume attach bench --host bench --address 127.0.0.1 >/dev/null
bytes=$(csctl -o json volume show bench | json_value sizeBytes)
head -c "$bytes" /dev/urandom >"$WORK/source.img"
plain="nbd://127.0.0.1:$NBD_PORT/bench"
secure="nbds://127.0.0.1:$NBD_PORT/bench?tls-certificates=$tls/client"
nbdcopy "$WORK/source.img" "$plain" # the volume filled once before anything is measured

# seconds FROM TO: one nbdcopy, timed
seconds() {
    local start end
    start=$(date +%s.%N)
    nbdcopy "$1" "$2"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b - a}'
}
mean() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", (a + b) / 2}'; }

sync
w1=$(seconds "$WORK/source.img" "$plain"); t1=$(seconds "$WORK/source.img" "$secure")
t2=$(seconds "$WORK/source.img" "$secure"); w2=$(seconds "$WORK/source.img" "$plain")
r1=$(seconds "$plain" "$WORK/back.img"); s1=$(seconds "$secure" "$WORK/back.img")
s2=$(seconds "$secure" "$WORK/back.img"); r2=$(seconds "$plain" "$WORK/back.img")
cmp -s "$WORK/source.img" "$WORK/back.img" || { echo "bench: the volume read back through TLS differs" >&2; exit 1; }

printf '%-28s %10s %10s %8s\n' "workload ($SIZE)" "plain s" "TLS s" "ratio"
printf '%-28s %10s %10s %8s\n' "nbdcopy file -> volume" "$(mean "$w1" "$w2")" "$(mean "$t1" "$t2")" \
    "$(ratio "$(mean "$w1" "$w2")" "$(mean "$t1" "$t2")")"
printf '%-28s %10s %10s %8s\n' "nbdcopy volume -> file" "$(mean "$r1" "$r2")" "$(mean "$s1" "$s2")" \
    "$(ratio "$(mean "$r1" "$r2")" "$(mean "$s1" "$s2")")"
