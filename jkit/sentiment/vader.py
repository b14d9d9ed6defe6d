"""VADER as NLTK implements it: a faster, faithful reimplementation of its scorer.

:class:`Vader` follows ``nltk.sentiment.vader.SentimentIntensityAnalyzer`` step by step and
performs the same floating-point operations in the same order, so its scores are bit-identical
to NLTK's (a test checks 3,000 real sentences and many tricky cases). It is faster because it
memoises what NLTK recomputes for every text: the punctuation stripping of each token (NLTK
builds a 34-entry dictionary per distinct word of every text) and each token's lower-case form,
lexicon valence, booster value and negation flag. Its hooks (:meth:`Vader.carries_no_valence`,
:meth:`Vader.is_sentiment_word`, :meth:`Vader.apply_negation`, ``own_position``) are where
:class:`jkit.sentiment.rules.FeedbackVader` changes the rules; here they do what NLTK does.

Nothing here imports pandas, so worker processes start quickly.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping

__all__ = [
    "BOOSTER_DICT",
    "B_DECR",
    "B_INCR",
    "CLAUSE_END",
    "C_INCR",
    "NEGATE",
    "N_SCALAR",
    "PUNC_LIST",
    "SPECIAL_CASE_IDIOMS",
    "TOKEN_CACHE_SIZE",
    "TokenInfo",
    "Vader",
    "score_values",
    "strip_token",
]

# --------------------------------------------------------------------------- VADER constants (NLTK 3.10)

B_INCR = 0.293
B_DECR = -0.293
C_INCR = 0.733
N_SCALAR = -0.74

NEGATE = frozenset(
    ["aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither", "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent", "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite"]
)

BOOSTER_DICT: dict[str, float] = {
    **dict.fromkeys(
        ["absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "effing", "enormously", "entirely", "especially", "exceptionally", "extremely", "fabulously", "flipping", "flippin", "fricking", "frickin", "frigging", "friggin", "fully", "fucking", "greatly", "hella", "highly", "hugely", "incredibly", "intensely", "majorly", "more", "most", "particularly", "purely", "quite", "really", "remarkably", "so", "substantially", "thoroughly", "totally", "tremendously", "uber", "unbelievably", "unusually", "utterly", "very"],
        B_INCR,
    ),
    **dict.fromkeys(
        ["almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of", "less", "little",
         "marginally", "occasionally", "partly", "scarcely", "slightly", "somewhat", "sort of", "sorta", "sortof",
         "sort-of"],
        B_DECR,
    ),
}

SPECIAL_CASE_IDIOMS: dict[str, float] = {
    "the shit": 3,
    "the bomb": 3,
    "bad ass": 1.5,
    "yeah right": -2,
    "cut the mustard": 2,
    "kiss of death": -1.5,
    "hand to mouth": -2,
}
_IDIOM_WORDS = frozenset(w for k in SPECIAL_CASE_IDIOMS for w in k.split())
_BOOSTER_BIGRAMS = frozenset(k for k in BOOSTER_DICT if " " in k)

PUNC_LIST = (".", "!", "?", ",", ";", ":", "-", "'", '"', "!!", "!!!", "??", "???", "?!?", "!?!", "?!?!", "!?!?")
_PUNC_SET = frozenset(PUNC_LIST)
_ASCII_PUNCT = frozenset(string.punctuation)
#: marks that end a clause when a token ends with them (or stands alone after it)
CLAUSE_END = frozenset(",;:.!?")
_LEAD = re.compile(f"^[{re.escape(string.punctuation)}]+")
_TRAIL = re.compile(f"[{re.escape(string.punctuation)}]+$")


def strip_token(token: str) -> str:
    """NLTK's ``SentiText`` punctuation stripping for one token (it depends on the token alone).

    NLTK replaces ``token`` by ``w`` when ``token`` is ``p + w`` or ``w + p`` with ``p`` in
    ``PUNC_LIST`` and ``w`` a word of the punctuation-free text longer than one character. Such a
    ``w`` has no ASCII punctuation, so ``p`` is the whole leading (or trailing) punctuation run.
    """
    lead = _LEAD.match(token)
    trail = _TRAIL.search(token)
    if lead and not trail:
        p = lead.group()
        core = token[len(p):]
    elif trail and not lead:
        p = trail.group()
        core = token[: len(token) - len(p)]
    else:
        return token
    if p in _PUNC_SET and len(core) > 1 and not any(c in _ASCII_PUNCT for c in core):
        return core
    return token


def _normalize(score: float, alpha: float = 15) -> float:
    return score / math.sqrt((score * score) + alpha)


def _booster_scalar(info: TokenInfo, valence: float, is_cap_diff: bool, start_i: int) -> float:
    """NLTK's ``scalar_inc_dec`` for the word ``start_i + 1`` places before, damped with distance."""
    _, _, isup_j, boost_j, _ = info
    s = 0.0
    if boost_j is not None:
        s = boost_j
        if valence < 0:
            s *= -1
        if isup_j and is_cap_diff:
            if valence > 0:
                s += C_INCR
            else:
                s -= C_INCR
    if start_i == 1 and s != 0:
        s = s * 0.95
    if start_i == 2 and s != 0:
        s = s * 0.9
    return s


_SKIP = object()
_SO_THIS = ("so", "this")
_BIGRAM_HEADS = frozenset(k.split()[0] for k in _BOOSTER_BIGRAMS)


def _plain_valence(words: list[str], infos: list[TokenInfo], i: int, valence: float, isup: bool,
                   is_cap_diff: bool) -> float:
    """:meth:`Vader.valence` with NLTK's own rules inlined (no hooks): the fast path of plain VADER."""
    if isup and is_cap_diff:
        if valence > 0:
            valence += C_INCR
        else:
            valence -= C_INCR
    for start_i in (0, 1, 2):
        if i <= start_i:
            break
        inf = infos[i - start_i - 1]
        if inf[1] is not None:
            continue
        s = 0.0
        if inf[3] is not None:
            s = inf[3]
            if valence < 0:
                s *= -1
            if inf[2] and is_cap_diff:
                if valence > 0:
                    s += C_INCR
                else:
                    s -= C_INCR
            if start_i == 1 and s != 0:
                s = s * 0.95
            if start_i == 2 and s != 0:
                s = s * 0.9
        valence = valence + s
        if start_i == 0:
            if inf[4]:
                valence = valence * N_SCALAR
        elif start_i == 1:
            if words[i - 2] == "never" and words[i - 1] in _SO_THIS:
                valence = valence * 1.5
            elif inf[4]:
                valence = valence * N_SCALAR
        else:
            if (words[i - 3] == "never" and words[i - 2] in _SO_THIS) or words[i - 1] in _SO_THIS:
                valence = valence * 1.25
            elif inf[4]:
                valence = valence * N_SCALAR
            # the idiom and 'kind of'/'sort of' checks only when one of their words is near
            if (not _IDIOM_WORDS.isdisjoint(words[i - 3 : i + 3]) or words[i - 3] in _BIGRAM_HEADS
                    or words[i - 2] in _BIGRAM_HEADS):
                valence = Vader._idioms_check(valence, words, i)
    if (
        i > 0 and infos[i - 1][0] == "least" and infos[i - 1][1] is None
        and (i == 1 or (infos[i - 2][0] != "at" and infos[i - 2][0] != "very"))
    ):
        valence = valence * N_SCALAR
    return valence


# --------------------------------------------------------------------------- the scorer


#: Distinct tokens remembered per scorer (stripping and lexicon look-ups). Bounded, so that streaming
#: millions of texts with ever-new tokens (ids, typos) keeps memory flat; real vocabularies fit.
TOKEN_CACHE_SIZE = 200_000

#: what a scorer remembers of a token: (lower case, valence or None, is upper, booster or None, negates)
TokenInfo = tuple[str, float | None, bool, float | None, bool]


class Vader:
    """VADER as NLTK 3.10 implements it, with per-token memoisation; scores are bit-identical.

    Parameters
    ----------
    lexicon : mapping of str to float
        Word → mean valence, as parsed by :func:`jkit.sentiment.lexicon.parse_lexicon` (plus any
        domain words).
    """

    #: NLTK scores every repeat of a word in the context of its first occurrence
    own_position = False

    def __init__(self, lexicon: Mapping[str, float]):
        self.lexicon = dict(lexicon)
        self._strip_cache: dict[str, str] = {}
        self._info: dict[str, TokenInfo] = {}
        # raw whitespace token -> (stripped token, its TokenInfo, rated), or _SKIP for the one-character
        # tokens NLTK drops: one look-up per token in the plain-VADER fast path (:meth:`score`)
        self._raw: dict[str, tuple[str, TokenInfo, bool] | object] = {}

    # ---- tokens
    def tokens(self, text: str, bounds: list[bool] | None = None) -> list[str]:
        """``SentiText.words_and_emoticons``: whitespace tokens longer than 1, edge punctuation stripped.

        Given a list ``bounds``, appends to it whether each token ended a clause (one of
        :data:`CLAUSE_END` at its end, or standing alone after it).
        """
        cache = self._strip_cache
        out = []
        for tok in text.split():
            if len(tok) > 1:
                norm = cache.get(tok)
                if norm is None:
                    norm = strip_token(tok)
                    if len(cache) < TOKEN_CACHE_SIZE:
                        cache[tok] = norm
                out.append(norm)
                if bounds is not None:
                    bounds.append(tok[-1] in CLAUSE_END)
            elif bounds and tok in CLAUSE_END:
                bounds[-1] = True
        return out

    def _entry(self, tok: str):
        """``(stripped token, TokenInfo, rated)`` of a raw token, or _SKIP; memoised in ``_raw``."""
        if len(tok) <= 1:
            entry = _SKIP
        else:
            norm = strip_token(tok)
            info = self.token_info(norm)
            entry = (norm, info, info[1] is not None)
        if len(self._raw) < TOKEN_CACHE_SIZE:
            self._raw[tok] = entry
        return entry

    def token_info(self, tok: str) -> TokenInfo:
        """What the scorer needs of a token (see :data:`TokenInfo`), memoised."""
        info = self._info.get(tok)
        if info is None:
            info = self.describe(tok)
            if len(self._info) < TOKEN_CACHE_SIZE:
                self._info[tok] = info
        return info

    def describe(self, tok: str) -> TokenInfo:
        """:data:`TokenInfo` of a token, as NLTK sees it (not memoised; see :meth:`token_info`)."""
        low = tok.lower()
        return (low, self.lexicon.get(low), tok.isupper(), BOOSTER_DICT.get(low), low in NEGATE or "n't" in low)

    # ---- public
    def polarity_scores(self, text: str) -> dict[str, float]:
        """Scores as NLTK returns them: ``{"neg", "neu", "pos", "compound"}``."""
        neg, neu, pos, compound = self.score(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score(self, text: str) -> tuple[float, float, float, float]:
        """``(neg, neu, pos, compound)`` of one text.

        Plain VADER goes through a fast path that does per text only what depends on the text: one
        dictionary look-up per token, and the window rules only around lexicon words. Subclasses
        (the feedback rules) score through the hooks (:meth:`sentiments`). Both give NLTK's scores.
        """
        if type(self) is not Vader:
            words = self.tokens(text)
            return self.score_valence(self.sentiments(words), text)
        raw = self._raw
        toks = text.split()
        entries = [raw.get(tok) for tok in toks]
        if None in entries:
            entries = [self._entry(tok) if e is None else e for tok, e in zip(toks, entries, strict=True)]
        if _SKIP in entries:
            entries = [e for e in entries if e is not _SKIP]
        n = len(entries)
        if n == 0:
            return 0.0, 0.0, 0.0, 0.0
        rated = [k for k in range(n) if entries[k][2]]  # type: ignore[index]
        if not rated:
            return 0.0, 1.0, 0.0, 0.0  # what score_valence gives for n zeros
        words: list[str] = [e[0] for e in entries]  # type: ignore[index]
        infos: list[TokenInfo] = [e[1] for e in entries]  # type: ignore[index]
        n_upper = sum([inf[2] for inf in infos])
        is_cap_diff = 0 < n - n_upper < n
        values = []
        for pos in rated:
            i = words.index(words[pos])  # NLTK judges a repeated word at its first occurrence
            low, val, isup, boost, _ = infos[i]
            if boost is not None or (low == "kind" and i < n - 1 and infos[i + 1][0] == "of"):
                values.append(0)
            else:
                values.append(_plain_valence(words, infos, i, val, isup, is_cap_diff))
        if "but" in text.lower():
            bi = next((k for k in range(n) if infos[k][0] == "but"), None)
            if bi is not None:
                values = [v * 0.5 if k < bi else v * 1.5 if k > bi else v for k, v in zip(rated, values, strict=True)]
        return score_values(values, n - len(values), text)

    # ---- the hooks the feedback rules change
    def carries_no_valence(self, infos: list[TokenInfo], bounds: list[bool] | None, i: int) -> bool:
        """Whether the lexicon word at ``i`` scores 0 in this context (never, for NLTK)."""
        return False

    def adjust_infos(self, words: list[str], infos: list[TokenInfo], bounds: list[bool] | None) -> list[TokenInfo]:
        """The tokens' :data:`TokenInfo` in their context (unchanged, for NLTK)."""
        return infos

    def contrast_index(self, infos: list[TokenInfo]) -> int | None:
        """Position of the 'but' whose clauses are weighted (NLTK: the first 'but'), else None."""
        return next((k for k, inf in enumerate(infos) if inf[0] == "but"), None)

    def is_sentiment_word(self, infos: list[TokenInfo], bounds: list[bool] | None, j: int) -> bool:
        """Whether the word at ``j`` is a sentiment word of its own, and so neither boosts nor negates."""
        return infos[j][1] is not None

    def apply_negation(self, valence: float, words: list[str], infos: list[TokenInfo], bounds: list[bool] | None,
                       j: int, i: int) -> float:
        """``valence`` of the word at ``i``, flipped when the word at ``j`` negates it."""
        if infos[j][4]:
            return valence * N_SCALAR
        return valence

    # ---- NLTK's polarity_scores, step by step
    def sentiments(self, words: list[str], bounds: list[bool] | None = None) -> list[float]:
        """One valence per token (``polarity_scores`` up to and including ``_but_check``)."""
        infos = self.adjust_infos(words, [self.token_info(w) for w in words], bounds)
        n = len(words)
        n_upper = sum(1 for inf in infos if inf[2])
        is_cap_diff = 0 < n - n_upper < n
        own = self.own_position
        first_index: dict[str, int] = {}
        for idx, tok in enumerate(words):
            if tok not in first_index:
                first_index[tok] = idx
        sentiments: list[float] = []
        for pos, item in enumerate(words):
            i = pos if own else first_index[item]
            low, val, isup, boost, _ = infos[i]
            if boost is not None or (low == "kind" and i < n - 1 and infos[i + 1][0] == "of"):
                sentiments.append(0)
                continue
            if val is None or self.carries_no_valence(infos, bounds, i):
                sentiments.append(0)
                continue
            sentiments.append(self.valence(words, infos, i, val, isup, is_cap_diff, bounds))
        bi = self.contrast_index(infos)
        if bi is not None:
            for sidx, sentiment in enumerate(sentiments):
                if sidx < bi:
                    sentiments[sidx] = sentiment * 0.5
                elif sidx > bi:
                    sentiments[sidx] = sentiment * 1.5
        return sentiments

    def valence(self, words, infos, i, val, isup, is_cap_diff, bounds=None) -> float:
        """``sentiment_valence`` for a lexicon word at position ``i``."""
        valence = val
        if isup and is_cap_diff:
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        for start_i in range(0, 3):
            if i > start_i:
                j = i - (start_i + 1)
                if self.is_sentiment_word(infos, bounds, j):
                    continue
                valence = valence + _booster_scalar(infos[j], valence, is_cap_diff, start_i)
                valence = self._never_check(valence, words, infos, bounds, start_i, i)
                if start_i == 2:
                    valence = self._idioms_check(valence, words, i)
        return self._least_check(valence, infos, i)

    def _never_check(self, valence, words, infos, bounds, start_i, i):
        if start_i == 0:
            return self.apply_negation(valence, words, infos, bounds, i - 1, i)
        if start_i == 1:
            if words[i - 2] == "never" and (words[i - 1] == "so" or words[i - 1] == "this"):
                return valence * 1.5
            return self.apply_negation(valence, words, infos, bounds, i - 2, i)
        if (
            words[i - 3] == "never"
            and (words[i - 2] == "so" or words[i - 2] == "this")
            or (words[i - 1] == "so" or words[i - 1] == "this")
        ):
            return valence * 1.25
        return self.apply_negation(valence, words, infos, bounds, i - 3, i)

    @staticmethod
    def _idioms_check(valence, words, i):
        n = len(words)
        window = words[i - 3 : i + 3]
        if any(w in _IDIOM_WORDS for w in window):
            onezero = f"{words[i - 1]} {words[i]}"
            twoonezero = f"{words[i - 2]} {words[i - 1]} {words[i]}"
            twoone = f"{words[i - 2]} {words[i - 1]}"
            threetwoone = f"{words[i - 3]} {words[i - 2]} {words[i - 1]}"
            threetwo = f"{words[i - 3]} {words[i - 2]}"
            for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
                if seq in SPECIAL_CASE_IDIOMS:
                    valence = SPECIAL_CASE_IDIOMS[seq]
                    break
            if n - 1 > i:
                zeroone = f"{words[i]} {words[i + 1]}"
                if zeroone in SPECIAL_CASE_IDIOMS:
                    valence = SPECIAL_CASE_IDIOMS[zeroone]
            if n - 1 > i + 1:
                zeroonetwo = f"{words[i]} {words[i + 1]} {words[i + 2]}"
                if zeroonetwo in SPECIAL_CASE_IDIOMS:
                    valence = SPECIAL_CASE_IDIOMS[zeroonetwo]
        if f"{words[i - 3]} {words[i - 2]}" in _BOOSTER_BIGRAMS or f"{words[i - 2]} {words[i - 1]}" in _BOOSTER_BIGRAMS:
            valence = valence + B_DECR
        return valence

    def _least_check(self, valence, infos, i):
        if i > 1 and infos[i - 1][1] is None and infos[i - 1][0] == "least":
            if infos[i - 2][0] != "at" and infos[i - 2][0] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and infos[i - 1][1] is None and infos[i - 1][0] == "least":
            valence = valence * N_SCALAR
        return valence

    @staticmethod
    def score_valence(sentiments: list[float], text: str) -> tuple[float, float, float, float]:
        """NLTK's ``score_valence``: ``(neg, neu, pos, compound)`` rounded as NLTK rounds them."""
        if not sentiments:
            return 0.0, 0.0, 0.0, 0.0
        return score_values(sentiments, 0, text)


def score_values(sentiments: list[float], n_zeros: int, text: str) -> tuple[float, float, float, float]:
    """NLTK's ``score_valence`` of ``sentiments`` plus ``n_zeros`` more zeros (the unrated tokens).

    The zeros change neither sum (Python's ``sum`` starts from the integer 0, and adding 0 to a
    float gives the same float), so they are only counted as neutral tokens.
    """
    sum_s = float(sum(sentiments))
    ep_count = text.count("!")
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
    qm_count = text.count("?")
    qm_amplifier = 0
    if qm_count > 1:
        qm_amplifier = qm_count * 0.18 if qm_count <= 3 else 0.96
    punct_emph_amplifier = ep_amplifier + qm_amplifier
    if sum_s > 0:
        sum_s += punct_emph_amplifier
    elif sum_s < 0:
        sum_s -= punct_emph_amplifier
    compound = _normalize(sum_s)
    pos_sum = 0.0
    neg_sum = 0.0
    neu_count = 0
    for sentiment_score in sentiments:
        if sentiment_score > 0:
            pos_sum += float(sentiment_score) + 1
        if sentiment_score < 0:
            neg_sum += float(sentiment_score) - 1
        if sentiment_score == 0:
            neu_count += 1
    neu_count += n_zeros
    if pos_sum > math.fabs(neg_sum):
        pos_sum += punct_emph_amplifier
    elif pos_sum < math.fabs(neg_sum):
        neg_sum -= punct_emph_amplifier
    total = pos_sum + math.fabs(neg_sum) + neu_count
    pos = math.fabs(pos_sum / total)
    neg = math.fabs(neg_sum / total)
    neu = math.fabs(neu_count / total)
    return round(neg, 3), round(neu, 3), round(pos, 3), round(compound, 4)
