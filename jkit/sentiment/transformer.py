"""Sentiment from a Hugging Face text-classification model (the optional ``jkit[transformers]`` extra).

:func:`score_transformer` returns the columns of :func:`jkit.sentiment.score_sentiment` from a
model's class probabilities; :func:`load_transformer` loads a model once to score many batches;
:func:`sentiment_valences` maps a model's labels (``id2label``) to jkit's scale.

Offline by default: a model id is looked up only in the local Hugging Face cache unless the
caller passes ``local_files_only=False`` or sets ``JKIT_ALLOW_DOWNLOADS=1``. No code from a model
folder runs (``trust_remote_code=False``); weights are read by ``transformers`` from safetensors
(or, for old ``pytorch_model.bin`` files, with torch's ``weights_only`` loader).
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jkit.errors import JkitWarning, MissingResourceError, ParameterError
from jkit.sentiment.scoring import LABELS, SCORE_COLUMNS, texts_of, validate_thresholds, warn_set_aside
from jkit.sentiment.text import check_texts, decode_bytes, split_sentences

__all__ = ["LoadedTransformer", "load_transformer", "score_transformer", "sentiment_valences"]

#: how to install the extra (every "not installed" error says it)
INSTALL_HINT = "pip install 'jkit[transformers]' (transformers and torch; see docs/sentiment.md)"
#: the environment variable that lets a model id be downloaded by default
ALLOW_DOWNLOADS_ENV = "JKIT_ALLOW_DOWNLOADS"

_WORDS = {"negative": -1.0, "neg": -1.0, "neutral": 0.0, "neu": 0.0, "positive": 1.0, "pos": 1.0}
_STARS = re.compile(r"^([1-9]|10) stars?$")
_GENERIC = re.compile(r"^label_(\d+)$")
# a Hugging Face id: "name" or "owner/name" of letters, digits, - _ .
_MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


@dataclass(frozen=True)
class LoadedTransformer:
    """A text-classification model ready to score: what :func:`load_transformer` returns.

    Attributes
    ----------
    name : str
        The folder or model id it was loaded from.
    model, tokenizer
        The ``transformers`` model (in eval mode, on ``device``) and its tokenizer.
    valences : numpy.ndarray
        Valence of each class, in the model's class order, on jkit's scale -1 … 1.
    labels : tuple of str
        The model's label names (``id2label``) in class order.
    device : str
        Where the model runs ("cpu", "cuda", "cuda:1", ...).
    max_length : int
        Tokens a text is cut to.
    """

    name: str
    model: Any
    tokenizer: Any
    valences: np.ndarray
    labels: tuple[str, ...]
    device: str
    max_length: int


def sentiment_valences(labels: Sequence[str], label_map: Mapping[str, str | float] | None = None) -> np.ndarray:
    """The valence (-1 … 1) of each of a model's labels, in order.

    Parameters
    ----------
    labels : sequence of str
        The model's ``id2label`` values in class order.
    label_map : dict, optional
        Label → "negative"/"neutral"/"positive" or a number in -1 … 1; overrides the automatic
        mapping for the labels it names.

    Returns
    -------
    numpy.ndarray
        One valence per label. Recognised without ``label_map``: negative/neutral/positive (any
        case, also neg/neu/pos), ``LABEL_0``/``LABEL_1`` (negative, positive: the SST-2 order) and
        ``LABEL_0``/``LABEL_1``/``LABEL_2`` (negative, neutral, positive: cardiffnlp's order),
        ``"1 star"`` … ``"N stars"`` (spread evenly from -1 to 1: 5 stars → -1, -0.5, 0, 0.5, 1).

    Raises
    ------
    ParameterError
        When a label is neither recognised nor in ``label_map``, or ``label_map`` is malformed.
    """
    labels = [str(label) for label in labels]
    auto = _automatic_valences(labels)
    overrides = _checked_label_map(label_map, labels)
    out: list[float] = []
    unknown: list[str] = []
    for i, label in enumerate(labels):
        if label in overrides:
            out.append(overrides[label])
        elif auto is not None and auto[i] is not None:
            out.append(auto[i])  # type: ignore[arg-type]
        else:
            unknown.append(label)
    if unknown:
        example = ", ".join(f"{label!r}: 'negative'" for label in unknown[:2])
        raise ParameterError(
            f"the model's labels {labels} are not sentiment labels jkit recognises ({unknown} unknown); "
            "jkit knows negative/neutral/positive, LABEL_0/LABEL_1(/LABEL_2) and '1 star' … '5 stars'. "
            f"Pass label_map={{{example}, ...}} (values 'negative', 'neutral', 'positive' or a number in -1..1)"
        )
    return np.asarray(out, dtype="float64")


def _automatic_valences(labels: list[str]) -> list[float | None] | None:
    lower = [label.strip().lower().replace("_", " ").replace("-", " ") for label in labels]
    generic = [_GENERIC.match(label.strip().lower()) for label in labels]
    if all(generic):
        ids = sorted(int(m.group(1)) for m in generic)  # type: ignore[union-attr]
        if ids == [0, 1]:
            return [-1.0 if int(m.group(1)) == 0 else 1.0 for m in generic]  # type: ignore[union-attr]
        if ids == [0, 1, 2]:
            return [float(int(m.group(1)) - 1) for m in generic]  # type: ignore[union-attr]
        return None
    stars = [_STARS.match(label) for label in lower]
    if all(stars):
        counts = [int(m.group(1)) for m in stars]  # type: ignore[union-attr]
        top = max(counts)
        if sorted(counts) == list(range(1, top + 1)) and top >= 2:
            return [-1.0 + 2.0 * (c - 1) / (top - 1) for c in counts]
        return None
    return [_WORDS.get(label) for label in lower]


def _checked_label_map(label_map: Mapping[str, str | float] | None, labels: list[str]) -> dict[str, float]:
    if label_map is None:
        return {}
    if not isinstance(label_map, Mapping):
        raise ParameterError(f"label_map={label_map!r} should be a dict of the model's labels to 'negative', 'neutral', "
                             "'positive' or a number in -1..1")
    out: dict[str, float] = {}
    for key, value in label_map.items():
        if str(key) not in labels:
            raise ParameterError(f"label_map names {key!r}, which is not one of the model's labels {labels}")
        if isinstance(value, str) and value.strip().lower() in LABELS:
            out[str(key)] = _WORDS[value.strip().lower()]
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and -1 <= float(value) <= 1:
            out[str(key)] = float(value)
        else:
            raise ParameterError(f"label_map[{key!r}] = {value!r} should be 'negative', 'neutral', 'positive' "
                                 "or a number in -1..1")
    return out


def _import_transformers():
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise MissingResourceError(f"a transformer model needs the optional packages transformers and torch "
                                   f"({exc.name} is not installed): {INSTALL_HINT}") from None
    return torch, transformers


def _downloads_allowed(local_files_only: bool | None) -> bool:
    if local_files_only is None:
        return os.environ.get(ALLOW_DOWNLOADS_ENV) == "1"
    if not isinstance(local_files_only, bool):
        raise ParameterError(f"local_files_only={local_files_only!r} should be True, False or None")
    return not local_files_only


def _pick_device(torch, device: Any) -> str:
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    name = f"cuda:{device}" if isinstance(device, int) and not isinstance(device, bool) else str(device)
    try:
        torch.device(name)
    except (RuntimeError, TypeError):
        raise ParameterError(f"device={device!r} is not a torch device; use None (CUDA when available), "
                             "'cpu', 'cuda' or 'cuda:1'") from None
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(f"device={device!r}: CUDA is not available here; use device=None or 'cpu'")
    return name


def _where(model: str | os.PathLike) -> tuple[str, bool]:
    """``(folder or id, is a local folder)``; a clear error for paths that are not model folders."""
    text = os.fspath(model) if isinstance(model, (str, os.PathLike)) else None
    if not isinstance(text, str) or not text.strip():
        raise ParameterError(f"model={model!r} should be a folder holding a Hugging Face model or a model id")
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            found = sorted(p.name for p in path.iterdir())[:10]
            raise ParameterError(f"{path} is not a Hugging Face model folder: it has no config.json "
                                 f"(found {found or 'nothing'}); save one with model.save_pretrained(folder) "
                                 "and tokenizer.save_pretrained(folder)")
        return str(path), True
    if path.exists():
        raise ParameterError(f"{path} is a file; model= should be the folder holding config.json, the weights "
                             "and the tokenizer")
    if isinstance(model, Path) or not _MODEL_ID.match(text) or text.startswith((".", "~")):
        raise MissingResourceError(f"{text}: no such model folder")
    return text, False


def _not_available(name: str, exc: Exception) -> MissingResourceError:
    return MissingResourceError(
        f"model {name!r} is not a folder here and not in the local Hugging Face cache, and jkit downloads "
        f"nothing unless asked ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}). "
        "To download it deliberately on a machine with internet access, pass local_files_only=False "
        f"(or set {ALLOW_DOWNLOADS_ENV}=1); or download it once with `hf download {name}` "
        "and pass the folder, or set HF_HOME to where it is cached"
    )


def _check_config(config, name: str) -> None:
    archs = list(getattr(config, "architectures", None) or [])
    if not any(a.endswith("ForSequenceClassification") for a in archs):
        raise ParameterError(
            f"{name} is not a text-classification model: its config says architectures={archs or None} "
            f"(model_type {getattr(config, 'model_type', None)!r}); a sentiment model's architecture ends in "
            "'ForSequenceClassification' (e.g. DistilBertForSequenceClassification)"
        )
    if getattr(config, "problem_type", None) == "multi_label_classification":
        raise ParameterError(f"{name} is a multi-label classifier (independent sigmoid scores); jkit needs a "
                             "single-label sentiment model whose class probabilities sum to 1")


def load_transformer(
    model: str | os.PathLike,
    *,
    device: Any = None,
    label_map: Mapping[str, str | float] | None = None,
    local_files_only: bool | None = None,
    max_length: int = 512,
) -> LoadedTransformer:
    """Load a Hugging Face text-classification model and its tokenizer, offline by default.

    Parameters
    ----------
    model : str or path
        A folder written by ``save_pretrained`` (config.json, weights, tokenizer files) or a model
        id such as ``"distilbert-base-uncased-finetuned-sst-2-english"``.
    device : str, int or None
        ``None``: CUDA when available, else the CPU; or ``"cpu"``, ``"cuda"``, ``"cuda:1"``, 1.
    label_map : dict, optional
        Overrides the mapping of the model's labels (see :func:`sentiment_valences`).
    local_files_only : bool, optional
        ``True``: never use the network (an id must be in the local Hugging Face cache).
        ``False``: a missing id is downloaded. Default: ``True`` unless ``JKIT_ALLOW_DOWNLOADS=1``.
    max_length : int, default 512
        Longest input in tokens (also capped by the model's own limit); longer texts are cut.

    Returns
    -------
    LoadedTransformer

    Raises
    ------
    MissingResourceError
        transformers/torch not installed, no such folder, or an id not available offline.
    ParameterError
        The folder is not a single-label text-classification model, or its labels are unknown.
    """
    torch, transformers = _import_transformers()
    if not isinstance(max_length, int) or isinstance(max_length, bool) or max_length < 2:
        raise ParameterError(f"max_length={max_length!r} should be a whole number of tokens, at least 2")
    allowed = _downloads_allowed(local_files_only)
    name, local = _where(model)
    offline = local or not allowed
    kwargs = {"local_files_only": offline, "trust_remote_code": False}
    try:
        config = transformers.AutoConfig.from_pretrained(name, **kwargs)
    except (OSError, ValueError) as exc:
        if not local:
            raise _not_available(name, exc) from None
        raise ParameterError(f"{name}: config.json is not a model configuration transformers can read ({exc})") from None
    _check_config(config, name)
    labels = tuple(str(config.id2label[i]) for i in range(config.num_labels))
    valences = sentiment_valences(labels, label_map)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(name, **kwargs)
        net = transformers.AutoModelForSequenceClassification.from_pretrained(name, config=config, **kwargs)
    except (OSError, ValueError, TypeError) as exc:
        if not local and "cache" in str(exc).lower():
            raise _not_available(name, exc) from None
        raise ParameterError(f"{name}: could not load the model or its tokenizer ({type(exc).__name__}: {exc})") from None
    where = _pick_device(torch, device)
    net.to(where)
    net.eval()
    limits = [max_length, getattr(config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    cap = min(int(v) for v in limits if isinstance(v, int) and v > 1)
    return LoadedTransformer(name, net, tokenizer, valences, labels, where, cap)


def _probabilities(loaded: LoadedTransformer, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    """Class probabilities of ``texts`` (rows in the given order), batched by length to pad little.

    Warns how many texts reached the model's token limit (and so were cut to it).
    """
    import torch

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.empty((len(texts), len(loaded.labels)), dtype="float64")
    starts = range(0, len(texts), batch_size)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, unit="batch", desc="transformer", leave=False)
    cut = 0
    with torch.inference_mode():
        for start in starts:
            idx = order[start:start + batch_size]
            enc = loaded.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                   max_length=loaded.max_length, return_tensors="pt")
            if "attention_mask" in enc:
                cut += int((enc["attention_mask"].sum(dim=1) >= loaded.max_length).sum())
            enc = {k: v.to(loaded.device) for k, v in enc.items()}
            logits = loaded.model(**enc).logits.float()
            out[idx] = torch.softmax(logits, dim=-1).cpu().numpy()
    if cut:
        warnings.warn(f"{cut:,} of {len(texts):,} distinct texts reached the model's limit of {loaded.max_length} "
                      "tokens and were scored on their first tokens only", JkitWarning, stacklevel=3)
    return out


def _columns(probs: np.ndarray, valences: np.ndarray, thresholds) -> dict[str, np.ndarray]:
    neg = probs[:, valences < 0].sum(axis=1)
    neu = probs[:, valences == 0].sum(axis=1)
    pos = probs[:, valences > 0].sum(axis=1)
    compound = np.clip(probs @ valences, -1.0, 1.0)
    if thresholds is None:
        # the model's own decision: the most probable of negative / neutral / positive
        label = np.asarray(LABELS, dtype=object)[np.argmax(np.stack([neg, neu, pos], axis=1), axis=1)]
    else:
        low, high = thresholds
        label = np.where(compound >= high, "positive", np.where(compound <= low, "negative", "neutral"))
    return {"compound": compound, "pos": pos, "neu": neu, "neg": neg, "label": label}


def score_transformer(
    feedback: pd.DataFrame | pd.Series | Sequence[str],
    model: str | os.PathLike | LoadedTransformer,
    *,
    text_col: str = "text",
    batch_size: int = 32,
    device: Any = None,
    label_map: Mapping[str, str | float] | None = None,
    local_files_only: bool | None = None,
    thresholds: tuple[float, float] | None = None,
    max_length: int = 512,
    english_only: bool = True,
    max_chars: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Score feedback with a Hugging Face text-classification model, in the columns of ``score_sentiment``.

    Parameters
    ----------
    feedback : DataFrame, Series or list of str
        The texts (a DataFrame's in ``text_col``).
    model : str, path or LoadedTransformer
        A local model folder, a model id (offline: from the local cache only, see
        ``local_files_only``), or a model loaded once with :func:`load_transformer`.
    text_col : str, default "text"
        Column holding the texts (DataFrame input).
    batch_size : int, default 32
        Texts per forward pass (texts of similar length are batched together).
    device : str, int or None
        ``None``: CUDA when available, else the CPU.
    label_map : dict, optional
        The model's label → "negative"/"neutral"/"positive" or a valence in -1..1 (see
        :func:`sentiment_valences`; needed only for labels jkit does not recognise).
    local_files_only : bool, optional
        Default ``True`` (no network) unless ``JKIT_ALLOW_DOWNLOADS=1``; ``False`` lets a model id
        be downloaded.
    thresholds : (float, float), optional
        ``None`` (default): ``label`` is the most probable of negative/neutral/positive, the model's
        own decision. Two numbers: ``label`` from ``compound`` as in ``score_sentiment``.
    max_length : int, default 512
        Tokens a text is cut to (also capped by the model's limit).
    english_only : bool, default True
        Set aside texts that are not English, as ``score_sentiment`` does; ``False`` for a
        multilingual model (e.g. nlptown/bert-base-multilingual-uncased-sentiment).
    max_chars : int, optional
        Set aside texts longer than this.
    progress : bool, optional
        A tqdm bar over the batches; default on from 100 batches.

    Returns
    -------
    DataFrame
        Same index as ``feedback``; the columns of ``score_sentiment``: ``compound`` = the expected
        valence Σ p(class)·valence(class) in -1..1 (``pos - neg`` for a two- or three-class model),
        ``pos``/``neu``/``neg`` = the summed probabilities of the positive/neutral/negative classes
        (they sum to 1), ``label``, ``n_sentences``, ``min_sentence`` (NaN: the model scores whole
        texts, not sentences), ``set_aside`` (missing, empty, not text, not English, too long).
    """
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ParameterError(f"batch_size={batch_size!r} should be a positive whole number")
    thresholds = None if thresholds is None else validate_thresholds(thresholds)
    texts = texts_of(feedback, text_col)
    loaded = model if isinstance(model, LoadedTransformer) else load_transformer(
        model, device=device, label_map=label_map, local_files_only=local_files_only, max_length=max_length)
    prepared, reasons = check_texts(texts, max_chars)
    if not english_only:
        reasons = [None if r is not None and r.startswith("not English") else r for r in reasons]
        prepared = [t if t is not None or reasons[i] is not None else _as_text(texts.iloc[i])
                    for i, t in enumerate(prepared)]
    ok = [i for i, t in enumerate(prepared) if t is not None]
    distinct = list(dict.fromkeys(prepared[i] for i in ok))
    show = progress if progress is not None else len(distinct) >= 100 * batch_size
    probs = _probabilities(loaded, distinct, batch_size, bool(show))  # type: ignore[arg-type]
    row_of = {t: k for k, t in enumerate(distinct)}
    n = len(texts)
    full = np.full((n, probs.shape[1]), np.nan)
    if ok:
        full[np.asarray(ok)] = probs[[row_of[prepared[i]] for i in ok]]  # type: ignore[index]
    cols = _columns(full, loaded.valences, thresholds)
    n_sent = [len(split_sentences(t)) if t is not None else pd.NA for t in prepared]
    out = pd.DataFrame(
        {
            "compound": cols["compound"], "pos": cols["pos"], "neu": cols["neu"], "neg": cols["neg"],
            "label": pd.array(cols["label"], dtype="string"),
            "n_sentences": pd.array(n_sent, dtype="Int64"),
            "min_sentence": np.full(n, np.nan),
            "set_aside": pd.array(reasons, dtype="string"),
        },
        index=texts.index,
    )
    out.loc[out["set_aside"].notna(), "label"] = pd.NA
    warn_set_aside(reasons, n)
    return out[list(SCORE_COLUMNS)]


def _as_text(value: Any) -> str:
    return decode_bytes(value) if isinstance(value, (bytes, bytearray)) else str(value)
