#!/usr/bin/env bash
# The web console in a real browser (scripts/console-test.mjs): Debian's Chromium,
# headless, driven by playwright-core from npm, against a real `podgate serve`.
# Installs what is missing the first time: the chromium package, and playwright-core
# (pinned) under ~/.cache/podgate/console-test. Screenshots land in target/console/.
set -euo pipefail
cd "$(dirname "$0")/.."

PLAYWRIGHT_VERSION=1.64.1
CACHE="${PODGATE_CACHE:-$HOME/.cache/podgate}/console-test"

if [ ! -x /usr/bin/chromium ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium > /dev/null 2>&1 || {
    apt-get update -q > /dev/null
    apt-get install -y -q chromium > /dev/null
  }
fi
if [ "$(node -p "try { require('$CACHE/node_modules/playwright-core/package.json').version } catch { '' }")" != "$PLAYWRIGHT_VERSION" ]; then
  mkdir -p "$CACHE"
  [ -f "$CACHE/package.json" ] || echo '{"private": true}' > "$CACHE/package.json"
  (cd "$CACHE" && npm install --no-audit --no-fund --silent "playwright-core@$PLAYWRIGHT_VERSION")
fi

cargo build --quiet -p podgate-http --features server --bin podgate
rm -rf target/console
node scripts/console-test.mjs "$CACHE"
