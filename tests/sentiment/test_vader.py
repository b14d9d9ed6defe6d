"""jkit.sentiment.vader: scores bit-identical to NLTK's VADER."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jkit.sentiment import score_sentiment, vader

# --------------------------------------------------------------------------- NLTK-identical scores


def test_rules_vader_is_bit_identical_to_nltk_on_all_real_sentences(labelled, nltk_sia):
    texts = pd.concat(list(labelled.values()))["text"].tolist()
    ours = score_sentiment(texts, rules="vader", sentences=False)
    nltk_scores = pd.DataFrame([nltk_sia.polarity_scores(t) for t in texts])
    for col in ("compound", "pos", "neu", "neg"):
        assert ours[col].tolist() == nltk_scores[col].tolist(), col


def _hu_liu_sentences(folder) -> list[str]:
    out = []
    for path in sorted(folder.glob("*.txt")):
        if path.name == "README.txt":
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "##" in line and not line.startswith("*"):
                out.append(line.split("##", 1)[1])
    return out


def test_fast_path_is_bit_identical_to_nltk_on_other_real_reviews(shared_data, nltk_sia, base_lexicon):
    # Hu & Liu's 3,944 review sentences: another corpus than the UCI one the port was written against
    texts = _hu_liu_sentences(shared_data / "reviews" / "hu_liu_5")
    assert len(texts) > 3_500
    scorer = vader.Vader(base_lexicon)
    for text in texts:
        assert scorer.polarity_scores(text) == nltk_sia.polarity_scores(text), text
    # a second pass runs on the warm token caches and must not change anything
    assert [scorer.score(t) for t in texts[:500]] == [tuple(nltk_sia.polarity_scores(t)[k] for k in ("neg", "neu", "pos", "compound"))
                                                       for t in texts[:500]]


def test_fast_path_and_the_hook_path_agree(labelled, base_lexicon):
    # plain Vader scores through its fast path; a subclass with no fixes through the generic hooks
    class Hooked(vader.Vader):
        pass

    fast, hooked = vader.Vader(base_lexicon), Hooked(base_lexicon)
    for text in pd.concat(list(labelled.values()))["text"]:
        assert fast.score(text) == hooked.score(text), text


TRICKY = [
    "",
    "a",
    "GOOD",
    "not GOOD at all!!!",
    "The food was not good, but the service was VERY good!",
    "It's kind of good, sort of bad",
    "This is the shit and the bomb",
    "yeah right, cut the mustard",
    "kiss of death for this hand to mouth company",
    "never so good, never this bad",
    "at least it works; least good ever; very least bad",
    "good good good not good",
    ":) :( <3 :D",
    "I can't believe it isn't great?? Really???",
    "!!!!! ?!?! good!!",
    "'good' \"bad\" (great) -fine- good, ,bad",
    "Without a doubt, excellent",
    "not bad. not terrible. not the worst.",
    "I HATE this but LOVE that",
    "\tgood\n\nbad  \r\n",
    "😀 great 👍",
    "café très bien, naïve résumé",
    "Not a single complaint but nothing to love BUT great; kind of nice, sort of okay, just enough",
    "a b c d good e f",
    "least good; at least good; very least good",
    "GOOD GOOD good but BAD",
    "x X good",
]


@pytest.mark.parametrize("text", TRICKY)
def test_rules_vader_matches_nltk_on_tricky_cases(text, nltk_sia, base_lexicon):
    assert vader.Vader(base_lexicon).polarity_scores(text) == nltk_sia.polarity_scores(text)


_WORDS = ["good", "GOOD", "bad", "not", "never", "so", "this", "least", "at", "very", "kind", "of", "sort", "just", "enough", "but", "BUT", "the", "shit", "bomb", "yeah", "right", "cut", "mustard", "kiss", "death", "hand", "to", "mouth", "no", "problem", "couldn't", "can't", "without", "nothing", "extremely", "barely", "kinda", ":)", ":(", "<3", "great", "awful", "love", "hate", "a", "I", "ok", "fine", "!!!", "???", "!", "?", ".", ",", ";", "-", "'", '"', "good!!", "!bad", ",great", "great,", "'nice'"]


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(["", "", "!", ",", ".", "?", "'", "!!"])),
                max_size=14))
def test_rules_vader_matches_nltk_on_random_token_soup(tokens, nltk_sia, base_lexicon):
    text = " ".join(w + p for w, p in tokens)
    assert vader.Vader(base_lexicon).polarity_scores(text) == nltk_sia.polarity_scores(text)
