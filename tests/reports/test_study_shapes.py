"""Every report over studies of every shape: each renders or is skipped with its reason, none fails.

The studies are tiny (about 150 customers) and written to tmp folders: all tables, events only,
a transaction log with revenue, customers only, feedback only without a stage, zero events, a
3-hour span, a bank study whose conversion event is ``subscribed``, and one impossible age loaded
with ``lenient=True``. Each study is rendered once (module fixture) and the renders are shared by
the asserts; ``tests/test_browser.py`` opens the same pages in Chromium.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
REPORTS = ("01-journey-map", "02-stage-funnel", "03-feedback-sentiment", "04-personas", "05-data-overview",
           "06-retention-value", "07-paths-drivers")

# --------------------------------------------------------------------------- the studies


def _sample(folder: Path, n_customers: int = 150, seed: int = 3) -> dict[str, Path]:
    from jkit.datasets import make_sample

    return make_sample(n_customers=n_customers, seed=seed, out_dir=folder, events_per_customer=6,
                       feedback_per_customer=1.0, file_format="csv", progress=False)


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _write_yaml(path: Path, spec: dict) -> Path:
    import yaml

    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def make_all_tables(folder: Path) -> Path:
    """The sample generator's study: customers, events (with revenue), feedback, personas_truth.csv."""
    _sample(folder)
    return folder


def make_events_only(base: Path, folder: Path) -> Path:
    """A clickstream: customer_id, timestamp, event (no touchpoint, no revenue), read by a study.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    ev = _read(base / "events.csv")[["customer_id", "timestamp", "event"]]
    ev.rename(columns={"customer_id": "user_id", "timestamp": "event_time", "event": "event_type"}).to_csv(
        folder / "clicks.csv", index=False)
    _write_yaml(folder / "study.yaml", {
        "name": "clickstream",
        "events": {"path": "clicks.csv",
                   "columns": {"customer_id": "user_id", "timestamp": "event_time", "event": "event_type"}},
        "stages": "five_stage",
    })
    return folder / "study.yaml"


def make_transactions(base: Path, folder: Path) -> Path:
    """A transaction log with revenue: one row per order (events purchase / repeat_purchase only)."""
    folder.mkdir(parents=True, exist_ok=True)
    ev = _read(base / "events.csv")
    orders = ev[ev["event"].isin(["purchase", "repeat_purchase"])][["customer_id", "timestamp", "event", "revenue"]]
    orders.to_csv(folder / "events.csv", index=False)
    return folder


def make_customers_only(base: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _read(base / "customers.csv").drop(columns=["name"]).to_csv(folder / "customers.csv", index=False)
    return folder


def make_feedback_only(base: Path, folder: Path) -> Path:
    """Review texts with scores but no stage, no customer (anonymous reviews)."""
    folder.mkdir(parents=True, exist_ok=True)
    fb = _read(base / "feedback.csv").drop(columns=["stage", "customer_id"])
    fb.to_csv(folder / "feedback.csv", index=False)
    return folder


def make_zero_events(base: Path, folder: Path) -> Path:
    """Customers and an events file with its header and no rows."""
    folder.mkdir(parents=True, exist_ok=True)
    _read(base / "customers.csv").to_csv(folder / "customers.csv", index=False)
    _read(base / "events.csv").iloc[:0].to_csv(folder / "events.csv", index=False)
    return folder


def make_three_hours(base: Path, folder: Path) -> Path:
    """All tables, with every event and feedback time squeezed into three hours of one day."""
    folder.mkdir(parents=True, exist_ok=True)
    ev, fb = _read(base / "events.csv"), _read(base / "feedback.csv")
    cust = _read(base / "customers.csv")
    t_ev = pd.to_datetime(ev["timestamp"], utc=True)
    t0, span = t_ev.min(), t_ev.max() - t_ev.min()
    start = pd.Timestamp("2024-03-05T09:00:00Z")

    def squeeze(t: pd.Series) -> pd.Series:
        rel = ((t - t0) / span).clip(0, 1)
        return (start + rel * pd.Timedelta(hours=3)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")

    ev["timestamp"] = squeeze(t_ev)
    fb["timestamp"] = squeeze(pd.to_datetime(fb["timestamp"], utc=True))
    cust["signup_date"] = "2024-03-01"
    cust.to_csv(folder / "customers.csv", index=False)
    ev.to_csv(folder / "events.csv", index=False)
    fb.to_csv(folder / "feedback.csv", index=False)
    (folder / "stages.yaml").write_text((base / "stages.yaml").read_text())
    return folder


BANK_STAGES = {
    "name": "bank_campaign",
    "stages": [
        {"name": "contacted", "events": ["campaign_call", "campaign_email"]},
        {"name": "interested", "events": ["callback", "branch_visit"]},
        {"name": "subscription", "events": ["subscribed"]},
    ],
}


def make_bank(folder: Path, n: int = 200, seed: int = 5) -> Path:
    """A term-deposit campaign: contacted → interested → subscribed (about 11% subscribe)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"B{i:05d}" for i in range(n)]
    pd.DataFrame({"customer_id": ids, "age": rng.integers(18, 90, n),
                  "job_title": rng.choice(["admin", "technician", "services", "retired"], n),
                  "region": rng.choice(["north", "south"], n)}).to_csv(folder / "clients.csv", index=False)
    rows = []
    t0 = pd.Timestamp("2023-05-01", tz="UTC")
    for cid in ids:
        t = t0 + pd.Timedelta(hours=float(rng.uniform(0, 24 * 60)))
        rows.append((cid, t, str(rng.choice(["campaign_call", "campaign_email"])), "phone"))
        if rng.random() < 0.4:
            t += pd.Timedelta(hours=float(rng.uniform(1, 72)))
            rows.append((cid, t, str(rng.choice(["callback", "branch_visit"])), "branch"))
            if rng.random() < 0.3:
                t += pd.Timedelta(hours=float(rng.uniform(1, 72)))
                rows.append((cid, t, "subscribed", "branch"))
    ev = pd.DataFrame(rows, columns=["client", "when", "action", "channel"])
    ev["when"] = ev["when"].dt.strftime("%Y-%m-%d %H:%M:%S")
    ev.to_csv(folder / "contacts.csv", index=False)
    _write_yaml(folder / "study.yaml", {
        "name": "bank campaign",
        "customers": {"path": "clients.csv"},
        "events": {"path": "contacts.csv",
                   "columns": {"customer_id": "client", "timestamp": "when", "event": "action",
                               "touchpoint": "channel"}},
        "stages": BANK_STAGES,
    })
    return folder / "study.yaml"


def make_bad_age(base: Path, folder: Path) -> Path:
    """All tables, one customer aged 130 (outside 0–120): loads only with lenient=True."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("customers.csv", "events.csv", "feedback.csv", "stages.yaml", "personas_truth.csv"):
        (folder / name).write_bytes((base / name).read_bytes())
    cust = _read(folder / "customers.csv")
    cust.loc[3, "age"] = "130"
    cust.to_csv(folder / "customers.csv", index=False)
    return folder


def build_studies(root: Path) -> dict[str, tuple[Path, dict]]:
    """Every study shape: name -> (folder or study.yaml, report parameters)."""
    base = make_all_tables(root / "all_tables")
    return {
        "all_tables": (base, {}),
        "events_only": (make_events_only(base, root / "events_only"), {}),
        "transactions": (make_transactions(base, root / "transactions"), {}),
        "customers_only": (make_customers_only(base, root / "customers_only"), {}),
        "feedback_only": (make_feedback_only(base, root / "feedback_only"), {}),
        "zero_events": (make_zero_events(base, root / "zero_events"), {}),
        "three_hours": (make_three_hours(base, root / "three_hours"), {}),
        "bank": (make_bank(root / "bank"), {"conversion_events": "subscribed"}),
        "bad_age": (make_bad_age(base, root / "bad_age"), {"lenient": True}),
    }


#: reports each shape must skip, with a word of the reason; every other report must render
EXPECTED_SKIPS = {
    "all_tables": {},
    "events_only": {"03-feedback-sentiment": "feedback"},
    "transactions": {"03-feedback-sentiment": "feedback"},
    "customers_only": {"01-journey-map": "events", "02-stage-funnel": "events", "03-feedback-sentiment": "feedback",
                       "06-retention-value": "events", "07-paths-drivers": "events"},
    "feedback_only": {"01-journey-map": "events", "02-stage-funnel": "events", "04-personas": "customers",
                      "06-retention-value": "events", "07-paths-drivers": "events"},
    "zero_events": {"01-journey-map": "events", "02-stage-funnel": "events", "03-feedback-sentiment": "feedback",
                    "06-retention-value": "events", "07-paths-drivers": "events"},
    "three_hours": {},
    "bank": {"03-feedback-sentiment": "feedback"},
    "bad_age": {},
}


# --------------------------------------------------------------------------- rendering once


def _render(name: str, data: str, parameters: dict, out: str) -> dict:
    from jkit.reports import run

    result = run(notebooks_dir=NOTEBOOKS, reports_dir=out, data=data, parameters=parameters or None, quiet=True)
    return {
        "run_dir": str(result.run_dir),
        "reports": {r.name: {"status": r.status, "error": r.error, "html": str(r.html) if r.html else None}
                    for r in result.reports},
    }


def shared_studies(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """The studies, built once per test session (this module and tests/test_browser.py share them)."""
    root = tmp_path_factory.getbasetemp() / "study-shapes"
    done = root / "studies.json"
    if done.exists():
        return {k: (Path(p), prm) for k, (p, prm) in json.loads(done.read_text()).items()}
    studies = build_studies(root / "studies")
    done.write_text(json.dumps({k: (str(p), prm) for k, (p, prm) in studies.items()}))
    return studies


def shared_renders(tmp_path_factory) -> dict[str, dict]:
    """Every report over every study, rendered once per test session (three studies at a time)."""
    from jkit.reports.execute import check_kernel

    studies = shared_studies(tmp_path_factory)
    root = tmp_path_factory.getbasetemp() / "study-shapes"
    done = root / "renders.json"
    if done.exists():
        return json.loads(done.read_text())
    check_kernel("jkit")
    out = root / "renders"
    workers = max(1, min(3, os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {name: pool.submit(_render, name, str(path), params, str(out / name))
                   for name, (path, params) in studies.items()}
        renders = {name: f.result() for name, f in futures.items()}
    done.write_text(json.dumps(renders))
    return renders


@pytest.fixture(scope="module")
def studies(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    return shared_studies(tmp_path_factory)


@pytest.fixture(scope="module")
def renders(tmp_path_factory) -> dict[str, dict]:
    return shared_renders(tmp_path_factory)


def _manifest(render: dict) -> dict:
    return json.loads((Path(render["run_dir"]) / "run.json").read_text(encoding="utf-8"))


def _html(render: dict, report: str) -> str:
    path = render["reports"][report]["html"]
    assert path, f"{report}: no page"
    return Path(path).read_text(encoding="utf-8")


def _text(html: str) -> str:
    """The page's visible text, roughly (tags dropped, entities kept)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


SHAPES = list(EXPECTED_SKIPS)


@pytest.mark.parametrize("shape", SHAPES)
def test_no_report_fails_and_skips_say_why(renders, shape):
    render = renders[shape]
    statuses = {name: r["status"] for name, r in render["reports"].items()}
    failed = {n: render["reports"][n]["error"] for n, s in statuses.items() if s == "failed"}
    assert not failed, f"{shape}: failed reports: {failed}"
    expected = EXPECTED_SKIPS[shape]
    assert {n for n, s in statuses.items() if s == "skipped"} == set(expected), statuses
    assert {n for n, s in statuses.items() if s == "ok"} == set(REPORTS) - set(expected), statuses
    rows = {r["name"]: r for r in _manifest(render)["reports"]}
    for name, word in expected.items():
        assert rows[name]["status"] == "skipped"
        reason = rows[name].get("reason") or rows[name].get("error") or ""
        assert reason.startswith("needs ") and word in reason, f"{shape} {name}: reason {reason!r}"


@pytest.mark.parametrize("shape", SHAPES)
def test_every_page_ends_with_caveats_linked_from_the_headlines(renders, shape):
    for name, r in renders[shape]["reports"].items():
        if r["status"] != "ok":
            continue
        html = _html(renders[shape], name)
        assert "id='caveats'" in html or 'id="caveats"' in html, f"{shape} {name}: no Caveats section"
        assert "href='#caveats'" in html or 'href="#caveats"' in html, f"{shape} {name}: no link to the caveats"
        assert "Traceback" not in html and "Error" not in _text(html).split("Caveats")[0][:0], name


def test_caveats_list_what_loading_noted(renders):
    text = _text(_html(renders["events_only"], "05-data-overview"))
    caveats = text[text.rindex("Caveats"):]
    assert "derived from events" in caveats
    assert "touchpoint" in caveats  # filled with "unknown"
    text = _text(_html(renders["bad_age"], "01-journey-map"))
    assert "set aside" in text[text.rindex("Caveats"):] or "age" in text[text.rindex("Caveats"):]


def test_journey_map_leaves_out_lanes_without_data(renders):
    text = _text(_html(renders["events_only"], "01-journey-map"))
    assert "left out" in text
    for lane in ("emotion", "pain points", "opportunities"):
        assert re.search(rf"{lane}[^.]*left out|left out[^.]*{lane}", text, re.I), f"no note for the {lane} lane"
    assert re.search(r"touchpoints?[^.]*left out|left out[^.]*touchpoints?", text, re.I)
    text = _text(_html(renders["all_tables"], "01-journey-map"))
    assert "lane is left out" not in text and "lanes are left out" not in text


def test_sentiment_without_stages_says_so(renders):
    text = _text(_html(renders["feedback_only"], "03-feedback-sentiment"))
    body = text.split("Caveats: what this report", 1)[1]  # after the banner and the headlines
    assert re.search(r"emotion curve along the journey is left out: the feedback has no 'stage' column", body)
    assert "stage × touchpoint grid is left out" in body
    assert "stage_col=" not in body and "argument" not in body and "Traceback" not in text


def test_bank_conversion_is_not_zero(renders):
    text = _text(_html(renders["bank"], "02-stage-funnel"))
    assert "conversion_rate" in text or "conversion rate" in text
    assert not re.search(r"conversion[ _]rate\s+0\.0+%?\s", text)


def test_no_revenue_shows_na_not_zero(renders):
    text = _text(_html(renders["bank"], "04-personas"))
    assert "spend per customer: n/a" in text and "spend per customer: 0.00" not in text
    text = _text(_html(renders["bank"], "02-stage-funnel"))
    assert re.search(r"average_order_value n/a n/a", text), "the KPI table shows a value where there is no revenue"
    assert re.search(r"conversion_rate 1\d\.\d% ", text), "conversion to subscribed is about 12%"


def test_three_hour_span_cuts_inside_the_data(renders):
    text = _text(_html(renders["three_hours"], "01-journey-map"))
    assert "2024-03-05" in text and re.search(r"2024-03-05 1[01]:\d\d", text), "the cut is not an instant inside the data"


# --------------------------------------------------------------------------- jkit level


def test_journey_map_figure_draws_only_lanes_with_data(studies):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import jkit
    from jkit.journey_map import available_lanes, journey_map

    data = jkit.load(studies["events_only"][0])
    lanes, notes = available_lanes(data)
    assert lanes == ["reach", "actions"]
    assert set(notes) == {"touchpoints", "emotion", "pain_points", "opportunities"}
    assert all(n.startswith("The ") and "left out" in n for n in notes.values())
    fig = journey_map(data, window="30D").plot(lanes=lanes)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    labels = " ".join(texts + [ax.get_ylabel() for ax in fig.axes] + [ax.get_title() for ax in fig.axes]).lower()
    assert "emotion" not in labels and "pain" not in labels
    plt.close(fig)
    data = jkit.load(studies["all_tables"][0])
    lanes, notes = available_lanes(data)
    assert lanes == ["reach", "actions", "touchpoints", "emotion", "pain_points", "opportunities"] and not notes


def test_period_cut_is_an_instant_inside_short_data(studies):
    import jkit
    from jkit.journey_map import default_period_cut, scaled_window

    data = jkit.load(studies["three_hours"][0])
    start, end = data.period
    cut = default_period_cut(data)
    assert start < cut <= end
    assert scaled_window(data, "90D") <= end - start
    long = jkit.load(studies["all_tables"][0])
    assert scaled_window(long, "90D") == pd.Timedelta("90D")


def test_kpis_with_a_non_purchase_conversion_event(studies):
    import jkit
    from jkit.kpis import default_conversion_events, kpi_table

    data = jkit.load(studies["bank"][0])
    assert default_conversion_events(data.stages) == ["subscribed"]
    kpis = kpi_table(data, purchase_events=["subscribed"]).set_index("kpi")
    subscribed = data.events.loc[data.events["event"] == "subscribed", "customer_id"].nunique()
    rate = kpis.loc["conversion_rate", "value"]
    assert rate == pytest.approx(subscribed / data.events["customer_id"].nunique())
    assert 0.05 < rate < 0.25
    # no revenue column in the data: no revenue KPI is a number
    for kpi in ("average_order_value", "clv", "annual_revenue_per_customer"):
        assert kpi not in kpis.index or pd.isna(kpis.loc[kpi, "value"])


def test_personas_agree_between_the_journey_map_and_the_persona_report(studies):
    """01 fits with persona_labels(data, "model"); 04 with fit_personas and its own defaults (bootstrap on)."""
    import jkit
    from jkit.notebook import fit_personas, persona_labels

    for shape in ("all_tables", "events_only", "bank"):
        data = jkit.load(studies[shape][0])
        from_map = persona_labels(data, "model")
        _, assigned, _ = fit_personas(data, "", n_personas="auto", k_range=(2, 8), reduce=True, n_bootstrap=20,
                                      random_state=0)
        from_report = pd.DataFrame({"customer_id": assigned["customer_id"].astype(str),
                                    "persona": assigned["persona_name"]})
        merged = from_map.merge(from_report, on="customer_id", suffixes=("_map", "_report"))
        assert len(merged) == len(data.customers), shape
        assert (merged["persona_map"] == merged["persona_report"]).all(), shape


def test_the_two_persona_reports_name_the_same_personas(renders):
    import html as html_lib

    for shape in ("all_tables", "bank"):
        journey = html_lib.unescape(_html(renders[shape], "01-journey-map"))
        personas = html_lib.unescape(_html(renders[shape], "04-personas"))
        names = re.findall(r"<h3[^>]*>(.+?) — \d+% of customers entering the journey", journey)
        assert len(names) >= 2, f"{shape}: no per-persona maps"
        for name in names:
            name = re.sub(r"<[^>]+>", "", name).strip()
            assert name in personas, f"{shape}: persona {name!r} of the journey map is not in the persona report"


def test_kpi_defaults_come_from_the_stage_model(studies):
    import jkit
    from jkit.kpis import default_conversion_events, kpi_table, parse_events

    assert parse_events(" subscribed, renewed ,") == ["subscribed", "renewed"]
    data = jkit.load(studies["all_tables"][0])
    assert default_conversion_events(data.stages) == ["purchase", "repeat_purchase"]
    assert default_conversion_events(data.stages, "checkout_start") == ["checkout_start"]
    bank = jkit.load(studies["bank"][0])
    # the default names are not bank events: kpi_table falls back on the conversion stage, never 0%
    default = kpi_table(bank).set_index("kpi").loc["conversion_rate", "value"]
    given = kpi_table(bank, purchase_events=["subscribed"]).set_index("kpi").loc["conversion_rate", "value"]
    assert default == pytest.approx(given) and given > 0
    with_revenue = kpi_table(data).set_index("kpi")
    assert with_revenue.loc["average_order_value", "value"] > 0


def test_report_support_helpers(studies):
    import jkit
    from jkit.notebook import left_out_text, period_for_span, reached_stages_only
    from jkit.personas.profiles import describe_trait

    assert left_out_text("the emotion lane", "the study has no feedback.") == \
        "The emotion lane is left out: the study has no feedback."
    assert period_for_span(pd.Timedelta(hours=3), "M", allowed=("h", "D", "W", "M")) == "h"
    assert period_for_span(pd.Timedelta(days=62), "M") == "W"
    assert period_for_span(pd.Timedelta(days=10), "M") == "D"
    assert period_for_span(pd.Timedelta(days=900), "W") == "W"  # never coarser than asked
    assert period_for_span(None, "M") == "M"
    data = jkit.load(studies["transactions"][0])
    cut, text = reached_stages_only(data)
    assert cut.stages.names == ["purchase", "retention"] and "awareness" in text
    full = jkit.load(studies["all_tables"][0])
    assert reached_stages_only(full)[0] is full
    trait = describe_trait({"kind": "numeric", "feature": "income", "value": 134000.0, "population": 67912.3})
    assert trait == "income 134,000 vs 67,912" and "e+" not in trait
    assert describe_trait({"kind": "numeric", "feature": "tp_web", "value": 0.557, "population": 0.2}) == \
        "tp web 56% vs 20%"
