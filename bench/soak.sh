#!/usr/bin/env bash
# The soak (array-agent's SoakIT) for a chosen duration: two agents paired over the fault proxies,
# a synchronous and an asynchronous mirror with automatic resync and a plain volume, and a random
# mix of host writes, FlashCopies, VolumeCopies, link cuts and kill -9 of either agent; then every
# volume is checked against the model and each mirror's secondary against its primary, byte for
# byte. Prints the counts of operations and faults and the bytes verified. CI runs the same test
# for 180 s; a failure prints the seed, and SEED=N replays its choices.
#
#   bench/soak.sh                     # SECONDS_TO_RUN=1800 (30 minutes)
#   SECONDS_TO_RUN=600 SEED=42 bench/soak.sh
#
# Not a benchmark of speed: it measures what survives, and asserts it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_TO_RUN=${SECONDS_TO_RUN:-1800}
. "$ROOT/bin/lib/java.sh"
select_java
cd "$ROOT"
args=(-Dsoak.seconds="$SECONDS_TO_RUN")
[ -n "${SEED:-}" ] && args+=(-Dsoak.seed="$SEED")
log=$(mktemp "${TMPDIR:-/tmp}/copyservices-soak.XXXXXX.log")
# -am builds what the agent's tests need; -Dit.test picks the soak alone in every module
status=0
./mvnw -B -ntp -pl array-agent -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=SoakIT -Dfailsafe.failIfNoSpecifiedTests=false "${args[@]}" >"$log" 2>&1 || status=$?
grep -E '^SoakIT' "$log" || true
if [ "$status" -ne 0 ]; then
    echo "soak: FAILED; Maven's output is in $log, the test's in array-agent/target/failsafe-reports" >&2
    exit 1
fi
echo "soak: passed"
rm -f "$log"
