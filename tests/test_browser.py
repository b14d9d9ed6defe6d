"""The rendered reports and JupyterLab, checked in headless Chromium (Debian's package) with Playwright.

Chromium is installed by `make browser` (part of `make test`); without it these tests skip, or
fail when JKIT_REQUIRE_BROWSER=1 (CI). The background-networking flags keep Chromium from
calling home, which this closed network refuses.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from tests.conftest import ROOT, SMALL_SAMPLE, skip_or_fail

pytestmark = pytest.mark.browser

NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every real report rendered once over the small sample (or a tiny dataset of our own)."""
    from jkit.reports import run
    from jkit.reports.execute import check_kernel
    from tests.reports.kernel_runs import make_tiny_data

    try:
        check_kernel("jkit")
    except Exception as exc:
        skip_or_fail(str(exc), "JKIT_REQUIRE_BROWSER")
    base = tmp_path_factory.mktemp("browser")
    data = SMALL_SAMPLE if (SMALL_SAMPLE / "customers.csv").exists() else make_tiny_data(base / "tiny")
    result = run(notebooks_dir=NOTEBOOKS, reports_dir=base / "reports", data=data)
    assert result.ok, result.summary()
    return result


def _check_page(page, url: str, shot: Path) -> dict:
    """Load ``url``; return console errors, page errors, dialogs, off-machine requests and broken images."""
    seen = {"console": [], "pageerror": [], "dialog": [], "network": []}
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["pageerror"].append(str(e)))

    def on_dialog(d):
        seen["dialog"].append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda r: seen["network"].append(r.url) if not r.url.startswith(("file:", "data:")) else None)
    page.goto(url, wait_until="load")
    seen["images"] = page.evaluate(
        "Array.from(document.images).map(i => ({src: i.src.slice(0, 40), ok: i.complete && i.naturalWidth > 0}))"
    )
    seen["pwned"] = page.evaluate("window.__pwned === undefined ? null : String(window.__pwned)")
    seen["links"] = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    return seen


def test_reports_open_offline_without_errors(browser, rendered):
    reports_dir = rendered.run_dir.parent
    shots = rendered.run_dir / "screenshots"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    index = _check_page(page, (reports_dir / "index.html").as_uri(), shots / "index.png")
    report_links = [u for u in index["links"] if u.startswith("file:") and u.endswith(".html")]
    assert len(report_links) >= len(rendered.reports)
    for url in index["links"]:
        assert url.startswith("file:"), f"index links off the machine: {url}"
        assert Path(unquote(urlparse(url).path)).exists(), f"index link does not resolve: {url}"
    pages = {"index": index}
    for url in sorted(set(report_links)):
        rel = Path(unquote(urlparse(url).path)).relative_to(reports_dir.resolve())
        name = rel.with_suffix("").as_posix().replace("/", "__")  # latest__05-data-overview, <run>__index
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        pages[name] = _check_page(page, url, shots / f"{name}.png")
        page.close()
    for name, seen in pages.items():
        assert seen["console"] == [] and seen["pageerror"] == [], f"{name}: {seen['console'] + seen['pageerror']}"
        assert seen["network"] == [], f"{name} fetched from the network: {seen['network']}"
        assert seen["dialog"] == [] and seen["pwned"] is None, f"{name}: a script from the data ran"
        assert all(img["ok"] for img in seen["images"]), f"{name}: images not loaded: {seen['images']}"
    for r in rendered.reports:
        assert f"latest__{r.name}" in pages, f"the index does not link {r.name}"
        assert pages[f"latest__{r.name}"]["images"], f"{r.name}: a report without any figure"
    assert (shots / "index.png").stat().st_size > 0
    assert sorted(p.stem for p in shots.glob("*.png")) == sorted(pages)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyterlab_opens_a_notebook_with_the_project_kernel(browser, tmp_path):
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        pytest.fail(f"{jupyter} not found: JupyterLab belongs to the project's environment (make setup)")
    notebook = NOTEBOOKS / "05-data-overview.ipynb"
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(notebook, root / notebook.name)  # JupyterLab may touch what it opens: never the committed file
    port, token = _free_port(), "jkit-browser-test"
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "cfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"))
    cmd = [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp_path / "lab.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited ({proc.returncode}): {(tmp_path / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("jupyter lab did not answer within 60 s")
                time.sleep(0.5)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{base}/lab/tree/{notebook.name}?token={token}")
        page.get_by_text("Python (jkit) | Idle").first.wait_for(timeout=90_000)
        kernels = json.load(urllib.request.urlopen(f"{base}/api/kernels?token={token}", timeout=5))
        assert [(k["name"], k["execution_state"]) for k in kernels] == [("jkit", "idle")]
        assert page.get_by_text("Select Kernel").count() == 0  # no "kernel not found" dialog
        page.screenshot(path=str(tmp_path / "jupyterlab.png"))
        page.close()
        for k in kernels:
            req = urllib.request.Request(f"{base}/api/kernels/{k['id']}?token={token}", method="DELETE")
            urllib.request.urlopen(req, timeout=10)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


HOSTILE = [
    "<script>window.__pwned = 'script'</script>",
    "<img src=x onerror=\"window.__pwned = 'img'\">",
]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    """The sentiment and persona reports over the small sample with hostile texts in the quotes' way."""
    import pandas as pd

    from jkit.reports import run
    from jkit.reports.execute import check_kernel

    try:
        check_kernel("jkit")
    except Exception as exc:
        skip_or_fail(str(exc), "JKIT_REQUIRE_BROWSER")
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    shutil.copytree(SMALL_SAMPLE, data)
    fb = pd.read_csv(data / "feedback.csv", dtype=str, keep_default_na=False)
    # every text about the planted checkout pain point carries a payload, so whichever texts the
    # reports quote for it (the theme's representative quotes, the most negative ones) carry one
    rows = fb.index[fb["text"].str.contains("checkout", case=False) & (fb["stage"] == "purchase")]
    for i, row in enumerate(rows):
        fb.loc[row, "text"] = f"{fb.loc[row, 'text']} {HOSTILE[i % 2]}"
    fb.to_csv(data / "feedback.csv", index=False)
    result = run(["03", "04"], notebooks_dir=NOTEBOOKS, reports_dir=base / "reports", data=data)
    assert result.ok, result.summary()
    return result


def test_hostile_customer_text_shows_as_text_and_never_runs(browser, hostile_report):
    for report in hostile_report.reports:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        seen = _check_page(page, report.html.as_uri(), hostile_report.run_dir / "screenshots" / f"{report.name}.png")
        assert seen["pwned"] is None and seen["dialog"] == [], f"{report.name}: a script from the data ran"
        assert seen["pageerror"] == [], seen["pageerror"]
        text = page.inner_text("body")
        page.close()
        shown = [h for h in HOSTILE if h in text]
        assert shown, f"{report.name}: the hostile quotes are not visible as text"


def test_reports_leave_customer_ids_out_and_put_the_dropout_list_beside(rendered):
    import re

    import pandas as pd

    customers = pd.read_csv(SMALL_SAMPLE / "customers.csv", dtype=str)
    ids = set(customers["customer_id"])
    names = set(customers["name"]) if "name" in customers else set()
    for report in rendered.reports:
        html = report.html.read_text(encoding="utf-8")
        leaked = ids & set(re.findall(r"C\d{7}", html))
        assert not leaked, f"{report.name} shows customer ids: {sorted(leaked)[:3]}"
        assert not [n for n in names if n in html], f"{report.name} shows customer names"
    funnel = next(r for r in rendered.reports if r.name.startswith("02-"))
    dropouts = list(funnel.files.glob("dropped_after_*.csv"))
    assert dropouts, "the funnel report writes its drop-out list beside the page"
    listed = pd.read_csv(dropouts[0], dtype=str)
    assert len(listed) and set(listed["customer_id"]) <= ids


# --------------------------------------------------------------------------- every study shape

PAGE_WIDTH = 1400


@pytest.fixture(scope="module")
def shape_renders(tmp_path_factory):
    """The renders of tests/reports/test_study_shapes.py (made once per session, shared)."""
    from jkit.reports.execute import check_kernel
    from tests.reports.test_study_shapes import shared_renders

    try:
        check_kernel("jkit")
    except Exception as exc:
        skip_or_fail(str(exc), "JKIT_REQUIRE_BROWSER")
    return shared_renders(tmp_path_factory)


def _shape_pages(render: dict) -> list[Path]:
    """Every page of one run: its index, the top and latest indexes, and each rendered or failed report."""
    run_dir = Path(render["run_dir"])
    reports_dir = run_dir.parent
    pages = [reports_dir / "index.html", reports_dir / "latest" / "index.html", run_dir / "index.html"]
    pages += [Path(r["html"]) for r in render["reports"].values() if r["html"]]
    pages += sorted((reports_dir / "latest").glob("[0-9][0-9]-*.html"))
    seen, out = set(), []
    for p in pages:
        if p.exists() and p.resolve() not in seen:
            seen.add(p.resolve())
            out.append(p)
    return out


def test_every_page_of_every_study_shape_opens_cleanly(browser, shape_renders):
    problems = []
    for shape, render in shape_renders.items():
        run_dir = Path(render["run_dir"])
        shots = run_dir / "screenshots"
        for path in _shape_pages(render):
            page = browser.new_page(viewport={"width": PAGE_WIDTH, "height": 900})
            rel = path.resolve().relative_to(run_dir.parent.resolve())
            name = rel.with_suffix("").as_posix().replace("/", "__")
            seen = _check_page(page, path.as_uri(), shots / f"{name}.png")
            seen["scroll"] = page.evaluate(
                "({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth})")
            page.close()
            where = f"{shape}/{rel}"
            if seen["console"] or seen["pageerror"]:
                problems.append(f"{where}: console errors {seen['console'] + seen['pageerror']}")
            if not all(img["ok"] for img in seen["images"]):
                problems.append(f"{where}: images not loaded {[i for i in seen['images'] if not i['ok']]}")
            if seen["network"]:
                problems.append(f"{where}: fetched from the network {seen['network']}")
            if seen["scroll"]["page"] > seen["scroll"]["view"] + 1:
                problems.append(f"{where}: scrolls sideways at {PAGE_WIDTH} px "
                                f"({seen['scroll']['page']} px wide for a {seen['scroll']['view']} px view)")
            assert (shots / f"{name}.png").stat().st_size > 0
    assert not problems, "\n".join(problems)
