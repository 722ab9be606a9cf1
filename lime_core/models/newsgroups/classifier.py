"""The 20 Newsgroups topic model as a :class:`~lime_core.classifier.TextClassifier`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from ...classifier import as_text_list
from ...settings import Settings
from .._naming import shown_as
from .fast import FastPredictor
from .recipe import MODEL_NAME
from .training import load_or_train

logger = logging.getLogger(__name__)


@shown_as("lime_core.models.newsgroups")
class NewsgroupsClassifier:
    """The 20 Newsgroups topic model as a :class:`~lime_core.classifier.TextClassifier`.

    Any string is accepted, including the empty string (it gets the
    pipeline's answer for "no known words").
    """

    name = MODEL_NAME

    def __init__(self, pipeline: Pipeline, meta: Mapping[str, Any] | None = None):
        self.pipeline = pipeline
        self.meta: dict[str, Any] = dict(meta or {})
        names = self.meta.get("target_names")
        if names is None:
            names = [str(c) for c in pipeline.classes_]
        self._class_names = [str(n) for n in names]
        self._fast = FastPredictor.from_pipeline(pipeline)
        if self._fast is None:
            logger.info("pipeline structure not recognised; predict_proba uses the plain pipeline")

    @classmethod
    def load(cls, settings: Settings | None = None, *, force_retrain: bool = False) -> NewsgroupsClassifier:
        """Load the cached pipeline (training it first if needed); see :func:`load_or_train`."""
        result = load_or_train(settings, force_retrain=force_retrain)
        return cls(result.pipeline, result.meta)

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def test_accuracy(self) -> float | None:
        """Accuracy on the 1,502 bydate test posts, measured when the pipeline was trained."""
        value = self.meta.get("test_accuracy")
        return float(value) if value is not None else None

    @property
    def cache_key(self) -> str:
        """Identifies this trained pipeline (its file's hash), so predictions cached for another one are not reused."""
        digest = self.meta.get("file_sha256")
        if digest:
            return f"{MODEL_NAME}:{digest[:16]}"
        return f"{MODEL_NAME}:unsaved@{id(self):x}"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (len(texts), 4), float64, columns in ``class_names`` order."""
        texts = as_text_list(texts)
        if not texts:
            return np.zeros((0, len(self._class_names)))
        if self._fast is not None:
            return self._fast.predict_proba(texts)
        return np.asarray(self.pipeline.predict_proba(texts), dtype=np.float64)

    def __repr__(self) -> str:
        accuracy = self.test_accuracy
        shown = f"{accuracy:.3f}" if accuracy is not None else "?"
        return f"NewsgroupsClassifier(classes={self._class_names}, test_accuracy={shown})"
