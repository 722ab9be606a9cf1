"""Fidelity of a surrogate to the black box, as eli5 defines it.

Both metrics are weighted by the samples' similarity to the original text and
must be computed on samples the surrogate was not fitted on.
"""

from __future__ import annotations

import numpy as np

_EPS = 1e-9
# close_agreement: the surrogate's pick still agrees when the model rates it within this much of its own top class.
AGREEMENT_MARGIN = 0.05


def _weights(sample_weight: np.ndarray | None) -> np.ndarray | None:
    # Held-out samples can all weigh 0 (every one is the empty text of a two-word input); then each counts equally
    # rather than the average being undefined.
    if sample_weight is None or np.sum(sample_weight) <= 0:
        return None
    return sample_weight


def kl_divergence_rows(p_true: np.ndarray, q_pred: np.ndarray) -> np.ndarray:
    """KL(p_true || q_pred) per row, in nats; ``q_pred`` gets a small floor so zeros do not blow up."""
    q = q_pred + _EPS
    q = q / q.sum(axis=1, keepdims=True)
    p = p_true / p_true.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p / q), 0.0)
    return terms.sum(axis=1)


def mean_kl_divergence(p_true: np.ndarray, q_pred: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    """Similarity-weighted mean KL divergence from the black box's to the surrogate's probabilities."""
    return float(np.average(kl_divergence_rows(p_true, q_pred), weights=_weights(sample_weight)))


def top_class_agreement(p_true: np.ndarray, q_pred: np.ndarray, sample_weight: np.ndarray | None = None) -> float:
    """Similarity-weighted share of samples where surrogate and black box pick the same top class."""
    agree = (p_true.argmax(axis=1) == q_pred.argmax(axis=1)).astype(float)
    return float(np.average(agree, weights=_weights(sample_weight)))


def close_agreement(
    p_true: np.ndarray, q_pred: np.ndarray, sample_weight: np.ndarray | None = None, margin: float = AGREEMENT_MARGIN
) -> float:
    """Similarity-weighted share of samples where the surrogate's top class is one the model rates within
    ``margin`` of its own top class.

    :func:`top_class_agreement` counts a sample on which the model itself hesitates (two classes at 0.30 and
    0.29 of twenty, or one label at 0.51 against 0.49) as a disagreement whenever the surrogate lands a hair on
    the other side; this counts only picks the model clearly disagrees with, so the same figure means the same
    thing at 2 classes, at 20, and for a yes/no label near 0.5.
    """
    picked = q_pred.argmax(axis=1)
    rated = p_true[np.arange(p_true.shape[0]), picked] if p_true.shape[0] else np.zeros(0)
    agree = (rated >= p_true.max(axis=1, initial=0.0) - margin).astype(float)
    return float(np.average(agree, weights=_weights(sample_weight))) if agree.size else float("nan")
