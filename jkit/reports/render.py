"""Rendering an executed notebook as one self-contained HTML page (nbconvert), safe to share.

Cells tagged ``remove-cell``, ``remove-input`` or ``remove-output`` (Jupyter Book's tags) lose
that part in the page, e.g. a title cell that ``show_header`` repeats. The page embeds its
figures and loads nothing from the network: the lab template's require.js,
MathJax, Mermaid and widget scripts (all fetched from a CDN) are left out. Code cells are hidden
unless ``show_code``; a failed report shows every cell's code and the error. Before rendering,
:class:`Scrubber` replaces absolute local paths (project, data, environment, home) in the
notebook's text with the forms the reader was given (``data/sample``), so no report carries the
machine's paths or user name.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import os
import re
import sys
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["Scrubber", "notebook_title", "render_report", "render_failure"]

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>
.jkit-banner{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;color:#333;
 background:#f5f7fa;border-bottom:1px solid #d8dee6;padding:8px 16px;margin:0 0 12px 0;max-width:100%;
 box-sizing:border-box;overflow-wrap:anywhere;word-break:break-word}
.jkit-banner a{color:#1a5fb4} .jkit-banner code{font-size:13px;white-space:normal;overflow-wrap:anywhere}
.jkit-params{margin-top:2px;color:#555}
.jp-Notebook,.jp-Cell,.jp-OutputArea,.jp-OutputArea-child{max-width:100%;min-width:0;box-sizing:border-box}
.jp-OutputArea-output{max-width:100%;min-width:0;overflow-x:auto}
.jp-RenderedHTMLCommon .jkit-table-scroll,.jkit-table-scroll{overflow-x:auto;max-width:100%}
.jp-RenderedHTMLCommon img,.jp-RenderedImage img{max-width:100%;height:auto}
.jp-RenderedHTMLCommon pre{white-space:pre-wrap;overflow-wrap:anywhere}
.jkit-failed{background:#fdecea;border:1px solid #e0a09a;color:#611a15;padding:10px 16px;margin:8px 16px 16px;
 font-family:system-ui,sans-serif;border-radius:4px}
.jkit-failed pre{white-space:pre-wrap;font-size:12px;max-height:24em;overflow:auto}
</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.jkit_banner }}
{%- endblock body_header -%}
"""

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
_HTML_H1 = re.compile(r"<h1[^>]*>(?P<title>.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TABLE = re.compile(r"(<table\b.*?</table>)", re.IGNORECASE | re.DOTALL)
_HOME_LIKE = re.compile(r"(?<![\w.~-])/(?:home|Users)/[^/\s\"'<>]+")
_TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex", "application/json")


def _html_repr(value: str) -> str:
    return html.escape(repr(value)[1:-1])


_WRITTEN_FORMS = (
    lambda v: v,
    html.escape,
    lambda v: html.escape(v, quote=False),
    urllib.parse.quote,
    lambda v: json.dumps(v)[1:-1],
    lambda v: repr(v)[1:-1],
    _html_repr,
)


class Scrubber:
    """Replace absolute local paths in text by what the reader may see.

    Parameters
    ----------
    replacements : mapping of str to str
        Absolute path -> shown form (``"/srv/x/data/sample" -> "data/sample"``). The Python
        environment (``<env>``), the Python installation (``<python>``) and the home folder
        (``~``) are added; longer paths are replaced first.

    Examples
    --------
    >>> Scrubber({"/work/p": "."}).text("open /work/p/data/x.csv")
    'open ./data/x.csv'
    """

    def __init__(self, replacements: Mapping[str, str] | None = None) -> None:
        pairs: dict[str, str] = {}
        known = [(p, shown) for p, shown in (replacements or {}).items()]
        known += [(sys.prefix, "<env>"), (sys.base_prefix, "<python>"), (sys.exec_prefix, "<env>"),
                  (os.path.expanduser("~"), "~")]
        for path, shown in known:
            if not path:
                continue
            for variant in {str(path), os.path.realpath(path)}:
                variant = variant.rstrip("/")
                if len(variant) <= 1:
                    continue
                # the path as HTML, a URL, JSON and a Python literal write it too ("R&D study" is
                # "R&amp;D study" in a page); the shown form is written the same way, so an escaped
                # path is never replaced by raw markup
                for form in _WRITTEN_FORMS:
                    pairs.setdefault(form(variant), form(shown))
        self.pairs = sorted(pairs.items(), key=lambda kv: len(kv[0]), reverse=True)

    def text(self, value: str) -> str:
        """``value`` with every known absolute path replaced."""
        for path, shown in self.pairs:
            if path in value:
                value = value.replace(path, shown)
        return _HOME_LIKE.sub("~", value)

    def value(self, value: Any) -> Any:
        """Scrub strings inside lists and dicts too."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def notebook(self, nb: Any) -> Any:
        """A scrubbed deep copy of a notebook node: sources, text outputs, tracebacks, metadata."""
        nb = copy.deepcopy(nb)
        papermill = nb.get("metadata", {}).get("papermill")
        if papermill is not None:
            for key in list(papermill):
                papermill[key] = self.value(papermill[key])
        for cell in nb.get("cells", []):
            cell["source"] = self.value(cell.get("source", ""))
            for out in cell.get("outputs", []) or []:
                if "text" in out:
                    out["text"] = self.value(out["text"])
                if "evalue" in out:
                    out["evalue"] = self.value(out["evalue"])
                if "traceback" in out:
                    out["traceback"] = self.value(out["traceback"])
                data = out.get("data")
                if data:
                    for key in _TEXT_KEYS:
                        if key in data:
                            data[key] = self.value(data[key])
        return nb


def notebook_title(nb: Any, fallback: str) -> str:
    """The first ``# heading`` of the notebook's markdown cells, else ``fallback``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        m = _MARKDOWN_HEADING.search(source)
        if m:
            title = re.sub(r"[*_`]", "", m.group("title")).strip()
            if title:
                return title
    return fallback


def _plain(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>|[*_`]", "", text)).split()).casefold()


def _output_h1s(nb: Any) -> set[str]:
    found = set()
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            text = data.get("text/html", "")
            text = "".join(text) if isinstance(text, list) else text
            found.update(_plain(m.group("title")) for m in _HTML_H1.finditer(text))
    return found


def dedupe_title(nb: Any) -> Any:
    """Drop a markdown ``# title`` line when an output (``show_header``) prints the same title: one title per page.

    A markdown cell left empty by that is removed.
    """
    shown = _output_h1s(nb)
    if not shown:
        return nb
    cells = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else source
            kept = _MARKDOWN_HEADING.sub(lambda m: "" if _plain(m.group("title")) in shown else m.group(0), source)
            if kept != source:
                if not kept.strip():
                    continue
                cell["source"] = kept.lstrip("\n")
        cells.append(cell)
    nb["cells"] = cells
    return nb


def wrap_tables(nb: Any) -> Any:
    """Put every HTML table of the outputs in a box that scrolls sideways, so the page does not."""
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            data = out.get("data") or {}
            text = data.get("text/html")
            if not text:
                continue
            text = "".join(text) if isinstance(text, list) else text
            if "<table" in text.lower() and "jkit-table-scroll" not in text:
                data["text/html"] = _TABLE.sub(r"<div class='jkit-table-scroll'>\1</div>", text)
    return nb


def _exporter(show_code: bool):
    import jinja2
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"jkit_report.html.j2": _TEMPLATE})],
        template_file="jkit_report.html.j2",
        embed_images=True,
    )
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.anchor_link_text = ""
    exporter.log = logging.getLogger("jkit.reports.render")  # into the run log, not onto a cron job's stderr
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags={"remove-cell", "remove_cell"},
            remove_input_tags={"remove-input", "remove_input"},
            remove_all_outputs_tags={"remove-output", "remove_output"},
            enabled=True,
        ),
        enabled=True,
    )
    return exporter


def _render(nb: Any, *, title: str, show_code: bool, banner: str, resources_path: str | Path | None) -> str:
    import nbformat

    node = wrap_tables(dedupe_title(nbformat.from_dict(copy.deepcopy(nb))))
    node.metadata["title"] = title
    resources = {"metadata": {"name": title}, "jkit_banner": banner}
    if resources_path is not None:
        resources["metadata"]["path"] = str(resources_path)
    body, _ = _exporter(show_code).from_notebook_node(node, resources=resources)
    return body


def render_report(
    nb: Any,
    *,
    title: str,
    banner: str = "",
    show_code: bool = False,
    resources_path: str | Path | None = None,
) -> str:
    """The HTML page of an executed notebook.

    Parameters
    ----------
    nb : NotebookNode or dict
        The executed (and scrubbed) notebook.
    title : str
        The page title.
    banner : str, default ""
        Trusted HTML shown at the top (built by the runner with escaped values).
    show_code : bool, default False
        Keep the code cells' input.
    resources_path : path, optional
        Folder against which markdown images are resolved before embedding.

    Returns
    -------
    str
        A complete, self-contained HTML document.
    """
    return _render(nb, title=title, show_code=show_code, banner=banner, resources_path=resources_path)


def render_failure(
    nb: Any | None,
    *,
    title: str,
    error: str,
    cell: int | None = None,
    traceback: str = "",
    banner: str = "",
    resources_path: str | Path | None = None,
) -> str:
    """The HTML page of a failed report: what failed on top, then every cell with its code.

    ``nb`` may be None when the kernel never ran a cell; the page then shows the error alone.
    """
    where = f" in cell <code>In [{cell}]</code>" if cell is not None else ""
    jump = " <a href='#papermill-error-cell'>Go to the failing cell</a>." if cell is not None else ""
    box = (
        f"<div class='jkit-failed' role='alert'><b>This report failed{where}:</b> "
        f"<code>{html.escape(error)}</code>.{jump} The previous good version of this report, if there is one, "
        "is kept in <code>latest/</code>."
        + (f"<pre>{html.escape(traceback)}</pre>" if traceback and cell is None else "")
        + "</div>"
    )
    if nb is None:
        import nbformat

        nb = nbformat.v4.new_notebook()
    return _render(nb, title=f"FAILED: {title}", show_code=True, banner=banner + box, resources_path=resources_path)
