"""Persona segmentation at scale: fit and assign 1,000,000 customers, with time and peak memory.

    .venv/bin/python -m benchmarks.bench_personas            # 1,000,000 customers
    .venv/bin/python -m benchmarks.bench_personas --quick    # 100,000 customers

The customer feature table is generated in memory with four planted personas (the shape
``jkit.personas.customer_features`` returns: age, income, six touchpoint shares, three
categorical profile columns and outcome columns), so the figure is the segmentation itself:
``PersonaModel(n_personas="auto").fit`` (choice of the number of personas on a 20,000-row sample,
parallel analysis for the components, the number of personas judged against 3 shuffled
references, mini-batch k-means on all rows, 20 bootstrap refits for stability, profiles, the
outcome spread — churn, frequency, money, recency — against 200 random splits and plain
k-means) and ``assign`` of every customer. A 50/50 ``newsletter`` column is noise (it must not
split personas) and ``churned`` an outcome by group. Peak memory is the process's maximum
resident set size.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

TOUCHPOINTS = ("web", "mobile_app", "email", "store", "social", "support")
GROUPS = (  # share, age range, median income, touchpoint weights, channel
    (0.30, (18, 29), 24e3, (0.08, 0.58, 0.02, 0.01, 0.30, 0.01), "social"),
    (0.25, (35, 55), 130e3, (0.55, 0.10, 0.30, 0.03, 0.01, 0.01), "search"),
    (0.25, (30, 45), 62e3, (0.35, 0.07, 0.05, 0.50, 0.02, 0.01), "store"),
    (0.20, (60, 80), 42e3, (0.06, 0.01, 0.12, 0.50, 0.01, 0.30), "tv"),
)


def make_features(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A planted customer feature table of ``n`` rows and the planted group of each row."""
    rng = np.random.default_rng(seed)
    g = rng.choice(len(GROUPS), size=n, p=[s[0] for s in GROUPS])
    lo = np.array([s[1][0] for s in GROUPS])[g]
    hi = np.array([s[1][1] for s in GROUPS])[g]
    frame = pd.DataFrame({"customer_id": pd.array(np.char.add("C", np.arange(n).astype(str)), dtype="string")})
    frame["age"] = rng.uniform(lo, hi + 1).round()
    frame["income"] = np.exp(np.log(np.array([s[2] for s in GROUPS]))[g] + 0.22 * rng.standard_normal(n)).round(-2)
    weights = np.array([s[3] for s in GROUPS])[g]
    counts = rng.poisson(weights * rng.integers(5, 60, size=n)[:, None])
    total = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    for i, tp in enumerate(TOUCHPOINTS):
        frame[f"tp_{tp}"] = counts[:, i] / total[:, 0]
    channels = np.array([s[4] for s in GROUPS], dtype=object)
    own = rng.random(n) < 0.9
    frame["acquisition_channel"] = pd.array(np.where(own, channels[g], rng.choice(channels, size=n)), dtype="string")
    frame["gender"] = pd.array(rng.choice(["female", "male", "non-binary"], size=n, p=[0.5, 0.47, 0.03]), dtype="string")
    frame["region"] = pd.array(rng.choice(["North", "South", "East", "West", "Central"], size=n), dtype="string")
    frame["frequency"] = rng.poisson(np.array([3.0, 1.0, 2.0, 0.5])[g]).astype("float64")
    frame["monetary"] = frame["frequency"] * rng.lognormal(np.log([25, 220, 80, 60])[g], 0.4)
    frame["recency_days"] = rng.uniform(0, 365, size=n)
    frame["newsletter"] = pd.array(rng.choice(["yes", "no"], size=n), dtype="string")  # noise
    frame["churned"] = (rng.random(n) < np.array([0.35, 0.10, 0.15, 0.25])[g]).astype("int8")
    return frame, g


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 customers instead of 1,000,000")
    parser.add_argument("--customers", type=int, default=None, help="number of customers")
    parser.add_argument("--bootstrap", type=int, default=20, help="bootstrap refits for stability")
    args = parser.parse_args(argv)
    from jkit.personas import PersonaModel

    n = args.customers or (100_000 if args.quick else 1_000_000)
    t0 = time.perf_counter()
    features, truth = make_features(n)
    t_make = time.perf_counter() - t0
    mem_table = features.memory_usage(deep=True).sum() / 2**20
    rss_before = _peak_mib()
    print(f"customers: {n:,}; feature table {features.shape[1]} columns, {mem_table:,.0f} MiB "
          f"(made in {t_make:.1f} s); peak RSS before fitting {rss_before:,.0f} MiB")

    t0 = time.perf_counter()
    cpu0 = _cpu_s()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = PersonaModel(n_personas="auto", n_bootstrap=args.bootstrap, random_state=0).fit(features)
    t_fit = time.perf_counter() - t0
    t0 = time.perf_counter()
    assign = model.assign(features)
    t_assign = time.perf_counter() - t0
    ari = adjusted_rand_score(truth, assign["persona"].to_numpy())
    print(f"fit (auto n_personas, {args.bootstrap} bootstrap refits): {t_fit:.1f} s -> {model.n_personas_} personas "
          f"({type(model.estimator_).__name__}), stability (mean ARI) {model.stability_:.3f}")
    print(f"assign all customers: {t_assign:.1f} s")
    print(f"segmentation total (fit + assign): {t_fit + t_assign:.1f} s wall; process CPU {_cpu_s() - cpu0:.1f} s "
          "(on a busy machine the CPU time is the closer figure for an idle one)")
    print(f"ARI against the planted groups: {ari:.3f}")
    print(f"peak RSS: {_peak_mib():,.0f} MiB (feature table alone {mem_table:,.0f} MiB)")
    news = pd.crosstab(assign["persona"], features["newsletter"].to_numpy(), normalize="index")
    print(f"structure beyond shuffled columns: {model.has_structure_}; share 'yes' to the noise newsletter by persona: "
          f"{', '.join(f'{v:.3f}' for v in news['yes'])}")
    print("k curve:\n" + model.k_curve_.round(3).to_string(index=False))
    print("outcome spread:\n" + model.outcome_spread_.round(3).to_string(index=False))
    cols = ["persona", "name", "share", "stability", "stability_verdict", "churned_mean", "churned_low", "churned_high"]
    print(model.profiles_[cols].round(3).to_string(index=False))


if __name__ == "__main__":
    main()
