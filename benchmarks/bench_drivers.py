"""Drivers of conversion speed: :func:`jkit.drivers.conversion_drivers` and :func:`theme_dropoff` on
the generated sample study.

Run: ``.venv/bin/python -m benchmarks.bench_drivers [--quick]``

Workload: ``jkit sample-data`` drawn with 100,000 customers (about 4M events, 160,000 feedback
texts; quick: 20,000 customers) into a temporary folder, loaded once (not timed). Timed:
``purchase → retention`` over events, touchpoints and attributes with ``span="3D"``; the same with
feedback themes (sentiment scored once, not timed); and ``theme_dropoff`` over every stage. Prints
seconds and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings

import jkit
from jkit.datasets.generator import make_sample
from jkit.drivers import conversion_drivers, theme_dropoff
from jkit.errors import JkitWarning
from jkit.sentiment import score_sentiment


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(name: str, func) -> dict:
    start = time.perf_counter()
    out = func()
    row = {"workload": name, "seconds": round(time.perf_counter() - start, 2), "rows": len(out),
           "significant": int(out["significant"].sum()), "peak MB": round(_peak_mb())}
    print(row, flush=True)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 customers instead of 100,000")
    args = parser.parse_args(argv)
    n = 20_000 if args.quick else 100_000
    warnings.simplefilter("ignore", JkitWarning)
    with tempfile.TemporaryDirectory() as tmp:
        make_sample(n_customers=n, out_dir=tmp, progress=False)
        data = jkit.load(tmp)
        print({"customers": len(data.customers), "events": len(data.events), "feedback": len(data.feedback)}, flush=True)
        scores = score_sentiment(data.feedback, progress=False)
        scored = data.feedback[["feedback_id"]].assign(compound=scores["compound"].to_numpy(),
                                                       label=scores["label"].to_numpy())
        _timed("events+touchpoints+attributes", lambda: conversion_drivers(
            data, from_step="purchase", to_step="retention", span="3D",
            features=("events", "touchpoints", "attributes")))
        _timed("all five kinds", lambda: conversion_drivers(
            data, from_step="purchase", to_step="retention", span="3D", scored=scored))
        _timed("theme_dropoff (4 stage pairs)", lambda: theme_dropoff(data, scored))
    return 0


if __name__ == "__main__":
    sys.exit(main())
