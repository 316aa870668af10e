#!/usr/bin/env bash
# How the operator scales: COUNT FlashCopy resources (Snapshot mode, COUNT/4 base volumes, the
# agent's limit being 4 per base) against one agent, on a real kube-apiserver and etcd (the ones
# bin/install-test-kube builds). Measures the time from the first `kubectl apply` until every
# FlashCopy is Ready, and the operator JVM's peak heap (jstat, sampled every 0.5 s) and peak RSS.
# The operator runs with -Xmx512m: the goal's memory bound is also its heap limit.
# The reference is the same apply with no operator running, so the API server's own share is known.
# Goals (issue 7): all Ready in under 60 s, under 512 MiB. Not a test: it measures, asserts nothing.
#
#   bench/operator-scale.sh                 # COUNT=500, about 3 minutes
#   OPERATOR_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/op.jfr" bench/operator-scale.sh   # to profile
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
COUNT=${COUNT:-500}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/copyservices-bench.XXXXXX")}
SIZE=16MiB
. "$ROOT/bench/lib.sh"
. "$ROOT/bin/lib/java.sh"
select_java
for tool in kubectl openssl curl; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
[ -f "$ROOT/operator/target/quarkus-app/quarkus-run.jar" ] || { echo "bench: build first (./mvnw -B -q package -DskipTests)" >&2; exit 1; }
KUBE_BIN=$("$ROOT/bin/install-test-kube" 2>/dev/null | tail -n 1)
echo "bench: workdir $WORK, $COUNT FlashCopies"

# ---- a kube-apiserver and etcd of our own ---------------------------------------------------------
etcd_port=$(free_port) peer_port=$(free_port) api_port=$(free_port)
"$KUBE_BIN/etcd" --name bench --data-dir "$WORK/etcd" --log-level warn \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "bench=http://127.0.0.1:$peer_port" >"$WORK/etcd.log" 2>&1 &
pids+=($!)
token=$(openssl rand -hex 16)
echo "$token,admin,admin-uid,system:masters" >"$WORK/tokens.csv"
openssl genrsa -out "$WORK/sa.key" 2048 2>/dev/null
"$KUBE_BIN/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" --bind-address 127.0.0.1 \
    --advertise-address 127.0.0.1 --endpoint-reconciler-type none --secure-port "$api_port" \
    --cert-dir "$WORK/certs" --token-auth-file "$WORK/tokens.csv" --authorization-mode RBAC \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$WORK/sa.key" \
    --service-account-signing-key-file "$WORK/sa.key" --service-cluster-ip-range 10.0.0.0/24 \
    --disable-admission-plugins ServiceAccount >"$WORK/kube-apiserver.log" 2>&1 &
pids+=($!)
export KUBECONFIG=$WORK/kubeconfig
cat >"$KUBECONFIG" <<YAML
apiVersion: v1
kind: Config
clusters: [{name: bench, cluster: {server: "https://127.0.0.1:$api_port", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$token"}}]
contexts: [{name: bench, context: {cluster: bench, user: admin, namespace: default}}]
current-context: bench
YAML
for _ in $(seq 1 120); do
    [ "$(kubectl get --raw /readyz 2>/dev/null)" = ok ] && break
    sleep 0.5 # waiting for a process to come up; not synchronising a test
done
kubectl apply -f "$ROOT/crds/" >/dev/null
kubectl wait --for condition=Established --timeout 60s crd --all >/dev/null

# ---- the agent and its base volumes -----------------------------------------------------------
start_agent
bases=$(( (COUNT + 3) / 4 ))
seq 1 "$bases" | xargs -P 4 -I{} "$ROOT/bin/csctl" --agent "127.0.0.1:$CONTROL_PORT" volume create "base-{}" --size "$SIZE" >/dev/null
echo "bench: $bases base volumes of $SIZE on the agent"

resources() { # resources NAMESPACE: COUNT FlashCopies, four per base
    for i in $(seq 1 "$COUNT"); do
        cat <<YAML
---
apiVersion: copyservices.dev/v1alpha1
kind: FlashCopy
metadata: {name: fc-$i, namespace: $1}
spec:
  source: {array: node-1, volume: base-$(( (i + 3) / 4 ))}
  repository: {capacity: 8Mi}
YAML
    done
}

# ---- reference: the API server alone stores them -------------------------------------------------
kubectl create namespace reference >/dev/null
resources reference >"$WORK/reference.yaml"
start=$(date +%s.%N)
kubectl apply -f "$WORK/reference.yaml" >/dev/null
reference=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
# No controller manager runs, so deleting the namespace would not delete its resources: delete
# them (no operator has put finalizers on them yet).
kubectl delete flashcopies --all -n reference >/dev/null

# ---- the operator -------------------------------------------------------------------------------
http_port=$(free_port)
COPYSERVICES_AGENT_INSECURE_DEV=true "$JAVA" -Xmx512m ${OPERATOR_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -Dquarkus.http.port="$http_port" -Dquarkus.http.host=127.0.0.1 \
    -jar "$ROOT/operator/target/quarkus-app/quarkus-run.jar" >"$WORK/operator.log" 2>&1 &
OPERATOR_PID=$!
pids+=("$OPERATOR_PID")
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$http_port/q/health/ready" >/dev/null && break
    sleep 0.5 # waiting for a process to come up; not synchronising a test
done
kubectl apply -f - >/dev/null <<YAML
apiVersion: copyservices.dev/v1alpha1
kind: StorageArray
metadata: {name: node-1}
spec: {endpoint: "127.0.0.1:$CONTROL_PORT"}
YAML
kubectl wait --for condition=Ready --timeout 60s storagearray/node-1 >/dev/null

# heap used (KiB, all generations) every 0.5 s, as jstat reports it
( while kill -0 "$OPERATOR_PID" 2>/dev/null; do
    "$JAVA_HOME/bin/jstat" -gc "$OPERATOR_PID" 2>/dev/null | awk 'NR==1{for(i=1;i<=NF;i++) c[$i]=i} NR==2{print $c["S0U"]+$c["S1U"]+$c["EU"]+$c["OU"]}'
    sleep 0.5
  done ) >"$WORK/heap.samples" &
sampler=$!
pids+=("$sampler")

resources default >"$WORK/flashcopies.yaml"
start=$(date +%s.%N)
kubectl apply -f "$WORK/flashcopies.yaml" >/dev/null
applied=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
# `kubectl wait --all` checks the resources one after another (a watch each), which added tens of
# seconds to this figure; count the Ready ones instead, twice a second (0.5 s resolution).
deadline=$(( $(date +%s) + 600 ))
while :; do
    ready_count=$(kubectl get flashcopies -n default -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true)
    [ "$ready_count" -ge "$COUNT" ] && break
    [ "$(date +%s)" -lt "$deadline" ] || { echo "bench: only $ready_count of $COUNT Ready after 600 s" >&2; exit 1; }
    sleep 0.5 # polling interval of a measurement, not a test's synchronisation
done
ready=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
kill "$sampler" 2>/dev/null || true

on_agent=$("$ROOT/bin/csctl" --agent "127.0.0.1:$CONTROL_PORT" -o json array show | json_value flashcopies)
peak_heap=$(sort -n "$WORK/heap.samples" | tail -n 1 | awk '{printf "%.0f", $1 / 1024}')
peak_rss=$(awk '/VmHWM/{printf "%.0f", $2 / 1024}' "/proc/$OPERATOR_PID/status")
conflicts=$(grep -c "Conflict during reconciliation" "$WORK/operator.log" || true)
# the agent logs each control call's duration: CreateFlashCopy as the operator's burst met it
create_ms=$(grep "FlashCopyService/CreateFlashCopy from" "$AGENT_LOG" | sed -E 's/.* in ([0-9.]+) ms$/\1/' | sort -n |
    awk '{v[NR]=$1} END{if (NR) printf "%.1f / %.1f / %.1f", v[int((NR+1)/2)], v[int(NR*0.9+0.5)], v[NR]; else print "n/a"}')

echo
echo "| | figure | goal |"
echo "|---|---|---|"
echo "| kubectl apply of $COUNT FlashCopies, no operator (reference) | ${reference} s | |"
echo "| kubectl apply of $COUNT FlashCopies, operator running | ${applied} s | |"
echo "| apply until all $COUNT Ready | **${ready} s** ($(ratio "$ready" "$reference")x the reference) | under 60 s |"
echo "| FlashCopies on the agent afterwards | $on_agent | $COUNT |"
echo "| operator peak heap used (jstat, -Xmx512m) | **${peak_heap} MiB** | under 512 MiB |"
echo "| operator peak RSS | ${peak_rss} MiB | |"
echo "| status patch conflicts retried (operator log) | $conflicts | |"
echo "| agent CreateFlashCopy duration, median / p90 / max (agent log) | $create_ms ms | |"
