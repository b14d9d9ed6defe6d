"""The CDNOW files (Fader & Hardie's 2,357-customer sample and the full master log), cached.

They ship in the ``lifetimes`` wheel (``lifetimes/datasets/``); the fixture fetches it once with
``pip download lifetimes==0.11.3 --no-deps`` (the package registry is the only network used),
unzips the datasets into the git-ignored ``.cache/cdnow/`` and never imports lifetimes. When the
fetch fails the tests skip with the reason, or fail under JKIT_REQUIRE_SHARED_DATA=1.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT, skip_or_fail

CACHE = ROOT / ".cache" / "cdnow"
FILES = ("CDNOW_sample.txt", "cdnow_customers_summary.csv", "CDNOW_master.txt")
WHEEL = "lifetimes==0.11.3"


def _fetch() -> str | None:
    """Fill the cache from the lifetimes wheel; the reason it could not, or None."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            run = subprocess.run([sys.executable, "-m", "pip", "download", WHEEL, "--no-deps", "-d", tmp, "-q"],
                                 capture_output=True, text=True, timeout=180)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"pip download {WHEEL} failed: {exc}"
        wheels = list(Path(tmp).glob("*.whl"))
        if run.returncode != 0 or not wheels:
            return f"pip download {WHEEL} failed: {run.stderr.strip()[-300:]}"
        CACHE.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(wheels[0]) as wheel:
            for name in FILES:
                (CACHE / name).write_bytes(wheel.read(f"lifetimes/datasets/{name}"))
    return None


@pytest.fixture(scope="session")
def cdnow_dir() -> Path:
    """``.cache/cdnow/`` holding the CDNOW files (fetched at set-up when absent)."""
    if not all((CACHE / f).exists() for f in FILES):
        reason = _fetch()
        if reason:
            skip_or_fail(f"CDNOW data not available: {reason}", "JKIT_REQUIRE_SHARED_DATA")
    return CACHE


@pytest.fixture(scope="session")
def cdnow_sample(cdnow_dir) -> pd.DataFrame:
    """The 2,357-customer sample as transactions: ``customer_id``, ``timestamp``, ``cds``, ``revenue``."""
    raw = pd.read_csv(cdnow_dir / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["master_id", "customer_id", "date", "cds", "revenue"], dtype={"date": str, "customer_id": str})
    raw["timestamp"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "timestamp", "cds", "revenue"]]


@pytest.fixture(scope="session")
def cdnow_master(cdnow_dir) -> pd.DataFrame:
    """The full log of 23,570 customers as transactions."""
    raw = pd.read_csv(cdnow_dir / "CDNOW_master.txt", sep=r"\s+", skiprows=1, header=None,
                      names=["customer_id", "date", "cds", "revenue"], dtype={"date": str, "customer_id": str})
    raw["timestamp"] = pd.to_datetime(raw["date"], format="%Y%m%d")
    return raw[["customer_id", "timestamp", "cds", "revenue"]]
