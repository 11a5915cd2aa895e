#!/usr/bin/env bash
# Instructions per request in each server's worker threads, from the HTTP load
# benchmark run once under valgrind's callgrind: a figure the machine's other load does
# not move, unlike requests/s. Needs valgrind (and python3 to read its output).
#
# Prints, for podgate and for the bare handler, the requests each worker thread served
# and its instructions per request; for podgate also without SHA-256 of the bearer
# token, which valgrind runs without the CPU's SHA instructions (about 7 000 of them
# there, a few hundred on the CPU).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench --bench http_load --no-run --quiet 2> target/http-instructions-build.log
BIN=$(cargo bench --bench http_load --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))/\1/p' | tail -1)
OUT=target/http-instructions
rm -rf "$OUT" && mkdir -p "$OUT"
PODGATE_LOAD_ROUNDS=1 PODGATE_LOAD_SECONDS=2 PODGATE_INPROCESS_REQUESTS=200 \
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/cg.out" "$BIN" \
  > "$OUT/bench.log" 2>&1

for f in "$OUT"/cg.out-*; do
  callgrind_annotate --inclusive=yes --tree=caller "$f" > "$f.txt" 2> /dev/null || continue
  python3 - "$f.txt" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
total = int(re.search(r"([\d,]+) \([^)]*\)\s+PROGRAM TOTALS", text).group(1).replace(",", ""))

def block(function):
    """The caller tree block of `function`: its callers' lines and its own."""
    for b in text.split("\n\n"):
        if re.search(r"\*\s+.*" + re.escape(function), b):
            return b
    return ""

# Requests: calls of hyper's response-head encoder, once per response.
calls = re.findall(r"<\s+\S+ \(([\d,]+)x\)", block("Http1Transaction>::encode "))
if not calls:
    sys.exit(0)  # not a server worker thread
requests = sum(int(c.replace(",", "")) for c in calls)
sha = re.search(r"([\d,]+) \([^)]*\)\s+\*\s+\S*TokenHash::of ", text)
sha = int(sha.group(1).replace(",", "")) if sha else 0
who = "podgate" if "podgate_http::" in text else "bare"
line = f"{who}: {requests} requests, {total / requests:,.0f} instructions/request"
if sha:
    line += f", {(total - sha) / requests:,.0f} without SHA-256"
print(line)
EOF
done
