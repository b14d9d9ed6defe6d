"""Customer tables as users bring them, with known structure, for testing personas.

Each generator follows the published column layout of a well-known public table and plants
segments the personas should find, one **derived** fact spread over several columns, a
**noise** binary column independent of everything, and an **outcome** the personas are not built
from, whose rate differs by segment:

==================  =====================================  ======================================
generator           layout of                              derived fact / noise / outcome
==================  =====================================  ======================================
:func:`telecom`     IBM Telco customer churn               "No internet service" in 6 add-on
                                                           columns / ``gender`` / ``Churn``
:func:`marketing`   Kaggle "Marketing campaign"            ``MntTotal`` = sum of the amounts,
                                                           ``Z_CostContact`` constant / ``Email``
                                                           / ``Response``
:func:`bank`        UCI Bank marketing                     ``poutcome == "unknown"`` exactly when
                                                           ``previous == 0`` (and ``pdays = -1``)
                                                           / ``contact`` / ``y``
:func:`no_structure` any columns, drawn independently      none (no personas to find)
==================  =====================================  ======================================

Every generator returns ``(table, truth)``: the table and the planted segment of each row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["telecom", "marketing", "bank", "no_structure"]

_ADDONS = ("OnlineSecurity", "OnlineBackup", "DeviceProtection", "TechSupport", "StreamingTV", "StreamingMovies")


def _pick(rng, levels, probs, n):
    p = np.asarray(probs, dtype=float)
    return rng.choice(np.asarray(levels, dtype=object), size=n, p=p / p.sum())


def telecom(n: int = 3_000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A telecom churn table in the IBM Telco layout with three planted segments.

    Segments: ``phone_only`` (no internet, long contracts, low charges, churn ~5%),
    ``fiber_streamer`` (fiber, streaming, month-to-month, high charges, churn ~45%) and
    ``dsl_secure`` (DSL with security and support, one/two-year contracts, churn ~12%).
    The six add-on columns read ``"No internet service"`` exactly when ``InternetService`` is
    ``"No"`` (one fact in seven columns); ``gender`` is a 50/50 coin independent of all else;
    ``TotalCharges`` is about ``tenure × MonthlyCharges``.
    """
    rng = np.random.default_rng(seed)
    seg = _pick(rng, ["phone_only", "fiber_streamer", "dsl_secure"], [0.25, 0.40, 0.35], n)
    t = pd.DataFrame({"customerID": [f"{i:04d}-{rng.integers(0, 26**5):07d}" for i in range(n)]})
    t["gender"] = _pick(rng, ["Female", "Male"], [1, 1], n)
    t["SeniorCitizen"] = (rng.random(n) < np.where(seg == "dsl_secure", 0.3, 0.1)).astype(int)
    t["Partner"] = np.where(rng.random(n) < np.where(seg == "fiber_streamer", 0.3, 0.6), "Yes", "No")
    t["Dependents"] = np.where(rng.random(n) < np.where(seg == "phone_only", 0.5, 0.25), "Yes", "No")
    tenure = np.where(seg == "fiber_streamer", rng.gamma(2.0, 6.0, n), rng.uniform(12, 72, n))
    t["tenure"] = np.clip(np.round(tenure), 1, 72).astype(int)
    t["PhoneService"] = np.where((seg == "phone_only") | (rng.random(n) < 0.85), "Yes", "No")
    lines = np.where(rng.random(n) < np.where(seg == "fiber_streamer", 0.6, 0.3), "Yes", "No")
    t["MultipleLines"] = np.where(t["PhoneService"] == "Yes", lines, "No phone service")
    t["InternetService"] = np.select([seg == "phone_only", seg == "fiber_streamer"], ["No", "Fiber optic"], "DSL")
    use = {"OnlineSecurity": (0.15, 0.8), "OnlineBackup": (0.3, 0.6), "DeviceProtection": (0.3, 0.6),
           "TechSupport": (0.15, 0.8), "StreamingTV": (0.85, 0.2), "StreamingMovies": (0.85, 0.2)}
    for col in _ADDONS:
        fiber, dsl = use[col]
        yes = rng.random(n) < np.where(seg == "fiber_streamer", fiber, dsl)
        t[col] = np.where(seg == "phone_only", "No internet service", np.where(yes, "Yes", "No"))
    contract = {"phone_only": [0.2, 0.3, 0.5], "fiber_streamer": [0.85, 0.1, 0.05], "dsl_secure": [0.2, 0.4, 0.4]}
    t["Contract"] = [_pick(rng, ["Month-to-month", "One year", "Two year"], contract[s], 1)[0] for s in seg]
    t["PaperlessBilling"] = np.where(rng.random(n) < np.where(seg == "fiber_streamer", 0.8, 0.45), "Yes", "No")
    t["PaymentMethod"] = _pick(rng, ["Electronic check", "Mailed check", "Bank transfer (automatic)",
                                     "Credit card (automatic)"], [1, 1, 1, 1], n)
    base = np.select([seg == "phone_only", seg == "fiber_streamer"], [20.0, 90.0], 55.0)
    t["MonthlyCharges"] = np.round(base + rng.normal(0, 6, n), 2)
    t["TotalCharges"] = np.round(t["tenure"] * t["MonthlyCharges"] * rng.uniform(0.95, 1.05, n), 2)
    churn = {"phone_only": 0.05, "fiber_streamer": 0.45, "dsl_secure": 0.12}
    t["Churn"] = np.where(rng.random(n) < np.array([churn[s] for s in seg]), "Yes", "No")
    return t, seg.astype(str)


def marketing(n: int = 2_240, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A retail marketing-campaign table in the Kaggle "Marketing campaign" layout.

    Segments: ``affluent`` (high income, no kids, much wine and meat, catalog buyers, response
    ~35%), ``family`` (kids at home, low spend, many web visits and deals, response ~4%) and
    ``middle`` (response ~12%). ``MntTotal`` is the sum of the amounts (derived),
    ``Z_CostContact`` is constant (3), ``Email`` (opt-in) is a 50/50 coin, ``ID`` an identifier.
    """
    rng = np.random.default_rng(seed)
    seg = _pick(rng, ["affluent", "family", "middle"], [0.25, 0.40, 0.35], n)
    aff, fam = seg == "affluent", seg == "family"
    t = pd.DataFrame({"ID": rng.permutation(np.arange(1, n + 1) * 7 + 1000)})
    t["Year_Birth"] = np.round(np.where(aff, rng.normal(1958, 8, n), np.where(fam, rng.normal(1978, 7, n),
                                                                                rng.normal(1968, 9, n)))).astype(int)
    t["Education"] = _pick(rng, ["Graduation", "PhD", "Master", "Basic", "2n Cycle"], [50, 22, 17, 3, 8], n)
    t["Marital_Status"] = _pick(rng, ["Married", "Together", "Single", "Divorced", "Widow"], [39, 26, 21, 10, 4], n)
    income = np.where(aff, rng.normal(78_000, 9_000, n), np.where(fam, rng.normal(34_000, 8_000, n),
                                                                  rng.normal(55_000, 8_000, n)))
    t["Income"] = np.round(np.clip(income, 2_000, None))
    t["Kidhome"] = np.where(fam, rng.choice([1, 2], n, p=[0.7, 0.3]), rng.choice([0, 1], n, p=[0.9, 0.1]))
    t["Teenhome"] = rng.choice([0, 1], n, p=[0.5, 0.5])
    t["Recency"] = rng.integers(0, 100, n)
    scale = np.where(aff, 1.0, np.where(fam, 0.08, 0.35))
    t["MntWines"] = np.round(rng.gamma(2.0, 300 * scale)).astype(int)
    t["MntMeatProducts"] = np.round(rng.gamma(2.0, 200 * scale)).astype(int)
    t["MntGoldProds"] = np.round(rng.gamma(2.0, 30 * scale)).astype(int)
    t["NumWebPurchases"] = rng.poisson(np.where(fam, 2, 5))
    t["NumCatalogPurchases"] = rng.poisson(np.where(aff, 6, np.where(fam, 0.5, 2)))
    t["NumStorePurchases"] = rng.poisson(np.where(fam, 3, 7))
    t["NumWebVisitsMonth"] = rng.poisson(np.where(fam, 7, np.where(aff, 2.5, 5)))
    t["NumDealsPurchases"] = rng.poisson(np.where(fam, 3, 1.5))
    t["MntTotal"] = t["MntWines"] + t["MntMeatProducts"] + t["MntGoldProds"]
    t["Email"] = _pick(rng, ["yes", "no"], [1, 1], n)
    t["Z_CostContact"] = 3
    rate = np.where(aff, 0.35, np.where(fam, 0.04, 0.12)) * np.where(t["Recency"] < 30, 1.5, 0.8)
    t["Response"] = (rng.random(n) < rate).astype(int)
    return t, seg.astype(str)


def bank(n: int = 4_000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A bank direct-marketing table in the UCI "Bank marketing" layout.

    Segments: ``young_saver`` (students and young singles, cellular, contacted before, response
    ~30%), ``retired`` (retired, high balance, response ~25%) and ``working_family`` (blue-collar
    and services, married, housing loans, response ~5%). ``poutcome`` is ``"unknown"`` exactly
    when ``previous`` is 0 and then ``pdays`` is -1 (one fact in three columns); ``contact`` is a
    50/50 coin; ``y`` ("yes"/"no") the outcome. ``duration`` (known only after the call) is left
    out, as the UCI notes advise.
    """
    rng = np.random.default_rng(seed)
    seg = _pick(rng, ["working_family", "young_saver", "retired"], [0.55, 0.25, 0.20], n)
    young, ret = seg == "young_saver", seg == "retired"
    t = pd.DataFrame()
    t["age"] = np.round(np.where(young, rng.uniform(19, 30, n), np.where(ret, rng.uniform(61, 85, n),
                                                                            rng.uniform(30, 58, n)))).astype(int)
    jobs = {"working_family": (["blue-collar", "services", "technician", "admin."], [4, 2, 2, 2]),
            "young_saver": (["student", "admin.", "technician", "management"], [5, 2, 1, 2]),
            "retired": (["retired", "housemaid", "self-employed"], [8, 1, 1])}
    t["job"] = [_pick(rng, *jobs[s], 1)[0] for s in seg]
    t["marital"] = np.where(young, _pick(rng, ["single", "married"], [8, 2], n),
                            _pick(rng, ["married", "divorced", "single"], [7, 2, 1], n))
    t["education"] = _pick(rng, ["secondary", "tertiary", "primary", "unknown"], [5, 3, 1.5, 0.5], n)
    t["default"] = np.where(rng.random(n) < 0.02, "yes", "no")
    t["balance"] = np.round(np.where(ret, rng.gamma(2, 2_500, n), rng.gamma(1.5, 700, n)) - 100).astype(int)
    t["housing"] = np.where(rng.random(n) < np.where(seg == "working_family", 0.8, 0.2), "yes", "no")
    t["loan"] = np.where(rng.random(n) < np.where(seg == "working_family", 0.25, 0.05), "yes", "no")
    t["contact"] = _pick(rng, ["cellular", "telephone"], [1, 1], n)
    t["day"] = rng.integers(1, 32, n)
    t["month"] = _pick(rng, ["may", "jun", "jul", "aug", "nov", "apr"], [30, 12, 15, 14, 9, 7], n)
    t["campaign"] = 1 + rng.poisson(np.where(seg == "working_family", 2.5, 1.2))
    previous = np.where(rng.random(n) < np.where(young, 0.7, 0.15), rng.integers(1, 6, n), 0)
    t["pdays"] = np.where(previous > 0, rng.integers(30, 400, n), -1)
    t["previous"] = previous
    t["poutcome"] = np.where(previous > 0, _pick(rng, ["failure", "success", "other"], [5, 3, 2], n), "unknown")
    rate = np.where(young, 0.30, np.where(ret, 0.25, 0.05))
    t["y"] = np.where(rng.random(n) < rate, "yes", "no")
    return t, seg.astype(str)


def no_structure(n: int = 2_000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Customers whose columns are drawn independently: skewed income, age, a 50/50 binary, a
    4-level category, a count and an outcome — nothing to find (truth: all ``"none"``)."""
    rng = np.random.default_rng(seed)
    t = pd.DataFrame({
        "customer_id": [f"N{i:06d}" for i in range(n)],
        "age": rng.uniform(18, 80, n).round(),
        "income": rng.lognormal(10.8, 0.5, n).round(),
        "visits": rng.poisson(4, n),
        "member": _pick(rng, ["yes", "no"], [1, 1], n),
        "region": _pick(rng, ["north", "south", "east", "west"], [4, 3, 2, 1], n),
        "converted": (rng.random(n) < 0.2).astype(int),
    })
    return t, np.full(n, "none")
