"""The feedback texts of the sample data: templates by stage, touchpoint and tone, pain-point
phrases, emoji, typos and case, personal-data sentences (e-mail, phone, card, postcode, order
link, name) and HTML/script injections, composed by :func:`feedback_texts` with the counts of
what was planted; and the name pools the customers' names are drawn from.
"""

from __future__ import annotations

import numpy as np

from jkit.datasets.truth import (
    HTML_SHARE,
    PAIN_POINTS,
    PAIN_SHARE,
    PII_KINDS,
    PII_SHARE,
    STAGE_INDEX,
    STAGES,
    TOUCHPOINT_INDEX,
    TOUCHPOINTS,
)

__all__ = ["FIRST_NAMES", "LAST_NAMES", "feedback_texts"]

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

FIRST_NAMES = {
    "female": ("Emma", "Olivia", "Sophia", "Mia", "Amelia", "Charlotte", "Isabella", "Maria", "Ana", "Chloe",
               "Grace", "Hannah", "Laura", "Sarah", "Fatima", "Aisha", "Priya", "Mei", "Yuki", "Sofia",
               "Elena", "Julia", "Lucy", "Zoe", "Nora", "Ingrid", "Camille", "Lena", "Rosa", "Margaret"),
    "male": ("Liam", "Noah", "Oliver", "James", "Lucas", "Ethan", "Mason", "Daniel", "Mateo", "Samuel",
             "David", "Thomas", "Jack", "Henry", "Omar", "Ahmed", "Ravi", "Wei", "Kenji", "Diego",
             "Luca", "Jonas", "Felix", "Leo", "Hugo", "Erik", "Pierre", "Marco", "Peter", "George"),
}
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
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



def feedback_texts(rng: np.random.Generator, stage: np.ndarray, tp: np.ndarray, tone: np.ndarray,
                    names: np.ndarray) -> tuple[list[str], dict[str, int], dict[str, int], int]:
    """Compose the feedback texts; return them with the counts of what was planted."""
    m = len(stage)
    pain_at = {(STAGE_INDEX[pp.stage], TOUCHPOINT_INDEX[pp.touchpoint]): pp for pp in PAIN_POINTS}
    pools = _text_pools()
    pick = rng.integers(0, 1 << 30, size=(m, 3))
    u = rng.random((m, 5))
    pii_kind = rng.integers(0, len(PII_KINDS), m)
    inj = rng.integers(0, len(_INJECTIONS), m)
    texts: list[str] = []
    pain_counts = {pp.key: 0 for pp in PAIN_POINTS}
    pii_counts = dict.fromkeys(PII_KINDS, 0)
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
            kind = PII_KINDS[pii_kind[i]]
            text = text.rstrip(".!") + "." + _pii_sentence(rng, kind, str(names[i]))
            pii_counts[kind] += 1
        if u[i, 4] < HTML_SHARE:
            snippet = _INJECTIONS[inj[i]]
            text = f"{text} {snippet}" if pick[i, 2] % 2 else f"{snippet} {text}"
            n_html += 1
        texts.append(text)
    return texts, pain_counts, pii_counts, n_html
