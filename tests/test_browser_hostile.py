"""Issue 16: every report over a study whose every text field is hostile, opened in headless Chromium.

The study (``tests/hostile_study.py``) puts ``<script>``, ``<img onerror>``, ``</style>``,
``javascript:``/``data:`` links, Markdown links and images, ``$…$``, 300-character strings, RTL
and zero-width characters into feedback texts, event names, touchpoints, stage names, persona
labels, column names, file and folder names, parameter values and customer ids, and plants
e-mails, phones, card numbers and customer names in the feedback. The test asserts that every
report renders; that no page ran a script, opened a dialog, fetched from the network, logged an
error, carries an event-handler attribute, a ``javascript:``/``data:`` link or remote media, or
scrolls sideways; that the hostile texts still show as text; that no planted personal data (nor a
word of a planted name, nor the study's absolute path) is in any HTML, notebook, CSV, JSON or log
of the run; that every export stays in its report's folder; that notebooks and JSON still parse;
and that no exported CSV text cell starts a spreadsheet formula. Every problem is collected and
reported at once. Chromium is launched as in ``tests/test_browser.py``: without it the
test skips, or fails when JKIT_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_or_fail
from tests.hostile_study import (
    CONVERSION_EVENT,
    DROP_STEP,
    FILES,
    FOLDER_NAME,
    PAYLOADS,
    PERSONA_COL,
    PLANTED,
    PLANTED_NAMES,
    STAGES,
    make_hostile_study,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = ROOT / "notebooks"

#: hostile but valid parameter values (each names something the study holds)
PARAMETERS = [
    f"personas={PERSONA_COL}",  # 01: persona labels are the hostile values of this column
    f"breakdowns={PERSONA_COL},touchpoint",  # 02: a breakdown column named like a javascript: URL
    f"drop_step={DROP_STEP}",  # 02: a stage named like a javascript: URL
    f"conversion_events={CONVERSION_EVENT},purchase",  # 01, 02, 04: an event named like a javascript: URL
    "period_cut=2025-03-01",
    "min_count=3",
]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    from jkit.reports import run
    from jkit.reports.execute import check_kernel

    try:
        check_kernel("jkit")
    except Exception as exc:
        skip_or_fail(str(exc), "JKIT_REQUIRE_BROWSER")
    base = tmp_path_factory.mktemp("hostile-study")
    study = make_hostile_study(base)
    # the scans below would see what the study plants
    assert _planted_in(study / FILES["feedback"]) and _formula_cells(study / FILES["customers"])
    result = run(notebooks_dir=NOTEBOOKS, reports_dir=base / "reports", data=study, parameter_strings=PARAMETERS)
    return result


def _pages(result) -> list[Path]:
    """Every HTML page of the run: the indexes, each report (rendered or failed), in the run and in latest/."""
    reports_dir = result.run_dir.parent
    pages = [reports_dir / "index.html", reports_dir / "latest" / "index.html", result.run_dir / "index.html"]
    pages += [r.html for r in result.reports if r.html]
    pages += sorted(result.run_dir.glob("*.html")) + sorted((reports_dir / "latest").glob("*.html"))
    seen, out = set(), []
    for p in pages:
        if p.exists() and p.resolve() not in seen:
            seen.add(p.resolve())
            out.append(p)
    return out


def _open(page, url: str) -> dict:
    seen = {"console": [], "pageerror": [], "dialog": [], "network": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["pageerror"].append(str(e)))

    def on_dialog(d):
        seen["dialog"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: seen["network"].append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(url, wait_until="load")
    page.wait_for_timeout(200)  # let onerror/onload handlers of broken images fire
    seen["text"] = page.inner_text("body")
    seen["scroll"] = page.evaluate(
        "({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth})")
    seen["pwned"] = page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)")
    seen["dom"] = page.evaluate("""() => ({
        js_links: Array.from(document.querySelectorAll('a[href], area[href]')).map(a => a.getAttribute('href'))
            .filter(h => /^\\s*(javascript|data|vbscript):/i.test(h)),
        remote_media: Array.from(document.querySelectorAll('img[src], iframe[src], embed[src], object[data], video[src], audio[src], source[src]'))
            .map(e => e.getAttribute('src') || e.getAttribute('data'))
            .filter(s => /^\\s*(https?:)?\\/\\//i.test(s) || /^\\s*javascript:/i.test(s)),
        handlers: Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
            .filter(a => /^on/i.test(a.name)).map(a => e.tagName + ' ' + a.name + '=' + a.value.slice(0, 60))),
        iframes: document.querySelectorAll('iframe').length,
    })""")
    return seen


def _rel(path: Path, reports_dir: Path) -> str:
    """``path`` as shown in messages: relative to the reports folder, ``latest/`` for the folder it links to."""
    latest = (reports_dir / "latest").resolve()
    if path.resolve().is_relative_to(latest):
        return "latest/" + path.resolve().relative_to(latest).as_posix()
    return path.relative_to(reports_dir).as_posix()


def _run_files(reports_dir: Path) -> list[Path]:
    return sorted(p for p in reports_dir.rglob("*") if p.is_file()
                  and p.suffix.lower() in (".html", ".ipynb", ".csv", ".json", ".log", ".txt", ".md"))


_NAME_WORD = re.compile(r"(?<![\w.@-])(?:" + "|".join(
    re.escape(w.lower()) for n in PLANTED_NAMES for w in re.split(r"[\s,]+", n) if len(w) > 2) + r")(?![\w@-])")
_PLANTED = sorted({p.lower() for p in PLANTED} | {"yuki parker", "parker yuki", "yuki.parker", "zoe.unal"})


def _planted_in(path: Path) -> list[str]:
    """The planted personal data found in a file, with a little context for the first find."""
    text = path.read_text(encoding="utf-8", errors="replace")
    forms = [text.lower()]
    if path.suffix in (".json", ".ipynb"):  # \\u-escaped text too
        with contextlib.suppress(ValueError):  # not valid JSON: reported by the test itself
            forms.append(json.dumps(json.loads(text), ensure_ascii=False).lower())
    found = [p for p in _PLANTED if any(p in f for f in forms)]
    # a word of a planted name on its own ("parker" as a pain point) names the customer too
    found += sorted({m.group(0) for f in forms for m in _NAME_WORD.finditer(f)} - set(found))
    if found:
        f = next(f for f in forms if found[0] in f)
        at = f.find(found[0])
        found.append(f"… {f[max(0, at - 100):at + 60]!r}")
    return found


def _formula_cells(path: Path) -> list[str]:
    """Text cells of a CSV file that a spreadsheet would read as a formula (numbers excepted)."""
    rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return [c for row in rows for c in row if c[:1] in ("=", "+", "-", "@") and not _NUMBER.match(c.strip())]


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")


def test_every_report_over_a_hostile_study_is_inert_and_leaks_nothing(browser, hostile_run):
    result = hostile_run
    problems: list[str] = []
    # every report renders (a skip only with its reason)
    for r in result.reports:
        if r.status == "skipped":
            assert r.reason or r.error, f"{r.name} skipped without a reason"
        elif r.status != "ok":
            problems.append(f"{r.name} {r.status}: {(r.error or '')[:800]}")
    assert [r for r in result.reports if r.status == "ok"], result.summary()

    # every page, in Chromium
    reports_dir = result.run_dir.parent
    pages = _pages(result)
    assert len(pages) >= 3 + len([r for r in result.reports if r.html])
    shown = {}
    for path in pages:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        seen = _open(page, path.as_uri())
        page.close()
        where = _rel(path, reports_dir)
        shown[path.name] = seen["text"]
        if seen["pwned"] is not None or seen["dialog"]:
            problems.append(f"{where}: a script from the data ran (__pwned={seen['pwned']}, dialogs={seen['dialog']})")
        if seen["network"]:
            problems.append(f"{where}: fetched from the network {seen['network']}")
        if seen["console"] or seen["pageerror"]:
            problems.append(f"{where}: console errors {seen['console'] + seen['pageerror']}")
        for key in ("js_links", "remote_media", "handlers"):
            if seen["dom"][key]:
                problems.append(f"{where}: DOM {key} {seen['dom'][key][:5]}")
        if seen["scroll"]["page"] > seen["scroll"]["view"] + 1:  # 300-character names wrap
            problems.append(f"{where}: scrolls sideways ({seen['scroll']['page']} px for {seen['scroll']['view']} px)")
        if seen["dom"]["iframes"]:
            problems.append(f"{where}: {seen['dom']['iframes']} iframe(s)")

    # the hostile texts are shown as text (not dropped, not run), personal data as placeholders
    visible = {"a hostile stage name": STAGES[0][0], "a hostile quote": PAYLOADS["img"], "a redacted name": "[name]"}
    for what, needle in visible.items():
        if not any(needle in text for name, text in shown.items() if name[:2].isdigit()):
            problems.append(f"no report shows {what} as text: {needle!r}")

    # every exported file lies in its report's folder; nothing is written beside the reports folder
    for path in sorted(reports_dir.rglob("*")):
        parts = path.relative_to(reports_dir).parts
        files_dir = next((i for i, p in enumerate(parts) if p.endswith("_files")), None)
        if files_dir is not None and len(parts) > files_dir + 2:
            problems.append(f"{'/'.join(parts)}: an export in a sub-folder of {parts[files_dir]}/ (a name from "
                            "the data made a path)")
    strays = sorted(p.name for p in reports_dir.parent.iterdir() if p.name not in (FOLDER_NAME, reports_dir.name))
    if strays:
        problems.append(f"files written outside the reports folder, beside the study: {strays}")

    # every notebook and JSON export of the run still parses (a quote in a folder name breaks no string)
    for path in _run_files(reports_dir):
        if path.suffix in (".json", ".ipynb"):
            try:
                json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                problems.append(f"{_rel(path, reports_dir)}: not valid JSON ({exc})")

    # no planted personal data in any file of the run
    for path in _run_files(reports_dir):
        found = _planted_in(path)
        if found:
            problems.append(f"{_rel(path, reports_dir)}: planted personal data {found}")

    # no absolute local path of the study in any file of the run (the pages show it relative)
    study_parent = str(result.run_dir.parent.parent)
    for path in _run_files(reports_dir):
        text = path.read_text(encoding="utf-8", errors="replace")
        if study_parent in text or html.escape(study_parent) in text:
            at = text.find(study_parent)
            problems.append(f"{_rel(path, reports_dir)}: the absolute path {study_parent} "
                            f"… {text[max(0, at - 80):at + 150]!r}")

    # no exported CSV text cell starts a formula
    for path in sorted(reports_dir.rglob("*.csv")):
        bad = _formula_cells(path)
        if bad:
            problems.append(f"{_rel(path, reports_dir)}: formula-like cells {bad[:4]}")

    assert not problems, result.summary() + "\n" + "\n".join(problems)
