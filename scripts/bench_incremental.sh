#!/usr/bin/env bash
# Benchmark of incremental runs (GitHub issue 13): what a nightly run costs when 1% of the
# archive is new or changed.
#
#   scripts/bench_incremental.sh [N] [THREADS]          defaults: 16000 2
#
# It builds an archive of N + N/200 documents from ../shared/corpus/real (text), or with
# BENCH_CORPUS=pdf from the PDFs of ../shared/corpus/external/pdf (each copy with its own bytes;
# scripts/make_archive.py), sets the last N/200 aside, and times with /usr/bin/time -v:
#   1. `budget-etl run --full` over the N documents (the full run);
#   2. the nightly change: the N/200 documents set aside come back (new) and N/200 documents
#      spread evenly over the archive get one line appended (changed), 1% in all;
#   3. `budget-etl run` (incremental: reuses the rest of the snapshot of run 1);
#   4. `budget-etl run --full` again over the changed archive, and checks that its snapshot is
#      byte-identical to the incremental one (`cmp` of every file);
#   5. `budget-etl run` once more with nothing changed.
# Before each timed run the archive is read once (`cat`), so every run starts from a warm page
# cache. It prints a table (wall s, CPU, peak RSS MB, the run's own count line) and PASS/FAIL
# for the targets: incremental wall time at most 5% of the full run's, peak RSS under 500 MB,
# identical snapshots. Exit status 0 whatever the results; 1 when it cannot measure.
# Environment: BENCH_BIN=PATH measures that binary (default target/release/budget-etl, built
# if missing unless NO_BUILD=1); BENCH_TMP: parent of the temp dir (needs ~1.5 GB for
# N = 16000); KEEP=1 keeps it; REPEAT (default 1) times runs 1 and 3 that many times and keeps
# the fastest wall time and the median peak RSS.

set -u -o pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${BENCH_CORPUS:-text}" in
  text) CORPUS="$REPO/../shared/corpus/real" ;;
  pdf) CORPUS="$REPO/../shared/corpus/external/pdf" ;;
  *) echo "BENCH_CORPUS is text or pdf" >&2; exit 1 ;;
esac
N="${1:-16000}"
T="${2:-2}"
REPEAT="${REPEAT:-1}"
log() { echo "[bench-incr $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ -d "$CORPUS" ] || die "corpus not found: $CORPUS"
[ -x /usr/bin/time ] || die "need /usr/bin/time (apt-get install -y time)"
SRC_BIN="${BENCH_BIN:-$REPO/target/release/budget-etl}"
if [ -z "${BENCH_BIN:-}" ] && [ ! -x "$SRC_BIN" ] && [ "${NO_BUILD:-0}" != 1 ]; then
  log "cargo build --release"
  (cd "$REPO" && cargo build --release --bin budget-etl) >&2 || die "cargo build --release failed"
fi
[ -x "$SRC_BIN" ] || die "no binary at $SRC_BIN"

TMP="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/budget-etl-bench-incr.XXXXXX")" || die "mktemp failed"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
BIN="$TMP/budget-etl"
cp "$SRC_BIN" "$BIN"
ARCH="$TMP/archive"
ASIDE="$TMP/aside"
STEP=200
K=$(( N / STEP ))

log "building an archive of $N + $K documents"
python3 "$REPO/scripts/make_archive.py" "$CORPUS" "$ARCH" $(( N + K )) >/dev/null || die "make_archive.py failed"
# The documents numbered N and above are the ones that arrive tonight.
mkdir -p "$ASIDE"
(cd "$ARCH" && find . -type f | sort | awk -v n="$N" '{ if (match($0, /doc_[0-9]+_/)) { i = substr($0, RSTART + 4, RLENGTH - 5) + 0; if (i >= n) print } }') >"$TMP/new.list"
[ "$(wc -l <"$TMP/new.list")" -eq "$K" ] || die "expected $K new documents, found $(wc -l <"$TMP/new.list")"
while read -r f; do mkdir -p "$ASIDE/$(dirname "$f")"; mv "$ARCH/$f" "$ASIDE/$f"; done <"$TMP/new.list"

warm() { find "$ARCH" -type f -print0 | xargs -0 cat >/dev/null; }

# One run; sets M_WALL (s), M_RSS (MB), M_CPU, M_LINE (the run's reused/extracted line).
measure() {
  local out=$1; shift
  warm
  /usr/bin/time -v -o "$TMP/time.txt" "$BIN" run --input "$ARCH" --output "$out" --threads "$T" "$@" 2>"$TMP/err.txt"
  local rc=$?
  [ "$rc" -le 1 ] || { cat "$TMP/err.txt" >&2; die "run failed ($rc)"; }
  M_WALL="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$TMP/time.txt")"
  M_RSS="$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$TMP/time.txt")"
  M_CPU="$(awk -F': ' '/Percent of CPU/ { print $2 }' "$TMP/time.txt")"
  M_LINE="$(grep -m1 'extracted,' "$TMP/err.txt" | sed 's/^ *//')"
}

# Runs `measure` REPEAT times (restoring the output before each from $2 if given); keeps the
# fastest wall time and the median RSS in B_WALL / B_RSS.
best_of() {
  local out=$1 restore=$2; shift 2
  local walls=() rsss=() i
  for i in $(seq "$REPEAT"); do
    if [ -n "$restore" ]; then rm -rf "$out" "$out.previous"; cp -a "$restore" "$out"; fi
    measure "$out" "$@"
    walls+=("$M_WALL"); rsss+=("$M_RSS")
  done
  B_WALL="$(printf '%s\n' "${walls[@]}" | sort -n | head -1)"
  B_RSS="$(printf '%s\n' "${rsss[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
}

OUT="$TMP/out"
log "full run over $N documents ($T threads)"
best_of "$OUT" "" --full
FULL_WALL=$B_WALL FULL_RSS=$B_RSS FULL_CPU=$M_CPU FULL_LINE=$M_LINE
cp -a "$OUT" "$TMP/snapshot0"

log "tonight: $K new documents back, $K changed"
while read -r f; do mkdir -p "$ARCH/$(dirname "$f")"; mv "$ASIDE/$f" "$ARCH/$f"; done <"$TMP/new.list"
(cd "$ARCH" && find . -type f | sort) | awk -v n="$N" -v step="$STEP" '{ if (match($0, /doc_[0-9]+_/)) { i = substr($0, RSTART + 4, RLENGTH - 5) + 0; if (i < n && i % step == step / 2) print } }' >"$TMP/changed.list"
while read -r f; do printf '\n' >>"$ARCH/$f"; done <"$TMP/changed.list"

log "incremental run"
best_of "$OUT" "$TMP/snapshot0"
INC_WALL=$B_WALL INC_RSS=$B_RSS INC_CPU=$M_CPU INC_LINE=$M_LINE

log "full run over the changed archive (for the byte comparison)"
measure "$TMP/full" --full
REF_WALL=$M_WALL REF_RSS=$M_RSS REF_CPU=$M_CPU REF_LINE=$M_LINE
SAME=PASS
(cd "$TMP/full" && find . -type f | sort) >"$TMP/a.list"
(cd "$OUT" && find . -type f | sort) >"$TMP/b.list"
cmp -s "$TMP/a.list" "$TMP/b.list" || SAME=FAIL
while read -r f; do cmp -s "$TMP/full/$f" "$OUT/$f" || { SAME=FAIL; log "differs: $f"; }; done <"$TMP/a.list"

log "incremental run with nothing changed"
measure "$OUT"
NOP_WALL=$M_WALL NOP_RSS=$M_RSS NOP_CPU=$M_CPU NOP_LINE=$M_LINE

COMMIT="$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo
echo "commit $COMMIT, binary $SRC_BIN, corpus ${BENCH_CORPUS:-text}, N = $N (+$K new, $K changed), $T threads, REPEAT=$REPEAT"
echo
echo "| run | wall s | CPU | peak RSS MB | documents |"
echo "|---|---:|---:|---:|---|"
echo "| full (\`--full\`) | $FULL_WALL | $FULL_CPU | $FULL_RSS | $FULL_LINE |"
echo "| incremental, 1% new or changed | $INC_WALL | $INC_CPU | $INC_RSS | $INC_LINE |"
echo "| full over the changed archive | $REF_WALL | $REF_CPU | $REF_RSS | $REF_LINE |"
echo "| incremental, nothing changed | $NOP_WALL | $NOP_CPU | $NOP_RSS | $NOP_LINE |"
echo
RATIO="$(awk -v a="$INC_WALL" -v b="$FULL_WALL" 'BEGIN { printf "%.1f", 100 * a / b }')"
awk -v r="$RATIO" 'BEGIN { exit !(r <= 5) }' && R=PASS || R=FAIL
MAXRSS="$(printf '%s\n' "$FULL_RSS" "$INC_RSS" "$REF_RSS" "$NOP_RSS" | sort -n | tail -1)"
[ "$MAXRSS" -lt 500 ] && M=PASS || M=FAIL
echo "| target | result |"
echo "|---|---|"
echo "| incremental wall time at most 5% of the full run's | $R: $RATIO% |"
echo "| peak RSS under 500 MB | $M: at most $MAXRSS MB |"
echo "| incremental snapshot byte-identical to a full run's | $SAME |"
