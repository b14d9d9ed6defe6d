"""Pareto/NBD: the published CDNOW fit, closed forms, and the model as CLVModel's purchase model."""

from __future__ import annotations

import numpy as np
import pytest

from jkit.clv import CLVModel, paretonbd, rfm_summary


def test_cdnow_reproduces_the_published_fit(cdnow_sample):
    s = rfm_summary(cdnow_sample, calibration_end="1997-09-30")
    fit = paretonbd.fit(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy())
    # Fader, Hardie & Lee (2005), "A note on deriving the Pareto/NBD model"; BTYD's cdnowSummary
    for name, published in {"r": 0.5534, "alpha": 10.5802, "s": 0.6061, "beta": 11.6562}.items():
        assert fit.params[name] == pytest.approx(published, rel=0.005), name
    assert fit.log_likelihood == pytest.approx(-9595.0, abs=0.1)
    assert np.all(fit.standard_errors > 0)


def test_p_alive_and_expected_purchases_against_a_simulation():
    rng = np.random.default_rng(8)
    n, T, t = 200_000, 30.0, 20.0
    r, alpha, s, beta = 0.8, 8.0, 1.5, 12.0
    lam, mu = rng.gamma(r, 1 / alpha, n), rng.gamma(s, 1 / beta, n)
    death = rng.exponential(1 / mu)
    # purchases of a Poisson process cut at death: counts in (0, T] and (T, T + t]
    cal = rng.poisson(lam * np.minimum(death, T))
    hold = rng.poisson(lam * np.clip(death - T, 0, t))
    params = (r, alpha, s, beta)
    # new customers: E[X(T)] = r β / (α (s-1)) [1 - (β/(β+T))^(s-1)] (the note's eq. 17)
    expected = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + T)) ** (s - 1))
    assert cal.mean() == pytest.approx(expected, abs=4 * cal.std() / np.sqrt(n))
    # conditional expectations given x only (t_x drawn as the last purchase time) add up to the holdout
    last = np.where(cal > 0, np.minimum(death, T) * rng.beta(np.maximum(cal, 1), 1), 0.0)
    pred = paretonbd.expected_purchases(params, t, cal, last, np.full(n, T))
    assert pred.sum() == pytest.approx(hold.sum(), rel=0.03)
    alive = paretonbd.p_alive(params, cal, last, np.full(n, T))
    assert alive[death > T].mean() > alive[death <= T].mean() + 0.2


def test_clvmodel_with_pareto_nbd_on_cdnow(cdnow_sample):
    model = CLVModel(purchase_model="paretonbd").fit(cdnow_sample, calibration_end="1997-09-30")
    assert list(model.params_.index) == ["r", "alpha", "s", "beta", "p", "q", "v"]
    ev = model.evaluate(cdnow_sample)
    row = ev.total.set_index("method").loc["Pareto/NBD"]
    print("\nPareto/NBD CDNOW holdout:", ev.total.round(3).to_string(index=False))
    assert abs(row["relative_error"]) < 0.15
    clv = model.predict_clv(52, 0.1)
    assert np.isfinite(clv["clv"]).all() and not hasattr(model, "bgnbd_")
