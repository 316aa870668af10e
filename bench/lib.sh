# Shared by the bench scripts (sourced, not run): free ports, clean-up of started processes and of
# $WORK, an agent on loopback with csctl pointed at it, its event stream, and small helpers.
#   needs: ROOT, WORK;  gives: free_port, pids, bench_start (needs SIZE too), start_agent, csctl, CONTROL_PORT, NBD_PORT, AGENT_PID,
#   AGENT_LOG, bench_pki, json_value, ratio, seconds_between, follow_events, await_event, cp_copy

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

csctl() { "$ROOT/bin/csctl" --agent "127.0.0.1:$CONTROL_PORT" "$@"; }
# The benchmarks' agents run without TLS (--insecure-dev), except where a script gives csctl a
# certificate (CSCTL_TLS_CERT and its key and CA) before sourcing this file and its agents --tls-*.
[ -n "${CSCTL_TLS_CERT:-}" ] || export CSCTL_INSECURE_DEV=1

# The tools every benchmark drives, the workdir line, and the agent (start_agent's arguments): what
# each script starts with.
bench_start() {
    for tool in fio nbdcopy; do
        command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install fio libnbd-bin)" >&2; exit 1; }
    done
    echo "bench: workdir $WORK, volumes of $SIZE"
    start_agent "$@"
}

# start_agent [NAME [AGENT-OPTION...]]: starts an agent on a pool in $WORK and returns once it
# answers; sets CONTROL_PORT and NBD_PORT (csctl talks to CONTROL_PORT), AGENT_PID and AGENT_LOG.
# Without a NAME the array is "bench" on $WORK/pool, logging to $WORK/agent.log; a script that runs
# several agents names each (pool $WORK/NAME-pool, log $WORK/NAME.log) and keeps their ports.
start_agent() {
    local name=${1:-bench} pool=$WORK/pool
    AGENT_LOG=$WORK/agent.log
    if [ $# -gt 0 ]; then
        pool=$WORK/$1-pool AGENT_LOG=$WORK/$1.log
        shift
    fi
    CONTROL_PORT=$(free_port)
    NBD_PORT=$(free_port)
    local security=(--insecure-dev)
    [[ " $* " == *" --tls-cert "* ]] && security=()
    "$ROOT/bin/array-agent" --pool-dir "$pool" --listen "127.0.0.1:$CONTROL_PORT" \
        --nbd-listen "127.0.0.1:$NBD_PORT" --name "$name" "${security[@]}" "$@" >"$AGENT_LOG" 2>&1 &
    AGENT_PID=$! # the launcher execs the JVM, so this is the agent's own process (its /proc entry)
    pids+=("$AGENT_PID")
    for _ in $(seq 1 120); do
        csctl array show >/dev/null 2>&1 && return 0
        sleep 0.5 # waiting for a process to come up; not synchronising a test
    done
    echo "bench: the agent did not start; see $AGENT_LOG" >&2
    return 1
}

# bench_pki DIR ROLE:NAME...: a CA (DIR/ca.pem) and, per argument, a certificate DIR/NAME.pem with
# its key DIR/NAME.key (PKCS#8 PEM, ECDSA P-256) whose subject is O=ROLE, CN=NAME (docs/security.md),
# valid 90 days, naming 127.0.0.1 and localhost. Needs openssl.
bench_pki() {
    local dir=$1 spec role name
    shift
    command -v openssl >/dev/null || { echo "bench: openssl is missing (apt-get install openssl)" >&2; exit 1; }
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$dir/ca.key" \
        -out "$dir/ca.pem" -days 90 -subj /CN=copyservices-bench-ca 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >"$dir/ext.cnf"
    for spec in "$@"; do
        role=${spec%%:*} name=${spec#*:}
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$dir/$name.key"
        openssl req -new -key "$dir/$name.key" -subj "/O=$role/CN=$name" -out "$dir/$name.csr"
        openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -days 90 \
            -set_serial "0x$(openssl rand -hex 8)" -extfile "$dir/ext.cnf" -out "$dir/$name.pem" 2>/dev/null
    done
}

# The first value of KEY in JSON read from stdin, pretty-printed (csctl -o json) or one object per
# line (csctl -o json events); numbers and strings alike, without quotes. Flat values only.
json_value() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }

# A / B to two decimals (0 when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", b ? a/b : 0}'; }

# Seconds from one RFC 3339 time (the agent's: "2026-11-21T10:15:04.123Z") to another, e.g. "5.731".
seconds_between() {
    awk -v a="$(date -d "$1" +%s.%N)" -v b="$(date -d "$2" +%s.%N)" 'BEGIN{printf "%.3f", b - a}'
}

# Follows the agent's events from now on (csctl -o json events --follow, one JSON object a line) on
# the file descriptor $events_fd, and returns once the follower is connected: it asks for the newest
# event kept as well, and that line arriving says so. Start it before the measurements, so its JVM's
# start-up does not share the CPUs with them.
follow_events() {
    local last
    last=$(csctl -o json events | tail -n 1 | json_value sequence)
    mkfifo "$WORK/events.fifo"
    # the launcher itself, not the csctl function: $! is then the JVM, which cleanup can end
    "$ROOT/bin/csctl" --agent "127.0.0.1:$CONTROL_PORT" -o json events --follow --after $((last - 1)) \
        >"$WORK/events.fifo" &
    pids+=($!)
    exec {events_fd}<"$WORK/events.fifo"
    read -r _ <&"$events_fd"
}

# Reads the followed events until one with REASON about OBJECT (its name) and prints it; fails on a
# FLASHCOPY_RELATIONSHIP_FAILED or VOLUMECOPY_FAILED about OBJECT or when the stream ends (the agent
# went away). Events are read as they come: nothing sleeps or polls.
await_event() {
    local reason=$1 object=$2 line
    while IFS= read -r line <&"$events_fd"; do
        case $line in
            *"\"reason\":\"$reason\""*"\"objectName\":\"$object\""*)
                printf '%s\n' "$line"
                return 0 ;;
            *"\"reason\":\"FLASHCOPY_RELATIONSHIP_FAILED\""*"\"objectName\":\"$object\""* | \
            *"\"reason\":\"VOLUMECOPY_FAILED\""*"\"objectName\":\"$object\""*)
                echo "bench: $line" >&2
                return 1 ;;
        esac
    done
    echo "bench: the event stream ended before $reason for $object; see $AGENT_LOG" >&2
    return 1
}

# How busy the rest of the machine was: user-space CPU time of every process (/proc/stat) minus this
# benchmark's own (the script's waited-for children, fio, cp, csctl..., and the processes in pids:
# the agent, the event follower). Kernel time is left out, since write-back and the loopback network
# work for the benchmark too. cpu_mark starts a period; cpu_others describes it.
cpu_user_all() { awk '/^cpu /{ print $2 + $3 }' /proc/stat; }
cpu_user_ours() {
    local total pid
    total=$(awk '{ print $14 + $16 }' "/proc/$$/stat")
    for pid in "${pids[@]}"; do
        [ -r "/proc/$pid/stat" ] && total=$((total + $(awk '{ print $14 + $16 }' "/proc/$pid/stat")))
    done
    echo "$total"
}
cpu_mark() { cpu_mark_all=$(cpu_user_all) cpu_mark_ours=$(cpu_user_ours) cpu_mark_time=$(date +%s.%N); }
cpu_others() {
    awk -v o=$(( $(cpu_user_all) - cpu_mark_all - $(cpu_user_ours) + cpu_mark_ours )) -v hz="$(getconf CLK_TCK)" \
        -v s="$(awk -v a="$cpu_mark_time" -v b="$(date +%s.%N)" 'BEGIN{ print b - a }')" -v n="$(nproc)" \
        'BEGIN{ if (o < 0) o = 0; printf "other processes used %.1f CPU-seconds in user space in these %.0f s (%.0f%% of %d CPUs)", o / hz, s, 100 * o / hz / (s * n), n }'
}

# The reference a whole-volume copy is measured against: cp of $WORK/random.img to a new file on the
# same file system, then sync -d of the copy; prints "cp-seconds sync-seconds".
cp_copy() {
    local t0 t1 t2
    sync
    t0=$(date +%s.%N)
    cp "$WORK/random.img" "$WORK/cp-copy.img"
    t1=$(date +%s.%N)
    sync -d "$WORK/cp-copy.img"
    t2=$(date +%s.%N)
    rm -f "$WORK/cp-copy.img"
    awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "%.3f %.3f\n", b - a, c - b}'
}
