"""Similarity kernels: how much each perturbed sample counts in the local fit.

Both start from the cosine similarity between the sample's keep-mask and the
original's (all ones): with ``m`` of ``n`` tokens kept it is ``sqrt(m / n)``.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


def cosine_similarity_to_original(keep: np.ndarray) -> np.ndarray:
    """Cosine similarity of each boolean keep-row with the all-ones row."""
    n_tokens = keep.shape[1]
    return np.sqrt(keep.sum(axis=1) / n_tokens)


class Kernel(Protocol):
    """Maps keep-masks to non-negative sample weights."""

    def weights(self, keep: np.ndarray) -> np.ndarray: ...


class CosineKernel:
    """Weight = cosine similarity itself (eli5's default, ``rbf_sigma=None``)."""

    def weights(self, keep: np.ndarray) -> np.ndarray:
        return cosine_similarity_to_original(keep)

    def __repr__(self) -> str:
        return "CosineKernel()"


class ExponentialKernel:
    """Weight = ``exp(-d**2 / width**2)`` with cosine distance ``d = 1 - similarity``.

    LIME's text explainer uses this shape with distance scaled by 100 and width
    25, i.e. ``width = 0.25`` here; a smaller width makes the fit more local.
    """

    def __init__(self, width: float = 0.25) -> None:
        self.width = width

    def weights(self, keep: np.ndarray) -> np.ndarray:
        if not self.width > 0:
            raise ValueError(f"kernel width must be positive, not {self.width}")
        distance = 1.0 - cosine_similarity_to_original(keep)
        return np.exp(-(distance**2) / self.width**2)

    def __repr__(self) -> str:
        return f"ExponentialKernel(width={self.width})"
