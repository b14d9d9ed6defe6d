"""jkit.sentiment.rules: the feedback rules, on real labelled text and on the phrases each fix is for."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score

from jkit.sentiment import FEEDBACK_FIXES, feedback_lexicon, score_sentiment
from jkit.sentiment.rules import FIXES, OPT_IN_FIXES, FeedbackVader
from jkit.sentiment.vader import Vader
from tests.sentiment.conftest import FILES

README_FIGURES = {
    "amazon_cells_labelled": (0.834, 0.834),
    "imdb_labelled": (0.793, 0.793),
    "yelp_labelled": (0.810, 0.810),
    "all": (0.812, 0.812),
}


def _figures(frames, compound_of) -> dict[str, tuple[float, float]]:
    out = {}
    ys, ps = [], []
    for name, frame in frames.items():
        pred = (np.asarray(compound_of(frame["text"].tolist())) >= 0.05).astype(int)
        y = frame["label"].to_numpy()
        out[name] = (accuracy_score(y, pred), f1_score(y, pred, average="macro"))
        ys.append(y)
        ps.append(pred)
    y, p = np.concatenate(ys), np.concatenate(ps)
    out["all"] = (accuracy_score(y, p), f1_score(y, p, average="macro"))
    return out


def _correct(frames, scorer) -> dict[str, int]:
    return {
        name: int(sum(int(scorer.score(t)[3] >= 0.05) == lab for t, lab in zip(f["text"], f["label"], strict=True)))
        for name, f in frames.items()
    }


def test_feedback_scorer_without_fixes_equals_vader(labelled, base_lexicon):
    plain = Vader(base_lexicon)
    nofix = FeedbackVader(base_lexicon, fixes=())
    for t in labelled["yelp_labelled"]["text"]:
        assert nofix.score(t) == plain.score(t)


# --------------------------------------------------------------------------- accuracy on real text


def test_rules_vader_reproduces_the_readme_accuracy(labelled):
    figures = _figures(labelled, lambda texts: score_sentiment(texts, rules="vader")["compound"])
    for name, (acc, f1) in figures.items():
        exp_acc, exp_f1 = README_FIGURES[name]
        assert abs(acc - exp_acc) <= 0.005, (name, acc)
        assert abs(f1 - exp_f1) <= 0.005, (name, f1)


def test_rules_feedback_is_at_least_as_good_per_file_and_better_overall(labelled):
    vader = _figures(labelled, lambda texts: score_sentiment(texts, rules="vader")["compound"])
    feedback = _figures(labelled, lambda texts: score_sentiment(texts)["compound"])
    for name in vader:
        assert feedback[name][0] >= vader[name][0], name
        assert feedback[name][1] >= vader[name][1], name
    assert feedback["all"][0] >= vader["all"][0] + 0.01  # measured: 0.812 -> 0.828


@pytest.fixture(scope="module")
def correct_counts(labelled, base_lexicon):
    return {
        "feedback": _correct(labelled, FeedbackVader(base_lexicon)),
        "vader": _correct(labelled, Vader(base_lexicon)),
    }


@pytest.mark.parametrize("fix", list(FEEDBACK_FIXES))
def test_each_fix_lowers_no_file_and_the_set_raises_accuracy(fix, labelled, base_lexicon, correct_counts):
    everything = correct_counts["feedback"]
    without = _correct(labelled, FeedbackVader(base_lexicon, fixes=set(FEEDBACK_FIXES) - {fix}))
    assert all(everything[f] >= without[f] for f in FILES), (fix, everything, without)
    assert sum(everything.values()) > sum(correct_counts["vader"].values())


def test_the_opt_in_fixes_together_lower_no_review_file(labelled, base_lexicon, correct_counts):
    # own_position alone costs one amazon sentence that like_comparison wins back (docs/sentiment.md)
    default = correct_counts["feedback"]
    with_all = _correct(labelled, FeedbackVader(base_lexicon, fixes=FIXES))
    assert all(with_all[f] >= default[f] for f in FILES), (default, with_all)
    assert sum(with_all.values()) > sum(default.values())
    assert not OPT_IN_FIXES & set(FEEDBACK_FIXES)


def test_opt_in_fix_is_switched_on_by_name():
    text = "I would like a refund"
    assert score_sentiment([text]).iloc[0]["label"] == "positive"  # VADER's reading, as on social text
    assert score_sentiment([text], rules=[*FEEDBACK_FIXES, "like_comparison"]).iloc[0]["label"] == "neutral"


# Each fix, with phrases VADER gets wrong: (text, label VADER gives, label the fix gives)
FIX_EXAMPLES = {
    "no_negates": [("No problems at all.", "negative", "positive"), ("No complaints!", "negative", "positive"),
                   ("There was no warmth or charm.", "positive", "negative")],
    "negated_comparative": [("I couldn't be happier.", "negative", "positive"),
                            ("I could not be happier with it", "negative", "positive"),
                            ("It couldn't be worse", "positive", "negative")],
    "cant_enough": [("Can't say enough good things about them", "negative", "positive"),
                    ("I cannot recommend this shop enough", "negative", "positive")],
    "dont_waste": [("Don't waste your money.", "positive", "negative"), ("Do not bother with this app", "positive", "negative")],
    "double_negation": [("It never ceases to amaze me", "negative", "positive"),
                        ("Nothing short of brilliant", "negative", "positive")],
    "like_comparison": [("I would like a refund", "positive", "neutral"),
                        ("It feels like cardboard", "positive", "neutral")],
    "support_noun": [("Slow support, waited a week", "positive", "neutral")],
    "own_position": [("Not good at first, now good good", "negative", "positive")],
    "negation_scope": [("Not bad, great", "negative", "positive"),
                       ("So far nothing happened! You suck", "positive", "negative")],
    "expressive_not_negated": [("IM NOT THE LATTER LOL", "negative", "positive"), ("Nope :-)", "negative", "positive")],
    "cant_wait": [("Can't wait for the sequel", "neutral", "positive"), ("I cannot wait to go back", "neutral", "positive")],
    "social_tokens": [("Wow. Struck out looking. Never done that before. #awful", "positive", "negative"),
                      ("gooood times", "neutral", "positive"), ("WORST FINALE EVER D: D: D:", "positive", "negative")],
    "degree_words": [("It was pretty gross!", "positive", "negative"), ("The case is pretty useless", "positive", "negative")],
    "superlatives": [("The coolest phone I ever had", "neutral", "positive"), ("SWEETEST PHONE!!!", "neutral", "positive")],
    "but_except": [("So original in its base concept that you cannot help but get caught up.", "neutral", "positive"),
                   ("John Carlen's script is full of unhappy, two dimensional characters who are anything but "
                    "compelling.", "positive", "negative")],
}


def _label(compound: float) -> str:
    return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"


@pytest.mark.parametrize("fix", list(FIXES))
def test_each_fix_corrects_its_phrases(fix, base_lexicon):
    assert fix in FIX_EXAMPLES, "every fix needs examples"
    plain = Vader(base_lexicon)
    only = FeedbackVader(base_lexicon, fixes={fix})
    for text, before, after in FIX_EXAMPLES[fix]:
        assert _label(plain.score(text)[3]) == before, text
        assert _label(only.score(text)[3]) == after, text


def test_fix_does_not_touch_look_alikes(base_lexicon):
    fb = FeedbackVader(base_lexicon)
    assert _label(fb.score("They didn't waste any time, great")[3]) == "positive"  # not a warning
    assert _label(fb.score("Could not get strong enough signal")[3]) == "negative"  # 'enough' grades 'strong'
    assert _label(fb.score("No. It broke on day one")[3]) == "negative"
    assert _label(fb.score("I like it a lot")[3]) == "positive"


# Real tweets of VADER's ground truth (Hutto & Gilbert 2014, tweets_GroundTruth.txt) on which the feedback
# rules used to misfire, with the human raters' label: short texts whose one negative sentence set the
# compound (strong_negative), 'no' and 'like' read as in reviews although the text is social (@mention,
# #hashtag, laughter), laughter negated, a repeated phrase negated twice.
SOCIAL_EXAMPLES = [
    ("Thank you Brighton. Lovely fun. Now, HOW DID JEDWARD NOT WIN #cbb?!", "positive"),
    ("@anonymous Sorry you had a bad day! Love you xx", "positive"),
    ("@anonymous angry birds will do all that for you! :D", "positive"),
    ("@anonymous seems like it !", "positive"),
    ("Noel Gallagher looks like @anonymous", "positive"),
    ("@anonymous No and no.", "negative"),
    ("@anonymous No no no! Eel and Shrimp! Eel and Shrimp!!", "negative"),
    ("@anonymous it gives no fucks it's the first day of the season. &gt;:[", "negative"),
    ("Hotel California- My life lmao you can check out anytime you want, but you can never leave lmao", "positive"),
    ("If it was anyone but Lucic that hit Miller I am sure the Sabres would have dropped gloves and started "
     "swinging, but with Lucic no way lol", "positive"),
    ("DON'T CARE DON'T CARE DON'T CARE DON'T CARE DON'T CARE #royalwedding", "negative"),
]


@pytest.mark.parametrize(("text", "human"), SOCIAL_EXAMPLES)
def test_feedback_rules_do_not_misfire_on_real_tweets(text, human):
    assert score_sentiment([text]).iloc[0]["label"] == human


def test_social_text_keeps_vaders_reading_of_no_and_like(base_lexicon):
    fb = FeedbackVader(base_lexicon, fixes=FIXES)
    assert fb.score("No problems at all.")[3] > 0.05  # review prose: 'no' negates
    assert fb.score("@anonymous No problems at all.")[3] == Vader(base_lexicon).score("@anonymous No problems at all.")[3]
    assert fb.score("It feels like cardboard")[3] == 0
    assert fb.score("It feels like cardboard #unboxing")[3] > 0.05


def test_strong_negative_sentence_sets_the_compound_of_long_texts_only():
    short = "Lovely fun. HOW DID THEY NOT WIN?!"
    assert score_sentiment([short]).iloc[0]["compound"] == score_sentiment([short], strong_negative=None).iloc[0]["compound"]


def test_each_shipped_word_raises_accuracy_or_completes_an_inflection(labelled, base_lexicon, correct_counts):
    shipped = feedback_lexicon()
    assert shipped, "the commerce lexicon should not be empty"
    base = correct_counts["feedback"]
    inflections = {"crashed": "crash", "crashes": "crash", "crashing": "crash"}
    # service complaints neutral on the reviews; needed for the planted slow-support pain point
    # (tests/test_journey_map.py::test_planted_truth_recovered_from_exported_json)
    service_words = {"slow": "sluggish"}
    for word, valence in shipped.items():
        assert word not in base_lexicon, word
        alone = _correct(labelled, FeedbackVader({**base_lexicon, word: valence}))
        assert all(alone[f] >= base[f] for f in FILES), word
        if word in inflections:
            assert valence == base_lexicon[inflections[word]]
        elif word in service_words:
            assert valence == base_lexicon[service_words[word]]
        else:
            assert sum(alone.values()) > sum(base.values()), word
