"""A 20-class topic model on all 20 Newsgroups: TF-IDF -> multinomial logistic regression.

The classic eli5/lime tutorial shape with many classes, kept for the benchmark's model zoo and the tests of
explanations with many classes: trained once from the same data as the topic model (the local archive
``LIME_20NG_ARCHIVE`` or scikit-learn's download), stored with joblib in ``<LIME_CACHE_DIR>/models`` beside a JSON
sidecar (recipe, library versions, the file's sha256), and loaded from there; a cache from another recipe or
library version, or a damaged file, is retrained. Training takes about half a minute on one core.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from ...classifier import as_text_list
from ...settings import Settings, get_settings
from ._files import atomic_write_bytes
from .data import data_fingerprint, load_newsgroups
from .recipe import dependency_versions

logger = logging.getLogger(__name__)

LINEAR_MODEL_NAME = "20ng-linear"
# Bump when build_linear_pipeline changes, so cached pipelines retrain.
LINEAR_RECIPE_VERSION = 1


def build_linear_pipeline() -> Pipeline:
    """The untrained pipeline: sublinear TF-IDF of words seen in at least 3 posts, L2 multinomial logistic model."""
    return make_pipeline(
        TfidfVectorizer(min_df=3, sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=300),
    )


class LinearNewsgroupsClassifier:
    """The 20-class linear topic model as a :class:`~lime_core.classifier.TextClassifier`."""

    name = LINEAR_MODEL_NAME

    def __init__(self, pipeline: Pipeline, meta: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.meta = dict(meta)
        self._class_names = [str(n) for n in meta["target_names"]]

    @classmethod
    def load(cls, settings: Settings | None = None) -> LinearNewsgroupsClassifier:
        """The cached pipeline, trained and cached first when needed (:func:`load_or_train_linear`)."""
        pipeline, meta = load_or_train_linear(settings)
        return cls(pipeline, meta)

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def test_accuracy(self) -> float:
        return float(self.meta["test_accuracy"])

    @property
    def cache_key(self) -> str:
        return f"{LINEAR_MODEL_NAME}-{self.meta['file_sha256'][:16]}"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.pipeline.predict_proba(as_text_list(texts))

    def __repr__(self) -> str:
        return f"LinearNewsgroupsClassifier({len(self._class_names)} classes)"


def linear_pipeline_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.cache_dir / "models" / f"{LINEAR_MODEL_NAME}.joblib"


def _expected_meta() -> dict[str, Any]:
    return {"recipe": LINEAR_RECIPE_VERSION, "versions": dependency_versions()}


def _read_cached(path: Path) -> tuple[Pipeline, dict[str, Any]] | None:
    meta_path = path.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text())
        payload = path.read_bytes()
    except (OSError, ValueError):
        return None
    if any(meta.get(key) != value for key, value in _expected_meta().items()):
        return None
    if hashlib.sha256(payload).hexdigest() != meta.get("file_sha256"):
        logger.warning("%s is damaged (checksum differs from its metadata); retraining", path.name)
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipeline = joblib.load(io.BytesIO(payload))
    except Exception:  # unpickling errors come in many types: retrain
        return None
    return (pipeline, meta) if isinstance(pipeline, Pipeline) else None


def load_or_train_linear(settings: Settings | None = None) -> tuple[Pipeline, dict[str, Any]]:
    """The cached 20-class pipeline and its metadata, training and caching it first when needed."""
    settings = settings or get_settings()
    path = linear_pipeline_path(settings)
    cached = _read_cached(path)
    if cached is not None:
        return cached
    train = load_newsgroups("train", settings, categories=None)
    test = load_newsgroups("test", settings, categories=None)
    started = time.perf_counter()
    pipeline = build_linear_pipeline().fit(train.texts, train.target)
    seconds = time.perf_counter() - started
    accuracy = float(np.mean(pipeline.predict(test.texts) == test.target))
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    payload = buffer.getvalue()
    meta = {
        **_expected_meta(),
        "model": LINEAR_MODEL_NAME,
        "target_names": list(train.target_names),
        "n_train": len(train),
        "n_test": len(test),
        "data_fingerprint": data_fingerprint(train, test),
        "test_accuracy": accuracy,
        "train_seconds": round(seconds, 1),
        "file_sha256": hashlib.sha256(payload).hexdigest(),
    }
    atomic_write_bytes(path, payload)
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(meta, indent=2, sort_keys=True).encode())
    logger.info("trained %s in %.1f s, test accuracy %.4f", LINEAR_MODEL_NAME, seconds, accuracy)
    return pipeline, meta
