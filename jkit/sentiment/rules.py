"""jkit's feedback rules: VADER with fixes for how customers write (see ``docs/sentiment.md``).

:class:`FeedbackVader` changes NLTK's VADER only through the hooks of
:class:`jkit.sentiment.vader.Vader`, so a text none of the fixes touches scores exactly as with
plain VADER. :data:`FIXES` names and documents each fix; :func:`fixes_for` turns the ``rules=``
argument of :func:`jkit.sentiment.score_sentiment` into the set of fixes to switch on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from jkit.errors import ParameterError
from jkit.sentiment.vader import B_INCR, BOOSTER_DICT, N_SCALAR, NEGATE, TokenInfo, Vader

__all__ = ["FEEDBACK_FIXES", "FIXES", "OPT_IN_FIXES", "FeedbackVader", "fixes_for", "is_expressive", "is_social"]

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
        "'looks like plastic', 'I would like a refund' (VADER counts every 'like' as praise). Not in social texts (an @mention, "
        "#hashtag, RT, link, emoticon or laughter): there human raters read 'looks like a party' as mildly positive."
    ),
    "support_noun": (
        "'support' names the support team in feedback ('slow support', 'waited for support'), so it carries "
        "no praise of its own (VADER rates the verb 'support' +1.7)."
    ),
    "negation_scope": (
        "a negator flips only the words of its own clause, up to the next negator: 'not bad, great' keeps "
        "'great' positive and 'DON'T CARE DON'T CARE' is not negated twice (VADER reaches three words back "
        "across commas and other negators)."
    ),
    "expressive_not_negated": (
        "laughter and emoticons ('lol', 'lmao', 'haha', ':)', ':D') comment on the whole text and are never "
        "negated: 'I have no idea lol', 'you can never leave lmao' (VADER flips them after 'no'/'never')."
    ),
    "cant_wait": (
        "'can't wait' is eagerness, with VADER's valence of 'eager': 'can't wait for the sequel', 'cannot wait "
        "to go back' are positive (VADER does not rate 'wait')."
    ),
    "social_tokens": (
        "hashtags, elongated words and the horror face read as what they spell: '#fail' as 'fail', 'soooo' as "
        "'so', 'gooood' as 'good', 'D:' with VADER's own rating of 'D:' (-2.9; its lexicon's lower-cased "
        "duplicate 'd:' +1.2 shadows it)."
    ),
    "degree_words": (
        "'pretty', 'super', 'damn', 'freaking', 'bloody', 'terribly' right before a word VADER rates grade that "
        "word (as VADER's boosters 'very', 'really' do) instead of carrying their own sentiment: 'pretty bad', "
        "'super slow' are complaints, 'damn good' is praise (VADER reads 'pretty' +2.2, 'damn' -1.7)."
    ),
    "superlatives": (
        "a superlative VADER does not rate of an adjective it rates takes the adjective's valence: 'coolest' as "
        "'cool', 'finest' as 'fine', 'scariest' as 'scary', 'biggest' as 'big' (VADER rates 'best', 'worst' but "
        "scores 'the coolest tool' 0)."
    ),
    "but_except": (
        "'but' meaning 'except' ('nothing but hassle', 'anyone but him', 'all but one', 'can't help but') or "
        "adding ('not only ... but') does not weight its clauses as a contrast; the first contrastive 'but' does "
        "(VADER weights around the first 'but' of any kind)."
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
#: laughter VADER rates (its emoticons are recognised by their characters, see :func:`is_expressive`)
_LAUGHTER = frozenset(["lol", "lolz", "lmao", "lmfao", "rofl", "roflmao", "xd", "haha", "hahaha", "hahas", "heh", "hehe",
                       "lulz", "roflcopter"])
_EMOTICON_CHARS = frozenset(":;=<>()^|\\/[]{}*")
_DEGREE_WORDS = frozenset(["pretty", "super", "damn", "freaking", "bloody", "terribly"])
_EXCEPT_BEFORE_BUT = frozenset(["anyone", "anything", "nothing", "nobody", "everyone", "everything", "everybody", "all",
                                "none", "anybody", "help", "last"])
_EAGER = 1.5  # VADER's valence of 'eager', for 'can't wait'
_HORROR_FACE = -2.9  # VADER's rating of 'D:' (vader_lexicon.txt line 227), shadowed by 'd:' +1.2
_ELONGATED = re.compile(r"(\w)\1{2,}")
#: after 'no', words that show it is an interjection ('No, no', 'no I reposted it'), not a determiner
_NOT_A_NOUN = frozenset(["no", "nope", "i", "i'm", "i've", "you", "we", "they", "he", "she", "it", "it's", "that's",
                         "and", "but", "thanks", "thank", "sorry"])
_LIKE_NEUTRAL_BEFORE = frozenset(
    ["feel", "feels", "felt", "feeling", "look", "looks", "looked", "looking", "seem", "seems", "seemed", "sound", "sounds", "sounded", "taste", "tastes", "tasted", "smell", "smells", "smelled", "act", "acts", "acted", "something", "nothing", "anything", "just", "exactly", "is", "was", "were", "are", "be", "been", "it's", "would", "i'd", "we'd", "you'd", "they'd", "he'd", "she'd"]
)

def is_expressive(low: str) -> bool:
    """Whether a lower-cased token is laughter ('lol', 'haha') or an emoticon (':)', ':d', '<3')."""
    return low in _LAUGHTER or (not low.isalpha() and any(c in _EMOTICON_CHARS for c in low))


def is_social(words: list[str], lexicon: Mapping[str, float]) -> bool:
    """Whether tokens read as social-media text: an @mention, #hashtag, RT, link, or laughter or an
    emoticon that ``lexicon`` rates."""
    for w in words:
        if (len(w) > 1 and w[0] in "@#") or w == "RT" or w.startswith(("http", "www.")):
            return True
        low = w.lower()
        if low in lexicon and is_expressive(low):
            return True
    return False


#: Fixes that help on review prose but cost labels on short social text, so ``rules="feedback"`` leaves them
#: off; switch one on by name (``rules=[*FEEDBACK_FIXES, "like_comparison"]``). ``like_comparison`` gains
#: 30 movie-review snippets of VADER's ground truth and loses 6 tweets that raters read as mildly positive
#: ("feels like a Sunday day drinking BBQ"), even outside social text (docs/sentiment.md).
OPT_IN_FIXES = frozenset({"like_comparison", "own_position"})

#: The feedback fixes that ``rules="feedback"`` switches on: name → what it does.
FEEDBACK_FIXES: dict[str, str] = {k: v for k, v in FIXES.items() if k not in OPT_IN_FIXES}


class FeedbackVader(Vader):
    """VADER with jkit's feedback fixes (see :data:`FIXES`); ``fixes=None`` switches on those of
    ``rules="feedback"`` (:data:`FEEDBACK_FIXES`).

    The fixes only change how negation, 'no' and repeated words are handled; a text none of them
    touches scores exactly as with :class:`Vader`.
    """


    def __init__(self, lexicon: Mapping[str, float], fixes=None, emoji: Mapping[str, str] | None = None):
        super().__init__(lexicon)
        self.emoji = dict(emoji or {})
        self.fixes = frozenset(FEEDBACK_FIXES) if fixes is None else frozenset(fixes)
        unknown = self.fixes - set(FIXES)
        if unknown:
            raise ParameterError(f"unknown feedback fix {sorted(unknown)!r}; known fixes are {', '.join(FIXES)}")
        self._own_fix = self.own_position = "own_position" in self.fixes
        self._no_fix = "no_negates" in self.fixes
        self._like_fix = "like_comparison" in self.fixes
        self._support_fix = "support_noun" in self.fixes
        self._scope_fix = "negation_scope" in self.fixes
        self._expressive_fix = "expressive_not_negated" in self.fixes
        self._social = False
        self._social_tokens = "social_tokens" in self.fixes
        self._wait_fix = "cant_wait" in self.fixes
        self._degree_fix = "degree_words" in self.fixes
        self._superlative_fix = "superlatives" in self.fixes
        self._but_fix = "but_except" in self.fixes

    def tokens_with_bounds(self, text: str) -> tuple[list[str], list[bool]]:
        """Tokens as :meth:`tokens`, plus whether each ended a clause (``, ; : . ! ?`` at its end)."""
        bounds: list[bool] = []
        words = self.tokens(text, bounds)
        return words, bounds

    def score(self, text: str) -> tuple[float, float, float, float]:
        """``(neg, neu, pos, compound)`` of one text, with the feedback fixes."""
        words, bounds = self.tokens_with_bounds(text)
        # VADER was built and validated on tweets: in social text its own reading of 'no', 'like' and
        # repeated words is kept (those fixes lost labels on VADER's tweets; docs/sentiment.md)
        self._social = is_social(words, self.lexicon)
        self.own_position = self._own_fix and not self._social
        return self.score_valence(self.sentiments(words, bounds), text)

    # ---- the hooks of Vader
    def describe(self, tok: str) -> TokenInfo:
        """As VADER; with ``superlatives`` and ``social_tokens`` unrated superlatives, hashtags, elongations
        and 'D:' read as what they spell."""
        info = super().describe(tok)
        if info[1] is not None or info[3] is not None or info[4]:
            return self._horror_face(tok, info)
        if self._superlative_fix:
            adjective = self._rated_adjective(info[0])
            if adjective is not None:
                return (info[0], self.lexicon[adjective], info[2], None, False)
        if not self._social_tokens:
            return info
        low = info[0]
        if low[:1] == "#" and low[1:].isalpha():
            body = super().describe(tok[1:])
            if body[1] is not None:
                return body
            return info
        if low.isalpha() and _ELONGATED.search(low):
            for cand in (_ELONGATED.sub(r"\1\1", low), _ELONGATED.sub(r"\1", low)):
                if cand in self.lexicon or cand in BOOSTER_DICT or cand in NEGATE:
                    return (cand, self.lexicon.get(cand), info[2], BOOSTER_DICT.get(cand), cand in NEGATE)
        return info

    def contrast_index(self, infos: list[TokenInfo]) -> int | None:
        """Under ``but_except``, the first 'but' that contrasts (not 'nothing but', 'not only ... but')."""
        if not self._but_fix:
            return super().contrast_index(infos)
        for k, inf in enumerate(infos):
            if inf[0] != "but" or (k > 0 and infos[k - 1][0] in _EXCEPT_BEFORE_BUT):
                continue
            if any(infos[m][0] in {"not", "only"} and infos[m + 1][0] in {"only", "just"} for m in range(max(0, k - 8), k - 1)):
                continue
            return k
        return None

    def _horror_face(self, tok: str, info: TokenInfo) -> TokenInfo:
        if self._social_tokens and tok == "D:":
            return (info[0], _HORROR_FACE, True, None, False)
        return info

    def _rated_adjective(self, low: str) -> str | None:
        """The adjective VADER rates of a superlative it does not ('coolest' → 'cool'), else None."""
        if len(low) < 6 or not low.endswith("est") or not low.isalpha():
            return None
        stems = [low[:-3], low[:-2]]
        if low.endswith("iest"):
            stems.append(low[:-4] + "y")
        if low[-4] == low[-5]:
            stems.append(low[:-4])  # 'biggest'
        return next((s for s in stems if s in self.lexicon), None)

    def adjust_infos(self, words: list[str], infos: list[TokenInfo], bounds) -> list[TokenInfo]:
        """Under ``cant_wait``, 'wait' after "can't"/'cannot'/'can not' takes the valence of 'eager';
        under ``degree_words``, 'pretty', 'super', ... before a rated word become boosters."""
        if self._wait_fix:
            for i in range(1, len(infos)):
                if infos[i][0] == "wait" and self._modal_negation(infos, i - 1):
                    infos[i] = (infos[i][0], _EAGER, infos[i][2], None, False)
        if self._social_tokens:
            for i, info in enumerate(infos):
                low = info[0]
                # a dropped g ('lovin', "chillin'"); a capitalised '-in' inside a sentence is a name ('Robin')
                if info[1] is None and low.endswith(("in", "in'")) and (not words[i].istitle() or i == 0 or bounds[i - 1]):
                    cand = low.rstrip("'") + "g"
                    if cand in self.lexicon:
                        infos[i] = (cand, self.lexicon[cand], info[2], None, False)
        if self._degree_fix:
            for i in range(len(infos) - 1):
                nxt = infos[i + 1]
                if (
                    infos[i][0] in _DEGREE_WORDS and not bounds[i] and nxt[1] is not None and nxt[0] != "no"
                    and nxt[0] not in _DEGREE_WORDS
                ):
                    infos[i] = (infos[i][0], None, infos[i][2], B_INCR, False)
        return infos

    def carries_no_valence(self, infos: list[TokenInfo], bounds, i: int) -> bool:
        """'no' before the word it negates, 'support' the noun and 'like' in a comparison score 0."""
        low = infos[i][0]
        if self._no_fix and low == "no" and not self._social and self._no_is_determiner(infos, bounds, i):
            return True
        if self._support_fix and low == "support":
            return True
        return (
            self._like_fix and low == "like" and not self._social and i > 0 and infos[i - 1][0] in _LIKE_NEUTRAL_BEFORE
        )

    def is_sentiment_word(self, infos: list[TokenInfo], bounds, j: int) -> bool:
        """As VADER, except that 'no' (a sentiment word for VADER) may negate under ``no_negates``."""
        return infos[j][1] is not None and not (infos[j][0] == "no" and self._no_fix and not self._social)

    def apply_negation(self, valence, words, infos, bounds, j, i):
        """Flip only when the word at ``j`` negates the one at ``i`` and no fix keeps its polarity."""
        if self._negates(infos, bounds, j, i) and not self._keeps_polarity(words, infos, j, i):
            return valence * N_SCALAR
        return valence

    # ---- helpers
    def _negates(self, infos, bounds, j: int, i: int) -> bool:
        if self._expressive_fix and is_expressive(infos[i][0]):
            return False
        is_no = self._no_fix and not self._social and infos[j][0] == "no"
        # a clause end, or a nearer negator that already had its say, closes a negator's scope
        if self._scope_fix and (infos[j][4] or is_no) and (
            any(bounds[j:i]) or any(infos[k][4] or (is_no and infos[k][0] == "no") for k in range(j + 1, i))
        ):
            return False
        if infos[j][4]:
            return True
        if is_no:
            if infos[j + 1][0] in _NOT_A_NOUN:  # 'No, no', 'no I did': an interjection, not a determiner
                return False
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
        modal = self._modal_negation(infos, j)
        if "cant_wait" in fixes and modal and low_i == "wait":
            return True
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

    @staticmethod
    def _modal_negation(infos, j: int) -> bool:
        low_j = infos[j][0]
        return low_j in _MODAL_NEG or (low_j == "not" and j > 0 and infos[j - 1][0] in {"could", "can"})

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
    unknown = sorted(fixes - set(FIXES))
    if unknown:
        raise ParameterError(f"rules: unknown fix {unknown!r}; known fixes are {', '.join(FIXES)}")
    return fixes
