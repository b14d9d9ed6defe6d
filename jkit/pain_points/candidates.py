"""Theme candidates: the things customers talk about, with negation kept.

Each text is cut at punctuation into chunks and each chunk into words. A word is a *content* word
unless it is a stop word (:data:`jkit.pain_points.STOP_WORDS`), a number, or an *opinion* word:
a word VADER's lexicon or jkit's feedback lexicon rates, or one of the generic judgements of
:data:`jkit.pain_points.GENERIC_WORDS` ("terrible", "problem", "experience"). Opinion words
describe a theme ("slow", "confusing", "useful"); they are not themes.

A rated word that the corpus itself uses as a noun is a content word after all: VADER rates the
verbs "support", "play" and "value", but "the support", "support is slow" and "the play button"
name things. :func:`noun_like` counts, over the whole corpus, how often each word follows a
determiner or possessive ("the", "my", "its", …) or is followed by a verb form that takes a subject
("is", "was", "keeps", "doesn't", …); a rated word is kept when at least a third of its
occurrences look like that (no POS tagger is needed: NLTK's needs a model file that is not
installed and is never downloaded).

Every run of one to ``max_words`` consecutive content words is a candidate phrase. A run right
after a negation ("not", "no", "never", "n't", "without") keeps it: "doesn't work" is the
candidate ``not work`` and never ``work``; so does a verb right after one ("won't play"). Each
candidate has a *key* (its words in the singular, so "battery" and "batteries" share one) and the
surface form as the customer wrote it.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from jkit.pain_points.phrases import GENERIC_WORDS, STOP_WORDS

__all__ = ["NEGATIONS", "VERBS", "GENERIC_NOUNS", "RATED_NOUNS", "spelling_map", "respell", "opinion_words", "tokenize", "noun_evidence", "noun_like", "text_candidates", "phrase_key"]

#: Words that negate the content words right after them.
NEGATIONS: frozenset[str] = frozenset(
    ["not", "no", "never", "without", "cannot", "nor", "none", "nothing", "lack", "lacks", "lacking"]
)

_DETERMINERS = frozenset(["the", "a", "an", "my", "your", "its", "their", "our", "his", "her", "this", "that",
                          "these", "those", "customer", "any", "some", "every", "each"])
_SUBJECT_VERBS = frozenset(["is", "was", "are", "were", "has", "had", "have", "keeps", "kept", "does", "did",
                            "doesn't", "didn't", "isn't", "wasn't", "won't", "can't", "cannot", "will", "would"])
#: Common verbs and auxiliaries that are never themes (scikit-learn's stop words lack them).
VERBS: frozenset[str] = frozenset(
    ["does", "did", "doing", "done", "do", "comes", "came", "come", "feels", "felt", "feel", "seems", "seemed", "seem",
     "goes", "went", "gone", "go", "going", "make", "makes", "made", "making", "says", "said", "say", "want",
     "wanted", "wants", "need", "needs", "needed", "tried", "try", "tries", "trying", "know", "knew", "think",
     "thought", "bought", "buy", "took", "take", "takes", "taking", "gave", "give", "gives", "told", "tell",
     "let", "put", "looks", "looked", "look", "looking", "saw", "see", "seen", "used", "using", "turned", "turn",
     "has", "had", "have", "having", "is", "was", "are", "were", "be", "been", "being", "will", "can", "could",
     "may", "might", "must", "shall", "should", "seemed", "became", "become", "keeps", "kept", "keep", "getting",
     "works", "worked", "work", "working", "ago", "ever", "yet", "maybe", "actually", "probably", "sure",
     "twice", "anymore", "today", "tomorrow", "yesterday", "forever", "sometimes", "already", "almost", "instead"])

#: Words VADER rates as verbs or praise that customers use as the names of things ("slow support",
#: "no help", "customer care"); jkit's ``support_noun`` feedback rule reads "support" the same way.
RATED_NOUNS: frozenset[str] = frozenset(["support", "help", "care", "credit", "warranty", "value", "play"])

#: Nouns too general to be a theme on their own ("months", "people"); they can be part of one.
GENERIC_NOUNS: frozenset[str] = frozenset(
    ["month", "months", "year", "years", "hour", "hours", "minute", "minutes", "people", "person", "review", "reviews",
     "product", "products", "one", "ones", "reason", "reasons", "lot", "lots", "kind", "sort", "part", "end", "side"])

_CLITICS = frozenset(["wo", "ca", "sha", "gon", "na", "ta"])
_AUXILIARIES = frozenset(["is", "was", "are", "were", "be", "been", "being", "has", "had", "have", "having", "do",
                          "does", "did", "will", "can", "could", "may", "might", "must", "shall", "should", "ever",
                          "yet", "maybe", "actually", "probably", "sure", "ago"])
_BREAK = re.compile(r"[.,;:!?()\[\]{}\"“”…/|\n]+|\s[-–—]+\s")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+|-[a-z0-9]+)*")
_TAG = re.compile(r"<[^<>]{0,200}>")


@lru_cache(maxsize=1)
def opinion_words() -> frozenset[str]:
    """Words that judge: VADER's lexicon, jkit's feedback lexicon and the generic judgements."""
    from jkit.sentiment.lexicon import base_lexicon, feedback_lexicon

    single = {w for w in (*base_lexicon(), *feedback_lexicon()) if " " not in w}
    return frozenset(single) | GENERIC_WORDS


def tokenize(text: str) -> list[list[str]]:
    """The chunks of a text (cut at punctuation), each a list of lower-case words.

    >>> tokenize("The battery life is short, sadly.")
    [['the', 'battery', 'life', 'is', 'short'], ['sadly']]
    """
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = text.lower().replace("’", "'")
    chunks = (_WORD.findall(chunk) for chunk in _BREAK.split(text))
    return [c for c in chunks if c]


def _is_negation(word: str) -> bool:
    return word in NEGATIONS or word.endswith("n't")


def _negatable(w: str, stop_words: frozenset[str], opinion: frozenset[str]) -> bool:
    """A verb whose negation names a failure ("won't play", "doesn't work"); a negated opinion word
    ("not easy") only describes a theme, so it is none."""
    return _is_word(w) and w in VERBS and w not in _AUXILIARIES


def _negation_word(word: str) -> str:
    """How a negation reads in a theme: "n't" written apart ("wo n't play") reads "not"."""
    return "not" if word.startswith("n'") else word


def _is_word(w: str) -> bool:
    """Not a number, a letter, a clitic written apart ("n't", "'s", "wo" of "wo n't") or an adverb in -ly."""
    return len(w) > 1 and not w.isdigit() and "'" not in w[:2] and not w.endswith("ly") and w not in _CLITICS


def noun_evidence(texts: Iterable[list[list[str]]]) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """``(occurrences, noun-like occurrences, head occurrences)`` of every word of these tokenized texts.

    An occurrence is noun-like when the word is one of the two words after a determiner or
    possessive ("the battery", "my battery life") or is one of the (up to three) content words
    before a verb form that takes a subject ("support is slow", "app keeps crashing", "battery
    life is short"). It is a head when it ends such a phrase ("the hard drive": "drive", not
    "hard"), the stricter test a word VADER rates must pass to count as a thing.
    """
    seen: Counter[str] = Counter()
    nounish: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for chunks in texts:
        for chunk in chunks:
            seen.update(chunk)
            since_det = 0  # words since a determiner (0: none); a noun phrase is at most two words long here
            run: list[str] = []  # the content words just before this one
            for k, w in enumerate(chunk):
                after = chunk[k + 1] if k + 1 < len(chunk) else ""
                content = w not in STOP_WORDS and w not in VERBS
                run = [*run[-2:], w] if content else []
                ends = not after or after in STOP_WORDS or after in VERBS
                if content and after in _SUBJECT_VERBS:
                    nounish.update(run)  # the subject, compound included: "agent lee was", "battery life is"
                    heads[w] += 1
                elif content and since_det > 0:
                    nounish[w] += 1
                    heads[w] += ends
                if w in _DETERMINERS:
                    since_det = 1
                elif since_det and 0 < since_det < 2 and content:
                    since_det += 1
                else:
                    since_det = 0
    return seen, nounish, heads


def noun_like(seen: Counter[str], nounish: Counter[str], *, min_share: float, min_count: int = 1) -> frozenset[str]:
    """The words used as nouns in at least ``min_share`` of their occurrences (see :func:`noun_evidence`)."""
    return frozenset(w for w, n in nounish.items() if n >= min_count and n >= min_share * seen[w])


def spelling_map(seen: Counter[str], *, min_length: int = 5, min_ratio: float = 5.0) -> dict[str, str]:
    """Misspellings with one letter left out, mapped to the word meant: ``{"chekout": "checkout"}``.

    A word of at least ``min_length`` letters is read as a misspelling of a word one letter longer
    that it equals with that letter removed and that is ``min_ratio`` times as frequent in the corpus.
    """
    out: dict[str, str] = {}
    for word, count in seen.items():
        if len(word) < min_length - 1 or not word.isalpha():
            continue
        for k in range(len(word)):
            short = word[:k] + word[k + 1 :]
            if len(short) >= min_length and short in seen and count >= min_ratio * seen[short]:
                best = out.get(short)
                if best is None or seen[best] < count:
                    out[short] = word
    return out


def respell(chunks: list[list[str]], spelling: dict[str, str]) -> list[list[str]]:
    """The chunks with misspelt words replaced (see :func:`spelling_map`)."""
    if not spelling:
        return chunks
    return [[spelling.get(w, w) for w in chunk] for chunk in chunks]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """The singular of a plural noun (``batteries`` → ``battery``, ``boxes`` → ``box``); other words as
    they are. Porter's stemmer is too eager for names of things ("customer" and "customization"
    become "custom")."""
    if len(word) <= 2 or word.endswith(("ss", "us", "is", "'s")) or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses", "zzes")):
        return word[:-2]
    return word[:-1]


def phrase_key(words: Sequence[str]) -> str:
    """The key shared by a phrase's variants: its words singular (``"batteries"`` → ``"battery"``)."""
    return " ".join(_stem(w) for w in words)


def text_candidates(
    chunks: list[list[str]], *, opinion: frozenset[str], nouns: frozenset[str], heads: frozenset[str] | None = None,
    stop_words: frozenset[str] = STOP_WORDS, max_words: int = 3,
) -> dict[str, str]:
    """The candidates of one tokenized text: ``{key: surface form}``.

    ``nouns`` are opinion words used as nouns (kept); with ``heads``, a phrase that is not negated
    must end in one of these words (a noun: "battery life", not "battery lasted").

    >>> text_candidates(tokenize("The remote doesn't work."), opinion=frozenset(), nouns=frozenset())
    {'remote': 'remote', 'not work': "doesn't work"}
    """
    out: dict[str, str] = {}
    for chunk in chunks:
        run: list[str] = []
        negation = ""
        previous = ""
        for w in [*chunk, ""]:
            content = bool(w) and _is_word(w) and w not in VERBS and w not in NEGATIONS and (
                (w not in stop_words and w not in opinion) or w in nouns)
            if not content and not run and _is_negation(previous) and _negatable(w, stop_words, opinion):
                out.setdefault("not " + _stem(w), f"{_negation_word(previous)} {w}")  # "won't play", "doesn't work"
            if content:
                if not run:
                    negation = previous if _is_negation(previous) else ""
                run.append(w)
            else:
                _add_runs(out, run, negation, max_words, heads)
                run = []
            if w:
                previous = w
    return out


def _add_runs(out: dict[str, str], run: list[str], negation: str, max_words: int,
              heads: frozenset[str] | None) -> None:
    for n in range(1, min(max_words, len(run)) + 1):
        for s in range(len(run) - n + 1):
            words = run[s : s + n]
            negated = bool(negation) and s == 0
            if not negated and ((heads is not None and words[-1] not in heads)
                                or (n == 1 and words[0] in GENERIC_NOUNS)):
                continue
            if negated:  # only the phrases that start right after the negation are negated
                key = "not " + phrase_key(words)
                surface = f"{_negation_word(negation)} {' '.join(words)}"
            else:
                key, surface = phrase_key(words), " ".join(words)
            out.setdefault(key, surface)
