"""Event logs the funnel tests share: hours after T0, one row per event."""

from __future__ import annotations

import pandas as pd

T0 = pd.Timestamp("2024-03-01", tz="UTC")
H = pd.Timedelta("1h")
ENGINES = ["pandas", "duckdb"]


def log(*rows) -> pd.DataFrame:
    """rows: (customer, hours after T0, event[, touchpoint])."""
    data = [(r[0], T0 + r[1] * H, r[2], r[3] if len(r) > 3 else "web") for r in rows]
    return pd.DataFrame(data, columns=["customer_id", "timestamp", "event", "touchpoint"])
