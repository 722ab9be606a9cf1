"""The verdict against black boxes whose truth is known.

Additive word effects are what the surrogate can describe: "trust". An interaction (an XOR of two words) and
noise (a hash of the whole string) are what no model of single words can describe: "distrust", and adaptive
sampling gives up on them early instead of spending its budget (at most 1,500 model calls).
"""

from __future__ import annotations

import pytest

from lime_core.explainer import TextExplainer
from lime_core.trust import adaptive
from lime_core.verdict import VERDICT_SCOPE, judge_trust
from tests.blackboxes import (
    SENTIMENT_TEXT,
    TOPIC_TEXT,
    HashNoiseModel,
    XorModel,
    sentiment_model,
    topic_model,
    xor_words,
)

# A longer text (70 words, most of them once): where the old first round alone took 10 samples per word.
LONG_TEXT = (
    "Our support team answered quickly and the replacement arrived within a week, although the original order had "
    "been lost somewhere between the warehouse and the courier. The packaging was sturdy, the manual clear, and "
    "setup took ten minutes. Battery life matches the advertised figure, the screen is bright outdoors, yet the "
    "speaker sounds thin at high volume and the case scratches easily in a pocket with keys."
)
HOPELESS_CALLS = 1500


@pytest.mark.parametrize(("text", "model"), [(SENTIMENT_TEXT, sentiment_model()), (TOPIC_TEXT, topic_model())])
def test_additive_word_effects_are_trusted(text, model) -> None:
    e = TextExplainer(n_samples="auto", random_state=0, faithfulness=True).explain(text, model)
    verdict = judge_trust(e)
    assert verdict.level == "trust", verdict.reasons
    assert e.sampling.stopped_because != adaptive.STOP_HOPELESS


@pytest.mark.parametrize("text", [SENTIMENT_TEXT, LONG_TEXT])
@pytest.mark.parametrize("box", ["xor", "hash"])
def test_interaction_and_noise_stop_early_with_do_not_trust(text: str, box: str) -> None:
    model = XorModel(*xor_words(text)) if box == "xor" else HashNoiseModel()
    e = TextExplainer(n_samples="auto", random_state=0).explain(text, model)
    verdict = judge_trust(e)
    assert verdict.level == "distrust", verdict.reasons
    assert e.sampling.stopped_because == adaptive.STOP_HOPELESS
    assert e.n_model_calls == model.n_texts_seen <= HOPELESS_CALLS
    fidelity = verdict.check("fidelity")
    assert fidelity is not None and fidelity.level == "distrust"


@pytest.mark.parametrize("box", ["xor", "hash"])
def test_fixed_sample_counts_also_say_do_not_trust(box: str) -> None:
    model = XorModel(*xor_words(SENTIMENT_TEXT)) if box == "xor" else HashNoiseModel()
    e = TextExplainer(n_samples=2000, random_state=0).explain(SENTIMENT_TEXT, model)
    assert judge_trust(e).level == "distrust"


def test_hopeless_needs_a_certain_and_settled_shortfall() -> None:
    low = 0.55
    assert adaptive.hopeless(low, 300, None, 0.8)  # far below, first round
    assert not adaptive.hopeless(low, 20, None, 0.8)  # too few held-out samples to tell
    assert not adaptive.hopeless(0.72, 300, None, 0.8)  # the first round needs a margin
    assert adaptive.hopeless(0.72, 300, 0.71, 0.8)  # below and not improving
    assert not adaptive.hopeless(0.72, 300, 0.6, 0.8)  # still improving: more samples may help
    assert not adaptive.hopeless(0.9, 300, 0.9, 0.8)
    assert not adaptive.hopeless(float("nan"), 300, None, 0.8)


def test_the_verdict_says_it_is_about_the_explanation_not_the_prediction() -> None:
    assert "explanation" in VERDICT_SCOPE and "not say whether the model's prediction is right" in VERDICT_SCOPE
