"""BG/NBD: the published CDNOW fit, recovery of planted parameters, closed forms against simulation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import hyp2f1

from jkit.clv import bgnbd, rfm_summary

TRUTH = (0.6, 6.0, 0.9, 3.0)


@pytest.fixture(scope="module")
def population():
    rng = np.random.default_rng(7)
    T = rng.uniform(26, 52, 6000)
    return bgnbd.simulate(TRUTH, T, horizon=26.0, seed=11)


def test_cdnow_reproduces_fader_hardie_lee_2005(cdnow_sample):
    s = rfm_summary(cdnow_sample, calibration_end="1997-09-30")
    fit = bgnbd.fit(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy())
    got = fit.params
    for name, published in {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}.items():
        assert got[name] == pytest.approx(published, abs=0.0015), name
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)  # FHL 2005, Table 1
    assert np.all(np.isfinite(fit.standard_errors)) and np.all(fit.standard_errors > 0)


def test_recovers_planted_parameters_within_their_standard_errors(population):
    fit = bgnbd.fit(population["frequency"], population["recency"], population["T"])
    se = fit.standard_errors
    for value, truth, s in zip(fit.values, TRUTH, se, strict=True):
        assert abs(value - truth) < 3 * s, (fit.params, se)
        assert s < 0.5 * truth  # informative: the SEs are not so wide that anything passes


def test_p_alive_is_one_without_a_repeat_and_falls_with_a_long_silence():
    x = np.array([0, 0, 3, 3, 3])
    t_x = np.array([0.0, 0.0, 30.0, 10.0, 2.0])
    T = np.array([5.0, 50.0, 32.0, 32.0, 32.0])
    p = bgnbd.p_alive((0.243, 4.414, 0.793, 2.426), x, t_x, T)
    assert p[0] == 1.0 and p[1] == 1.0
    assert 1 > p[2] > p[3] > p[4] > 0
    # FHL eq. 11 by hand for the third customer
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    assert p[2] == pytest.approx(1 / (1 + a / (b + 3 - 1) * ((alpha + 32) / (alpha + 30)) ** (r + 3)))


def test_p_alive_separates_the_simulated_alive_from_the_dropped(population):
    p = bgnbd.p_alive(TRUTH, population["frequency"], population["recency"], population["T"])
    alive = population["alive"]
    assert p[alive].mean() > p[~alive].mean() + 0.2
    assert abs(p.mean() - alive.mean()) < 0.03  # calibrated on average


def test_the_euler_form_equals_the_published_hypergeometric_term():
    r, alpha, a, b = 0.243, 4.414, 0.793, 2.426
    x, T, t = np.array([0, 1, 4, 9.0]), 30.0, 20.0
    z = t / (alpha + T + t)
    published = (1 - z) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    euler = (1 - z) ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)
    np.testing.assert_allclose(euler, published, rtol=1e-10)


def test_expected_purchases_of_new_customers_match_a_monte_carlo_simulation():
    sim = bgnbd.simulate(TRUTH, np.full(200_000, 20.0), horizon=0.0, seed=3)
    expected = float(bgnbd.expected_purchases_new(TRUTH, 20.0))
    se = sim["frequency"].std() / np.sqrt(len(sim["frequency"]))
    assert abs(sim["frequency"].mean() - expected) < 4 * se
    assert expected > 0.5


def test_conditional_expectations_add_up_to_the_simulated_holdout(population):
    pred = bgnbd.expected_purchases(TRUTH, 26.0, population["frequency"], population["recency"], population["T"])
    actual = population["frequency_holdout"]
    assert pred.sum() == pytest.approx(actual.sum(), rel=0.05)
    heavy = population["frequency"] >= 5
    assert pred[heavy].sum() == pytest.approx(actual[heavy].sum(), rel=0.1)
    assert bgnbd.expected_purchases(TRUTH, 0.0, population["frequency"], population["recency"],
                                    population["T"]).sum() == 0


def test_quadrature_equals_the_closed_form_and_takes_over_where_it_overflows():
    params = (0.243, 4.414, 0.793, 2.426)
    x = np.array([0, 1, 2, 5, 12, 40.0])
    t_x = np.array([0, 5, 20, 30, 35, 38.0])
    T = np.full(6, 38.86)
    closed = bgnbd.expected_purchases(params, 39.0, x, t_x, T)
    alive = bgnbd._alive_mean_by_quadrature(params, 39.0, x, T) * bgnbd.p_alive(params, x, t_x, T)
    np.testing.assert_allclose(alive, closed, rtol=1e-5)
    # a nearly fixed drop-out probability (a, b in the thousands, as the synthetic sample gives)
    big = (0.3, 0.42, 508.0, 3596.0)
    got = bgnbd.expected_purchases(big, 26.0, np.array([0, 3, 19.0]), np.array([0, 3, 8.5]), np.full(3, 40.0))
    assert np.isfinite(got).all() and (got > 0).all()
    # p nearly fixed at a/(a+b): the posterior mean of (1 - E e^{-λpt})/p with λ ~ Gamma(r+x, α+T)
    p = 508.0 / (508.0 + 3596.0)
    exact0 = (1 - (40.42 / (40.42 + p * 26.0)) ** 0.3) / p
    assert got[0] == pytest.approx(exact0, rel=0.01)


def test_the_analytic_gradient_equals_finite_differences(population):
    x, t_x, T = population["frequency"][:500].astype(float), population["recency"][:500], population["T"][:500]
    params = np.array([0.5, 5.0, 0.9, 2.7])
    _, grad = bgnbd._terms(params, x, t_x, T, gradient=True)
    step = 1e-6
    for k in range(4):
        up, down = np.log(params), np.log(params)
        up[k] += step
        down[k] -= step
        numeric = (bgnbd.log_likelihood(np.exp(up), x, t_x, T) - bgnbd.log_likelihood(np.exp(down), x, t_x, T)) / (
            2 * step)
        np.testing.assert_allclose(grad[:, k], numeric, rtol=1e-5, atol=1e-7)


def test_one_drop_out_probability_for_all_is_the_models_limit_not_a_failure():
    # p = 0.2 for every customer: the Beta collapses (a and b large, or off together to the bound), a/(a+b) kept
    sim = bgnbd.simulate((0.5, 5.0, 2e5, 8e5), np.random.default_rng(2).uniform(30, 80, 6000), seed=5)
    fit = bgnbd.fit(sim["frequency"], sim["recency"], sim["T"])
    a, b = fit.params["a"], fit.params["b"]
    assert a + b > 50  # the Beta's spread sqrt(p(1-p)/(a+b+1)) is below 0.06 (planted: 0)
    assert a / (a + b) == pytest.approx(0.2, abs=0.03)
    assert abs(fit.params["r"] - 0.5) < 3 * fit.standard_errors[0]
    if fit.notes:
        assert "a and b ran off together" in fit.notes[0]
        assert fit.standard_errors[2] == 0 and fit.standard_errors[3] == 0
    pred = bgnbd.expected_purchases(fit.values, 26.0, sim["frequency"], sim["recency"], sim["T"])
    assert np.isfinite(pred).all()
