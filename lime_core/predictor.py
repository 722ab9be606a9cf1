"""Calling the black box: once per distinct text, in batches, with a shared cache.

Short texts give many identical perturbations, and re-explaining the same text
with another surrogate or target class needs the same predictions again; both
cost no model calls here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .classifier import model_identity, validate_probabilities

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with counts of distinct texts sent to the model."""

DEFAULT_BATCH_SIZE = 500


class PredictionCache:
    """Thread-safe map ``(model key, text) -> probability row``, bounded in entries.

    One cache can be shared by every explanation in a process (the dashboard
    keeps one per server). When full, the oldest entries are dropped first.
    """

    def __init__(self, max_entries: int = 500_000) -> None:
        self.max_entries = max_entries
        self._rows: dict[tuple[str, str], np.ndarray] = {}
        # Keys of models without a cache_key contain id(model); holding the model keeps that id from being
        # reused by another object while its rows are here.
        self._owners: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, model_key: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        with self._lock:
            return [self._rows.get((model_key, t)) for t in texts]

    def store(self, model_key: str, texts: Sequence[str], proba: np.ndarray, owner: Any = None) -> None:
        with self._lock:
            if owner is not None:
                self._owners.setdefault(model_key, owner)
            for text, row in zip(texts, proba, strict=True):
                self._rows[(model_key, text)] = row
            overflow = len(self._rows) - self.max_entries
            if overflow > 0:
                for key in list(self._rows)[:overflow]:
                    del self._rows[key]

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._owners.clear()


@dataclass(frozen=True)
class Predictions:
    """The black box's probabilities for a list of texts, and what they cost."""

    proba: np.ndarray
    n_distinct: int
    n_model_calls: int  # distinct texts actually sent to the model (not found in the cache)


class BlackBox:
    """Wraps a :class:`~lime_core.classifier.TextClassifier` with deduplication, batching, validation and caching."""

    def __init__(self, model: Any, cache: PredictionCache | None = None, batch_size: int | None = None) -> None:
        self.model = model
        self.cache = cache if cache is not None else PredictionCache()
        self.batch_size = batch_size
        self.model_key = model_identity(model)
        # A paid API's request budget is per explanation, and one BlackBox serves one explanation.
        reset_budget = getattr(model, "reset_budget", None)
        if callable(reset_budget):
            reset_budget()

    def _known_n_classes(self) -> int | None:
        """The number of classes if the model can say before predicting (a bare predict_proba cannot)."""
        try:
            return len(self.model.class_names)
        except AttributeError:
            return None

    def predict(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Predictions:
        """Probabilities for ``texts`` (one row each, in order)."""
        position: dict[str, int] = {}
        inverse = np.fromiter((position.setdefault(t, len(position)) for t in texts), dtype=np.intp, count=len(texts))
        distinct = list(position)
        n_classes = self._known_n_classes()
        cached = self.cache.lookup(self.model_key, distinct)
        missing = [i for i, row in enumerate(cached) if row is None]

        check_budget = getattr(self.model, "check_budget", None)
        if missing and callable(check_budget):
            check_budget([distinct[i] for i in missing])  # a paid API refuses before anything is sent

        total = len(missing)
        if progress is not None:
            progress(0, total)
        batch = self.batch_size or getattr(self.model, "batch_size", None) or DEFAULT_BATCH_SIZE
        # Large batches are faster for vectorised models; the model's own batch size may be small
        # (a transformer's), so progress is reported per chunk of at least a few hundred texts.
        chunk = max(int(batch), DEFAULT_BATCH_SIZE) if self.batch_size is None else int(batch)
        done = 0
        for start in range(0, total, chunk):
            idx = missing[start : start + chunk]
            batch_texts = [distinct[i] for i in idx]
            proba = validate_probabilities(self.model.predict_proba(batch_texts), len(batch_texts), n_classes)
            n_classes = proba.shape[1]
            for i, row in zip(idx, proba, strict=True):
                cached[i] = row
            self.cache.store(self.model_key, batch_texts, proba, owner=self.model)
            done += len(idx)
            if progress is not None:
                progress(done, total)
        rows = np.vstack(cached) if cached else np.empty((0, n_classes or 0))
        return Predictions(proba=rows[inverse], n_distinct=len(distinct), n_model_calls=total)
