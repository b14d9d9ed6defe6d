"""A small study whose every text field carries hostile strings and planted personal data (issue 16).

Used by ``tests/test_browser_hostile.py``: about 60 customers, 600 events and 120 feedback texts,
written into a folder whose name is hostile too, read through a ``study.yaml`` whose file and column
names are hostile. Feedback texts carry e-mails, phones, card numbers and customer names that must
never reach any output of a run (:data:`PLANTED`); every other field carries markup, scripts,
``javascript:``/``data:`` links, Markdown links and images, TeX, very long strings, RTL and
zero-width characters (:data:`PAYLOADS`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

#: the folder name of the study (a path component: no slash)
FOLDER_NAME = "R&D <study> $x$ <img src=x onerror=alert(1)> \"q\" \u202eevil"

LONG = "long-" + "x" * 295  # 300 characters
RTL = "\u202eevil"
ZW = "a\u200bb"

#: strings planted in the data; none may run or fetch anything
PAYLOADS = {
    "script": "<script>window.__pwned='script';alert(1)</script>",
    "img": "<img src=x onerror=\"window.__pwned='img';alert(1)\">",
    "style": "</style><script>window.__pwned='style';alert(1)</script>",
    "js_link": "[x](javascript:alert(1))",
    "data_link": "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "md_image": "![p](http://127.0.0.1:9/p.png)",
    "tex": "$\\foo$",
    "dollars": "$$$$",
    "long": LONG,
    "rtl": RTL,
    "zw": ZW,
    "html_a": "<a href=\"javascript:window.__pwned='a'\">click</a>",
    "svg": "<svg onload=\"window.__pwned='svg'\"></svg>",
    "iframe": "<iframe src=\"http://127.0.0.1:9/\"></iframe>",
}

#: a customers column whose name is markup (report parameters refuse such a name: it is only shown)
HOSTILE_COL = "<img src=x onerror=alert(1)>"
#: the customers column used as the persona labels (its name as hostile as a parameter name may be:
#: letters, digits, _ . - : / and spaces; Arabic letters are RTL text); its values are hostile
PERSONA_COL = "javascript:alert.1 data:text.html مرحبا"
PERSONA_VALUES = ["[x](javascript:alert(1))", "$$$$", "$\\foo$", "<script>window.__pwned='persona';alert(1)</script>",
                  "=HYPERLINK(\"http://127.0.0.1:9\")"]

#: stage names (five stages, in order) and the events of each
STAGES = [
    ("aware <script>window.__pwned='stage';alert(1)</script>",
     ["ad <img src=x onerror=\"window.__pwned='ev';alert(1)\">", "landing_visit"]),
    # a valid parameter value (drop_step); the drop-out list named after it must stay in its folder
    ("consider ../../../../../escaped - javascript:alert.1 data:text.html",
     ["![p](http://127.0.0.1:9/p.png)", f"view {RTL}", "[x](javascript:alert(1)) $x$"]),
    ("buy </style><b>$$x$$</b>",
     ["</style><script>alert(1)</script>", "purchase", "javascript:void/0 buy"]),
    (f"keep {RTL} {ZW}",
     [f"{ZW} login", LONG]),
    ("advocacy [d](data:text/html,<script>alert(1)</script>)",
     ["[share](javascript:alert(1))", "=1+2 referral"]),
]
DROP_STEP = STAGES[1][0]
CONVERSION_EVENT = STAGES[2][1][2]  # a purchase-stage event whose name is a valid parameter value

TOUCHPOINTS = ["web <script>window.__pwned='tp';alert(1)</script>", "app [a](javascript:alert(1))", "store $\\foo$",
               f"{RTL}-phone", f"em{ZW}ail", "@SUM(1+1)"]
SOURCES = ["survey <img src=x onerror=alert(1)>", "app [r](javascript:alert(1))", "-2+3 review"]
REGIONS = ["North <b>x</b>", f"South {RTL}", "=cmd|' /C calc'!A0", "$x$ East"]

#: planted personal data: none of these may appear in any file of a run (compared case-insensitively)
PLANTED_NAMES = ["Yuki Parker", "Zoë Ünal-Øster"]
PLANTED = [
    "yuki.parker@example.com", "zoe.unal@example.org",
    "5550109999", "555 010 9999", "555-010-9999",
    "4111 1111 1111 1111", "4111.1111.1111.1111", "4111111111111111", "5500-0000-0000-0004",
    "Yuki Parker", "Parker, Yuki", "Yuki A. Parker", "Zoë Ünal-Øster", "Ünal-Øster, Zoë",
]

OTHER_NAMES = ["Ann Lee", "Bo Chen", "Cara Diaz", "Dev Patel", "Eli Moss", "Fay Wong", "Gus Kerr", "Hana Sato",
               "Ivo Rios", "Jun Park"]

FILES = {  # contract table -> file name (hostile, no slash)
    "customers": "customers <script>alert(1)<\\script> #1.csv",
    "events": "events javascript:alert(1) $x$ &amp;.csv",
    "feedback": "feedback \u202eevil a\u200bb <img src=x onerror=alert(1)>.csv",
    "stages": "stages <style> %2F.. $x$.yaml",
}
#: events file columns (hostile names mapped to contract names by the study file)
EVENT_COLUMNS = {"customer_id": "who <b>id</b>", "timestamp": "when $t$", "event": "<script>ev</script>",
                 "touchpoint": "touch [x](javascript:alert(1))", "revenue": "revenue"}
FEEDBACK_TEXT_COL = "text <img src=x onerror=alert(1)>"


def _customer_ids(n: int) -> list[str]:
    shapes = ["C<script>{i}", "=1+{i}", "+x{i}", "-x{i}", "@sum({i})", "C<img src=x onerror=alert({i})>",
              "C{i}" + RTL, "C" + ZW + "{i}", "[c{i}](javascript:alert(1))", "$c{i}$"]
    return [shapes[i % len(shapes)].format(i=i) for i in range(n)]


def _feedback_texts(rng: np.random.Generator, n_total: int = 140) -> list[tuple[str, int]]:
    """(text, index of the stage it is about) pairs: pain points, planted personal data, payloads, praise."""
    texts: list[tuple[str, int]] = []
    agent = ["agent yuki parker was rude and unhelpful, terrible service",
             "Agent Yuki Parker never called back, awful and rude",
             "the agent yuki parker was rude, horrible experience",
             "agent Yuki Parker hung up on me, terrible",
             "Parker, Yuki at the desk was rude and useless, awful",
             "Yuki A. Parker the agent was rude, terrible support",
             "agent yuki parker was rude again, worst service"]
    for i in range(22):
        texts.append((agent[i % len(agent)], 3))
    for i in range(16):
        texts.append((["checkout was slow and confusing, awful", "the checkout page was slow, terrible",
                       "checkout slow and broken, horrible", "slow checkout, very bad and confusing"][i % 4], 2))
    pii = ["terrible: email me at yuki.parker@example.com about the refund",
           "awful, call me on 5550109999 now",
           "bad service, my number is +1 555 010 9999",
           "horrible: card 4111 1111 1111 1111 was charged twice",
           "terrible, they charged 4111.1111.1111.1111 twice",
           "awful, my card 4111111111111111 was billed twice",
           "Zoë Ünal-Øster here, terrible refund, write zoe.unal@example.org",
           "Ünal-Øster, Zoë: awful, phone 555-010-9999",
           "bad: card 5500-0000-0000-0004 was declined, very bad"]
    for i in range(len(pii)):
        texts.append((pii[i % len(pii)], 2 + (i % 2)))
    for i, p in enumerate(PAYLOADS.values()):
        texts.append((f"terrible and awful {p} checkout slow" if i % 2 else f"awful {p} rude agent", i % 5))
        texts.append((f"{p} great, love it", (i + 1) % 5))
    # the image payload in every complaint about the agent: whichever texts a theme quotes carry it
    for i in range(4):
        texts.append((f"awful {PAYLOADS['img']} rude agent", 2 + i % 2))
    praise = ["great service, love it", "fast delivery, very happy", "excellent app, would recommend",
              "friendly staff and good prices", "smooth purchase, thanks"]
    while len(texts) < n_total:
        texts.append((praise[len(texts) % len(praise)], int(rng.integers(0, 5))))
    return texts


def make_hostile_study(parent: Path, n_customers: int = 60, seed: int = 16) -> Path:
    """Write the study into ``parent / FOLDER_NAME``; return that folder (it holds ``study.yaml``)."""
    rng = np.random.default_rng(seed)
    folder = parent / FOLDER_NAME
    folder.mkdir(parents=True)
    ids = _customer_ids(n_customers)
    names = [PLANTED_NAMES[i] if i < 2 else OTHER_NAMES[i % len(OTHER_NAMES)] + f" {chr(65 + i % 26)}." for i in
             range(n_customers)]
    t0 = pd.Timestamp("2025-01-01", tz="UTC")
    signup = [t0 + pd.Timedelta(days=float(rng.uniform(0, 150))) for _ in ids]
    customers = pd.DataFrame({
        "customer_id": ids,
        "name": names,
        "signup_date": [s.strftime("%Y-%m-%d") for s in signup],
        "age": rng.integers(18, 80, n_customers),
        "income": rng.integers(20, 150, n_customers) * 1000,
        "region": rng.choice(REGIONS, n_customers),
        "acquisition_channel": rng.choice(TOUCHPOINTS[:3], n_customers),
        PERSONA_COL: [PERSONA_VALUES[i % len(PERSONA_VALUES)] for i in range(n_customers)],
        HOSTILE_COL: [PERSONA_VALUES[(i + 1) % len(PERSONA_VALUES)] for i in range(n_customers)],
    })
    rows = []
    for cid, start in zip(ids, signup, strict=True):
        t = start
        depth = int(rng.choice([1, 2, 3, 4, 5], p=[0.1, 0.2, 0.25, 0.25, 0.2]))
        for s in range(depth):
            for _ in range(3):
                t += pd.Timedelta(hours=float(rng.uniform(1, 72)))
                event = str(rng.choice(STAGES[s][1]))
                revenue = round(float(rng.uniform(10, 200)), 2) if s == 2 else None
                rows.append((cid, t.strftime("%Y-%m-%dT%H:%M:%SZ"), event, str(rng.choice(TOUCHPOINTS)), revenue))
    events = pd.DataFrame(rows, columns=list(EVENT_COLUMNS.values()))
    fb_rows = []
    for i, (text, stage) in enumerate(_feedback_texts(rng)):
        cid = ids[int(rng.integers(2, n_customers))]
        when = t0 + pd.Timedelta(days=float(rng.uniform(5, 170)))
        neg = any(w in text for w in ("terrible", "awful", "horrible", "bad", "rude", "slow"))
        fb_rows.append({
            "feedback_id": f"F<b>{i}</b>" if i % 2 else f"=F{i}",
            "customer_id": cid,
            "timestamp": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": SOURCES[i % len(SOURCES)],
            "touchpoint": TOUCHPOINTS[i % len(TOUCHPOINTS)],
            "stage": STAGES[stage][0],
            "nps": int(rng.integers(0, 4)) if neg else int(rng.integers(8, 11)),
            "csat": 1 if neg else 5,
            "ces": 5 if neg else 1,
            FEEDBACK_TEXT_COL: text,
        })
    feedback = pd.DataFrame(fb_rows)
    customers.to_csv(folder / FILES["customers"], index=False)
    events.to_csv(folder / FILES["events"], index=False)
    feedback.to_csv(folder / FILES["feedback"], index=False)
    stages = {"name": "model <script>window.__pwned='model'</script>",
              "description": "stages [x](javascript:alert(1)) $x$",
              "stages": [{"name": name, "description": f"{name} {PAYLOADS['img']}", "events": evs}
                         for name, evs in STAGES]}
    (folder / FILES["stages"]).write_text(yaml.safe_dump(stages, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")
    study = {
        "name": "study <script>window.__pwned='study'</script> $x$ \u202eevil",
        "customers": {"path": FILES["customers"]},
        "events": {"path": FILES["events"], "columns": {k: v for k, v in EVENT_COLUMNS.items() if k != v}},
        "feedback": {"path": FILES["feedback"], "columns": {"text": FEEDBACK_TEXT_COL}},
        "stages": FILES["stages"],
    }
    (folder / "study.yaml").write_text(yaml.safe_dump(study, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return folder
