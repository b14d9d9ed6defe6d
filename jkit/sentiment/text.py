"""The texts VADER scores: which values can be scored (and why not), cleaning, sentences.

:func:`why_not_scored` and :func:`check_texts` set aside what is not English text (missing,
empty, not text, too long, another language) with the reason; :func:`clean_feedback_text` is
what the feedback rules score (HTML tags and entities, mojibake, emoji read by name);
:func:`split_sentences` cuts a text into the sentences scored one by one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "check_texts",
    "clean_feedback_text",
    "decode_bytes",
    "distinct_values",
    "repair_mojibake",
    "split_sentences",
    "why_not_scored",
]


# --------------------------------------------------------------------------- what can be scored

_NON_LATIN = ("\u0400", "\u04ff", "\u0590", "\u06ff", "\u0900", "\u0dff", "\u0e00", "\u0eff", "\u3040", "\u9fff",
              "\uac00", "\ud7af")
_NON_LATIN_CHAR = re.compile("[" + "".join(f"{lo}-{hi}" for lo, hi in zip(_NON_LATIN[::2], _NON_LATIN[1::2], strict=True)) + "]")


# Frequent function words of other languages written in Latin script (Spanish, French, German,
# Portuguese, Italian, Dutch) that are not English words: a text of six or more words with no
# English stop word and at least two of these is set aside as not English. Telegraphic English
# ("Good value, great food, great service.") has none of them and is scored.
_FOREIGN_FUNCTION_WORDS = frozenset(
    ["el", "la", "los", "las", "y", "que", "del", "es", "fue", "muy", "pero", "con", "para", "por", "una", "lo", "le", "les", "et", "est", "une", "très", "avec", "pour", "mais", "dans", "der", "die", "das", "und", "ist", "nicht", "sehr", "mit", "für", "ein", "eine", "auch", "um", "uma", "não", "com", "mas", "il", "è", "non", "della", "sono", "het", "een", "niet", "zeer", "maar", "ook"]
)


@functools.lru_cache(maxsize=1)
def _english_markers() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@functools.lru_cache(maxsize=1)
def _english_marker_pattern() -> re.Pattern:
    """Finds a white-space-separated word that is an English marker once ``.,;:!?"'()`` are stripped off its ends
    (what the fast path of :func:`check_texts` asks of ASCII text, in one C-level search)."""
    ends = re.escape(".,;:!?\"'()")
    words = "|".join(sorted(map(re.escape, _english_markers()), key=len, reverse=True))
    return re.compile(rf"(?:^|(?<=\s))[{ends}]*(?:{words})[{ends}]*(?=\s|$)", re.IGNORECASE)


def decode_bytes(value: bytes | bytearray) -> str:
    """Bytes as the scorers read them: UTF-8, else cp1252 (undecodable bytes replaced)."""
    try:
        return bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return bytes(value).decode("cp1252", errors="replace")


def why_not_scored(value: Any, max_chars: int | None) -> tuple[str | None, str | None]:
    """``(text, None)`` when ``value`` can be scored, else ``(None, reason)``; bytes are decoded (UTF-8, else cp1252)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None, "missing text"
    if isinstance(value, (bytes, bytearray)):
        value = decode_bytes(value)
    if not isinstance(value, str):
        return None, f"not text ({type(value).__name__})"
    if not value.strip():
        return None, "empty text"
    if max_chars is not None and len(value) > max_chars:
        return None, f"longer than max_chars={max_chars:,}"
    head = value[:2000]
    n_letters = sum(map(str.isalpha, head))
    if n_letters:
        foreign = sum(map(str.isalpha, _NON_LATIN_CHAR.findall(head)))
        if foreign > 0.5 * n_letters:
            return None, "not English (non-Latin script)"
        words = [w.strip(".,;:!?\"'()¿¡").lower() for w in head.split()]
        words = [w for w in words if w.isalpha()]
        if (
            len(words) >= 6
            and not any(w in _english_markers() for w in words)
            and sum(w in _FOREIGN_FUNCTION_WORDS for w in words) >= 2
        ):
            return None, "not English (no English function words)"
    return value, None


def check_texts(texts: pd.Series, max_chars: int | None) -> tuple[list[str | None], list[str | None]]:
    """:func:`why_not_scored` of every value: the texts to score (None where set aside) and the reasons."""
    prepared: list[str | None] = []
    reasons: list[str | None] = []
    markers, marker = _english_markers(), _english_marker_pattern().search
    for value in texts.tolist():
        if type(value) is str and value.isascii() and (max_chars is None or len(value) <= max_chars):
            # fast path: plain ASCII text (split() and strip() agree on its white space); only the
            # English check remains
            words = value.split()
            # a marker among the plain words settles it; else the one that only shows once stripped
            if words and (len(words) < 6 or not markers.isdisjoint(value.lower().split()) or marker(value)):
                prepared.append(value)
                reasons.append(None)
                continue
        text, reason = why_not_scored(value, max_chars)
        prepared.append(text)
        reasons.append(reason)
    return prepared, reasons


def distinct_values(texts: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Each row's number among the distinct values, and those values (every non-text value is its own)."""
    values = texts.tolist()
    if all(type(v) is str for v in values):
        codes, uniq = pd.factorize(pd.Series(values, dtype=object))
        return codes.astype(np.int64), list(uniq)
    seen: dict[Any, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    distinct: list[Any] = []
    for i, v in enumerate(values):
        key = v if type(v) is str else (i,)
        if key not in seen:
            seen[key] = len(distinct)
            distinct.append(v)
        codes[i] = seen[key]
    return codes, distinct


# --------------------------------------------------------------------------- cleaning (feedback rules only)

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});")
_MOJIBAKE = re.compile("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u20ac\u2122\u0153\u017e\u201c\u201d\u2019\u2018\u2013\u2014]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_EMOJI_CHAR = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff]")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252/latin-1 ('cafÃ©' → 'café'); text that is not such mojibake is returned as is."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def clean_feedback_text(text: str, emoji: Mapping[str, str] | None = None) -> str:
    """What the feedback rules score: HTML tags removed, entities decoded, mojibake repaired, emoji named.

    Emoji are replaced by their names from the ``vaderSentiment`` package's emoji lexicon
    ('😡' → 'enraged face'), as that package does, so that the words carry the sentiment.
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        import html

        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    text = repair_mojibake(text)
    if _SURROGATE.search(text):
        text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    if "\ufffd" in text:
        text = text.replace("\ufffd", " ")
    if emoji and _EMOJI_CHAR.search(text):
        text = "".join(f" {emoji[c]} " if c in emoji else c for c in text)
    return text



# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|\s*\n\s*")
# matches exactly where _SENTENCE_END does, without its slow leading \s* tried at every position
_SENTENCE_HINT = re.compile(r"[.!?\u2026]\s|\n")


def split_sentences(text: str) -> list[str]:
    """Split at ``. ! ? …`` followed by white space, and at line breaks; empty pieces are dropped."""
    if not _SENTENCE_HINT.search(text):
        return [text] if text.strip() else []
    return [p for p in _SENTENCE_END.split(text) if p.strip()]
