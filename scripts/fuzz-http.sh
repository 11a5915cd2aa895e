#!/usr/bin/env bash
# Fuzzes the HTTP API against its own /openapi.json with schemathesis (every phase, the
# stateful one following the links creates declare): the server runs
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

cargo build --quiet -p podgate-http --features server --bin podgate
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/podgate serve --listen "127.0.0.1:$PORT" --sim-delays zero --admin-token "$ADMIN" --in-memory \
  > target/fuzz-server.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.1
done

# Real tenants first, so that every operation gets the credential its dialect wants and
# ids that exist (scripts/schemathesis.toml hands them out per operation).
TENANTS=$(python3 scripts/fuzz_tenants.py "http://127.0.0.1:$PORT" "$ADMIN")
eval "$TENANTS"
# scripts/fuzz_hooks.py states what the document cannot, and makes each valid delete
# an object of its own.
export PODGATE_FUZZ_BASE="http://127.0.0.1:$PORT" PYTHONPATH=scripts SCHEMATHESIS_HOOKS=fuzz_hooks

"$VENV/bin/schemathesis" --config-file scripts/schemathesis.toml run "http://127.0.0.1:$PORT/openapi.json" \
  --checks all \
  --seed 20261122 \
  --generation-database none \
  --max-examples "$EXAMPLES" \
  --phases examples,coverage,fuzzing,stateful \
  --workers 1 \
  --no-color \
  --request-timeout 10 \
  --report ndjson --report-ndjson-path target/fuzz-http.ndjson

# What the server did with the cases the schema calls valid, per operation and phase
# (PODGATE_FUZZ_MIN_SHARE, e.g. 0.5, fails the run when an operation's share is lower).
python3 scripts/fuzz_report.py target/fuzz-http.ndjson "${PODGATE_FUZZ_MIN_SHARE:-0}"

# The server is still healthy after the run.
curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null
echo "fuzz-http: the server survived and answered every request as documented"
