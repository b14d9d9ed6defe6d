"""The stability verdict in words."""

from __future__ import annotations

from jkit.personas import describe_stability


def test_describe_stability():
    assert [describe_stability(v) for v in (0.95, 0.8, 0.65, 0.3, float("nan"))] == [
        "very stable", "stable", "moderate", "unstable", "not measured"]
