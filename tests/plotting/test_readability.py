"""Figures a person can read on anyone's data: plain text, wrapped labels, distinct colours, time axes."""

from __future__ import annotations

from itertools import pairwise

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402

from jkit.plotting import (  # noqa: E402
    plot_cohort_trend,
    plot_funnel,
    plot_funnel_breakdown,
    plot_kpi_intervals,
    plot_pain_points,
    plot_persona_shares,
    plot_time_to_convert,
)
from jkit.plotting.readability import (  # noqa: E402
    OTHER,
    OTHER_COLOR,
    duration_unit,
    group_palette,
    plain_number,
    plain_text,
    wrap_labels,
)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def shown(text_obj) -> str:
    """What matplotlib draws for a Text: raises if the text would go to the math parser."""
    drawn, is_math = text_obj._preprocess_math(text_obj.get_text())
    assert not is_math, f"{text_obj.get_text()!r} would be parsed as math"
    return drawn


# --------------------------------------------------------------------------- plain text


def test_plain_text_escapes_every_dollar():
    assert plain_text("$$$$") == r"\$\$\$\$"
    assert plain_text(r"$\foo$") == r"\$\foo\$"
    assert plain_text("no dollars") == "no dollars"
    assert plain_text(12) == "12"


def test_raw_dollars_trip_mathtext_and_plain_text_does_not():
    fig, ax = plt.subplots()
    ax.set_title(r"$\foo$")
    with pytest.raises(ValueError):
        fig.canvas.draw()  # the failure plain_text prevents
    ax.set_title(plain_text(r"$\foo$"))
    fig.canvas.draw()
    assert shown(ax.title) == r"$\foo$"


def funnel_groups(names, sizes) -> pd.DataFrame:
    """A breakdown funnel table: 2 steps, group g has sizes[g] entering and half of them (rounded down) converting."""
    rows = []
    for name, n in zip(names, sizes, strict=True):
        k = n // 2
        rows.append(dict(group=name, step=1, step_name="visit", customers=n, conversion_from_start=1.0,
                         conversion_from_start_low=0.9, conversion_from_start_high=1.0))
        rows.append(dict(group=name, step=2, step_name="purchase", customers=k, conversion_from_start=k / n,
                         conversion_from_start_low=k / n - 0.1, conversion_from_start_high=k / n + 0.1))
    return pd.DataFrame(rows)


def test_dollar_labels_from_data_draw_as_written():
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    table = funnel_groups(["$$$$", r"$\foo$", "$"], [10, 20, 30])
    ax = plot_funnel_breakdown(table, hue="group", ax=axes[0, 0])
    pains = pd.DataFrame({"phrase": ["$$$$ price", r"$\foo$ bar"], "z": [3.0, 2.0], "top_stage": ["$a$", "b$"]})
    plot_pain_points(pains, ax=axes[0, 1])
    kpis = pd.DataFrame({"kpi": "aov", "value": [1.0, 2.0], "low": [0.5, 1.5], "high": [1.5, 2.5], "unit": "currency",
                         "tier": ["$", "$$$$"]})
    plot_kpi_intervals(kpis, kpi="aov", y="tier", ax=axes[1, 0])
    one = pd.DataFrame({"step_name": ["$$ visit", "buy $"], "customers": [10, 5], "conversion_from_start": [1, .5],
                        "conversion_from_start_low": [.7, .2], "conversion_from_start_high": [1, .8]})
    plot_funnel(one, ax=axes[1, 1])
    fig.canvas.draw()  # no mathtext error anywhere
    legend = [shown(t) for t in ax.get_legend().get_texts()]
    assert legend == ["$", r"$\foo$", "$$$$"]  # largest group first
    assert [shown(t) for t in axes[0, 1].get_yticklabels()] == [r"$\foo$ bar", "$$$$ price"]
    assert {shown(t) for t in axes[0, 1].get_legend().get_texts()} == {"$a$", "b$"}
    assert [shown(t) for t in axes[1, 0].get_yticklabels()] == ["$", "$$$$"]
    assert [shown(t) for t in axes[1, 1].get_yticklabels()] == ["$$ visit", "buy $"]


def test_journey_map_draws_dollar_text(small_sample_dir):
    import jkit
    from jkit.journey_map import journey_map

    jmap = journey_map(jkit.load(small_sample_dir), top_n=2)
    jmap.pain_points["phrase"] = "$$$$ " + jmap.pain_points["phrase"].astype(str)
    fig = jmap.plot(title=r"Map $\foo$")
    fig.canvas.draw()
    assert shown(fig._suptitle) == r"Map $\foo$"
    texts = [shown(t) for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("$$$$ ") for t in texts)


# --------------------------------------------------------------------------- wrapped labels


def test_wrap_labels():
    assert wrap_labels(["consideration and purchase", "short"], width=14) == ["consideration\nand purchase", "short"]
    assert wrap_labels(["repeat_purchase_made"], width=10) == ["repeat_\npurchase_\nmade"]
    assert wrap_labels(["a b c d e f g h"], width=3, max_lines=2) == ["a b\nc…"]
    assert wrap_labels(["abcdefghij"], width=4) == ["abcd\nefgh\nij"]
    assert all(len(line) <= 14 for s in wrap_labels(["x" * 40 + " y"]) for line in s.split("\n"))


def test_long_step_labels_are_wrapped_on_the_breakdown():
    table = funnel_groups(["a", "b"], [10, 20])
    table["step_name"] = table["step"].map({1: "visited the store locator page", 2: "purchase"})
    ax = plot_funnel_breakdown(table, hue="group")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["visited the\nstore locator\npage", "purchase"]


# --------------------------------------------------------------------------- colours


def test_group_palette_is_distinct_up_to_max_groups():
    names = [f"g{i}" for i in range(12)]
    pal = group_palette(names)
    assert list(pal) == names and len(set(pal.values())) == 12 and OTHER_COLOR not in pal.values()
    assert pal["g0"] == to_hex(plt.get_cmap("tab20")(0)) and pal["g1"] == to_hex(plt.get_cmap("tab20")(2))
    five = group_palette(["a", "b", "c", "d", "e"])
    assert list(five.values()) == [to_hex(plt.get_cmap("tab10")(i)) for i in range(5)]


def test_group_palette_puts_the_rest_in_grey_other():
    names = [f"g{i}" for i in range(15)]
    pal = group_palette(names, max_groups=12)
    coloured = [n for n in names if pal[n] != OTHER_COLOR]
    assert coloured == names[:11] and len(set(pal[n] for n in coloured)) == 11
    assert all(pal[n] == OTHER_COLOR for n in names[11:]) and pal[OTHER] == OTHER_COLOR
    assert group_palette(["a", "other", "b"])["other"] == OTHER_COLOR


def test_breakdown_with_many_groups_sums_the_smallest_into_other():
    names = [f"g{i:02d}" for i in range(15)]
    sizes = [100 - 5 * i for i in range(15)]  # g00 largest: 100, ..., g14: 30
    ax = plot_funnel_breakdown(funnel_groups(names, sizes), hue="group", max_groups=12)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [*names[:11], "other (4 groups)"]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    colours = {to_hex(c.patches[0].get_facecolor()) for c in bars}
    assert len(bars) == 12 and len(colours) == 12 and OTHER_COLOR in colours
    # other = g11..g14: 45+40+35+30 = 150 entering, 22+20+17+15 = 74 converting
    other = bars[-1]
    assert other.patches[1].get_height() == pytest.approx(74 / 150)


# --------------------------------------------------------------------------- time to convert


def ticks(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [t.get_text() for t in axis.get_majorticklabels() if t.get_text()]


def test_duration_unit_by_median():
    assert duration_unit([30, 40, 50]) == ("seconds", 1.0)
    assert duration_unit([600, 900]) == ("minutes", 60.0)
    assert duration_unit([3 * 3600]) == ("hours", 3600.0)
    assert duration_unit([47 * 86400]) == ("days", 86400.0)
    assert duration_unit([3 * 365.25 * 86400])[0] == "years"


def test_plain_number_ticks():
    assert [plain_number(v) for v in (0.02, 0.5, 5, 20, 1000, 20000, 0)] == ["0.02", "0.5", "5", "20", "1,000",
                                                                            "20,000", "0"]


def test_time_to_convert_in_seconds_on_a_readable_log_axis():
    secs = np.array([10, 20, 40, 80, 160], dtype=float)
    ttc = pd.DataFrame({"hours": secs / 3600, "from_step": "visit", "to_step": "purchase"})
    ax = plot_time_to_convert(ttc)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "seconds from visit to purchase (log scale)"
    assert ticks(ax.xaxis) == ["10", "20", "50", "100"]  # 1-2-5 steps inside 10/1.15 .. 160*1.15
    # median 40 s; p90 = 80 + 0.6 * (160 - 80) = 128 s = 2.1 min
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["median: 40 s", "p90: 2.1 min"]
    assert not ax.xaxis.get_minor_ticks() or all(not t.label1.get_text() for t in ax.xaxis.get_minor_ticks())


def test_time_to_convert_in_days_and_from_timedeltas():
    td = pd.to_timedelta([10, 20, 47, 60, 90], unit="D")
    ax = plot_time_to_convert(pd.DataFrame({"time_to_convert": td}), x="time_to_convert", log=False)
    assert ax.get_xlabel() == "days" and ax.get_xscale() == "linear"
    labels = ticks(ax.xaxis)
    assert all("e" not in s and "×" not in s for s in labels) and "40" in labels
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["median: 47 days", "p90: 78 days"]


# --------------------------------------------------------------------------- cohorts and dates


def cohorts(dates) -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame({"cohort": pd.to_datetime(dates, utc=True), "entered": [100] * n, "converted": [20] * n,
                         "conversion": [0.2] * n, "conversion_low": [0.13] * n, "conversion_high": [0.29] * n,
                         "complete": [True] * n})


def test_a_single_cohort_is_one_dated_point_not_a_four_year_axis():
    ax = plot_cohort_trend(cohorts(["2019-10-01"]))
    lo, hi = ax.get_xlim()
    assert hi - lo == pytest.approx(7.0)  # ± 3.5 days
    assert mdates.num2date(lo).date().isoformat() == "2019-09-27"
    assert ticks(ax.xaxis) == ["2019-10-01"]
    assert len(ax.collections) == 1  # its interval as a bar


def test_cohort_axis_is_limited_to_the_data():
    ax = plot_cohort_trend(cohorts(["2019-10-01", "2019-11-01"]))
    lo, hi = ax.get_xlim()
    assert hi - lo == pytest.approx(31 * 1.08)  # 4% margin each side
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


def test_weekly_cohort_labels_do_not_overlap():
    fig, ax = plt.subplots(figsize=(9, 3.5))
    plot_cohort_trend(cohorts(pd.date_range("2023-01-02", periods=110, freq="W-MON")), ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert len(boxes) >= 3
    assert all(a.x1 < b.x0 for a, b in pairwise(boxes))


def test_persona_shares_over_one_period():
    shares = pd.DataFrame({"period": pd.to_datetime(["2019-10-01"] * 2, utc=True), "persona_name": ["a", "$$$"],
                           "share": [0.6, 0.4], "share_low": [0.5, 0.3], "share_high": [0.7, 0.5]})
    ax = plot_persona_shares(shares)
    assert ticks(ax.xaxis) == ["2019-10-01"]
    assert sorted(shown(t) for t in ax.get_legend().get_texts()) == ["$$$", "a"]
