"""The small event log the retention and lifecycle tests compute by hand (months of 2024, UTC).

=========  ==========================================================  =====
customer   events                                                      plan
=========  ==========================================================  =====
a          signup Jan 3 (ads), buy Jan 20, buy Mar 5, signup Mar 6      pro
           (email), visit Apr 2
b          signup Feb 10 (ads), buy Feb 11, buy Apr 15                  free
c          signup Jan 15 (email), visit Feb 1                           free
d          buy Feb 20 (before its signup), signup Apr 1 (ads), buy May 1 pro
e          signup May 31 (ads): the last day, so May is complete        free
=========  ==========================================================  =====

Active months (any event): a Jan Mar Apr, b Feb Apr, c Jan Feb, d Feb Apr May, e May.
Buy months: a Jan Mar, b Feb Apr, d Feb May.
"""

from __future__ import annotations

import pandas as pd

ROWS = [
    ("a", "2024-01-03 09:00", "signup", "ads"), ("a", "2024-01-20", "buy", "ads"),
    ("a", "2024-03-05", "buy", "email"), ("a", "2024-03-06", "signup", "email"), ("a", "2024-04-02", "visit", "ads"),
    ("b", "2024-02-10", "signup", "ads"), ("b", "2024-02-11", "buy", "ads"), ("b", "2024-04-15", "buy", "ads"),
    ("c", "2024-01-15", "signup", "email"), ("c", "2024-02-01", "visit", "email"),
    ("d", "2024-02-20", "buy", "ads"), ("d", "2024-04-01", "signup", "ads"), ("d", "2024-05-01", "buy", "ads"),
    ("e", "2024-05-31 18:00", "signup", "ads"),
]

LOG = pd.DataFrame(ROWS, columns=["customer_id", "timestamp", "event", "channel"]).assign(
    timestamp=lambda f: pd.to_datetime(f["timestamp"], utc=True, format="ISO8601"))

CUSTOMERS = pd.DataFrame({"customer_id": list("abcde"), "plan": ["pro", "free", "free", "pro", "free"]})

MONTHS = {m: pd.Timestamp(f"2024-{i:02d}-01", tz="UTC") for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun"], start=1)}
