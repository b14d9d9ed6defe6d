"""Saving and loading a fitted :class:`~jkit.sentiment.SentimentModel` in a format that cannot carry code.

A model file is a zip archive (suggested suffix ``.jksm``) of plain data:

===================  ==============================================================================
``manifest.json``    format name and version, jkit and scikit-learn versions, the parameters, the
                     labels, the cross-validated accuracies and folds, the fallback reason
``pipeline.skops``   the fitted scikit-learn pipeline in skops' format (absent after a fallback),
                     loaded only when every type in it is on :data:`TRUSTED_TYPES`
===================  ==============================================================================

Nothing in it is unpickled, as for persona models (:mod:`jkit.personas.store`).
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import DataValidationError, JkitWarning, MissingResourceError
from jkit.io.files import write_zip_atomic, zip_member

__all__ = ["FORMAT", "FORMAT_VERSION", "TRUSTED_TYPES", "load_model", "save_model"]

FORMAT = "jkit.SentimentModel"
FORMAT_VERSION = 1
#: the only types beyond skops' defaults a sentiment model file may hold
TRUSTED_TYPES = ("jkit.sentiment.features.CharNgramTfidf", "jkit.sentiment.features.LexiconValence",
                 "jkit.sentiment.features.WordNgramTfidf")
_SCALARS = ("cv_accuracy_", "lexicon_cv_accuracy_", "cv_gain_z_", "n_labelled_", "n_unlabelled_", "n_set_aside_", "fallback_")
_PAIRS = ("cv_interval_", "lexicon_cv_interval_")
_MAX_MEMBER_BYTES = 512 << 20


def _plain(value: Any) -> Any:
    """JSON-safe: NaN as None, numpy scalars as Python numbers, tuples as lists."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _nan(value: Any) -> Any:
    return float("nan") if value is None else value


def save_model(model, path: str | Path) -> Path:
    """Write a fitted model to ``path`` (atomically); see the module docstring for the format."""
    import sklearn
    import skops.io as sio

    import jkit

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    params = model.get_params()
    if params.get("lexicon") is not None and not isinstance(params["lexicon"], dict):
        params["lexicon"] = str(params["lexicon"])
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "jkit_version": jkit.__version__,
        "sklearn_version": sklearn.__version__, "params": _plain(params), "classes": list(model.classes_),
        "label_counts": model.label_counts_, "scalars": {k: _plain(getattr(model, k)) for k in _SCALARS},
        "pairs": {k: _plain(getattr(model, k)) for k in _PAIRS},
        "cv_folds": _plain(model.cv_folds_.to_dict(orient="list")),
    }
    members: dict[str, str | bytes] = {"manifest.json": json.dumps(manifest, indent=1)}
    if model.pipeline_ is not None:
        members["pipeline.skops"] = sio.dumps(model.pipeline_)
    write_zip_atomic(path, members)
    return path


def _member(z: zipfile.ZipFile, name: str, where: str) -> bytes:
    return zip_member(z, name, where, "SentimentModel", "sentiment model", max_bytes=_MAX_MEMBER_BYTES)


def _read(path: Path) -> tuple[dict, Any]:
    import skops.io as sio

    where = path.name
    not_model = f"{where}: not a saved jkit SentimentModel (write one with SentimentModel.save(path))"
    if not zipfile.is_zipfile(path):
        raise DataValidationError(not_model)
    try:
        with zipfile.ZipFile(path) as z:
            manifest = json.loads(_member(z, "manifest.json", where))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise DataValidationError(not_model)
            version = manifest.get("format_version")
            if not isinstance(version, int) or version > FORMAT_VERSION:
                raise DataValidationError(
                    f"{where}: saved with file format {version!r} by jkit {manifest.get('jkit_version')}; this jkit "
                    f"reads format {FORMAT_VERSION} — upgrade jkit or refit the model")
            pipeline = None
            if manifest["scalars"].get("fallback_") is None:
                blob = _member(z, "pipeline.skops", where)
                untrusted = [t for t in sio.get_untrusted_types(data=blob) if t not in TRUSTED_TYPES]
                if untrusted:
                    raise DataValidationError(
                        f"{where}: holds types a sentiment model never holds ({', '.join(untrusted[:5])}); refused")
                pipeline = sio.loads(blob, trusted=list(TRUSTED_TYPES))
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError, ValueError, KeyError, TypeError, OSError) as exc:
        if isinstance(exc, DataValidationError):
            raise
        raise DataValidationError(f"{where}: cannot read a saved sentiment model: {exc}") from None
    return manifest, pipeline


def load_model(cls, path: str | Path):
    """Read a model written by :func:`save_model`; nothing is unpickled, unknown types are refused."""
    import sklearn

    path = Path(path)
    if not path.is_file():
        raise MissingResourceError(f"{path}: no such file; save a fitted model with model.save(path) first")
    manifest, pipeline = _read(path)
    where = path.name
    if manifest.get("sklearn_version") != sklearn.__version__:
        warnings.warn(f"{where}: saved with scikit-learn {manifest.get('sklearn_version')}, running "
                      f"{sklearn.__version__}; predictions may differ — refit the model if they look wrong",
                      JkitWarning, stacklevel=3)
    params = dict(manifest["params"])
    for key in ("thresholds", "cutoffs"):
        if params.get(key) is not None:
            params[key] = tuple(params[key])
    try:
        model = cls(**params)
        model.classes_ = tuple(manifest["classes"])
        model.label_counts_ = {str(k): int(v) for k, v in manifest["label_counts"].items()}
        for name in _SCALARS:
            setattr(model, name, _nan(manifest["scalars"][name]) if name.startswith("cv_") or name.endswith("accuracy_")
                    else manifest["scalars"][name])
        for name in _PAIRS:
            setattr(model, name, tuple(_nan(v) for v in manifest["pairs"][name]))
        model.cv_folds_ = pd.DataFrame(manifest["cv_folds"], columns=["fold", "n", "model_accuracy", "lexicon_accuracy", "model_only", "lexicon_only"])
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise DataValidationError(f"{where}: its contents do not fit this jkit's SentimentModel: {exc}") from None
    model.pipeline_ = pipeline
    return model
