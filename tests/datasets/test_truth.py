"""The planted truth: the mixture rates of truth.json follow from the personas' shares and rates."""

from __future__ import annotations

import pytest

from jkit import datasets


def test_planted_mixture_rates_are_consistent():
    conv = datasets.expected_conversion()
    shares = {p.key: p.share for p in datasets.PERSONAS}
    reach_purchase = sum(shares[k] * r["consideration"] * r["purchase"] for k, r in conv["by_persona"].items())
    reach_consideration = sum(shares[k] * r["consideration"] for k, r in conv["by_persona"].items())
    assert conv["overall"]["purchase"] == pytest.approx(reach_purchase / reach_consideration, abs=1e-6)
    assert conv["overall_from_start"]["purchase"] == pytest.approx(reach_purchase, abs=1e-6)

