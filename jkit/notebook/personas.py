"""What the persona report says first: whether the personas differ on outcomes, and how many hold up.

:func:`spread_headline` and :func:`stable_headline` are the report's headline tiles;
:func:`spread_sentence` reads ``model.outcome_spread_`` in plain words.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["spread_headline", "spread_sentence", "stable_headline"]


def _fmt(value: float, binary: bool) -> str:
    return f"{value:.0%}" if binary else f"{value:,.3g}"


def _ends(model, row) -> tuple[str, float, str, float]:
    """The highest and lowest persona on an outcome row: their names and means (from ``profiles_``)."""
    profiles = model.profiles_.set_index("persona")
    mean = f"{row.outcome}_mean"

    def one(persona):
        if persona not in profiles.index:
            return "?", float("nan")
        value = profiles.loc[persona, mean] if mean in profiles.columns else float("nan")
        return str(profiles.loc[persona, "name"]), float(value)

    return (*one(row.highest), *one(row.lowest))


def spread_headline(model) -> str:
    """``"Churn: 38% vs 8%"`` for the outcome the personas separate most beyond chance; else why not."""
    spread = getattr(model, "outcome_spread_", None)
    if spread is None or not len(spread):
        return "no outcome to judge them on"
    beats = spread[spread["beats_random"].fillna(False).astype(bool)]
    if beats.empty:
        return "no more than random splits"
    excess = beats["spread"] / beats["random_high"].where(beats["random_high"] > 0)
    row = next(beats.loc[[excess.fillna(float("inf")).idxmax()]].itertuples(index=False))
    binary = str(row.kind).startswith("binary")
    _, high, _, low = _ends(model, row)
    return f"{row.outcome}: {_fmt(high, binary)} vs {_fmt(low, binary)}"


def spread_sentence(model) -> str:
    """One sentence per outcome of ``model.outcome_spread_``: the spread, its interval, random splits', k-means'."""
    parts = []
    for row in model.outcome_spread_.itertuples(index=False):
        binary = str(row.kind).startswith("binary")
        high_name, high, low_name, low = _ends(model, row)
        verdict = "more than" if bool(row.beats_random) else "no more than"
        text = (f"On {row.outcome}, the personas differ by {_fmt(row.spread, binary)} (95% CI "
                f"{_fmt(row.spread_low, binary)}–{_fmt(row.spread_high, binary)}; highest {high_name} "
                f"{_fmt(high, binary)}, lowest {low_name} {_fmt(low, binary)}): {verdict} random splits of the same "
                f"sizes give (95th percentile {_fmt(row.random_high, binary)})")
        if pd.notna(row.kmeans_spread):
            text += f"; plain k-means with the same number of groups: {_fmt(row.kmeans_spread, binary)}"
        parts.append(text + ".")
    return " ".join(parts)


def stable_headline(model) -> str:
    """``"3 of 4 stable"`` from the per-persona bootstrap Jaccard (clusterboot's ≥ 0.75), or why not measured."""
    stability = model.profiles_["stability"] if "stability" in model.profiles_.columns else pd.Series(dtype=float)
    if stability.isna().all():
        return "not measured (n_bootstrap 0)"
    return f"{int((stability >= 0.75).sum())} of {len(stability)} (Jaccard ≥ 0.75)"
