"""The remote and newsgroups packages keep the public names and the model names of the modules they replaced."""

from __future__ import annotations

import pickle

import pytest

from lime_core.classifier import ClassifierAdapter, callable_name
from lime_core.models import newsgroups, remote

REMOTE_NAMES = [
    "ConnectionReport", "DEFAULT_DEADLINE", "DEFAULT_MAX_RESPONSE_BYTES", "HFInferenceFormat", "MAX_JSON_DEPTH",
    "PROBE_TEXT", "RETRY_STATUSES", "RemoteClassifier", "ResponseFormat", "TOKEN_ENV_VAR", "TokenSource",
    "align_scores", "json_depth", "label_sort_key", "safe_url",
]  # fmt: skip
NEWSGROUPS_NAMES = [
    "FORMAT_VERSION", "GROUPS", "META_FILE", "MODEL_NAME", "NewsgroupsClassifier", "NewsgroupsSplit", "PIPELINE_FILE",
    "RECIPE_VERSION", "REMOVE", "SHUFFLE_SEED", "TrainedPipeline", "build_pipeline", "data_fingerprint",
    "dependency_versions", "load_newsgroups", "load_or_train", "pipeline_path", "pipeline_status", "save_pipeline",
    "train_pipeline",
]  # fmt: skip


@pytest.mark.parametrize(("package", "names"), [(remote, REMOTE_NAMES), (newsgroups, NEWSGROUPS_NAMES)])
def test_every_public_name_of_the_old_module_is_still_there(package, names) -> None:
    missing = [name for name in names if not hasattr(package, name)]
    assert missing == []
    assert set(names) <= set(package.__all__)


def test_model_names_in_explanations_and_pickles_keep_the_package_path() -> None:
    assert callable_name(newsgroups.NewsgroupsClassifier.predict_proba) == (
        "lime_core.models.newsgroups.NewsgroupsClassifier.predict_proba"
    )
    assert callable_name(remote.RemoteClassifier.predict_proba) == (
        "lime_core.models.remote.RemoteClassifier.predict_proba"
    )
    model = remote.RemoteClassifier("http://127.0.0.1:9/models/x", class_names=["neg", "pos"])
    assert ClassifierAdapter(model.predict_proba).name == "lime_core.models.remote.RemoteClassifier.predict_proba"
    assert type(model).__module__ == "lime_core.models.remote"  # what a pickle names
    assert pickle.loads(pickle.dumps(model)).cache_key == model.cache_key
