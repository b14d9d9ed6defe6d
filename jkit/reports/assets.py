"""Files a report page loads from beside it: plotly.js for the interactive charts, once per run folder.

A chart fragment (:func:`jkit.plotting.interactive.chart_html`) carries no library, only the plotly
version it needs (``data-jkit-plotly="6.3.0"``). For each version a page asks for, :func:`attach`
writes the installed plotly's own ``plotly.min.js`` into the run folder as ``plotly-<version>.min.js``
(once, whichever page asks first) and puts one ``<script src="plotly-<version>.min.js">`` in the
page's head: a path relative to the page, which resolves in the run folder and in ``latest/``
(publishing copies a page's assets beside it). Nothing is loaded from a CDN.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from jkit.errors import MissingResourceError

__all__ = ["attach", "page_assets"]

logger = logging.getLogger("jkit.reports")
_MARK = re.compile(r'\sdata-jkit-plotly="([0-9A-Za-z.+-]{1,40})"')


def page_assets(page: str) -> list[str]:
    """The asset file names a rendered page's charts ask for (``plotly-<version>.min.js``), sorted."""
    return sorted({f"plotly-{version}.min.js" for version in _MARK.findall(page)})


def _write(name: str, folder: Path) -> bool:
    """Write ``name`` into ``folder`` unless it is there; False when the installed plotly is another version."""
    target = folder / name
    if target.is_file():
        return True
    try:
        from jkit.plotting.interactive import asset_name, plotly_js

        if asset_name() != name:
            logger.warning("a page asks for %s but the runner's plotly is %s: its interactive charts show a note "
                           "instead (run the kernel and `jkit run` in one environment)", name, asset_name())
            return False
        source = plotly_js()
    except MissingResourceError as exc:  # the kernel had plotly, the runner has not
        logger.warning("a page asks for %s but the runner cannot provide it (%s): its interactive charts show a "
                       "note instead", name, exc)
        return False
    target.write_text(source, encoding="utf-8")
    return True


def attach(page: str, folder: Path) -> tuple[str, list[str]]:
    """The page with one ``<script src>`` per asset its charts need, and those assets' names, written into ``folder``.

    Parameters
    ----------
    page : str
        A rendered HTML page.
    folder : Path
        The run folder the page is written to (its assets go beside it).

    Returns
    -------
    (str, list of str)
        The page (unchanged when no chart asks for an asset or none could be written) and the asset
        names written or already there.
    """
    names = [n for n in page_assets(page) if _write(n, folder)]
    if not names or "</head>" not in page:
        return page, names
    tags = "".join(f'<script charset="utf-8" src="{html.escape(n)}"></script>' for n in names)
    head_end = page.index("</head>")
    return page[:head_end] + tags + page[head_end:], names
