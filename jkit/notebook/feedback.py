"""What the feedback report decides before it scores: the date window and whether to learn from ratings.

:func:`feedback_window` keeps the texts written between two dates; :func:`rating_column` finds the
study's rating column (CSAT, NPS, CES, stars) with enough rated texts; :func:`calibrated_model`
fits a :class:`jkit.sentiment.SentimentModel` on it, or says why the report stays with the lexicon.
"""

from __future__ import annotations

import pandas as pd

from jkit._rules import to_utc
from jkit.errors import ParameterError

__all__ = ["RATING_COLUMNS", "calibrated_model", "feedback_window", "rating_column"]

#: rating columns a study may carry beside the text, in the order they are preferred
RATING_COLUMNS = ("csat", "nps", "ces", "stars", "rating")


def feedback_window(feedback: pd.DataFrame, start: str = "", end: str = "", *, apply: bool = True) -> pd.DataFrame:
    """The feedback written from ``start`` through ``end`` (dates, inclusive; empty: unbounded).

    Raises ParameterError for a value that is not a date (also with ``apply=False``, which only
    checks the dates: for feedback without times).
    """
    bounds = {}
    for name, value in (("start", start), ("end", end)):
        if value:
            try:
                bounds[name] = to_utc(value)
            except (ValueError, TypeError):
                raise ParameterError(f"{name}={value!r} should be a date such as '2025-01-01'") from None
    if not bounds or not apply:
        return feedback
    keep = pd.Series(True, index=feedback.index)
    if "start" in bounds:
        keep &= feedback["timestamp"] >= bounds["start"]
    if "end" in bounds:
        keep &= feedback["timestamp"] < bounds["end"] + pd.Timedelta(days=1)
    return feedback[keep]


def rating_column(feedback: pd.DataFrame, wanted: str = "", *, min_rated: int = 200) -> tuple[str | None, str]:
    """The column to learn sentiment from, and a sentence for the report.

    ``wanted`` names it (it must exist); empty picks the first of :data:`RATING_COLUMNS` with at
    least ``min_rated`` rated texts. Returns ``(None, why)`` when there is none.
    """
    if wanted:
        if wanted not in feedback.columns:
            raise ParameterError(f"rating_col={wanted!r} is not a column of the feedback; its columns are "
                                 f"{', '.join(map(str, feedback.columns))}")
        candidates = [wanted]
    else:
        candidates = [c for c in RATING_COLUMNS if c in feedback.columns]
    counts = {c: int(feedback[c].notna().sum()) for c in candidates}
    for col, n in counts.items():
        if n >= min_rated:
            return col, f"{n:,} texts carry a {col} rating"
    if not counts:
        return None, f"the feedback has no rating column ({', '.join(RATING_COLUMNS)})"
    best = max(counts, key=counts.get)
    return None, f"only {counts[best]:,} texts carry a {best} rating (at least {min_rated:,} are needed to learn from)"


def calibrated_model(feedback: pd.DataFrame, rating_col: str, *, text_col: str = "text", rules: str = "vader",
                     lexicon=None, thresholds: tuple[float, float] = (-0.05, 0.05)):
    """A :class:`~jkit.sentiment.SentimentModel` fitted on ``feedback``'s ``rating_col``.

    The model falls back to the lexicon by itself (``fallback_`` says why) when the ratings do not
    teach it more than the lexicon knows.
    """
    from jkit.sentiment import SentimentModel

    model = SentimentModel(label_col=rating_col, text_col=text_col, rules=rules, lexicon=lexicon,
                           thresholds=thresholds)
    return model.fit(feedback)
