"""Funnel speed and memory: jkit's default engine for files (DuckDB + numpy kernel) against chDB's windowFunnel.

    .venv/bin/python -m benchmarks.bench_funnel            # 10M and 50M events, text and integer ids, 3 rounds
    .venv/bin/python -m benchmarks.bench_funnel --quick    # 1M events, 3 rounds
    .venv/bin/python -m benchmarks.bench_funnel --sizes 10M --ids integer

From a Parquet file of unsorted events to the number of customers reaching each step of a
5-step ordered funnel with a 7-day window. The files come from jkit's own generator
(``jkit.datasets.make_sample``, 50 events per customer) and are kept in ``benchmarks/_data``
(git-ignored) for the next run; the integer-id file is the same events with ``customer_id``
``C0001234`` stored as the BIGINT 1234 (written once by DuckDB). Each measurement runs in a fresh subprocess, so that its peak
memory (max RSS) belongs to one engine; rounds alternate the engines so that both see the same
machine load, and the median of the rounds is reported. The step counts of both must agree.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parent / "_data"
STEPS = ["ad_click", "product_view", "add_to_cart", "checkout_start", "purchase"]
STAGES = None  # filled from jkit.datasets when the "stages" scenario runs
WINDOW_DAYS = 7
SIZES = {"1M": 20_000, "10M": 200_000, "50M": 1_000_000}  # events label -> customers (50 events each)


def dataset(label: str, ids: str = "text") -> Path:
    """The events file of a size (text or integer customer ids), generated once with jkit's generator."""
    folder = DATA / f"funnel-{label}"
    events = folder / "events.parquet"
    if ids == "integer":
        integer = folder / "events-int.parquet"
        if not integer.exists():
            import duckdb

            text = dataset(label, "text")
            duckdb.sql(f"COPY (SELECT CAST(substr(customer_id, 2) AS BIGINT) AS customer_id, * EXCLUDE (customer_id) "
                       f"FROM read_parquet('{text}')) TO '{integer}' (FORMAT parquet)")
        return integer
    if not (folder / "truth.json").exists():
        from jkit.datasets import make_sample

        print(f"generating {label} events in {folder} …", flush=True)
        make_sample(n_customers=SIZES[label], seed=0, out_dir=folder, events_per_customer=50.0,
                    feedback_per_customer=0.0, progress=False)
    return events


def _steps(scenario: str) -> list:
    if scenario == "events":
        return STEPS
    from jkit.stages import load_stage_model

    return [sorted(s) for s in load_stage_model("five_stage").steps()]


# --------------------------------------------------------------------------- workers (one engine per process)


def run_jkit(path: Path, scenario: str) -> list[int]:
    import numpy as np

    from jkit.funnels import funnel_journeys

    steps = _steps(scenario)
    journeys = funnel_journeys(path, steps, window=f"{WINDOW_DAYS}D")  # default engine for a path: duckdb
    reached = np.bincount(journeys["reached"].to_numpy(), minlength=len(steps) + 1)[1:]
    return [int(x) for x in reached[::-1].cumsum()[::-1]]  # customers reaching at least step k


def run_chdb(path: Path, scenario: str) -> list[int]:
    import chdb

    steps = _steps(scenario)
    conds = ", ".join(
        f"event = '{s}'" if isinstance(s, str) else "event IN (" + ", ".join(f"'{e}'" for e in s) + ")" for s in steps
    )
    query = (
        f"SELECT level, count() FROM (SELECT customer_id, windowFunnel({WINDOW_DAYS * 86400 * 1000})("
        f"toUInt64(toUnixTimestamp64Milli(timestamp)), {conds}) AS level FROM file('{path}', Parquet) "
        f"GROUP BY customer_id) GROUP BY level ORDER BY level"
    )
    rows = [line.split(",") for line in str(chdb.query(query, "CSV")).strip().splitlines()]
    by_level = {int(level): int(count) for level, count in rows}
    return [sum(c for lv, c in by_level.items() if lv >= k) for k in range(1, len(steps) + 1)]


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM; ru_maxrss would carry the parent's peak over exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(engine: str, path: Path, scenario: str) -> None:
    """Time one run in this fresh process and print JSON (seconds, counts, peak RSS)."""
    runner = {"jkit": run_jkit, "chdb": run_chdb}[engine]
    if engine == "chdb":
        import chdb  # noqa: F401  (import outside the timing, as jkit's imports are)
    else:
        import duckdb  # noqa: F401

        import jkit.funnels  # noqa: F401
    base = peak_rss_mb()
    start = time.perf_counter()
    counts = runner(path, scenario)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "counts": counts, "peak_mb": peak_rss_mb(), "base_mb": base}))


def measure(engine: str, path: Path, scenario: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_funnel", "--worker", engine, "--path", str(path),
         "--scenario", scenario],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{engine} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(label: str, rounds: int, scenario: str, ids: str = "text") -> dict:
    path = dataset(label, ids)
    results: dict[str, list[dict]] = {"jkit": [], "chdb": []}
    for i in range(rounds):
        order = ("jkit", "chdb") if i % 2 == 0 else ("chdb", "jkit")
        for engine in order:
            results[engine].append(measure(engine, path, scenario))
    counts = {e: r[0]["counts"] for e, r in results.items()}
    for e, rs in results.items():
        if any(r["counts"] != rs[0]["counts"] for r in rs):
            raise AssertionError(f"{e} gave different counts across runs")
    if counts["jkit"] != counts["chdb"]:
        raise AssertionError(f"counts differ: jkit {counts['jkit']} chDB {counts['chdb']}")
    summary = {}
    for e, rs in results.items():
        times = [r["seconds"] for r in rs]
        summary[e] = {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
                      "peak_mb": max(r["peak_mb"] for r in rs), "base_mb": statistics.median(r["base_mb"] for r in rs)}
    ratio = summary["chdb"]["median_s"] / summary["jkit"]["median_s"]
    print(f"\n{label} events, {ids} customer ids ({scenario} funnel, {len(_steps(scenario))} steps, {WINDOW_DAYS}-day window), "
          f"{rounds} rounds, counts agree: {counts['jkit']}")
    print(f"  {'engine':<8}{'median s':>10}{'min s':>8}{'max s':>8}{'peak MB':>10}{'after import MB':>17}")
    for e in ("jkit", "chdb"):
        s = summary[e]
        print(f"  {e:<8}{s['median_s']:>10.2f}{s['min_s']:>8.2f}{s['max_s']:>8.2f}{s['peak_mb']:>10.0f}{s['base_mb']:>17.0f}")
    print(f"  jkit is {ratio:.2f}x the speed of chDB (chDB median / jkit median); "
          f"peak memory {summary['jkit']['peak_mb']:.0f} MB vs {summary['chdb']['peak_mb']:.0f} MB", flush=True)
    return {"label": label, "ids": ids, "scenario": scenario, "counts": counts["jkit"], "ratio": ratio, **summary}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1M events, 3 rounds")
    parser.add_argument("--sizes", default=None, help="comma-separated sizes among 1M, 10M, 50M")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per size (default 3)")
    parser.add_argument("--ids", default="text,integer", help="comma-separated kinds of customer ids: text, integer")
    parser.add_argument("--scenario", default="events", choices=["events", "stages"],
                        help="events: 5 single events; stages: the 5 stages of five_stage (event sets)")
    parser.add_argument("--worker", choices=["jkit", "chdb"], help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, Path(args.path), args.scenario)
        return 0
    sizes = (args.sizes or ("1M" if args.quick else "10M,50M")).split(",")
    rounds = args.rounds or 3
    for label in sizes:
        if label not in SIZES:
            parser.error(f"unknown size {label!r}; expected {', '.join(SIZES)}")
        for ids in args.ids.split(","):
            if ids not in ("text", "integer"):
                parser.error(f"unknown ids {ids!r}; expected text or integer")
            bench(label, rounds, args.scenario, ids)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
