"""Paths speed and memory: sessions, transitions and paths over 50 million events, on each engine (pandas, DuckDB, Spark).

    .venv/bin/python -m benchmarks.bench_paths            # 10M and 50M events
    .venv/bin/python -m benchmarks.bench_paths --quick    # 1M events
    .venv/bin/python -m benchmarks.bench_paths --sizes 50M --engines duckdb
    .venv/bin/python -m benchmarks.bench_paths --sizes 1M --engines pandas,duckdb,spark

The events are generated chunk by chunk into Parquet files (integer customer ids, 50 distinct
event names, 50 events per customer on average in up to 4 visits of 20 minutes over 30 days,
rows in random order) and kept in ``benchmarks/_data`` (git-ignored). Each measurement reads the files and runs
in a fresh subprocess, so its peak memory (VmHWM) belongs to one engine and one function:
``sessions`` (a session per event, 30 min gap), ``transitions`` (by customer) and ``paths``
(top 10 paths of 5 steps from each customer's first event). The engines' results must agree
(transitions: every count and share; the median time to the nanosecond is checked by the tests).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "_data"
SIZES = {"1M": 1_000_000, "10M": 10_000_000, "50M": 50_000_000}
CHUNK = 2_500_000
EVENTS_PER_CUSTOMER = 50
N_EVENTS = 50
OPERATIONS = ("sessions", "transitions", "paths")


def dataset(label: str) -> Path:
    """The folder of Parquet parts for a size, generated once, chunk by chunk."""
    import numpy as np
    import pandas as pd

    folder = DATA / f"paths-{label}"
    done = folder / "DONE"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    total = SIZES[label]
    names = np.array([f"event_{k:02d}" for k in range(N_EVENTS)])
    weights = 1.0 / np.arange(1, N_EVENTS + 1)  # a few common events, many rare ones
    weights /= weights.sum()
    start = pd.Timestamp("2024-01-01", tz="UTC").value
    print(f"generating {label} events in {folder} …", flush=True)
    for part, first in enumerate(range(0, total, CHUNK)):
        n = min(CHUNK, total - first)
        rng = np.random.default_rng(part)
        customers = first // EVENTS_PER_CUSTOMER + rng.integers(0, max(n // EVENTS_PER_CUSTOMER, 1), n)
        # each customer has up to 4 visits spread over 30 days; a visit's events fall within 20 minutes
        visit = rng.integers(0, 4, n)
        visit_start = (customers * 7_919 + visit * 104_729) % (30 * 86_400)
        offset = (visit_start + rng.integers(0, 20 * 60, n)) * 10**9 + rng.integers(0, 10**9, n)
        frame = pd.DataFrame({
            "customer_id": customers.astype(np.int64),
            "timestamp": pd.to_datetime(start + offset, utc=True),
            "event": pd.Categorical(names[rng.choice(N_EVENTS, n, p=weights)], categories=names),
        })
        frame.to_parquet(folder / f"part-{part:03d}.parquet", index=False)
    done.write_text("ok")
    return folder


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _digest(frame) -> str:
    """A short fingerprint of a result, to check that both engines agree."""
    import pandas as pd

    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()[:12]


def worker(operation: str, engine: str, folder: Path) -> None:
    """Run one function on one engine in this fresh process and print JSON (seconds, peak, result)."""
    import duckdb  # noqa: F401  (imported outside the timing)

    from jkit.paths import paths, sessions, transitions

    if engine == "spark":  # the session starts outside the timing, as a notebook's session is already running
        from jkit.spark import get_spark

        get_spark()
    files = str(folder / "*.parquet")
    base = peak_rss_mb()
    start = time.perf_counter()
    if operation == "sessions":
        out = sessions(files, engine=engine, session_source="gap")
        result = {"sessions": int(out["session"].max()), "digest": _digest(out[["session", "session_number"]])}
    elif operation == "transitions":
        out = transitions(files, engine=engine)
        # the median time is left out of the digest: Spark keeps microseconds, these times carry nanoseconds
        result = {"pairs": len(out), "transitions": int(out["transitions"].sum()),
                  "digest": _digest(out.drop(columns="median_time"))}
    else:
        out = paths(files, engine=engine, steps=5, top=10)
        result = {"top": out["path"].iloc[0], "digest": _digest(out)}
    seconds = time.perf_counter() - start
    peak = peak_rss_mb() + (_children_peak_mb() if engine == "spark" else 0.0)
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "base_mb": base, **result}))


def _children_peak_mb() -> float:
    """Peak memory (VmHWM) of this process's descendants, summed: Spark's JVM and its Python workers."""
    total, todo = 0.0, [Path("/proc/self")]
    while todo:
        proc = todo.pop()
        for task in proc.glob("task/*/children"):
            for pid in task.read_text().split():
                child = Path(f"/proc/{pid}")
                status = (child / "status").read_text() if (child / "status").exists() else ""
                total += next((int(x.split()[1]) / 1024 for x in status.splitlines() if x.startswith("VmHWM:")), 0.0)
                todo.append(child)
    return total


def measure(operation: str, engine: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_paths", "--worker", operation, "--engine", engine,
                          "--path", str(folder)], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{operation} on {engine} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M events")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes among 1M, 10M, 50M")
    parser.add_argument("--engines", default="pandas,duckdb", help="comma-separated engines")
    parser.add_argument("--worker", choices=OPERATIONS, help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.engine, Path(args.path))
        return 0
    sizes = args.sizes.split(",") if args.sizes else (["1M"] if args.quick else ["10M", "50M"])
    engines = args.engines.split(",")
    status = 0
    print(f"{'events':>7} {'function':<12} {'engine':<7} {'seconds':>8} {'peak MB':>8}  result")
    for label in sizes:
        folder = dataset(label)
        for operation in OPERATIONS:
            digests = set()
            for engine in engines:
                r = measure(operation, engine, folder)
                digests.add(r.pop("digest"))
                seconds, peak = r.pop("seconds"), r.pop("peak_mb")
                r.pop("base_mb")
                print(f"{label:>7} {operation:<12} {engine:<7} {seconds:8.1f} {peak:8.0f}  {r}", flush=True)
            if len(digests) > 1:
                print(f"{label:>7} {operation:<12} ENGINES DISAGREE", flush=True)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
