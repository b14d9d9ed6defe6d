"""Seeded sample data with a planted truth that jkit's analyses must recover.

:func:`make_sample` writes a study folder that :func:`jkit.load` reads strictly:

============================  ===========================================================
``customers.csv``             one row per customer, with a realistic ``name`` (personal data)
``events.parquet``            the journey events (``events.csv`` with ``file_format="csv"``)
``feedback.csv``              free-text feedback with source, touchpoint, stage and scores
``stages.yaml``               the ``five_stage`` stage model
``personas_truth.csv``        the planted persona of every customer (``customer_id, persona``)
``truth.json``                the planted rates, pain points and counts (see below)
============================  ===========================================================

What is planted (see ``docs/sample-data.md`` for every number):

* four personas with distinct age, income, touchpoints, acquisition channel, order frequency
  and order value (:data:`PERSONAS`);
* persona-specific conversion ``P(reach stage k | reached stage k-1)``; every customer starts at
  awareness, the largest drop-off is at ``purchase``; lognormal delays between stages (10–20 % of
  them longer than 7 days), every journey within 60 days of its first event; earlier-stage
  events repeat later, later-stage events never come before the stage was reached; rows shuffled;
* feedback whose wording and tone depend on stage, touchpoint and persona, with the lowest mean
  sentiment at ``retention``; four named pain points at known stage × touchpoint cells, phrased
  with negation, intensifiers, typos, emoji and mixed case; survey scores consistent with tone;
* about 2 % of texts carrying personal data and 0.5 % carrying HTML/script injection (counted).

Generation runs in chunks of customers with vectorised numpy and streams every table to disk,
so 1M customers / 50M events fit in a few hundred MB. The output is a pure function of
``(n_customers, seed, events_per_customer, feedback_per_customer, chunk_size)``.

Examples
--------
>>> paths = make_sample(n_customers=500, seed=1, out_dir="/tmp/s", progress=False)  # doctest: +SKIP
>>> load_truth("/tmp/s")["largest_dropoff_stage"]                                   # doctest: +SKIP
'purchase'
"""

from __future__ import annotations

import argparse
import json
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from jkit.errors import JkitWarning, MissingResourceError, ParameterError
from jkit.io import JourneyData, load
from jkit.stages import load_stage_model

__all__ = [
    "PERSONAS",
    "PAIN_POINTS",
    "Persona",
    "PainPoint",
    "make_sample",
    "load_sample",
    "load_truth",
    "load_personas_truth",
    "expected_conversion",
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

_E = {e: i for i, e in enumerate(EVENTS)}
_T = {t: i for i, t in enumerate(TOUCHPOINTS)}
_S = {s: i for i, s in enumerate(STAGES)}
_STAGE_OF_EVENT = np.array([k for k, evs in enumerate(STAGE_EVENTS) for _ in evs], dtype=np.int8)
_EVENT_OFFSET = np.cumsum([0] + [len(evs) for evs in STAGE_EVENTS[:-1]])

# Touchpoints on which each event can happen.
_ALLOWED_TOUCHPOINTS = {
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


_REGIONS = {"North": 0.2, "South": 0.2, "East": 0.2, "West": 0.2, "Central": 0.2}

PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="young_mobile",
        label="Young mobile shopper",
        share=0.30,
        description="18–29, low income, shops on the app and social media, acquired via social, "
        "frequent small orders, quick to move on.",
        age_range=(18, 29),
        income_median=24_000,
        income_level="low",
        preferred_touchpoints=("mobile_app", "social"),
        touchpoint_weights={"mobile_app": 0.58, "social": 0.3, "web": 0.08, "email": 0.02, "store": 0.01, "support": 0.01},
        acquisition={"social": 0.9, "referral": 0.1},
        purchase_frequency="high",
        order_value_median=25.0,
        order_value_sigma=0.4,
        conversion=(0.80, 0.35, 0.70, 0.65),
        delay_median_days=1.0,
        delay_share_over_7d=0.12,
        activity=1.3,
        session_stage_weights=(1.0, 4.0, 1.0, 5.0, 1.0),
        event_weights=((3, 2, 4, 0.5, 1), (5, 3, 2, 0.5, 2), (1, 0), (7, 0.5, 3), (1, 1, 4)),
        negative_shift=(0.0, 0.10, 0.0, 0.0, 0.0),
        gender={"female": 0.5, "male": 0.46, "non-binary": 0.04},
        education={"high school": 0.45, "bachelor": 0.45, "master": 0.1},
        jobs=("student", "barista", "junior developer", "retail assistant", "content creator", "intern"),
        regions={"North": 0.15, "South": 0.15, "East": 0.15, "West": 0.15, "Central": 0.4},
    ),
    Persona(
        key="affluent_professional",
        label="Affluent professional",
        share=0.25,
        description="35–55, high income, researches on the web and reads e-mails, acquired via search, "
        "few but large orders.",
        age_range=(35, 55),
        income_median=130_000,
        income_level="high",
        preferred_touchpoints=("web", "email"),
        touchpoint_weights={"web": 0.55, "email": 0.3, "mobile_app": 0.1, "store": 0.03, "social": 0.01, "support": 0.01},
        acquisition={"search": 0.9, "email": 0.1},
        purchase_frequency="low",
        order_value_median=220.0,
        order_value_sigma=0.45,
        conversion=(0.70, 0.50, 0.60, 0.50),
        delay_median_days=2.0,
        delay_share_over_7d=0.15,
        activity=0.8,
        session_stage_weights=(1.0, 4.0, 1.0, 3.0, 0.5),
        event_weights=((1.5, 2, 0.3, 5, 2), (4, 2, 0.5, 3, 1.5), (1, 0), (1, 0.5, 5), (2, 2, 0.3)),
        negative_shift=(0.0, 0.0, 0.05, 0.0, 0.0),
        gender={"female": 0.45, "male": 0.53, "non-binary": 0.02},
        education={"bachelor": 0.3, "master": 0.55, "doctorate": 0.15},
        jobs=("manager", "lawyer", "consultant", "software architect", "physician", "finance director"),
        regions=_REGIONS,
    ),
    Persona(
        key="family_store",
        label="Family store shopper",
        share=0.25,
        description="30–45, middle income, buys in store and on the web, acquired in store, "
        "regular repeat purchases for the household.",
        age_range=(30, 45),
        income_median=62_000,
        income_level="middle",
        preferred_touchpoints=("store", "web"),
        touchpoint_weights={"store": 0.5, "web": 0.35, "mobile_app": 0.07, "email": 0.05, "social": 0.02, "support": 0.01},
        acquisition={"store": 0.9, "referral": 0.1},
        purchase_frequency="medium",
        order_value_median=80.0,
        order_value_sigma=0.35,
        conversion=(0.75, 0.45, 0.80, 0.55),
        delay_median_days=1.5,
        delay_share_over_7d=0.13,
        activity=1.0,
        session_stage_weights=(1.0, 3.0, 1.0, 5.0, 0.7),
        event_weights=((3, 1, 1, 2, 2), (5, 2, 1, 2, 2), (1, 0), (4, 1, 2.5), (3, 1.5, 1)),
        negative_shift=(0.0, 0.0, 0.0, -0.05, 0.0),
        gender={"female": 0.58, "male": 0.4, "non-binary": 0.02},
        education={"high school": 0.25, "vocational": 0.35, "bachelor": 0.4},
        jobs=("teacher", "nurse", "accountant", "electrician", "sales representative", "office administrator"),
        regions=_REGIONS,
    ),
    Persona(
        key="senior_support",
        label="Senior needing support",
        share=0.20,
        description="60–80, middle income, shops in store and calls support, acquired by TV and in store, "
        "converts rarely and contacts support often.",
        age_range=(60, 80),
        income_median=42_000,
        income_level="middle",
        preferred_touchpoints=("store", "support"),
        touchpoint_weights={"store": 0.5, "support": 0.3, "email": 0.12, "web": 0.06, "mobile_app": 0.01, "social": 0.01},
        acquisition={"tv": 0.85, "store": 0.15},
        purchase_frequency="low",
        order_value_median=60.0,
        order_value_sigma=0.4,
        conversion=(0.55, 0.25, 0.75, 0.35),
        delay_median_days=3.0,
        delay_share_over_7d=0.20,
        activity=0.7,
        session_stage_weights=(1.0, 3.0, 0.5, 5.0, 0.3),
        event_weights=((4, 0.5, 0.3, 1.5, 0.5), (6, 0.5, 0.3, 1.5, 0.5), (1, 0), (0.8, 5, 1), (2, 1, 0.3)),
        negative_shift=(0.0, 0.05, 0.0, 0.10, 0.0),
        gender={"female": 0.55, "male": 0.45},
        education={"high school": 0.45, "vocational": 0.3, "bachelor": 0.25},
        jobs=("retired", "retired", "retired", "retired teacher", "part-time bookkeeper", "retired engineer"),
        regions=_REGIONS,
    ),
)


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

_TP_NOUN = {
    "web": ("the website", "your site", "the web shop"),
    "mobile_app": ("the app", "the mobile app"),
    "email": ("your emails", "the newsletter"),
    "store": ("the store", "the shop"),
    "social": ("your Instagram", "your TikTok", "your social media page"),
    "support": ("the support team", "customer service"),
}
# stage -> (negative, neutral, positive) templates. "web,mobile_app|…" limits a template to those
# touchpoints; {tp} becomes a noun for the touchpoint ("the app", "the newsletter"…).
_TEXTS = {
    "awareness": (
        ("Too many ads, it is annoying", "social|The ads on {tp} are really pushy",
         "email|Spammy promotions in {tp}, not impressed", "The offer in the ad was misleading",
         "I keep getting irrelevant ads, extremely annoying",
         "web,mobile_app|The landing page on {tp} is cluttered and not inviting",
         "email|way too many emails, unsubscribing"),
        ("Saw an ad somewhere", "social|Found you through {tp}", "email|Got a promo in {tp}, will have a look",
         "First time hearing about this brand", "web,mobile_app|came across {tp} by chance", "social|Saw you on {tp}"),
        ("web,mobile_app,social|Saw {tp} and it caught my eye", "web,mobile_app|Love the look of {tp}, really inviting",
         "Heard great things about you, great first impression", "The ads are fun and not pushy",
         "social|Nice first impression from {tp} 🙂", "email|Great offers in {tp}, can't wait to try"),
    ),
    "consideration": (
        ("Product descriptions are vague and not useful", "web,mobile_app|Search on {tp} never finds what I want",
         "Prices are too high compared to other shops", "web,mobile_app|Hard to compare products on {tp}",
         "Not enough sizes in stock, really disappointing", "web,mobile_app|The filters on {tp} are useless",
         "store,support|Nobody could answer my questions about the product, annoying",
         "social|The products on {tp} look nothing like the real thing"),
        ("Looked at a few products", "Comparing options before I decide", "Still deciding between two models",
         "web,mobile_app|Checked prices on {tp}", "social|browsing {tp} for ideas", "store|had a look around the store",
         "support|Asked {tp} about the sizes"),
        ("web,mobile_app|Easy to compare products on {tp}", "web,mobile_app|Found what I needed quickly on {tp}",
         "store,support|The staff gave great advice", "Great product photos and clear descriptions",
         "web,mobile_app|The search works really well on {tp}", "Prices are fair and the range is great",
         "web,mobile_app,social|Browsing {tp} is a pleasure 🙂", "email|The product tips in {tp} are really helpful"),
    ),
    "purchase": (
        ("web,mobile_app|Payment failed twice on {tp}", "Hidden fees at the end, not happy",
         "The discount code did not work", "Too many steps to pay, really annoying",
         "web,mobile_app|Paying on {tp} is not easy 😡", "was charged the wrong price, terrible",
         "store|The queue at the till was ridiculous, terrible",
         "email|The order confirmation email never came, worrying"),
        ("web,mobile_app|Placed an order on {tp}", "Bought a gift, we'll see how it goes",
         "Order placed, payment went through", "store|Paid in the store with my card", "first order done",
         "email|got the order confirmation email", "support|Ordered by phone"),
        ("web,mobile_app|Paying was quick and easy on {tp}", "Smooth purchase, no problems at all",
         "web,mobile_app|Ordering on {tp} took two minutes 👍", "Great price and a simple payment",
         "Bought it in seconds, couldn't be happier", "web,mobile_app|checkout was quick and easy, nice",
         "store|The cashier was friendly and fast"),
    ),
    "retention": (
        ("The product broke after a week, awful", "Quality is not what I expected, disappointing",
         "Returned it, really disappointed", "The refund took ages, terrible",
         "Not happy with the product quality 😡", "Second order was worse than the first, very disappointing",
         "web,mobile_app|Can't log in to my account on {tp}, frustrating", "store|The store refused my return, awful"),
        ("web,mobile_app|Logged in on {tp} to check my order", "Ordered the same item again",
         "support|Asked {tp} about my invoice", "web,mobile_app|Updated my account details on {tp}",
         "reordered the usual", "email|Read the order update in {tp}"),
        ("Product works great, no complaints", "Love it, already ordered again",
         "support|{tp} helped me quickly, thank you", "Quality is excellent, couldn't be happier",
         "web,mobile_app|Reordering on {tp} is really easy 👍", "nothing to complain about, great quality",
         "store|Returns in the store were easy and friendly"),
    ),
    "advocacy": (
        ("Would not recommend, sorry", "The referral bonus never showed up",
         "web,mobile_app|My review got deleted on {tp}, not cool",
         "Shared a discount code with a friend and it did not work"),
        ("web,mobile_app|Wrote a review on {tp}", "Told a friend about it", "social|Shared the link on {tp}",
         "left a rating"),
        ("Recommended you to all my friends", "Love this brand, five stars", "social|Shared my order on {tp}, really happy",
         "Best purchase this year, no regrets", "Would definitely recommend!", "Amazing brand, I tell everyone 😍"),
    ),
}


def _text_pools() -> dict[tuple[int, int, int], tuple[str, ...]]:
    """Templates that fit each (stage, touchpoint, tone)."""
    pools = {}
    for k, stage in enumerate(STAGES):
        for tone, templates in enumerate(_TEXTS[stage]):
            for t, tp in enumerate(TOUCHPOINTS):
                fit = []
                for template in templates:
                    where, _, text = template.rpartition("|")
                    if not where or tp in where.split(","):
                        fit.append(text)
                pools[(k, t, tone)] = tuple(fit)
    return pools


_EMOJI = (("😡", "👎", "😤"), (), ("🙂", "👍", "😍"))
_INJECTIONS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")

_FIRST_NAMES = {
    "female": ("Emma", "Olivia", "Sophia", "Mia", "Amelia", "Charlotte", "Isabella", "Maria", "Ana", "Chloe",
               "Grace", "Hannah", "Laura", "Sarah", "Fatima", "Aisha", "Priya", "Mei", "Yuki", "Sofia",
               "Elena", "Julia", "Lucy", "Zoe", "Nora", "Ingrid", "Camille", "Lena", "Rosa", "Margaret"),
    "male": ("Liam", "Noah", "Oliver", "James", "Lucas", "Ethan", "Mason", "Daniel", "Mateo", "Samuel",
             "David", "Thomas", "Jack", "Henry", "Omar", "Ahmed", "Ravi", "Wei", "Kenji", "Diego",
             "Luca", "Jonas", "Felix", "Leo", "Hugo", "Erik", "Pierre", "Marco", "Peter", "George"),
}
_LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
               "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Lee",
               "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright",
               "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts",
               "Carter", "Phillips", "Evans", "Turner", "Torres", "Parker", "Collins", "Edwards", "Stewart",
               "Morris", "Murphy", "Cook", "Rogers", "Patel", "Khan", "Nguyen", "Kim", "Chen", "Singh",
               "Müller", "Schmidt", "Rossi", "Dubois", "Kowalski", "Novak", "Jensen", "Silva", "Santos",
               "Okafor", "Mensah", "Tanaka", "Sato", "Ivanova")
_UK_POSTCODES = ("SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB", "W1A 0AX", "LS1 4AP",
                 "G2 3BZ", "BS1 5TR")
_US_PLACES = (("Springfield", "IL"), ("Austin", "TX"), ("Denver", "CO"), ("Portland", "OR"), ("Albany", "NY"))


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


def _depth_distribution(persona: Persona) -> np.ndarray:
    """P(deepest stage reached = d) for d = 1..5."""
    reach = np.concatenate([[1.0], np.cumprod(persona.conversion)])
    return reach - np.concatenate([reach[1:], [0.0]])


def _base_truth(seed: int, n_customers: int) -> dict:
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
        "pii": {k: 0 for k in ("email", "phone", "card", "postal_code", "url_token", "name")},
        "html_injection": 0,
    }


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
class _Tables:
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


def _tables() -> _Tables:
    n_p = len(PERSONAS)
    allowed = np.zeros((len(EVENTS), len(TOUCHPOINTS)), dtype=bool)
    for e, tps in _ALLOWED_TOUCHPOINTS.items():
        for t in tps:
            allowed[_E[e], _T[t]] = True
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
                fb_tp[i, k, _T[t]] = w * (0.6 + 2 * tp_w[i, _T[t]])
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
            src[k, _T[t]] = w
    tone = np.zeros((n_p, 5, 3))
    for i, p in enumerate(PERSONAS):
        for k in range(5):
            neg, neu, pos = _TONE_BY_STAGE[k]
            shift = p.negative_shift[k]
            tone[i, k] = (neg + shift, neu, pos - shift)
    return _Tables(
        shares_cum=np.cumsum([p.share for p in PERSONAS]) / sum(p.share for p in PERSONAS),
        conversion=np.array([p.conversion for p in PERSONAS]),
        delay_mu=np.log([p.delay_median_days for p in PERSONAS]),
        delay_sigma=np.array([p.delay_sigma for p in PERSONAS]),
        session_stage_cum=_cum(sess),
        event_cum=_cum(ev),
        event_tp_cum=_cum(event_tp),
        allowed=allowed,
        tp_cum=_cum(tp_w),
        order_mu=np.log([p.order_value_median for p in PERSONAS]),
        order_sigma=np.array([p.order_value_sigma for p in PERSONAS]),
        activity=np.array([p.activity for p in PERSONAS]),
        fb_stage_cum=_cum(fb_stage),
        fb_tp_cum=_cum(fb_tp),
        fb_source_cum=_cum(src),
        tone_cum=_cum(tone),
    )


_SESSION_EXTRA_MEAN = 1.5  # events per session = 1 + Poisson(1.5)
_ENGAGEMENT_BY_DEPTH = np.array([1.0, 2.0, 3.5, 5.0, 6.0])
_ENTRY_EVENTS_BY_DEPTH = np.array([1, 2, 4, 5, 6])  # purchase adds checkout_start and purchase


def _rates(events_per_customer: float, feedback_per_customer: float) -> tuple[float, float]:
    """Session rate and feedback rate that give the requested means in expectation."""
    entries = engagement = fb = 0.0
    for p in PERSONAS:
        dist = _depth_distribution(p)
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
class _Chunk:
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


def _generate_chunk(rng: np.random.Generator, tables: _Tables, first: int, n: int, start_s: float,
                    span_s: float, session_rate: float, feedback_rate: float) -> _Chunk:
    t = tables
    # ---------------------------------------------------------------- customers
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
    female = np.array(_FIRST_NAMES["female"], dtype=object)
    male = np.array(_FIRST_NAMES["male"], dtype=object)
    use_female = (gender == "female") | ((gender == "non-binary") & (rng.random(n) < 0.5))
    fi = rng.integers(0, len(female), n)
    first_name = np.where(use_female, female[fi % len(female)], male[fi % len(male)])
    last_name = np.array(_LAST_NAMES, dtype=object)[rng.integers(0, len(_LAST_NAMES), n)]
    names = first_name + " " + last_name

    # ---------------------------------------------------------------- journeys
    passed = rng.random((n, 4)) < t.conversion[persona]
    depth = 1 + np.cumprod(passed, axis=1).sum(axis=1)  # stages reached, 1..5
    journey_s = JOURNEY_DAYS * 86400.0
    t0 = start_s + rng.random(n) * (span_s - journey_s)
    delays = np.exp(t.delay_mu[persona, None] + t.delay_sigma[persona, None] * rng.standard_normal((n, 4)))
    too_long = delays > MAX_DELAY_DAYS
    delays[too_long] = rng.uniform(7.0, MAX_DELAY_DAYS, int(too_long.sum()))
    delays = np.maximum(delays, MIN_DELAY_DAYS)
    reach_t = t0[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(delays, axis=1)], axis=1) * 86400.0
    reached = np.arange(5)[None, :] < depth[:, None]
    horizon = t0 + journey_s - 3600.0
    signup = np.floor(t0 / 86400.0) * 86400.0

    # entry events: the first event of each reached stage, at the moment the stage is reached
    ec, es = np.nonzero(reached)
    e_time = reach_t[ec, es]
    within = _draw(rng, t.event_cum[persona[ec], es])
    e_event = _EVENT_OFFSET[es] + within
    e_event[es == _S["purchase"]] = _E["checkout_start"]
    buyers = np.nonzero(depth >= 3)[0]
    b_time = reach_t[buyers, 2] + rng.uniform(60, 1200, len(buyers))
    entry_cust = np.concatenate([ec, buyers])
    entry_time = np.concatenate([e_time, b_time])
    entry_event = np.concatenate([e_event, np.full(len(buyers), _E["purchase"])])
    entry_tp = _draw(rng, t.event_tp_cum[persona[entry_cust], entry_event])

    # later sessions: each returns to a reached stage and holds 1 + Poisson events of stages up to it
    lam = session_rate * t.activity[persona] * _ENGAGEMENT_BY_DEPTH[depth - 1]
    n_sess = rng.poisson(lam)
    sc = np.repeat(np.arange(n), n_sess)
    s_top = _draw(rng, t.session_stage_cum[persona[sc], depth[sc] - 1])
    s_start = reach_t[sc, s_top] + rng.random(len(sc)) * (horizon[sc] - reach_t[sc, s_top])
    s_tp = _draw(rng, t.tp_cum[persona[sc]])
    s_len = 1 + rng.poisson(_SESSION_EXTRA_MEAN, len(sc))
    xs = np.repeat(np.arange(len(sc)), s_len)
    gaps = rng.exponential(180.0, len(xs))
    csum = np.cumsum(gaps)
    first_pos = np.cumsum(s_len) - s_len
    offset = csum - np.repeat(csum[first_pos] if len(first_pos) else np.zeros(0), s_len)
    x_cust = sc[xs]
    x_stage = _draw(rng, t.session_stage_cum[persona[x_cust], s_top[xs]])
    x_event = _EVENT_OFFSET[x_stage] + _draw(rng, t.event_cum[persona[x_cust], x_stage])
    x_time = np.minimum(s_start[xs] + offset, t0[x_cust] + journey_s - 1.0)
    own_tp = _draw(rng, t.event_tp_cum[persona[x_cust], x_event])
    x_tp = np.where(t.allowed[x_event, s_tp[xs]], s_tp[xs], own_tp)

    cust = np.concatenate([entry_cust, x_cust]).astype(np.int32)
    time_s = np.floor(np.concatenate([entry_time, x_time])).astype(np.int64)
    event = np.concatenate([entry_event, x_event]).astype(np.int8)
    tp = np.concatenate([entry_tp, x_tp]).astype(np.int8)
    revenue = np.full(len(cust), np.nan)
    paid = (event == _E["purchase"]) | (event == _E["repeat_purchase"])
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

    # ---------------------------------------------------------------- feedback
    n_fb = rng.poisson(feedback_rate * np.array(_FB_RATE_BY_DEPTH)[depth - 1])
    fc = np.repeat(np.arange(n), n_fb)
    f_stage = _draw(rng, t.fb_stage_cum[depth[fc] - 1])
    f_tp = _draw(rng, t.fb_tp_cum[persona[fc], f_stage])
    f_source = _draw(rng, t.fb_source_cum[f_stage, f_tp])
    f_tone = _draw(rng, t.tone_cum[persona[fc], f_stage])
    f_time = np.floor(reach_t[fc, f_stage] + 3600 + rng.random(len(fc)) * (horizon[fc] - reach_t[fc, f_stage]))
    anonymous = rng.random(len(fc)) < ANONYMOUS_SHARE
    texts, pain, pii, n_html = _feedback_texts(rng, f_stage, f_tp, f_tone, names[fc])
    survey = f_source == 0
    scores = {}
    for col, spec in (("nps", _NPS), ("csat", _CSAT), ("ces", _CES)):
        values = np.zeros(len(fc), dtype=np.int64)
        for tone_i, (rng_values, w) in enumerate(spec):
            idx = np.nonzero(f_tone == tone_i)[0]
            values[idx] = np.array(rng_values)[_draw(rng, np.broadcast_to(_cum(np.array(w)), (len(idx), len(w))))]
        scores[col] = pd.array(np.where(survey, values, 0), dtype="Int64")
        scores[col][~survey] = pd.NA
    ids = _customer_ids(first, n).to_numpy(zero_copy_only=False)
    f_shuffle = rng.permutation(len(fc))
    f_customer = pd.array(ids[fc], dtype="string")
    f_customer[anonymous] = pd.NA
    feedback = pd.DataFrame(
        {
            "customer_id": f_customer,
            "timestamp": _iso(f_time.astype(np.int64)),
            "source": np.array(SOURCES, dtype=object)[f_source],
            "touchpoint": np.array(TOUCHPOINTS, dtype=object)[f_tp],
            "stage": np.array(STAGES, dtype=object)[f_stage],
            "nps": scores["nps"],
            "csat": scores["csat"],
            "ces": scores["ces"],
            "text": texts,
        }
    ).iloc[f_shuffle].reset_index(drop=True)

    customers = pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "signup_date": pd.to_datetime(signup, unit="s").strftime("%Y-%m-%d"),
            "age": age,
            "gender": gender,
            "income": income,
            "education": education,
            "region": region,
            "job_title": jobs,
            "acquisition_channel": channel,
        }
    )
    personas = pd.DataFrame({"customer_id": ids, "persona": np.array([p.key for p in PERSONAS], dtype=object)[persona]})
    return _Chunk(customers, personas, events, ids, feedback, int(new.sum()), pain, pii, n_html)


def _iso(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds to ``2025-03-04T12:00:00Z`` strings."""
    return np.char.add(np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s"), "Z").astype(object)


def _luhn_card(rng: np.random.Generator) -> str:
    digits = [4] + [int(d) for d in rng.integers(0, 10, 14)]
    total = 0
    for i, d in enumerate(reversed(digits)):  # check digit goes to the right, so double even positions
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    digits.append((10 - total % 10) % 10)
    s = "".join(map(str, digits))
    sep = " " if rng.random() < 0.6 else "-"
    return sep.join(s[i : i + 4] for i in range(0, 16, 4))


def _pii_sentence(rng: np.random.Generator, kind: str, name: str) -> str:
    first, last = name.split(" ", 1)
    if kind == "email":
        user = f"{first}.{last}".lower() if rng.random() < 0.5 else f"{first[0]}{last}{rng.integers(10, 99)}".lower()
        domain = ("example.com", "mail.example.org", "example.net")[rng.integers(0, 3)]
        return f" You can reach me at {user}@{domain}"
    if kind == "phone":
        forms = (
            f"+44 7700 900{rng.integers(100, 999)}",
            f"(555) 01{rng.integers(0, 9)}-{rng.integers(1000, 9999)}",
            f"07700 900{rng.integers(100, 999)}",
            f"+1 555 01{rng.integers(0, 9)} {rng.integers(1000, 9999)}",
        )
        return f" Call me on {forms[rng.integers(0, len(forms))]}"
    if kind == "card":
        return f" My card {_luhn_card(rng)} was charged twice"
    if kind == "postal_code":
        if rng.random() < 0.6:
            return f" I live at {_UK_POSTCODES[rng.integers(0, len(_UK_POSTCODES))]}"
        city, state = _US_PLACES[rng.integers(0, len(_US_PLACES))]
        return f" Send it to {city}, {state} {rng.integers(10000, 99999)}"
    if kind == "url_token":
        token = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), 10))
        return f" Order link: https://shop.example.com/orders/{rng.integers(10000, 99999)}?token={token}"
    forms = (f" Regards, {name}", f" My name is {name}.", f" — {name}")
    return forms[rng.integers(0, len(forms))]


_PII_KINDS = ("email", "phone", "card", "postal_code", "url_token", "name")


def _feedback_texts(rng: np.random.Generator, stage: np.ndarray, tp: np.ndarray, tone: np.ndarray,
                    names: np.ndarray) -> tuple[list[str], dict[str, int], dict[str, int], int]:
    """Compose the feedback texts; return them with the counts of what was planted."""
    m = len(stage)
    pain_at = {(_S[pp.stage], _T[pp.touchpoint]): pp for pp in PAIN_POINTS}
    pools = _text_pools()
    pick = rng.integers(0, 1 << 30, size=(m, 3))
    u = rng.random((m, 5))
    pii_kind = rng.integers(0, len(_PII_KINDS), m)
    inj = rng.integers(0, len(_INJECTIONS), m)
    texts: list[str] = []
    pain_counts = {pp.key: 0 for pp in PAIN_POINTS}
    pii_counts = dict.fromkeys(_PII_KINDS, 0)
    n_html = 0
    for i in range(m):
        k, t_, tone_i = int(stage[i]), int(tp[i]), int(tone[i])
        pp = pain_at.get((k, t_))
        if tone_i == 0 and pp is not None and u[i, 0] < PAIN_SHARE:
            text = pp.phrases[pick[i, 0] % len(pp.phrases)]
            pain_counts[pp.key] += 1
        else:
            pool = pools[(k, t_, tone_i)]
            nouns = _TP_NOUN[TOUCHPOINTS[t_]]
            text = pool[pick[i, 0] % len(pool)].replace("{tp}", nouns[pick[i, 1] % len(nouns)])
            text = text[0].upper() + text[1:]
            emoji = _EMOJI[tone_i]
            if emoji and u[i, 1] < 0.15 and not any(e in text for e in emoji):
                text = f"{text} {emoji[pick[i, 2] % len(emoji)]}"
            if u[i, 2] < 0.1:
                text = text.lower()
        if u[i, 3] < PII_SHARE:
            kind = _PII_KINDS[pii_kind[i]]
            text = text.rstrip(".!") + "." + _pii_sentence(rng, kind, str(names[i]))
            pii_counts[kind] += 1
        if u[i, 4] < HTML_SHARE:
            snippet = _INJECTIONS[inj[i]]
            text = f"{text} {snippet}" if pick[i, 2] % 2 else f"{snippet} {text}"
            n_html += 1
        texts.append(text)
    return texts, pain_counts, pii_counts, n_html


# --------------------------------------------------------------------------- writing


_EVENT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.dictionary(pa.int32(), pa.string())),
        ("timestamp", pa.timestamp("ms", tz="UTC")),
        ("event", pa.dictionary(pa.int8(), pa.string())),
        ("touchpoint", pa.dictionary(pa.int8(), pa.string())),
        ("revenue", pa.float64()),
        ("session_id", pa.string()),
    ]
)


def _event_table(chunk: _Chunk, session_offset: int) -> pa.Table:
    ev = chunk.events
    sessions = pa.array(ev["session"] + session_offset + 1)
    session_id = pc.binary_join_element_wise("S", pc.utf8_lpad(pc.cast(sessions, pa.string()), width=9, padding="0"), "")
    revenue = pa.array(ev["revenue"], mask=np.isnan(ev["revenue"]))
    return pa.Table.from_arrays(
        [
            pa.DictionaryArray.from_arrays(pa.array(ev["customer"], pa.int32()), pa.array(chunk.customer_ids, pa.string())),
            pa.array(ev["time_s"] * 1000, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            pa.DictionaryArray.from_arrays(pa.array(ev["event"], pa.int8()), pa.array(EVENTS)),
            pa.DictionaryArray.from_arrays(pa.array(ev["touchpoint"], pa.int8()), pa.array(TOUCHPOINTS)),
            revenue,
            session_id,
        ],
        schema=_EVENT_SCHEMA,
    )


def _event_frame(table: pa.Table) -> pd.DataFrame:
    """The chunk's events as a CSV-ready frame (ISO timestamps)."""
    frame = pd.DataFrame({name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names
                          if name != "timestamp"})
    seconds = table.column("timestamp").cast(pa.int64()).to_numpy() // 1000
    frame.insert(1, "timestamp", _iso(seconds))
    return frame[[f.name for f in _EVENT_SCHEMA]]


class _Outputs:
    """Temporary files in the output folder, renamed into place only when everything is written."""

    def __init__(self, out_dir: Path, names: Sequence[str]) -> None:
        self.out_dir = out_dir
        self.final = {n: out_dir / n for n in names}
        self.tmp = {n: out_dir / f".{n}.tmp-{os.getpid()}" for n in names}

    def commit(self) -> None:
        for name, tmp in self.tmp.items():
            os.replace(tmp, self.final[name])

    def cleanup(self) -> None:
        for tmp in self.tmp.values():
            tmp.unlink(missing_ok=True)


def _check_params(n_customers: object, seed: object, events_per_customer: object, feedback_per_customer: object,
                  file_format: object, chunk_size: object) -> None:
    def is_int(v: object) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

    if not is_int(n_customers) or n_customers < 1:  # type: ignore[operator]
        raise ParameterError(f"n_customers={n_customers!r} should be a whole number of at least 1, such as 5000")
    if not is_int(seed) or seed < 0:  # type: ignore[operator]
        raise ParameterError(f"seed={seed!r} should be a whole number of at least 0")
    for name, value in (("events_per_customer", events_per_customer), ("feedback_per_customer", feedback_per_customer)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not (0 <= value < 1e6):
            raise ParameterError(f"{name}={value!r} should be a number of at least 0, such as 40")
    if file_format not in ("parquet", "csv"):
        raise ParameterError(f"file_format={file_format!r} should be 'parquet' or 'csv'")
    if not is_int(chunk_size) or chunk_size < 1:  # type: ignore[operator]
        raise ParameterError(f"chunk_size={chunk_size!r} should be a whole number of at least 1, such as 20000")


def make_sample(
    n_customers: int = 5000,
    seed: int = 0,
    out_dir: str | Path = "data/sample",
    events_per_customer: float = 40.0,
    feedback_per_customer: float = 1.6,
    file_format: str = "parquet",
    progress: bool = True,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, Path]:
    """Generate the sample study with its planted truth and write it to ``out_dir``.

    Parameters
    ----------
    n_customers : int, default 5000
        Number of customers (5,000 give about 200,000 events and 8,000 feedback texts).
    seed : int, default 0
        Random seed; the same arguments give byte-identical files.
    out_dir : str or Path, default "data/sample"
        Output folder (created; files in it are replaced atomically).
    events_per_customer : float, default 40.0
        Mean events per customer (at least the ~2.6 stage-entry events a journey needs).
    feedback_per_customer : float, default 1.6
        Mean feedback texts per customer (about 10 % of them anonymous).
    file_format : {"parquet", "csv"}, default "parquet"
        Format of the events table; customers and feedback are always CSV.
    progress : bool, default True
        Show a tqdm progress bar over the chunks of customers.
    chunk_size : int, default 20000
        Customers generated and written per chunk (one Parquet row group each); bounds memory.
        Part of the seed: another chunk size gives other (equally valid) data.

    Returns
    -------
    dict of str to Path
        ``customers``, ``events``, ``feedback``, ``stages``, ``personas_truth`` and ``truth``.

    Raises
    ------
    ParameterError
        When an argument is out of range.

    Examples
    --------
    >>> paths = make_sample(n_customers=1000, seed=0, out_dir="/tmp/sample", progress=False)  # doctest: +SKIP
    >>> jkit.load("/tmp/sample")                                                               # doctest: +SKIP
    """
    _check_params(n_customers, seed, events_per_customer, feedback_per_customer, file_format, chunk_size)
    model = load_stage_model(STAGE_MODEL)
    if tuple(model.names) != STAGES or tuple(model.events) != EVENTS:  # pragma: no cover - template changed
        raise ParameterError(f"the {STAGE_MODEL} template no longer matches jkit.datasets.STAGES/EVENTS; update both")
    from tqdm.auto import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    events_name = f"events.{file_format}"
    names = ["customers.csv", events_name, "feedback.csv", "stages.yaml", "personas_truth.csv", "truth.json"]
    files = _Outputs(out, names)
    tables = _tables()
    session_rate, feedback_rate = _rates(float(events_per_customer), float(feedback_per_customer))
    start_s = pd.Timestamp(PERIOD_START).timestamp()
    span_s = pd.Timestamp(PERIOD_END).timestamp() - start_s
    truth = _base_truth(int(seed), int(n_customers))
    pain_totals = {pp.key: 0 for pp in PAIN_POINTS}
    n_chunks = math.ceil(n_customers / chunk_size)
    seeds = np.random.SeedSequence(int(seed)).spawn(n_chunks)
    writer: pq.ParquetWriter | None = None
    handles = {}
    try:
        handles = {n: files.tmp[n].open("w", encoding="utf-8", newline="")
                   for n in ("customers.csv", "feedback.csv", "personas_truth.csv")}
        if file_format == "csv":
            handles[events_name] = files.tmp[events_name].open("w", encoding="utf-8", newline="")
        else:
            writer = pq.ParquetWriter(files.tmp[events_name], _EVENT_SCHEMA, compression="zstd", store_schema=False)
        n_events = n_feedback = n_sessions = 0
        with tqdm(total=int(n_customers), desc="sample data", unit="customer", disable=not progress) as bar:
            for i in range(n_chunks):
                first = i * chunk_size + 1
                n = min(chunk_size, n_customers - i * chunk_size)
                chunk = _generate_chunk(np.random.default_rng(seeds[i]), tables, first, n, start_s, span_s,
                                        session_rate, feedback_rate)
                header = i == 0
                chunk.customers.to_csv(handles["customers.csv"], header=header, index=False)
                chunk.personas.to_csv(handles["personas_truth.csv"], header=header, index=False)
                fb = chunk.feedback
                fb.insert(0, "feedback_id", [f"F{j:07d}" for j in range(n_feedback + 1, n_feedback + len(fb) + 1)])
                fb.to_csv(handles["feedback.csv"], header=header, index=False)
                table = _event_table(chunk, n_sessions)
                if writer is not None:
                    writer.write_table(table, row_group_size=max(len(table), 1))
                else:
                    _event_frame(table).to_csv(handles[events_name], header=header, index=False)
                n_events += len(table)
                n_feedback += len(fb)
                n_sessions += chunk.n_sessions
                for k, v in chunk.pain_counts.items():
                    pain_totals[k] += v
                for k, v in chunk.pii_counts.items():
                    truth["pii"][k] += v
                truth["html_injection"] += chunk.html_count
                bar.update(n)
        if writer is not None:
            writer.close()
            writer = None
        for h in handles.values():
            h.close()
        truth["n_events"] = n_events
        truth["n_feedback"] = n_feedback
        for entry in truth["pain_points"]:
            entry["n_planted"] = pain_totals[entry["key"]]
        model.to_yaml(files.tmp["stages.yaml"])
        files.tmp["truth.json"].write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        files.commit()
    except BaseException:
        if writer is not None:
            writer.close()
        for h in handles.values():
            h.close()
        files.cleanup()
        raise
    for table_name in ("events",):  # a stale events file of the other format would shadow this one
        for suffix in (".parquet", ".csv", ".csv.gz"):
            stale = out / f"{table_name}{suffix}"
            if stale.name != events_name:
                stale.unlink(missing_ok=True)
    return {
        "customers": files.final["customers.csv"],
        "events": files.final[events_name],
        "feedback": files.final["feedback.csv"],
        "stages": files.final["stages.yaml"],
        "personas_truth": files.final["personas_truth.csv"],
        "truth": files.final["truth.json"],
    }


# --------------------------------------------------------------------------- reading


def _find_default_sample() -> Path | None:
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        candidate = folder / "data" / "sample"
        if (candidate / "truth.json").is_file() or (candidate / "customers.csv").is_file():
            return candidate
    return None


def load_sample(path: str | Path | None = None, **load_kwargs) -> JourneyData:
    """Load the sample study (default ``data/sample`` in the working folder or a parent of it).

    Parameters
    ----------
    path : str or Path, optional
        The sample folder; default ``data/sample`` found from the working directory upwards
        (so it works from the project root and from ``notebooks/``).
    **load_kwargs
        Passed on to :func:`jkit.load`.

    Returns
    -------
    JourneyData

    Raises
    ------
    MissingResourceError
        When there is no sample; make it with ``jkit sample-data``.

    Examples
    --------
    >>> data = load_sample()   # doctest: +SKIP
    """
    folder = Path(path) if path is not None else _find_default_sample()
    if folder is None:
        raise MissingResourceError(
            f"no sample data found in data/sample under {Path.cwd()} or its parents; "
            "run `jkit sample-data` (or `make sample`) to make it"
        )
    if not folder.is_dir():
        raise MissingResourceError(f"{folder}: no such folder; run `jkit sample-data --out {folder}` to make it")
    return load(folder, **load_kwargs)


def _truth_file(path: str | Path, name: str) -> Path:
    path = Path(path)
    file = path / name if path.is_dir() else path
    if not file.is_file():
        raise MissingResourceError(f"{file}: no such file; run `jkit sample-data --out {path}` to make the sample")
    return file


def load_truth(path: str | Path) -> dict:
    """The planted truth of a sample: ``truth.json`` in ``path`` (a folder or the file itself).

    Returns
    -------
    dict
        Keys ``seed``, ``n_customers``, ``n_events``, ``n_feedback``, ``stage_model``, ``stages``,
        ``period``, ``personas``, ``stage_conversion``, ``largest_dropoff_stage``,
        ``emotion_dip_stage``, ``pain_points``, ``pii``, ``html_injection``.

    Examples
    --------
    >>> load_truth("data/sample-small")["stage_conversion"]["overall"]["purchase"]  # doctest: +SKIP
    0.397719
    """
    file = _truth_file(path, "truth.json")
    return json.loads(file.read_text(encoding="utf-8"))


def load_personas_truth(path: str | Path) -> pd.DataFrame:
    """The planted persona of every customer: ``personas_truth.csv`` in ``path`` (folder or file).

    Returns
    -------
    DataFrame
        Columns ``customer_id`` and ``persona`` (both ``string``), one row per customer.

    Examples
    --------
    >>> load_personas_truth("data/sample-small").persona.value_counts()  # doctest: +SKIP
    """
    file = _truth_file(path, "personas_truth.csv")
    return pd.read_csv(file, dtype={"customer_id": "string", "persona": "string"}, keep_default_na=False)


# --------------------------------------------------------------------------- command line

SMALL = {"n_customers": 1000, "seed": 0, "events_per_customer": 40.0, "feedback_per_customer": 1.6}


def _project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m jkit.datasets [--small] [--out DIR] [--customers N] [--seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m jkit.datasets", description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true",
                        help="regenerate the committed small sample data/sample-small (1,000 customers, seed 0)")
    parser.add_argument("--out", default=None, help="output folder")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.small:
        out = Path(args.out) if args.out else _project_root() / "data" / "sample-small"
        make_sample(out_dir=out, file_format="parquet", progress=not args.quiet, **SMALL)
    else:
        out = Path(args.out or "data/sample")
        make_sample(n_customers=args.customers, seed=args.seed, out_dir=out, progress=not args.quiet)
    print(f"sample data written to {out}")
    return 0


