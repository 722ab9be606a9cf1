"""Same text, model, seed and settings: the identical explanation whether the answers come from the model or the
cache, and whatever the batches. Every bundled model is held to it.

Before, a warm cache changed the adaptive loop's cost step (it counted model calls, which the cache saves) and a
transformer's answers changed in the 7th digit with the texts sent beside them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lime_core import PredictionCache, TextExplainer
from lime_core.models.transformer import TransformerClassifier

REVIEW = "Lovely staff, but the soup was cold."  # short: at most 2^7 distinct texts, so the test stays quick
POST = (
    "As I recall from my bout with kidney stones, there isn't any medication that can do anything about them "
    "except relieve the pain. Either they pass, or they have to be broken up with sound, or surgically removed."
)
COUNTS = {"n_model_calls", "n_answers_reused"}


def _without_counts(value: Any) -> Any:
    """The explanation's JSON without what the cache changes on purpose: how many answers it gave (also in the
    verdict's sampling sentence, so the verdict is compared by its levels)."""
    if isinstance(value, dict) and "checks" in value and "level" in value:
        return {"level": value["level"], "checks": [(c["name"], c["level"]) for c in value["checks"]]}
    if isinstance(value, dict):
        return {k: _without_counts(v) for k, v in value.items() if k not in COUNTS}
    if isinstance(value, list):
        return [_without_counts(v) for v in value]
    return value


def _explain(model: Any, cache: PredictionCache, seed: int = 0, batch_size: int | None = None) -> Any:
    explainer = TextExplainer(n_samples="auto", random_state=seed, cache=cache, batch_size=batch_size)
    text = POST if "Newsgroups" in type(model).__name__ else REVIEW
    return explainer.explain(text, model)


@pytest.fixture(scope="module")
def standin(sentiment_model_dir: Path) -> TransformerClassifier:
    return TransformerClassifier(sentiment_model_dir)


@pytest.mark.parametrize("which", ["20ng-svm", "sentiment"])
def test_cold_warm_and_other_batches_give_one_explanation(which: str, request: pytest.FixtureRequest) -> None:
    model = request.getfixturevalue("newsgroups_model" if which == "20ng-svm" else "standin")
    cold = _explain(model, PredictionCache())
    assert cold.n_model_calls > 0
    expected = _without_counts(json.loads(cold.to_json()))

    warm_cache = PredictionCache()
    _explain(model, warm_cache, seed=1)  # another seed: part of seed 0's texts, answered in other batches
    partly = _explain(model, warm_cache)
    assert partly.n_answers_reused > 0 and partly.n_model_calls > 0  # both sources really served it
    again = _explain(model, warm_cache)
    assert again.n_model_calls == 0  # all from the cache
    small_batches = _explain(model, PredictionCache(), batch_size=7)

    for other in (partly, again, small_batches):
        assert _without_counts(json.loads(other.to_json())) == expected
    assert partly.sampling.n_samples == cold.sampling.n_samples


def test_a_transformer_answer_does_not_depend_on_its_batch(standin: TransformerClassifier) -> None:
    texts = [POST[:n] for n in range(20, 200, 9)]
    together = standin.predict_proba(texts)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(texts))
    shuffled = np.empty_like(together)
    shuffled[order] = standin.predict_proba([texts[i] for i in order])
    alone = np.vstack([standin.predict_proba([t]) for t in texts[::5]])
    np.testing.assert_array_equal(together, shuffled)
    np.testing.assert_array_equal(together[::5], alone)
