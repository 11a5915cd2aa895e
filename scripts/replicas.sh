#!/usr/bin/env bash
# Several podgate replicas side by side on one real cluster (`scripts/cluster.sh start
# DIR`): three `podgate serve --backend k8s` on three ports, then scripts/replicas.py:
# every race sent to all three at once (each must have exactly one winner), and the
# faults (a replica killed under write load, kube-apiserver and then etcd stopped and
# started again mid-load), after which nothing acknowledged may be missing and nothing
# left half made.
#
#   scripts/replicas.sh DIR
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: scripts/replicas.sh DIR}
export KUBECONFIG="$DIR/kubeconfig"
eval "$(bash scripts/cluster.sh env "$DIR")"

ADMIN="replicas-admin-token"
REPLICAS=${PODGATE_REPLICAS:-3}

cargo build --quiet -p podgate-http --features server --bin podgate
PIDS=()
BASES=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
for i in $(seq 1 "$REPLICAS"); do
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # Claims left behind by the replica killed below go stale after 10 s and are swept
  # every 5 s, so that the check need not wait minutes.
  target/debug/podgate serve --backend k8s --listen "127.0.0.1:$PORT" --admin-token "$ADMIN" \
    --no-image-lookup --stale-claims-seconds 10 --sweep-seconds 5 \
    > "$DIR/logs/podgate-$i.log" 2>&1 &
  PIDS+=("$!")
  BASES+=("http://127.0.0.1:$PORT")
done
for base in "${BASES[@]}"; do
  for _ in $(seq 1 100); do
    curl -sf "$base/readyz" > /dev/null && break
    sleep 0.2
  done
  curl -sf "$base/readyz" > /dev/null || { echo "replicas: $base is not ready" >&2; exit 1; }
done

PODGATE_CLUSTER_DIR="$DIR" PODGATE_REPLICA_PIDS="${PIDS[*]}" \
  python3 scripts/replicas.py "$ADMIN" "${BASES[@]}"
