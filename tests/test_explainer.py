"""The explainer end to end, on black boxes whose word effects are known (tests/blackboxes.py)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from lime_core.errors import InputTextError, LimeCoreError
from lime_core.explainer import TextExplainer, class_weights, explain_text, resolve_targets
from lime_core.explanation import Explanation
from lime_core.kernels import ExponentialKernel, cosine_similarity_to_original
from lime_core.metrics import kl_divergence_rows, mean_kl_divergence, top_class_agreement
from lime_core.predictor import PredictionCache
from lime_core.sampling import BagOfWordsSampler, PositionSampler
from lime_core.surrogates import RidgeSurrogate, SoftmaxSurrogate
from tests.blackboxes import (
    SENTIMENT_COEFS,
    SENTIMENT_NEUTRAL,
    SENTIMENT_TEXT,
    TOPIC_CLASSES,
    TOPIC_NEUTRAL,
    TOPIC_TEXT,
    TOPIC_WEIGHTS,
    ConstantModel,
    LogisticWordModel,
    NoProbaModel,
    sentiment_model,
    topic_model,
    word_counts,
)

N = 1500  # samples per explanation: enough for the exact-family models, fast enough for the suite


def weights_of(target) -> dict[str, float]:
    return {w.feature: w.weight for w in target.weights}


def true_top(effects: dict[str, float], k: int) -> list[str]:
    return sorted(effects, key=lambda w: -abs(effects[w]))[:k]


@pytest.fixture(scope="module")
def sentiment() -> tuple[TextExplainer, Explanation]:
    explainer = TextExplainer(n_samples=N, random_state=0).fit(SENTIMENT_TEXT, sentiment_model())
    return explainer, explainer.explanation("all")


@pytest.fixture(scope="module")
def topic() -> tuple[TextExplainer, Explanation]:
    explainer = TextExplainer(n_samples=N, random_state=0).fit(TOPIC_TEXT, topic_model())
    return explainer, explainer.explanation("all")


# -- known effects: two classes -------------------------------------------------------------------------------------


def test_two_class_weights_approximate_the_true_log_odds_coefficients(sentiment) -> None:
    _, e = sentiment
    pos, neg = weights_of(e.target("positive")), weights_of(e.target("negative"))
    for word, coef in SENTIMENT_COEFS.items():
        # the default alpha=1e-3 shrinks the weights by a few per cent
        assert pos[word] == pytest.approx(coef, rel=0.08), word
        assert neg[word] == pytest.approx(-coef, rel=0.08), word
    assert e.target("positive").bias == pytest.approx(0.2, abs=0.1)


def test_two_class_weights_are_exact_with_a_tiny_penalty() -> None:
    surrogate = SoftmaxSurrogate(alpha=1e-7, tol=1e-10)
    e = TextExplainer(n_samples=N, random_state=1, surrogate=surrogate).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="positive"
    )
    pos = weights_of(e.targets[0])
    for word, coef in SENTIMENT_COEFS.items():
        assert pos[word] == pytest.approx(coef, abs=0.01), word
    for word in SENTIMENT_NEUTRAL:
        assert abs(pos[word]) < 0.01, word


def test_two_class_recovers_words_signs_and_order(sentiment) -> None:
    _, e = sentiment
    t = e.target("positive")
    k = len(SENTIMENT_COEFS)
    assert [w.feature for w in t.top(k)] == true_top(SENTIMENT_COEFS, k) == ["bad", "good", "great", "awful"]
    assert [w.feature for w in t.positive[:2]] == ["good", "great"]
    assert [w.feature for w in t.negative[:2]] == ["bad", "awful"]


def test_words_without_an_effect_get_near_zero_weights(sentiment) -> None:
    _, e = sentiment
    pos = weights_of(e.target("positive"))
    assert set(pos) == set(SENTIMENT_COEFS) | set(SENTIMENT_NEUTRAL)
    for word in SENTIMENT_NEUTRAL:
        assert abs(pos[word]) < 0.05, (word, pos[word])


def test_two_class_weights_are_opposite_for_the_two_classes(sentiment) -> None:
    _, e = sentiment
    pos, neg = weights_of(e.target("positive")), weights_of(e.target("negative"))
    assert all(pos[w] == -neg[w] for w in pos)
    assert e.target("positive").bias == -e.target("negative").bias


def test_class_weights_helper() -> None:
    coef = np.array([[-0.5, 1.0], [0.5, -1.0]])
    w, b = class_weights(coef, np.array([-0.1, 0.1]))
    np.testing.assert_allclose(w, [[-1.0, 2.0], [1.0, -2.0]])
    np.testing.assert_allclose(b, [-0.2, 0.2])
    coef3 = np.arange(6.0).reshape(3, 2)
    w3, _ = class_weights(coef3, np.zeros(3))
    np.testing.assert_array_equal(w3, coef3)


def test_weights_are_sorted_and_carry_spans_and_counts(sentiment) -> None:
    _, e = sentiment
    counts = word_counts(SENTIMENT_TEXT)
    for t in e.targets:
        values = [w.weight for w in t.weights]
        assert values == sorted(values, reverse=True)
        for w in t.weights:
            assert w.value == counts[w.feature]
            assert len(w.spans) == counts[w.feature]
            assert all(SENTIMENT_TEXT[a:b].casefold() == w.feature for a, b in w.spans)


def test_probabilities_are_the_black_box_s_and_the_surrogate_agrees(sentiment) -> None:
    _, e = sentiment
    expected = sentiment_model().predict_proba([SENTIMENT_TEXT])[0]
    np.testing.assert_allclose(e.probabilities, expected)
    np.testing.assert_allclose(e.surrogate_probabilities, expected, atol=0.02)
    assert e.target("positive").probability == pytest.approx(expected[1])
    assert e.predicted_class == "positive" and e.class_names == ("negative", "positive")


def test_ridge_surrogate_recovers_signs_and_the_strongest_words() -> None:
    e = TextExplainer(n_samples=N, random_state=2, surrogate=RidgeSurrogate()).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="positive"
    )
    w = weights_of(e.targets[0])
    for word, coef in SENTIMENT_COEFS.items():
        assert np.sign(w[word]) == np.sign(coef), word
    assert {x.feature for x in e.targets[0].top(2)} == {"bad", "good"}


def test_bigram_features_of_a_unigram_model_get_near_zero_weights() -> None:
    e = TextExplainer(n_samples=N, random_state=3, bigrams=True).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="positive"
    )
    t = e.targets[0]
    bigrams = [w for w in t.weights if " " in w.feature]
    assert {"the acting", "was good", "the plot"} <= {w.feature for w in bigrams}
    assert "great but" not in {w.feature for w in bigrams}  # the comma separates them
    for w in bigrams:
        assert abs(w.weight) < 0.15, w
        assert all(" " in SENTIMENT_TEXT[a:b] for a, b in w.spans)
    assert [w.feature for w in t.top(4)] == true_top(SENTIMENT_COEFS, 4)


@pytest.mark.parametrize("sampler", [PositionSampler(), BagOfWordsSampler()], ids=["positions", "bow"])
def test_known_effects_are_recovered_with_either_sampler(sampler) -> None:
    e = TextExplainer(n_samples=N, random_state=4, sampler=sampler).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="positive"
    )
    assert [w.feature for w in e.targets[0].top(4)] == true_top(SENTIMENT_COEFS, 4)


def test_known_effects_in_non_latin_scripts() -> None:
    coefs = {"अच्छा": 1.5, "好": 1.0, "ужасно": -2.0, "جميل": 0.5}
    text = "फिल्म अच्छा थी। 电影很好！ Но конец ужасно скучный, والموسيقى جميل"
    e = TextExplainer(n_samples=N, random_state=5).explain(text, LogisticWordModel(coefs), targets="positive")
    w = weights_of(e.targets[0])
    for word, coef in coefs.items():
        assert w[word] == pytest.approx(coef, rel=0.1), word
    assert [x.feature for x in e.targets[0].top(4)] == true_top(coefs, 4)
    for x in e.targets[0].weights:
        assert all(text[a:b].casefold() == x.feature for a, b in x.spans)
    assert {"电", "影", "很"} <= set(w)  # one feature per ideograph
    assert all(abs(w[f]) < 0.05 for f in ("电", "影", "很", "फिल्म", "конец"))


# -- known effects: three classes -----------------------------------------------------------------------------------


def test_three_class_weights_recover_the_centred_logits(topic) -> None:
    _, e = topic
    model = topic_model()
    assert [t.class_name for t in e.targets] == list(TOPIC_CLASSES)
    for c, t in enumerate(e.targets):
        w = weights_of(t)
        for word in TOPIC_WEIGHTS:
            assert w[word] == pytest.approx(model.true_weight(word, c), abs=0.08), (t.class_name, word)
        for word in TOPIC_NEUTRAL:
            assert abs(w[word]) < 0.05, (t.class_name, word)


def test_three_class_top_k_order_and_signs(topic) -> None:
    _, e = topic
    model = topic_model()
    for c, t in enumerate(e.targets):
        effects = {word: model.true_weight(word, c) for word in TOPIC_WEIGHTS}
        assert [w.feature for w in t.top(4)] == true_top(effects, 4), t.class_name
        w = weights_of(t)
        assert all(np.sign(w[word]) == np.sign(v) for word, v in effects.items())


def test_three_class_predicted_target_by_default() -> None:
    model = topic_model()
    e = TextExplainer(n_samples=200, random_state=0).explain(TOPIC_TEXT, model)
    expected = TOPIC_CLASSES[int(np.argmax(model.predict_proba([TOPIC_TEXT])[0]))]
    assert [t.class_name for t in e.targets] == [expected] and e.predicted_class == expected


# -- reproducibility ------------------------------------------------------------------------------------------------


def test_same_seed_gives_an_identical_explanation_and_json() -> None:
    a = TextExplainer(n_samples=300, random_state=11).explain(TOPIC_TEXT, topic_model(), targets="all")
    b = TextExplainer(n_samples=300, random_state=11).explain(TOPIC_TEXT, topic_model(), targets="all")
    assert a == b
    assert a.to_json() == b.to_json()


def test_different_seeds_give_different_samples() -> None:
    a = TextExplainer(n_samples=300, random_state=11).fit(TOPIC_TEXT, topic_model())
    b = TextExplainer(n_samples=300, random_state=12).fit(TOPIC_TEXT, topic_model())
    assert not np.array_equal(a.keep_, b.keep_)
    assert a.explanation() != b.explanation()


def test_fitting_twice_with_the_same_explainer_is_reproducible() -> None:
    explainer = TextExplainer(n_samples=300, random_state=5)
    assert explainer.explain(SENTIMENT_TEXT, sentiment_model()) == explainer.explain(SENTIMENT_TEXT, sentiment_model())


# -- targets --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        (None, ["positive"]),
        ("all", ["negative", "positive"]),
        ("negative", ["negative"]),
        (0, ["negative"]),
        (np.int64(1), ["positive"]),
        (["positive", 0], ["positive", "negative"]),
        (("negative", 0, "negative"), ["negative"]),
    ],
)
def test_targets(sentiment, targets, expected) -> None:
    explainer, _ = sentiment
    assert [t.class_name for t in explainer.explanation(targets).targets] == expected


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ("neutral", r"unknown class 'neutral'; the model's classes are \['negative', 'positive'\]"),
        (["positive", "neutral"], "unknown class 'neutral'"),
        (2, "class index 2 is out of range for 2 classes"),
        (-1, "class index -1 is out of range"),
    ],
)
def test_bad_targets_raise_value_error(sentiment, targets, message) -> None:
    explainer, _ = sentiment
    with pytest.raises(ValueError, match=message):
        explainer.explanation(targets)


def test_resolve_targets_directly() -> None:
    assert resolve_targets(None, ["a", "b", "c"], 2) == [2]
    assert resolve_targets("all", ["a", "b", "c"], 2) == [0, 1, 2]
    assert resolve_targets(["c", 0, "c"], ["a", "b", "c"], 2) == [2, 0]


# -- what the model sees --------------------------------------------------------------------------------------------


def test_mask_token_appears_in_the_texts_sent_to_the_model() -> None:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=300, random_state=6, mask_token="[MASK]").fit(SENTIMENT_TEXT, model)
    seen = model.texts_seen
    assert SENTIMENT_TEXT in seen
    assert all("[MASK]" in t for t in seen if t != SENTIMENT_TEXT)
    expected = explainer.tokenized_.rebuild(explainer.keep_, replacement="[MASK]")
    assert set(seen) == set(expected)
    for text, keep in zip(expected, explainer.keep_, strict=True):
        assert text.count("[MASK]") == (~keep).sum()
    assert explainer.explanation().settings.mask_token == "[MASK]"


def test_without_mask_token_removed_words_are_deleted() -> None:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=200, random_state=6).fit("good bad", model)
    assert set(model.texts_seen) <= {"good bad", "good ", " bad", " "}
    assert len(model.texts_seen) == len(set(model.texts_seen))
    assert explainer.settings().mask_token is None


def test_batches_and_progress_through_the_explainer() -> None:
    model = sentiment_model()
    calls: list[tuple[int, int]] = []
    explainer = TextExplainer(n_samples=400, random_state=7, batch_size=64)
    e = explainer.explain(SENTIMENT_TEXT, model, progress=lambda d, t: calls.append((d, t)))
    assert all(len(b) <= 64 for b in model.batches) and model.n_texts_seen == e.n_model_calls
    total = e.n_model_calls
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert all(t == total for _, t in calls)
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and len(calls) == 1 + -(-total // 64)


def test_refit_and_other_targets_make_no_model_calls(sentiment) -> None:
    model = sentiment_model()
    cache = PredictionCache()
    explainer = TextExplainer(n_samples=400, random_state=8, cache=cache).fit(SENTIMENT_TEXT, model)
    n = model.n_texts_seen
    ridge_fit = explainer.refit(np.random.default_rng(0), surrogate=RidgeSurrogate())
    e = explainer.explanation("negative", local_fit=ridge_fit)
    assert model.n_texts_seen == n
    assert weights_of(e.targets[0])["bad"] > 0 and weights_of(e.targets[0])["good"] < 0
    again = TextExplainer(n_samples=400, random_state=8, cache=cache).explain(SENTIMENT_TEXT, model, targets="all")
    assert again.n_model_calls == 0 and model.n_texts_seen == n


# -- fidelity on held-out samples -----------------------------------------------------------------------------------


def test_train_and_heldout_samples_are_disjoint_and_metrics_use_heldout_only(sentiment) -> None:
    explainer, e = sentiment
    fit = explainer.local_fit_
    train, heldout = fit.train_index, fit.heldout_index
    assert len(np.intersect1d(train, heldout)) == 0
    np.testing.assert_array_equal(np.union1d(train, heldout), np.arange(N))
    assert 0 in train, "the original text must be in the training split"
    assert e.metrics.n_heldout == len(heldout) == round(0.3 * N)
    # recompute the metrics from the held-out rows alone (cosine-similarity weights, the default kernel's)
    q = fit.surrogate.predict_proba(explainer.X_[heldout])
    p = explainer.proba_[heldout]
    sim = cosine_similarity_to_original(explainer.keep_)[heldout]
    assert e.metrics.mean_KL_divergence == pytest.approx(mean_kl_divergence(p, q, sim), rel=1e-9)
    assert e.metrics.score == pytest.approx(top_class_agreement(p, q, sim), rel=1e-12)


def test_a_surrogate_from_the_black_box_s_family_gives_kl_near_zero_and_score_one(sentiment, topic) -> None:
    for _, e in (sentiment, topic):
        assert 0 <= e.metrics.mean_KL_divergence < 1e-3
        assert e.metrics.score == 1.0


class RecordingSurrogate(SoftmaxSurrogate):
    """A softmax surrogate that remembers the rows it was fitted on and asked about."""

    def fit(self, X, y_proba, sample_weight):
        self.fit_X_ = X.toarray()
        self.predict_calls_ = []
        return super().fit(X, y_proba, sample_weight)

    def predict_proba(self, X):
        self.predict_calls_.append(X.toarray())
        return super().predict_proba(X)


def test_the_surrogate_is_fitted_on_the_training_rows_and_scored_on_the_heldout_rows() -> None:
    explainer = TextExplainer(n_samples=200, random_state=9, surrogate=RecordingSurrogate())
    explainer.fit(SENTIMENT_TEXT, sentiment_model())
    fit = explainer.local_fit_
    X = explainer.X_.toarray()
    np.testing.assert_array_equal(fit.surrogate.fit_X_, X[fit.train_index])
    assert len(fit.surrogate.predict_calls_) == 1
    np.testing.assert_array_equal(fit.surrogate.predict_calls_[0], X[fit.heldout_index])


class MemorisingSurrogate(BaseEstimator):
    """Reproduces its training rows perfectly and knows nothing else: perfect on train, poor on held-out."""

    def fit(self, X, y_proba, sample_weight):
        self.memory_ = {row.tobytes(): p for row, p in zip(X.toarray(), y_proba, strict=True)}
        self.k_ = y_proba.shape[1]
        return self

    def predict_proba(self, X):
        uniform = np.full(self.k_, 1 / self.k_)
        return np.array([self.memory_.get(row.tobytes(), uniform) for row in X.toarray()])


def test_fidelity_is_not_measured_on_the_training_samples() -> None:
    model = LogisticWordModel({"good": 6.0, "bad": -6.0})
    text = "good good bad and some other words to make many distinct samples"
    explainer = TextExplainer(n_samples=300, random_state=10, surrogate=MemorisingSurrogate()).fit(text, model)
    fit = explainer.local_fit_
    X = explainer.X_
    on_train = kl_divergence_rows(explainer.proba_[fit.train_index], fit.surrogate.predict_proba(X[fit.train_index]))
    assert on_train.max() < 1e-6  # measured on training rows it would look perfect
    assert explainer.local_fit_.metrics.mean_KL_divergence > 0.05
    assert explainer.local_fit_.metrics.score < 1.0


def test_kl_and_agreement_metrics() -> None:
    p = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
    assert mean_kl_divergence(p, p) == pytest.approx(0, abs=1e-8)
    q = np.array([[0.1, 0.9], [0.2, 0.8], [0.5, 0.5]])
    kl0 = 0.9 * np.log(0.9 / 0.1) + 0.1 * np.log(0.1 / 0.9)
    np.testing.assert_allclose(kl_divergence_rows(p, q), [kl0, 0, 0], atol=1e-7)
    assert mean_kl_divergence(p, q, np.array([1.0, 0.0, 1.0])) == pytest.approx(kl0 / 2, rel=1e-6)
    assert top_class_agreement(p, q) == pytest.approx(2 / 3)
    assert top_class_agreement(p, q, np.array([3.0, 1.0, 0.0])) == pytest.approx(0.25)
    assert np.isfinite(kl_divergence_rows(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))).all()


def test_heldout_fraction_is_validated() -> None:
    for bad in (0.0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="heldout_fraction"):
            TextExplainer(n_samples=50, heldout_fraction=bad).fit(SENTIMENT_TEXT, sentiment_model())


def test_a_narrow_kernel_still_recovers_the_known_effects() -> None:
    e = TextExplainer(n_samples=N, random_state=12, kernel=ExponentialKernel(0.25)).explain(
        SENTIMENT_TEXT, sentiment_model(), targets="positive"
    )
    assert [w.feature for w in e.targets[0].top(4)] == true_top(SENTIMENT_COEFS, 4)
    assert "ExponentialKernel(width=0.25)" in e.settings.kernel


# -- parameter and input validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n_samples", [19, 2, 0, -5])
def test_too_few_samples_are_refused(n_samples) -> None:
    with pytest.raises(ValueError, match="at least 20"):
        TextExplainer(n_samples=n_samples).fit(SENTIMENT_TEXT, sentiment_model())


@pytest.mark.parametrize("n_samples", [250.0, 2.5, "500", None, True])
def test_non_integer_n_samples_are_refused(n_samples) -> None:
    with pytest.raises(ValueError, match="whole number"):
        TextExplainer(n_samples=n_samples).fit(SENTIMENT_TEXT, sentiment_model())


def test_smallest_and_numpy_integer_n_samples_work() -> None:
    assert TextExplainer(n_samples=20, random_state=0).explain(SENTIMENT_TEXT, sentiment_model()).n_samples == 20
    e = TextExplainer(n_samples=np.int64(40), random_state=0).explain(SENTIMENT_TEXT, sentiment_model())
    assert e.n_samples == 40 and e.settings.n_samples == 40


def test_parameters_are_stored_unchanged_and_learned_attributes_appear_on_fit() -> None:
    explainer = TextExplainer(n_samples=50, tokenizer="chars", random_state=3)
    assert explainer.n_samples == 50 and explainer.tokenizer == "chars" and explainer.sampler is None
    assert not hasattr(explainer, "local_fit_") and not hasattr(explainer, "keep_")
    explainer.fit("good bad", sentiment_model())
    assert explainer.keep_.shape == (50, 7)  # seven non-space characters
    assert explainer.X_.shape[0] == 50 and explainer.proba_.shape == (50, 2)
    assert explainer.sample_weight_.shape == (50,) and explainer.sample_weight_[0] == 1.0


def test_a_model_without_predict_proba_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="NoProbaModel has no predict_proba method; it cannot be explained"):
        TextExplainer(n_samples=50).fit(SENTIMENT_TEXT, NoProbaModel())


@pytest.mark.parametrize("text", ["", "   \n", "?!"])
def test_unusable_text_is_an_input_text_error(text) -> None:
    model = sentiment_model()
    with pytest.raises(InputTextError):
        explain_text(text, model, n_samples=50)
    assert model.n_calls == 0


def test_max_chars_is_enforced_by_the_explainer() -> None:
    with pytest.raises(InputTextError, match="limit of 10"):
        explain_text("good " * 3, sentiment_model(), n_samples=50, max_chars=10)


def test_explain_text_passes_parameters_and_explains_a_constant_model() -> None:
    e = explain_text("a b c d e", ConstantModel((0.25, 0.75)), n_samples=100, random_state=0, targets="all")
    assert e.settings.n_samples == 100 and e.settings.random_state == 0
    for t in e.targets:
        assert all(abs(w.weight) < 1e-3 for w in t.weights)  # nothing matters to a constant model
    assert e.metrics.score == 1.0 and e.metrics.mean_KL_divergence < 1e-6


def test_an_explanation_from_the_explainer_round_trips_through_json(topic) -> None:
    _, e = topic
    assert Explanation.from_json(e.to_json()) == e
    text = "Très bien 👍🏽 — नमस्ते, 我爱 good"
    e2 = explain_text(text, sentiment_model(), n_samples=100, random_state=0, mask_token="＿")
    assert Explanation.from_json(e2.to_json()) == e2 and text in e2.to_json()


# -- regressions: engine bugs these tests found -----------------------------------------------------------------------


def test_a_one_word_text_is_explained_or_refused_clearly() -> None:
    try:
        e = explain_text("good", sentiment_model(), n_samples=50, random_state=0)
    except LimeCoreError:
        return
    assert [w.feature for w in e.targets[0].weights] == ["good"]


def test_a_numpy_integer_seed_gives_a_serialisable_explanation() -> None:
    e = explain_text(SENTIMENT_TEXT, sentiment_model(), n_samples=50, random_state=np.int64(3))
    assert Explanation.from_json(e.to_json()) == e
