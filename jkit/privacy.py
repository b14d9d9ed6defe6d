"""Redaction of personal data in customer text, so reports are safe to share.

:class:`Redactor` replaces, by default, every

* e-mail address                                  → ``[email]``
* URL whose query carries a secret-looking parameter (``token``, ``key``, ``sig``, ``session``…)
                                                  → ``[url]``
* card-like number (13–19 digits, spaces, dashes or dots allowed, passing the Luhn check) → ``[card]``
* phone number (9–15 digits with the usual separators, optionally ``+`` country code, or 10–15
  digits written together: ``5550109999``)        → ``[phone]``
* postal code: UK and Canadian postcodes by their shape; US ZIP codes (``12345`` or ``12345-6789``)
  only after a state abbreviation or the words zip/postcode/postal code, since five bare digits are
  more often an order number or a price       → ``[postcode]``
* customer names carried by the customers table, any case, any alphabet: "First Last", "First M.
  Last", "Last, First", and one-word names written capitalised (``Cher``) → ``[name]``

Plain URLs, dates, prices, short order numbers and times are left alone. Every pattern runs in time
linear in the text's length (80,000 characters in milliseconds). The redactor counts what it
replaced, so a report can say "12 quotes redacted". It is applied by jkit's own quote and table
functions before anything reaches a notebook's output; ``redact=False`` turns it off on purpose.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from jkit.errors import ParameterError

__all__ = ["Redactor", "redact_text", "KINDS"]

KINDS = ("email", "url_token", "card", "phone", "postal_code", "name")
PLACEHOLDER = {
    "email": "[email]",
    "url_token": "[url]",
    "card": "[card]",
    "phone": "[phone]",
    "postal_code": "[postcode]",
    "name": "[name]",
}

# starts only where a run of local-part characters starts: linear time on long runs such as "www.www…"
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_SECRET_PARAM = r"(?:token|access_token|auth|key|api_key|apikey|sig|signature|session|sessionid|sid|secret|password|pwd|code|otp|reset)"
# A URL is matched whole (greedy, so linear time) and replaced only when it carries a secret.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"']*", re.IGNORECASE)
_URL_SECRET = re.compile(r"[?&#;]" + _SECRET_PARAM + r"=", re.IGNORECASE)
_CARD = re.compile(r"(?<![\d.-])\d(?:[ .-]?\d){12,18}(?![\d-]|\.\d)")
_BARE_PHONE = re.compile(r"(?<![\w+.,-])\d{10,11}(?![\w.,-]\d|\w)")
_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,5}\)[\s.-]?)?\d{2,6}(?:[\s.-]\d{2,6}){1,4}(?![\w])|(?<![\w+])\+\d{9,15}\b")
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")
_UK_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
_CA_POSTCODE = re.compile(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b")
_US_STATES = ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC"]
_STATES = "|".join(_US_STATES)
# State abbreviations are matched in capitals only ("or 97201" is not Oregon); the words in any case.
_US_ZIP = re.compile(
    r"(?:(?<=\b(?:" + _STATES + r") )|(?<=\b(?:" + _STATES + r"), )"
    r"|(?i:(?<=zip )|(?<=zip: )|(?<=zip code )|(?<=postcode )|(?<=postal code )|(?<=zipcode )))\d{5}(?:-\d{4})?\b"
)
_LETTERS = r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*"
# "First Last" and "First M. Last" (a middle initial or name), and "Last, First"
_NAME_PAIR = re.compile(rf"(?=\b({_LETTERS})\s+({_LETTERS})\b)")
_NAME_MIDDLE = re.compile(rf"(?=\b({_LETTERS})\s+(?:[^\W\d_]\.|{_LETTERS})\s+({_LETTERS})\b)")
_NAME_REVERSED = re.compile(rf"(?=\b({_LETTERS}),\s*({_LETTERS})\b)")
_WORD = re.compile(_LETTERS)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@dataclass
class Redactor:
    """Replace personal data in text with placeholders and count what was replaced.

    Parameters
    ----------
    kinds : iterable of str, default all of :data:`KINDS`
        Which kinds of personal data to redact.
    names : iterable of str, optional
        Customer names ("Ann Smith") to redact wherever they appear.

    Attributes
    ----------
    counts : Counter
        Replacements per kind since the redactor was made.
    texts_redacted : int
        How many texts had at least one replacement.

    Examples
    --------
    >>> Redactor().redact("mail me at ann@example.com")
    'mail me at [email]'
    """

    kinds: Iterable[str] = KINDS
    names: Iterable[str] = ()
    counts: Counter = field(default_factory=Counter, init=False)
    texts_redacted: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown:
            raise ParameterError(f"unknown redaction kind {unknown[0]!r}; expected some of {', '.join(KINDS)}")
        names = [str(n).split() for n in self.names if isinstance(n, str) and n.strip()]
        self._names = {(p[0].casefold(), p[-1].casefold()) for p in names if len(p) >= 2}
        self._single = {p[0] for p in names if len(p) == 1 and len(p[0]) >= 2}
        self._name_words = {w.casefold() for p in names for w in p if len(w) >= 2}

    def redact(self, text: str) -> str:
        """Return ``text`` with personal data replaced; non-strings are returned unchanged."""
        if not isinstance(text, str) or not text:
            return text
        found: Counter = Counter()

        def sub(kind: str, pattern: re.Pattern, value: str, check=None) -> str:
            def repl(m: re.Match) -> str:
                if check is not None and not check(m.group(0)):
                    return m.group(0)
                found[kind] += 1
                return PLACEHOLDER[kind]

            return pattern.sub(repl, value)

        out = text
        if "url_token" in self.kinds:
            out = sub("url_token", _URL, out, lambda u: _URL_SECRET.search(u) is not None)
        if "email" in self.kinds:
            out = sub("email", _EMAIL, out)
        if "card" in self.kinds:
            out = sub("card", _CARD, out, lambda s: _luhn_ok(re.sub(r"\D", "", s)))
        if "postal_code" in self.kinds:
            out = sub("postal_code", _UK_POSTCODE, out)
            out = sub("postal_code", _CA_POSTCODE, out)
            out = sub("postal_code", _US_ZIP, out)
        if "phone" in self.kinds:
            out = sub("phone", _PHONE, out, _looks_like_phone)
            out = sub("phone", _BARE_PHONE, out)
        if "name" in self.kinds and (self._names or self._single):
            out = self._redact_names(out, found)
        if found:
            self.counts.update(found)
            self.texts_redacted += 1
        return out

    def _redact_names(self, text: str, found: Counter) -> str:
        spans = []
        for pattern in (_NAME_PAIR, _NAME_MIDDLE):
            for m in pattern.finditer(text):
                if (m.group(1).casefold(), m.group(2).casefold()) in self._names:
                    spans.append((m.start(1), m.end(2)))
        for m in _NAME_REVERSED.finditer(text):
            if (m.group(2).casefold(), m.group(1).casefold()) in self._names:
                spans.append((m.start(1), m.end(2)))
        if self._single:
            spans += [(m.start(), m.end()) for m in _WORD.finditer(text) if m.group(0) in self._single]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in reversed(merged):
            text = text[:start] + PLACEHOLDER["name"] + text[end:]
            found["name"] += 1
        return text

    __call__ = redact

    def reveals(self, phrase: str) -> bool:
        """Whether a short phrase (a pain-point n-gram) carries personal data: any word of a known
        customer name ("agent yuki" reveals Yuki Parker), or anything :meth:`redact` would replace."""
        if not isinstance(phrase, str) or not phrase:
            return False
        if "name" in self.kinds:
            words = {w.casefold() for w in _WORD.findall(phrase)}
            if words & self._name_words:
                return True
        return Redactor(kinds=self.kinds).redact(phrase) != phrase

    def redact_series(self, texts: pd.Series) -> pd.Series:
        """Redact every text of a Series (same index); missing values stay missing."""
        return texts.map(self.redact, na_action="ignore")

    def summary(self) -> str:
        """One line for a report: ``"12 quotes redacted (email 5, phone 4, name 3)"``."""
        if not self.texts_redacted:
            return "no personal data found in the texts shown"
        detail = ", ".join(f"{k} {v}" for k, v in self.counts.most_common())
        word = "quote" if self.texts_redacted == 1 else "quotes"
        return f"{self.texts_redacted} {word} redacted ({detail})"


def _looks_like_phone(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    if not 9 <= len(digits) <= 15:
        return False
    if _DATE_LIKE.match(candidate.strip()):
        return False
    # a run of plain digit groups separated by single dots is a version or a price, not a phone
    return not re.fullmatch(r"\d{1,3}(?:\.\d{1,3})+", candidate.strip())


def redact_text(text: str, *, names: Iterable[str] = (), kinds: Iterable[str] = KINDS) -> str:
    """Redact one text (see :class:`Redactor`)."""
    return Redactor(kinds=kinds, names=names).redact(text)


def customer_names(customers: pd.DataFrame) -> list[str]:
    """Names carried by a customers table: a ``name`` column, or ``first_name`` + ``last_name``."""
    if "name" in customers.columns:
        return customers["name"].dropna().astype(str).tolist()
    if {"first_name", "last_name"} <= set(customers.columns):
        both = customers[["first_name", "last_name"]].dropna()
        return (both["first_name"].astype(str) + " " + both["last_name"].astype(str)).tolist()
    return []
