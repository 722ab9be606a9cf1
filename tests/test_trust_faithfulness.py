"""Faithfulness on the black box itself: comprehensiveness, sufficiency, deletion curve, baselines, model calls."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy.special import expit

from lime_core.explainer import TextExplainer
from lime_core.explanation import Explanation
from lime_core.features import FeatureSpace
from lime_core.predictor import BlackBox, PredictionCache
from lime_core.tokenization import TokenizedText
from lime_core.trust.faithfulness import curve_steps, faithfulness_report
from tests.blackboxes import (
    SENTIMENT_BIAS,
    SENTIMENT_COEFS,
    SENTIMENT_TEXT,
    TOPIC_TEXT,
    ConstantModel,
    sentiment_model,
    topic_model,
    word_counts,
)


def report_for(ranking_scores: dict[str, float], model, text: str = SENTIMENT_TEXT, k: int = 3, seed: int = 0):
    """The faithfulness report of an arbitrary word ranking (scores: higher is removed first)."""
    tokenized = TokenizedText.from_text(text)
    space = FeatureSpace.build(tokenized)
    names = space.names[: space.groups.n_words]
    scores = np.array([ranking_scores.get(n, 0.0) for n in names])
    return faithfulness_report(
        tokenized,
        space.groups.word_of_token,
        names,
        scores,
        BlackBox(model),
        1,
        "positive",
        k,
        np.random.default_rng(seed),
    )


@pytest.fixture(scope="module")
def explained() -> tuple[Explanation, int, int]:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=600, random_state=0, faithfulness=True).fit(SENTIMENT_TEXT, model)
    sent_in_fit = len(model.texts_seen)
    e = explainer.explanation()
    return e, sent_in_fit, len(model.texts_seen)


def test_correct_explanation_beats_a_random_ranking(explained) -> None:
    e, _, _ = explained
    f = e.faithfulness
    rand = f.baselines["random"]
    assert f.class_name == e.targets[0].class_name == "positive"
    assert f.comprehensiveness > rand.comprehensiveness + 0.2
    assert f.auc < rand.auc - 0.2
    assert f.beats_random and f.level == "good"
    # On a model that is exactly additive in words, LIME's ranking is as good as leaving each word out.
    assert f.auc == pytest.approx(f.baselines["occlusion"].auc, abs=0.02)


def test_a_wrong_ranking_is_judged_poor() -> None:
    model = sentiment_model()
    right = report_for(SENTIMENT_COEFS, model)
    wrong = report_for({w: -c for w, c in SENTIMENT_COEFS.items()}, model)  # pushes towards the class removed last
    assert right.level == "good"
    assert wrong.level == "poor" and not wrong.beats_random
    assert wrong.comprehensiveness < 0 < right.comprehensiveness
    assert wrong.auc > wrong.baselines["random"].auc > right.auc


def test_numbers_follow_their_definitions(explained) -> None:
    e, _, _ = explained
    f = e.faithfulness
    counts = word_counts(SENTIMENT_TEXT)

    def p(kept_words) -> float:  # the logistic model's P(positive) for a text keeping only these words
        z = SENTIMENT_BIAS + sum(SENTIMENT_COEFS.get(w, 0.0) * counts[w] for w in kept_words)
        return float(expit(z))

    p0 = p(counts)
    assert f.probability == pytest.approx(p0) == pytest.approx(e.probabilities[1])
    n_words = len(counts)
    assert f.n_words == n_words and len(f.curve) == n_words + 1
    assert [c.k for c in f.curve] == list(range(n_words + 1))
    # Words are removed by their contribution towards "positive", largest first.
    ranking = [w.feature for w in sorted(e.targets[0].weights, key=lambda w: -w.contribution)]
    for point in f.curve:
        assert point.probability == pytest.approx(p(set(counts) - set(ranking[: point.k])))
    top = set(ranking[: f.k])
    assert f.comprehensiveness == pytest.approx(p0 - p(set(counts) - top))
    assert f.sufficiency == pytest.approx(p0 - p(top))
    x = np.arange(n_words + 1) / n_words
    y = np.array([c.probability for c in f.curve])
    assert f.auc == pytest.approx(float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2)))


def test_cost_is_a_few_dozen_distinct_texts_through_the_same_cache(explained) -> None:
    e, sent_in_fit, sent_total = explained
    f = e.faithfulness
    assert sent_total == sent_in_fit  # computed during fit(); explanation() asked nothing more
    n = f.n_words
    assert 0 < f.n_model_calls <= n + (2 + f.n_random) * (n + 1) + 1
    cache = PredictionCache()
    model = sentiment_model()
    first = TextExplainer(n_samples=300, random_state=1, cache=cache, faithfulness=True).explain(SENTIMENT_TEXT, model)
    again = TextExplainer(n_samples=300, random_state=1, cache=cache, faithfulness=True).explain(SENTIMENT_TEXT, model)
    assert first.faithfulness.n_model_calls > 0 and again.faithfulness.n_model_calls == 0
    same = dataclasses.replace(again.faithfulness, n_model_calls=first.faithfulness.n_model_calls)
    assert same == first.faithfulness  # same seed: same random baseline too


def test_off_by_default_and_explanation_model_calls_exclude_it() -> None:
    model = sentiment_model()
    plain = TextExplainer(n_samples=300, random_state=2).explain(SENTIMENT_TEXT, model)
    assert plain.faithfulness is None and "faithfulness" not in plain.to_dict()
    faithful = TextExplainer(n_samples=300, random_state=2, faithfulness=True).explain(
        SENTIMENT_TEXT, sentiment_model()
    )
    assert faithful.n_model_calls == plain.n_model_calls  # the sampling's calls; the check counts its own
    assert faithful.targets == plain.targets


def test_a_model_that_ignores_words_is_uninformative() -> None:
    f = report_for({"good": 1.0}, ConstantModel((0.3, 0.7), ("negative", "positive")))
    assert f.level == "uninformative"
    assert f.comprehensiveness == pytest.approx(0.0) and f.sufficiency == pytest.approx(0.0)


def test_three_classes_and_other_targets() -> None:
    explainer = TextExplainer(n_samples=600, random_state=3, faithfulness=True).fit(TOPIC_TEXT, topic_model())
    e = explainer.explanation("politics")
    f = e.faithfulness
    assert f.class_name == "politics"  # the predicted class is not a target here, so the first target is checked
    assert f.level in ("good", "weak") and f.beats_random
    sports = explainer.explanation("all").faithfulness
    assert sports.class_name == e.predicted_class


def test_long_texts_use_a_coarser_curve() -> None:
    steps = curve_steps(100, 5, max_points=20)
    assert steps[0] == 0 and steps[-1] == 100 and 5 in steps and len(steps) <= 22
    assert curve_steps(7, 3).tolist() == list(range(8))
    long_text = " ".join(f"w{i}" for i in range(60)) + " good bad"
    model = sentiment_model()
    e = TextExplainer(n_samples=300, random_state=4, faithfulness=True).explain(long_text, model)
    f = e.faithfulness
    assert len(f.curve) <= 22 and f.curve[-1].k == f.n_words == 62
    assert f.n_model_calls <= 62 + 5 * 22 + 2
