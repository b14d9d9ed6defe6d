"""Speed and memory of retention cohorts and lifecycle counts on a generated events log.

    .venv/bin/python -m benchmarks.bench_retention           # 1M and 10M events (100k / 1M customers)
    .venv/bin/python -m benchmarks.bench_retention --quick   # 100k and 1M events

The log: customers × 10 events, uniform over two years, events ``open`` / ``buy``. Each size runs in
a fresh subprocess so that its peak memory (``ru_maxrss``) is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_CHILD = """
import json, resource, sys, time
import numpy as np, pandas as pd
from jkit.kpis import lifecycle, retention
n = int(sys.argv[1])
rng = np.random.default_rng(0)
log = pd.DataFrame({"customer_id": rng.integers(0, n // 10, n),
                    "event": rng.choice(["open", "buy"], n, p=[0.7, 0.3]),
                    "timestamp": pd.Timestamp("2023-01-01", tz="UTC")
                    + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s")})
out = {"events": n}
for name, call in {
    "first_time_on_M": lambda: retention(log, period="M", start_event="open", return_event="buy"),
    "recurring_on_or_after_W": lambda: retention(log, period="W", kind="recurring", criterion="on_or_after"),
    "lifecycle_W": lambda: lifecycle(log, period="W"),
}.items():
    t = time.perf_counter(); call(); out[name] = time.perf_counter() - t
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 100k and 1M events")
    args = parser.parse_args(argv)
    sizes = [100_000, 1_000_000] if args.quick else [1_000_000, 10_000_000]
    print(f"{'events':>11} {'first_time M s':>15} {'recurring W s':>14} {'lifecycle W s':>14} {'peak MiB':>9}")
    for n in sizes:
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(n)], check=True, capture_output=True, text=True)
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"{r['events']:>11,} {r['first_time_on_M']:>15.2f} {r['recurring_on_or_after_W']:>14.2f} "
              f"{r['lifecycle_W']:>14.2f} {r['peak_mib']:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
