#!/usr/bin/env bash
# Fuzzes the HTTP API against its own /openapi.json with schemathesis: the server runs
# on loopback on the simulator, requests are bounded (a fixed seed and a fixed number
# of examples per operation), and every check runs. Fails on a crash, an undocumented
# status, or a reply that breaks its schema.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${PODGATE_FUZZ_VENV:-target/fuzz-venv}"
EXAMPLES="${PODGATE_FUZZ_EXAMPLES:-25}"
ADMIN="fuzz-admin-token"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "schemathesis==4.32.5"
fi

cargo build --quiet -p podgate-http --bin podgate
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/podgate serve --listen "127.0.0.1:$PORT" --sim-delays zero --admin-token "$ADMIN" --in-memory \
  > target/fuzz-server.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.1
done

# Real tenants first, so that every operation gets the credential its dialect wants
# (scripts/schemathesis.toml hands them out per operation): an NCS namespace and an EIP,
# an IEF project, a V-Kube order, an openYuanrong pool.
BASE="http://127.0.0.1:$PORT"
admin() {
  curl -sf -X POST "$BASE$1" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d "$2"
}
field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
NCS=$(admin /admin/v1/ncs/namespaces '{}')
export PODGATE_FUZZ_ADMIN="$ADMIN"
export PODGATE_FUZZ_NCS_NAMESPACE=$(field NamespaceId <<<"$NCS")
export PODGATE_FUZZ_NCS_TOKEN=$(field token <<<"$NCS")
admin /admin/v1/ncs/eips '{"EipId": "eip-fuzz", "Address": "203.0.113.7"}' > /dev/null
export PODGATE_FUZZ_IEF_PROJECT=fuzzproject
export PODGATE_FUZZ_IEF_TOKEN=$(admin /admin/v1/ief/projects '{"project_id": "fuzzproject"}' | field token)
export PODGATE_FUZZ_VKUBE_SECRET=$(admin /admin/v1/vkube/orders \
  '{"serviceOptions": {"resourceUnit": "4-Unit-Resource"}}' | field secret)
export PODGATE_FUZZ_POOL=fuzzpool
curl -sf -X POST "$BASE/serverless/v1/podpools" -H 'Content-Type: application/json' \
  -d '{"pools": [{"id": "fuzzpool", "size": 1, "image": "nginx:stable"}]}' > /dev/null

"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "http://127.0.0.1:$PORT/openapi.json" \
  --checks all \
  --seed 20261122 \
  --max-examples "$EXAMPLES" \
  --phases examples,coverage,fuzzing \
  --workers 1 \
  --no-color \
  --request-timeout 10

# The server is still healthy after the run.
curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null
echo "fuzz-http: the server survived and answered every request as documented"
