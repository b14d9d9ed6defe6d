"""Speed and memory of the sample-data generator.

    .venv/bin/python -m benchmarks.bench_datasets           # 100k customers, then 1M customers / 50M events
    .venv/bin/python -m benchmarks.bench_datasets --quick   # 5k (the default sample) and 100k customers

Each size runs in a fresh subprocess so that its peak memory (``ru_maxrss``) is its own. Output goes
to ``benchmarks/_data/`` (git-ignored) and is removed afterwards unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "_data"

_CHILD = """
import json, resource, sys, time
from jkit import datasets
n, epc, out = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
datasets.make_sample(n_customers=n, seed=0, out_dir=out, events_per_customer=epc, progress=False)
seconds = time.perf_counter() - t
truth = datasets.load_truth(out)
print(json.dumps({"seconds": seconds, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "events": truth["n_events"], "feedback": truth["n_feedback"]}))
"""


def run(n_customers: int, events_per_customer: float, keep: bool) -> dict:
    """Generate one sample in a subprocess; return seconds, peak MiB, rows and size on disk."""
    out = OUT / f"bench-{n_customers}"
    shutil.rmtree(out, ignore_errors=True)
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n_customers), str(events_per_customer), str(out)],
        check=True, capture_output=True, text=True,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["disk_mib"] = sum(p.stat().st_size for p in out.iterdir()) / 2**20
    result["n_customers"] = n_customers
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 5k and 100k customers")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders in benchmarks/_data")
    args = parser.parse_args(argv)
    sizes = [(5_000, 40.0), (100_000, 40.0)] if args.quick else [(100_000, 40.0), (1_000_000, 50.0)]
    print(f"{'customers':>10} {'events':>12} {'feedback':>10} {'seconds':>8} {'events/s':>11} {'peak MiB':>9} {'disk MiB':>9}")
    for n, epc in sizes:
        r = run(n, epc, args.keep)
        print(f"{r['n_customers']:>10,} {r['events']:>12,} {r['feedback']:>10,} {r['seconds']:>8.1f} "
              f"{r['events'] / r['seconds']:>11,.0f} {r['peak_mib']:>9.0f} {r['disk_mib']:>9.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
