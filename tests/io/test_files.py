"""The one atomic writer: whole files replaced, nothing left behind."""

from __future__ import annotations

import stat

from jkit.io.files import write_text_atomic


def test_write_text_atomic_replaces_the_whole_file(tmp_path):
    target = tmp_path / "page.html"
    write_text_atomic(target, "a much longer first text")
    write_text_atomic(target, "two ✓")
    assert target.read_text(encoding="utf-8") == "two ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary file left
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
