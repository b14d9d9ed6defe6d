"""Quotes for a pain point: the most negative distinct texts that hold its phrase, redacted.

Every quote jkit shows passes through :func:`representative_quotes`, so that redaction (names,
e-mail addresses, phone numbers) is applied in one place; :func:`redactor_for` turns the
``redact=`` argument into the function that redacts.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from jkit.errors import ParameterError
from jkit.pain_points.phrases import candidate_phrases

__all__ = ["redactor_for", "representative_quotes"]


def _quote_text(text: str, phrase: str, max_chars: int) -> str:
    """The sentence of ``text`` that holds ``phrase``, cut to ``max_chars``."""
    from jkit.sentiment.text import split_sentences

    text = " ".join(text.split())  # tags are kept: a quote shows what the customer wrote, escaped on display
    if len(text) > max_chars:
        words = phrase.split()
        for sentence in split_sentences(text):
            low = sentence.lower()
            if all(w in low for w in words):
                text = sentence
                break
    if len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text


def redactor_for(redact: bool | Callable[[str], str] | None) -> Callable[[str], str] | None:
    """The redacting function of ``redact=``: a :class:`jkit.privacy.Redactor` for True, None for False or None."""
    if redact is True:
        from jkit.privacy import Redactor

        return Redactor()
    if redact is False or redact is None:
        return None
    if not callable(redact):
        raise ParameterError(f"redact={redact!r} should be True, False or a callable such as jkit.privacy.Redactor()")
    return redact


def representative_quotes(
    scored: pd.DataFrame,
    phrase: str,
    *,
    text_col: str = "text", compound_col: str = "compound",
    n: int = 3, max_chars: int = 240,
    redact: bool | Callable[[str], str] | None = True,
) -> list[str]:
    """Two or three texts that show a pain point: the most negative distinct texts holding ``phrase``.

    Every quote jkit shows passes through this function, so that redaction (names, e-mail
    addresses, phone numbers) is applied in one place: ``redact`` is called on each quote.

    Parameters
    ----------
    scored : DataFrame
        Feedback with texts and compound scores.
    phrase : str
        A candidate phrase (as :func:`candidate_phrases` makes them).
    text_col, compound_col : str
        Column names.
    n : int, default 3
        Number of quotes.
    max_chars : int, default 240
        Longer texts are cut to the sentence holding the phrase, then to this length.
    redact : bool or callable, default True
        ``True``: personal data (e-mail addresses, phone numbers, card numbers, postcodes, URLs with
        tokens) is replaced by :class:`jkit.privacy.Redactor`; pass a ``Redactor(names=...)`` to
        redact customer names too and count what was redacted; a callable is applied to each
        quote; ``False`` shows quotes as written (only on purpose).

    Returns
    -------
    list of str
        At most ``n`` quotes, most negative first.
    """
    if scored.empty:
        return []
    redactor = redactor_for(redact)
    order = scored.sort_values(compound_col, kind="stable", na_position="last")
    quotes: list[str] = []
    seen: set[str] = set()
    for text in order[text_col]:
        if not isinstance(text, str) or phrase not in candidate_phrases(text, max_words=len(phrase.split())):
            continue
        quote = _quote_text(text, phrase, max_chars)
        key = quote.lower()
        if key in seen:
            continue
        seen.add(key)
        quotes.append(redactor(quote) if redactor is not None else quote)
        if len(quotes) >= n:
            break
    return quotes
