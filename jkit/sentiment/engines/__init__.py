"""The engines that score sentiment: ``{engine name: "module:function"}``, loaded on first use.

Each engine is a function ``(data, options, *, text_col)`` taking the
:class:`~jkit.sentiment.scoring.ScoringOptions` of :func:`jkit.sentiment.score_sentiment`;
:func:`jkit._engines.choose` picks one and :func:`jkit._engines.load` imports it.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

#: engine name -> its scoring function (``"pandas"`` first: the default for local input)
ENGINES: dict[str, str] = {
    "pandas": "jkit.sentiment.engines.pandas:score_sentiment",
    "spark": "jkit.sentiment.engines.spark:score_sentiment",
}
