"""The domain-free LIME step: fit a surrogate on weighted samples and measure it on held-out ones.

Shared by every front end (text today); it knows nothing about tokens or
strings, only a feature matrix, the black box's probabilities and the sample
weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.base import clone

from .explanation import FidelityMetrics
from .metrics import close_agreement, mean_kl_divergence, top_class_agreement
from .surrogates import Matrix, Surrogate


@dataclass(frozen=True, eq=False)
class LocalFit:
    """A fitted surrogate, which samples it saw, and its held-out fidelity.

    Compared and hashed by identity: it is the key its trust results are kept under.
    """

    surrogate: Surrogate
    train_index: np.ndarray
    heldout_index: np.ndarray
    metrics: FidelityMetrics


def split_heldout(
    n_samples: int, heldout_fraction: float, rng: np.random.Generator, always_train: Sequence[int] = (0,)
) -> tuple[np.ndarray, np.ndarray]:
    """Random train / held-out index split; ``always_train`` rows (the original text) stay in training."""
    if not 0.0 < heldout_fraction < 1.0:
        raise ValueError(f"heldout_fraction must be between 0 and 1, not {heldout_fraction}")
    fixed = np.asarray(sorted(set(always_train)), dtype=np.intp)
    rest = np.setdiff1d(np.arange(n_samples), fixed)
    rest = rng.permutation(rest)
    n_heldout = max(1, round(heldout_fraction * n_samples))
    if n_heldout >= len(rest):
        raise ValueError(f"{n_samples} samples are too few to hold out {heldout_fraction:.0%} of them")
    heldout = np.sort(rest[:n_heldout])
    train = np.sort(np.concatenate([fixed, rest[n_heldout:]]))
    return train, heldout


def fidelity(surrogate: Surrogate, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> FidelityMetrics:
    """eli5's ``mean_KL_divergence`` and ``score`` of a fitted surrogate on the given samples."""
    pred = surrogate.predict_proba(X)
    return FidelityMetrics(
        mean_KL_divergence=mean_kl_divergence(y_proba, pred, sample_weight),
        score=top_class_agreement(y_proba, pred, sample_weight),
        n_heldout=int(X.shape[0]),
        close_agreement=close_agreement(y_proba, pred, sample_weight),
    )


def fit_local_model(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: Surrogate,
    heldout_fraction: float,
    rng: np.random.Generator,
    metric_weight: np.ndarray | None = None,
) -> LocalFit:
    """Fit a fresh copy of ``surrogate`` on a training split and score it on the rest.

    ``sample_weight`` (the kernel's) weighs the fit; ``metric_weight`` weighs
    the fidelity metrics and defaults to the same. Keeping the metric weights
    fixed (cosine similarity, as eli5 does) while the kernel varies stops a
    narrow kernel from flattering its own score by looking only at near copies.
    """
    train, heldout = split_heldout(X.shape[0], heldout_fraction, rng)
    return fit_on_split(X, y_proba, sample_weight, surrogate, train, heldout, metric_weight)


def fit_on_split(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: Surrogate,
    train: np.ndarray,
    heldout: np.ndarray,
    metric_weight: np.ndarray | None = None,
) -> LocalFit:
    """:func:`fit_local_model` on a given train / held-out split (another feature set on the same samples)."""
    fitted = clone(surrogate).fit(X[train], y_proba[train], sample_weight[train])
    scoring_weight = sample_weight if metric_weight is None else metric_weight
    metrics = fidelity(fitted, X[heldout], y_proba[heldout], scoring_weight[heldout])
    return LocalFit(surrogate=fitted, train_index=train, heldout_index=heldout, metrics=metrics)
