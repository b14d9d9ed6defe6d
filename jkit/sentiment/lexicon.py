"""The VADER lexicon and jkit's lexicons: found offline, parsed once, extended by domain words.

:func:`lexicon_text` finds ``vader_lexicon.txt`` in this order: NLTK's data path
(``sentiment/vader_lexicon.zip`` or the unzipped folder); else the copy the PyPI package
``vaderSentiment`` ships, which jkit wraps into a ``sentiment/vader_lexicon.zip`` inside its own
cache folder and puts on ``nltk.data.path`` (NLTK 3.10 refuses absolute and ``file:`` paths for
``lexicon_file``); else :class:`~jkit.errors.MissingResourceError` saying how to install one.
Never a download. This module also reads domain lexicons (:func:`read_lexicon`), the shipped
commerce words (:func:`feedback_lexicon`) and the emoji names of ``vaderSentiment``, and caches
what every scorer of a process shares (:func:`base_lexicon`, :func:`emoji_names`).
"""

from __future__ import annotations

import functools
import importlib.util
import io
import os
import zipfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np

from jkit.errors import DataValidationError, MissingResourceError

__all__ = [
    "INSTALL_HINT",
    "LEXICON_RESOURCE",
    "base_lexicon",
    "emoji_names",
    "feedback_lexicon",
    "lexicon_source",
    "lexicon_text",
    "load_emoji_names",
    "parse_lexicon",
    "read_lexicon",
    "vader_lexicon_source",
]

#: The resource name NLTK's analyzer loads by default.
LEXICON_RESOURCE = "sentiment/vader_lexicon.zip/vader_lexicon/vader_lexicon.txt"
_UNZIPPED_RESOURCE = "sentiment/vader_lexicon/vader_lexicon.txt"

INSTALL_HINT = (
    "the VADER lexicon is not installed. Install one of: `pip install vaderSentiment` "
    "(jkit uses the vader_lexicon.txt it ships), or `python -m nltk.downloader vader_lexicon` "
    "on a machine with internet (then copy the nltk_data folder here if this machine is offline). "
    "jkit never downloads it at run time."
)


def _cache_dir() -> Path:
    """jkit's cache folder: ``$JKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/jkit``, else ``~/.cache/jkit``."""
    env = os.environ.get("JKIT_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jkit"


def _vadersentiment_lexicon_file() -> Path | None:
    """The ``vader_lexicon.txt`` inside the installed ``vaderSentiment`` package, without importing it."""
    try:
        spec = importlib.util.find_spec("vaderSentiment")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "vader_lexicon.txt"
        if candidate.is_file():
            return candidate
    return None


def _nltk_find(resource: str) -> str | None:
    import nltk.data

    try:
        return str(nltk.data.find(resource))
    except LookupError:
        return None


def _build_nltk_data_dir(source: Path, cache: Path) -> Path:
    """Wrap ``source`` into ``cache/nltk_data/sentiment/vader_lexicon.zip`` (once) and return ``cache/nltk_data``."""
    data_dir = cache / "nltk_data"
    target = data_dir / "sentiment" / "vader_lexicon.zip"
    payload = source.read_bytes()
    if target.is_file():
        try:
            with zipfile.ZipFile(target) as zf:
                if zf.read("vader_lexicon/vader_lexicon.txt") == payload:
                    return data_dir
        except (zipfile.BadZipFile, KeyError, OSError):
            pass
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("vader_lexicon/", b"")
            zf.writestr("vader_lexicon/vader_lexicon.txt", payload)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(buffer.getvalue())
        os.replace(tmp, target)  # atomic: parallel workers never see half a file
    except OSError as exc:
        raise MissingResourceError(
            f"cannot write the VADER lexicon cache {target}: {exc}. Set JKIT_CACHE_DIR to a writable folder."
        ) from None
    return data_dir


def lexicon_source() -> tuple[str, str]:
    """Find the VADER lexicon offline; return ``(origin, nltk_resource_name)``.

    ``origin`` is ``"nltk_data"`` (found on NLTK's data path) or ``"vaderSentiment"`` (the
    package's copy, reached through jkit's cache folder, which is then on ``nltk.data.path``).
    The resource name can be passed to ``nltk.sentiment.vader.SentimentIntensityAnalyzer``.

    Raises
    ------
    MissingResourceError
        When neither is installed; the message says how to install one.
    """
    if _nltk_find(LEXICON_RESOURCE) is not None:
        return "nltk_data", LEXICON_RESOURCE
    if _nltk_find(_UNZIPPED_RESOURCE) is not None:
        return "nltk_data", _UNZIPPED_RESOURCE
    source = _vadersentiment_lexicon_file()
    if source is None:
        raise MissingResourceError(INSTALL_HINT)
    import nltk.data

    data_dir = str(_build_nltk_data_dir(source, _cache_dir()))
    if data_dir not in nltk.data.path:
        nltk.data.path.append(data_dir)
    if _nltk_find(LEXICON_RESOURCE) is None:  # pragma: no cover - defensive
        raise MissingResourceError(f"built {data_dir} but NLTK cannot find {LEXICON_RESOURCE} there; {INSTALL_HINT}")
    return "vaderSentiment", LEXICON_RESOURCE


def lexicon_text() -> str:
    """The VADER lexicon's text, loaded through NLTK exactly as its analyzer loads it."""
    import nltk.data

    _, resource = lexicon_source()
    return nltk.data.load(resource, format="text", cache=False)


def parse_lexicon(text: str) -> dict[str, float]:
    """Parse lexicon text as NLTK's ``make_lex_dict`` does: ``word<TAB>mean<TAB>...`` per line."""
    lex: dict[str, float] = {}
    for line in text.split("\n"):
        word, measure = line.strip().split("\t")[0:2]
        lex[word] = float(measure)
    return lex


def load_emoji_names() -> dict[str, str]:
    """Single-character emoji → name, from the ``vaderSentiment`` package's ``emoji_utf8_lexicon.txt`` ({} if absent)."""
    lex = _vadersentiment_lexicon_file()
    if lex is None:
        return {}
    path = lex.with_name("emoji_utf8_lexicon.txt")
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and len(parts[0]) == 1:
            out[parts[0]] = parts[1].strip()
    return out


def vader_lexicon_source() -> str:
    """Where the VADER lexicon comes from on this machine: ``"nltk_data"`` or ``"vaderSentiment"``.

    Raises :class:`~jkit.errors.MissingResourceError` (saying how to install one) when neither is there.
    """
    return lexicon_source()[0]


# --------------------------------------------------------------------------- cached per process


@functools.lru_cache(maxsize=4)
def base_lexicon() -> dict[str, float]:
    """VADER's lexicon, parsed once per process (:func:`lexicon_text` through :func:`parse_lexicon`)."""
    return parse_lexicon(lexicon_text())


@functools.lru_cache(maxsize=1)
def emoji_names() -> dict[str, str]:
    """The emoji names of :func:`load_emoji_names`, read once per process."""
    return load_emoji_names()


def read_lexicon(source: str | Path | Mapping[str, float]) -> dict[str, float]:
    """Read a domain lexicon: a dict, or a small file of ``word<TAB>valence`` (or ``word,valence``) lines.

    Parameters
    ----------
    source : mapping or path
        Words and their valence on VADER's scale from -4 (most negative) to +4 (most positive).
        In a file, blank lines and lines starting with ``#`` are ignored, as is a header line
        ``word<TAB>valence``; columns after the second are ignored.

    Returns
    -------
    dict of str to float
        Lower-case single words (VADER looks words up in lower case, one token at a time).

    Examples
    --------
    >>> read_lexicon({"Backorder": -1.5, "glitchy": -1.8})
    {'backorder': -1.5, 'glitchy': -1.8}
    """
    where = "lexicon"
    if isinstance(source, Mapping):
        items = [(str(k), v, i + 1) for i, (k, v) in enumerate(source.items())]
    else:
        path = Path(source)
        where = path.name
        if not path.is_file():
            raise MissingResourceError(f"lexicon file {str(path)!r} not found; expected a file of word<TAB>valence lines")
        items = []
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in (line.split("\t") if "\t" in line else line.split(","))]
            if len(parts) < 2:
                raise DataValidationError(f"{where}: line {no}: {line!r} should be word<TAB>valence")
            if not items and parts[1].lower() in {"valence", "score", "value"}:
                continue  # header line
            items.append((parts[0], parts[1], no))
    out: dict[str, float] = {}
    for word, value, no in items:
        try:
            valence = float(value)
        except (TypeError, ValueError):
            raise DataValidationError(
                f"{where}: entry {no} ({word!r}): valence {value!r} is not a number; expected -4 to 4"
            ) from None
        if not -4 <= valence <= 4 or np.isnan(valence):
            raise DataValidationError(f"{where}: entry {no} ({word!r}): valence {valence:g} is outside -4 to 4")
        word = word.strip().lower()
        if not word or any(c.isspace() for c in word):
            raise DataValidationError(
                f"{where}: entry {no}: {word!r} should be one word without spaces (VADER scores single tokens)"
            )
        out[word] = valence
    return out


@functools.lru_cache(maxsize=1)
def feedback_lexicon() -> dict[str, float]:
    """The commerce words ``rules="feedback"`` adds to VADER's lexicon (``jkit/resources/feedback_lexicon.tsv``).

    Only words that a test shows to raise accuracy on real labelled reviews are shipped; add your
    own with ``score_sentiment(..., lexicon=...)``.
    """
    path = resources.files("jkit.resources").joinpath("feedback_lexicon.tsv")
    with resources.as_file(path) as p:
        return read_lexicon(p)
