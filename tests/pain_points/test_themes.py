"""Pain-point themes: hand-made cases, the planted pain points of the sample, and real annotated reviews."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jkit.errors import MissingColumnError, ParameterError
from jkit.pain_points import pain_point_themes
from jkit.pain_points.candidates import RATED_NOUNS, opinion_words, spelling_map, text_candidates, tokenize
from jkit.pain_points.merging import overlap, theme_name
from jkit.pain_points.theme_rows import theme_log_odds
from jkit.pain_points.themes import THEME_COLUMNS, default_min_count
from tests.pain_points.hu_liu import PRODUCTS, matches, most_criticised, read_product


def _scored(texts_labels: list[tuple[str, str]], **extra) -> pd.DataFrame:
    texts, labels = zip(*texts_labels, strict=True)
    compound = [{"negative": -0.6, "positive": 0.6, "neutral": 0.0}[lab] for lab in labels]
    frame = pd.DataFrame({"feedback_id": [f"f{i}" for i in range(len(texts))], "text": texts,
                          "label": labels, "compound": compound})
    for name, values in extra.items():
        frame[name] = values
    return frame


def _candidates(text: str) -> dict[str, str]:
    return text_candidates(tokenize(text), opinion=opinion_words(), nouns=RATED_NOUNS)


# --------------------------------------------------------------------------- candidates


def test_negation_is_kept_and_opinion_words_are_not_themes():
    assert _candidates("The remote doesn't work.") == {"remote": "remote", "not work": "doesn't work"}
    # "useful" and "easy" describe: never candidates, negated or not
    assert set(_candidates("the descriptions are not useful")) == {"description"}
    assert set(_candidates("checkout was easy and useful")) == {"checkout"}
    # "wo n't" as some exports split "won't"
    assert _candidates("it wo n't play dvds .") == {"not play": "not play", "not play dvd": "not play dvds", "dvd": "dvds"}


def test_misspellings_with_one_letter_left_out_are_read_as_the_word():
    counts = pd.Series(["checkout"] * 10 + ["chekout"] * 2 + ["delivery"] * 6 + ["delivry"] + ["plan"] * 9 + ["pla"])
    spelling = spelling_map(counts.value_counts().to_dict())
    assert spelling == {"chekout": "checkout", "delivry": "delivery"}  # short words are left alone


def test_theme_log_odds_by_hand():
    # a=8, b=2, c=10, d=80, each +0.5
    lor, se, z = theme_log_odds(8, 2, 10, 80)
    assert lor == pytest.approx(math.log(8.5 / 2.5) - math.log(10.5 / 80.5))
    assert se == pytest.approx(math.sqrt(1 / 8.5 + 1 / 2.5 + 1 / 10.5 + 1 / 80.5))
    assert z == pytest.approx(lor / se)


def test_names_and_overlap():
    from collections import Counter

    assert theme_name(Counter({"battery": 10, "battery life": 6, "life": 7})) == "battery life"
    assert theme_name(Counter({"battery": 10, "battery life": 3})) == "battery"
    assert theme_name(Counter({"not useful": 9, "product descriptions": 8})) == "product descriptions"
    assert overlap({1, 2, 3, 4}, {3, 4, 5, 6, 7, 8}) == 0.5
    assert overlap(set(), {1}) == 0.0


def test_default_min_count_adapts_to_the_corpus():
    assert [default_min_count(n) for n in (0, 300, 1_000, 10_000, 1_000_000)] == [2, 2, 4, 12, 125]


# --------------------------------------------------------------------------- themes, by hand


def _hand_corpus() -> pd.DataFrame:
    rows = [
        ("The battery life is short.", "negative"),
        ("Battery life is terrible.", "negative"),
        ("the batteries drain overnight", "negative"),
        ("My battery life is awful", "negative"),
        ("The remote doesn't work", "negative"),
        ("remote doesn't work at all", "negative"),
        ("the remote is broken", "negative"),
        ("it's hard to imagine people having trouble with the screen, awful", "negative"),
        ("The screen is great", "positive"),
        ("the screen is bright and lovely", "positive"),
        ("the screen is sharp", "positive"),
        ("Great sound, the speakers are lovely", "positive"),
        ("the speakers are fine", "positive"),
        ("I like the menu", "positive"),
        ("The menu is nice", "positive"),
        ("shipping was quick, write to me at ann@example.com", "neutral"),
    ]
    return _scored(rows, stage=["use"] * 8 + ["buy"] * 8, touchpoint="web")


def test_hand_corpus_themes():
    themes = pain_point_themes(_hand_corpus(), min_count=2)
    assert list(themes.columns) == list(THEME_COLUMNS)
    assert themes["theme"].tolist()[:2] == ["battery life", "remote"]
    battery = themes.iloc[0]
    # singular and plural, "battery" and "battery life": one theme over the four battery texts
    assert {"battery", "batteries", "battery life"} <= set(battery["phrases"])
    assert battery["feedback_ids"] == ["f0", "f1", "f2", "f3"]
    assert (battery["n_texts"], battery["n_negative"], battery["share_negative"]) == (4, 4, 1.0)
    assert battery["stages"] == {"use": 4} and battery["touchpoints"] == {"web": 4}
    # a=4 negative, b=0 positive in the theme; c=4 negative, d=7 positive outside
    assert battery["log_odds"] == pytest.approx(theme_log_odds(4, 0, 4, 7)[0])
    assert battery["share_negative_low"] < 1.0 == battery["share_negative_high"]
    assert battery["mean_compound"] == pytest.approx(-0.6)
    # the screen is praised more than it is criticised: no theme; opinion words are no themes
    assert not ({"screen", "great", "awful", "hard", "work"} & set(themes["theme"]))
    # "doesn't work" is written with "remote": one theme, named by the thing
    remote = themes.iloc[1]
    assert remote["phrases"] == ["remote", "doesn't work"] and remote["feedback_ids"] == ["f4", "f5", "f6"]
    assert len(themes) == 2
    assert themes["rank"].tolist() == list(range(1, len(themes) + 1))


def test_quotes_are_about_the_theme_and_redacted():
    rows = [
        ("The delivery was late again", "negative"),
        ("Delivery came late, a week after the date", "negative"),
        ("late delivery, not acceptable", "negative"),
        ("my son hated the colour, but the delivery was late too and the box awful, a disaster", "negative"),
        ("The delivery is always late, mail me at bob@example.com", "negative"),
        ("great shop", "positive"), ("lovely staff", "positive"), ("nice prices", "positive"),
    ]
    frame = _scored(rows)
    frame.loc[3, "compound"] = -0.95  # the most negative text mentions delivery in passing
    themes = pain_point_themes(frame, min_count=2, n_quotes=2)
    delivery = themes.set_index("theme").loc["delivery"]
    assert len(delivery["quotes"]) == 2
    assert not any("son hated" in q for q in delivery["quotes"])
    everything = pain_point_themes(frame, min_count=2, n_quotes=5).set_index("theme").loc["delivery", "quotes"]
    assert not any("bob@example.com" in q for q in everything)
    assert any("[email]" in q or "@" not in q for q in everything)


def test_by_group_and_ids_from_the_index():
    frame = _hand_corpus().drop(columns="feedback_id")
    frame.index = [f"row{i}" for i in range(len(frame))]
    themes = pain_point_themes(frame, by="stage", min_count=2)
    assert themes.columns[0] == "stage"
    use = themes[themes["stage"] == "use"]
    assert use.iloc[0]["feedback_ids"][:2] == ["row0", "row1"]
    assert themes.attrs["min_count"] == {"buy": 2, "use": 2}


def test_large_inputs_are_sampled_and_say_so():
    frame = pd.concat([_hand_corpus()] * 20, ignore_index=True)
    themes = pain_point_themes(frame, max_texts=100, min_count=2)
    assert themes.attrs["sampled"] == {"texts": 100, "of": 320}
    assert pain_point_themes(frame, min_count=2).attrs["sampled"] is None


def test_bad_input():
    with pytest.raises(MissingColumnError, match="compound"):
        pain_point_themes(pd.DataFrame({"text": ["a"], "label": ["negative"]}))
    with pytest.raises(ParameterError, match="top=0"):
        pain_point_themes(_hand_corpus(), top=0)
    with pytest.raises(ParameterError, match="max_overlap"):
        pain_point_themes(_hand_corpus(), max_overlap=1.5)
    with pytest.raises(ParameterError, match="min_count=True"):
        pain_point_themes(_hand_corpus(), min_count=True)
    empty = pain_point_themes(_hand_corpus().iloc[:0])
    assert empty.empty and list(empty.columns) == list(THEME_COLUMNS)
    odd = _hand_corpus()
    odd["text"] = odd["text"].astype(object)
    odd.loc[0, "text"] = None
    odd.loc[1, "text"] = 42
    odd.loc[2, "compound"] = np.nan  # not scored: left out, never an error
    assert len(pain_point_themes(odd, min_count=2)) >= 1
    praise = _scored([("the screen is great", "positive")] * 5)
    assert pain_point_themes(praise).empty


def test_a_theme_naming_a_customer_is_withheld():
    from jkit.privacy import Redactor

    rows = [("agent yuki parker was rude", "negative")] * 4 + [("agent lee was rude", "negative")] * 3 + [
        ("lovely shop", "positive")] * 5
    themes = pain_point_themes(_scored(rows), min_count=2, redact=Redactor(names=["Yuki Parker"]))
    assert not any("yuki" in p or "parker" in p for ps in themes["phrases"] for p in ps)
    assert themes.attrs["themes_withheld"] >= 1


# --------------------------------------------------------------------------- the sample's planted pain points


def test_every_planted_pain_point_is_one_theme_at_its_stage(small_sample, small_sample_dir):
    import json
    import warnings

    from jkit.journey_map.map import score_feedback

    truth = json.loads((small_sample_dir / "truth.json").read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = score_feedback(small_sample, None, "feedback")
    themes = pain_point_themes(scored, by="stage", top=5)
    for planted in truth["pain_points"]:
        at_stage = themes[themes["stage"] == planted["stage"]]
        named = at_stage[[any(k in name.split() for k in planted["keywords"]) for name in at_stage["theme"]]]
        assert len(named) == 1, f"{planted['key']}: {at_stage['theme'].tolist()}"
        assert named.iloc[0]["n_texts"] >= 0.8 * planted["n_planted"], planted["key"]  # covers the planted texts
    top = themes.groupby("stage").head(10)
    for _, group in top.groupby("stage"):
        sets = [set(ids) for ids in group["feedback_ids"]]
        assert all(overlap(a, b) <= 0.5 for i, a in enumerate(sets) for b in sets[i + 1:])


# --------------------------------------------------------------------------- real annotated reviews

#: measured 0.60 (Apex 3/5, Canon 1/5, Creative 4/5, Nikon 4/5, Nokia 3/5); asserted with one feature
#: of slack (0.56), as the sentiment labels the themes start from may change
HU_LIU_RECALL = 0.56


@pytest.fixture(scope="module")
def hu_liu(shared_data):
    import warnings

    from jkit.sentiment import score_sentiment

    folder = shared_data / "reviews" / "hu_liu_5"
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for product in PRODUCTS:
            sentences = read_product(folder, product)
            out[product] = sentences.join(score_sentiment(sentences, progress=False))
    return out


def test_themes_recall_the_most_criticised_features_of_real_reviews(hu_liu):
    recalls = {}
    for product, scored in hu_liu.items():
        themes = pain_point_themes(scored).head(10)
        assert len(themes) >= 5, product  # a few hundred sentences give themes (Nikon: 346 sentences, 8)
        criticised = most_criticised(scored)
        found = [f for f in criticised if any(matches(name.split(), f) for name in themes["theme"])]
        recalls[product] = len(found) / len(criticised)
        sets = [set(ids) for ids in themes["feedback_ids"]]
        worst = max(overlap(a, b) for i, a in enumerate(sets) for b in sets[i + 1:])
        assert worst <= 0.5, f"{product}: two of the top ten themes share {worst:.0%} of their texts"
    assert np.mean(list(recalls.values())) >= HU_LIU_RECALL - 1e-9, recalls


def test_the_old_pain_points_find_less_on_real_reviews(hu_liu):
    """The baseline the themes replace (issue 18): pain_points names almost none of them."""
    from jkit.pain_points import pain_points

    hits = 0
    for scored in hu_liu.values():
        pains = pain_points(scored, top=10, n_quotes=0)
        hits += sum(any(matches(p.split(), f) for p in pains["phrase"]) for f in most_criticised(scored))
    assert hits / 25 < HU_LIU_RECALL
