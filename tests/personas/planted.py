"""The planted study of the persona tests: four personas in customers and events, and a tiny study."""

from __future__ import annotations

import numpy as np
import pandas as pd

import jkit

PLANTED = {
    "young_mobile": dict(age=(18, 29), income=(15e3, 35e3), buy=1.5, aov=25, channel="social",
                         tps={"mobile_app": .5, "social": .3, "web": .1, "email": .05, "store": .03, "support": .02}),
    "affluent_professional": dict(age=(35, 55), income=(90e3, 160e3), buy=4, aov=180, channel="search",
                                  tps={"web": .5, "email": .3, "mobile_app": .1, "store": .05, "social": .03,
                                       "support": .02}),
    "family_store": dict(age=(30, 45), income=(45e3, 75e3), buy=3, aov=80, channel="referral",
                         tps={"store": .5, "web": .3, "email": .08, "mobile_app": .06, "social": .03, "support": .03}),
    "senior_support": dict(age=(60, 80), income=(30e3, 60e3), buy=1, aov=60, channel="tv",
                           tps={"store": .45, "support": .3, "web": .1, "email": .1, "mobile_app": .03,
                                "social": .02}),
}


LEVEL = {"young_mobile": "low", "affluent_professional": "high", "family_store": "middle"}


def make_planted(n: int = 600, seed: int = 0):
    """Customers and events with four planted personas (demographics, channels, purchases, spend)."""
    rng = np.random.default_rng(seed)
    keys = list(PLANTED)
    truth = rng.choice(len(keys), size=n, p=[.3, .2, .3, .2])
    t0 = pd.Timestamp("2024-01-01", tz="UTC")
    cust, ev = [], []
    for i, k in enumerate(truth):
        p = PLANTED[keys[k]]
        cid = f"C{i:05d}"
        cust.append({"customer_id": cid, "signup_date": t0, "age": rng.uniform(*p["age"]),
                     "income": rng.uniform(*p["income"]), "gender": rng.choice(["f", "m"]),
                     "acquisition_channel": p["channel"] if rng.random() < .7 else rng.choice(["social", "tv"]),
                     "name": f"Person {i}"})
        tps = list(p["tps"])
        pr = np.array(list(p["tps"].values()))
        pr = pr / pr.sum()
        for _ in range(rng.integers(5, 30)):
            ev.append({"customer_id": cid, "timestamp": t0 + pd.Timedelta(days=float(rng.uniform(0, 180))),
                       "event": rng.choice(["ad_impression", "product_view"]), "touchpoint": rng.choice(tps, p=pr),
                       "revenue": None})
        for j in range(rng.poisson(p["buy"])):
            ev.append({"customer_id": cid, "timestamp": t0 + pd.Timedelta(days=float(rng.uniform(0, 180))),
                       "event": "purchase" if j == 0 else "repeat_purchase", "touchpoint": rng.choice(tps, p=pr),
                       "revenue": float(rng.gamma(4, p["aov"] / 4))})
    return pd.DataFrame(cust), pd.DataFrame(ev), np.array(keys)[truth]


def tiny_study(feedback=True):
    customers = pd.DataFrame({
        "customer_id": ["a", "b", "c"], "signup_date": ["2024-01-01"] * 3, "age": [20, 40, 60],
        "gender": ["f", "m", None], "name": ["Ann", "Bob", "Cy"],
    })
    events = pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b"],
        "timestamp": ["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-11", "2024-01-02"],
        "event": ["ad_click", "purchase", "repeat_purchase", "review_posted", "product_view"],
        "touchpoint": ["web", "web", "store", "Mobile App", "web"],
        "revenue": [None, "30", "50", None, None],
    })
    fb = pd.DataFrame({
        "feedback_id": ["f1", "f2", "f3", "f4"], "customer_id": ["a", "a", "b", None],
        "timestamp": ["2024-01-05"] * 4, "text": ["great", "slow delivery", "ok", "anon"],
        "source": ["survey"] * 4, "nps": [10, 6, 8, 0],
    })
    return jkit.load(customers=customers, events=events, feedback=fb if feedback else None)
