"""The writer floor of a snapshot: how long polars takes just to write its Parquet files.

    python3 scripts/writer_floor.py SNAPSHOT_DIR [PASSES]

Reads every `*.parquet` file under SNAPSHOT_DIR into memory (already sorted, already typed),
then times writing all of them again with what the contract fixes (zstd, polars' defaults for
everything else) into a temp dir; prints the fastest of PASSES (default 3) in seconds, then the
row and cell counts. Nothing is read, parsed or checked while the clock runs, so no run that
writes the same tables with polars can be faster than this. Threads: polars' own pool
(POLARS_MAX_THREADS). Exits 1 if polars is missing.
"""
import glob
import os
import shutil
import sys
import tempfile
import time

try:
    import polars as pl
except ImportError:
    sys.exit("writer_floor: python polars is not installed (pip install polars)")

root = sys.argv[1]
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
frames = [pl.read_parquet(f) for f in sorted(glob.glob(os.path.join(root, "**", "*.parquet"), recursive=True))]
out = tempfile.mkdtemp(prefix="writer-floor-")
best = float("inf")
try:
    for _ in range(passes):
        t0 = time.perf_counter()
        for i, frame in enumerate(frames):
            frame.write_parquet(os.path.join(out, f"{i}.parquet"), compression="zstd")
        best = min(best, time.perf_counter() - t0)
finally:
    shutil.rmtree(out, ignore_errors=True)
rows = sum(f.height for f in frames)
cells = sum(f.height * f.width for f in frames)
print(f"{best:.3f} {rows} {cells}")
