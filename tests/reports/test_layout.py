"""Run folders, the run lock and atomic writes (jkit.reports.layout).
"""

from __future__ import annotations

import pytest

from jkit.errors import ParameterError, ReportError
from jkit.reports import layout


def test_run_folders_are_named_by_utc_time_and_never_reused(tmp_path):
    import datetime as dt

    t = dt.datetime(2026, 11, 23, 9, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    name1, tmp1 = layout.new_run_folder(tmp_path, t)
    name2, tmp2 = layout.new_run_folder(tmp_path, t)
    assert (name1, name2) == ("2026-11-23_081500", "2026-11-23_081500_2")
    assert tmp1.name == ".run-2026-11-23_081500" and tmp2.is_dir()
    for name, tmp in ((name1, tmp1), (name2, tmp2)):
        (tmp / "run.json").write_text("{}")
        layout.publish_run(tmp, tmp_path, name)
    assert [p.name for p in layout.run_folders(tmp_path)] == ["2026-11-23_081500_2", "2026-11-23_081500"]
    assert layout.prune_runs(tmp_path, 1) == ["2026-11-23_081500"]
    with pytest.raises(ParameterError, match="keep=0 should be a whole number of at least 1"):
        layout.prune_runs(tmp_path, 0)


def test_lock_keeps_a_second_run_out_and_cleans_crashed_runs(tmp_path):
    (tmp_path / ".run-2026-01-01_000000").mkdir()  # left by a crash
    (tmp_path / ".latest-old").mkdir()  # a swap interrupted between its two renames
    (tmp_path / ".latest-old" / "a.html").write_text("good")
    with layout.RunLock(tmp_path):
        assert not (tmp_path / ".run-2026-01-01_000000").exists()
        assert (tmp_path / "latest" / "a.html").read_text() == "good"
        with pytest.raises(ReportError, match="another `jkit run` is writing reports here"), layout.RunLock(tmp_path):
            pass
    with layout.RunLock(tmp_path):  # released on exit
        pass


def test_write_text_atomic_replaces_whole_files(tmp_path):
    target = tmp_path / "index.html"
    layout.write_text_atomic(target, "one")
    layout.write_text_atomic(target, "two")
    assert target.read_text() == "two" and [p.name for p in tmp_path.iterdir()] == ["index.html"]
