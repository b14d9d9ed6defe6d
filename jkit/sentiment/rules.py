"""jkit's feedback rules: VADER with fixes for how customers write (see ``docs/sentiment.md``).

:class:`FeedbackVader` changes NLTK's VADER only through the hooks of
:class:`jkit.sentiment.vader.Vader`, so a text none of the fixes touches scores exactly as with
plain VADER. :data:`FIXES` names and documents each fix; :func:`fixes_for` turns the ``rules=``
argument of :func:`jkit.sentiment.score_sentiment` into the set of fixes to switch on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from jkit.errors import ParameterError
from jkit.sentiment.vader import N_SCALAR, TokenInfo, Vader

__all__ = ["FEEDBACK_FIXES", "FIXES", "FeedbackVader", "fixes_for"]

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
_LIKE_NEUTRAL_BEFORE = frozenset(
    ["feel", "feels", "felt", "feeling", "look", "looks", "looked", "looking", "seem", "seems", "seemed", "sound", "sounds", "sounded", "taste", "tastes", "tasted", "smell", "smells", "smelled", "act", "acts", "acted", "something", "nothing", "anything", "just", "exactly", "is", "was", "were", "are", "be", "been", "it's", "would", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd"]
)

#: The feedback fixes that ``rules="feedback"`` switches on: name → what it does.
FEEDBACK_FIXES: dict[str, str] = dict(FIXES)


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
            raise ParameterError(f"unknown feedback fix {sorted(unknown)!r}; known fixes are {', '.join(FIXES)}")
        self.own_position = "own_position" in self.fixes
        self._no_fix = "no_negates" in self.fixes
        self._like_fix = "like_comparison" in self.fixes
        self._support_fix = "support_noun" in self.fixes

    def tokens_with_bounds(self, text: str) -> tuple[list[str], list[bool]]:
        """Tokens as :meth:`tokens`, plus whether each ended a clause (``, ; : . ! ?`` at its end)."""
        bounds: list[bool] = []
        words = self.tokens(text, bounds)
        return words, bounds

    def score(self, text: str) -> tuple[float, float, float, float]:
        """``(neg, neu, pos, compound)`` of one text, with the feedback fixes."""
        words, bounds = self.tokens_with_bounds(text)
        return self.score_valence(self.sentiments(words, bounds), text)

    # ---- the hooks of Vader
    def carries_no_valence(self, infos: list[TokenInfo], bounds, i: int) -> bool:
        """'no' before the word it negates, 'support' the noun and 'like' in a comparison score 0."""
        low = infos[i][0]
        if self._no_fix and low == "no" and self._no_is_determiner(infos, bounds, i):
            return True
        if self._support_fix and low == "support":
            return True
        return self._like_fix and low == "like" and i > 0 and infos[i - 1][0] in _LIKE_NEUTRAL_BEFORE

    def is_sentiment_word(self, infos: list[TokenInfo], bounds, j: int) -> bool:
        """As VADER, except that 'no' (a sentiment word for VADER) may negate under ``no_negates``."""
        return infos[j][1] is not None and not (infos[j][0] == "no" and self._no_fix)

    def apply_negation(self, valence, words, infos, bounds, j, i):
        """Flip only when the word at ``j`` negates the one at ``i`` and no fix keeps its polarity."""
        if self._negates(infos, bounds, j, i) and not self._keeps_polarity(words, infos, j, i):
            return valence * N_SCALAR
        return valence

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

    def _no_is_determiner(self, infos, bounds, i: int) -> bool:
        """'no' that negates a sentiment word (see :meth:`_negates`) has no valence of its own."""
        for k in range(i + 1, min(i + 4, len(infos))):
            if infos[k][1] is not None:
                return self._negates(infos, bounds, i, k)
        return False


def fixes_for(rules: str | Iterable[str]) -> frozenset[str] | None:
    """``None`` for plain VADER, else the set of feedback fixes that ``rules=`` switches on."""
    if isinstance(rules, str):
        if rules == "vader":
            return None
        if rules == "feedback":
            return frozenset(FEEDBACK_FIXES)
        raise ParameterError(
            f"rules={rules!r} should be 'feedback' (VADER plus feedback fixes), 'vader' (exactly NLTK's VADER) "
            f"or a list of fix names from {', '.join(FEEDBACK_FIXES)}"
        )
    fixes = frozenset(rules)
    unknown = sorted(fixes - set(FEEDBACK_FIXES))
    if unknown:
        raise ParameterError(f"rules: unknown fix {unknown!r}; known fixes are {', '.join(FEEDBACK_FIXES)}")
    return fixes
