"""The cached, batched, validating black box: each distinct text reaches the model once."""

from __future__ import annotations

import numpy as np
import pytest

from lime_core.classifier import PROBA_SUM_TOLERANCE, as_classifier, validate_probabilities
from lime_core.errors import ModelOutputError
from lime_core.explainer import TextExplainer
from lime_core.predictor import BlackBox, PredictionCache
from lime_core.surrogates import RidgeSurrogate
from tests.blackboxes import (
    SENTIMENT_TEXT,
    BareProbaModel,
    ConstantModel,
    ScriptedModel,
    SklearnLikeModel,
    sentiment_model,
)

TEXTS = [f"text number {i}" for i in range(20)]


def test_each_distinct_text_is_sent_once_and_duplicates_get_the_same_row() -> None:
    model = sentiment_model()
    texts = ["good", "bad", "good", "good movie", "bad", "good"]
    pred = BlackBox(model).predict(texts)
    assert sorted(model.texts_seen) == ["bad", "good", "good movie"]
    assert pred.n_distinct == 3 and pred.n_model_calls == 3
    assert pred.proba.shape == (6, 2)
    np.testing.assert_array_equal(pred.proba[0], pred.proba[2])
    np.testing.assert_array_equal(pred.proba[0], pred.proba[5])
    np.testing.assert_allclose(pred.proba, model.predict_proba(texts))


def test_rows_come_back_in_input_order() -> None:
    model = sentiment_model()
    texts = ["bad", "good", "great", "awful", "good"]
    pred = BlackBox(model).predict(texts)
    expected = model.predict_proba(texts)
    np.testing.assert_allclose(pred.proba, expected)
    assert pred.proba[1, 1] > 0.8 and pred.proba[0, 1] < 0.2


def test_cached_texts_are_not_sent_again() -> None:
    model = sentiment_model()
    cache = PredictionCache()
    box = BlackBox(model, cache=cache)
    first = box.predict(TEXTS[:10])
    model.reset()
    second = box.predict(TEXTS[5:15])
    assert model.texts_seen == TEXTS[10:15]
    assert second.n_model_calls == 5 and second.n_distinct == 10
    np.testing.assert_array_equal(second.proba[:5], first.proba[5:])
    model.reset()
    third = BlackBox(model, cache=cache).predict(TEXTS[:15])  # a new BlackBox over the same cache and model
    assert third.n_model_calls == 0 and model.n_calls == 0


def test_the_cache_tells_models_apart() -> None:
    cache = PredictionCache()
    a, b = ConstantModel((0.9, 0.1)), ConstantModel((0.2, 0.8))
    pa = BlackBox(a, cache=cache).predict(["same text"])
    pb = BlackBox(b, cache=cache).predict(["same text"])
    assert pa.proba.tolist() == [[0.9, 0.1]] and pb.proba.tolist() == [[0.2, 0.8]]
    assert pb.n_model_calls == 1


def test_a_cache_key_lets_two_model_objects_share_predictions() -> None:
    cache = PredictionCache()
    a, b = ConstantModel(), ConstantModel()
    a.cache_key = b.cache_key = "checkpoint@rev1"
    BlackBox(a, cache=cache).predict(TEXTS)
    assert BlackBox(b, cache=cache).predict(TEXTS).n_model_calls == 0 and b.n_calls == 0


def test_batches_are_respected_when_batch_size_is_set() -> None:
    model = sentiment_model()
    BlackBox(model, batch_size=7).predict(TEXTS + TEXTS)
    assert [len(b) for b in model.batches] == [7, 7, 6]
    assert model.texts_seen == TEXTS


def test_progress_goes_from_zero_to_total_monotonically() -> None:
    calls: list[tuple[int, int]] = []
    BlackBox(sentiment_model(), batch_size=7).predict(TEXTS, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 20), (7, 20), (14, 20), (20, 20)]


def test_progress_counts_only_texts_that_reach_the_model() -> None:
    cache = PredictionCache()
    calls: list[tuple[int, int]] = []
    model = sentiment_model()
    box = BlackBox(model, cache=cache, batch_size=5)
    box.predict(TEXTS[:8])
    box.predict(TEXTS, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 12), (5, 12), (10, 12), (12, 12)]
    dones = [d for d, _ in calls]
    assert dones == sorted(dones)


def test_progress_when_everything_is_cached() -> None:
    box = BlackBox(sentiment_model())
    box.predict(TEXTS)
    calls: list[tuple[int, int]] = []
    assert box.predict(TEXTS, progress=lambda d, t: calls.append((d, t))).n_model_calls == 0
    assert calls == [(0, 0)]


def test_cache_is_bounded_and_drops_the_oldest_entries() -> None:
    cache = PredictionCache(max_entries=5)
    model = sentiment_model()
    box = BlackBox(model, cache=cache, batch_size=4)
    pred = box.predict(TEXTS[:12])
    assert len(cache) == 5
    np.testing.assert_allclose(pred.proba, model.predict_proba(TEXTS[:12]))  # eviction mid-call loses nothing
    model.reset()
    assert box.predict(TEXTS[7:12]).n_model_calls == 0  # the newest five are kept
    assert box.predict(TEXTS[:2]).n_model_calls == 2  # the oldest were dropped
    assert len(cache) == 5
    cache.clear()
    assert len(cache) == 0


def test_budget_is_checked_with_the_texts_to_send_and_reset_per_black_box() -> None:
    asked: list[list[str]] = []
    resets: list[bool] = []
    model = sentiment_model()
    model.check_budget = lambda texts: asked.append(list(texts))
    model.reset_budget = lambda: resets.append(True)
    box = BlackBox(model)
    assert resets == [True]
    box.predict(["a", "b", "a", "c"])
    box.predict(["a", "d"])
    box.predict(["a"])  # everything cached: nothing to check
    assert asked == [["a", "b", "c"], ["d"]]
    BlackBox(model, cache=box.cache)
    assert resets == [True, True]


def test_a_refused_budget_sends_nothing() -> None:
    class Refused(Exception):
        pass

    def refuse(texts):
        raise Refused(f"{len(texts)} requests")

    model = sentiment_model()
    model.check_budget = refuse
    with pytest.raises(Refused, match="2 requests"):
        BlackBox(model).predict(["a", "b", "a"])
    assert model.n_calls == 0


def test_an_sklearn_like_model_is_wrapped_and_its_classes_used() -> None:
    model = SklearnLikeModel(sentiment_model())
    clf = as_classifier(model)
    assert list(clf.class_names) == ["negative", "positive"]
    pred = BlackBox(clf).predict(["good", "good"])
    assert pred.proba[0, 1] > 0.8 and model.n_texts_seen == 1


def test_a_model_with_only_predict_proba_can_be_predicted() -> None:
    pred = BlackBox(as_classifier(BareProbaModel(sentiment_model()))).predict(["good", "bad"])
    assert pred.proba.shape == (2, 2)


# -- validation -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda texts: np.full(len(texts), 0.5), r"shape \(3,\); expected \(n_texts, n_classes\)"),
        (lambda texts: np.full((len(texts), 2, 1), 0.5), r"shape \(3, 2, 1\)"),
        (lambda texts: np.full((len(texts) - 1, 2), 0.5), "returned 2 rows for 3 texts"),
        (lambda texts: np.full((len(texts), 3), 1 / 3), "returned 3 classes; expected 2"),
        (lambda texts: [[0.5, 0.5], [np.nan, 0.5], [0.5, 0.5]], "NaN or infinite"),
        (lambda texts: [[0.5, 0.5], [np.inf, 0.0], [0.5, 0.5]], "NaN or infinite"),
        (lambda texts: [[1.5, -0.5]] * 3, "negative probabilities"),
        (lambda texts: [[2.3, -1.1], [0.2, 0.1], [0.0, 4.0]], "negative probabilities"),
        (lambda texts: [[0.5, 0.5], [2.3, 1.1], [0.5, 0.5]], r"do not sum to 1 \(row 1 sums to 3\.4\).*logits"),
        (lambda texts: [[0.5, 0.5], [0.5, 0.5], [0.2, 0.1]], r"row 2 sums to 0\.3"),
        (lambda texts: [["a", "b"]] * 3, "not a numeric array"),
        (lambda texts: [[0.5, 0.5], [0.5]], r"rows of different lengths \(row 0 has 2 values, row 1 has 1\)"),
        (lambda texts: [[0.5, 0.5], 0.5, [0.5, 0.5]], "mixture of rows and single numbers"),
    ],
    ids=[
        "1d",
        "3d",
        "rows",
        "classes",
        "nan",
        "inf",
        "negative",
        "logits-with-negatives",
        "scores",
        "under-one",
        "strings",
        "ragged",
        "ragged-scalar",
    ],
)
def test_invalid_model_output_is_refused_with_a_specific_message(answer, message: str) -> None:
    with pytest.raises(ModelOutputError, match=message):
        BlackBox(ScriptedModel(answer)).predict(["x", "y", "z"])


def test_invalid_output_is_not_cached() -> None:
    cache = PredictionCache()
    with pytest.raises(ModelOutputError):
        BlackBox(ScriptedModel(lambda t: np.full((len(t), 2), 0.9)), cache=cache).predict(["x"])
    assert len(cache) == 0


def test_validation_tolerates_float32_drift_and_clips_tiny_negatives() -> None:
    eps = PROBA_SUM_TOLERANCE / 10
    out = validate_probabilities(np.array([[1 + eps, -eps], [0.5, 0.5 + eps]], dtype=np.float32), 2, 2)
    assert out.dtype == np.float64
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_single_class_output_is_refused() -> None:
    with pytest.raises(ModelOutputError, match="fewer than 2"):
        validate_probabilities(np.ones((2, 1)), 2)


# -- through the explainer ------------------------------------------------------------------------------------------


def test_explainer_sends_each_distinct_perturbation_once() -> None:
    model = sentiment_model()
    explainer = TextExplainer(n_samples=400, random_state=0).fit("good bad good", model)
    distinct = set(explainer.tokenized_.rebuild(explainer.keep_.tolist()))
    assert len(model.texts_seen) == len(set(model.texts_seen)) == len(distinct)
    assert set(model.texts_seen) == distinct
    assert explainer.n_model_calls_ == len(distinct) < 400


def test_second_explanation_with_the_same_cache_makes_no_model_calls() -> None:
    model = sentiment_model()
    cache = PredictionCache()
    first = TextExplainer(n_samples=300, random_state=1, cache=cache).explain(SENTIMENT_TEXT, model)
    assert first.n_model_calls > 0
    model.reset()
    second = TextExplainer(n_samples=300, random_state=1, cache=cache, surrogate=RidgeSurrogate()).explain(
        SENTIMENT_TEXT, model, targets="negative"
    )
    assert second.n_model_calls == 0 and model.n_calls == 0
    assert second.targets[0].class_name == "negative"
    assert second.probabilities == first.probabilities
    bad = {w.feature: w.weight for w in second.targets[0].weights}["bad"]
    assert bad > 0  # "bad" pushes towards negative: a valid explanation from cached predictions
    assert "RidgeSurrogate" in second.settings.surrogate


def test_second_explanation_of_an_sklearn_like_model_with_the_same_cache_makes_no_model_calls() -> None:
    model = SklearnLikeModel(sentiment_model())
    cache = PredictionCache()
    first = TextExplainer(n_samples=100, random_state=1, cache=cache)
    first.explain(SENTIMENT_TEXT, model)  # `first` stays alive, so its adapter's id cannot be reused
    seen = model.n_texts_seen
    second = TextExplainer(n_samples=100, random_state=1, cache=cache).explain(SENTIMENT_TEXT, model)
    assert second.n_model_calls == 0 and model.n_texts_seen == seen
