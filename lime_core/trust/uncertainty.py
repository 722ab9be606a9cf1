"""A standard error and an interval for every weight, from the samples already drawn (no model calls).

The trust code asks the fitted surrogate through the documented hooks of the
:class:`~lime_core.surrogates.Surrogate` protocol: ``curvature(X, y_proba,
sample_weight)`` (an analysis whose ``uncertainty(confidence)`` gives the
intervals; the softmax surrogate's sandwich covariance, in
:mod:`lime_core.surrogates.softmax`) or ``uncertainty(X, y_proba,
sample_weight, confidence)`` (the ridge surrogate's). A surrogate with
neither has no intervals. docs/trust.md reports their coverage.
"""

from __future__ import annotations

import numpy as np

from ..defaults import CONFIDENCE
from ..surrogates import (  # re-exported: the names the trust code and its callers read
    Matrix,
    SoftmaxAnalysis,
    WeightUncertainty,
    has_curvature,
    single_threaded_blas,
    surrogate_uncertainty,
    z_value,
)
from ..surrogates import curvature as surrogate_curvature
from ..surrogates.base import METHOD as METHOD
from ..surrogates.softmax import METHOD_BLOCK as METHOD_BLOCK

DEFAULT_CONFIDENCE = CONFIDENCE

__all__ = [
    "DEFAULT_CONFIDENCE",
    "METHOD",
    "METHOD_BLOCK",
    "SoftmaxAnalysis",
    "WeightUncertainty",
    "single_threaded_blas",
    "weight_uncertainty",
    "z_value",
]


def weight_uncertainty(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: object,
    confidence: float = DEFAULT_CONFIDENCE,
) -> WeightUncertainty | None:
    """Standard errors of a fitted surrogate's reported weights, or None when they cannot be computed.

    From the surrogate's ``curvature`` analysis when it declares one, else from its ``uncertainty`` hook, else
    None (see :class:`~lime_core.surrogates.Surrogate`).

    ``X``, ``y_proba`` and ``sample_weight`` must be the rows the surrogate was fitted on (the training split).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    if has_curvature(surrogate):
        analysis = surrogate_curvature(surrogate, X, y_proba, sample_weight)
        if analysis is None:
            return None
        with single_threaded_blas():
            return analysis.uncertainty(confidence)
    return surrogate_uncertainty(surrogate, X, y_proba, sample_weight, confidence)
