"""Accuracy of rules="vader" and rules="feedback" on human-rated text: tweets, review and editorial snippets.

Run: ``.venv/bin/python -m benchmarks.bench_sentiment_accuracy --vader-sdist PATH [--ablation]``

The rated texts are VADER's own ground truth (Hutto & Gilbert, ICWSM 2014): 4,200 tweets, 3,708
Amazon review snippets, 10,605 movie review snippets and 5,190 NYT editorial snippets, each with the
mean rating of about 20 people (-4 .. +4). They ship only inside the vaderSentiment *source*
distribution (``additional_resources/hutto_ICWSM_2014.tar.gz``), which jkit does not copy; fetch it
with the ordinary client and point this script at it::

    pip download vaderSentiment==3.3.2 --no-deps --no-binary :all: -d /tmp/vs
    .venv/bin/python -m benchmarks.bench_sentiment_accuracy --vader-sdist /tmp/vs/vaderSentiment-3.3.2.tar.gz

(``--ground-truth DIR`` takes the unpacked ``hutto_ICWSM_2014`` folder instead.) The tarballs are read
in memory; nothing is extracted. Binary accuracy as in the issue: texts rated exactly 0 are left out,
a text is positive when its mean rating is > 0 and predicted positive when ``compound >= 0.05``. The
UCI sentences of ../shared/data/sentiment (labels 0/1) are scored too. ``--ablation`` adds, for each
feedback fix, how many labels removing it would gain and lose on each file.
"""

from __future__ import annotations

import argparse
import io
import os
import tarfile
import warnings
from pathlib import Path

import numpy as np

from jkit.errors import JkitWarning
from jkit.sentiment import FEEDBACK_FIXES, score_sentiment
from jkit.sentiment.rules import OPT_IN_FIXES

SHARED = Path(os.environ.get("JKIT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
GROUND_TRUTH = ("tweets", "amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets")
UCI = ("amazon_cells_labelled", "imdb_labelled", "yelp_labelled")


def _parse_ground_truth(text: str) -> tuple[list[str], np.ndarray]:
    """``id<TAB>mean rating<TAB>text`` lines -> texts and ratings."""
    texts, ratings = [], []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            ratings.append(float(parts[1]))
            texts.append("\t".join(parts[2:]))
    return texts, np.asarray(ratings)


def ground_truth_from_sdist(sdist: Path) -> dict[str, str]:
    """The ``*_GroundTruth.txt`` files inside the vaderSentiment sdist (a tarball inside a tarball)."""
    with tarfile.open(sdist) as outer:
        member = next((m for m in outer.getmembers() if m.name.endswith("hutto_ICWSM_2014.tar.gz")), None)
        if member is None:
            raise SystemExit(f"{sdist}: no additional_resources/hutto_ICWSM_2014.tar.gz inside")
        inner_bytes = outer.extractfile(member).read()  # type: ignore[union-attr]
    out = {}
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for m in inner.getmembers():
            name = Path(m.name).name
            if m.isfile() and name.endswith("_GroundTruth.txt"):
                out[name.removesuffix("_GroundTruth.txt")] = inner.extractfile(m).read().decode("utf-8", "replace")  # type: ignore[union-attr]
    return out


def load_sets(sdist: Path | None, folder: Path | None) -> dict[str, tuple[list[str], np.ndarray, np.ndarray]]:
    """name -> (texts, is_positive, kept) for the ground-truth files and the UCI sentences."""
    raw: dict[str, str] = {}
    if sdist is not None:
        raw = ground_truth_from_sdist(sdist)
    elif folder is not None:
        raw = {n: (folder / f"{n}_GroundTruth.txt").read_text(encoding="utf-8", errors="replace") for n in GROUND_TRUTH}
    sets = {}
    for name in GROUND_TRUTH:
        if name in raw:
            texts, ratings = _parse_ground_truth(raw[name])
            sets[name] = (texts, ratings > 0, ratings != 0)
    for name in UCI:
        path = SHARED / "sentiment" / f"{name}.txt"
        if path.exists():
            rows = [line.rstrip("\r\n").rsplit("\t", 1) for line in path.open(encoding="utf-8", newline="")][1:]
            rows = [r for r in rows if len(r) == 2]
            labels = np.asarray([int(r[1]) for r in rows])
            sets[name] = ([r[0] for r in rows], labels == 1, np.ones(len(rows), dtype=bool))
    return sets


def correct(texts: list[str], positive: np.ndarray, kept: np.ndarray, rules) -> np.ndarray:
    """Per text: whether the label of ``score_sentiment(rules=rules)`` agrees with the human one."""
    compound = np.nan_to_num(score_sentiment(texts, rules=rules, n_jobs=1)["compound"].to_numpy(dtype=float))
    return ((compound >= 0.05) == positive) & kept


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vader-sdist", type=Path, help="vaderSentiment-3.3.2.tar.gz (pip download ... --no-binary :all:)")
    parser.add_argument("--ground-truth", type=Path, help="the unpacked hutto_ICWSM_2014 folder instead")
    parser.add_argument("--ablation", action="store_true", help="labels gained/lost by removing each fix")
    parser.add_argument("--quick", action="store_true", help="accepted for `python -m benchmarks` (this one is quick)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", JkitWarning)
    sets = load_sets(args.vader_sdist, args.ground_truth)
    if not any(n in sets for n in GROUND_TRUTH):
        print("no ground-truth files given (--vader-sdist or --ground-truth): scoring the UCI sentences only")
    print(f"{'file':<24}{'rated':>7}{'vader':>8}{'feedback':>10}{'gain':>6}")
    for name, (texts, positive, kept) in sets.items():
        v = correct(texts, positive, kept, "vader")
        f = correct(texts, positive, kept, "feedback")
        n = int(kept.sum())
        print(f"{name:<24}{n:>7}{v.sum() / n:>8.4f}{f.sum() / n:>10.4f}{int(f.sum() - v.sum()):>+6}")
        if args.ablation:
            for fix in FEEDBACK_FIXES:
                w = correct(texts, positive, kept, sorted(set(FEEDBACK_FIXES) - {fix}))
                print(f"    without {fix:<24} would gain {int((w & ~f).sum()):>3}, lose {int((f & ~w).sum()):>3}")
            for fix in sorted(OPT_IN_FIXES):
                w = correct(texts, positive, kept, sorted(set(FEEDBACK_FIXES) | {fix}))
                print(f"    with opt-in {fix:<20} would gain {int((w & ~f).sum()):>3}, lose {int((f & ~w).sum()):>3}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
