#!/usr/bin/env bash
# Drives podgate's IEF HTTP API with Huawei's own, unchanged Python SDK (huaweicloudsdkief,
# pinned below): the server runs on loopback on the simulator, the SDK's IefClient talks to
# it with its AK/SK signature swapped for X-Auth-Token, every operation goes through the
# SDK, every reply is deserialised into the SDK's models and compared field by field, and
# every documented error must come back as the SDK's ClientRequestException with its
# error_code (scripts/ief_sdk_test.py). Fails on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${PODGATE_IEF_SDK_VENV:-target/ief-sdk-venv}"
ADMIN="ief-sdk-admin-token"

# Every package the venv holds, pinned: the SDK, its core at the same version, and what
# they pull in.
PINS=(
  "huaweicloudsdkief==3.1.219"
  "huaweicloudsdkcore==3.1.219"
  "certifi==2026.10.18"
  "charset-normalizer==3.5.2"
  "defusedxml==0.7.1"
  "dnspython==2.9.2"
  "idna==3.20"
  "pyasn1==0.6.3"
  "pymongo==4.18.2"
  "PyYAML==6.0.3"
  "requests==2.34.2"
  "requests-toolbelt==1.0.0"
  "simplejson==4.3.0"
  "six==1.17.0"
  "urllib3==2.8.0"
)

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.pins" 2>/dev/null)" != "${PINS[*]}" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "${PINS[@]}"
  echo "${PINS[*]}" > "$VENV/.pins"
fi

cargo build --quiet -p podgate-http --features server --bin podgate
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/debug/podgate serve --listen "127.0.0.1:$PORT" --sim-delays zero --admin-token "$ADMIN" --in-memory \
  > target/ief-sdk-server.log 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.1
done
if ! curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; then
  echo "ief-sdk: the server did not answer /healthz; its log:" >&2
  tail -n 50 target/ief-sdk-server.log >&2
  exit 1
fi

"$VENV/bin/python" scripts/ief_sdk_test.py "http://127.0.0.1:$PORT" "$ADMIN"

# The server is still healthy after the run.
curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null
