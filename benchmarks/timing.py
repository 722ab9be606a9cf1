"""A black box wrapper that counts what the benchmarks report: texts sent, distinct texts, time in the model."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class TimedModel:
    """Wraps ``predict_proba`` and counts the texts (and distinct texts) sent to it and the seconds spent in it."""

    def __init__(
        self,
        predict_proba: Callable[[list[str]], np.ndarray],
        class_names: Sequence[str],
        name: str,
        batch_size: int | None = None,
    ) -> None:
        self._predict_proba = predict_proba
        self.class_names = list(class_names)
        self.name = name
        self.batch_size = batch_size
        self.reset()

    @classmethod
    def wrapping(cls, model: Any) -> TimedModel:
        """A timer around ``model`` (its ``predict_proba``, class names, name and batch size) that carries its
        declarations (:func:`copy_declarations`), so that lime_core explains it as the product does."""
        timed = cls(
            model.predict_proba,
            model.class_names,
            getattr(model, "name", type(model).__name__),
            getattr(model, "batch_size", None),
        )
        copy_declarations(model, timed)
        return timed

    def reset(self) -> None:
        self.seconds = 0.0
        self.texts = 0
        self.distinct: set[str] = set()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        start = time.perf_counter()
        out = self._predict_proba(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        self.distinct.update(texts)
        return out


# What a model declares to lime_core beside predict_proba (lime_core.removal, lime_core.estimator.resolve_bigrams):
# a wrapper that counts or memoises answers must carry these, or lime_core explains the bare function instead
# (deleting words, with single-word features) rather than the model as the product explains it.
MODEL_DECLARATIONS = ("mask_token", "unk_token", "reads_attention_masks", "default_removal", "default_bigrams")


def copy_declarations(model: object, onto: object) -> None:
    """Give ``onto`` (a wrapper) each of :data:`MODEL_DECLARATIONS` that ``model`` has."""
    for name in MODEL_DECLARATIONS:
        if hasattr(model, name):
            setattr(onto, name, getattr(model, name))
