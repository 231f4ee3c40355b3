#!/usr/bin/env bash
# CPU profile of one `budget-etl run` over a benchmark archive (the companion of bench.sh).
#
#   scripts/profile.sh [N] [THREADS]        defaults: 4000 2
#
# Builds the archive with scripts/make_archive.py (as bench.sh does), runs the binary of the
# `profiling` profile (release code with symbols and line tables, target/profiling/) under
# `perf record` and prints the hottest functions by self time, then by inclusive time.
# perf.data is kept in $PROFILE_DIR (default /tmp/budget-etl-profile) for `perf report -i`.
# CALL_GRAPH (default `dwarf,16384`, needed for Rust call chains without frame pointers;
# `fp` is what plain `perf record -g` uses) and FREQ (default 250 Hz) tune the sampling.
# If perf is not permitted, it falls back to `valgrind --tool=callgrind` on 1 thread over
# 200 documents. NO_BUILD=1 skips `cargo build --profile profiling`; BENCH_BIN=PATH profiles that
# binary instead of target/profiling/budget-etl. The archive is removed on exit.

set -u -o pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CORPUS="$REPO/../shared/corpus/real"
N="${1:-4000}"
T="${2:-2}"
DIR="${PROFILE_DIR:-/tmp/budget-etl-profile}"
log() { echo "[profile $(date +%H:%M:%S)] $*" >&2; }

if [ -z "${BENCH_BIN:-}" ] && [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$REPO" && cargo build --profile profiling --bin budget-etl) >&2 || { log "build failed"; exit 1; }
fi
mkdir -p "$DIR"
BIN="$DIR/budget-etl"
cp "${BENCH_BIN:-$REPO/target/profiling/budget-etl}" "$BIN"
ARCH="$(mktemp -d "${TMPDIR:-/tmp}/budget-etl-profile-arch.XXXXXX")"
trap 'rm -rf "$ARCH" "$DIR/out" "$DIR/out.previous"' EXIT

if perf record -o "$DIR/probe.data" -- true >/dev/null 2>&1; then
  rm -f "$DIR/probe.data"
  python3 "$REPO/scripts/make_archive.py" "$CORPUS" "$ARCH" "$N" >/dev/null
  log "perf record (call graph ${CALL_GRAPH:-dwarf,16384}, ${FREQ:-250} Hz): N=$N threads=$T"
  (cd "$DIR" && perf record -F "${FREQ:-250}" --call-graph "${CALL_GRAPH:-dwarf,16384}" -o "$DIR/perf.data" -- \
    "$BIN" run --input "$ARCH" --output "$DIR/out" --threads "$T" >/dev/null 2>"$DIR/run.stderr")
  tail -1 "$DIR/run.stderr" >&2
  echo "## self time (top 40)"
  perf report -i "$DIR/perf.data" --no-children --sort symbol --stdio -g none --percent-limit 0.3 2>/dev/null \
    | grep -v '^#' | grep -v '^$' | sed 's/  */ /g; s/ - - *$//' | head -40
  echo
  echo "## inclusive time, budget_etl functions (top 40; '(inlined)' ones are part of their caller)"
  perf report -i "$DIR/perf.data" --children --sort symbol --stdio -g none --percent-limit 0.5 2>/dev/null \
    | grep -v '^#' | grep 'budget_etl::' | grep -v 'closure}}' | sed 's/  */ /g; s/ - - *$//' | head -40
else
  log "perf not permitted: valgrind --tool=callgrind, 1 thread, 200 documents"
  python3 "$REPO/scripts/make_archive.py" "$CORPUS" "$ARCH" 200 >/dev/null
  (cd "$DIR" && valgrind --tool=callgrind --callgrind-out-file="$DIR/callgrind.out" \
    "$BIN" run --input "$ARCH" --output "$DIR/out" --threads 1 >/dev/null 2>"$DIR/run.stderr")
  callgrind_annotate "$DIR/callgrind.out" 2>/dev/null | head -60
  echo
  callgrind_annotate --inclusive=yes "$DIR/callgrind.out" 2>/dev/null | head -60
fi
exit 0
