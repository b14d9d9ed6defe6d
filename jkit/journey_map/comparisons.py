"""Journey maps side by side: one per persona, and the same study before and after a cut.

This module owns the comparisons built from :func:`jkit.journey_map.map.journey_map`:
:func:`journey_maps_by_persona`, :func:`compare_periods` and the :class:`JourneyComparison` it
returns (the changes between two maps, with their intervals).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import require_columns, to_utc
from jkit.errors import JkitWarning, ParameterError
from jkit.io import JourneyData
from jkit.journey_map.map import JourneyMap, journey_map, score_feedback, subset_study
from jkit.stats import mean_difference_interval, proportion_difference_interval

__all__ = ["JourneyComparison", "compare_periods", "journey_maps_by_persona"]


@dataclass
class JourneyComparison:
    """Two journey maps (earlier, later) and the changes between them with their uncertainty.

    ``changes`` columns: ``stage, measure, item, before, after, change, low, high, significant``
    where ``measure`` is ``conversion``, ``sentiment`` or ``pain_point_share``, and ``significant``
    says whether the 95% interval of the change excludes zero.
    """

    before: JourneyMap
    after: JourneyMap
    changes: pd.DataFrame
    cut: pd.Timestamp | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the cut, both maps (:meth:`JourneyMap.to_dict`) and the changes."""
        return {
            "cut": None if self.cut is None else self.cut.isoformat(),
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "changes": json.loads(self.changes.to_json(orient="records", double_precision=6)),
        }


def _persona_series(data: JourneyData, personas: pd.Series | pd.DataFrame | str) -> pd.Series:
    if isinstance(personas, str):
        if personas not in data.customers.columns:
            raise ParameterError(
                f"personas={personas!r} is not a column of the customers table; pass a column name, a Series "
                "indexed by customer_id, or a DataFrame with customer_id and persona columns"
            )
        return pd.Series(data.customers[personas].to_numpy(), index=data.customers["customer_id"].to_numpy())
    if isinstance(personas, pd.DataFrame):
        require_columns(personas, ["customer_id", "persona"], "personas",
                        hint="personas DataFrame should have customer_id and persona columns")
        return pd.Series(personas["persona"].to_numpy(), index=personas["customer_id"].astype(str).to_numpy())
    return personas


def journey_maps_by_persona(
    data: JourneyData, personas: pd.Series | pd.DataFrame | str, *, scored: pd.DataFrame | None = None, **kwargs: Any
) -> dict[str, JourneyMap]:
    """One journey map per persona (anonymous feedback is left out of every persona's map).

    ``personas`` is a customers-table column name, a Series indexed by customer id (e.g. from
    ``PersonaModel.labels_``), or a DataFrame with ``customer_id`` and ``persona``.
    """
    labels = _persona_series(data, personas)
    if scored is None and len(data.feedback):
        from jkit.sentiment import score_sentiment

        s = score_sentiment(data.feedback, rules=kwargs.get("rules", "feedback"), progress=False,
                            engine="spark" if kwargs.get("engine") == "spark" else None)
        scored = pd.DataFrame({"feedback_id": data.feedback["feedback_id"], "compound": s["compound"],
                               "label": s["label"]})
    maps = {}
    kwargs.setdefault("dropout", False)  # a persona's few writers measure little; the whole map measures it
    for persona in sorted(pd.unique(labels.dropna()), key=str):
        ids = pd.Index(labels.index[labels == persona])
        sub = subset_study(data, customers=ids)
        with _prefixed_warnings(f"persona {persona}"):
            maps[str(persona)] = journey_map(sub, scored=scored, title=f"Journey map — {persona}", **kwargs)
        maps[str(persona)].meta["persona"] = str(persona)
    return maps


class _prefixed_warnings:
    """Re-warn the JkitWarnings raised inside with ``prefix: `` so a reader knows which part they are about."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self._seen = self._cm.__enter__()
        warnings.simplefilter("always", JkitWarning)
        return self

    def __exit__(self, *exc) -> None:
        self._cm.__exit__(*exc)
        for w in self._seen:
            if issubclass(w.category, JkitWarning):
                warnings.warn(f"{self.prefix}: {w.message}", w.category, stacklevel=3)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _phrase_counts(scored: pd.DataFrame, pairs: Sequence[tuple[str, str]],
                   variants: dict[tuple[str, str], tuple[str, ...]] | None = None) -> dict[tuple[str, str], int]:
    """Texts of each stage that mention the pain point: its name or any variant merged into its theme."""
    counts: dict[tuple[str, str], int] = {}
    variants = variants or {}
    for stage, phrase in pairs:
        texts = scored.loc[(scored["stage"] == stage) & scored["compound"].notna(), "text"]
        words = sorted({phrase, *variants.get((stage, phrase), ())}, key=len, reverse=True)
        pattern = r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b"
        counts[(stage, phrase)] = int(texts.astype("string").str.lower().str.contains(pattern, regex=True).sum())
    return counts


def compare_periods(
    data: JourneyData,
    cut: str | pd.Timestamp | None = None,
    *,
    later: JourneyData | None = None,
    scored: pd.DataFrame | None = None,
    confidence: float = 0.95,
    **kwargs: Any,
) -> JourneyComparison:
    """The map before and after ``cut`` (or of ``data`` and ``later``) with the changes measured.

    Each period's map counts only that period's events and feedback. Changes per stage:
    conversion from the previous stage (Newcombe interval of the difference), mean sentiment
    (Welch interval) and the share of the stage's feedback that mentions each pain point of
    either map (Newcombe). ``significant`` is True when the interval excludes 0.
    """
    if (cut is None) == (later is None):
        raise ParameterError("compare_periods needs either cut= (a date) or later= (a second JourneyData)")
    if later is None:
        cut_ts = to_utc(cut)
        start, end = data.period
        if start is None or not (start < cut_ts <= end):
            raise ParameterError(f"cut={str(cut)!r} should fall inside the data's period ({start} to {end})")
        first, second = subset_study(data, end=cut_ts), subset_study(data, start=cut_ts)
    else:
        cut_ts, first, second = None, data, later
    kwargs.setdefault("dropout", False)  # the changes compare the fixed-formula parts of the two maps
    scored_a = score_feedback(first, scored, kwargs.get("rules", "feedback"), kwargs.get("engine"))
    scored_b = score_feedback(second, scored, kwargs.get("rules", "feedback"), kwargs.get("engine"))
    ids_a = scored_a[["feedback_id", "compound", "label"]]
    ids_b = scored_b[["feedback_id", "compound", "label"]]
    with _prefixed_warnings("before the cut"):
        before = journey_map(first, scored=ids_a, confidence=confidence, title="Before", **kwargs)
    with _prefixed_warnings("from the cut on"):
        after = journey_map(second, scored=ids_b, confidence=confidence, title="After", **kwargs)
    rows = []
    ra, rb = before.reach.set_index("stage"), after.reach.set_index("stage")
    names = before.stages
    for i, stage in enumerate(names[1:], start=1):
        prev = names[i - 1]
        d, lo, hi = proportion_difference_interval(ra.loc[stage, "customers"], ra.loc[prev, "customers"],
                                                   rb.loc[stage, "customers"], rb.loc[prev, "customers"], confidence)
        rows.append(_change(stage, "conversion", "", ra.loc[stage, "conversion_from_previous"],
                            rb.loc[stage, "conversion_from_previous"], float(d), float(lo), float(hi)))
    for stage in names:
        a = scored_a.loc[scored_a["stage"] == stage, "compound"]
        b = scored_b.loc[scored_b["stage"] == stage, "compound"]
        d, lo, hi = mean_difference_interval(a, b, confidence)
        rows.append(_change(stage, "sentiment", "", a.mean(), b.mean(), d, lo, hi))
    pairs = sorted(set(map(tuple, before.pain_points[["stage", "phrase"]].to_numpy()))
                   | set(map(tuple, after.pain_points[["stage", "phrase"]].to_numpy())))
    if pairs:
        variants = {**before.pain_points.attrs.get("variants", {}), **after.pain_points.attrs.get("variants", {})}
        ca, cb = _phrase_counts(scored_a, pairs, variants), _phrase_counts(scored_b, pairs, variants)
        na = before.emotion.set_index("stage")["feedback"]
        nb = after.emotion.set_index("stage")["feedback"]
        for stage, phrase in pairs:
            d, lo, hi = proportion_difference_interval(ca[(stage, phrase)], na[stage], cb[(stage, phrase)],
                                                       nb[stage], confidence)
            share_a = ca[(stage, phrase)] / na[stage] if na[stage] else np.nan
            share_b = cb[(stage, phrase)] / nb[stage] if nb[stage] else np.nan
            rows.append(_change(stage, "pain_point_share", phrase, share_a, share_b, float(d), float(lo), float(hi)))
    changes = pd.DataFrame(rows, columns=["stage", "measure", "item", "before", "after", "change", "low", "high",
                                          "significant"])
    return JourneyComparison(before=before, after=after, changes=changes, cut=cut_ts)


def _change(stage, measure, item, before, after, change, low, high) -> dict[str, Any]:
    # None where nothing could be tested (no interval), not False
    significant = bool(low > 0 or high < 0) if pd.notna(low) and pd.notna(high) else None
    return {"stage": stage, "measure": measure, "item": item, "before": float(before), "after": float(after),
            "change": change, "low": low, "high": high, "significant": significant}
