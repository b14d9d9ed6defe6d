"""Shared fixtures: paths to the committed small sample, ../shared/data, and skip-or-fail rules.

Tests that need something outside the project (../shared/data, Chromium, Java) skip with a
reason when it is absent; CI sets JKIT_REQUIRE_SHARED_DATA / JKIT_REQUIRE_BROWSER /
JKIT_REQUIRE_SPARK / JKIT_REQUIRE_TRANSFORMERS to 1 so that they fail there instead.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL_SAMPLE = ROOT / "data" / "sample-small"
SHARED_DATA = Path(os.environ.get("JKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def skip_or_fail(reason: str, env_var: str) -> None:
    """Skip the test, or fail it when ``env_var`` is set to 1 (as in CI)."""
    if os.environ.get(env_var) == "1":
        pytest.fail(f"{reason} ({env_var}=1, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real labelled text and a real customer table)."""
    if not SHARED_DATA.is_dir():
        skip_or_fail(f"real data not found at {SHARED_DATA} (it sits beside the project on our machines)",
                     "JKIT_REQUIRE_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(scope="session")
def small_sample_dir() -> Path:
    """The small committed copy of the sample data (with its planted truth)."""
    if not (SMALL_SAMPLE / "truth.json").exists():
        pytest.fail(f"{SMALL_SAMPLE} is missing: regenerate it with `jkit sample-data --small`")
    return SMALL_SAMPLE


@pytest.fixture(scope="session")
def small_sample(small_sample_dir):
    """The small sample loaded with :func:`jkit.load` (read-only: copy before changing)."""
    import jkit

    return jkit.load(small_sample_dir)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright (skips, or fails with JKIT_REQUIRE_BROWSER=1, when absent)."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} not found: install it with `make browser` (apt-get install chromium)",
                     "JKIT_REQUIRE_BROWSER")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -e '.[dev]')", "JKIT_REQUIRE_BROWSER")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def kernel_available():
    """Skip unless the Jupyter kernel "jkit" is installed (``make setup`` installs it)."""
    from jkit.errors import MissingResourceError
    from jkit.reports.execute import check_kernel

    try:
        check_kernel("jkit")
    except MissingResourceError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession (local[2], 4 shuffle partitions, no UI) for every Spark test; skipped
    without PySpark or Java (a failure when JKIT_REQUIRE_SPARK=1, as in CI)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed (pip install 'jkit[spark]')", "JKIT_REQUIRE_SPARK")
    if shutil.which("java") is None:
        skip_or_fail("Java is not installed (make java, or apt-get install openjdk-17-jre-headless)",
                     "JKIT_REQUIRE_SPARK")
    from jkit.spark import get_spark

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = get_spark("local[2]", app_name="jkit-tests", config={"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()
