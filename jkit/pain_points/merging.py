"""Merging candidate phrases into themes, and naming and quoting each theme.

Candidates arrive best first. Variants already share a key (the stemmed words: plural and
singular, "crash"/"crashes"). A candidate then joins the first theme whose texts overlap its own by
more than ``max_overlap`` of the smaller set (``|A ∩ B| / min(|A|, |B|)``): "battery" and "battery
life" join because every text holding the longer phrase holds the shorter, and two phrases of the
same complaint ("slow", "support reply") join because they are written together. Themes that come
to overlap after growing are merged too, so no two themes share more than ``max_overlap`` of
their texts.

A theme's name is the phrase customers use most, preferring the longer phrase when it is written
in at least ``name_share`` of the texts of the most frequent one ("battery life" over "battery").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from jkit.pain_points.candidates import NEGATIONS

__all__ = ["Theme", "merge_candidates", "overlap", "theme_name"]


@dataclass
class Theme:
    """A theme being built: its candidate keys, the texts they cover and the surface forms used."""

    keys: list[str]
    rows: set[int]
    surfaces: Counter[str] = field(default_factory=Counter)


def overlap(a: set[int], b: set[int]) -> float:
    """``|a ∩ b| / min(|a|, |b|)`` (0 when either is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for x in small if x in large) / len(small)


def merge_candidates(
    ranked: list[tuple[str, set[int], Counter[str]]], *, max_overlap: float = 0.5, limit: int | None = None,
) -> list[Theme]:
    """Themes from candidates best first: ``(key, rows holding it, surface forms with counts)``.

    Stops once ``limit`` themes exist and the next candidate would start a new one.
    """
    themes: list[Theme] = []
    for key, rows, surfaces in ranked:
        best, best_share = None, max_overlap
        for theme in themes:
            share = overlap(rows, theme.rows)
            if share > best_share:
                best, best_share = theme, share
        if best is None:
            if limit is not None and len(themes) >= limit:
                continue
            themes.append(Theme([key], set(rows), Counter(surfaces)))
            continue
        best.keys.append(key)
        best.rows |= rows
        best.surfaces.update(surfaces)
        _absorb(themes, best, max_overlap)
    return themes


def _absorb(themes: list[Theme], grown: Theme, max_overlap: float) -> None:
    """Merge into ``grown`` every theme it now overlaps too much (the earlier, better one keeps its place)."""
    changed = True
    while changed:
        changed = False
        for other in themes:
            if other is grown or overlap(other.rows, grown.rows) <= max_overlap:
                continue
            first, second = (other, grown) if themes.index(other) < themes.index(grown) else (grown, other)
            first.keys.extend(second.keys)
            first.rows |= second.rows
            first.surfaces.update(second.surfaces)
            themes.remove(second)
            grown = first
            changed = True
            break


def theme_name(surfaces: Counter[str], *, name_share: float = 0.5, nounish: Counter[str] | None = None) -> str:
    """The phrase customers use most, the longer one when it is nearly as frequent (``nounish``:
    noun evidence of each word, see :func:`jkit.pain_points.candidates.noun_evidence`, breaks ties).

    >>> theme_name(Counter({"battery": 10, "battery life": 6, "life": 7}))
    'battery life'
    """
    if not surfaces:
        return ""
    top = max(surfaces.values())
    frequent = [s for s, c in surfaces.items() if c >= name_share * top]
    # a thing ("product descriptions") names a theme better than what is said of it ("not useful")
    things = [s for s in frequent if s.split()[0] not in NEGATIONS and "n't" not in s.split()[0]]
    # ties go to the phrase whose last word is used as a noun ("delivery" over "late")
    evidence = nounish or Counter()
    return max(things or frequent, key=lambda s: (len(s.split()), surfaces[s], evidence[s.split()[-1]], -len(s), s))


def coverage_matrix(themes: list[Theme]) -> np.ndarray:
    """Pairwise :func:`overlap` of the themes (diagonal 1), for checks and tests."""
    n = len(themes)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            out[i, j] = out[j, i] = overlap(themes[i].rows, themes[j].rows)
    return out
