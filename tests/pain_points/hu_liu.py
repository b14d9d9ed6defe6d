"""A reader of Hu & Liu's annotated customer reviews (``../shared/data/reviews/hu_liu_5``), for tests.

Each review sentence is a line ``annotations##sentence``; an annotation is ``feature[+n]`` or
``feature[-n]`` (opinion strength 1..3), optionally followed by ``[u]``/``[p]`` (the feature is not
named in the sentence) and the like; ``[t]`` lines are review titles and start a new review.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pandas as pd

__all__ = ["PRODUCTS", "feature_head", "matches", "most_criticised", "read_product", "singular"]

PRODUCTS = (
    "Apex_AD2600_Progressive_scan_DVD player",
    "Canon_G3",
    "Creative_Labs_Nomad_Jukebox_Zen_Xtra_40GB",
    "Nikon_coolpix_4300",
    "Nokia_6610",
)

_ANNOTATION = re.compile(r"([^,\[\]]+?)\s*\[\s*([+-])\s*(\d)\s*\]")


def read_product(folder: Path, product: str) -> pd.DataFrame:
    """One product's sentences: ``feedback_id, review, text, features`` (list of ``(feature, sign)``)."""
    rows = []
    review = 0
    with open(folder / f"{product}.txt", encoding="latin-1") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("[t]"):
                review += 1
                continue
            if "##" not in line:
                continue
            ann, text = line.split("##", 1)
            text = text.strip()
            if not text:
                continue
            features = [(m.group(1).strip().lower(), -1 if m.group(2) == "-" else 1)
                        for m in _ANNOTATION.finditer(ann)]
            rows.append({"feedback_id": f"{len(rows)}", "review": review, "text": text, "features": features})
    return pd.DataFrame(rows)


def most_criticised(sentences: pd.DataFrame, n: int = 5) -> list[str]:
    """The ``n`` features with the most negative annotations (ties: alphabetical)."""
    counts = Counter(f for feats in sentences["features"] for f, sign in feats if sign < 0)
    return [f for f, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def singular(word: str) -> str:
    """A crude singular: ``batteries`` → ``battery``, ``buttons`` → ``button``."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("es") and word[:-2].endswith(("ch", "sh", "x", "ss")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def feature_head(feature: str) -> str:
    """The head word of a feature name (the last word of an English noun compound), singular."""
    return singular(feature.split()[-1])


def matches(theme_words: list[str], feature: str) -> bool:
    """A theme matches a feature when its words hold the feature's head word (singular or plural)."""
    return feature_head(feature) in {singular(w) for w in theme_words}
