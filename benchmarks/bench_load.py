"""Speed and memory of ``jkit.load``: the same events from Parquet and from CSV.

    .venv/bin/python -m benchmarks.bench_load                     # 2M events (50k customers)
    .venv/bin/python -m benchmarks.bench_load --quick             # 200k events
    .venv/bin/python -m benchmarks.bench_load --baseline 17cfe60  # also time that commit's jkit.load

The sample generator writes the study once (events as Parquet, customers as CSV) into
``benchmarks/_data/`` (git-ignored); the events are also written as CSV. Each load runs in a fresh
subprocess (median of ``--repeat`` runs) so that its peak memory (``ru_maxrss``) is its own. With
``--baseline REV`` the same loads run against the jkit of that commit (checked out with
``git worktree`` into a temporary folder), so that a change can be compared with what it replaced.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "_data"

_CHILD = """
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import jkit
folder = sys.argv[1]
t = time.perf_counter()
data = jkit.load(folder)
seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "events": len(data.events),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_study(n_customers: int) -> tuple[Path, Path]:
    """The generator's study with Parquet events, and a copy with the events as CSV."""
    from jkit import datasets

    parquet_dir, csv_dir = OUT / f"load-{n_customers}-parquet", OUT / f"load-{n_customers}-csv"
    if not (parquet_dir / "events.parquet").exists():
        shutil.rmtree(parquet_dir, ignore_errors=True)
        datasets.make_sample(n_customers=n_customers, seed=0, out_dir=parquet_dir, events_per_customer=40.0,
                             progress=False)
        for extra in parquet_dir.iterdir():  # keep only what jkit.load reads
            if extra.name not in ("customers.csv", "events.parquet", "feedback.csv"):
                extra.unlink() if extra.is_file() else shutil.rmtree(extra)
    if not (csv_dir / "events.csv").exists():
        import pandas as pd

        shutil.rmtree(csv_dir, ignore_errors=True)
        csv_dir.mkdir(parents=True)
        for name in ("customers.csv", "feedback.csv"):
            shutil.copy(parquet_dir / name, csv_dir / name)
        events = pd.read_parquet(parquet_dir / "events.parquet")
        events["timestamp"] = events["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        events.to_csv(csv_dir / "events.csv", index=False)
    return parquet_dir, csv_dir


def time_load(folder: Path, repeat: int, pythonpath: Path | None = None) -> dict:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    runs = []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(folder)], check=True, capture_output=True,
                              text=True, env=env, cwd=pythonpath or ROOT)
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs), "events": runs[0]["events"],
            "peak_mib": max(r["peak_mib"] for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k events instead of 2M")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median; default 3)")
    parser.add_argument("--baseline", metavar="REV", help="also time jkit.load of this git commit")
    args = parser.parse_args(argv)
    n_customers = 5_000 if args.quick else 50_000
    parquet_dir, csv_dir = make_study(n_customers)
    rows = [("this tree", None)]
    worktree = None
    if args.baseline:
        worktree = Path(tempfile.mkdtemp(prefix="jkit-baseline-"))
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(worktree), args.baseline],
                       check=True, capture_output=True)
        rows.append((f"baseline {args.baseline}", worktree))
    print(f"{'jkit':>18} {'events':>10} {'parquet s':>10} {'csv s':>8} {'csv/parquet':>12} {'peak MiB pq/csv':>16}")
    try:
        for label, path in rows:
            pq_r = time_load(parquet_dir, args.repeat, path)
            csv_r = time_load(csv_dir, args.repeat, path)
            print(f"{label:>18} {pq_r['events']:>10,} {pq_r['seconds']:>10.2f} {csv_r['seconds']:>8.2f} "
                  f"{csv_r['seconds'] / pq_r['seconds']:>11.1f}x {pq_r['peak_mib']:>7.0f} / {csv_r['peak_mib']:<7.0f}",
                  flush=True)
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False,
                           capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
