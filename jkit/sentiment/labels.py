"""Sentiment labels from what a study records beside its texts: words, survey scores, star ratings.

:func:`sentiment_labels` turns a column into "negative" / "neutral" / "positive" (NA where the value
is missing) with the mapping of :data:`SCALES`, a ``cutoffs=`` pair or a ``label_map=``; a value the
mapping does not know is an error naming it and its rows, never a silently dropped row.

=========  ==========  ==========  ==========  ==========================================
scale      values      negative    neutral     positive
=========  ==========  ==========  ==========  ==========================================
``nps``    0–10        0–6         7–8         9–10 (detractors, passives, promoters)
``csat``   1–5         1–2         3           4–5
``stars``  1–5         1–2         3           4–5
``ces``    1–7         5–7         4           1–3 (1 = very low effort, the good end)
``binary`` 0/1         0           —           1 (also ``True``/``False``)
=========  ==========  ==========  ==========  ==========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, ParameterError, describe_values, format_rows
from jkit.sentiment.scoring import LABELS

__all__ = ["SCALES", "Scale", "sentiment_labels"]


@dataclass(frozen=True)
class Scale:
    """A numeric rating scale: its range and the cut points between the three labels.

    ``negative_max`` and ``positive_min`` are inclusive; with ``reverse`` the low end is the good one
    (values ``>= negative_min`` are negative, ``<= positive_max`` positive).
    """

    low: float
    high: float
    negative_max: float
    positive_min: float
    reverse: bool = False


#: the documented mappings of survey scores and star ratings (see the module docstring)
SCALES: dict[str, Scale] = {
    "nps": Scale(0, 10, 6, 9),
    "csat": Scale(1, 5, 2, 4),
    "stars": Scale(1, 5, 2, 4),
    "ces": Scale(1, 7, 5, 3, reverse=True),  # reversed: negative from 5, positive up to 3
    "binary": Scale(0, 1, 0, 1),
}

_WORDS = {label: label for label in LABELS} | {"neg": "negative", "pos": "positive", "neu": "neutral"}


def _rows(mask: np.ndarray) -> str:
    return format_rows(np.flatnonzero(mask) + 1)


def _from_map(values: pd.Series, present: np.ndarray, label_map: Mapping[Any, str], column: str) -> np.ndarray:
    bad_targets = sorted({str(v) for v in label_map.values() if v not in LABELS})
    if bad_targets:
        raise ParameterError(f"label_map maps to {', '.join(bad_targets)}; its values should be among {', '.join(LABELS)}")
    keyed = {(k.strip().lower() if isinstance(k, str) else k): v for k, v in label_map.items()}
    raw = values.to_numpy(dtype=object)
    out = np.full(len(values), None, dtype=object)
    unknown = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(present):
        v = raw[i]
        key = v.strip().lower() if isinstance(v, str) else v
        try:
            out[i] = keyed[key]
        except (KeyError, TypeError):
            # numbers read as floats (4.0) still find the key 4
            alt = int(key) if isinstance(key, float) and key.is_integer() else None
            if alt is not None and alt in keyed:
                out[i] = keyed[alt]
            else:
                unknown[i] = True
    if unknown.any():
        raise DataValidationError(
            f"column '{column}' {_rows(unknown)}: value(s) {describe_values(raw[unknown].tolist())} are not in "
            f"label_map (which knows {describe_values(list(label_map), limit=8)})"
        )
    return out


def _from_words(values: pd.Series, present: np.ndarray, column: str) -> np.ndarray:
    raw = values.to_numpy(dtype=object)
    out = np.full(len(values), None, dtype=object)
    unknown = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(present):
        v = raw[i]
        word = _WORDS.get(v.strip().lower()) if isinstance(v, str) else None
        if word is None:
            unknown[i] = True
        out[i] = word
    if unknown.any():
        raise DataValidationError(
            f"column '{column}' {_rows(unknown)}: value(s) {describe_values(raw[unknown].tolist())} are not sentiment "
            f"labels; expected {', '.join(LABELS)} — or numbers with scale= ({', '.join(SCALES)}), cutoffs= or label_map="
        )
    return out


def _numbers(values: pd.Series, present: np.ndarray, column: str) -> np.ndarray:
    raw = values.to_numpy(dtype=object)
    nums = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    for i in np.flatnonzero(present):
        v = raw[i]
        try:
            nums[i] = float(v) if not isinstance(v, str) else float(v.strip())
        except (TypeError, ValueError):
            bad[i] = True
    if bad.any():
        raise DataValidationError(
            f"column '{column}' {_rows(bad)}: value(s) {describe_values(raw[bad].tolist())} are not numbers on the rating scale"
        )
    return nums


def _from_scale(nums: np.ndarray, present: np.ndarray, scale: Scale, name: str, column: str) -> np.ndarray:
    outside = present & ((nums < scale.low) | (nums > scale.high))
    if outside.any():
        raise DataValidationError(
            f"column '{column}' {_rows(outside)}: value(s) {describe_values(nums[outside].tolist())} are outside "
            f"{name}'s range {scale.low:g}–{scale.high:g}"
        )
    if scale.reverse:
        neg, pos = nums >= scale.negative_max, nums <= scale.positive_min
    else:
        neg, pos = nums <= scale.negative_max, nums >= scale.positive_min
    out = np.where(neg, "negative", np.where(pos, "positive", "neutral")).astype(object)
    out[~present] = None
    return out


def _cutoff_scale(cutoffs: Any) -> Scale:
    try:
        neg_max, pos_min = (float(c) for c in cutoffs)
    except (TypeError, ValueError):
        raise ParameterError(f"cutoffs={cutoffs!r} should be two numbers (negative_max, positive_min), e.g. (2, 4)") from None
    if neg_max >= pos_min:
        raise ParameterError(f"cutoffs={cutoffs!r}: negative_max should be below positive_min")
    return Scale(-np.inf, np.inf, neg_max, pos_min)


def sentiment_labels(
    values: pd.Series,
    *,
    scale: str | None = None,
    label_map: Mapping[Any, str] | None = None,
    cutoffs: tuple[float, float] | None = None,
    column: str = "label",
) -> pd.Series:
    """The sentiment label of each value: "negative", "neutral", "positive", or NA where missing.

    Parameters
    ----------
    values : Series
        Label words, survey scores or ratings (missing values give NA: unlabelled texts).
    scale : {"nps", "csat", "stars", "ces", "binary"}, optional
        How numbers map to labels (:data:`SCALES`). Default: ``binary`` for 0/1 and booleans, the
        column's name when it is one of the scales (``nps``, ``csat``, ``ces``, ``stars``), words
        for text; other numbers need ``scale=`` or ``cutoffs=``.
    label_map : dict, optional
        Raw value -> label (e.g. ``{"bad": "negative", "ok": "neutral", "good": "positive"}``);
        overrides ``scale``. Strings match case-insensitively.
    cutoffs : (float, float), optional
        ``(negative_max, positive_min)`` for numbers on any scale: values up to ``negative_max``
        are negative, from ``positive_min`` positive, in between neutral.
    column : str, default "label"
        The column's name, for messages.

    Returns
    -------
    Series of string
        Same index as ``values``.

    Raises
    ------
    DataValidationError
        A value the mapping does not know or outside the scale (the message names values and rows).
    """
    if scale is not None and scale not in SCALES:
        raise ParameterError(f"scale={scale!r} is not one of {', '.join(map(repr, SCALES))}")
    present = values.notna().to_numpy()
    if label_map is not None:
        out = _from_map(values, present, label_map, column)
    elif cutoffs is not None:
        out = _from_scale(_numbers(values, present, column), present, _cutoff_scale(cutoffs), "cutoffs", column)
    elif scale is not None:
        out = _from_scale(_numbers(values, present, column), present, SCALES[scale], scale, column)
    else:
        out = _guess(values, present, column)
    return pd.Series(pd.array(out, dtype="string"), index=values.index, name=values.name)


def _guess(values: pd.Series, present: np.ndarray, column: str) -> np.ndarray:
    kept = values[present]
    if pd.api.types.is_bool_dtype(kept) or (len(kept) and all(isinstance(v, (bool, np.bool_)) for v in kept)):
        return _from_scale(_numbers(values.astype(object).where(values.notna(), None), present, column), present,
                           SCALES["binary"], "binary", column)
    if pd.api.types.is_numeric_dtype(kept):
        nums = _numbers(values, present, column)
        if set(np.unique(nums[present])) <= {0.0, 1.0}:
            return _from_scale(nums, present, SCALES["binary"], "binary", column)
        name = str(column).strip().lower()
        if name in SCALES:
            return _from_scale(nums, present, SCALES[name], name, column)
        shown = nums[present]
        raise ParameterError(
            f"column '{column}' holds numbers ({shown.min():g}–{shown.max():g}); say how they map to sentiment: "
            f"scale= one of {', '.join(map(repr, SCALES))}, cutoffs=(negative_max, positive_min) or label_map="
        )
    return _from_words(values, present, column)
