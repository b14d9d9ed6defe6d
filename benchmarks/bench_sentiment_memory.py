"""Bounded memory on one machine: sentiment over a Parquet file of feedback, streamed in batches.

    .venv/bin/python -m benchmarks.bench_sentiment_memory            # 1M and 10M texts
    .venv/bin/python -m benchmarks.bench_sentiment_memory --quick    # 50k and 500k texts

The input is the feedback texts of jkit's generator (the committed small sample), each made
unique by a suffix (``… (ref 1234567)``), so no duplicate is scored once for many: the worst
case for memory. :func:`jkit.sentiment.score_parquet` reads 100,000 rows at a time, scores them
with the worker pool of :func:`jkit.sentiment.iter_sentiment` and writes a Parquet file of
scores, with one progress bar. Each size runs in a fresh subprocess whose peak memory is
sampled every 0.1 s over the process and its pool workers (the sum of their resident sets).
Flat peak memory as the file grows tenfold is the target.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "_data"
SIZES = {"quick": [50_000, 500_000], "full": [1_000_000, 10_000_000]}
BATCH = 100_000


def feedback_file(n: int) -> Path:
    """A Parquet file of ``n`` unique feedback texts (made once, written in chunks)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = DATA / f"sentiment-{n}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    base = pd.read_csv(Path(__file__).resolve().parents[1] / "data" / "sample-small" / "feedback.csv",
                       usecols=["text"], dtype=str)["text"].dropna().tolist()
    tmp = path.with_suffix(".partial")
    writer = None
    for start in range(0, n, 500_000):
        ids = range(start, min(start + 500_000, n))
        texts = [f"{base[i % len(base)]} (ref {i})" for i in ids]
        table = pa.table({"feedback_id": pa.array([f"F{i:09d}" for i in ids]), "text": pa.array(texts)})
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table)
    writer.close()
    tmp.replace(path)
    return path


def _tree_rss() -> int:
    """Resident memory (bytes) of this process and all its descendants."""
    total = 0
    pids = [os.getpid()]
    while pids:
        pid = pids.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    pids += [int(p) for p in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def worker(path: str) -> dict:
    import tempfile
    import warnings

    from jkit.sentiment import score_parquet

    warnings.simplefilter("ignore")
    peak = [_tree_rss()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss())
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = score_parquet(path, Path(tmp) / "scores.parquet", columns=["feedback_id"], batch_size=BATCH,
                                progress=True)
        seconds = time.perf_counter() - start
    stop.set()
    thread.join()
    return {"rows": summary["rows"], "seconds": seconds, "peak_mb": peak[0] / 2**20,
            "labels": summary["labels"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50k and 500k texts")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    rows = []
    for n in SIZES["quick" if args.quick else "full"]:
        path = feedback_file(n)
        done = subprocess.run([sys.executable, "-m", "benchmarks.bench_sentiment_memory", "--worker", str(path)],
                              stdout=subprocess.PIPE, text=True, check=True)  # the progress bar shows on stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((n, result))
        print(f"{n:>12,} texts  {result['seconds']:8.1f} s  {result['rows'] / result['seconds']:9,.0f} texts/s  "
              f"peak memory {result['peak_mb']:7.0f} MB (process + pool workers)", flush=True)
    small, large = rows[0][1]["peak_mb"], rows[-1][1]["peak_mb"]
    print(f"peak memory ratio, {rows[-1][0] // rows[0][0]}x the texts: {large / small:.2f}x "
          f"(batches of {BATCH:,} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
