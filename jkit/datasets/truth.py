"""The planted truth of the sample data: the study's shape, the personas, the pain points and the
conversion that :mod:`jkit.datasets.generator` plants and that jkit's analyses must recover.

This module owns the constants of the sample study (period, stages and their events, touchpoints,
sources, the shares of anonymous, personal-data and injected texts), :class:`Persona` and
:data:`PERSONAS` (read from ``personas.yaml`` beside this module), :class:`PainPoint` and
:data:`PAIN_POINTS`, :func:`expected_conversion` and the skeleton of ``truth.json``
(:func:`base_truth`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from jkit.safe_yaml import parse_yaml

__all__ = [
    "PERSONAS",
    "PAIN_POINTS",
    "Persona",
    "PainPoint",
    "expected_conversion",
    "depth_distribution",
    "base_truth",
]

# --------------------------------------------------------------------------- constants

PERIOD_START = "2025-01-01T00:00:00Z"
PERIOD_END = "2025-12-31T23:59:59Z"
STAGE_MODEL = "five_stage"
STAGES = ("awareness", "consideration", "purchase", "retention", "advocacy")
STAGE_EVENTS = (
    ("ad_impression", "ad_click", "social_view", "email_open", "landing_visit"),
    ("product_view", "search", "add_to_wishlist", "compare", "add_to_cart"),
    ("checkout_start", "purchase"),
    ("repeat_purchase", "support_contact", "account_login"),
    ("review_posted", "referral_sent", "social_share"),
)
EVENTS = tuple(e for stage in STAGE_EVENTS for e in stage)
TOUCHPOINTS = ("web", "mobile_app", "email", "store", "social", "support")
SOURCES = ("survey", "review", "support_ticket", "social")
JOURNEY_DAYS = 60  # every event of a customer lies within this many days of their first event
MAX_DELAY_DAYS = 14.0  # delays between stages are lognormal, redrawn in [7, 14] days above this
MIN_DELAY_DAYS = 0.01
SESSION_GAP_SECONDS = 30 * 60
FUNNEL_WINDOW = "90D"
DEFAULT_CHUNK_SIZE = 20_000
ANONYMOUS_SHARE = 0.10
PII_SHARE = 0.02
HTML_SHARE = 0.005
PAIN_SHARE = 0.85  # share of negative feedback at a pain point's stage × touchpoint that is about it

EVENT_INDEX = {e: i for i, e in enumerate(EVENTS)}
TOUCHPOINT_INDEX = {t: i for i, t in enumerate(TOUCHPOINTS)}
STAGE_INDEX = {s: i for i, s in enumerate(STAGES)}
#: index of the first event of each stage in EVENTS
EVENT_OFFSET = np.cumsum([0] + [len(evs) for evs in STAGE_EVENTS[:-1]])
PII_KINDS = ("email", "phone", "card", "postal_code", "url_token", "name")

# Touchpoints on which each event can happen.
ALLOWED_TOUCHPOINTS = {
    "ad_impression": ("social", "web", "mobile_app", "store"),
    "ad_click": ("social", "web", "mobile_app"),
    "social_view": ("social",),
    "email_open": ("email",),
    "landing_visit": ("web", "mobile_app"),
    "product_view": ("web", "mobile_app", "store", "support"),
    "search": ("web", "mobile_app"),
    "add_to_wishlist": ("web", "mobile_app"),
    "compare": ("web", "mobile_app", "store", "support"),
    "add_to_cart": ("web", "mobile_app"),
    "checkout_start": ("web", "mobile_app", "store", "support"),
    "purchase": ("web", "mobile_app", "store", "support"),
    "repeat_purchase": ("web", "mobile_app", "store", "support"),
    "support_contact": ("support",),
    "account_login": ("web", "mobile_app"),
    "review_posted": ("web", "mobile_app"),
    "referral_sent": ("email", "mobile_app", "web"),
    "social_share": ("social",),
}


@dataclass(frozen=True)
class Persona:
    """One planted persona: who they are, how they move through the journey, how they feel.

    ``conversion`` holds ``P(reach stage k | reached stage k-1)`` for the stages after
    awareness; ``event_weights`` the relative frequency of each event within its stage;
    ``session_stage_weights`` how often the customer's later sessions return to each stage;
    ``negative_shift`` what the persona adds to the share of negative feedback at each stage.
    """

    key: str
    label: str
    share: float
    description: str
    age_range: tuple[int, int]
    income_median: float
    income_level: str
    preferred_touchpoints: tuple[str, ...]
    touchpoint_weights: dict[str, float]
    acquisition: dict[str, float]
    purchase_frequency: str
    order_value_median: float
    order_value_sigma: float
    conversion: tuple[float, float, float, float]
    delay_median_days: float
    delay_share_over_7d: float
    activity: float
    session_stage_weights: tuple[float, float, float, float, float]
    event_weights: tuple[tuple[float, ...], ...]
    negative_shift: tuple[float, float, float, float, float]
    gender: dict[str, float]
    education: dict[str, float]
    jobs: tuple[str, ...]
    regions: dict[str, float]

    @property
    def acquisition_channel(self) -> str:
        """The channel that brings most customers of this persona."""
        return max(self.acquisition, key=self.acquisition.__getitem__)

    @property
    def avg_order_value(self) -> float:
        """Mean of the lognormal order value."""
        return self.order_value_median * math.exp(self.order_value_sigma**2 / 2)

    @property
    def delay_sigma(self) -> float:
        """Lognormal sigma that puts ``delay_share_over_7d`` of the delays above 7 days."""
        from statistics import NormalDist

        z = NormalDist().inv_cdf(1 - self.delay_share_over_7d)
        return math.log(7 / self.delay_median_days) / z


def _read_personas() -> tuple[Persona, ...]:
    """The personas of ``personas.yaml``, with its sequences as the tuples :class:`Persona` holds."""
    text = resources.files("jkit.datasets").joinpath("personas.yaml").read_text(encoding="utf-8")

    def frozen(value: object) -> object:
        return tuple(frozen(v) for v in value) if isinstance(value, list) else value

    return tuple(Persona(**{k: frozen(v) for k, v in entry.items()})
                 for entry in parse_yaml(text, "personas.yaml", "persona table"))


#: the four planted personas (young_mobile, affluent_professional, family_store, senior_support)
PERSONAS: tuple[Persona, ...] = _read_personas()


@dataclass(frozen=True)
class PainPoint:
    """A named pain point planted in negative feedback at one stage × touchpoint."""

    key: str
    stage: str
    touchpoint: str
    keywords: tuple[str, ...]
    phrases: tuple[str, ...]


PAIN_POINTS: tuple[PainPoint, ...] = (
    PainPoint(
        "confusing_checkout", "purchase", "web", ("checkout", "chekout", "confusing"),
        (
            "The checkout was confusing",
            "checkout process is so confusing",
            "confusing chekout page, I gave up twice",
            "The checkout is not easy to use at all",
            "Checkout was REALLY confusing 😡",
            "extremely confusing checkout, too many fields",
            "I could not find the pay button at checkout, very confusing",
            "the checkout page is a mess and so confusing",
        ),
    ),
    PainPoint(
        "app_crashes", "consideration", "mobile_app", ("app", "crash", "crashes", "crashed", "crashing", "crashs"),
        (
            "The app crashes when I open a product",
            "app keeps crashing 😡",
            "the app crashed twice while I was browsing",
            "App CRASHES every time I search",
            "The mobile app is not stable, it crashed again",
            "app crashs when I compare products",
            "extremely buggy app, it freezes and crashes",
            "really annoying that the app crashes on the product page",
        ),
    ),
    PainPoint(
        "delivery_delays", "retention", "email", ("delivery", "delivry", "late", "delayed", "delay", "arrived"),
        (
            "Delivery was late again, so annoying",
            "my delivery arrived a week late, terrible",
            "delivry took forever 😡",
            "The delivery is always delayed, I am fed up",
            "the email said delivery tomorrow but it arrived 5 days late",
            "Extremely late delivery, not acceptable",
            "DELIVERY DELAYED again, really frustrating",
            "still no delivery after two weeks, the tracking email is useless",
            "late delivery ruined the birthday present, very disappointed",
        ),
    ),
    PainPoint(
        "slow_support", "retention", "support",
        ("support", "suport", "slow", "reply", "response", "waiting", "waited", "hold"),
        (
            "Support is so slow to reply, awful",
            "waited 3 days for a support reply, ridiculous",
            "slow support, nobody answers 😡",
            "Customer support response was REALLY slow",
            "support team is not helpful and extremely slow",
            "on hold for an hour with suport, horrible",
            "still waiting for support to get back to me, not happy",
            "SLOW support, had to call four times",
        ),
    ),
)

# Feedback: how often customers write by depth reached, at which stage, through which touchpoint,
# --------------------------------------------------------------------------- truth


def expected_conversion(personas: Sequence[Persona] = PERSONAS) -> dict:
    """The planted stage conversion as ``truth.json`` stores it.

    Parameters
    ----------
    personas : sequence of Persona, default :data:`PERSONAS`

    Returns
    -------
    dict
        ``overall`` (``P(reach k) / P(reach k-1)`` of the persona mixture), ``overall_from_start``
        (``P(reach k)``) and ``by_persona`` (the planted conditional rates), each keyed by stage
        from ``consideration`` on; plus ``window`` ("90D") and ``order`` ("ordered").

    Examples
    --------
    >>> round(expected_conversion()["overall"]["purchase"], 3)
    0.398
    """
    shares = np.array([p.share for p in personas])
    cond = np.array([p.conversion for p in personas])  # (personas, 4)
    reach = np.cumprod(cond, axis=1)  # P(reach stage k) per persona, k = 1..4
    mix = shares @ reach
    previous = np.concatenate([[1.0], mix[:-1]])
    later = STAGES[1:]
    return {
        "window": FUNNEL_WINDOW,
        "order": "ordered",
        "overall": {s: round(float(v), 6) for s, v in zip(later, mix / previous, strict=True)},
        "overall_from_start": {s: round(float(v), 6) for s, v in zip(later, mix, strict=True)},
        "by_persona": {p.key: dict(zip(later, p.conversion, strict=True)) for p in personas},
    }


def depth_distribution(persona: Persona) -> np.ndarray:
    """P(deepest stage reached = d) for d = 1..5."""
    reach = np.concatenate([[1.0], np.cumprod(persona.conversion)])
    return reach - np.concatenate([reach[1:], [0.0]])


def base_truth(seed: int, n_customers: int) -> dict:
    """The ``truth.json`` of a sample before its counts are known (events, feedback, planted texts at 0)."""
    conv = expected_conversion()
    overall = conv["overall"]
    return {
        "seed": seed,
        "n_customers": n_customers,
        "n_events": 0,
        "n_feedback": 0,
        "stage_model": STAGE_MODEL,
        "stages": list(STAGES),
        "period": {"start": PERIOD_START, "end": PERIOD_END},
        "personas": {
            p.key: {
                "label": p.label,
                "share": p.share,
                "description": p.description,
                "traits": {
                    "age_range": list(p.age_range),
                    "income_level": p.income_level,
                    "preferred_touchpoints": list(p.preferred_touchpoints),
                    "acquisition_channel": p.acquisition_channel,
                    "purchase_frequency": p.purchase_frequency,
                    "avg_order_value": round(p.avg_order_value, 2),
                },
            }
            for p in PERSONAS
        },
        "stage_conversion": conv,
        "largest_dropoff_stage": min(overall, key=overall.__getitem__),
        "emotion_dip_stage": "retention",
        "pain_points": [
            {"key": pp.key, "stage": pp.stage, "touchpoint": pp.touchpoint, "keywords": list(pp.keywords), "n_planted": 0}
            for pp in PAIN_POINTS
        ],
        "pii": dict.fromkeys(PII_KINDS, 0),
        "html_injection": 0,
    }


