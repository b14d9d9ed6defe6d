"""Persona profiles: trait statistics against the population, generated names, KPIs.

Everything here works on raw (not preprocessed) feature values and a label per row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError
from jkit.personas.feature_table import TOUCHPOINT_PREFIX

__all__ = ["persona_traits", "build_profiles", "TRAIT_COLUMNS"]

TRAIT_COLUMNS = ["persona", "feature", "level", "kind", "value", "population", "difference", "ratio", "lift", "effect"]


def persona_traits(
    features: pd.DataFrame,
    labels,
    *,
    numeric_cols: Sequence[str] = (),
    categorical_cols: Sequence[str] = (),
) -> pd.DataFrame:
    """How each persona differs from the whole population, trait by trait.

    Parameters
    ----------
    features : DataFrame
        Raw feature values, one row per customer.
    labels : array-like
        The persona of each row of ``features``.
    numeric_cols, categorical_cols : list of str
        The columns to describe.

    Returns
    -------
    DataFrame
        One row per persona and numeric column, and per persona, categorical column and level:

        - ``persona``, ``feature``, ``level`` (the category; missing for numeric columns),
          ``kind`` (``"numeric"`` or ``"category"``);
        - ``value``: the persona's mean (numeric, missing values skipped) or the share of its
          customers at the level (category, missing counted as the level ``"(missing)"``);
        - ``population``: the same over all rows;
        - ``difference``: ``value - population``;
        - ``ratio``: ``value / population`` (numeric; missing when the population mean is 0);
        - ``lift``: ``value / population`` for category levels (over-representation; 2.0 means
          twice as common in the persona as overall);
        - ``effect``: standardized difference, ``difference / sd`` with the population standard
          deviation (ddof 0) for numeric columns and ``sqrt(p (1 - p))`` of the level's
          population share ``p`` for levels; 0 where that is 0. Used to rank traits.

    Examples
    --------
    >>> persona_traits(features, model.labels_, numeric_cols=["age"])      # doctest: +SKIP
    """
    labels = np.asarray(labels)
    if len(labels) != len(features):
        raise DataValidationError(f"labels has {len(labels)} values but features has {len(features)} rows")
    rows: list[dict] = []
    personas = np.unique(labels)
    for col in numeric_cols:
        values = pd.to_numeric(features[col], errors="coerce").astype("float64").to_numpy()
        pop = np.nanmean(values) if np.isfinite(values).any() else np.nan
        sd = np.nanstd(values) if np.isfinite(values).any() else np.nan
        means = pd.Series(values).groupby(labels).mean()
        for p in personas:
            v = float(means.get(p, np.nan))
            diff = v - pop
            rows.append({
                "persona": p, "feature": col, "level": None, "kind": "numeric", "value": v,
                "population": pop, "difference": diff,
                "ratio": v / pop if pop not in (0, 0.0) and np.isfinite(pop) else np.nan,
                "lift": np.nan,
                "effect": diff / sd if sd and np.isfinite(sd) else 0.0,
            })
    for col in categorical_cols:
        values = features[col].astype("string").fillna("(missing)").to_numpy()
        table = pd.crosstab(labels, values)
        pop_share = table.sum(axis=0) / table.to_numpy().sum()
        shares = table.div(table.sum(axis=1), axis=0)
        for p in personas:
            for level in table.columns:
                v = float(shares.loc[p, level])
                q = float(pop_share[level])
                sd = np.sqrt(q * (1 - q))
                rows.append({
                    "persona": p, "feature": col, "level": str(level), "kind": "category", "value": v,
                    "population": q, "difference": v - q, "ratio": np.nan,
                    "lift": v / q if q > 0 else np.nan,
                    "effect": (v - q) / sd if sd > 0 else 0.0,
                })
    out = pd.DataFrame(rows, columns=TRAIT_COLUMNS)
    out["level"] = out["level"].astype("string")
    return out


# --------------------------------------------------------------------------- names


def _pretty(name: str) -> str:
    return str(name).replace("_", " ")


def age_range(ages: pd.Series, *, low: float = 0.10, high: float = 0.90) -> tuple[int, int] | None:
    """The persona's age range: the 10th and 90th percentiles, rounded down and up."""
    a = pd.to_numeric(ages, errors="coerce").dropna()
    if a.empty:
        return None
    return int(np.floor(a.quantile(low))), int(np.ceil(a.quantile(high)))


def income_level(persona_income: pd.Series, population_income: pd.Series) -> str | None:
    """``"low"``, ``"middle"`` or ``"high"``: the persona's median income against population tertiles."""
    p = pd.to_numeric(persona_income, errors="coerce").dropna()
    pop = pd.to_numeric(population_income, errors="coerce").dropna()
    if p.empty or pop.empty:
        return None
    lo, hi = pop.quantile([1 / 3, 2 / 3])
    med = p.median()
    return "low" if med <= lo else "high" if med >= hi else "middle"


def preferred_touchpoints(traits: pd.DataFrame, persona, n: int = 2) -> list[str]:
    """Touchpoints over-represented in the persona's event mix, by the persona's share (top ``n``)."""
    t = traits[(traits["persona"] == persona) & traits["feature"].str.startswith(TOUCHPOINT_PREFIX)
               & (traits["kind"] == "numeric")]
    if t.empty:
        return []
    over = t[t["value"] > t["population"]].sort_values("value", ascending=False)
    if over.empty:
        over = t.sort_values("value", ascending=False)
    return [f[len(TOUCHPOINT_PREFIX):] for f in over["feature"].head(n)]


def short_number(value: float) -> str:
    """A value for a name: ``134k``, ``1.3M``, ``1958``, ``87``, ``0.42``."""
    v = float(value)
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    return f"{v:.0f}" if a >= 10 else f"{v:.2g}"


def _trait_phrase(row) -> str:
    if row["kind"] == "category":
        return f"{_pretty(row['level'])}" if row["feature"] in ("gender",) else f"{_pretty(row['feature'])}: {row['level']}"
    feature = row["feature"]
    if str(feature).startswith(TOUCHPOINT_PREFIX) or feature in _DAY_COLUMNS:
        return f"{_pretty(feature)} {trait_value(feature, row['value'])} vs {trait_value(feature, row['population'])}"
    return f"{_pretty(feature)} {short_number(row['value'])} vs {short_number(row['population'])}"


def _ranked(traits: pd.DataFrame, persona, exclude: set[str], duplicates: set) -> pd.DataFrame:
    t = traits[(traits["persona"] == persona) & ~traits["feature"].isin(exclude)].copy()
    t = t[~((t["kind"] == "category") & (t["difference"] <= 0))]  # name a category by what is over-represented
    if duplicates:  # a level that copies another column's fact is not a second trait
        t = t[[(f, lv if isinstance(lv, str) else None) not in duplicates
               for f, lv in zip(t["feature"], t["level"], strict=True)]]
    t = t[t["effect"].abs() >= 0.2]
    return t.reindex(t["effect"].abs().sort_values(ascending=False).index)


def _top_traits(traits: pd.DataFrame, persona, exclude: set[str], k: int, *, duplicates: set = frozenset(),
                groups: Sequence[Sequence[str]] = ()) -> list[str]:
    if k <= 0:
        return []
    phrases: list[str] = []
    seen: set[str] = set(exclude)
    for _, row in _ranked(traits, persona, exclude, duplicates).iterrows():
        if row["feature"] in seen:
            continue
        seen.add(row["feature"])
        seen |= {c for g in groups if row["feature"] in g for c in g}  # one fact of a group of near-copies
        phrases.append(_trait_phrase(row))
        if len(phrases) >= k:
            break
    return phrases


_DAY_COLUMNS = ("recency_days", "days_to_first_purchase")


def trait_value(feature: str, value) -> str:
    """A trait's value in the unit of its column: shares of touchpoints as %, days as durations,
    money and counts with thousands separators (never ``1.34e+05``)."""
    from jkit.formatting import format_duration, format_number, format_percent

    if value is None or pd.isna(value):
        return "n/a"
    if str(feature).startswith(TOUCHPOINT_PREFIX):
        return format_percent(value, 0)
    if feature in _DAY_COLUMNS:
        return format_duration(float(value) * 86400.0)
    return format_number(value)


def describe_trait(row) -> str:
    """One trait in words: ``"age 23.1 vs 44"``, ``"income 25,600 vs 67,900"``, ``"tp web 55% vs 21%"``
    or ``"channel = social: 95% vs 27% (3.5×)"``."""
    if row["kind"] == "category":
        return f"{_pretty(row['feature'])} = {row['level']}: {row['value']:.0%} vs {row['population']:.0%} ({row['lift']:.1f}×)"
    feature = row["feature"]
    return f"{_pretty(feature)} {trait_value(feature, row['value'])} vs {trait_value(feature, row['population'])}"


def build_profiles(
    features: pd.DataFrame,
    labels: np.ndarray,
    traits: pd.DataFrame,
    *,
    age_col: str | None,
    income_col: str | None,
    n_touchpoints: int = 2,
    n_traits: int = 3,
    duplicates: set = frozenset(),
    groups: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """The ``profiles_`` table of :class:`~jkit.personas.PersonaModel` (see its docstring)."""
    personas = np.unique(labels)
    n = len(labels)
    rows = []
    for p in personas:
        mask = labels == p
        sub = features.loc[mask]
        row: dict = {"persona": int(p), "size": int(mask.sum()), "share": float(mask.sum() / n)}
        parts: list[str] = []
        used: set[str] = set()
        if age_col and age_col in features.columns:
            rng = age_range(sub[age_col])
            row["age_range"] = f"{rng[0]}–{rng[1]}" if rng else None
            effect = traits.loc[(traits["persona"] == p) & (traits["feature"] == age_col), "effect"]
            whole = age_range(features[age_col])
            narrow = bool(rng and whole and (rng[1] - rng[0]) <= 0.5 * (whole[1] - whole[0]))
            if rng and (narrow or (effect.abs() >= 0.2).any()):  # an age range like the population's says nothing
                parts.append(row["age_range"])
            used.add(age_col)
        if income_col and income_col in features.columns:
            level = income_level(sub[income_col], features[income_col])
            row["income_level"] = level
            if level:
                parts.append(f"{level} income")
            used.add(income_col)
        tps = preferred_touchpoints(traits, p, n_touchpoints)
        row["preferred_touchpoints"] = ", ".join(tps)
        if tps:
            parts.append(" + ".join(_pretty(t) for t in tps) if len(tps) > 1 else f"{_pretty(tps[0])}-first")
            used |= {c for c in features.columns if c.startswith(TOUCHPOINT_PREFIX)}
        extra = _top_traits(traits, p, used, 6, duplicates=duplicates, groups=groups)
        row["_parts"], row["_extra"] = parts, extra
        row["name"] = " · ".join(parts + extra[:max(0, n_traits - len(parts))]) or f"persona {p}"
        t = traits[traits["persona"] == p]
        t = t[~((t["kind"] == "category") & (t["difference"] <= 0))]
        t = t.reindex(t["effect"].abs().sort_values(ascending=False).index).head(4)
        row["top_traits"] = "; ".join(describe_trait(r) for _, r in t.iterrows())
        row.update(_feature_kpis(sub))
        rows.append(row)
    out = pd.DataFrame(rows)
    out["name"] = _distinct(out, n_traits)
    out = out.drop(columns=["_parts", "_extra"])
    first = ["persona", "name", "size", "share"]
    return out[first + [c for c in out.columns if c not in first]]


def _distinct(out: pd.DataFrame, n_traits: int) -> list[str]:
    """Names made distinct by adding each twin's next distinguishing trait; twins that share every trait
    say so ("same traits as persona 3") rather than carry a number."""
    names = out["name"].tolist()
    for extra_n in range(1, 5):
        counts = pd.Series(names).value_counts()
        if (counts <= 1).all():
            return names
        for i, (nm, parts, extra) in enumerate(zip(names, out["_parts"], out["_extra"], strict=True)):
            if counts[nm] > 1:
                names[i] = " · ".join(parts + extra[:max(0, n_traits - len(parts)) + extra_n]) or nm
    counts = pd.Series(names).value_counts()
    first: dict[str, int] = {}
    result = []
    for nm, p in zip(names, out["persona"], strict=True):
        if counts[nm] > 1 and nm in first:
            result.append(f"{nm} · same traits as persona {first[nm]}")
        else:
            first.setdefault(nm, int(p))
            result.append(nm)
    return result


def _feature_kpis(sub: pd.DataFrame) -> dict:
    """KPIs readable from the feature table itself (when its standard columns are there)."""
    out: dict = {}
    if "frequency" in sub.columns:
        f = pd.to_numeric(sub["frequency"], errors="coerce")
        buyers = f > 0
        out["conversion"] = float(buyers.mean()) if len(f) else np.nan
        out["repeat_rate"] = float((f[buyers] >= 2).mean()) if buyers.any() else np.nan
    if "monetary" in sub.columns:
        out["mean_spend"] = float(pd.to_numeric(sub["monetary"], errors="coerce").mean())
    if "mean_nps" in sub.columns:
        out["mean_nps"] = float(pd.to_numeric(sub["mean_nps"], errors="coerce").mean())
    if "mean_sentiment" in sub.columns:
        out["mean_sentiment"] = float(pd.to_numeric(sub["mean_sentiment"], errors="coerce").mean())
    return out
