#!/usr/bin/env bash
# Runs podgate's cargo-fuzz targets (fuzz/: NCS parameters, IEF bodies, V-Kube deploy
# bodies, openYuanrong pool bodies, Kubernetes quantities), each for a bounded time, and
# fails on the first crash: a panic, a 5xx answer or a reply that is not JSON (see
# fuzz/src/lib.rs). cargo-fuzz is built once into the cache, pinned; the targets build
# with the nightly toolchain and AddressSanitizer.
#
#   scripts/fuzz-cargo.sh                 every target, PODGATE_FUZZ_SECONDS (60) each
#   scripts/fuzz-cargo.sh ief_bodies      one target
#
# The corpus grows under target/fuzz-corpus/<target> (seeded from fuzz/seeds and the
# vendors' request examples in ../shared/fixtures); a crash leaves its input under
# fuzz/artifacts/<target>/, replayed by `cargo +nightly fuzz run <target> <file>`.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${PODGATE_FUZZ_SECONDS:-60}"
CACHE="${PODGATE_CACHE:-$HOME/.cache/podgate}"
CARGO_FUZZ_VERSION=0.13.2
TOOLS="$CACHE/cargo-fuzz-$CARGO_FUZZ_VERSION"
FIXTURES="${PODGATE_FIXTURES:-../shared/fixtures}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(ncs_params ief_bodies vkube_deploy yuanrong_pools quantity)

if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
  cargo install --locked --quiet cargo-fuzz --version "$CARGO_FUZZ_VERSION" --root "$TOOLS"
fi
export PATH="$TOOLS/bin:$PATH"

# Seeds: the committed ones, and the vendors' request examples behind each target's
# selector bytes (the Action and the operator's credential for NCS, the route for
# V-Kube).
for target in "${TARGETS[@]}"; do
  mkdir -p "target/fuzz-corpus/$target"
  cp fuzz/seeds/"$target"/* "target/fuzz-corpus/$target/"
done
python3 - "$FIXTURES" <<'PY'
import pathlib, sys
fixtures, corpus = pathlib.Path(sys.argv[1]), pathlib.Path("target/fuzz-corpus")
seeds = {
    "ncs_params": [("ncs/create_request.json", bytes([0, 0, 0])),
                   ("ncs/modify_request.json", bytes([11, 0, 0])),
                   ("ncs/reset_spec_request.json", bytes([5, 0, 0]))],
    "vkube_deploy": [("vkube/deploy_request.json", bytes([0])),
                     ("vkube/checkports_request.json", bytes([2]))],
}
for target, examples in seeds.items():
    if not (corpus / target).is_dir():
        continue
    for example, prefix in examples:
        path = fixtures / example
        if path.is_file():
            (corpus / target / ("fixture-" + path.stem)).write_bytes(prefix + path.read_bytes())
PY

cargo +nightly fuzz build --fuzz-dir fuzz
for target in "${TARGETS[@]}"; do
  echo "fuzz-cargo: $target for ${SECONDS_EACH}s"
  log="target/fuzz-$target.log"
  if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "target/fuzz-corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -timeout=20 -max_len=16384 -print_final_stats=1 > "$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz-cargo: $target crashed; the input is under fuzz/artifacts/$target/ (log: $log)" >&2
    exit 1
  fi
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ +DONE" "$log" || true
done
echo "fuzz-cargo: every target ran ${SECONDS_EACH}s without a crash"
