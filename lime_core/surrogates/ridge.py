"""The ridge surrogate (lime's: one weighted least-squares fit per class) and the sandwich covariance of its weights."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from sklearn.base import BaseEstimator

from ..defaults import CONFIDENCE as DEFAULT_CONFIDENCE
from .base import (
    MAX_PARAMETERS,
    Matrix,
    WeightUncertainty,
    _check_fit_args,
    _dense_design,
    _normalised,
    _OwnObjective,
    is_sparse,
    single_threaded_blas,
)


class RidgeSurrogate(_OwnObjective, BaseEstimator):
    """One weighted ridge regression per class on the class probability, as ``lime`` does.

    Its outputs are not probabilities; for the fidelity metrics they are
    clipped to ``[0, 1]`` and renormalised, which is stated in the report.
    """

    # Coefficients act on the probabilities directly: a weight is the change in P(class) per occurrence.
    output_scale = "probability"

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> RidgeSurrogate:
        w = _check_fit_args(X, y_proba, sample_weight)
        Xd = X.toarray() if is_sparse(X) else np.asarray(X, dtype=np.float64)
        x_mean = w @ Xd
        y_mean = w @ y_proba
        Xc = Xd - x_mean
        Yc = y_proba - y_mean
        # lime's Ridge(alpha=1) works on raw weights; scaling alpha by the mean weight keeps the same balance
        # between data and penalty after the weights are normalised to sum to 1 here.
        gram = Xc.T @ (Xc * w[:, None]) + (self.alpha / len(w)) * np.eye(Xd.shape[1])
        coef = np.linalg.solve(gram, Xc.T @ (Yc * w[:, None]))
        self.coef_ = coef.T.copy()
        self.intercept_ = y_mean - x_mean @ coef
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Matrix) -> np.ndarray:
        raw = np.clip(self.decision_function(X), 1e-6, 1.0)
        return raw / raw.sum(axis=1, keepdims=True)

    def uncertainty(
        self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray, confidence: float
    ) -> WeightUncertainty | None:
        """The sandwich covariance of each class's least-squares fit (the :class:`Surrogate` hook)."""
        with single_threaded_blas():
            return ridge_uncertainty(X, y_proba, sample_weight, self, confidence)


def ridge_uncertainty(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: RidgeSurrogate,
    confidence: float = DEFAULT_CONFIDENCE,
) -> WeightUncertainty | None:
    """The same sandwich for the ridge surrogate: one weighted least-squares problem per class."""
    Xt = _dense_design(X)
    w = _normalised(sample_weight)
    n_used = int(np.count_nonzero(w > 0))
    d1 = Xt.shape[1]
    if d1 > MAX_PARAMETERS or n_used <= d1 + 1:
        return None
    lam = float(surrogate.alpha) / len(w)
    mask = np.ones(d1)
    mask[-1] = 0.0
    A = Xt.T @ (Xt * w[:, None]) + lam * np.diag(mask)
    try:
        factor = scipy.linalg.cho_factor(A)
    except np.linalg.LinAlgError:
        return None
    theta = np.hstack([surrogate.coef_, surrogate.intercept_[:, None]])  # (K, d1)
    residuals = Xt @ theta.T - np.asarray(y_proba, dtype=np.float64)  # (n, K)
    A_inv = scipy.linalg.cho_solve(factor, np.eye(d1))
    covs = []
    for c in range(theta.shape[0]):
        G = Xt * (w * residuals[:, c])[:, None]
        S = G @ A_inv  # rows: each sample's influence on the parameters
        covs.append(S.T @ S * (n_used / (n_used - d1)))
    std = np.sqrt(np.maximum(np.array([np.diag(cov) for cov in covs]), 0.0))
    if not np.all(np.isfinite(std)):
        return None
    return WeightUncertainty(
        std=std[:, :-1],
        bias_std=std[:, -1],
        confidence=confidence,
        class_cov=lambda c: covs[c][:-1, :-1],
    )
