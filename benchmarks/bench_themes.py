"""Pain-point themes speed: :func:`jkit.pain_points.pain_point_themes` on real review sentences.

Run: ``.venv/bin/python -m benchmarks.bench_themes [--quick]``

Workloads: the 3,944 annotated sentences of ../shared/data/reviews/hu_liu_5 (five products at
once), then the 3,000 real labelled sentences of ../shared/data/sentiment replicated with a unique
prefix to 200,000 and 1,000,000 texts (quick: 20,000 and 300,000). The sentences are scored once
(``score_sentiment``, not timed); the replicas carry their original's scores. Inputs above
``max_texts`` (200,000) are sampled, which the output's ``attrs["sampled"]`` states and this
benchmark prints.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

from benchmarks.bench_sentiment import SHARED, real_sentences
from jkit.pain_points import pain_point_themes
from jkit.sentiment import score_sentiment


def _hu_liu() -> pd.DataFrame:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pain_points.hu_liu import PRODUCTS, read_product

    return pd.concat([read_product(SHARED / "reviews" / "hu_liu_5", p) for p in PRODUCTS], ignore_index=True)


def _replicated(n: int) -> pd.DataFrame:
    base = pd.DataFrame({"text": real_sentences()})
    scores = score_sentiment(base, progress=False)[["compound", "label"]]
    reps = -(-n // len(base))
    frame = pd.concat([base.join(scores)] * reps, ignore_index=True).iloc[:n]
    frame["text"] = [f"ref{i:07d} {t}" for i, t in enumerate(frame["text"])]
    return frame


def bench(name: str, frame: pd.DataFrame) -> dict:
    start = time.perf_counter()
    themes = pain_point_themes(frame, n_quotes=3)
    seconds = time.perf_counter() - start
    sampled = themes.attrs["sampled"]
    used = sampled["texts"] if sampled else len(frame)
    row = {"workload": name, "texts": len(frame), "texts used": used, "seconds": round(seconds, 1),
           "texts/s (used)": round(used / seconds), "themes": len(themes),
           "top themes": ", ".join(themes["theme"].head(5))}
    print(row, flush=True)
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 and 300,000 texts instead of 200,000 and 1M")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    hu = _hu_liu()
    rows = [bench("Hu & Liu sentences", hu.join(score_sentiment(hu, progress=False)))]
    for n in ((20_000, 300_000) if args.quick else (200_000, 1_000_000)):
        rows.append(bench(f"unique real sentences ({n:,})", _replicated(n)))
    print(pd.DataFrame(rows).drop(columns="top themes").to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
