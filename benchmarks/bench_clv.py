"""Customer value at scale: CLVModel on 1,000,000 generated customers, with time and peak memory.

    .venv/bin/python -m benchmarks.bench_clv            # 1,000,000 customers
    .venv/bin/python -m benchmarks.bench_clv --quick    # 100,000 customers

A transactions table is drawn from BG/NBD + Gamma-Gamma with CDNOW's parameters (customers born
over 12 weeks, watched 78: about 1.5 transactions per customer), then timed stage by stage:
``rfm_summary`` (same-day merge, calibration end at week 52), ``CLVModel.fit`` (both maximum-
likelihood fits and their Hessians), ``predict_purchases(26)``, ``p_alive()``, ``predict_clv(52,
0.1)`` per customer, ``predict_clv(..., by=<4 groups>, draws=100)`` with intervals, and
``evaluate`` on the 26-week holdout. The fitted parameters are printed beside the planted ones.
Peak memory is the process's maximum resident set size (VmHWM).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jkit.clv import CLVModel, rfm_summary, simulate_transactions

PLANTED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "p": 6.25, "q": 3.74, "v": 15.44}


def peak_rss_mb() -> float:
    """Peak resident memory of this process in MiB (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(rows: list, name: str, fn):
    start = time.perf_counter()
    out = fn()
    rows.append({"stage": name, "seconds": round(time.perf_counter() - start, 2), "peak MiB": round(peak_rss_mb())})
    print(rows[-1], flush=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, default=None)
    args = parser.parse_args(argv)
    n = args.customers or (100_000 if args.quick else 1_000_000)
    warnings.simplefilter("ignore")
    rows: list = []
    tx = timed(rows, f"generate transactions ({n:,} customers)", lambda: simulate_transactions(n, weeks=78, seed=1))
    print(f"{len(tx):,} transactions", flush=True)
    end = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=52)
    summary = timed(rows, "rfm_summary", lambda: rfm_summary(tx, calibration_end=end))
    model = CLVModel()
    timed(rows, "fit (BG/NBD + Gamma-Gamma, Hessians)", lambda: model.fit(summary))
    model.calibration_end_ = end
    timed(rows, "predict_purchases(26)", lambda: model.predict_purchases(26))
    timed(rows, "p_alive()", model.p_alive)
    timed(rows, "predict_clv(52, 0.1) per customer", lambda: model.predict_clv(52, 0.1))
    groups = pd.Series(np.array(["a", "b", "c", "d"])[np.arange(len(summary)) % 4], index=summary.index, name="g")
    grouped = timed(rows, "predict_clv(52, 0.1, by=4 groups, draws=100)",
                    lambda: model.predict_clv(52, 0.1, by=groups, draws=100))
    ev = timed(rows, "evaluate (26-week holdout)", lambda: model.evaluate(tx))
    print(pd.DataFrame(rows).to_string(index=False))
    fitted = model.params_["value"]
    print(pd.DataFrame({"planted": PLANTED, "fitted": fitted, "se": model.params_["se"]}).round(4).to_string())
    print(grouped.round(1).to_string(index=False))
    print(ev.total.round(3).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
