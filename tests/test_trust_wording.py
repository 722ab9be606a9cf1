"""The trust panel says what its numbers say: zero and negative changes in words, "relies on" only above its
threshold, no "top 0 words", agreement that agrees, and reused answers apart from model calls made now."""

from __future__ import annotations

import dataclasses
import json

import pytest

from lime_core import PredictionCache, TextExplainer
from lime_core.formatters.html import format_html
from lime_core.formatters.trust import sampling_line, signs_line, stability_warning, trust_summary
from lime_core.verdict import RELIES_MIN_DROP, judge_trust, probability_change
from tests.blackboxes import SENTIMENT_TEXT, sentiment_model


@pytest.fixture(scope="module")
def explanation():
    explainer = TextExplainer(n_samples=400, random_state=0, uncertainty=True, faithfulness=True)
    return explainer.explain(SENTIMENT_TEXT, sentiment_model())


@pytest.mark.parametrize(
    ("drop", "said"),
    [(0.123, "lowers P(x) by 0.12"), (-0.031, "raises P(x) by 0.03"), (-0.004, "leaves P(x) unchanged"),
     (0.0, "leaves P(x) unchanged")],
)
def test_a_change_of_probability_is_said_in_words(drop: float, said: str) -> None:
    assert probability_change(drop, "x") == said
    assert "-0.00" not in probability_change(drop, "x") and "by -" not in probability_change(drop, "x")


def test_relies_on_only_above_the_stated_threshold(explanation) -> None:
    f = explanation.faithfulness
    assert f is not None and f.comprehensiveness >= RELIES_MIN_DROP  # the word model really relies on its words
    message = judge_trust(explanation).check("faithfulness").message
    if f.level == "good":
        assert message.startswith("The model relies on these words")
    small = dataclasses.replace(f, level="good", scores=dataclasses.replace(f.scores, comprehensiveness=0.04))
    weak = judge_trust(dataclasses.replace(explanation, faithfulness=small)).check("faithfulness").message
    assert "relies on" not in weak and f"less than {RELIES_MIN_DROP:.2f}" in weak and "by 0.04" in weak


def test_no_top_zero_words_and_an_agreement_that_agrees(explanation) -> None:
    summary = trust_summary(explanation)
    empty = dataclasses.replace(summary, top_words=(), top_uncertain=())
    assert "top 0" not in signs_line(empty) and "no top word" in signs_line(empty)
    r = summary.stability
    flipped = dataclasses.replace(r, top_k_jaccard=1.0, level="high", warning=True)
    warning = stability_warning(dataclasses.replace(summary, stability=flipped, sign_flips=(r.top_k[0],)))
    assert warning and "do not agree" not in warning and "agree across re-runs (agreement 100%)" in warning


def test_reused_answers_are_not_reported_as_zero_model_calls() -> None:
    cache, model = PredictionCache(), sentiment_model()
    first = TextExplainer(n_samples=300, random_state=0, cache=cache).explain(SENTIMENT_TEXT, model)
    again = TextExplainer(n_samples=300, random_state=0, cache=cache).explain(SENTIMENT_TEXT, model)
    assert first.n_model_calls > 0 and first.n_answers_reused == 0
    assert again.n_model_calls == 0 and again.n_answers_reused == first.n_model_calls
    line = sampling_line(again.sampling, reused=again.n_answers_reused)
    assert f"0 model calls made now, answers reused: {first.n_model_calls:,}" in line
    html = format_html(again, standalone=True)
    assert "0 sent to the model" not in html and f"answers reused: {first.n_model_calls:,}" in html
    assert json.loads(again.to_json())["n_answers_reused"] == first.n_model_calls
