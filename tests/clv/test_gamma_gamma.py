"""Gamma-Gamma: the published CDNOW fit, recovery of planted parameters, the conditional mean."""

from __future__ import annotations

import numpy as np
import pytest

from jkit.clv import gamma_gamma, rfm_summary

TRUTH = (4.0, 5.0, 20.0)


def test_cdnow_reproduces_fader_hardie_lee_rfm_and_clv(cdnow_sample):
    s = rfm_summary(cdnow_sample, calibration_end="1997-09-30")
    repeat = s[s["frequency"] > 0]
    assert len(repeat) == 946
    fit = gamma_gamma.fit(repeat["frequency"].to_numpy(), repeat["monetary_value"].to_numpy())
    for name, published in {"p": 6.25, "q": 3.74, "v": 15.44}.items():
        assert fit.params[name] == pytest.approx(published, abs=0.01), name


def test_recovers_planted_parameters_within_their_standard_errors():
    x = np.random.default_rng(5).integers(1, 8, 4000)
    sim = gamma_gamma.simulate(TRUTH, x, seed=9)
    fit = gamma_gamma.fit(x, sim["monetary_value"])
    for value, truth, s in zip(fit.values, TRUTH, fit.standard_errors, strict=True):
        assert abs(value - truth) < 3 * s, (fit.params, fit.standard_errors)
        assert s < 0.3 * truth


def test_expected_spend_shrinks_towards_the_population_mean():
    p, q, v = TRUTH
    population = p * v / (q - 1)
    got = gamma_gamma.expected_spend(TRUTH, np.array([0, 1, 10, 1000]), np.array([np.nan, 100.0, 100.0, 100.0]))
    assert got[0] == pytest.approx(population)
    assert population < got[1] < got[2] < got[3] < 100.0
    assert got[3] == pytest.approx(100.0, rel=0.01)
    assert got[1] == pytest.approx(p * (v + 100) / (p + q - 1))


def test_expected_spend_matches_the_simulated_customers_true_mean():
    x = np.full(100_000, 3)
    sim = gamma_gamma.simulate(TRUTH, x, seed=2)
    true_mean = TRUTH[0] / sim["nu"]
    pred = gamma_gamma.expected_spend(TRUTH, x, sim["monetary_value"])
    # E[true mean | observed mean] is the prediction: the residual averages to 0 in any slice of m
    high = sim["monetary_value"] > np.quantile(sim["monetary_value"], 0.8)
    assert (true_mean - pred).mean() == pytest.approx(0, abs=0.2)
    assert (true_mean[high] - pred[high]).mean() == pytest.approx(0, abs=1.0)


def test_the_analytic_gradient_equals_finite_differences():
    x = np.random.default_rng(1).integers(1, 9, 300).astype(float)
    m = gamma_gamma.simulate(TRUTH, x, seed=3)["monetary_value"]
    params = np.array([3.0, 4.5, 18.0])
    codes = tuple(v.ravel() for v in np.unique(x, return_inverse=True))
    grad = gamma_gamma._gradient(params, x, m, codes)
    for k in range(3):
        up, down = np.log(params), np.log(params)
        up[k] += 1e-6
        down[k] -= 1e-6
        numeric = (gamma_gamma.log_likelihood(np.exp(up), x, m) - gamma_gamma.log_likelihood(np.exp(down), x, m)) / 2e-6
        np.testing.assert_allclose(grad[:, k], numeric, rtol=1e-5, atol=1e-6)


def test_no_spread_around_each_customers_mean_is_the_models_limit():
    # each customer always spends the same amount (drawn per customer): p runs off with p·v fixed
    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, 2000).astype(float)
    m = 20.0 / rng.gamma(4.0, 1.0, 2000)
    fit = gamma_gamma.fit(x, m)
    if fit.notes:
        assert "p and v ran off together" in fit.notes[0]
    assert fit.params["p"] > 100  # a purchase's spread around the customer's mean: CV 1/sqrt(p) < 0.1 (planted: 0)
    assert fit.params["q"] == pytest.approx(4.0, rel=0.1)
    # the customer's own mean is (nearly) the prediction, whatever the number of purchases
    np.testing.assert_allclose(gamma_gamma.expected_spend(fit.values, x, m), m, rtol=0.05)
