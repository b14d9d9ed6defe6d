"""``latest/`` is never missing: a crash at the swap leaves the old one, the next run repairs the rest."""

from __future__ import annotations

import pytest

from jkit.reports import layout
from jkit.reports.runner import run


class Killed(BaseException):
    """Stands for SIGKILL at the swap: nothing after it runs."""


def test_latest_is_a_link_replaced_in_one_step(project):
    run(["01"], reports_dir="reports")
    latest = project / "reports" / "latest"
    assert latest.is_symlink() and (latest / "01-alpha.html").is_file()
    first_target = layout.latest_target(project / "reports")
    run(["01"], reports_dir="reports")
    assert layout.latest_target(project / "reports") != first_target and not first_target.exists()
    hidden = [p.name for p in (project / "reports").iterdir() if p.name.startswith(".latest")]
    assert len(hidden) == 1  # only the folder latest points to


def test_a_kill_at_the_swap_leaves_the_old_latest_and_the_next_run_recovers(project, monkeypatch):
    run(["01"], reports_dir="reports")
    page = (project / "reports" / "latest" / "01-alpha.html").read_text()
    point_latest = layout._point_latest

    def killed(link, latest):
        raise Killed

    monkeypatch.setattr(layout, "_point_latest", killed)
    with pytest.raises(Killed):
        run(["01"], reports_dir="reports", parameter_strings=["n=5"])
    assert (project / "reports" / "latest" / "01-alpha.html").read_text() == page  # still there, still the old one
    monkeypatch.setattr(layout, "_point_latest", point_latest)
    result = run(["01"], reports_dir="reports", parameter_strings=["n=6"])
    assert result.ok and (project / "reports" / "latest" / "01-alpha_files" / "alpha.csv").read_text() == "n\n6\n"
    hidden = sorted(p.name for p in (project / "reports").iterdir() if p.name.startswith(".latest"))
    assert len(hidden) == 1  # the half-published folder and link were removed


def test_an_old_real_latest_folder_killed_between_the_two_renames_is_restored(project, monkeypatch):
    reports = project / "reports"
    (reports / "latest").mkdir(parents=True)  # the layout of older versions: a real folder
    (reports / "latest" / "old.html").write_text("the good report")

    def killed(link, latest):
        raise Killed

    monkeypatch.setattr(layout, "_point_latest", killed)
    with pytest.raises(Killed):
        run(["01"], reports_dir="reports")
    assert not (reports / "latest").exists() and (reports / ".latest-old" / "old.html").is_file()
    with layout.RunLock(reports):  # the next run starts by repairing it
        assert (reports / "latest" / "old.html").read_text() == "the good report"


def test_a_dangling_latest_link_is_repaired_from_a_complete_build(tmp_path):
    reports = tmp_path / "reports"
    build = reports / ".latest-abc"
    build.mkdir(parents=True)
    (build / "run.json").write_text("{}")
    (reports / "latest").symlink_to(".latest-gone")
    with layout.RunLock(reports):
        assert layout.latest_target(reports).name == ".latest-abc"


def test_without_symlinks_latest_is_a_real_folder(project, monkeypatch):
    import os

    def no_symlinks(*args, **kwargs):
        raise OSError("symlinks are not supported here")

    monkeypatch.setattr(os, "symlink", no_symlinks)
    run(["01"], reports_dir="reports")
    run(["02"], reports_dir="reports")
    latest = project / "reports" / "latest"
    assert latest.is_dir() and not latest.is_symlink()
    assert {"01-alpha.html", "02-beta.html"} <= {p.name for p in latest.iterdir()}
