"""Saving and loading a fitted :class:`~jkit.personas.PersonaModel` in a format that cannot carry code.

A model file is a zip archive (suggested suffix ``.jkpm``) of plain data:

===================  ==============================================================================
``manifest.json``    format name and version, jkit and scikit-learn versions, the estimator's
                     parameters, scalars, column lists and persona names
``arrays.npz``       numpy arrays, read with ``allow_pickle=False``
``sklearn.skops``    the fitted scikit-learn parts (preprocessor, PCA, k-means) in skops' format,
                     loaded only when every type in it is on :data:`TRUSTED_TYPES`
``<table>.parquet``  the persona traits, profiles and selection tables
===================  ==============================================================================

Nothing in it is unpickled: a crafted file cannot run a command when loaded (older jkit wrote
models with joblib, i.e. pickle; such files are refused with a message saying to refit). skops
(https://skops.readthedocs.io) is scikit-learn's own project for safe persistence.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, JkitWarning, MissingResourceError
from jkit.io.files import write_zip_atomic, zip_member

__all__ = ["FORMAT", "FORMAT_VERSION", "TRUSTED_TYPES", "save_model", "load_model"]

FORMAT = "jkit.PersonaModel"
FORMAT_VERSION = 2
#: the only types (beyond skops' defaults) a model file may hold; files written before the personas
#: became a package name the log transform ``jkit.personas._signed_log1p`` (see ``jkit.personas.__getattr__``)
TRUSTED_TYPES = ("jkit.personas.preprocessing.signed_log1p", "jkit.personas._signed_log1p", "numpy.dtype")
_SKLEARN_PARTS = ("preprocessor_", "reducer_", "estimator_", "pca_")
_ARRAYS = ("_owners", "_weights", "_relabel", "labels_", "feature_names_in_", "stability_scores_")
_TEXT_ARRAYS = ("_owners", "feature_names_in_")  # object arrays of names, stored as unicode
_FRAMES = ("selection_", "traits_", "profiles_")
#: tables added after format 2 was first written; files without them load with empty ones
_OPTIONAL_FRAMES = ("k_curve_", "outcome_spread_", "column_groups_")
_SCALARS = ("n_components_", "n_personas_", "n_features_in_", "stability_")
_LISTS = ("numeric_cols_", "categorical_cols_", "log_cols_", "describe_cols_")
_MAX_MEMBER_BYTES = 512 << 20


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return {"__tuple__": [_jsonable(v) for v in value]}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__tuple__"}:
            return tuple(_from_json(v) for v in value["__tuple__"])
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    out.to_parquet(buf, index=True)
    return buf.getvalue()


def save_model(model, path: str | Path) -> Path:
    """Write a fitted model to ``path`` (atomically); see the module docstring for the format."""
    import sklearn
    import skops.io as sio

    import jkit

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "jkit_version": jkit.__version__,
        "sklearn_version": sklearn.__version__,
        "params": _jsonable(model.get_params()),
        "scalars": {k: _jsonable(getattr(model, k)) for k in _SCALARS},
        "lists": {k: list(getattr(model, k)) for k in _LISTS},
        "names": {str(k): v for k, v in model.names_.items()},
        "column_weights": _jsonable(model.column_weights_),
        "has_structure": getattr(model, "has_structure_", None),
        "outcome_cols": list(getattr(model, "outcome_cols_", [])),
        "persona_stability": [None if np.isnan(v) else float(v) for v in model.persona_stability_.to_numpy()],
    }
    arrays = {}
    for name in _ARRAYS:
        value = np.asarray(getattr(model, name))
        arrays[name.lstrip("_")] = value.astype(str) if name in _TEXT_ARRAYS else value
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    parts = {name: getattr(model, name, None) for name in _SKLEARN_PARTS}
    members: dict[str, str | bytes] = {"manifest.json": json.dumps(manifest, indent=1), "arrays.npz": buf.getvalue(),
                                       "sklearn.skops": sio.dumps(parts)}
    for name in _FRAMES + _OPTIONAL_FRAMES:
        if hasattr(model, name):
            members[f"{name.rstrip('_')}.parquet"] = _parquet_bytes(getattr(model, name))
    write_zip_atomic(path, members)
    return path


def _member(z: zipfile.ZipFile, name: str, where: str) -> bytes:
    return zip_member(z, name, where, "PersonaModel", "persona model", max_bytes=_MAX_MEMBER_BYTES)


def _refuse_old(path: Path) -> None:
    head = path.read_bytes()[:4]
    if head[:1] == b"\x80" or head[:2] in (b"x\x9c", b"\x1f\x8b") or head[:3] == b"ZF0":
        raise DataValidationError(
            f"{path.name}: a model file in the old pickle/joblib format, which can run code when loaded; jkit no "
            "longer reads it. Refit the personas and save them again (model.save(path))"
        )
    raise DataValidationError(f"{path.name}: not a saved jkit PersonaModel (write one with model.save(path))")


def load_model(cls, path: str | Path):
    """Read a model written by :func:`save_model`; nothing is unpickled, unknown types are refused."""
    import sklearn
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise MissingResourceError(f"{path}: no such file; save a fitted model with model.save(path) first")
    if not zipfile.is_zipfile(path):
        _refuse_old(path)
    where = path.name
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(_member(z, "manifest.json", where))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise DataValidationError(f"{where}: not a saved jkit PersonaModel (write one with model.save(path))")
            version = manifest.get("format_version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise DataValidationError(
                    f"{where}: saved with file format {version!r} by jkit {manifest.get('jkit_version')}; this jkit "
                    f"reads format {FORMAT_VERSION} — upgrade jkit or refit the model"
                )
            with np.load(io.BytesIO(_member(z, "arrays.npz", where)), allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
            blob = _member(z, "sklearn.skops", where)
            untrusted = [t for t in sio.get_untrusted_types(data=blob) if t not in TRUSTED_TYPES]
            if untrusted:
                raise DataValidationError(
                    f"{where}: holds types a persona model never holds ({', '.join(untrusted[:5])}); refused"
                )
            parts = sio.loads(blob, trusted=list(TRUSTED_TYPES))
            frames = {name: pd.read_parquet(io.BytesIO(_member(z, f"{name.rstrip('_')}.parquet", where)))
                      for name in _FRAMES}
            present = set(z.namelist())
            frames.update({name: pd.read_parquet(io.BytesIO(_member(z, f"{name.rstrip('_')}.parquet", where)))
                           for name in _OPTIONAL_FRAMES if f"{name.rstrip('_')}.parquet" in present})
    except (zipfile.BadZipFile, json.JSONDecodeError, ValueError, KeyError, OSError) as exc:
        raise DataValidationError(f"{where}: cannot read a saved persona model: {exc}") from None
    if manifest.get("sklearn_version") != sklearn.__version__:
        warnings.warn(
            f"{where}: saved with scikit-learn {manifest.get('sklearn_version')}, running {sklearn.__version__}; "
            "assignments may differ — refit the model if they look wrong",
            JkitWarning,
            stacklevel=3,
        )
    try:
        model = cls(**_from_json(manifest["params"]))
    except TypeError as exc:
        raise DataValidationError(f"{where}: its parameters do not fit this jkit's PersonaModel: {exc}") from None
    for name, value in parts.items():
        setattr(model, name, value)
    for name in _ARRAYS:
        value = arrays[name.lstrip("_")]
        setattr(model, name, value.astype(object) if name in _TEXT_ARRAYS else value)
    for name in _SCALARS:
        setattr(model, name, manifest["scalars"][name])
    for name in _LISTS:
        setattr(model, name, list(manifest["lists"][name]))
    for name, frame in frames.items():
        setattr(model, name, frame)
    model.names_ = {int(k): v for k, v in manifest["names"].items()}
    model.has_structure_ = manifest.get("has_structure")
    model.outcome_cols_ = list(manifest.get("outcome_cols", []))
    model.column_weights_ = _from_json(manifest["column_weights"])
    model.persona_stability_ = pd.Series(
        [np.nan if v is None else v for v in manifest["persona_stability"]],
        index=pd.RangeIndex(len(manifest["persona_stability"]), name="persona"), name="stability", dtype="float64",
    )
    return model
