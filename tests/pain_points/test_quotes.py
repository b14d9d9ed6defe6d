"""jkit.pain_points.quotes: the most negative distinct quotes, redacted by default."""

from __future__ import annotations

import pandas as pd

from jkit.sentiment import representative_quotes


def test_representative_quotes_most_negative_first_distinct_and_redacted():
    frame = pd.DataFrame(
        {
            "text": ["Refund is slow, call me at 555-0100", "refund is slow, call me at 555-0100", "Refund late. Bad.",
                     "Quick refund, thanks", "No mention here"],
            "compound": [-0.6, -0.6, -0.8, 0.5, -0.9],
        }
    )
    quotes = representative_quotes(frame, "refund", n=3, redact=lambda q: q.replace("555-0100", "[phone]"))
    assert quotes == ["Refund late. Bad.", "Refund is slow, call me at [phone]", "Quick refund, thanks"]
    long = pd.DataFrame({"text": ["Intro sentence here. " * 20 + "The refund never came."], "compound": [-0.5]})
    assert representative_quotes(long, "refund", max_chars=60) == ["The refund never came."]


def test_quotes_are_redacted_by_default_and_keep_html_as_text():
    import pandas as pd

    from jkit.pain_points import representative_quotes
    from jkit.privacy import Redactor

    scored = pd.DataFrame({
        "text": ["Late delivery again, call me on +44 20 7946 0958", "late delivery <b>twice</b>, ann@example.com",
                 "late delivery, Ann Lee here"],
        "compound": [-0.6, -0.5, -0.4],
    })
    quotes = representative_quotes(scored, "late delivery")
    assert quotes == ["Late delivery again, call me on [phone]", "late delivery <b>twice</b>, [email]",
                      "late delivery, Ann Lee here"]
    named = Redactor(names=["Ann Lee"])
    assert representative_quotes(scored, "late delivery", redact=named)[2] == "late delivery, [name] here"
    assert named.texts_redacted == 3
    assert representative_quotes(scored, "late delivery", redact=False)[0].endswith("+44 20 7946 0958")
