"""Column screening before the personas are clustered: what is left out, and what counts once.

Left out, with a :class:`ScreeningWarning` (a :class:`~jkit.errors.JkitWarning`, so it reaches
the report's caveats):

* **mostly missing** columns (more than ``max_missing`` of the rows empty, default half): the
  imputed value would make the gap itself a persona;
* **identifier-like** columns: numbers that are distinct whole numbers in every row and either
  named like an id or an evenly spaced run (1, 2, 3 … or 1007, 1014 …); text with more than
  half of the rows distinct;
* **derived** numeric columns: a column that is (almost) a linear combination of the other
  numeric columns (least-squares ``R² >= 0.99``), e.g. a total of the amounts beside them;
* **derived** categorical columns: a column whose level is fixed by another column's level
  (conditional entropy ``H(A | B) <= 0.02 · H(A)`` on a sample), e.g. ``PhoneService`` given
  ``MultipleLines = "No phone service"``.

Counted once (kept, weighed down):

* **duplicated levels**: a category level whose 0/1 indicator matches (``|phi| >= 0.95``)
  an earlier column's level, or a numeric column's most common value, e.g. telecom's
  ``"No internet service"`` in six add-on columns, which is ``InternetService = "No"``: the
  copies weigh 0, so the fact is one column's worth of distance;
* **near-duplicate numbers**: numeric columns with ``|Spearman rho| >= 0.95`` form a group
  whose columns weigh ``1/sqrt(m)`` each, as the touchpoint mix does.

The decisions are a tidy table (``PersonaModel.column_groups_``): ``column``, ``level``,
``action`` (``"kept"``, ``"left out"``, ``"counted once"``, ``"grouped"``), ``reason`` and
``with`` (the column it duplicates).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from jkit.errors import JkitWarning

__all__ = ["ScreeningWarning", "Screen", "screen_columns", "duplicate_mask", "counted_once", "DUPLICATE_PHI", "NUMERIC_RHO"]

DUPLICATE_PHI = 0.95
NUMERIC_RHO = 0.95
DERIVED_ENTROPY = 0.02
DERIVED_R2 = 0.99
_ID_NAME = re.compile(r"(^|[_\W])(id|key|number|no)$|^id[_\W]|[a-z]ID$", re.IGNORECASE)
_SAMPLE = 20_000


class ScreeningWarning(JkitWarning):
    """A column was left out of the personas or counted once with another (see :mod:`jkit.personas.screening`)."""


class Screen:
    """What :func:`screen_columns` decided: kept columns, zero-weight levels, numeric groups, the table."""

    def __init__(self, numeric, categorical, duplicate_levels, numeric_groups, table):
        self.numeric: list[str] = numeric
        self.categorical: list[str] = categorical
        self.duplicate_levels: set[tuple[str, str]] = duplicate_levels
        self.numeric_groups: list[list[str]] = numeric_groups
        self.table: pd.DataFrame = table

    def weights(self) -> dict[str, float]:
        """The weight of each grouped numeric column (``1/sqrt(m)`` in a group of ``m``)."""
        return {c: 1 / np.sqrt(len(g)) for g in self.numeric_groups for c in g}


def _warn(message: str, stacklevel: int = 5) -> None:
    # 5: this function, the check, screen_columns, PersonaModel.fit, then the caller's line
    warnings.warn(message, ScreeningWarning, stacklevel=stacklevel)


def _looks_like_id(name: str, values: pd.Series, n: int) -> bool:
    v = values.dropna()
    if n < 20 or len(v) < n or v.nunique() < n or not np.allclose(v, np.round(v)):
        return False
    steps = np.diff(np.sort(v.to_numpy()))
    return bool(_ID_NAME.search(str(name))) or bool(len(steps) and np.all(steps == steps[0]))


def _entropy(codes: np.ndarray) -> float:
    p = np.bincount(codes) / len(codes)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _conditional_entropy(a: np.ndarray, b: np.ndarray) -> float:
    """H(A | B) of two integer-coded columns."""
    joint = a.astype(np.int64) * (int(b.max()) + 1) + b
    return _entropy(pd.factorize(joint)[0]) - _entropy(b)


def _left_out(num, cat, missing_token, max_missing, n, rows) -> tuple[list[str], list[str]]:
    keep_num, keep_cat = [], []
    for c in num.columns:
        share = float(num[c].isna().mean())
        if share > max_missing:
            _warn(f"features: column {c!r} is empty in {share:.0%} of the rows (more than {max_missing:.0%}); "
                  "left out of the personas (an imputed value would make the gap a persona)")
            rows.append((c, None, "left out", f"empty in {share:.0%} of rows", None))
        elif _looks_like_id(c, num[c], n):
            _warn(f"features: column {c!r} holds a distinct whole number in every row and looks like an identifier; "
                  "left out of the personas (pass it as id_col)")
            rows.append((c, None, "left out", "identifier-like", None))
        else:
            keep_num.append(c)
    for c in cat.columns:
        s = cat[c]
        share = float((s == missing_token).mean())
        distinct = s.nunique()
        if share > max_missing:
            _warn(f"features: column {c!r} is empty in {share:.0%} of the rows (more than {max_missing:.0%}); "
                  "left out of the personas")
            rows.append((c, None, "left out", f"empty in {share:.0%} of rows", None))
        elif n >= 10 and distinct > max(50, n // 2):
            _warn(f"features: column {c!r} has {distinct:,} distinct values in {n:,} rows and looks like an "
                  "identifier or free text; left out of the personas")
            rows.append((c, None, "left out", "identifier-like", None))
        else:
            keep_cat.append(c)
    return keep_num, keep_cat


def _derived(cat: pd.DataFrame, columns: list[str], rows) -> list[str]:
    """Drop categorical columns fixed by another kept column (the finer one, or the earlier if one-to-one)."""
    codes = {c: pd.factorize(cat[c].to_numpy())[0] for c in columns}
    h = {c: _entropy(codes[c]) for c in columns}

    def fixed(a: str, b: str) -> bool:
        return _conditional_entropy(codes[a], codes[b]) <= DERIVED_ENTROPY * h[a]

    dropped: set[str] = set()
    for i, a in enumerate(columns):
        for j, b in enumerate(columns):
            if a == b or b in dropped or not fixed(a, b) or (fixed(b, a) and j > i):
                continue
            _warn(f"features: column {a!r} is determined by column {b!r} (each level of {b!r} fixes it); "
                  "left out of the personas so the fact counts once")
            rows.append((a, None, "left out", "determined by another column", b))
            dropped.add(a)
            break
    return [c for c in columns if c not in dropped]


def _linear_derived(num: pd.DataFrame, columns: list[str], rows) -> list[str]:
    """Drop numeric columns that are a linear combination of the others (the last ones first: a total
    written after its parts goes)."""
    # the touchpoint shares sum to 1 by construction and are weighed as one group already
    candidates = [c for c in columns if not str(c).startswith("tp_")]
    if len(candidates) < 3:
        return columns
    filled = num[candidates].fillna(num[candidates].median())
    kept = list(candidates)
    for c in reversed(candidates):
        others = [o for o in kept if o != c]
        if len(others) < 2 or len(filled) < 20 * (len(others) + 1):  # few rows fit anything
            break
        A = np.column_stack([np.ones(len(filled)), filled[others].to_numpy()])
        y = filled[c].to_numpy()
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        ss = float(((y - y.mean()) ** 2).sum())
        r2 = 1 - float(((y - A @ coef) ** 2).sum()) / ss if ss > 0 else 0.0
        if r2 >= DERIVED_R2:
            top = [others[i] for i in np.argsort(-np.abs(coef[1:] * filled[others].std().to_numpy()))[:3]]
            _warn(f"features: column {c!r} is (almost) a linear combination of {', '.join(repr(o) for o in top)}"
                  f"{' …' if len(others) > 3 else ''} (R² {r2:.3f}); left out of the personas so the fact counts once")
            rows.append((c, None, "left out", f"linear combination of other columns (R² {r2:.3f})", top[0]))
            kept.remove(c)
    return [c for c in columns if c in kept or c not in candidates]


def _indicators(num, cat, numeric, categorical, missing_token):
    """0/1 indicators of the category levels and of each numeric column's most common value (if common)."""
    names, cols = [], []
    n = max(len(num), len(cat))
    for c in categorical:
        values = cat[c].to_numpy()
        for level, count in pd.Series(values).value_counts().items():
            if 0.01 * n <= count <= 0.99 * n and level != missing_token:
                names.append((c, str(level)))
                cols.append(values == level)
    for c in numeric:
        counts = num[c].value_counts()
        if len(counts) and 0.05 * n <= counts.iloc[0] <= 0.99 * n:
            names.append((c, None))
            cols.append((num[c] == counts.index[0]).to_numpy())
    return names, (np.column_stack(cols).astype(np.float64) if cols else np.zeros((n, 0)))


def _duplicate_levels(names, ind, rows) -> set[tuple[str, str]]:
    if ind.shape[1] < 2:
        return set()
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.abs(np.corrcoef(ind, rowvar=False))
    dup: set[tuple[str, str]] = set()
    for j, (col, level) in enumerate(names):
        if level is None:
            continue  # a numeric column's value is never weighed down, only a level copying it
        for i in range(len(names)):
            other = names[i]
            if other[0] == col or i == j or (i > j and other[1] is not None) or other in dup:
                continue
            if phi[i, j] >= DUPLICATE_PHI:
                dup.add((col, level))
                what = f"{other[0]} = {other[1]}" if other[1] is not None else f"{other[0]}'s most common value"
                rows.append((col, level, "counted once", f"same customers as {what}", other[0]))
                break
    return dup


def _numeric_groups(num: pd.DataFrame, numeric: list[str], rows) -> list[list[str]]:
    numeric = [c for c in numeric if not str(c).startswith("tp_")]  # the touchpoint mix is one group already
    if len(numeric) < 2:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = num[numeric].corr(method="spearman").abs().to_numpy()
    groups: list[list[str]] = []
    placed: set[int] = set()
    for i in range(len(numeric)):
        if i in placed:
            continue
        members = [j for j in range(i + 1, len(numeric)) if j not in placed and rho[i, j] >= NUMERIC_RHO]
        if members:
            group = [i, *members]
            placed |= set(group)
            groups.append([numeric[j] for j in group])
    for g in groups:
        for c in g:
            rows.append((c, None, "grouped", f"|Spearman rho| >= {NUMERIC_RHO} with {', '.join(x for x in g if x != c)}",
                         g[0]))
        _warn(f"features: columns {', '.join(repr(c) for c in g)} move together (|Spearman rho| >= {NUMERIC_RHO}); "
              f"they count as one column in the personas (each weighs 1/sqrt({len(g)}))")
    return groups


def screen_columns(
    num: pd.DataFrame,
    cat: pd.DataFrame,
    *,
    missing_token: str,
    max_missing: float = 0.5,
    seed: int | None = 0,
) -> Screen:
    """Screen the feature columns (see the module docstring); warns once per decision.

    Parameters
    ----------
    num : DataFrame
        The numeric feature columns as floats (missing as NaN).
    cat : DataFrame
        The categorical feature columns as text, missing as ``missing_token``.
    missing_token : str
        The level standing for a missing category.
    max_missing : float, default 0.5
        Columns empty in a larger share of rows are left out.
    seed : int, optional
        Seed of the row sample (at most 20,000 rows) the relations are measured on.

    Returns
    -------
    Screen
        Kept columns, the levels counted once, the numeric groups and the decision table.
    """
    n = max(len(num), len(cat))
    rows: list[tuple] = []
    numeric, categorical = _left_out(num, cat, missing_token, max_missing, n, rows)
    if n > _SAMPLE:
        pick = np.sort(np.random.default_rng(seed).choice(n, _SAMPLE, replace=False))
        num_s, cat_s = num.iloc[pick], cat.iloc[pick]
    else:
        num_s, cat_s = num, cat
    if numeric or categorical:
        numeric = _linear_derived(num_s, numeric, rows)
        kept_cat = _derived(cat_s, categorical, rows)
        if len(kept_cat) + len(numeric) == 0:
            kept_cat = categorical[:1]
        categorical = kept_cat
    names, ind = _indicators(num_s, cat_s, numeric, categorical, missing_token)
    dup = _duplicate_levels(names, ind, rows)
    for col in sorted({c for c, _ in dup}):
        levels = [lv for c, lv in dup if c == col]
        _warn(f"features: column {col!r} level {', '.join(repr(lv) for lv in levels)} marks the same customers as "
              "another column; counted once in the personas", stacklevel=4)
    groups = _numeric_groups(num_s, numeric, rows)
    decided = {r[0] for r in rows if r[2] != "counted once"}
    rows += [(c, None, "kept", "", None) for c in numeric + categorical if c not in decided]
    table = pd.DataFrame(rows, columns=["column", "level", "action", "reason", "with"])
    return Screen(numeric, categorical, dup, groups, table)


def duplicate_mask(pre, owners: np.ndarray, duplicates: set) -> np.ndarray:
    """True for the one-hot output columns of ``pre`` (a fitted ColumnTransformer whose encoder is named
    ``"cat"``) that stand for a level in ``duplicates`` (``(column, level)`` pairs): they weigh 0."""
    levels: list = [None] * len(owners)
    if "cat" in pre.named_transformers_:
        enc = pre.named_transformers_["cat"]
        infrequent = getattr(enc, "infrequent_categories_", None) or [None] * len(enc.categories_)
        out: list[str] = []
        for cats, rare in zip(enc.categories_, infrequent, strict=True):
            rare = set() if rare is None else set(rare)
            out += [str(c) for c in cats if c not in rare] + (["(infrequent)"] if rare else [])
        levels[len(levels) - len(out):] = out
    return np.array([(o, lv) in duplicates for o, lv in zip(owners, levels, strict=True)], dtype=bool)


def counted_once(table: pd.DataFrame) -> tuple[set[tuple[str, str]], list[list[str]]]:
    """From a decision table (``column_groups_``): the levels counted once and the groups of numeric columns."""
    dup = {(c, lv) for c, lv, a in zip(table["column"], table["level"], table["action"], strict=True)
           if a == "counted once"}
    return dup, [list(g["column"]) for _, g in table[table["action"] == "grouped"].groupby("with")]
