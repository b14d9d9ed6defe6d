"""Sentiment scoring speed: jkit's score_sentiment against NLTK's analyzer and the vaderSentiment package.

Run: ``.venv/bin/python -m benchmarks.bench_sentiment [--quick] [--n-generator 1000000]``

Two workloads:

* **all-unique texts**: the 3,000 real labelled sentences of ../shared/data/sentiment, replicated
  with a unique prefix (``ref0000123 ...``) so no two texts are equal — nothing to gain from
  de-duplication; what counts is the scorer itself and the cores.
* **generator texts**: the feedback texts of ``jkit.datasets.make_sample`` (templates with typos,
  PII and emoji, so many repeats), 1,000,000 by default.

NLTK and vaderSentiment score one text at a time on one core, as their users call them; their
throughput is measured on a sample (``--baseline-n``) of each workload and is constant per text.
jkit runs ``score_sentiment(rules="vader")`` with its defaults (all cores, sentences on) on the
whole workload, and the scores are checked to be identical to NLTK's on the baseline sample.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from jkit.errors import JkitWarning
from jkit.sentiment import score_sentiment
from jkit.sentiment.lexicon import lexicon_source

SHARED = Path(os.environ.get("JKIT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def real_sentences() -> list[str]:
    out = []
    for name in ("amazon_cells_labelled", "imdb_labelled", "yelp_labelled"):
        with open(SHARED / "sentiment" / f"{name}.txt", encoding="utf-8", newline="") as fh:
            next(fh)
            out += [line.rstrip("\r\n").rsplit("\t", 1)[0] for line in fh if line.strip()]
    return out


def unique_texts(n: int) -> list[str]:
    base = real_sentences()
    return [f"ref{i:07d} {base[i % len(base)]}" for i in range(n)]


def generator_texts(n: int) -> list[str]:
    from jkit import datasets

    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        customers = max(1_000, n // 10 + 1)
        paths = datasets.make_sample(n_customers=customers, seed=7, out_dir=tmp, events_per_customer=3,
                                     feedback_per_customer=10.5, progress=False)
        texts = pd.read_csv(paths["feedback"], usecols=["text"])["text"].dropna().tolist()
    while len(texts) < n:
        texts += texts[: n - len(texts)]
    return texts[:n]


def rate(fn, texts) -> float:
    start = time.perf_counter()
    for t in texts:
        fn(t)
    return len(texts) / (time.perf_counter() - start)


def bench(name: str, texts: list[str], baseline_n: int) -> dict:
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as VSAnalyzer

    lexicon_source()
    nltk_sia = SentimentIntensityAnalyzer()
    vs = VSAnalyzer()
    sample = texts[:: max(1, len(texts) // baseline_n)][:baseline_n]
    nltk_rate = rate(nltk_sia.polarity_scores, sample)
    vs_rate = rate(vs.polarity_scores, sample)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JkitWarning)
        start = time.perf_counter()
        scores = score_sentiment(texts, rules="vader", progress=False)
        jkit_rate = len(texts) / (time.perf_counter() - start)
        start = time.perf_counter()
        score_sentiment(texts, rules="vader", sentences=False, n_jobs=1, progress=False)
        one_core_rate = len(texts) / (time.perf_counter() - start)
    pos = {t: k for k, t in enumerate(texts)}
    identical = all(
        nltk_sia.polarity_scores(t)["compound"] == scores["compound"].iloc[pos[t]] for t in sample[:2_000]
    )
    row = {
        "workload": name,
        "texts": len(texts),
        "distinct": len(set(texts)),
        "nltk_per_s": nltk_rate,
        "vaderSentiment_per_s": vs_rate,
        "jkit_per_s": jkit_rate,
        "jkit_1core_nosplit_per_s": one_core_rate,
        "x_nltk": jkit_rate / nltk_rate,
        "x_vaderSentiment": jkit_rate / vs_rate,
        "identical_to_nltk": identical,
    }
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (about a minute)")
    parser.add_argument("--n-unique", type=int, default=None, help="all-unique texts (default 300,000; quick 30,000)")
    parser.add_argument("--n-generator", type=int, default=None, help="generator texts (default 1,000,000; quick 50,000)")
    parser.add_argument("--baseline-n", type=int, default=None, help="texts timed for NLTK/vaderSentiment (default 20,000)")
    args = parser.parse_args(argv)
    n_unique = args.n_unique or (30_000 if args.quick else 300_000)
    n_gen = args.n_generator or (50_000 if args.quick else 1_000_000)
    baseline_n = args.baseline_n or (5_000 if args.quick else 20_000)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    print(f"sentiment benchmark on {cores} cores (rules='vader'; NLTK and vaderSentiment one text at a time, one core)")
    rows = [bench("all-unique real sentences", unique_texts(n_unique), baseline_n)]
    rows.append(bench("generator feedback", generator_texts(n_gen), baseline_n))
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:,.1f}".format):
        print(table.to_string(index=False))
    for r in rows:
        print(f"{r['workload']}: jkit {r['jkit_per_s']:,.0f} texts/s = {r['x_nltk']:.1f}x NLTK "
              f"({r['nltk_per_s']:,.0f}/s), {r['x_vaderSentiment']:.1f}x vaderSentiment ({r['vaderSentiment_per_s']:,.0f}/s); "
              f"scores identical to NLTK: {r['identical_to_nltk']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
