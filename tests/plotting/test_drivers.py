"""The forest plot draws each driver at its odds ratio and interval on a log axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from jkit.errors import MissingColumnError  # noqa: E402
from jkit.plotting.drivers import plot_drivers  # noqa: E402


def _table():
    return pd.DataFrame({"feature": ["event", "region"], "value": ["search", "north"], "kind": ["event", "attribute"],
                         "n_with": [120, 40], "odds_ratio": [0.5, 2.0], "ci_low": [0.3, 1.1], "ci_high": [0.8, 3.6],
                         "q_value": [0.01, 0.2], "significant": [True, False]})


def test_forest_plot_positions_labels_and_log_axis():
    ax = plot_drivers(_table())
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["region = north (n = 40)", "event: search (n = 120)"]
    lines = [line for line in ax.get_lines() if len(line.get_xdata()) == 2 and line.get_ydata()[0] == line.get_ydata()[1]]
    spans = sorted((tuple(np.round(line.get_xdata(), 3)), line.get_ydata()[0]) for line in lines)
    assert ((0.3, 0.8), 1) in spans and ((1.1, 3.6), 0) in spans
    plt.close("all")


def test_only_significant_and_missing_columns():
    ax = plot_drivers(_table(), only_significant=True)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["event: search (n = 120)"]
    with pytest.raises(MissingColumnError, match="odds_ratio"):
        plot_drivers(pd.DataFrame({"x": [1]}))
    plt.close("all")
