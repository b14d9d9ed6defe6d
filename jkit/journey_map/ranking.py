"""The journey map's opportunities: (stage, theme) pairs ranked, lifted where the theme's writers measurably drop out.

``score = share_touched × negativity × (1 + dropoff) × dropout_ratio``

* ``share_touched``: the share of the stage's feedback that mentions the theme;
* ``negativity = max(0, −mean sentiment of those texts)``;
* ``dropoff``: the stage's drop-off rate (1 − conversion from the previous stage; 0 at the first);
* ``dropout_ratio``: how many times as often the customers who wrote about the theme at this stage
  failed to reach the next stage as those who did not (:func:`jkit.drivers.theme_dropoff`), where
  that difference is significant after the Benjamini–Hochberg correction (``q < alpha``); else 1
  (``basis`` says which). It is an association, not an effect: customers who complain may be the
  ones who were leaving anyway.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OPPORTUNITY_COLUMNS", "OPPORTUNITY_FORMULA", "dropout_association", "opportunities"]

OPPORTUNITY_FORMULA = ("score = share of the stage's feedback touched × negativity (−mean sentiment) × (1 + drop-off rate)"
                       " × the theme's writers' measured drop-out ratio where significant (else 1)")

#: the columns of :func:`opportunities`
OPPORTUNITY_COLUMNS = ["rank", "stage", "pain_point", "action", "share_touched", "negativity", "dropoff",
                       "dropout_ratio", "dropout_q", "basis", "score"]

_RATIO_CAP = 10.0  # a theme whose writers all leave and the others all stay must not swamp the ranking


def dropout_association(data, scored: pd.DataFrame, *, window: str | pd.Timedelta | None = None) -> pd.DataFrame | None:
    """Each stage's themes against not reaching the next stage (:func:`jkit.drivers.theme_dropoff`), or None.

    None when the study cannot say (no events, no feedback linked to customers, nothing to compare):
    the ranking then uses the fixed formula alone.
    """
    from jkit.drivers import theme_dropoff
    from jkit.errors import DataValidationError, ParameterError

    if not (data.has("events") and data.has("feedback", "customer_id") and len(scored)):
        return None
    try:
        table = theme_dropoff(data, scored[["feedback_id", "compound", "label"]], window=window)
    except (ParameterError, DataValidationError):
        return None
    return table if len(table) else None


def opportunities(
    pain_points: pd.DataFrame, reach: pd.DataFrame, feedback_per_stage: pd.Series, *, top_n: int = 5,
    association: pd.DataFrame | None = None, alpha: float = 0.05,
) -> pd.DataFrame:
    """Rank (stage, pain point) pairs by :data:`OPPORTUNITY_FORMULA`.

    Parameters
    ----------
    pain_points : DataFrame
        ``stage, phrase, count, mean_sentiment`` (one row per pain point per stage), optionally
        ``complaint`` (see :func:`jkit.pain_points.pain_point_themes`).
    reach : DataFrame
        ``stage, dropoff``.
    feedback_per_stage : Series
        Number of feedback texts per stage (index: stage).
    top_n : int, default 5
    association : DataFrame, optional
        :func:`dropout_association`'s table (``stage, theme, dropoff_with, dropoff_without, q_value``).
    alpha : float, default 0.05
        False-discovery rate below which a measured drop-out ratio is used.

    Returns
    -------
    DataFrame
        :data:`OPPORTUNITY_COLUMNS`, best first; ``action`` reads the opportunity as an action on
        the theme ("slow support at retention"); ``basis`` is "measured" where the drop-out ratio
        is used, "formula" otherwise.
    """
    if pain_points.empty:
        return pd.DataFrame(columns=OPPORTUNITY_COLUMNS)
    pp = pain_points.copy()
    dropoff = reach.set_index("stage")["dropoff"].fillna(0.0)
    n_stage = feedback_per_stage.reindex(pp["stage"]).to_numpy(dtype=float)
    pp["share_touched"] = pp["count"].to_numpy(dtype=float) / np.where(n_stage > 0, n_stage, np.nan)
    pp["negativity"] = (-pp["mean_sentiment"].astype(float)).clip(lower=0)
    pp["dropoff"] = pp["stage"].map(dropoff).fillna(0.0).astype(float)
    pp["dropout_ratio"], pp["dropout_q"] = np.nan, np.nan
    if association is not None and len(association):
        measured = association.drop_duplicates(["stage", "theme"]).set_index(["stage", "theme"])
        keys = pd.MultiIndex.from_arrays([pp["stage"].astype(str), pp["phrase"].astype(str)])
        found = measured.reindex(keys)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = found["dropoff_with"].to_numpy(float) / found["dropoff_without"].to_numpy(float)
        pp["dropout_ratio"] = np.clip(ratio, 0, _RATIO_CAP)  # NaN (not measured) stays NaN
        pp["dropout_q"] = found["q_value"].to_numpy(float)
    used = pp["dropout_q"].lt(alpha) & pp["dropout_ratio"].notna()
    pp["basis"] = np.where(used, "measured", "formula")
    lift = np.where(used, pp["dropout_ratio"], 1.0)
    pp["score"] = pp["share_touched"] * pp["negativity"] * (1 + pp["dropoff"]) * lift
    pp = pp[pp["score"] > 0].sort_values("score", ascending=False).head(top_n).reset_index(drop=True)
    pp["rank"] = np.arange(1, len(pp) + 1)
    complaint = pp["complaint"] if "complaint" in pp.columns else pd.Series("", index=pp.index)
    pp["action"] = [f"{_complaint_of(str(t), str(c or ''))} at {s}"
                    for t, c, s in zip(pp["phrase"], complaint.fillna(""), pp["stage"], strict=True)]
    return pp.rename(columns={"phrase": "pain_point"})[OPPORTUNITY_COLUMNS]


def _complaint_of(theme: str, complaint: str) -> str:
    """"slow" + "support" → "slow support"; a verb in -s follows its subject: "app crashes"."""
    if not complaint or complaint in theme.split():
        return theme
    return f"{theme} {complaint}" if complaint.endswith("s") and " " not in complaint else f"{complaint} {theme}"
