"""What the feedback report decides before it scores: the date window and whether to learn from ratings.

:func:`feedback_window` keeps the texts written between two dates; :func:`rating_column` finds the
study's rating column (CSAT, NPS, CES, stars) with enough rated texts; :func:`calibrated_model`
fits a :class:`jkit.sentiment.SentimentModel` on it, or says why the report stays with the lexicon;
:func:`study_sentiment` does all three and scores the feedback, so that the journey map, the
feedback report and the persona report score it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from jkit._rules import to_utc
from jkit.errors import ParameterError

__all__ = ["RATING_COLUMNS", "StudySentiment", "calibrated_model", "feedback_window", "rating_column", "study_sentiment"]

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


@dataclass
class StudySentiment:
    """The feedback's scores and how they were made.

    Attributes
    ----------
    scores : DataFrame
        :func:`~jkit.sentiment.score_sentiment`'s columns, on the feedback's index.
    model : SentimentModel or None
        The model learned from ratings (None: none was fitted); it scored the texts when
        ``model.fallback_`` is None.
    rating_col : str or None
        The rating column learned from.
    why : str
        Why there is no model, or which ratings it learned from.
    rules : str
        The lexicon's rules.
    """

    scores: pd.DataFrame
    model: Any
    rating_col: str | None
    why: str
    rules: str

    @property
    def calibrated(self) -> bool:
        """Whether the scores are the learned model's."""
        return self.model is not None and self.model.fallback_ is None

    @property
    def scored_by(self) -> str:
        """A headline: what scored the texts."""
        return f"a model learned from {self.rating_col} ratings" if self.calibrated else f"VADER ({self.rules} rules)"

    def accuracy_sentence(self) -> str:
        """One sentence for a report: what scored the texts and how well each scorer does on the study's labels."""
        if self.model is None:
            return f"Sentiment is scored by VADER ({self.rules} rules); no model was learned from ratings: {self.why}."
        m = self.model
        lexicon = (f"VADER {m.lexicon_cv_accuracy_:.1%} (95% CI {m.lexicon_cv_interval_[0]:.1%}–"
                   f"{m.lexicon_cv_interval_[1]:.1%})")
        if pd.isna(m.cv_accuracy_):
            measured = f"the lexicon is right on {lexicon} of the {m.n_labelled_:,} rated texts"
        else:
            measured = (f"on held-out folds of the {m.n_labelled_:,} rated texts the model is right on {m.cv_accuracy_:.1%} "
                        f"(95% CI {m.cv_interval_[0]:.1%}–{m.cv_interval_[1]:.1%}), {lexicon}")
        if self.calibrated:
            return f"Sentiment is scored by a model learned from the study's {self.rating_col} ratings: {measured}."
        return f"Sentiment is scored by VADER ({self.rules} rules): {m.fallback_}; {measured}."


def study_sentiment(feedback: pd.DataFrame, *, text_col: str = "text", rules: str = "feedback", lexicon=None,
                    thresholds: tuple[float, float] = (-0.05, 0.05), engine: str | None = None,
                    calibrate: str = "auto", rating_col: str = "", min_rated: int = 200) -> StudySentiment:
    """Score the study's feedback: with a model learned from its ratings when enough texts carry one, else the lexicon.

    Parameters
    ----------
    feedback : DataFrame
        The study's feedback.
    text_col, rules, lexicon, thresholds, engine
        As :func:`~jkit.sentiment.score_sentiment`.
    calibrate : {"auto", "off"}
        ``"off"``: the lexicon only.
    rating_col : str
        The rating column; empty: the first of :data:`RATING_COLUMNS` with ``min_rated`` ratings.
    min_rated : int, default 200
        Fewest rated texts to learn from.

    Returns
    -------
    StudySentiment
    """
    from jkit.sentiment import score_sentiment

    if calibrate not in ("auto", "off"):
        raise ParameterError(f"calibrate={calibrate!r} should be 'auto' or 'off'")
    rated, why = rating_column(feedback, rating_col, min_rated=min_rated) if calibrate == "auto" else (None, "calibrate is off")
    model = None
    if rated is not None and engine not in (None, "pandas"):
        rated, why = None, f"learning from ratings runs on the pandas engine only (engine={engine!r})"
    if rated is not None:
        model = calibrated_model(feedback, rated, text_col=text_col, rules=rules, lexicon=lexicon, thresholds=thresholds)
    use = {"model": model} if model is not None and model.fallback_ is None else {}
    scores = score_sentiment(feedback, text_col=text_col, rules=rules, lexicon=lexicon, engine=engine,
                             thresholds=thresholds, **use)
    return StudySentiment(scores, model, rated, why, rules)
