"""Column screening: what is left out, what counts once (hand-made tables with known answers)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jkit.errors import JkitWarning
from jkit.personas.preprocessing import MISSING, categorical_frame
from jkit.personas.screening import ScreeningWarning, screen_columns


def _screen(num: pd.DataFrame, cat: pd.DataFrame):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        screen = screen_columns(num, categorical_frame(cat, list(cat.columns)), missing_token=MISSING)
    return screen, [str(w.message) for w in seen if issubclass(w.category, ScreeningWarning)]


def test_screening_warning_is_a_jkit_warning_so_it_reaches_the_caveats():
    assert issubclass(ScreeningWarning, JkitWarning)


def test_mostly_missing_and_identifier_columns_are_left_out_with_a_warning():
    rng = np.random.default_rng(0)
    n = 200
    gappy = rng.normal(size=n)
    gappy[:130] = np.nan  # 65% empty
    num = pd.DataFrame({"score": rng.normal(size=n), "gappy": gappy, "ID": np.arange(1000, 1000 + 7 * n, 7.0),
                        "visits": rng.poisson(3, n).astype(float)})
    cat = pd.DataFrame({"plan": rng.choice(["a", "b"], n)})
    screen, messages = _screen(num, cat)
    assert screen.numeric == ["score", "visits"] and screen.categorical == ["plan"]
    assert any("'gappy' is empty in 65% of the rows" in m for m in messages)
    assert any("'ID' holds a distinct whole number in every row" in m for m in messages)
    left = screen.table.set_index("column").loc[["gappy", "ID"], "action"]
    assert (left == "left out").all()


def test_a_determined_column_is_left_out_and_duplicated_levels_count_once():
    # telecom's layout: the add-ons read "No internet service" exactly when InternetService is "No",
    # and PhoneService is fixed by MultipleLines ("No phone service" <=> PhoneService "No")
    rng = np.random.default_rng(1)
    n = 600
    internet = rng.choice(["No", "DSL", "Fiber optic"], n)
    cat = pd.DataFrame({"InternetService": internet})
    for col in ("OnlineSecurity", "StreamingTV"):
        cat[col] = np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n))
    phone = rng.choice(["Yes", "No"], n, p=[0.8, 0.2])
    cat["PhoneService"] = phone
    cat["MultipleLines"] = np.where(phone == "No", "No phone service", rng.choice(["Yes", "No"], n))
    cat["gender"] = rng.choice(["Female", "Male"], n)
    screen, messages = _screen(pd.DataFrame(index=range(n)), cat)
    assert "PhoneService" not in screen.categorical and "MultipleLines" in screen.categorical
    assert screen.duplicate_levels == {("OnlineSecurity", "No internet service"), ("StreamingTV", "No internet service")}
    assert any("'PhoneService' is determined by column 'MultipleLines'" in m for m in messages)
    kept = screen.table[screen.table["action"] == "kept"]["column"].tolist()
    assert set(kept) == {"InternetService", "OnlineSecurity", "StreamingTV", "MultipleLines", "gender"}


def test_near_duplicate_numbers_are_grouped_and_weigh_one_column():
    rng = np.random.default_rng(2)
    wine = rng.gamma(2, 300, 500)
    # monotone but not linear (a log of the amount): grouped, not left out
    num = pd.DataFrame({"MntWines": wine, "LogWines": np.log1p(wine), "Recency": rng.uniform(0, 99, 500)})
    screen, messages = _screen(num, pd.DataFrame(index=range(500)))
    assert screen.numeric == ["MntWines", "LogWines", "Recency"]
    assert screen.numeric_groups == [["MntWines", "LogWines"]]
    assert screen.weights() == pytest.approx({"MntWines": 2 ** -0.5, "LogWines": 2 ** -0.5})
    assert any("'MntWines', 'LogWines' move together" in m for m in messages)


def test_independent_columns_are_all_kept_without_warnings():
    rng = np.random.default_rng(3)
    num = pd.DataFrame({"age": rng.uniform(18, 80, 400), "income": rng.lognormal(10, 0.5, 400)})
    cat = pd.DataFrame({"region": rng.choice(list("nsew"), 400), "member": rng.choice(["y", "n"], 400)})
    screen, messages = _screen(num, cat)
    assert messages == [] and screen.numeric == ["age", "income"] and screen.categorical == ["region", "member"]
    assert (screen.table["action"] == "kept").all() and len(screen.table) == 4


def test_a_total_of_other_columns_is_left_out_as_derived():
    rng = np.random.default_rng(4)
    n = 400
    num = pd.DataFrame({"MntWines": rng.gamma(2, 300, n), "MntMeat": rng.gamma(2, 200, n), "MntGold": rng.gamma(2, 30, n)})
    num["MntTotal"] = num.sum(axis=1)
    num["Recency"] = rng.uniform(0, 99, n)
    screen, messages = _screen(num, pd.DataFrame(index=range(n)))
    assert screen.numeric == ["MntWines", "MntMeat", "MntGold", "Recency"]
    assert any("'MntTotal' is (almost) a linear combination of 'MntWines'" in m for m in messages)
    row = screen.table.set_index("column").loc["MntTotal"]
    assert row["action"] == "left out" and row["with"] == "MntWines"
