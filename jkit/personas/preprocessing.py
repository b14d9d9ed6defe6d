"""The preprocessing of :class:`~jkit.personas.PersonaModel`: which columns define the personas,
how they are cleaned, transformed, weighted and encoded before the clustering.

Functions of the raw feature table and the model's parameters; the model keeps what they return.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from jkit._rules import column_list, require_columns
from jkit.errors import (
    DataValidationError,
    JkitWarning,
    MissingColumnError,
    ParameterError,
    describe_values,
    format_rows,
)
from jkit.personas.feature_table import OUTCOME_COLUMNS, TOUCHPOINT_PREFIX

#: The level that stands for a missing value of a categorical column.
MISSING = "(missing)"


def plain_value(value):
    """A numpy scalar as a plain Python value (for messages)."""
    return value.item() if hasattr(value, "item") else value


def signed_log1p(x):
    """``sign(x) * log1p(|x|)``: log1p for non-negative values, symmetric for the rare negative one."""
    x = np.asarray(x, dtype="float64")
    return np.sign(x) * np.log1p(np.abs(x))


def check_frame(features) -> pd.DataFrame:
    """``features`` itself, or a ParameterError when it is not a pandas DataFrame."""
    if not isinstance(features, pd.DataFrame):
        raise ParameterError(
            f"features should be a pandas DataFrame (e.g. from customer_features), got {type(features).__name__}"
        )
    return features


def choose_columns(
    features: pd.DataFrame, *, id_col: str, numeric_cols: Sequence[str] | None, categorical_cols: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The numeric and categorical columns that define the personas (see ``PersonaModel``'s ``numeric_cols``)."""
    cols = [c for c in features.columns if c != id_col]
    if numeric_cols is None and categorical_cols is None:
        numeric, categorical = [], []
        n = len(features)
        for c in cols:
            s = features[c]
            if pd.api.types.is_bool_dtype(s):
                categorical.append(c)
            elif pd.api.types.is_numeric_dtype(s):
                numeric.append(c)
            elif pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype):
                continue
            else:
                distinct = s.nunique(dropna=True)
                if n >= 10 and distinct > max(50, n // 2):
                    warnings.warn(
                        f"features: column {c!r} has {distinct:,} distinct values in {n:,} rows and looks "
                        "like an identifier or free text; left out (pass categorical_cols to use it)",
                        JkitWarning,
                        stacklevel=3,
                    )
                    continue
                categorical.append(c)
        return numeric, categorical
    numeric = list(numeric_cols or [])
    categorical = list(categorical_cols or [])
    for name, given in (("numeric_cols", numeric_cols), ("categorical_cols", categorical_cols)):
        if isinstance(given, str):
            raise ParameterError(f"{name}={given!r} should be a list of column names, e.g. [{given!r}]")
    require_columns(features, numeric + categorical, "features")
    both = sorted(set(numeric) & set(categorical))
    if both:
        raise ParameterError(f"column {column_list(both)} is in both numeric_cols and categorical_cols")
    if id_col in numeric + categorical:
        raise ParameterError(f"the id column {id_col!r} cannot be a feature")
    return numeric, categorical


def numeric_frame(features: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    """The ``numeric`` columns as floats; a DataValidationError names rows that hold text or infinities."""
    out = {}
    for c in numeric:
        s = features[c]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("float64")
        values = pd.to_numeric(s, errors="coerce")
        bad = values.isna() & s.notna()
        if bad.any():
            pos = np.flatnonzero(bad.to_numpy()) + 1
            raise DataValidationError(
                f"features: column {c!r} {format_rows(pos)}: value {describe_values(s[bad].tolist())} "
                "is not a number; pass it in categorical_cols or fix the values"
            )
        values = values.astype("float64")
        inf = np.isinf(values.to_numpy())
        if inf.any():
            pos = np.flatnonzero(inf) + 1
            raise DataValidationError(
                f"features: column {c!r} {format_rows(pos)}: value {describe_values(values[inf].tolist())} "
                "is not a finite number"
            )
        out[c] = values.to_numpy()
    return pd.DataFrame(out, index=features.index)


def categorical_frame(features: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """The ``categorical`` columns as text, with missing values as the level :data:`MISSING`."""
    return pd.DataFrame(
        {c: features[c].astype("string").fillna(MISSING).astype(object).to_numpy() for c in categorical},
        index=features.index,
    )


def _varies(name: str, values: pd.Series, *, empty: bool, constant: bool, n: int) -> bool:
    """True when column ``name`` can separate personas; else warn that it is left out (and why)."""
    if empty:
        warnings.warn(f"features: column {name!r} is empty in all {n:,} rows; left out", JkitWarning, stacklevel=4)
        return False
    if constant:
        warnings.warn(
            f"features: column {name!r} is constant (value {plain_value(values.iloc[0])!r}) and cannot separate "
            "personas; left out",
            JkitWarning,
            stacklevel=4,
        )
        return False
    return True


def drop_degenerate(num: pd.DataFrame, cat: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The numeric and categorical columns that vary; empty and constant ones are left out with a warning."""
    n = len(num) if len(num.columns) else len(cat)
    keep_num, keep_cat = [], []  # plain loops: a comprehension's frame would shift the warnings' stacklevel
    for c in num.columns:
        s = num[c]
        if _varies(c, s, empty=bool(s.isna().all()), constant=bool(s.nunique(dropna=True) <= 1 and not s.isna().any()),
                   n=n):
            keep_num.append(c)
    for c in cat.columns:
        s = cat[c]
        if _varies(c, s, empty=bool((s == MISSING).all()), constant=bool(s.nunique() <= 1), n=n):
            keep_cat.append(c)
    if not keep_num and not keep_cat:
        raise DataValidationError(
            "features: no usable feature column (all were constant or empty); "
            "pass numeric_cols or categorical_cols with columns that vary between customers"
        )
    return keep_num, keep_cat


def log_columns(num: pd.DataFrame, numeric: list[str], log_cols: str | Sequence[str] | None) -> list[str]:
    """The columns transformed with :func:`signed_log1p` (see ``PersonaModel``'s ``log_cols``)."""
    if log_cols is None:
        return []
    if log_cols != "auto":
        unknown = [c for c in log_cols if c not in numeric]
        if unknown:
            raise ParameterError(
                f"log_cols: {column_list(unknown)} is not a numeric feature column; "
                f"numeric columns are {column_list(numeric)}"
            )
        return list(log_cols)
    chosen = []
    for c in numeric:
        s = num[c].dropna()
        if len(s) > 2 and s.min() >= 0 and s.max() > 1 and s.std() > 0 and s.skew() > 1:
            chosen.append(c)
    return chosen


def described_columns(
    features: pd.DataFrame,
    numeric: list[str],
    categorical: list[str],
    *,
    describe_cols: str | Sequence[str] | None,
    automatic: bool,
) -> list[str]:
    """The columns only described (see ``PersonaModel``'s ``describe_cols``); ``automatic``: the feature columns were found by dtype."""
    if describe_cols is None:
        return []
    if describe_cols == "auto":
        return [c for c in OUTCOME_COLUMNS if c in numeric] if automatic else []
    if isinstance(describe_cols, str):
        raise ParameterError(f"describe_cols={describe_cols!r} should be 'auto', None or a list of column names")
    described = list(describe_cols)
    missing = [c for c in described if c not in features.columns]
    if missing:
        raise MissingColumnError(
            f"features: no column {column_list(missing)} for describe_cols; "
            f"found {column_list(features.columns)}"
        )
    if not automatic:
        both = [c for c in described if c in numeric or c in categorical]
        if both:
            raise ParameterError(f"column {column_list(both)} is both a feature and in describe_cols")
    return described


def weight_vector(
    pre: ColumnTransformer, numeric: list[str], categorical: list[str], weights: str | dict | None
) -> tuple[np.ndarray, np.ndarray, dict]:
    """One weight per output column of the preprocessor (see ``PersonaModel``'s ``weights``), the feature column
    each output column comes from, and the weight of each feature column."""
    owners: list[str] = []
    for name, trans, cols in pre.transformers_:
        if name == "remainder" or trans == "drop":
            continue
        if name == "cat":
            for col, cats in zip(cols, trans.categories_, strict=True):
                n_out = len(cats)
                infrequent = getattr(trans, "infrequent_categories_", None)
                if infrequent is not None:
                    idx = list(cols).index(col)
                    if infrequent[idx] is not None:
                        n_out = n_out - len(infrequent[idx]) + 1
                owners += [col] * n_out
        else:
            owners += list(cols)
    if weights is None:
        given: dict = {}
    elif weights == "auto":
        tps = [c for c in numeric if str(c).startswith(TOUCHPOINT_PREFIX)]
        given = {c: 1 / np.sqrt(len(tps)) for c in tps}
    elif isinstance(weights, dict):
        unknown = [c for c in weights if c not in numeric + categorical]
        if unknown:
            raise ParameterError(
                f"weights: {column_list(unknown)} is not a feature column; "
                f"features are {column_list(numeric + categorical)}"
            )
        bad = {c: w for c, w in weights.items() if not (isinstance(w, (int, float)) and w >= 0)}
        if bad:
            raise ParameterError(f"weights: {bad!r} should be numbers >= 0")
        given = dict(weights)
    else:
        raise ParameterError(f"weights={weights!r} should be 'auto', None or a dict of column weights")
    vector = np.array([given.get(o, 1.0) for o in owners], dtype=np.float32)
    n_out = len(pre.get_feature_names_out())
    if len(vector) != n_out:  # should not happen; fail loudly rather than weigh the wrong columns
        raise DataValidationError(f"internal: {len(vector)} weights for {n_out} preprocessed columns")
    per_column = dict(zip(numeric + categorical, [given.get(c, 1.0) for c in numeric + categorical], strict=True))
    return vector, np.asarray(owners, dtype=object), per_column


def build_preprocessor(numeric, log_cols, categorical, num, min_frequency) -> ColumnTransformer:
    """The unfitted preprocessing: log, impute and scale numbers, flag gaps, one-hot encode categories."""
    plain = [c for c in numeric if c not in log_cols]
    gaps = [c for c in numeric if num[c].isna().any()]
    parts = []
    if log_cols:
        parts.append(("log", Pipeline([
            ("log1p", FunctionTransformer(signed_log1p, feature_names_out="one-to-one")),
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]), log_cols))
    if plain:
        parts.append(("num", Pipeline([
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
        ]), plain))
    if gaps:
        parts.append(("missing", MissingIndicator(features="all"), gaps))
    if categorical:
        mf = min_frequency if min_frequency else None
        parts.append(("cat", OneHotEncoder(
            handle_unknown="infrequent_if_exist", min_frequency=mf, sparse_output=False, dtype=np.float64,
        ), categorical))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)


def input_frame(features: pd.DataFrame, numeric, categorical) -> pd.DataFrame:
    """The numeric and categorical columns side by side, as the preprocessor reads them."""
    num = numeric_frame(features, numeric)
    cat = categorical_frame(features, categorical)
    return pd.concat([num, cat], axis=1)
