#!/usr/bin/env bash
# PDF benchmark (issue 14): the whole run from PDF to Parquet against `pdftotext -layout` alone
# (the step a user would otherwise run before any parsing), over the same PDFs at the same
# thread count.
#
#   scripts/bench_pdf.sh [COPIES] [THREADS]        defaults: 154 copies (2,002 PDFs), 2 threads
#
# The archive holds COPIES copies of ../shared/corpus/external/pdf/*.pdf, each at its own path
# (ARCH/NNNN/NAME.pdf). pdftotext runs once per file, THREADS at a time (xargs -P), writing
# beside a scratch copy; budget-etl runs `run --input ARCH --output OUT --threads THREADS`. Both
# run under /usr/bin/time -v after one warm-up pass over the archive (page cache); the script
# prints wall seconds, PDFs/s and peak RSS of each. pdftotext comes from Debian's poppler-utils
# (`apt-get install -y poppler-utils`); the product never needs it.
# BENCH_BIN=PATH measures that binary (default target/release/budget-etl if present, else
# target/debug/budget-etl — the table then says "debug"). KEEP=1 keeps the temp dir.
# A measurement, not a test: exits 0 whatever the numbers; 1 when it cannot measure.

set -u -o pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COPIES="${1:-154}"
THREADS="${2:-2}"
CORPUS="$REPO/../shared/corpus/external/pdf"
BIN="${BENCH_BIN:-}"
if [ -z "$BIN" ]; then
    if [ -x "$REPO/target/release/budget-etl" ]; then BIN="$REPO/target/release/budget-etl"; else BIN="$REPO/target/debug/budget-etl"; fi
fi
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build first)"; exit 1; }
command -v pdftotext >/dev/null || { echo "pdftotext not found (apt-get install -y poppler-utils)"; exit 1; }
ls "$CORPUS"/*.pdf >/dev/null 2>&1 || { echo "no PDFs under $CORPUS"; exit 1; }
case "$BIN" in *release*) PROFILE=release ;; *) PROFILE=debug ;; esac

TMP="$(mktemp -d "${TMPDIR:-/tmp}/bench_pdf.XXXXXX")"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$TMP"' EXIT
cp "$BIN" "$TMP/budget-etl"
ARCH="$TMP/arch"
for ((i = 0; i < COPIES; i++)); do
    d="$ARCH/$(printf %04d "$i")"
    mkdir -p "$d"
    cp "$CORPUS"/*.pdf "$d/"
done
N=$(find "$ARCH" -name '*.pdf' | wc -l)
MB=$(du -sm "$ARCH" | cut -f1)
find "$ARCH" -name '*.pdf' -print0 | xargs -0 cat >/dev/null

# One measured command: "wall_s peak_rss_mb".
measure() {
    /usr/bin/time -v -o "$TMP/time.txt" "$@" >/dev/null 2>"$TMP/stderr.txt"
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$TMP/time.txt")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$TMP/time.txt")
    echo "$wall $rss"
}

mkdir -p "$TMP/txt"
read -r PT_WALL PT_RSS < <(measure sh -c "find '$ARCH' -name '*.pdf' -print0 | xargs -0 -P $THREADS -I{} sh -c 'pdftotext -layout \"\$1\" \"$TMP/txt/\$(echo \"\$1\" | md5sum | cut -c1-16).txt\"' _ {}")
read -r RUN_WALL RUN_RSS < <(measure "$TMP/budget-etl" run --input "$ARCH" --output "$TMP/out" --threads "$THREADS")
STATUS=$(grep -m1 'documents' "$TMP/stderr.txt" || true)

echo "PDFs: $N ($MB MB), threads: $THREADS, budget-etl build: $PROFILE, $(pdftotext -v 2>&1 | head -1)"
echo "budget-etl: $STATUS"
echo
echo "| step | wall s | PDFs/s | peak RSS MB |"
echo "|---|---:|---:|---:|"
awk -v n="$N" -v w="$PT_WALL" -v r="$PT_RSS" 'BEGIN { printf "| pdftotext -layout (text only, %d processes at a time) | %.1f | %.0f | %s (one process) |\n", '"$THREADS"', w, n / w, r }'
awk -v n="$N" -v w="$RUN_WALL" -v r="$RUN_RSS" -v p="$PROFILE" 'BEGIN { printf "| budget-etl run, PDF to Parquet (%s) | %.1f | %.0f | %s |\n", p, w, n / w, r }'
awk -v a="$RUN_WALL" -v b="$PT_WALL" 'BEGIN { printf "\nrun / pdftotext: %.2fx (target: at most 1.0x)\n", a / b }'
awk -v r="$RUN_RSS" 'BEGIN { printf "peak RSS: %s MB (target: under 500 MB): %s\n", r, (r < 500 ? "PASS" : "FAIL") }'
exit 0
