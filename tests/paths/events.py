"""A small log whose sessions, transitions and paths are worked out by hand in the tests."""

from __future__ import annotations

import pandas as pd


def small_log() -> pd.DataFrame:
    """Customer a: visit 10:00, cart and view at the same instant 10:10 (ordered cart, view by name),
    visit 12:00. Customer b: visit 09:00, view 09:30 (exactly 30 min: same session), view 10:01
    (31 min: a new session). Customer c: one visit."""
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "a", "b", "b", "b", "c"],
        "timestamp": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:10", "2024-01-01 10:10", "2024-01-01 12:00",
                                     "2024-01-01 09:00", "2024-01-01 09:30", "2024-01-01 10:01", "2024-01-02 00:00"],
                                    utc=True),
        "event": ["visit", "view", "cart", "visit", "visit", "view", "view", "visit"],
        "touchpoint": ["web", "web", "app", "web", "app", "app", "web", "web"],
    })
