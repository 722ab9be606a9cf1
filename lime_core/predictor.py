"""Calling the black box: once per distinct text, in batches, with a shared cache.

Short texts give many identical perturbations, and re-explaining the same text
with another surrogate or target class needs the same predictions again; both
cost no model calls here.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from .classifier import BatchedClassifier, BudgetedClassifier, BudgetLimited, model_identity, validate_probabilities
from .errors import ModelOutputError

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with counts of distinct texts sent to the model."""

DEFAULT_BATCH_SIZE = 500


# Bookkeeping per cached row beyond the text and the probabilities: the key tuple, the dict slot and the
# row's ndarray header (measured with sys.getsizeof on CPython 3.11 / numpy 2: about 250 bytes).
_ENTRY_OVERHEAD_BYTES = 256
DEFAULT_CACHE_BYTES = 256 * 1024 * 1024


def entry_bytes(text: str, row: np.ndarray) -> int:
    """What one cached row costs in memory: the text object, the probabilities and the bookkeeping."""
    return sys.getsizeof(text) + int(row.nbytes) + _ENTRY_OVERHEAD_BYTES


class PredictionCache:
    """Thread-safe map ``(model key, text) -> probability row``, bounded in entries and in bytes.

    One cache can be shared by every explanation in a process (the dashboard
    keeps one per server). When either bound is passed, the oldest entries are
    dropped first. Bytes matter because texts differ in size by 1000x: 500,000
    rows of a 20,000-character text would be 10 GB.
    """

    def __init__(self, max_entries: int = 500_000, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._rows: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._bytes = 0
        # Keys of models without a cache_key contain id(model); holding the model keeps that id from being
        # reused by another object while its rows are here. A model with its own cache_key is never held:
        # it may carry a secret (a remote model's token) that must not outlive the explanation.
        self._owners: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._rows)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_lock": None}  # a lock cannot be pickled; the copy gets its own

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """The memory the cached rows take, as :func:`entry_bytes` counts it."""
        return self._bytes

    def lookup(self, model_key: str, texts: Sequence[str]) -> list[np.ndarray | None]:
        with self._lock:
            return [self._rows.get((model_key, t)) for t in texts]

    def store(self, model_key: str, texts: Sequence[str], proba: np.ndarray, owner: Any = None) -> None:
        with self._lock:
            if owner is not None and model_key.endswith(f"@{id(owner):x}"):
                self._owners.setdefault(model_key, owner)
            for text, row in zip(texts, proba, strict=True):
                key = (model_key, text)
                old = self._rows.pop(key, None)
                if old is not None:
                    self._bytes -= entry_bytes(text, old)
                self._rows[key] = row
                self._bytes += entry_bytes(text, row)
            evicted = False
            while self._rows and (len(self._rows) > self.max_entries or self._bytes > self.max_bytes):
                (_, text), row = self._rows.popitem(last=False)
                self._bytes -= entry_bytes(text, row)
                evicted = True
            if evicted and self._owners:  # a model whose rows are all gone is not held any longer
                live = {key for key, _ in self._rows}
                for owner_key in [k for k in self._owners if k not in live]:
                    del self._owners[owner_key]

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self._owners.clear()
            self._bytes = 0


@dataclass(frozen=True)
class Predictions:
    """The black box's probabilities for a list of texts, and what they cost."""

    proba: np.ndarray
    n_distinct: int
    n_model_calls: int  # distinct texts actually sent to the model (not found in the cache)


class BlackBox:
    """Wraps a :class:`~lime_core.classifier.TextClassifier` with deduplication, batching, validation and caching.

    A model that declares :class:`~lime_core.classifier.BudgetedClassifier` has its budget reset here (one
    BlackBox serves one explanation); one that declares :class:`~lime_core.classifier.BudgetLimited` (which
    every BudgetedClassifier is) has it checked before texts are sent; one that declares
    :class:`~lime_core.classifier.BatchedClassifier` is called with its own batch size unless ``batch_size``
    is given.

    ``multi_label``: the model gives one independent probability per label (rows need not sum to 1). The
    class names are read after every batch: labels that change between calls are an error, not a guess.
    """

    def __init__(
        self,
        model: Any,
        cache: PredictionCache | None = None,
        batch_size: int | None = None,
        *,
        multi_label: bool = False,
    ) -> None:
        self.model = model
        self.cache = cache if cache is not None else PredictionCache()
        self.batch_size = batch_size
        self.multi_label = bool(multi_label)
        self._labels: tuple[str, ...] | None = None
        # A paid API's request budget is per explanation, and one BlackBox serves one explanation. Reset before
        # the model's identity is read: a remote model's cache key names its labels, which a probe may learn.
        if isinstance(model, BudgetedClassifier):
            model.reset_budget()
        self.model_key = model_identity(model)
        self.budget: BudgetLimited | None = model if isinstance(model, BudgetLimited) else None

    def _known_n_classes(self) -> int | None:
        """The number of classes if the model can say before predicting (a bare predict_proba cannot)."""
        if self._labels is not None:
            return len(self._labels)
        try:
            return len(self.model.class_names)
        except AttributeError:
            return None

    def _check_labels(self) -> None:
        """Refuse a model whose class names changed since its first answer in this explanation."""
        try:
            labels = tuple(str(c) for c in self.model.class_names)
        except AttributeError:
            return
        if self._labels is None:
            self._labels = labels
        elif labels != self._labels:
            gone = [name for name in self._labels if name not in labels][:5]
            new = [name for name in labels if name not in self._labels][:5]
            change = "; ".join(
                part for part in (f"gone: {gone}" if gone else "", f"new: {new}" if new else "") if part
            ) or "the same names in another order"
            raise ModelOutputError(
                f"the model's labels changed between calls ({len(self._labels)} labels before, {len(labels)} now; "
                f"{change}); its answers cannot be compared, so nothing was explained"
            )

    def label_view(self, label: int) -> LabelView:
        """This black box asked about one label of a multi-label model, as a two-class model (not / label)."""
        return LabelView(self, label)

    def predict(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Predictions:
        """Probabilities for ``texts`` (one row each, in order)."""
        position: dict[str, int] = {}
        inverse = np.fromiter((position.setdefault(t, len(position)) for t in texts), dtype=np.intp, count=len(texts))
        distinct = list(position)
        n_classes = self._known_n_classes()
        cached = self.cache.lookup(self.model_key, distinct)
        missing = [i for i, row in enumerate(cached) if row is None]

        if missing and self.budget is not None:
            self.budget.check_budget([distinct[i] for i in missing])  # a paid API refuses before anything is sent

        total = len(missing)
        if progress is not None:
            progress(0, total)
        preferred = self.model.batch_size if isinstance(self.model, BatchedClassifier) else None
        batch = self.batch_size or preferred or DEFAULT_BATCH_SIZE
        # Large batches are faster for vectorised models; the model's own batch size may be small
        # (a transformer's), so progress is reported per chunk of at least a few hundred texts.
        chunk = max(int(batch), DEFAULT_BATCH_SIZE) if self.batch_size is None else int(batch)
        done = 0
        for start in range(0, total, chunk):
            idx = missing[start : start + chunk]
            batch_texts = [distinct[i] for i in idx]
            answer = self.model.predict_proba(batch_texts)
            proba = validate_probabilities(answer, len(batch_texts), n_classes, multi_label=self.multi_label)
            self._check_labels()
            n_classes = proba.shape[1]
            for i, row in zip(idx, proba, strict=True):
                cached[i] = row
            self.cache.store(self.model_key, batch_texts, proba, owner=self.model)
            done += len(idx)
            if progress is not None:
                progress(done, total)
        filled = cast(list[np.ndarray], cached)  # every missing row was answered above
        rows = np.vstack(filled) if filled else np.empty((0, n_classes or 0))
        return Predictions(proba=rows[inverse], n_distinct=len(distinct), n_model_calls=total)


def binary_view(scores: np.ndarray, label: int) -> np.ndarray:
    """One label of multi-label scores as a two-class problem: columns (not the label, the label)."""
    p = np.asarray(scores, dtype=np.float64)[:, label]
    return np.column_stack([1.0 - p, p])


class LabelView:
    """A :class:`BlackBox` asked about one label of a multi-label model, answering as a two-class model."""

    def __init__(self, black_box: BlackBox, label: int) -> None:
        self.black_box = black_box
        self.label = int(label)
        # Which texts are cached is the whole black box's (one row holds every label).
        self.cache = black_box.cache
        self.model_key = black_box.model_key

    def predict(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Predictions:
        answers = self.black_box.predict(texts, progress=progress)
        return Predictions(binary_view(answers.proba, self.label), answers.n_distinct, answers.n_model_calls)
