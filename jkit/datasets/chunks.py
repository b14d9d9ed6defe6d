"""One chunk of the sample data: the lookup tables drawn from (built once from the planted truth),
the rates that give the requested means, and :func:`generate_chunk`, which draws a chunk's customers,
journeys, events and feedback with vectorised numpy from the chunk's own random generator.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jkit._rules import PURCHASE_EVENTS
from jkit.datasets.texts import FIRST_NAMES, LAST_NAMES, feedback_texts
from jkit.datasets.truth import (
    ALLOWED_TOUCHPOINTS,
    ANONYMOUS_SHARE,
    EVENT_INDEX,
    EVENT_OFFSET,
    EVENTS,
    JOURNEY_DAYS,
    MAX_DELAY_DAYS,
    MIN_DELAY_DAYS,
    PERSONAS,
    SESSION_GAP_SECONDS,
    SOURCES,
    STAGE_INDEX,
    STAGES,
    TOUCHPOINT_INDEX,
    TOUCHPOINTS,
    depth_distribution,
)
from jkit.errors import JkitWarning

__all__ = ["Chunk", "Tables", "build_tables", "generate_chunk", "iso", "rates"]

# Feedback: how often customers write by depth reached, at which stage, through which touchpoint,
# with which tone (negative, neutral, positive) and via which source.
_FB_RATE_BY_DEPTH = (0.3, 0.8, 1.6, 2.4, 2.8)
_FB_STAGE_WEIGHTS = (0.10, 0.20, 0.25, 0.35, 0.10)
_FB_TOUCHPOINTS = {  # base touchpoint weights of feedback at each stage
    "awareness": {"social": 0.35, "web": 0.25, "mobile_app": 0.2, "email": 0.2},
    "consideration": {"web": 0.35, "mobile_app": 0.4, "store": 0.15, "social": 0.1},
    "purchase": {"web": 0.45, "mobile_app": 0.25, "store": 0.2, "email": 0.1},
    "retention": {"support": 0.35, "email": 0.3, "web": 0.15, "mobile_app": 0.1, "store": 0.1},
    "advocacy": {"social": 0.4, "web": 0.3, "mobile_app": 0.2, "email": 0.1},
}
_TONE_BY_STAGE = (  # (negative, neutral, positive) before the persona's shift
    (0.15, 0.35, 0.50),
    (0.25, 0.30, 0.45),
    (0.27, 0.25, 0.48),
    (0.68, 0.12, 0.20),
    (0.08, 0.17, 0.75),
)
# Survey scores by tone: value ranges and weights (negative, neutral, positive).
_NPS = ((range(0, 7), (3, 3, 3, 3, 2, 2, 1)), (range(5, 9), (1, 2, 3, 2)), (range(7, 11), (1, 2, 4, 4)))
_CSAT = ((range(1, 4), (5, 4, 1)), (range(2, 5), (1, 4, 1)), (range(4, 6), (2, 3)))
_CES = ((range(4, 8), (1, 3, 3, 2)), (range(3, 6), (2, 3, 2)), (range(1, 4), (3, 3, 1)))

# --------------------------------------------------------------------------- lookup tables


def _cum(weights: np.ndarray) -> np.ndarray:
    """Row-normalised cumulative weights over the last axis (rows of zeros stay zero)."""
    w = np.asarray(weights, dtype=float)
    total = w.sum(axis=-1, keepdims=True)
    c = np.cumsum(w, axis=-1) / np.where(total > 0, total, 1.0)
    c[..., -1] = np.where(total[..., 0] > 0, 1.0, 0.0)
    return c


def _draw(rng: np.random.Generator, cum_rows: np.ndarray) -> np.ndarray:
    """One category per row from row-wise cumulative weights (vectorised inverse CDF)."""
    u = rng.random(len(cum_rows))
    out = (u[:, None] >= cum_rows).sum(axis=1)
    return np.minimum(out, cum_rows.shape[1] - 1)


@dataclass(frozen=True)
class Tables:
    """Cumulative weights to draw from (``P`` personas), built once per sample by :func:`build_tables`."""

    shares_cum: np.ndarray  # (P,)
    conversion: np.ndarray  # (P, 4)
    delay_mu: np.ndarray  # (P,) log-days
    delay_sigma: np.ndarray  # (P,)
    session_stage_cum: np.ndarray  # (P, depth 1..5, 5 stages)
    event_cum: np.ndarray  # (P, 5 stages, 5 events within stage)
    event_tp_cum: np.ndarray  # (P, events, touchpoints)
    allowed: np.ndarray  # (events, touchpoints) bool
    tp_cum: np.ndarray  # (P, touchpoints)
    order_mu: np.ndarray
    order_sigma: np.ndarray
    activity: np.ndarray
    fb_stage_cum: np.ndarray  # (depth, stages)
    fb_tp_cum: np.ndarray  # (P, stages, touchpoints)
    fb_source_cum: np.ndarray  # (stages, touchpoints, sources)
    tone_cum: np.ndarray  # (P, stages, 3)


def build_tables() -> Tables:
    """The lookup tables of the planted personas, stages, touchpoints and feedback tones."""
    n_p = len(PERSONAS)
    allowed = np.zeros((len(EVENTS), len(TOUCHPOINTS)), dtype=bool)
    for e, tps in ALLOWED_TOUCHPOINTS.items():
        for t in tps:
            allowed[EVENT_INDEX[e], TOUCHPOINT_INDEX[t]] = True
    tp_w = np.array([[p.touchpoint_weights.get(t, 0.0) for t in TOUCHPOINTS] for p in PERSONAS])
    event_tp = allowed[None, :, :] * (tp_w[:, None, :] + 0.02)
    sess = np.zeros((n_p, 5, 5))
    for i, p in enumerate(PERSONAS):
        for d in range(5):
            sess[i, d, : d + 1] = p.session_stage_weights[: d + 1]
    ev = np.zeros((n_p, 5, 5))
    for i, p in enumerate(PERSONAS):
        for k, w in enumerate(p.event_weights):
            ev[i, k, : len(w)] = w
    fb_stage = np.zeros((5, 5))
    for d in range(5):
        fb_stage[d, : d + 1] = _FB_STAGE_WEIGHTS[: d + 1]
    fb_tp = np.zeros((n_p, 5, len(TOUCHPOINTS)))
    for i in range(n_p):
        for k, s in enumerate(STAGES):
            for t, w in _FB_TOUCHPOINTS[s].items():
                fb_tp[i, k, TOUCHPOINT_INDEX[t]] = w * (0.6 + 2 * tp_w[i, TOUCHPOINT_INDEX[t]])
    src = np.zeros((5, len(TOUCHPOINTS), len(SOURCES)))
    for k in range(5):
        for t in TOUCHPOINTS:
            if t == "support":
                w = (0.25, 0, 0.75, 0)
            elif t == "social":
                w = (0.15, 0, 0, 0.85)
            elif k < 2:
                w = (0.9, 0.1, 0, 0)
            elif t == "email" and STAGES[k] == "retention":
                w = (0.5, 0.3, 0.2, 0)
            else:
                w = (0.55, 0.45, 0, 0)
            src[k, TOUCHPOINT_INDEX[t]] = w
    tone = np.zeros((n_p, 5, 3))
    for i, p in enumerate(PERSONAS):
        for k in range(5):
            neg, neu, pos = _TONE_BY_STAGE[k]
            shift = p.negative_shift[k]
            tone[i, k] = (neg + shift, neu, pos - shift)
    return Tables(
        shares_cum=np.cumsum([p.share for p in PERSONAS]) / sum(p.share for p in PERSONAS),
        conversion=_per_persona("conversion"),
        delay_mu=np.log(_per_persona("delay_median_days")),
        delay_sigma=_per_persona("delay_sigma"),
        session_stage_cum=_cum(sess),
        event_cum=_cum(ev),
        event_tp_cum=_cum(event_tp),
        allowed=allowed,
        tp_cum=_cum(tp_w),
        order_mu=np.log(_per_persona("order_value_median")),
        order_sigma=_per_persona("order_value_sigma"),
        activity=_per_persona("activity"),
        fb_stage_cum=_cum(fb_stage),
        fb_tp_cum=_cum(fb_tp),
        fb_source_cum=_cum(src),
        tone_cum=_cum(tone),
    )


def _per_persona(attribute: str) -> np.ndarray:
    """One value (or row) per persona, in the order of PERSONAS."""
    return np.array([getattr(p, attribute) for p in PERSONAS])


_SESSION_EXTRA_MEAN = 1.5  # events per session = 1 + Poisson(1.5)
_ENGAGEMENT_BY_DEPTH = np.array([1.0, 2.0, 3.5, 5.0, 6.0])
_ENTRY_EVENTS_BY_DEPTH = np.array([1, 2, 4, 5, 6])  # purchase adds checkout_start and purchase


def rates(events_per_customer: float, feedback_per_customer: float) -> tuple[float, float]:
    """Session rate and feedback rate that give the requested means in expectation."""
    entries = engagement = fb = 0.0
    for p in PERSONAS:
        dist = depth_distribution(p)
        entries += p.share * float(dist @ _ENTRY_EVENTS_BY_DEPTH)
        engagement += p.share * p.activity * float(dist @ _ENGAGEMENT_BY_DEPTH)
        fb += p.share * float(dist @ np.array(_FB_RATE_BY_DEPTH))
    per_session = 1 + _SESSION_EXTRA_MEAN
    session_rate = (events_per_customer - entries) / (engagement * per_session)
    if session_rate < 0:
        warnings.warn(
            f"events_per_customer={events_per_customer:g} is below the {entries:.1f} stage-entry events "
            f"every journey needs on average; the sample will have about {entries:.1f} events per customer",
            JkitWarning,
            stacklevel=3,
        )
        session_rate = 0.0
    return session_rate, feedback_per_customer / fb


# --------------------------------------------------------------------------- one chunk


@dataclass
class Chunk:
    """One generated chunk: its tables as frames (events as arrays) and the counts of what was planted."""

    customers: pd.DataFrame
    personas: pd.DataFrame
    events: dict[str, np.ndarray]
    customer_ids: np.ndarray
    feedback: pd.DataFrame
    n_sessions: int
    pain_counts: dict[str, int]
    pii_counts: dict[str, int]
    html_count: int


def _customer_ids(first: int, n: int) -> pa.Array:
    numbers = pa.array(np.arange(first, first + n, dtype=np.int64))
    return pc.binary_join_element_wise("C", pc.utf8_lpad(pc.cast(numbers, pa.string()), width=7, padding="0"), "")


def _choice(rng: np.random.Generator, persona_idx: np.ndarray, per_persona: Sequence[dict[str, float]]) -> np.ndarray:
    """Draw a label per row from the row's persona's weights (labels: union of all options)."""
    labels = sorted({k for d in per_persona for k in d})
    w = np.array([[d.get(k, 0.0) for k in labels] for d in per_persona])
    return np.array(labels, dtype=object)[_draw(rng, _cum(w)[persona_idx])]



_JOURNEY_SECONDS = JOURNEY_DAYS * 86400.0


@dataclass(frozen=True)
class _Journeys:
    """When each customer of a chunk reaches each stage (epoch seconds)."""

    depth: np.ndarray  # (n,) stages reached, 1..5
    t0: np.ndarray  # (n,) the first event
    reach_t: np.ndarray  # (n, 5) the moment each stage is reached
    reached: np.ndarray  # (n, 5) bool
    horizon: np.ndarray  # (n,) the last moment for later sessions and feedback
    signup: np.ndarray  # (n,) midnight before the first event


def _draw_customers(rng: np.random.Generator, t: Tables, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The persona of ``n`` customers and their customer columns (name, age, gender, income…)."""
    persona = np.searchsorted(t.shares_cum, rng.random(n), side="right").clip(0, len(PERSONAS) - 1)
    lo = np.array([p.age_range[0] for p in PERSONAS])[persona]
    hi = np.array([p.age_range[1] for p in PERSONAS])[persona]
    age = rng.integers(lo, hi + 1)
    income = np.exp(np.log([p.income_median for p in PERSONAS])[persona] + 0.22 * rng.standard_normal(n))
    income = (np.round(income / 100) * 100).astype(np.int64)
    gender = _choice(rng, persona, [p.gender for p in PERSONAS])
    education = _choice(rng, persona, [p.education for p in PERSONAS])
    region = _choice(rng, persona, [p.regions for p in PERSONAS])
    channel = _choice(rng, persona, [p.acquisition for p in PERSONAS])
    job_idx = rng.integers(0, 6, n)
    jobs = np.array([[p.jobs[j] for j in range(6)] for p in PERSONAS], dtype=object)[persona, job_idx]
    female = np.array(FIRST_NAMES["female"], dtype=object)
    male = np.array(FIRST_NAMES["male"], dtype=object)
    use_female = (gender == "female") | ((gender == "non-binary") & (rng.random(n) < 0.5))
    fi = rng.integers(0, len(female), n)
    first_name = np.where(use_female, female[fi % len(female)], male[fi % len(male)])
    last_name = np.array(LAST_NAMES, dtype=object)[rng.integers(0, len(LAST_NAMES), n)]
    names = first_name + " " + last_name
    columns = {"name": names, "age": age, "gender": gender, "income": income, "education": education,
               "region": region, "job_title": jobs, "acquisition_channel": channel}
    return persona, columns


def _draw_journeys(rng: np.random.Generator, t: Tables, persona: np.ndarray, start_s: float,
                   span_s: float) -> _Journeys:
    """How deep each customer goes and when they reach each stage (lognormal delays)."""
    n = len(persona)
    passed = rng.random((n, 4)) < t.conversion[persona]
    depth = 1 + np.cumprod(passed, axis=1).sum(axis=1)  # stages reached, 1..5
    t0 = start_s + rng.random(n) * (span_s - _JOURNEY_SECONDS)
    delays = np.exp(t.delay_mu[persona, None] + t.delay_sigma[persona, None] * rng.standard_normal((n, 4)))
    too_long = delays > MAX_DELAY_DAYS
    delays[too_long] = rng.uniform(7.0, MAX_DELAY_DAYS, int(too_long.sum()))
    delays = np.maximum(delays, MIN_DELAY_DAYS)
    reach_t = t0[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(delays, axis=1)], axis=1) * 86400.0
    reached = np.arange(5)[None, :] < depth[:, None]
    horizon = t0 + _JOURNEY_SECONDS - 3600.0
    signup = np.floor(t0 / 86400.0) * 86400.0
    return _Journeys(depth, t0, reach_t, reached, horizon, signup)


def _entry_events(rng: np.random.Generator, t: Tables, persona: np.ndarray,
                  j: _Journeys) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first event of each reached stage, at the moment the stage is reached (customer, time, event,
    touchpoint); buyers get checkout_start and then purchase."""
    ec, es = np.nonzero(j.reached)
    e_time = j.reach_t[ec, es]
    within = _draw(rng, t.event_cum[persona[ec], es])
    e_event = EVENT_OFFSET[es] + within
    e_event[es == STAGE_INDEX["purchase"]] = EVENT_INDEX["checkout_start"]
    buyers = np.nonzero(j.depth >= 3)[0]
    b_time = j.reach_t[buyers, 2] + rng.uniform(60, 1200, len(buyers))
    entry_cust = np.concatenate([ec, buyers])
    entry_time = np.concatenate([e_time, b_time])
    entry_event = np.concatenate([e_event, np.full(len(buyers), EVENT_INDEX["purchase"])])
    entry_tp = _draw(rng, t.event_tp_cum[persona[entry_cust], entry_event])
    return entry_cust, entry_time, entry_event, entry_tp


def _session_events(rng: np.random.Generator, t: Tables, persona: np.ndarray, j: _Journeys,
                    session_rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Later sessions (customer, time, event, touchpoint): each returns to a reached stage and holds
    1 + Poisson events of stages up to it."""
    lam = session_rate * t.activity[persona] * _ENGAGEMENT_BY_DEPTH[j.depth - 1]
    n_sess = rng.poisson(lam)
    sc = np.repeat(np.arange(len(persona)), n_sess)
    s_top = _draw(rng, t.session_stage_cum[persona[sc], j.depth[sc] - 1])
    s_start = j.reach_t[sc, s_top] + rng.random(len(sc)) * (j.horizon[sc] - j.reach_t[sc, s_top])
    s_tp = _draw(rng, t.tp_cum[persona[sc]])
    s_len = 1 + rng.poisson(_SESSION_EXTRA_MEAN, len(sc))
    xs = np.repeat(np.arange(len(sc)), s_len)
    gaps = rng.exponential(180.0, len(xs))
    csum = np.cumsum(gaps)
    first_pos = np.cumsum(s_len) - s_len
    offset = csum - np.repeat(csum[first_pos] if len(first_pos) else np.zeros(0), s_len)
    x_cust = sc[xs]
    x_stage = _draw(rng, t.session_stage_cum[persona[x_cust], s_top[xs]])
    x_event = EVENT_OFFSET[x_stage] + _draw(rng, t.event_cum[persona[x_cust], x_stage])
    x_time = np.minimum(s_start[xs] + offset, j.t0[x_cust] + _JOURNEY_SECONDS - 1.0)
    own_tp = _draw(rng, t.event_tp_cum[persona[x_cust], x_event])
    x_tp = np.where(t.allowed[x_event, s_tp[xs]], s_tp[xs], own_tp)
    return x_cust, x_time, x_event, x_tp


def _draw_events(rng: np.random.Generator, t: Tables, persona: np.ndarray, j: _Journeys,
                 session_rate: float) -> tuple[dict[str, np.ndarray], int]:
    """The chunk's events (entry and session events, revenue on purchases, session numbers), shuffled;
    and the number of sessions."""
    entry = _entry_events(rng, t, persona, j)
    later = _session_events(rng, t, persona, j, session_rate)
    cust = np.concatenate([entry[0], later[0]]).astype(np.int32)
    time_s = np.floor(np.concatenate([entry[1], later[1]])).astype(np.int64)
    event = np.concatenate([entry[2], later[2]]).astype(np.int8)
    tp = np.concatenate([entry[3], later[3]]).astype(np.int8)
    revenue = np.full(len(cust), np.nan)
    paid = np.isin(event, [EVENT_INDEX[e] for e in PURCHASE_EVENTS])
    p_paid = persona[cust[paid]]
    revenue[paid] = np.round(np.exp(t.order_mu[p_paid] + t.order_sigma[p_paid] * rng.standard_normal(int(paid.sum()))), 2)

    # sessions: a new session after 30 minutes without events
    order = np.lexsort((time_s, cust))
    c_sorted, t_sorted = cust[order], time_s[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (c_sorted[1:] != c_sorted[:-1]) | (t_sorted[1:] - t_sorted[:-1] > SESSION_GAP_SECONDS)
    session = np.empty(len(order), dtype=np.int64)
    session[order] = np.cumsum(new) - 1
    shuffle = rng.permutation(len(cust))
    events = {
        "customer": cust[shuffle],
        "time_s": time_s[shuffle],
        "event": event[shuffle],
        "touchpoint": tp[shuffle],
        "revenue": revenue[shuffle],
        "session": session[shuffle],
    }
    return events, int(new.sum())


def _draw_feedback(rng: np.random.Generator, t: Tables, persona: np.ndarray, j: _Journeys, names: np.ndarray,
                   ids: np.ndarray, feedback_rate: float) -> tuple[pd.DataFrame, dict[str, int], dict[str, int], int]:
    """The chunk's feedback (shuffled, without ``feedback_id``) and the counts of planted pain points,
    personal data and injections."""
    n_fb = rng.poisson(feedback_rate * np.array(_FB_RATE_BY_DEPTH)[j.depth - 1])
    fc = np.repeat(np.arange(len(persona)), n_fb)
    f_stage = _draw(rng, t.fb_stage_cum[j.depth[fc] - 1])
    f_tp = _draw(rng, t.fb_tp_cum[persona[fc], f_stage])
    f_source = _draw(rng, t.fb_source_cum[f_stage, f_tp])
    f_tone = _draw(rng, t.tone_cum[persona[fc], f_stage])
    f_time = np.floor(j.reach_t[fc, f_stage] + 3600 + rng.random(len(fc)) * (j.horizon[fc] - j.reach_t[fc, f_stage]))
    anonymous = rng.random(len(fc)) < ANONYMOUS_SHARE
    texts, pain, pii, n_html = feedback_texts(rng, f_stage, f_tp, f_tone, names[fc])
    survey = f_source == 0
    scores = {}
    for col, spec in (("nps", _NPS), ("csat", _CSAT), ("ces", _CES)):
        values = np.zeros(len(fc), dtype=np.int64)
        for tone_i, (rng_values, w) in enumerate(spec):
            idx = np.nonzero(f_tone == tone_i)[0]
            values[idx] = np.array(rng_values)[_draw(rng, np.broadcast_to(_cum(np.array(w)), (len(idx), len(w))))]
        scores[col] = pd.array(np.where(survey, values, 0), dtype="Int64")
        scores[col][~survey] = pd.NA
    f_shuffle = rng.permutation(len(fc))
    f_customer = pd.array(ids[fc], dtype="string")
    f_customer[anonymous] = pd.NA
    feedback = pd.DataFrame(
        {
            "customer_id": f_customer,
            "timestamp": iso(f_time.astype(np.int64)),
            "source": np.array(SOURCES, dtype=object)[f_source],
            "touchpoint": np.array(TOUCHPOINTS, dtype=object)[f_tp],
            "stage": np.array(STAGES, dtype=object)[f_stage],
            "nps": scores["nps"],
            "csat": scores["csat"],
            "ces": scores["ces"],
            "text": texts,
        }
    ).iloc[f_shuffle].reset_index(drop=True)
    return feedback, pain, pii, n_html


def generate_chunk(rng: np.random.Generator, tables: Tables, first: int, n: int, start_s: float,
                   span_s: float, session_rate: float, feedback_rate: float) -> Chunk:
    """Customers ``first`` to ``first + n - 1`` with their events, feedback and planted persona.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's own generator (drawn in a fixed order, so the chunk is a pure function of its seed).
    tables : Tables
        The lookup tables of :func:`build_tables`.
    first, n : int
        Number of the first customer (``C0000001`` is 1) and how many customers.
    start_s, span_s : float
        Start of the study period (epoch seconds) and its length in seconds.
    session_rate, feedback_rate : float
        The rates of :func:`rates`.

    Returns
    -------
    Chunk
    """
    persona, people = _draw_customers(rng, tables, n)
    journeys = _draw_journeys(rng, tables, persona, start_s, span_s)
    events, n_sessions = _draw_events(rng, tables, persona, journeys, session_rate)
    ids = _customer_ids(first, n).to_numpy(zero_copy_only=False)
    feedback, pain, pii, n_html = _draw_feedback(rng, tables, persona, journeys, people["name"], ids, feedback_rate)
    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "name": people["name"],
            "signup_date": pd.to_datetime(journeys.signup, unit="s").strftime("%Y-%m-%d"),
            **{col: people[col] for col in ("age", "gender", "income", "education", "region", "job_title",
                                            "acquisition_channel")},
        }
    )
    personas = pd.DataFrame({"customer_id": ids, "persona": np.array([p.key for p in PERSONAS], dtype=object)[persona]})
    return Chunk(customers, personas, events, ids, feedback, n_sessions, pain, pii, n_html)

def iso(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds to ``2025-03-04T12:00:00Z`` strings."""
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z").astype(object)


