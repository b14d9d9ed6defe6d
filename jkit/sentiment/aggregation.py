"""Scored feedback summed up: mean sentiment and label shares per group, and the emotion curve.

:func:`sentiment_summary` gives, per stage, touchpoint, source, persona or period, the mean
compound score and the share of each label with confidence intervals; :func:`emotion_curve`
orders those per stage along the journey's stage model.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jkit._rules import as_list, require_columns, to_naive_utc
from jkit.errors import JkitWarning, ParameterError
from jkit.sentiment.scoring import LABELS
from jkit.stats import mean_interval, wilson_interval

__all__ = ["emotion_curve", "sentiment_summary"]


def _group_values(frame: pd.DataFrame, col: str) -> pd.Series:
    """The values of ``col``, missing ones as the group ``"(missing)"``."""
    values = frame[col]
    if values.isna().any():
        values = values.astype("string").fillna("(missing)")
    return values


def sentiment_summary(
    scored: pd.DataFrame,
    *,
    by: str | Sequence[str] = "stage",
    compound_col: str = "compound", label_col: str = "label",
    period: str | None = None,
    time_col: str = "timestamp",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean sentiment and label shares, with confidence intervals, per group.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`score_sentiment`'s columns.
    by : str or list of str, default "stage"
        Grouping column(s): ``"stage"``, ``"touchpoint"``, ``"source"``, ``"persona"``, ... Missing
        values form the group ``"(missing)"``.
    compound_col, label_col : str
        Score columns.
    period : str, optional
        Also group by calendar period of ``time_col``: a pandas period alias such as ``"W"``,
        ``"M"`` or ``"Q"`` (adds a ``period`` column).
    time_col : str, default "timestamp"
        Time column used with ``period``.
    confidence : float, default 0.95
        Level of the intervals: Student-t for the mean, Wilson for the shares.

    Returns
    -------
    DataFrame
        One row per group: the group column(s), ``n`` (scored texts), ``n_set_aside``,
        ``mean_compound``, ``mean_low``, ``mean_high``, and for each label L in negative, neutral,
        positive: ``share_L``, ``share_L_low``, ``share_L_high``.

    Examples
    --------
    >>> sentiment_summary(scored, by=["stage", "touchpoint"])        # doctest: +SKIP
    """
    keys = as_list(by)
    frame = scored
    require_columns(frame, [*keys, compound_col, label_col, *([time_col] if period is not None else [])],
                    "sentiment_summary")
    work = pd.DataFrame(index=frame.index)
    for k in keys:
        work[k] = _group_values(frame, k)
    if period is not None:
        ts = frame[time_col]
        if isinstance(ts.dtype, pd.DatetimeTZDtype):
            ts = to_naive_utc(ts)
        try:
            work["period"] = pd.to_datetime(ts).dt.to_period(period).astype("string")
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"period={period!r} should be a pandas period alias such as 'W', 'M' or 'Q' ({exc})") from None
        keys = [*keys, "period"]
    work["_c"] = pd.to_numeric(frame[compound_col], errors="coerce").astype("float64")
    work["_l"] = frame[label_col].astype("string")
    rows = []
    for name, g in work.groupby(keys, sort=True, dropna=False):
        name = name if isinstance(name, tuple) else (name,)
        scored_g = g["_c"].notna()
        n = int(scored_g.sum())
        mean, lo, hi = mean_interval(g["_c"].to_numpy(), confidence)
        row = dict(zip(keys, name, strict=True))
        row.update(n=n, n_set_aside=int((~scored_g).sum()), mean_compound=mean, mean_low=lo, mean_high=hi)
        for lab in LABELS:
            k = int((g["_l"] == lab).sum())
            low, high = wilson_interval(k, n, confidence)
            row.update({f"share_{lab}": k / n if n else np.nan, f"share_{lab}_low": float(low), f"share_{lab}_high": float(high)})
        rows.append(row)
    cols = [*keys, "n", "n_set_aside", "mean_compound", "mean_low", "mean_high"] + [
        f"share_{lab}{s}" for lab in LABELS for s in ("", "_low", "_high")
    ]
    return pd.DataFrame(rows, columns=cols)


def emotion_curve(
    scored: pd.DataFrame,
    stages: Any = None,
    *,
    stage_col: str = "stage", compound_col: str = "compound", label_col: str = "label",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean sentiment along the journey: one row per stage, in the stage model's order.

    Parameters
    ----------
    scored : DataFrame
        Feedback joined with :func:`score_sentiment`'s columns, with a stage column.
    stages : StageModel, template name, list of stage names, or None
        The order of the stages (default: the ``five_stage`` template). Stages without feedback
        appear with ``n = 0``; feedback without a known stage is left out with a JkitWarning.
    stage_col, compound_col, label_col : str
        Column names.
    confidence : float, default 0.95
        Interval level.

    Returns
    -------
    DataFrame
        ``stage``, ``stage_index`` (0-based) and the columns of :func:`sentiment_summary`; the row
        with the lowest ``mean_compound`` is the journey's emotional dip.
    """
    if isinstance(stages, (list, tuple)):
        names = [str(s) for s in stages]
    else:
        from jkit.stages import load_stage_model

        names = load_stage_model(stages).names
    require_columns(scored, [stage_col], "emotion_curve", hint="pass stage_col= the feedback's stage column")
    known = scored[stage_col].isin(names)
    n_unknown = int((~known).sum())
    if n_unknown:
        found = scored.loc[~known, stage_col].astype("string").fillna("(missing)").value_counts().head(3)
        warnings.warn(
            f"emotion_curve: left out {n_unknown:,} of {len(scored):,} feedback rows whose stage is not in the stage "
            f"model ({', '.join(f'{k!r}: {v}' for k, v in found.items())})",
            JkitWarning,
            stacklevel=2,
        )
    summary = sentiment_summary(
        scored[known], by=stage_col, compound_col=compound_col, label_col=label_col, confidence=confidence
    )
    base = pd.DataFrame({stage_col: names, "stage_index": range(len(names))})
    out = base.merge(summary.astype({stage_col: "object"}), on=stage_col, how="left")
    out["n"] = out["n"].fillna(0).astype("int64")
    out["n_set_aside"] = out["n_set_aside"].fillna(0).astype("int64")
    return out.rename(columns={stage_col: "stage"})
