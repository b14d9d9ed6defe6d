"""What local Spark costs: the funnel on Spark's local mode against the DuckDB engine, same file, same counts.

    .venv/bin/python -m benchmarks.bench_spark            # 10M events, 3 rounds
    .venv/bin/python -m benchmarks.bench_spark --quick    # 1M events, 1 round

A 5-step ordered funnel with a 7-day window over a Parquet file of unsorted events made by
jkit's generator (the files of ``benchmarks.bench_funnel``, kept in ``benchmarks/_data``). Each
engine runs in its own subprocess; for Spark (``local[2]``, 8 shuffle partitions) the session
start-up is timed apart from the funnel, and the funnel is run twice in the session (the first
run also starts the Python workers). The customers reaching each step must agree.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from benchmarks.bench_funnel import STEPS, WINDOW_DAYS, dataset


def _reached(journeys) -> list[int]:
    import numpy as np

    reached = np.bincount(journeys["reached"].to_numpy(), minlength=len(STEPS) + 1)[1:]
    return [int(x) for x in reached[::-1].cumsum()[::-1]]


def worker(engine: str, path: str) -> dict:
    import warnings

    from jkit.funnels import funnel_journeys

    warnings.simplefilter("ignore")
    out: dict = {"engine": engine}
    if engine == "spark":
        from jkit.spark import get_spark

        start = time.perf_counter()
        spark = get_spark("local[2]", config={"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "4g"})
        out["startup_s"] = time.perf_counter() - start
        runs = []
        for _ in range(2):
            start = time.perf_counter()
            journeys = funnel_journeys(path, STEPS, window=f"{WINDOW_DAYS}D", engine="spark")
            runs.append(time.perf_counter() - start)
        out["first_s"], out["seconds"] = runs
        spark.stop()
    else:
        start = time.perf_counter()
        journeys = funnel_journeys(path, STEPS, window=f"{WINDOW_DAYS}D", engine="duckdb")
        out["seconds"] = time.perf_counter() - start
    out["counts"] = _reached(journeys)
    return out


def _measure(engine: str, path: str) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.bench_spark", "--worker", engine, path]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1M events, one round")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    label = "1M" if args.quick else "10M"
    rounds = args.rounds or (1 if args.quick else 3)
    path = str(dataset(label))
    results: dict[str, list[dict]] = {"duckdb": [], "spark": []}
    for _ in range(rounds):
        for engine in ("duckdb", "spark"):
            results[engine].append(_measure(engine, path))
    counts = {e: r[0]["counts"] for e, r in results.items()}
    agree = counts["duckdb"] == counts["spark"]
    duck = statistics.median(r["seconds"] for r in results["duckdb"])
    spark = statistics.median(r["seconds"] for r in results["spark"])
    first = statistics.median(r["first_s"] for r in results["spark"])
    startup = statistics.median(r["startup_s"] for r in results["spark"])
    print(f"funnel, {label} events, 5 ordered steps, 7-day window, median of {rounds} round(s), 2 cores")
    print(f"  DuckDB engine (file to journeys)        {duck:8.2f} s")
    print(f"  Spark local[2]: session start-up        {startup:8.2f} s")
    print(f"  Spark local[2]: first funnel in session {first:8.2f} s")
    print(f"  Spark local[2]: next funnel             {spark:8.2f} s   ({spark / duck:.1f}x DuckDB)")
    print(f"  customers reaching each step: {counts['duckdb']} — {'same on both' if agree else 'DIFFERENT'}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
