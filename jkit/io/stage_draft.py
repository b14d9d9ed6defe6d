"""Drafting ``stages.yaml`` for ``jkit init``: placing event names into the stages of a template.

An event name of the stage template (``five_stage`` unless told) goes to its stage; any other name
goes by the first :data:`RULES` keyword among its words to the stage of the template event it
behaves like (``cart`` -> ``add_to_cart``; ``view_search_results`` -> ``search``; a bare ``view``
is a product view, ``page_view`` a landing visit). Retention (repeat, login, session_start) and
advocacy (review, share, refer) are tried before purchase, and purchase before consideration, so
``repeat_purchase`` is retention (:func:`place_event`). Stages with no event are left out; names
no rule places go under ``unassigned:`` (loaded with no stage) for the user to assign. When fewer
than two stages get events, a two-stage model is drafted: ``first_seen`` (the name most customers
do first, :func:`first_names`) and ``later`` (the rest) (:func:`draft_stages`).

This module also holds the YAML text helpers both drafted files use (:func:`yaml_scalar`,
:func:`yaml_comment`); it does not import :mod:`jkit.io.drafting`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import yaml

from jkit.io.column_guess import Column, name_words, norm_name
from jkit.stages import load_stage_model
from jkit.timestamps import parse_timestamps

__all__ = ["RULES", "StageDraft", "draft_stages", "first_names", "place_event", "yaml_comment", "yaml_scalar"]

#: keyword rules for event names, first match wins: (words, the template event the name behaves like)
RULES: tuple[tuple[tuple[str, ...], str], ...] = tuple((tuple(w.split()), e) for w, e in (
    ("repeat renew renewal reorder rebuy return returning resubscribe", "repeat_purchase"),
    ("login signin sign_in log_in logon session_start app_open", "account_login"),
    ("support help ticket contact complaint chat", "support_contact"),
    ("review rate rating", "review_posted"), ("refer referral invite recommend", "referral_sent"),
    ("share", "social_share"), ("checkout payment shipping billing", "checkout_start"),
    ("purchase order buy transaction subscribe subscribed subscription signup sign_up register registration pay paid "
     "conversion", "purchase"),
    ("search", "search"), ("wishlist wish favorite favourite save", "add_to_wishlist"),
    ("compare comparison", "compare"), ("cart basket", "add_to_cart"),
    ("impression promotion promo ad ads banner campaign", "ad_impression"),
    ("landing visit first_visit first_open page pageview screen install home", "landing_visit"),
    ("email newsletter open", "email_open"), ("view product item detail browse", "product_view"),
))
_PURCHASE_LIKE = {"purchase", "repeat_purchase"}

#: (stage, [(event name, number of events, why it is there)]) in stage order
Stages = list[tuple[str, list[tuple[str, int, str]]]]


@dataclass
class StageDraft:
    """The drafted stages: the placed and unassigned names, notes for the user, and the file text."""

    stages: Stages = field(default_factory=list)
    unassigned: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: the names placed like a purchase or a repeat purchase (the revenue rule reads them)
    purchase_like: set[str] = field(default_factory=set)
    text: str = ""


def yaml_scalar(value: object) -> str:
    """``value`` as a YAML scalar that reads back as the same string."""
    text = str(value)
    plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./\-]*", text) and yaml.safe_load(text) == text
    return text if plain else json.dumps(text, ensure_ascii=False)


def yaml_comment(text: str) -> str:
    """``text`` as a trailing YAML comment on one line (``"  # text"``)."""
    return "  # " + " ".join(str(text).split())


def _events(n: int) -> str:
    return f"{n:,} event{'' if n == 1 else 's'}"


def place_event(name: str, stage_of: dict[str, str]) -> tuple[str | None, str | None, str]:
    """The stage of event ``name`` under a template's ``stage_of``, the template event it is like, and why."""
    by_norm = {norm_name(e): e for e in stage_of}
    if name in stage_of or norm_name(name) in by_norm:
        like = name if name in stage_of else by_norm[norm_name(name)]
        return stage_of[like], like, "an event of the template" if like == name else f"the template's {like}"
    words = name_words(name)
    for keys, like in RULES:
        for key in keys:
            k = key.split("_")
            if any(words[i:i + len(k)] == k for i in range(len(words))):
                why = f"word {key!r}: like {like}"
                return (stage_of[like], like, why) if like in stage_of else (None, like, why + " (not in the template)")
    return None, None, "no rule places it"


def first_names(frame: pd.DataFrame, columns: list[Column], dayfirst: bool | None) -> pd.Series:
    """How many customers do each event name first (events of each name when times are unmapped).

    ``columns`` is the events table's column map, ``dayfirst`` its day/month order.
    """
    col = {c.contract: c.column for c in columns if c.column}
    names = frame[col["event"]].astype("string").str.strip()
    if "customer_id" not in col or "timestamp" not in col:
        return names.value_counts()
    times = parse_timestamps(frame[col["timestamp"]], dayfirst=dayfirst)
    ordered = pd.DataFrame({"c": frame[col["customer_id"]], "t": times, "e": names}).dropna().sort_values("t")
    return ordered.groupby("c", sort=False)["e"].first().value_counts()


def draft_stages(counts: pd.Series, template: str, first: Callable[[], pd.Series], source: str) -> StageDraft:
    """Place the event names of ``counts`` into the stages of ``template``, and write stages.yaml.

    Parameters
    ----------
    counts : Series
        Number of events of each name, most frequent first.
    template : str
        Stage template (a built-in name or a path, as :func:`jkit.stages.load_stage_model` reads).
    first : callable
        Returns how many customers do each name first (:func:`first_names`); called only when a
        two-stage model has to be drafted.
    source : str
        Name of the events file, for the header comment.

    Returns
    -------
    StageDraft
        The stages and unassigned names, the notes for the user and the text of stages.yaml.
    """
    model = load_stage_model(template)
    stage_of = model.stage_of()
    out = StageDraft()
    placed: dict[str, list[tuple[str, int, str]]] = {s.name: [] for s in model.stages}
    for name, n in counts.items():
        stage, like, why = place_event(str(name), stage_of)
        if like in _PURCHASE_LIKE:
            out.purchase_like.add(str(name))
        if stage is None:
            out.unassigned.append((str(name), int(n)))
        else:
            placed[stage].append((str(name), int(n), why))
    descriptions = {s.name: s.description for s in model.stages}
    out.stages = [(s.name, placed[s.name]) for s in model.stages if placed[s.name]]
    dropped = [s.name for s in model.stages if not placed[s.name]]
    if len(out.stages) < 2:
        pool = [x for _, evs in out.stages for x in evs]
        if len(pool) < 2:
            pool += [(e, n, "not placed by the rules") for e, n in out.unassigned]
            out.unassigned = []
        firsts = first()
        pool.sort(key=lambda x: (-int(firsts.get(x[0], 0)), -x[1]))
        later = pool[1:] or [("next_event", 0, "placeholder: the data holds a single event name")]
        out.stages, dropped = [("first_seen", pool[:1]), ("later", later)], []
        descriptions = {"first_seen": "The event most customers do first.", "later": "Everything after it."}
        out.notes.append(f"fewer than two stages of {model.name} got events: drafted a two-stage model "
                         "(first_seen = the name most customers do first, later = the rest); regroup it")
    if out.unassigned:
        out.notes.append("assign the unassigned event names in stages.yaml (they load with no stage): "
                         + ", ".join(f"{e} ({n:,})" for e, n in out.unassigned))
    out.notes.append(f"the stage of each event name in stages.yaml (placed by name, template {model.name})")
    q, note = yaml_scalar, yaml_comment
    lines = [f"# stages.yaml drafted by `jkit init` from the {len(counts):,} event names of "
             f"{source}, by the {model.name} template.",
             "# After each name: its number of events and why it is there. Move names between stages as the",
             "# journey needs; names under `unassigned` load with no stage until you give them one.",
             f"name: {q(model.name + '_draft')}", f"description: {q('Drafted by jkit init from ' + model.name)}",
             "stages:"]
    for name, evs in out.stages:
        lines += [f"  - name: {q(name)}", f"    description: {q(descriptions.get(name, ''))}", "    events:"]
        lines += [f"      - {q(e)}" + note(f"{_events(n)}; {why}") for e, n, why in evs]
    lines += [f"# not drafted (no event in the data): {', '.join(dropped)}"] if dropped else []
    lines.append("unassigned:" + ("" if out.unassigned else " []"))
    lines += [f"  - {q(e)}" + note(f"{_events(n)}; no rule places it") for e, n in out.unassigned]
    out.text = "\n".join(lines) + "\n"
    return out
