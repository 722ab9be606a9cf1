"""The trust panel says what its numbers say: zero and negative changes in words, "relies on" only above its
threshold, no "top 0 words", agreement that agrees, and reused answers apart from model calls made now."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from lime_core import PredictionCache, TextExplainer
from lime_core.explanation import FidelityMetrics
from lime_core.formatters.html import format_html
from lime_core.formatters.trust import sampling_line, signs_line, stability_warning, trust_summary
from lime_core.verdict import RELIES_MIN_DROP, judge, judge_trust, probability_change
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


# -- plain words first: a term of the trade only beside the figures, in brackets -------------------------------------

JARGON = ("KL", "AUC", "Jaccard", "refit", "interval", "held-out", "surrogate", "Spearman", "occlusion",
          "comprehensiveness", "sufficiency", "deletion", "divergence", "nats")


def plain_part(sentence: str) -> str:
    """The sentence without its bracketed parts (where the figures for experts go)."""
    previous = None
    while previous != sentence:
        previous, sentence = sentence, re.sub(r"\([^()]*\)", "", sentence)
    return sentence


def jargon_in(sentence: str) -> list[str]:
    plain = plain_part(sentence)
    return [term for term in JARGON if re.search(rf"\b{re.escape(term)}", plain, flags=re.IGNORECASE)]


def _variants(explanation) -> list:
    """The explanation with each check's report bent into every branch its wording has."""
    from lime_core.explanation import STOP_CAP, STOP_PRECISE, STOP_SHARED, SamplingReport, WordStability

    r, f, target = explanation.stability, explanation.faithfulness, explanation.targets[0]
    assert r is not None and f is not None and r.top_k
    leader = WordStability(r.top_k[0], 0.6, 0.2, 1)
    stability = [
        dataclasses.replace(r, level="high", warning=False, top_k_jaccard=1.0, expected_jaccard=0.99),
        dataclasses.replace(r, level="high", warning=True, top_k_jaccard=0.95, expected_jaccard=0.7),  # near tie
        dataclasses.replace(r, level="low", warning=True, top_k_jaccard=0.6,
                            words=(*(w for w in r.words if w.feature != r.top_k[0]), leader)),
        dataclasses.replace(r, level="medium", warning=True, top_k_jaccard=0.7,
                            words=tuple(dataclasses.replace(w, in_top_k=0.8, sign_flips=0.1) for w in r.words)),
    ]
    faithfulness = [dataclasses.replace(f, level=level) for level in ("good", "weak", "poor", "uninformative")]
    faithfulness.append(dataclasses.replace(f, level="good", scores=dataclasses.replace(f.scores,
                                                                                        comprehensiveness=0.02)))
    unsure = tuple(dataclasses.replace(w, interval=(-1.0, 1.0)) for w in target.weights)
    sampling = [SamplingReport("auto", 3, 1500, 1500, stop, 5000) for stop in (STOP_CAP, STOP_PRECISE, STOP_SHARED)]
    poor_fit = [FidelityMetrics(kl, score, n) for kl, score, n in ((0.5, 0.5, 10), (0.2, 0.9, 100), (0.01, 0.99, 20))]
    return [
        explanation,
        *(dataclasses.replace(explanation, stability=s) for s in stability),
        *(dataclasses.replace(explanation, faithfulness=x) for x in faithfulness),
        *(dataclasses.replace(explanation, sampling=s) for s in sampling),
        *(dataclasses.replace(explanation, metrics=m) for m in poor_fit),
        dataclasses.replace(explanation, targets=(dataclasses.replace(target, weights=unsure),)),
        dataclasses.replace(explanation, targets=(dataclasses.replace(target, weights=unsure[:1] + target.weights[1:]),
                                                  )),
    ]


def test_no_reason_a_stakeholder_reads_leads_with_a_term_of_the_trade(explanation) -> None:
    from dashboard.checklist import checklist_rows

    said: set[str] = set()
    for variant in _variants(explanation):
        verdict = judge_trust(variant)
        said.update([verdict.summary, *verdict.reasons, *(c.message for c in verdict.checks)])
        said.update(row.figure for row in checklist_rows(trust_summary(variant)))
        warning = stability_warning(trust_summary(variant))
        if warning:
            said.add(warning)
    for gap in (None, 0.05, 0.2, 0.4):
        for metrics in (FidelityMetrics(0.5, 0.5, 10), FidelityMetrics(0.2, 0.9, 100), FidelityMetrics(0.01, 0.99, 80)):
            said.update(judge(metrics, gap).reasons)
    assert len(said) > 30  # every branch above said something of its own
    leading = {s: jargon_in(s) for s in said if jargon_in(s)}
    assert not leading, "\n".join(f"{terms}: {s}" for s, terms in leading.items())
    # ... and the figures stay beside the words, for experts
    assert any("deletion AUC" in s for s in said) and any("KL" in s for s in said)
    assert any("refits" in s for s in said) and any("interval" in s for s in said)


def test_the_jargon_check_can_fail() -> None:
    assert jargon_in("deletion AUC 0.29 vs 0.89") == ["AUC", "deletion"]
    assert jargon_in("refits agree on 87% of the top words") == ["refit"]
    assert not jargon_in("removing the top words changes the prediction more (deletion AUC 0.29 vs 0.89)")
