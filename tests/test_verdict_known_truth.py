"""The verdict against black boxes whose truth is known.

Additive word effects are what the surrogate can describe: "trust". An interaction (an XOR of two words) and
noise (a hash of the whole string) are what no model of single words can describe: "distrust", and adaptive
sampling gives up on them early instead of spending its budget (at most 1,500 model calls).
"""

from __future__ import annotations

import numpy as np
import pytest

from lime_core.explainer import TextExplainer
from lime_core.metrics import close_agreement
from lime_core.trust import adaptive
from lime_core.verdict import TRUST_MIN_CLOSE_AGREEMENT, VERDICT_SCOPE, judge_trust, verdict_to_dict
from tests.blackboxes import (
    SENTIMENT_TEXT,
    TOPIC_TEXT,
    HashNoiseModel,
    LogisticWordModel,
    MultiLabelWordModel,
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


# -- what "Trustworthy" claims: the settled top words, and a near tie after them named as a tie ----------------------

# Four words of clearly different effects, then two of exactly equal size (opposite signs): the truth is a top 4 and
# a tie for 5th, which no number of samples can break.
TIE_COEFS = {"superb": 3.0, "dreadful": -2.4, "charming": 1.8, "clumsy": -1.2, "witty": 0.6, "dull": -0.6}
TIE_TEXT = "A superb cast and a charming score, a clumsy middle and a dreadful ending, witty lines, dull sets."


def test_a_near_tie_at_the_edge_is_named_and_the_words_before_it_are_trusted() -> None:
    model = LogisticWordModel(TIE_COEFS)
    e = TextExplainer(n_samples="auto", random_state=0).explain(TIE_TEXT, model, targets=["positive"])
    verdict = judge_trust(e)
    assert verdict.level == "trust", verdict.reasons
    truth = sorted(TIE_COEFS, key=lambda w: -abs(TIE_COEFS[w]))
    # The claim holds against the truth: the settled words are the true top ones, with the true signs ...
    assert 3 <= len(verdict.settled) <= 4 and set(verdict.settled) == set(truth[: len(verdict.settled)])
    weights = {w.feature: w.weight for w in e.targets[0].weights}
    assert all((weights[w] > 0) == (TIE_COEFS[w] > 0) for w in verdict.settled)
    # ... and the tie is named as a tie, in the verdict's one line and in its JSON.
    assert {"witty", "dull"} <= set(verdict.tied)
    assert "\u201cwitty\u201d" in verdict.summary and "\u201cdull\u201d" in verdict.summary
    assert verdict.summary.startswith(f"The top {len(verdict.settled)} words are settled")
    if len(verdict.settled) == 4:
        assert "tied for 5th" in verdict.summary
    d = verdict_to_dict(verdict)
    assert d["settled"] == list(verdict.settled) and d["tied"] == list(verdict.tied)


def test_a_label_near_one_half_is_not_distrusted_for_landing_a_hair_on_the_other_side() -> None:
    # "even" hovers at 0.5: its words move it by a little either way, so on many variations the model itself sits
    # near 0.5, and a surrogate a hair off picks the other side. Counted as a disagreement, that alone failed it.
    coefs = {"even": {"rain": 0.35, "wind": -0.3, "sun": 0.25}, "odd": {"rain": 2.5, "sun": -2.0}}
    model = MultiLabelWordModel(coefs, {"even": 0.0, "odd": 0.5})
    text = "rain and wind then sun and rain over the hills"
    explainer = TextExplainer(n_samples=2000, random_state=0).fit(text, model)
    e = explainer.explanation("even")
    m = e.metrics
    assert m.close_agreement is not None and m.close_agreement > m.score  # the hair's breadth no longer counts
    assert m.close_agreement >= TRUST_MIN_CLOSE_AGREEMENT
    fidelity = judge_trust(e).check("fidelity")
    assert fidelity is not None and fidelity.level == "trust", fidelity.message
    # The rule is the same at any number of classes: a pick the model rates within the margin of its own top.
    binary_p, binary_q = np.array([[0.51, 0.49], [0.30, 0.70]]), np.array([[0.49, 0.51], [0.60, 0.40]])
    assert close_agreement(binary_p, binary_q) == 0.5  # a hair's breadth agrees; a clear miss does not
    twenty_p = np.array([[0.30, 0.29, *[0.41 / 18] * 18]])
    twenty_q = np.array([[0.29, 0.30, *[0.41 / 18] * 18]])
    assert close_agreement(twenty_p, twenty_q) == 1.0
    assert close_agreement(twenty_p, twenty_q[:, ::-1]) == 0.0  # a class the model rates at 0.02


# Two words that matter, then 24 of exactly equal small effect: the truth is a top 2 and a 22-way tie for places
# 3-5. Bootstrap refits pick different tail words for those places (their top-5 Jaccard is low, many words enter),
# which says nothing about the two words before them.
FLAT_TAIL = (
    "amber", "basil", "cedar", "delta", "ember", "fjord", "grove", "haven", "inlet", "jetty", "knoll", "ledge",
    "marsh", "nook", "orchard", "pier", "quarry", "ridge", "shoal", "thicket", "upland", "vale", "wharf", "yard",
)
FLAT_TAIL_COEFS = {"superb": 3.0, "dreadful": -2.0, **{w: 0.3 for w in FLAT_TAIL}}
FLAT_TAIL_TEXT = "A superb evening and a dreadful morning by the " + ", the ".join(FLAT_TAIL) + "."


@pytest.mark.parametrize("seed", [0, 1])
def test_words_before_a_broad_tie_are_settled_though_the_refits_disagree_after_them(seed: int) -> None:
    # A long post explained sentence by sentence looks like this: one or two sentences that matter, then dozens that
    # weigh alike. Counting every word that entered the top 5 in some refit as a lost place, and the refits' low
    # Jaccard over places 3-5, said "none of the top 5 is settled" about two words 7 and 10 times the others' weight.
    e = TextExplainer(n_samples=2000, random_state=seed).explain(FLAT_TAIL_TEXT, LogisticWordModel(FLAT_TAIL_COEFS),
                                                                 targets=["positive"])
    r = e.stability
    assert r is not None and r.top_k_jaccard < 0.6 and len(r.entered) >= 3  # the situation the rule is about
    assert r.refits_agree == 2  # every refit has the same top 2 with the same signs, and no refit has the same top 3
    verdict = judge_trust(e)
    assert verdict.level == "trust", verdict.reasons
    assert verdict.settled == ("superb", "dreadful")  # the true top 2, in order, with the true signs:
    weights = {w.feature: w.weight for w in e.targets[0].weights}
    assert weights["superb"] > 0 > weights["dreadful"]
    assert verdict.tied and set(verdict.tied) <= set(FLAT_TAIL)  # the tie after them is named, tail words only
    assert verdict.summary.startswith("The top 2 words are settled")


# The same shape one level up: a document of sentences, one that matters (its word 10 times each other sentence's)
# and 24 that weigh alike. At the sentence level the leading sentence is a claim of its own (the reader opens its
# words next); at the word level one settled word is not enough.
FLAT_SENTENCES_TEXT = " ".join(
    ["The service was superb from start to finish.", *(f"We walked past the {w} on the way." for w in FLAT_TAIL)]
)


def test_one_settled_sentence_is_trusted_and_one_settled_word_is_not() -> None:
    model = LogisticWordModel({"superb": 3.0, **{w: 0.3 for w in FLAT_TAIL}})
    by_sentence = TextExplainer(n_samples=2000, random_state=0, level="sentences").explain(
        FLAT_SENTENCES_TEXT, model, targets=["positive"]
    )
    verdict = judge_trust(by_sentence)
    assert verdict.level == "trust", verdict.reasons
    assert verdict.settled == ("The service was superb from start to finish.",)  # the true leading sentence
    assert verdict.tied and all(any(w in t for w in FLAT_TAIL) for t in verdict.tied)  # the tail, named as a tie
    assert verdict.summary.startswith("The top sentence is settled")
    # The same model on one sentence of words: "superb" alone is settled, the rest a tie, and that is "Check it".
    words_text = "A superb evening by the " + ", the ".join(FLAT_TAIL) + "."
    by_word = TextExplainer(n_samples=2000, random_state=0).explain(words_text, model, targets=["positive"])
    word_verdict = judge_trust(by_word)
    assert word_verdict.settled == ("superb",) and word_verdict.level == "check", word_verdict.summary
