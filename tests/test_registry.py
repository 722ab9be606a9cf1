"""Settings from the environment, and the registry of bundled models."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from lime_core.classifier import TextClassifier
from lime_core.errors import ModelUnavailableError
from lime_core.models import (
    ModelSpec,
    NewsgroupsClassifier,
    TransformerClassifier,
    available_models,
    get_spec,
    load_model,
    model_status,
    register_model,
    registry,
)
from lime_core.settings import DEFAULT_SENTIMENT_MODEL, Settings, get_settings
from tests.conftest import STAR_LABELS

SECRET = "hf_very_secret_token_123"

# --------------------------------------------------------------------------- settings


def test_settings_defaults_with_an_empty_environment() -> None:
    settings = get_settings({})
    assert settings.newsgroups_archive is None
    assert settings.sentiment_model == DEFAULT_SENTIMENT_MODEL
    assert settings.cache_dir == Path("~/.cache/lime_core").expanduser()
    assert settings.api_token is None and settings.api_url is None


def test_settings_are_read_from_the_environment_at_each_call(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LIME_20NG_ARCHIVE", str(tmp_path / "a.tar.gz"))
    monkeypatch.setenv("LIME_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", "org/model")
    monkeypatch.setenv("LIME_API_URL", "https://example.invalid/predict")
    first = get_settings()
    assert first.newsgroups_archive == tmp_path / "a.tar.gz"
    assert first.cache_dir == tmp_path / "cache"
    assert first.sentiment_model == "org/model"
    assert first.api_url == "https://example.invalid/predict"
    monkeypatch.setenv("LIME_SENTIMENT_MODEL", "org/other")
    assert get_settings().sentiment_model == "org/other"


def test_blank_variables_count_as_unset_and_home_is_expanded() -> None:
    settings = get_settings({"LIME_20NG_ARCHIVE": "  ", "LIME_SENTIMENT_MODEL": "", "LIME_CACHE_DIR": "~/x"})
    assert settings.newsgroups_archive is None
    assert settings.sentiment_model == DEFAULT_SENTIMENT_MODEL
    assert settings.cache_dir == Path.home() / "x"


def test_batch_dir_defaults_under_the_cache_and_follows_lime_batch_dir() -> None:
    assert get_settings({"LIME_CACHE_DIR": "/c"}).batches_dir == Path("/c/batches")
    assert get_settings({"LIME_CACHE_DIR": "/c", "LIME_BATCH_DIR": " "}).batches_dir == Path("/c/batches")
    assert get_settings({"LIME_CACHE_DIR": "/c", "LIME_BATCH_DIR": "~/runs"}).batches_dir == Path.home() / "runs"


def test_the_token_is_read_but_never_shown() -> None:
    settings = get_settings({"LIME_API_TOKEN": SECRET})
    assert settings.api_token == SECRET
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings)
    assert SECRET not in f"{settings}"


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_settings({}).cache_dir = Path("/tmp")  # type: ignore[misc]


# --------------------------------------------------------------------------- registry


def test_bundled_models_are_listed() -> None:
    specs = {spec.name: spec for spec in available_models(get_settings({}))}
    assert {"20ng-svm", "sentiment"} <= set(specs)
    assert specs["20ng-svm"].kind == "sklearn"
    assert specs["20ng-svm"].languages == ("en",)
    assert specs["sentiment"].kind == "transformer"
    assert "en" in specs["sentiment"].languages
    for spec in specs.values():
        assert isinstance(spec, ModelSpec)
        assert spec.title and spec.description and spec.example_note
    with pytest.raises(dataclasses.FrozenInstanceError):
        specs["sentiment"].name = "x"  # type: ignore[misc]


def test_sentiment_spec_names_a_configured_checkpoint(tiny_bert_dir: Path) -> None:
    spec = get_spec("sentiment", Settings(sentiment_model=str(tiny_bert_dir)))
    # Named by its folder: the description is shown to stakeholders, a full local path is noise there.
    assert f"'{tiny_bert_dir.name}'" in spec.description
    assert str(tiny_bert_dir.parent) not in spec.description
    assert spec.languages == ()  # unknown for an arbitrary checkpoint


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(ModelUnavailableError, match=r"unknown model 'nope'; known models: 20ng-svm, sentiment"):
        load_model("nope")
    ok, message = model_status("nope")
    assert not ok and "20ng-svm" in message


def test_load_topic_model(newsgroups_settings: Settings, newsgroups_model: NewsgroupsClassifier) -> None:
    model = load_model("20ng-svm", newsgroups_settings)
    assert isinstance(model, NewsgroupsClassifier) and isinstance(model, TextClassifier)
    assert model.cache_key == newsgroups_model.cache_key  # read from the cache, not retrained
    ok, message = model_status("20ng-svm", newsgroups_settings)
    assert ok and "cached" in message


def test_topic_model_without_data_is_unavailable(tmp_path: Path) -> None:
    settings = Settings(newsgroups_archive=tmp_path / "missing.tar.gz", cache_dir=tmp_path)
    ok, message = model_status("20ng-svm", settings)
    assert not ok and "LIME_20NG_ARCHIVE" in message
    with pytest.raises(ModelUnavailableError, match="LIME_20NG_ARCHIVE"):
        load_model("20ng-svm", settings)


def test_load_sentiment_from_a_local_directory(tiny_bert_dir: Path) -> None:
    settings = Settings(sentiment_model=str(tiny_bert_dir))
    ok, message = model_status("sentiment", settings)
    assert ok and str(tiny_bert_dir) in message
    model = load_model("sentiment", settings)
    assert isinstance(model, TransformerClassifier) and isinstance(model, TextClassifier)
    assert model.class_names == STAR_LABELS
    assert model.predict_proba(["good film", "bad film"]).shape == (2, 5)


def test_sentiment_missing_directory(tmp_path: Path) -> None:
    settings = Settings(sentiment_model=str(tmp_path / "gone"))
    ok, message = model_status("sentiment", settings)
    assert not ok and "LIME_SENTIMENT_MODEL" in message
    with pytest.raises(ModelUnavailableError, match="LIME_SENTIMENT_MODEL"):
        load_model("sentiment", settings)


def test_sentiment_hub_model_offline_and_not_cached() -> None:
    # conftest sets HF_HUB_OFFLINE; a repository nobody has cached.
    settings = Settings(sentiment_model="lime-core-tests/not-cached-anywhere")
    ok, message = model_status("sentiment", settings)
    assert not ok and "HF_HUB_OFFLINE" in message and "LIME_SENTIMENT_MODEL" in message
    with pytest.raises(ModelUnavailableError, match="LIME_SENTIMENT_MODEL"):
        load_model("sentiment", settings)


def test_standin_sentiment_through_the_registry(sentiment_model_dir: Path) -> None:
    model = load_model("sentiment", Settings(sentiment_model=str(sentiment_model_dir)))
    assert model.class_names == ["negative", "positive"]


def test_other_kinds_can_be_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))  # undone after the test
    spec = ModelSpec("echo", "Echo", "A test double.", "remote", ("en",), "Anything.")

    class Echo:
        class_names = ("no", "yes")

        def predict_proba(self, texts):
            import numpy as np

            return np.tile([0.5, 0.5], (len(texts), 1))

    register_model("echo", spec, loader=lambda settings: Echo(), status=lambda settings: (True, "always"))
    assert spec in available_models()
    assert model_status("echo") == (True, "always")
    assert load_model("echo").predict_proba(["a"]).shape == (1, 2)
