"""VADER as NLTK implements it, loaded offline, and a faster faithful reimplementation.

Two things live here, both private to :mod:`jkit.sentiment`:

* **Loading the lexicon offline.** :func:`lexicon_text` finds ``vader_lexicon.txt`` in this
  order: NLTK's data path (``sentiment/vader_lexicon.zip`` or the unzipped folder); else the copy
  the PyPI package ``vaderSentiment`` ships, which jkit wraps into a
  ``sentiment/vader_lexicon.zip`` inside its own cache folder and puts on ``nltk.data.path``
  (NLTK 3.10 refuses absolute and ``file:`` paths for ``lexicon_file``); else
  :class:`~jkit.errors.MissingResourceError` saying how to install one. Never a download.
* **Scoring.** :class:`Vader` follows ``nltk.sentiment.vader.SentimentIntensityAnalyzer`` step
  by step and performs the same floating-point operations in the same order, so its scores are
  bit-identical to NLTK's (a test checks 3,000 real sentences and many tricky cases). It is
  faster because it memoises what NLTK recomputes for every text: the punctuation stripping of
  each token (NLTK builds a 34-entry dictionary per distinct word of every text) and each
  token's lower-case form, lexicon valence, booster value and negation flag.
  :class:`FeedbackVader` adds the documented feedback rules on top (see ``docs/sentiment.md``).

Nothing here imports pandas, so worker processes start quickly.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import re
import string
import zipfile
from collections.abc import Mapping
from pathlib import Path

from jkit.errors import MissingResourceError

__all__ = [
    "LEXICON_RESOURCE",
    "lexicon_text",
    "lexicon_source",
    "parse_lexicon",
    "Vader",
    "FeedbackVader",
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


# --------------------------------------------------------------------------- lexicon loading


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
_LEAD = re.compile(f"^[{re.escape(string.punctuation)}]+")
_TRAIL = re.compile(f"[{re.escape(string.punctuation)}]+$")


def _strip_token(token: str) -> str:
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


# --------------------------------------------------------------------------- the scorer


#: Distinct tokens remembered per scorer (stripping and lexicon look-ups). Bounded, so that streaming
#: millions of texts with ever-new tokens (ids, typos) keeps memory flat; real vocabularies fit.
TOKEN_CACHE_SIZE = 200_000


class Vader:
    """VADER as NLTK 3.10 implements it, with per-token memoisation; scores are bit-identical.

    Parameters
    ----------
    lexicon : mapping of str to float
        Word → mean valence, as parsed by :func:`parse_lexicon` (plus any domain words).
    """

    def __init__(self, lexicon: Mapping[str, float]):
        self.lexicon = dict(lexicon)
        self._strip_cache: dict[str, str] = {}
        # token -> (lower, valence or None, isupper, booster or None, negated)
        self._info: dict[str, tuple[str, float | None, bool, float | None, bool]] = {}

    # ---- tokens
    def tokens(self, text: str) -> list[str]:
        """``SentiText.words_and_emoticons``: whitespace tokens longer than 1, edge punctuation stripped."""
        cache = self._strip_cache
        out = []
        for tok in text.split():
            if len(tok) > 1:
                norm = cache.get(tok)
                if norm is None:
                    norm = _strip_token(tok)
                    if len(cache) < TOKEN_CACHE_SIZE:
                        cache[tok] = norm
                out.append(norm)
        return out

    def _token_info(self, tok: str) -> tuple[str, float | None, bool, float | None, bool]:
        info = self._info.get(tok)
        if info is None:
            low = tok.lower()
            info = (low, self.lexicon.get(low), tok.isupper(), BOOSTER_DICT.get(low), low in NEGATE or "n't" in low)
            if len(self._info) < TOKEN_CACHE_SIZE:
                self._info[tok] = info
        return info

    # ---- public
    def polarity_scores(self, text: str) -> dict[str, float]:
        """Scores as NLTK returns them: ``{"neg", "neu", "pos", "compound"}``."""
        neg, neu, pos, compound = self.score(text)
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score(self, text: str) -> tuple[float, float, float, float]:
        """``(neg, neu, pos, compound)`` of one text."""
        words = self.tokens(text)
        return self.score_valence(self.sentiments(words), text)

    # ---- NLTK's polarity_scores, step by step
    def sentiments(self, words: list[str]) -> list[float]:
        """One valence per token (``polarity_scores`` up to and including ``_but_check``)."""
        infos = [self._token_info(w) for w in words]
        n = len(words)
        n_upper = sum(1 for inf in infos if inf[2])
        is_cap_diff = 0 < n - n_upper < n
        first_index: dict[str, int] = {}
        for idx, tok in enumerate(words):
            if tok not in first_index:
                first_index[tok] = idx
        sentiments: list[float] = []
        for item in words:
            i = first_index[item]
            low, val, isup, boost, _ = infos[i]
            if boost is not None or (low == "kind" and i < n - 1 and infos[i + 1][0] == "of"):
                sentiments.append(0)
                continue
            if val is None:
                sentiments.append(0)
                continue
            sentiments.append(self.valence(words, infos, i, val, isup, is_cap_diff))
        if any(inf[0] == "but" for inf in infos):
            bi = next(k for k, inf in enumerate(infos) if inf[0] == "but")
            for sidx, sentiment in enumerate(sentiments):
                if sidx < bi:
                    sentiments[sidx] = sentiment * 0.5
                elif sidx > bi:
                    sentiments[sidx] = sentiment * 1.5
        return sentiments

    def valence(self, words, infos, i, val, isup, is_cap_diff) -> float:
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
                low_j, val_j, isup_j, boost_j, _ = infos[j]
                if val_j is not None:
                    continue
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
                valence = valence + s
                valence = self._never_check(valence, words, infos, start_i, i)
                if start_i == 2:
                    valence = self._idioms_check(valence, words, i)
        return self._least_check(valence, infos, i)

    @staticmethod
    def _never_check(valence, words, infos, start_i, i):
        if start_i == 0:
            if infos[i - 1][4]:
                valence = valence * N_SCALAR
        elif start_i == 1:
            if words[i - 2] == "never" and (words[i - 1] == "so" or words[i - 1] == "this"):
                valence = valence * 1.5
            elif infos[i - 2][4]:
                valence = valence * N_SCALAR
        else:
            if (
                words[i - 3] == "never"
                and (words[i - 2] == "so" or words[i - 2] == "this")
                or (words[i - 1] == "so" or words[i - 1] == "this")
            ):
                valence = valence * 1.25
            elif infos[i - 3][4]:
                valence = valence * N_SCALAR
        return valence

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
        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct_emph_amplifier
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct_emph_amplifier
        total = pos_sum + math.fabs(neg_sum) + neu_count
        pos = math.fabs(pos_sum / total)
        neg = math.fabs(neg_sum / total)
        neu = math.fabs(neu_count / total)
        return round(neg, 3), round(neu, 3), round(pos, 3), round(compound, 4)


# --------------------------------------------------------------------------- feedback rules

#: The feedback fixes, in the order they are documented (docs/sentiment.md). Each can be switched
#: on alone (``FeedbackVader(lexicon, fixes={...})``) so its effect on real data can be measured.
FIXES: dict[str, str] = {
    "no_negates": (
        "'no' negates the sentiment word that follows it (like 'not') and carries no valence of its own "
        "there: 'no problems', 'no complaints' are positive (vaderSentiment issues #70, #72)."
    ),
    "negated_comparative": (
        "a negated comparative keeps its polarity: 'couldn't be happier', 'never been happier' are "
        "positive, 'couldn't be worse' negative (vaderSentiment issue #102)."
    ),
    "cant_enough": (
        "'can't ... enough' praises rather than negates: 'can't say enough good things', "
        "'cannot recommend it enough' are positive."
    ),
    "dont_waste": (
        "a warning 'don't waste / don't bother' stays negative: 'don't waste your money' is a complaint, "
        "not praise (VADER flips the negative 'waste')."
    ),
    "double_negation": (
        "'never ceases to', 'never fails to', 'nothing short of' do not negate the word that follows: "
        "'never ceases to amaze me' is positive."
    ),
    "like_comparison": (
        "'like' in a comparison or a polite request carries no sentiment: 'feels like it would crack', "
        "'looks like plastic', 'I would like a refund' (VADER counts every 'like' as praise)."
    ),
    "support_noun": (
        "'support' names the support team in feedback ('slow support', 'waited for support'), so it carries "
        "no praise of its own (VADER rates the verb 'support' +1.7)."
    ),
    "own_position": (
        "a word that occurs twice is judged in its own context each time (NLTK scores every repeat in "
        "the context of the first occurrence): 'not good at first, now good' counts the second 'good' as positive."
    ),
}

_MODAL_NEG = frozenset({"couldn't", "couldnt", "can't", "cant", "cannot", "could't"})
_COMPARATIVE_LINKS = frozenset({"be", "been", "have", "get", "got", "feel", "felt", "any", "much", "more", "a", "lot"})
_IRREGULAR_COMPARATIVES = frozenset({"better", "worse"})
_WARNING_WORDS = frozenset({"waste", "wasting", "bother"})
_SUBJECTS = frozenset({"i", "we", "they", "he", "she", "it", "you", "who", "that", "which"})
_DOUBLE_NEG_VERBS = frozenset({"cease", "ceases", "ceased", "fail", "fails", "failed"})
_CLAUSE_END = frozenset(",;:.!?")
_LIKE_NEUTRAL_BEFORE = frozenset(
    ["feel", "feels", "felt", "feeling", "look", "looks", "looked", "looking", "seem", "seems", "seemed", "sound", "sounds", "sounded", "taste", "tastes", "tasted", "smell", "smells", "smelled", "act", "acts", "acted", "something", "nothing", "anything", "just", "exactly", "is", "was", "were", "are", "be", "been", "it's", "would", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd"]
)


class FeedbackVader(Vader):
    """VADER with jkit's feedback fixes (see :data:`FIXES`); ``fixes=None`` switches all on.

    The fixes only change how negation, 'no' and repeated words are handled; a text none of them
    touches scores exactly as with :class:`Vader`.
    """

    def __init__(self, lexicon: Mapping[str, float], fixes=None, emoji: Mapping[str, str] | None = None):
        super().__init__(lexicon)
        self.emoji = dict(emoji or {})
        self.fixes = frozenset(FIXES) if fixes is None else frozenset(fixes)
        unknown = self.fixes - set(FIXES)
        if unknown:
            from jkit.errors import ParameterError

            raise ParameterError(f"unknown feedback fix {sorted(unknown)!r}; known fixes are {', '.join(FIXES)}")

    def tokens_with_bounds(self, text: str) -> tuple[list[str], list[bool]]:
        """Tokens as :meth:`tokens`, plus whether each ended a clause (``, ; : . ! ?`` at its end)."""
        words: list[str] = []
        bounds: list[bool] = []
        cache = self._strip_cache
        for tok in text.split():
            if len(tok) > 1:
                norm = cache.get(tok)
                if norm is None:
                    norm = _strip_token(tok)
                    if len(cache) < TOKEN_CACHE_SIZE:
                        cache[tok] = norm
                words.append(norm)
                bounds.append(tok[-1] in _CLAUSE_END)
            elif tok in _CLAUSE_END and bounds:
                bounds[-1] = True
        return words, bounds

    def score(self, text: str) -> tuple[float, float, float, float]:
        words, bounds = self.tokens_with_bounds(text)
        return self.score_valence(self.feedback_sentiments(words, bounds), text)

    # ---- helpers
    def _negates(self, infos, bounds, j: int, i: int) -> bool:
        if infos[j][4]:
            return True
        if "no_negates" in self.fixes and infos[j][0] == "no":
            # 'no' heads a noun phrase: it reaches the first sentiment word after it, and the next
            # ones only through 'or'/'nor' ('no warmth or charm'), never across a clause end.
            if any(bounds[j:i]):
                return False
            return all(infos[k][1] is None or infos[k + 1][0] in {"or", "nor"} for k in range(j + 1, i))
        return False

    def _keeps_polarity(self, words, infos, j: int, i: int) -> bool:
        """Whether the negator at ``j`` should leave the word at ``i`` unflipped (the fixes' exceptions)."""
        fixes = self.fixes
        low_j = infos[j][0]
        low_i = infos[i][0]
        between = [inf[0] for inf in infos[j + 1 : i]]
        modal = low_j in _MODAL_NEG or (low_j == "not" and j > 0 and infos[j - 1][0] in {"could", "can"})
        if "negated_comparative" in fixes and (modal or low_j == "never"):
            comparative = (
                low_i in _IRREGULAR_COMPARATIVES
                or (low_i.endswith("er") and len(low_i) > 4)
                or (between and between[-1] in {"more", "less"})
            )
            if comparative and between and set(between) <= _COMPARATIVE_LINKS and set(between) & {"be", "been", "get"}:
                return True
        if "cant_enough" in fixes and modal:
            # 'can't say enough good things', 'can't recommend it enough' -- but not 'can't get strong
            # enough signal', where 'enough' grades the sentiment word itself.
            for k in range(j + 1, min(i + 4, len(infos))):
                if infos[k][0] == "enough" and k - 1 != i:
                    return True
        if "dont_waste" in fixes and low_i in _WARNING_WORDS:
            dont = low_j in {"don't", "dont"} or (low_j == "not" and j > 0 and infos[j - 1][0] == "do")
            k = j - 1 if low_j != "not" else j - 2
            if dont and not (k >= 0 and infos[k][0] in _SUBJECTS):
                return True
        if "double_negation" in fixes:
            if set(between) & _DOUBLE_NEG_VERBS:
                return True
            if low_j == "nothing" and between[:2] == ["short", "of"]:
                return True
        return False

    def feedback_sentiments(self, words: list[str], bounds: list[bool]) -> list[float]:
        infos = [self._token_info(w) for w in words]
        n = len(words)
        n_upper = sum(1 for inf in infos if inf[2])
        is_cap_diff = 0 < n - n_upper < n
        own = "own_position" in self.fixes
        first_index: dict[str, int] = {}
        for idx, tok in enumerate(words):
            if tok not in first_index:
                first_index[tok] = idx
        sentiments: list[float] = []
        no_fix = "no_negates" in self.fixes
        like_fix = "like_comparison" in self.fixes
        support_fix = "support_noun" in self.fixes
        for pos, item in enumerate(words):
            i = pos if own else first_index[item]
            low, val, isup, boost, _ = infos[i]
            if boost is not None or (low == "kind" and i < n - 1 and infos[i + 1][0] == "of"):
                sentiments.append(0)
                continue
            if val is None:
                sentiments.append(0)
                continue
            if no_fix and low == "no" and self._no_is_determiner(infos, bounds, i):
                sentiments.append(0)
                continue
            if support_fix and low == "support":
                sentiments.append(0)
                continue
            if like_fix and low == "like" and i > 0 and infos[i - 1][0] in _LIKE_NEUTRAL_BEFORE:
                sentiments.append(0)
                continue
            sentiments.append(self.feedback_valence(words, infos, bounds, i, val, isup, is_cap_diff))
        if any(inf[0] == "but" for inf in infos):
            bi = next(k for k, inf in enumerate(infos) if inf[0] == "but")
            for sidx, sentiment in enumerate(sentiments):
                if sidx < bi:
                    sentiments[sidx] = sentiment * 0.5
                elif sidx > bi:
                    sentiments[sidx] = sentiment * 1.5
        return sentiments

    def _no_is_determiner(self, infos, bounds, i: int) -> bool:
        """'no' that negates a sentiment word (see :meth:`_negates`) has no valence of its own."""
        for k in range(i + 1, min(i + 4, len(infos))):
            if infos[k][1] is not None:
                return self._negates(infos, bounds, i, k)
        return False

    def feedback_valence(self, words, infos, bounds, i, val, isup, is_cap_diff) -> float:
        valence = val
        if isup and is_cap_diff:
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR
        for start_i in range(0, 3):
            if i > start_i:
                j = i - (start_i + 1)
                low_j, val_j, isup_j, boost_j, _ = infos[j]
                if val_j is not None and not (low_j == "no" and "no_negates" in self.fixes):
                    continue
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
                valence = valence + s
                valence = self._feedback_never_check(valence, words, infos, bounds, start_i, i)
                if start_i == 2:
                    valence = self._idioms_check(valence, words, i)
        return self._least_check(valence, infos, i)

    def _flip(self, valence, words, infos, bounds, j, i):
        if self._negates(infos, bounds, j, i) and not self._keeps_polarity(words, infos, j, i):
            return valence * N_SCALAR
        return valence

    def _feedback_never_check(self, valence, words, infos, bounds, start_i, i):
        if start_i == 0:
            return self._flip(valence, words, infos, bounds, i - 1, i)
        if start_i == 1:
            if words[i - 2] == "never" and (words[i - 1] == "so" or words[i - 1] == "this"):
                return valence * 1.5
            return self._flip(valence, words, infos, bounds, i - 2, i)
        if (
            words[i - 3] == "never"
            and (words[i - 2] == "so" or words[i - 2] == "this")
            or (words[i - 1] == "so" or words[i - 1] == "this")
        ):
            return valence * 1.25
        return self._flip(valence, words, infos, bounds, i - 3, i)


# --------------------------------------------------------------------------- text cleaning (feedback rules only)

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


# --------------------------------------------------------------------------- scoring many texts

_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])\s+|\s*\n\s*")


def split_sentences(text: str) -> list[str]:
    """Split at ``. ! ? …`` followed by white space, and at line breaks; empty pieces are dropped."""
    if not _SENTENCE_END.search(text):
        return [text] if text.strip() else []
    return [p for p in _SENTENCE_END.split(text) if p.strip()]


def score_one(scorer: Vader, text: str, sentences: bool, strong_negative: float | None):
    """``(neg, neu, pos, compound, n_sentences, min_sentence)`` for one (already checked) text.

    With :class:`FeedbackVader` and ``strong_negative`` set, a text of several sentences whose most
    negative sentence scores at or below ``strong_negative`` gets the lower of the two compounds.
    """
    if isinstance(scorer, FeedbackVader):
        text = clean_feedback_text(text, scorer.emoji)
    neg, neu, pos, compound = scorer.score(text)
    if not sentences:
        return neg, neu, pos, compound, 1, compound
    parts = split_sentences(text)
    if len(parts) <= 1:
        return neg, neu, pos, compound, max(len(parts), 1), compound
    worst = min(scorer.score(p)[3] for p in parts)
    if isinstance(scorer, FeedbackVader) and strong_negative is not None and worst <= strong_negative:
        compound = min(compound, worst)
    return neg, neu, pos, compound, len(parts), worst


_WORKER: dict = {}


def worker_init(lexicon: dict[str, float], fixes, emoji, sentences: bool, strong_negative) -> None:
    """Process-pool initializer: build the scorer once per worker."""
    _WORKER["scorer"] = Vader(lexicon) if fixes is None else FeedbackVader(lexicon, fixes, emoji=emoji)
    _WORKER["args"] = (sentences, strong_negative)


def worker_score(texts: list[str]) -> list[tuple]:
    """Score a batch in a worker (see :func:`worker_init`)."""
    scorer = _WORKER["scorer"]
    sentences, strong_negative = _WORKER["args"]
    return [score_one(scorer, t, sentences, strong_negative) for t in texts]
