"""The analysis reports render through `jkit run` with engine=spark (Spark's local mode in each kernel)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT, SMALL_SAMPLE, skip_or_fail

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def test_reports_render_with_engine_spark(tmp_path):
    try:
        import pyspark  # noqa: F401
    except ImportError:
        skip_or_fail("pyspark is not installed (pip install 'jkit[spark]')", "JKIT_REQUIRE_SPARK")
    if shutil.which("java") is None:
        skip_or_fail("Java is not installed (make java)", "JKIT_REQUIRE_SPARK")
    from jkit.reports import run

    result = run(["01", "02", "03", "04"], notebooks_dir=ROOT / "notebooks", reports_dir=tmp_path / "reports",
                 data=SMALL_SAMPLE, parameter_strings=["engine=spark", "spark_master=local[2]"])
    assert result.ok, result.summary()
    manifest = json.loads((result.run_dir / "run.json").read_text())
    assert [r["parameters"]["engine"] for r in manifest["reports"]] == ["spark"] * 4
    # the journey map exported beside its page is the same map as with pandas: planted dip and drop-off
    exported = json.loads((result.run_dir / "01-journey-map_files" / "journey_map.json").read_text())
    assert exported["meta"]["emotion_dip_stage"] == "retention"
    assert exported["meta"]["largest_dropoff_stage"] == "purchase"
