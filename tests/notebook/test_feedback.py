"""jkit.notebook.feedback: the feedback report's date window and the choice to learn from ratings."""

from __future__ import annotations

import pandas as pd
import pytest

from jkit.errors import ParameterError
from jkit.notebook import feedback_window, rating_column


def _feedback() -> pd.DataFrame:
    times = pd.to_datetime(["2025-01-01 08:00", "2025-01-31 23:59", "2025-02-01 00:00", "2025-03-10 00:00"], utc=True)
    return pd.DataFrame({"text": list("abcd"), "timestamp": times, "csat": [5, None, 1, 2], "nps": [9, 8, 7, 6]})


def test_the_window_keeps_whole_days_at_both_ends():
    fb = _feedback()
    assert feedback_window(fb, "2025-01-01", "2025-01-31")["text"].tolist() == ["a", "b"]
    assert feedback_window(fb, start="2025-02-01")["text"].tolist() == ["c", "d"]
    assert feedback_window(fb)["text"].tolist() == list("abcd")
    assert feedback_window(fb, "2025-02-01", apply=False)["text"].tolist() == list("abcd")
    with pytest.raises(ParameterError, match="end='soon' should be a date"):
        feedback_window(fb, end="soon", apply=False)


def test_the_rating_column_needs_enough_rated_texts():
    fb = _feedback()
    assert rating_column(fb, min_rated=3) == ("csat", "3 texts carry a csat rating")
    assert rating_column(fb, min_rated=4) == ("nps", "4 texts carry a nps rating")
    col, why = rating_column(fb, min_rated=5)
    assert col is None and why == "only 4 texts carry a nps rating (at least 5 are needed to learn from)"
    assert rating_column(fb[["text"]])[0] is None
    assert rating_column(fb, "csat", min_rated=3)[0] == "csat"
    with pytest.raises(ParameterError, match="rating_col='stars' is not a column"):
        rating_column(fb, "stars")
