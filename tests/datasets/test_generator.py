"""The sample-data generator: determinism, the data contract, and every planted truth recovered
by independent pandas code (not by jkit's analyses)."""

from __future__ import annotations

import hashlib
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import jkit
from jkit import datasets
from jkit.errors import JkitWarning, ParameterError

TRUTH_KEYS = {
    "seed", "n_customers", "n_events", "n_feedback", "stage_model", "stages", "period", "personas",
    "stage_conversion", "largest_dropoff_stage", "emotion_dip_stage", "pain_points", "pii", "html_injection",
}


def file_hashes(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample") / "s"
    datasets.make_sample(n_customers=4000, seed=11, out_dir=out, progress=False)
    return out


@pytest.fixture(scope="module")
def sample(sample_dir):
    return jkit.load(sample_dir)


@pytest.fixture(scope="module")
def truth(sample_dir):
    return datasets.load_truth(sample_dir)


@pytest.fixture(scope="module")
def persona_of(sample_dir):
    return datasets.load_personas_truth(sample_dir).set_index("customer_id")["persona"]


@pytest.fixture(scope="module")
def first_times(sample):
    """Ordered-funnel reach, brute force: first time at each stage strictly after the previous one."""
    stage_of = {e: i for i, evs in enumerate(datasets.STAGE_EVENTS) for e in evs}
    ev = sample.events.assign(k=sample.events["event"].map(stage_of))
    reached = ev.loc[ev["k"] == 0].groupby("customer_id")["timestamp"].min().rename(0).to_frame()
    for k in range(1, 5):
        prev = reached[k - 1].dropna().rename("prev")
        cand = ev.loc[ev["k"] == k, ["customer_id", "timestamp"]].merge(prev, left_on="customer_id", right_index=True)
        cand = cand[(cand["timestamp"] > cand["prev"]) & (cand["timestamp"] <= cand["prev"] + pd.Timedelta("90D"))]
        reached = reached.join(cand.groupby("customer_id")["timestamp"].min().rename(k))
    return reached


# --------------------------------------------------------------------------- files and determinism


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a = datasets.make_sample(n_customers=300, seed=3, out_dir=tmp_path / "a", progress=False)
    datasets.make_sample(n_customers=300, seed=3, out_dir=tmp_path / "b", progress=False)
    datasets.make_sample(n_customers=300, seed=4, out_dir=tmp_path / "c", progress=False)
    assert set(a) == {"customers", "events", "feedback", "stages", "personas_truth", "truth"}
    ha, hb, hc = (file_hashes(tmp_path / x) for x in "abc")
    assert ha == hb
    for name in ("customers.csv", "events.parquet", "feedback.csv", "personas_truth.csv"):
        assert ha[name] != hc[name]
    assert not [p for p in (tmp_path / "a").iterdir() if ".tmp" in p.name]  # temp files renamed away


def test_loads_strictly_with_the_contract(sample, truth, sample_dir):
    assert sample.validation.ok
    assert len(sample.customers) == truth["n_customers"] == 4000
    assert len(sample.events) == truth["n_events"]
    assert len(sample.feedback) == truth["n_feedback"]
    assert sample.stages.name == truth["stage_model"] == "five_stage"
    assert truth["stages"] == sample.stages.names
    assert set(truth) == TRUTH_KEYS
    # default size: about 40 events and 1.6 feedback texts per customer
    assert 36 < len(sample.events) / 4000 < 44
    assert 1.45 < len(sample.feedback) / 4000 < 1.75
    assert set(sample.events["touchpoint"].unique()) <= {"web", "mobile_app", "email", "store", "social", "support"}
    assert sample.customers["customer_id"].iloc[0] == "C0000001"
    assert sample.customers["name"].str.match(r"^[A-ZÀ-Ý][\w'-]+ [A-ZÀ-Ý][\w'-]+$").all()
    start, end = pd.Timestamp(truth["period"]["start"]), pd.Timestamp(truth["period"]["end"])
    assert start <= sample.events["timestamp"].min() and sample.events["timestamp"].max() <= end
    assert sample.events["session_id"].notna().all()
    sessions = sample.events.groupby("session_id")["customer_id"].nunique()
    assert (sessions == 1).all()  # a session belongs to one customer
    assert 1.5 < len(sample.events) / len(sessions) < 4
    assert set(datasets.load_personas_truth(sample_dir)["customer_id"]) == set(sample.customers["customer_id"])


def test_rows_are_shuffled(sample):
    ts = sample.events["timestamp"]
    assert not ts.is_monotonic_increasing
    rank_corr = np.corrcoef(np.arange(len(ts)), ts.rank().to_numpy())[0, 1]
    assert abs(rank_corr) < 0.05
    assert not sample.events["customer_id"].is_monotonic_increasing
    assert not sample.feedback["timestamp"].is_monotonic_increasing


def test_chunked_generation_yields_requested_rows(tmp_path):
    out = tmp_path / "chunked"
    datasets.make_sample(n_customers=1000, seed=5, out_dir=out, events_per_customer=12, chunk_size=256, progress=False)
    truth = datasets.load_truth(out)
    meta = pq.ParquetFile(out / "events.parquet").metadata
    assert meta.num_row_groups == 4  # 256 + 256 + 256 + 232 customers
    assert meta.num_rows == truth["n_events"]
    data = jkit.load(out)
    assert len(data.customers) == 1000 and data.customers["customer_id"].is_unique
    assert data.customers["customer_id"].iloc[-1] == "C0001000"
    assert set(data.events["customer_id"]) <= set(data.customers["customer_id"])
    assert 10 < len(data.events) / 1000 < 14
    assert data.feedback["feedback_id"].is_unique and data.events["session_id"].notna().all()


def test_csv_format_replaces_stale_parquet(tmp_path):
    out = tmp_path / "csv"
    datasets.make_sample(n_customers=200, seed=1, out_dir=out, progress=False)
    paths = datasets.make_sample(n_customers=200, seed=1, out_dir=out, file_format="csv", progress=False)
    assert paths["events"].name == "events.csv" and not (out / "events.parquet").exists()
    from_csv = jkit.load(out).events
    assert from_csv["timestamp"].dtype == "datetime64[ns, UTC]"
    assert len(from_csv) == datasets.load_truth(out)["n_events"]


def test_small_committed_sample_matches_regeneration(small_sample_dir, tmp_path):
    fresh = tmp_path / "small"
    datasets.make_sample(out_dir=fresh, progress=False, **datasets.SMALL)
    committed, new = file_hashes(small_sample_dir), file_hashes(fresh)
    hint = "data/sample-small drifted from the generator: run `jkit sample-data --small` and commit it"
    assert set(committed) == set(new), hint
    for name in committed:
        if name.endswith(".parquet"):  # compare content, not writer-version bytes
            a = pd.read_parquet(small_sample_dir / name)
            b = pd.read_parquet(fresh / name)
            assert pd.util.hash_pandas_object(a).equals(pd.util.hash_pandas_object(b)), hint
        else:
            assert committed[name] == new[name], f"{name}: {hint}"
    assert sum(p.stat().st_size for p in small_sample_dir.iterdir()) < 2_000_000


# --------------------------------------------------------------------------- personas


def test_persona_shares_within_tolerance(persona_of, truth):
    observed = persona_of.value_counts(normalize=True)
    n = len(persona_of)
    for key, spec in truth["personas"].items():
        se = np.sqrt(spec["share"] * (1 - spec["share"]) / n)
        assert abs(observed[key] - spec["share"]) < 4 * se, key
    assert sum(p["share"] for p in truth["personas"].values()) == pytest.approx(1.0)


def test_persona_traits_hold_in_the_data(sample, persona_of, truth):
    cust = sample.customers.set_index("customer_id").join(persona_of)
    for key, spec in truth["personas"].items():
        rows = cust[cust["persona"] == key]
        lo, hi = spec["traits"]["age_range"]
        assert rows["age"].between(lo, hi).all(), key
        assert (rows["acquisition_channel"] == spec["traits"]["acquisition_channel"]).mean() > 0.8, key
    income = cust.groupby("persona")["income"].median()
    assert income["affluent_professional"] > 1.5 * income["family_store"] > 1.5 * income["young_mobile"]
    ev = sample.events.assign(persona=sample.events["customer_id"].map(persona_of))
    mix = pd.crosstab(ev["persona"], ev["touchpoint"], normalize="index")
    for key, spec in truth["personas"].items():  # preferred touchpoints are over-represented
        for tp in spec["traits"]["preferred_touchpoints"]:
            assert mix.loc[key, tp] > 1.3 * mix[tp].drop(key).mean(), (key, tp)
    orders = ev[ev["revenue"].notna()]
    aov = orders.groupby("persona")["revenue"].mean()
    for key, spec in truth["personas"].items():
        assert aov[key] == pytest.approx(spec["traits"]["avg_order_value"], rel=0.15), key
    per_buyer = orders.groupby(["persona", "customer_id"]).size().groupby("persona").mean()
    assert per_buyer["young_mobile"] > 3 * per_buyer["affluent_professional"]
    assert per_buyer["family_store"] > 3 * per_buyer["senior_support"]
    support = (ev["event"] == "support_contact").groupby(ev["persona"]).sum() / persona_of.value_counts()
    assert support.idxmax() == "senior_support"


def test_personas_recoverable_by_clustering(sample, persona_of):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    cust = sample.customers.set_index("customer_id")
    ev = sample.events
    paid = ev[ev["revenue"].notna()]
    features = pd.DataFrame({"age": cust["age"], "log_income": np.log(cust["income"])})
    features = features.join(pd.crosstab(ev["customer_id"], ev["touchpoint"], normalize="index"))
    features["orders"] = np.log1p(paid.groupby("customer_id").size()).reindex(features.index).fillna(0)
    features["spend"] = np.log1p(paid.groupby("customer_id")["revenue"].sum()).reindex(features.index).fillna(0)
    features = features.join(pd.get_dummies(cust["acquisition_channel"], prefix="acq", dtype=float)).fillna(0)
    labels = KMeans(4, n_init=10, random_state=0).fit_predict(StandardScaler().fit_transform(features))
    assert adjusted_rand_score(persona_of.loc[features.index], labels) >= 0.8


# --------------------------------------------------------------------------- journeys


def test_no_later_stage_event_before_the_stage_was_reached(sample):
    stage_of = {e: i for i, evs in enumerate(datasets.STAGE_EVENTS) for e in evs}
    first = sample.events.assign(k=sample.events["event"].map(stage_of)).groupby(["customer_id", "k"])["timestamp"].min()
    first = first.unstack()
    assert first[0].notna().all()  # every customer enters at awareness
    for k in range(1, 5):
        has = first[k].notna()
        assert first.loc[has, k - 1].notna().all()  # no skipped stage
        assert (first.loc[has, k] > first.loc[has, k - 1]).all()
    # earlier-stage events repeat after later stages were reached
    ev = sample.events.assign(k=sample.events["event"].map(stage_of))
    ev = ev.join(first[2].rename("t_purchase"), on="customer_id")
    assert ((ev["k"] <= 1) & (ev["timestamp"] > ev["t_purchase"])).sum() > 1000
    assert (sample.events.groupby("customer_id").size() > 5).mean() > 0.5


def test_realised_conversion_matches_planted(first_times, persona_of, truth):
    conv = truth["stage_conversion"]
    assert (conv["window"], conv["order"]) == ("90D", "ordered")
    stages = truth["stages"]
    reach = first_times.notna()
    for k, stage in enumerate(stages[1:], start=1):
        n = reach[k - 1].sum()
        rate = reach[k].sum() / n
        p = conv["overall"][stage]
        assert abs(rate - p) < 4 * np.sqrt(p * (1 - p) / n), stage
        assert reach[k].mean() == pytest.approx(conv["overall_from_start"][stage], abs=0.03)
    by = reach.join(persona_of).groupby("persona").sum()
    for persona, rates in conv["by_persona"].items():
        for k, stage in enumerate(stages[1:], start=1):
            n = by.loc[persona, k - 1]
            p = rates[stage]
            assert abs(by.loc[persona, k] / n - p) < 4 * np.sqrt(p * (1 - p) / n), (persona, stage)
    realised = {stage: reach[k].sum() / reach[k - 1].sum() for k, stage in enumerate(stages[1:], start=1)}
    assert min(realised, key=realised.get) == truth["largest_dropoff_stage"] == "purchase"


def test_timing_between_stages(first_times, sample):
    delays = first_times.diff(axis=1).iloc[:, 1:].stack().dropna() / pd.Timedelta("1D")
    assert 0.10 <= (delays > 7).mean() <= 0.20  # some conversions only after a 7-day window
    assert 0.5 <= delays.median() <= 3
    span = sample.events.groupby("customer_id")["timestamp"].agg(lambda s: s.max() - s.min())
    assert span.max() <= pd.Timedelta("60D")


def test_revenue_only_on_purchases(sample):
    paid = sample.events["revenue"].notna()
    assert set(sample.events.loc[paid, "event"]) == {"purchase", "repeat_purchase"}
    assert (sample.events.loc[paid, "revenue"] > 0).all()
    buys = sample.events["event"].isin(["purchase", "repeat_purchase"])
    assert paid[buys].all()


# --------------------------------------------------------------------------- feedback


def test_feedback_belongs_to_reached_stages(sample, first_times):
    fb = sample.feedback.dropna(subset=["customer_id"])
    index = {s: i for i, s in enumerate(datasets.STAGES)}
    reached_at = fb.apply(lambda r: first_times.at[r["customer_id"], index[r["stage"]]], axis=1)
    assert reached_at.notna().all()
    assert (fb["timestamp"] > reached_at).all()
    anonymous = sample.feedback["customer_id"].isna().mean()
    assert 0.08 < anonymous < 0.12
    assert set(sample.feedback["source"]) == {"survey", "review", "support_ticket", "social"}


def contains_any(texts: pd.Series, words) -> pd.Series:
    pattern = r"\b(?:" + "|".join(map(re.escape, words)) + r")\b"
    return texts.str.contains(pattern, flags=re.IGNORECASE, regex=True)


def test_pain_points_planted_at_their_stage(sample, truth):
    fb = sample.feedback
    assert [p["key"] for p in truth["pain_points"]] == [
        "confusing_checkout", "app_crashes", "delivery_delays", "slow_support"]
    for pain in truth["pain_points"]:
        hit = contains_any(fb["text"], pain["keywords"])
        at_stage = fb["stage"] == pain["stage"]
        cell = at_stage & (fb["touchpoint"] == pain["touchpoint"])
        assert pain["n_planted"] >= 30, pain["key"]
        assert (hit & cell).sum() >= pain["n_planted"], pain["key"]
        assert hit[at_stage].mean() > 2 * hit[~at_stage].mean(), pain["key"]
        assert hit[cell].mean() > 3 * hit[at_stage & ~cell].mean(), pain["key"]
    # varied phrasing: typos, intensifiers, negation, emoji, shouting
    texts = fb["text"]
    for marker in ("chekout", "delivry", "suport", "crashs", "really", "extremely", "not easy", "😡", "🙂", "👍",
                   "REALLY", "no problems at all", "no complaints", "couldn't be happier"):
        assert texts.str.contains(marker, regex=False).any(), marker


def test_emotion_dip_at_retention(sample, truth):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    fb = sample.feedback.assign(score=[vader.polarity_scores(t)["compound"] for t in sample.feedback["text"]])
    by_stage = fb.groupby("stage")["score"].mean()
    assert by_stage.idxmin() == truth["emotion_dip_stage"] == "retention"
    nps = fb.groupby("stage")["nps"].mean()
    assert nps.idxmin() == "retention"
    # wording differs by touchpoint: the same stage reads differently on each channel
    at_purchase = fb[fb["stage"] == "purchase"]
    store_words = at_purchase.loc[at_purchase["touchpoint"] == "store", "text"].str.contains("store|cashier|till", case=False)
    web_words = at_purchase.loc[at_purchase["touchpoint"] == "web", "text"].str.contains("store|cashier|till", case=False)
    assert store_words.mean() > 5 * web_words.mean()


def test_survey_scores_only_for_surveys_and_consistent_with_tone(sample, truth):
    fb = sample.feedback
    survey = fb["source"] == "survey"
    for col, (lo, hi) in {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}.items():
        assert fb.loc[survey, col].notna().all(), col
        assert fb.loc[~survey, col].isna().all(), col
        assert fb.loc[survey, col].between(lo, hi).all(), col
    rows = fb[survey]
    phrases = [phrase for p in datasets.PAIN_POINTS for phrase in p.phrases]
    pain = rows["text"].str.contains("|".join(map(re.escape, phrases)))
    assert pain.sum() > 100
    happy = rows["text"].str.contains("couldn't be happier|no complaints|five stars|definitely recommend", case=False)
    assert rows.loc[pain, "nps"].mean() < 4 < 8 < rows.loc[happy, "nps"].mean()
    assert rows.loc[pain, "csat"].mean() < 2.5 < 4 < rows.loc[happy, "csat"].mean()
    assert rows.loc[pain, "ces"].mean() > 5 > 2.5 > rows.loc[happy, "ces"].mean()


def test_personal_data_and_html_counts_match_truth(sample, truth):
    texts = sample.feedback["text"]
    pii = truth["pii"]
    assert texts.str.contains(r"[\w.]+@(?:mail\.)?example\.(?:com|org|net)", regex=True).sum() == pii["email"]
    assert texts.str.contains(r"\?token=[a-z0-9]{10}\b", regex=True).sum() == pii["url_token"]
    cards = texts.str.extract(r"\b(\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4})\b")[0].dropna()
    assert len(cards) == pii["card"]
    assert all(luhn(re.sub(r"\D", "", c)) for c in cards)
    phone = r"Call me on (?:\+\d{1,2} )?(?:\(\d{3}\) )?[\d -]{7,}\d"
    assert texts.str.contains(phone, regex=True).sum() == pii["phone"]
    postcode = r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b|, [A-Z]{2} \d{5}\b"
    assert texts.str.contains(postcode, regex=True).sum() == pii["postal_code"]
    names = set(sample.customers["name"])
    signed = texts.str.extract(r"(?:Regards, |My name is |— )([^\W\d_]+ [^\W\d_]+)")[0].dropna()
    assert len(signed) == pii["name"] and signed.isin(names).all()
    share = sum(pii.values()) / len(texts)
    assert 0.012 < share < 0.03
    html = texts.str.contains("|".join(map(re.escape, ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"])))
    assert html.sum() == truth["html_injection"] and 0.002 < html.mean() < 0.009


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_customers": 0}, r"n_customers=0 should be a whole number of at least 1"),
        ({"n_customers": 2.5}, r"n_customers=2.5 should be a whole number"),
        ({"seed": -1}, r"seed=-1 should be a whole number of at least 0"),
        ({"events_per_customer": -3}, r"events_per_customer=-3 should be a number of at least 0"),
        ({"feedback_per_customer": "many"}, r"feedback_per_customer='many' should be a number"),
        ({"file_format": "xlsx"}, r"file_format='xlsx' should be 'parquet' or 'csv'"),
        ({"chunk_size": 0}, r"chunk_size=0 should be a whole number of at least 1"),
    ],
)
def test_bad_parameters_raise_clear_errors(tmp_path, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        datasets.make_sample(**{"n_customers": 10, "out_dir": tmp_path / "x", "progress": False, **kwargs})
    assert not (tmp_path / "x").exists()


def test_too_few_events_warns_and_keeps_stage_entries(tmp_path):
    with pytest.warns(JkitWarning, match=r"events_per_customer=1 is below the .* stage-entry events"):
        datasets.make_sample(n_customers=200, seed=0, out_dir=tmp_path / "few", events_per_customer=1,
                             feedback_per_customer=0, progress=False)
    data = jkit.load(tmp_path / "few")
    assert len(data.feedback) == 0 and 1 <= len(data.events) / 200 < 4
