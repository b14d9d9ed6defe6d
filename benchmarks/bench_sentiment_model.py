"""Prediction speed of the calibrated SentimentModel against the lexicon, on all-unique real texts.

Run: ``.venv/bin/python -m benchmarks.bench_sentiment_model [--quick] [--n 100000]``

The model is fitted on the 3,000 real labelled sentences of ../shared/data/sentiment (its
cross-validated accuracy is printed beside the lexicon's), then scores ``--n`` texts made of
those sentences with a unique prefix (``ref0000123 ...``), so that no two texts are equal and
nothing is gained from de-duplication. Compared, each on the same texts, with their defaults
(all cores from 20,000 distinct texts):

* ``score_sentiment(texts)``: the lexicon as jkit's reports use it (``rules="feedback"``, sentences on);
* ``score_sentiment(texts, rules="vader")``: NLTK's VADER exactly (sentences on);
* ``score_sentiment(texts, model=model)``: the model (VADER's scores, n-grams, logistic regression),
  sentences on; and ``model.predict(texts, sentences=False)``.

Target (issue 18): the model at least as fast as the lexicon.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from jkit.errors import JkitWarning
from jkit.sentiment import SentimentModel, score_sentiment

SHARED = Path(os.environ.get("JKIT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
FILES = ("amazon_cells_labelled", "imdb_labelled", "yelp_labelled")


def labelled_sentences() -> pd.DataFrame:
    """The UCI sentences with their 0/1 labels, read line by line (quotes would merge rows in read_csv)."""
    rows = []
    for name in FILES:
        with open(SHARED / "sentiment" / f"{name}.txt", encoding="utf-8", newline="") as fh:
            next(fh)
            for line in fh:
                if line.strip():
                    text, label = line.rstrip("\r\n").rsplit("\t", 1)
                    rows.append((text, int(label), name))
    return pd.DataFrame(rows, columns=["text", "label", "file"])


def unique_texts(base: list[str], n: int) -> list[str]:
    return [f"ref{i:07d} {base[i % len(base)]}" for i in range(n)]


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 texts instead of 100,000")
    parser.add_argument("--n", type=int, default=None, help="all-unique texts to score")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each scorer (the best is shown)")
    args = parser.parse_args(argv)
    n = args.n or (20_000 if args.quick else 100_000)
    warnings.simplefilter("ignore", JkitWarning)
    data = labelled_sentences()
    fit_s, model = timed(lambda: SentimentModel().fit(data))
    print(f"SentimentModel fitted on {len(data):,} labelled sentences in {fit_s:.1f} s "
          f"(5-fold CV included): accuracy {model.cv_accuracy_:.3f} "
          f"[{model.cv_interval_[0]:.3f}, {model.cv_interval_[1]:.3f}] vs lexicon {model.lexicon_cv_accuracy_:.3f}"
          f"{'' if model.fallback_ is None else ' — FALLBACK: ' + model.fallback_}")
    texts = unique_texts(data["text"].tolist(), n)
    runs = {
        'score_sentiment(texts)  [lexicon, rules="feedback"]': lambda: score_sentiment(texts),
        'score_sentiment(texts, rules="vader")': lambda: score_sentiment(texts, rules="vader"),
        "score_sentiment(texts, model=model)": lambda: score_sentiment(texts, model=model),
        "model.predict(texts, sentences=False)": lambda: model.predict(texts, sentences=False),
    }
    rates = {}
    print(f"\n{n:,} all-unique texts ({os.cpu_count()} cores; best of {args.repeat} runs, taken in turn)")
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for name, fn in runs.items():
            seconds, out = timed(fn)
            assert len(out) == n and out["label"].notna().all()
            best[name] = min(best[name], seconds)
    print(f"{'scorer':<55} {'seconds':>8} {'texts/s':>9}")
    for name, seconds in best.items():
        rates[name] = n / seconds
        print(f"{name:<55} {seconds:>8.2f} {rates[name]:>9,.0f}")
    lexicon, model_rate = rates['score_sentiment(texts)  [lexicon, rules="feedback"]'], rates["score_sentiment(texts, model=model)"]
    vader = rates['score_sentiment(texts, rules="vader")']
    print(f"\nmodel / lexicon (feedback rules): {model_rate / lexicon:.2f}x; model / rules='vader': {model_rate / vader:.2f}x "
          f"(target: >= 1x the lexicon)")
    sample = texts[:2_000]
    agree = np.mean((model.predict(sample)["label"].to_numpy() == "positive")
                    == (score_sentiment(sample, rules="vader")["compound"].to_numpy() >= 0.05))
    print(f"positive/negative calls the model and VADER share on the first 2,000 texts: {agree:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
