# Shared by the bench scripts (sourced, not run): free ports, clean-up of started processes and of
# $WORK, and an agent on loopback with csctl pointed at it.
#   needs: ROOT, WORK;  gives: free_port, pids, start_agent, csctl, CONTROL_PORT, NBD_PORT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

csctl() { "$ROOT/bin/csctl" --agent "127.0.0.1:$CONTROL_PORT" "$@"; }

# Starts an agent on a pool in $WORK and returns once it answers.
start_agent() {
    CONTROL_PORT=$(free_port)
    NBD_PORT=$(free_port)
    "$ROOT/bin/array-agent" --pool-dir "$WORK/pool" --listen "127.0.0.1:$CONTROL_PORT" \
        --nbd-listen "127.0.0.1:$NBD_PORT" --name bench >"$WORK/agent.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 120); do
        csctl array show >/dev/null 2>&1 && return 0
        sleep 0.5 # waiting for a process to come up; not synchronising a test
    done
    echo "bench: the agent did not start; see $WORK/agent.log" >&2
    return 1
}
