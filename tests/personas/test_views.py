"""Study views by persona: funnels, KPIs, cards, pain points, shares over time, segments and plots."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

import jkit
from jkit.errors import DataValidationError, ParameterError
from jkit.funnels import stage_funnel
from jkit.personas import (
    compare_segments,
    persona_cards,
    persona_funnel,
    persona_kpis,
    persona_pain_points,
    persona_shares,
)
from tests.personas.planted import tiny_study

matplotlib.use("Agg")


@pytest.mark.filterwarnings("ignore:events.*nobody can reach it:jkit.errors.JkitWarning")  # no advocacy planted
def test_study_views_by_persona(planted):
    data, features, truth, model = planted
    assign = model.assign(features)
    funnel = persona_funnel(data, assign)
    assert len(funnel) == 4 * 5
    for _, g in funnel.groupby("persona"):
        assert g.sort_values("stage_index")["reach"].is_monotonic_decreasing
    kpis = persona_kpis(data, assign).set_index("persona")
    # independent check of conversion and spend straight from the events
    ev = data.events.merge(assign, on="customer_id")
    buyers = ev[ev["event"].isin(["purchase", "repeat_purchase"])].groupby("persona")["customer_id"].nunique()
    spend = ev.groupby("persona")["revenue"].sum()
    sizes = assign.groupby("persona").size()
    for p in kpis.index:
        assert kpis.loc[p, "conversion"] == pytest.approx(buyers[p] / sizes[p])
        assert kpis.loc[p, "mean_spend"] == pytest.approx(spend[p] / sizes[p])
        # the funnel by persona equals the stage funnel of the persona's customers alone
        members = set(assign.loc[assign["persona"] == p, "customer_id"])
        alone = stage_funnel(jkit.load(customers=data.customers[data.customers["customer_id"].isin(members)],
                                       events=data.events[data.events["customer_id"].isin(members)]), window="90D")
        mine = funnel[funnel["persona"] == p].sort_values("stage_index")
        assert list(mine["reached"]) == list(alone["customers"]) and (mine["customers"] == sizes[p]).all()
        assert mine["reach"].iloc[2] <= kpis.loc[p, "conversion"]  # an ordered purchase is a purchase
    affluent = pd.Series(model.labels_[truth == "affluent_professional"]).mode()[0]
    assert kpis["mean_spend"].idxmax() == affluent
    cards = persona_cards(model, kpis=persona_kpis(data, assign), funnel=funnel)
    assert len(cards) == 4 and "conversion" in cards[0].kpis
    html = cards[0]._repr_html_()
    assert model.names_[0].split(" · ")[0] in html and "Funnel" in html


def test_pain_points_with_quotes_by_persona():
    data = tiny_study()
    fb = pd.DataFrame({
        "feedback_id": [f"f{i}" for i in range(8)], "customer_id": ["a"] * 4 + ["b"] * 4,
        "timestamp": ["2024-01-05"] * 8,
        "text": ["delivery delay again", "awful delivery delay", "delivery delay, so bad", "love it",
                 "checkout broken", "the checkout broken twice", "checkout broken!!", "fine"],
        "source": ["survey"] * 8, "nps": [2, 1, 3, 10, 4, 5, 0, 9],
    })
    data = jkit.load(customers=data.customers, events=data.events, feedback=fb)
    assign = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": [0, 1, 1], "persona_name": ["A", "B", "B"]})
    pains = persona_pain_points(data, assign, top=1)
    # themes: the thing, and what is said of it ("delay" and "broken" are VADER's opinion words)
    assert list(pains["pain_point"]) == ["delivery", "checkout"]
    assert list(pains["complaint"]) == ["delay", "broken"]
    assert list(pains["mentions"]) == [3, 3]
    # quotes are texts about the theme, distinct, from the persona's negative feedback
    assert pains["quotes"].iloc[1] == ["checkout broken", "the checkout broken twice"]
    assert all("delivery" in q for q in pains["quotes"].iloc[0])


@pytest.mark.filterwarnings("ignore:events.*nobody can reach it:jkit.errors.JkitWarning")  # no advocacy planted
def test_compare_segments_and_plots(planted):
    import matplotlib.pyplot as plt

    from jkit.personas.rfm import rfm_segments
    from jkit.plotting import (
        plot_persona_funnel,
        plot_persona_projection,
        plot_persona_shares,
        plot_segment_crosstab,
        plot_trait_heatmap,
    )

    data, features, _, model = planted
    assign = model.assign(features)
    rfm = rfm_segments(data)
    table = compare_segments(assign, rfm)
    assert np.allclose(table.sum(axis=1), 1) and len(table) == 4
    counts = compare_segments(assign, rfm, normalize=None)
    assert counts.to_numpy().sum() == len(features)
    fig, axes = plt.subplots(2, 2)
    assert plot_trait_heatmap(model.traits_, names=model.names_, top=10, ax=axes[0, 0]) is axes[0, 0]
    proj = model.project(features, sample=200)
    assert len(proj) == 200 and {"pc1", "pc2", "persona"} <= set(proj.columns)
    assert plot_persona_projection(proj, ax=axes[0, 1]) is axes[0, 1]
    assert plot_persona_funnel(persona_funnel(data, assign), ax=axes[1, 0]) is axes[1, 0]
    assert plot_segment_crosstab(table, ax=axes[1, 1]) is axes[1, 1]
    assert len(axes[0, 0].get_yticklabels()) == 10
    plt.close(fig)
    shares = persona_shares(data, assign, period="M")
    plt.figure()
    ax = plot_persona_shares(shares)  # on the current axes
    assert len(ax.get_lines()) == 4 and ax.get_title() == "Persona shares over time"
    plt.close("all")


def test_persona_shares_over_time_by_hand():
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "signup_date": ["2024-01-05", "2024-01-20", "2024-02-01", "2024-02-28", "2024-02-10"],
    })
    events = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d"], "timestamp": ["2024-03-01", "2024-01-21", "2024-02-02", "2024-03-03"],
        "event": ["product_view"] * 4, "touchpoint": ["web"] * 4,
    })
    data = jkit.load(customers=customers, events=events)
    assign = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "e"], "persona": [0, 1, 0, 0, 2],
                           "persona_name": ["zero", "one", "zero", "zero", "two"]})
    by_signup = persona_shares(data, assign, period="M")
    # January: a (0), b (1); February: c, d (0), e (2); every persona in every month
    assert list(by_signup["period"].dt.month) == [1, 1, 1, 2, 2, 2]
    assert list(by_signup["customers"]) == [1, 1, 0, 2, 0, 1]
    assert list(by_signup["period_customers"]) == [2, 2, 2, 3, 3, 3]
    assert by_signup["share"].tolist() == pytest.approx([1 / 2, 1 / 2, 0, 2 / 3, 0, 1 / 3])
    assert (by_signup["share_low"] <= by_signup["share"]).all() and (by_signup["share"] <= by_signup["share_high"]).all()
    # by first event: b and c in their signup months, a and d in March; e has no event
    by_event = persona_shares(data, assign, date="first_event")
    assert by_event.attrs["unplaced"] == 1
    assert by_event.groupby(by_event["period"].dt.month)["customers"].sum().to_dict() == {1: 1, 2: 1, 3: 2}
    with pytest.raises(ParameterError, match="period='fortnight' should be a pandas period alias"):
        persona_shares(data, assign, period="fortnight")
    with pytest.raises(DataValidationError, match="customers: no column 'joined' for date"):
        persona_shares(data, assign, date="joined")


def test_sample_persona_funnels_match_the_planted_conversion(small_sample_dir, small_sample):
    truth = pd.read_csv(small_sample_dir / "personas_truth.csv", dtype=str)
    planted = json.loads((small_sample_dir / "truth.json").read_text())["stage_conversion"]["by_persona"]
    # the planted labels as assignments: this checks the funnel, not the clustering
    assign = truth.rename(columns={"persona": "persona_name"}).assign(persona=lambda t: t["persona_name"])
    funnel = persona_funnel(small_sample, assign, window="90D")
    for key, rates in planted.items():
        mine = funnel[funnel["persona"] == key].set_index("stage")
        assert mine.loc["awareness", "reach"] == 1.0  # every generated customer enters the journey
        for stage, rate in rates.items():
            n = mine.loc[stage, "step_conversion"]
            prev = mine["reached"].shift(1).loc[stage]
            # within four binomial standard errors of the planted conditional rate
            assert abs(n - rate) <= 4 * np.sqrt(rate * (1 - rate) / prev), (key, stage, n, rate, prev)
    # and the journey map's overall reach is the sum of the personas' reach
    overall = stage_funnel(small_sample, window="90D").set_index("step_name")["customers"]
    assert (funnel.groupby("stage")["reached"].sum().reindex(overall.index) == overall).all()
