"""Persona cards: one :class:`PersonaCard` per persona, shown as an HTML card in notebooks.

A card gathers a fitted model's profile of the persona with the study-level views of
:mod:`jkit.personas.views` (KPIs, funnel, pain points). Text from data is HTML-escaped with the
standard library, as :func:`jkit.notebook.escape` does, without importing the display layer.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jkit.personas.profiles import describe_trait

__all__ = ["PersonaCard", "persona_cards"]


def escape(value: Any) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(value), quote=True)


@dataclass
class PersonaCard:
    """Everything a reader needs about one persona, shown as an HTML card in notebooks."""

    persona: int
    name: str
    size: int
    share: float
    traits: list[str] = field(default_factory=list)
    preferred_touchpoints: str = ""
    kpis: dict = field(default_factory=dict)
    funnel: list[tuple[str, float]] = field(default_factory=list)
    pain_points: list[tuple[str, list[str]]] = field(default_factory=list)
    stability: float = float("nan")

    def _repr_html_(self) -> str:
        kpis = "".join(f"<li>{escape(k)}: <b>{escape(v)}</b></li>" for k, v in self.kpis.items())
        traits = "".join(f"<li>{escape(t)}</li>" for t in self.traits)
        funnel = " → ".join(f"{escape(s)} {r:.0%}" for s, r in self.funnel)
        pains = "".join(
            f"<li><b>{escape(p)}</b>" + "".join(f"<br><i>“{escape(q[:240])}”</i>" for q in quotes) + "</li>"
            for p, quotes in self.pain_points
        )
        stab = f" · stability {self.stability:.2f}" if np.isfinite(self.stability) else ""
        return (
            "<div style='border:1px solid #bbb;border-radius:8px;padding:.8em 1.2em;margin:.6em 0;max-width:56em'>"
            f"<div style='font-size:1.25em;font-weight:bold'>Persona {self.persona}: {escape(self.name)}</div>"
            f"<div style='color:#555'>{self.size:,} customers ({self.share:.1%}){stab}"
            + (f" · prefers {escape(self.preferred_touchpoints)}" if self.preferred_touchpoints else "") + "</div>"
            f"<div style='display:flex;gap:2em;flex-wrap:wrap'><div><b>What sets them apart</b><ul>{traits}</ul></div>"
            f"<div><b>KPIs</b><ul>{kpis}</ul></div></div>"
            + (f"<div><b>Funnel:</b> {funnel}</div>" if funnel else "")
            + (f"<div><b>Pain points</b><ul>{pains}</ul></div>" if pains else "")
            + "</div>"
        )


def _fmt_kpis(row: pd.Series) -> dict:
    out = {}
    if "conversion" in row and pd.notna(row["conversion"]):
        out["conversion"] = f"{row['conversion']:.1%}"
    if "repeat_rate" in row and pd.notna(row["repeat_rate"]):
        out["repeat purchase (of buyers)"] = f"{row['repeat_rate']:.1%}"
    if "mean_spend" in row:
        out["spend per customer"] = f"{row['mean_spend']:,.2f}" if pd.notna(row["mean_spend"]) else "n/a"
    if "nps" in row and pd.notna(row["nps"]):
        out["NPS"] = f"{row['nps']:+.0f}"
    elif "mean_nps" in row and pd.notna(row["mean_nps"]):
        out["mean NPS score"] = f"{row['mean_nps']:.1f}"
    if "mean_sentiment" in row and pd.notna(row["mean_sentiment"]):
        out["mean sentiment"] = f"{row['mean_sentiment']:+.2f}"
    return out


def persona_cards(
    model,
    *,
    kpis: pd.DataFrame | None = None,
    funnel: pd.DataFrame | None = None,
    pain_points: pd.DataFrame | None = None,
    n_traits: int = 4,
) -> list[PersonaCard]:
    """One :class:`PersonaCard` per persona of a fitted model, with optional study-level views.

    Parameters
    ----------
    model : PersonaModel
        Fitted.
    kpis, funnel, pain_points : DataFrame, optional
        Results of :func:`persona_kpis`, :func:`persona_funnel`, :func:`persona_pain_points`;
        without ``kpis`` the card shows the KPIs of ``model.profiles_``.
    n_traits : int, default 4
        Traits listed per card (by standardized effect).
    """
    model._check_fitted()
    cards = []
    traits = model.traits_
    for _, prof in model.profiles_.iterrows():
        p = int(prof["persona"])
        t = traits[traits["persona"] == p]
        t = t[~((t["kind"] == "category") & (t["difference"] <= 0))]
        t = t.reindex(t["effect"].abs().sort_values(ascending=False).index).head(n_traits)
        krow = kpis[kpis["persona"] == p].iloc[0] if kpis is not None and (kpis["persona"] == p).any() else prof
        fun = []
        if funnel is not None:
            f = funnel[funnel["persona"] == p].sort_values("stage_index")
            fun = list(zip(f["stage"], f["reach"], strict=True))
        pains = []
        if pain_points is not None and len(pain_points):
            pp = pain_points[pain_points["persona"] == p]
            # a theme with the complaint made of it: "checkout — broken"
            pains = [(f"{r['pain_point']} — {r['complaint']}" if r.get("complaint") else r["pain_point"],
                      list(r["quotes"])) for _, r in pp.iterrows()]
        cards.append(PersonaCard(
            persona=p, name=str(prof["name"]), size=int(prof["size"]), share=float(prof["share"]),
            traits=[describe_trait(r) for _, r in t.iterrows()],
            preferred_touchpoints=str(prof.get("preferred_touchpoints", "") or ""),
            kpis=_fmt_kpis(krow), funnel=fun, pain_points=pains,
            stability=float(prof.get("stability", np.nan)),
        ))
    return cards
