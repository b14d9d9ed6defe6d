"""Rendering (jkit.reports.render): the path scrubber.
"""

from __future__ import annotations

import sys

from jkit.reports.render import Scrubber


def test_scrubber_replaces_local_paths_longest_first():
    s = Scrubber({"/srv/proj/data/sample": "data/sample", "/srv/proj": "."})
    assert s.text("read /srv/proj/data/sample/x.csv and /srv/proj/notebooks") == "read data/sample/x.csv and ./notebooks"
    assert s.text(f"{sys.prefix}/lib/site.py") == "<env>/lib/site.py"
    assert s.text("File /home/alice/x.py, /Users/bob/y") == "File ~/x.py, ~/y"


def test_scrubber_replaces_paths_as_html_urls_and_json_write_them():
    """Issue 16.7: a folder named 'R&D study' slipped past the scrubber as 'R&amp;D study'."""
    import html as html_lib
    import json as json_lib
    import urllib.parse

    folder = "/home/alice/R&D study/it's <here>"
    s = Scrubber({folder: "data"})
    for written in (folder, html_lib.escape(folder), html_lib.escape(folder, quote=False),
                    urllib.parse.quote(folder), json_lib.dumps(folder)[1:-1]):
        out = s.text(f"read {written}/customers.csv")
        assert out == "read data/customers.csv", written
        assert "alice" not in out


def test_scrubber_writes_the_shown_form_as_the_path_was_written():
    """An HTML-escaped path is replaced by the HTML-escaped shown form, never by raw markup."""
    import html as html_lib

    folder = "/srv/x/R&D <img src=x onerror=alert(1)>"
    s = Scrubber({folder: "R&D <img src=x onerror=alert(1)>"})
    page = s.text(f"data_dir = {html_lib.escape(folder)}/customers.csv")
    assert "<img" not in page and "R&amp;D &lt;img" in page and "/srv/x" not in page
    rtl = "/srv/x/R&D \u202eevil"  # repr() writes U+202E as \u202e: the Python-literal form is known too
    assert "/srv/x" not in Scrubber({rtl: "data"}).text(f"data_dir = {rtl!r}")
