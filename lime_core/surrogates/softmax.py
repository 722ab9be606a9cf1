"""The softmax surrogate (the default) and its own algebra: the sandwich covariance of its weights.

A standard error and an interval for every weight, from the samples already drawn (no model calls).

What varies from one run of LIME to the next is the random draw of perturbed
texts: the surrogate's weights are an M-estimate (the minimiser of a weighted
loss summed over random samples) and their sampling variance is given by the
robust "sandwich" covariance ``A^-1 B A^-1`` (Huber 1967; White 1980), where
``A`` is the Hessian of the penalised, weighted loss at the fitted weights and
``B`` the sum of the outer products of the per-sample gradients. Unlike a
Laplace approximation (``A^-1`` alone, as if the black box's probabilities
were labels drawn at random), it stays right when the surrogate is the wrong
model for the black box, which it always is for a real classifier, and when
the targets are soft probabilities. It needs no choice of an "effective
sample size": scaling every weight by a constant leaves it unchanged.

The optimiser's residual (one Newton step from where L-BFGS stopped) is
added to the variance, so that an interval never claims more precision than
the fit reached. The L2 penalty's shrinkage is not: it is a fixed bias of the
estimator, not a spread, and adding it made the intervals of the strongest
words stop shrinking as samples grew (on the 20 Newsgroups post, 8x wider
than the spread between runs at 5,000 samples).

The intervals are ``weight +- z * std`` (z = 1.96 for 95 %); tests check
their coverage over repeated seeds on black boxes with known effects
(tests/test_trust_uncertainty.py) and docs/trust.md reports the figures.

Supported surrogates: those that declare a ``curvature`` or an ``uncertainty``
hook (:class:`~lime_core.surrogates.Surrogate`):
:class:`~lime_core.surrogates.SoftmaxSurrogate` (the default) and
:class:`~lime_core.surrogates.RidgeSurrogate`; for others
:func:`weight_uncertainty` returns None and no intervals are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.base import BaseEstimator

from ..defaults import CONFIDENCE as DEFAULT_CONFIDENCE
from .base import (
    _THREADPOOLS,
    MAX_PARAMETERS,
    Matrix,
    WeightUncertainty,
    _as_fast_matrix,
    _check_fit_args,
    _dense_design,
    _normalised,
    _OwnObjective,
    class_weights,
    is_sparse,
    single_threaded_blas,
)

METHOD_BLOCK = "sandwich, class by class"  # BlockAnalysis: words screened in, the rest one at a time
# BlockAnalysis: a class's block has at most this many parameters (a 1.2e9-flop Hessian on 3,500 samples), with at
# least MIN_SCREENED_IN words screened in (the words a top-5 set can come from).
BLOCK_PARAMETERS = 800
MIN_SCREENED_IN = 20
# The fit works in whitened coordinates (_fit_whitened) up to this many words: its set-up costs samples x words^2,
# the iterations it saves samples x words x classes each (a few hundred on long posts). Beyond, and for sparse
# designs, the weights themselves are optimised.
WHITEN_MAX_FEATURES = 1000


class SoftmaxSurrogate(_OwnObjective, BaseEstimator):
    """Weighted multinomial logistic regression fitted on soft targets.

    Minimises the similarity-weighted cross-entropy between the black box's
    probability vectors and the surrogate's softmax, plus ``alpha / 2`` times
    the squared L2 norm of the coefficients (the intercept is not penalised).
    Fitting the probability vectors directly, rather than expanding the data
    set with labels sampled from them as eli5 does, is exact and needs no
    random labels. Optimised with L-BFGS from zero, so it is deterministic; on a dense design of at most
    ``WHITEN_MAX_FEATURES`` words in whitened coordinates (the same minimiser, reached in fewer iterations).
    """

    # Coefficients act on the logits: with two classes, their difference is the log-odds of one class against the
    # other, which is what explanations report.
    output_scale = "logit"

    def __init__(self, alpha: float = 1e-3, max_iter: int = 500, tol: float = 1e-5) -> None:
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> SoftmaxSurrogate:
        w = _check_fit_args(X, y_proba, sample_weight)
        X = _as_fast_matrix(X)
        wPT = np.ascontiguousarray(np.asarray(y_proba, dtype=np.float64).T * w)
        with _THREADPOOLS.limit(limits=1, user_api="blas"):
            solved = _fit_whitened(X, wPT, w, float(self.alpha), self.tol, self.max_iter)
            if solved is None:
                solved = _fit_plain(X, wPT, w, float(self.alpha), self.tol, self.max_iter)
        full, self.n_iter_, self.converged_ = solved
        WT, b = full[:, :-1], full[:, -1]
        # Softmax is unchanged by a shift common to all classes; centring gives one canonical answer.
        self.coef_ = WT - WT.mean(axis=0)
        self.intercept_ = b - b.mean()
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Matrix) -> np.ndarray:
        return softmax(self.decision_function(X), axis=1)

    def curvature(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> Analysis | None:
        """This objective's Hessian at the fitted weights, factorised (the :class:`Surrogate` hook)."""
        with single_threaded_blas():
            return SoftmaxAnalysis.build(X, y_proba, sample_weight, self)


# The fit's solvers: ``(weights and intercepts (classes, features + 1), iterations, converged)``. wPT is the soft
# targets times the normalised sample weights ``w``, classes x samples.
Solved: TypeAlias = tuple[np.ndarray, int, bool]


def _fit_plain(X: Matrix, wPT: np.ndarray, w: np.ndarray, alpha: float, tol: float, max_iter: int) -> Solved:
    """L-BFGS on the weights themselves, from zero (for sparse designs and very many words)."""
    d = X.shape[1]
    k = wPT.shape[0]
    # Work in (classes, samples) layout: reductions over the few classes then run along contiguous rows,
    # which is several times faster than numpy's axis=1 reductions over 4-column arrays.
    if is_sparse(X):
        X, XT = X.tocsr(), X.T.tocsr()

        def scores(WT: np.ndarray) -> np.ndarray:
            return np.asarray(X @ WT.T).T

        def project(R: np.ndarray) -> np.ndarray:
            return np.asarray(XT @ R.T).T
    else:
        X = np.ascontiguousarray(X, dtype=np.float64)
        XT = np.ascontiguousarray(X.T)

        def scores(WT: np.ndarray) -> np.ndarray:
            return WT @ XT

        def project(R: np.ndarray) -> np.ndarray:
            return R @ X

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        WT = theta[: k * d].reshape(k, d)
        b = theta[k * d :]
        Z = scores(WT) + b[:, None]
        Z -= Z.max(axis=0)
        E = np.exp(Z)
        total = E.sum(axis=0)
        loss = -np.vdot(wPT, Z - np.log(total)) + 0.5 * alpha * np.vdot(WT, WT)
        R = E * (w / total) - wPT  # weighted (q - p), classes x samples
        return float(loss), np.concatenate([(project(R) + alpha * WT).ravel(), R.sum(axis=1)])

    result = minimize(
        loss_grad,
        np.zeros(k * d + k),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-12},
    )
    full = np.hstack([result.x[: k * d].reshape(k, d), result.x[k * d :, None]])
    return full, int(result.nit), bool(result.success)


def _fit_whitened(X: Matrix, wPT: np.ndarray, w: np.ndarray, alpha: float, tol: float, max_iter: int) -> Solved | None:
    """L-BFGS on the same objective in whitened coordinates; None where :func:`_fit_plain` is for.

    LIME's samplers keep a random share of the words, so every word's column moves with that share: the columns
    are strongly correlated and the objective is ill-conditioned along their common direction (L-BFGS took 300-400
    iterations on long posts). With ``C = L L^T`` the second moments of ``[x, 1]`` weighted as the objective's
    curvature weighs them at the targets (a sample's weight times the mean nonzero eigenvalue of its softmax
    Hessian, ``sum_c p_c (1 - p_c) / (K - 1)``), plus the penalty on the words, the parameters ``V = [W, b] L`` see
    a nearly isotropic objective; the objective, and so its minimiser, are unchanged, only the path to it. It stops
    on the same test as :func:`_fit_plain`, the largest gradient component of ``[W, b]`` at most ``tol`` (or
    L-BFGS's own ``ftol``, or ``max_iter``).
    """
    if is_sparse(X) or X.shape[1] > WHITEN_MAX_FEATURES or alpha <= 0:
        return None
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    k, d1 = wPT.shape[0], d + 1
    design = np.hstack([X, np.ones((n, 1))])
    # Without the curvature (the samples' weights alone) the iterations were halved only where the probabilities
    # are moderate; where the model is sure, the penalty dominates and plain moments over-correct (402 iterations
    # at most on 72 fits of 20 posts, 98 with it).
    P = np.divide(wPT, w, out=np.zeros_like(wPT), where=w > 0)
    curvature = w * np.maximum((P * (1.0 - P)).sum(axis=0) / max(k - 1, 1), 1e-8)
    moments = (design.T * curvature) @ design
    moments[np.arange(d), np.arange(d)] += alpha
    try:
        L = np.linalg.cholesky(moments)
    except np.linalg.LinAlgError:
        return None
    # L^-1 once: each iteration then takes two matrix products where two triangular solves took 15 % of a batch
    # worker's CPU time, most of it in scipy's per-call checks (d1 <= WHITEN_MAX_FEATURES + 1, so it is small).
    L_inv = scipy.linalg.solve_triangular(L, np.eye(d1), lower=True)
    L_inv_T = np.ascontiguousarray(L_inv.T)
    UT = np.ascontiguousarray(L_inv @ design.T)  # L^-1 [x, 1]^T, d1 x n
    U = np.ascontiguousarray(UT.T)
    words = np.ones(d1)
    words[-1] = 0.0  # the intercept is not penalised
    last: dict[str, Any] = {}  # the point of the last gradient evaluated, and the largest component of [W, b]'s

    def weights_of(V: np.ndarray) -> np.ndarray:  # [W, b] = V L^-1
        return V @ L_inv

    def loss_grad(v: np.ndarray) -> tuple[float, np.ndarray]:
        V = v.reshape(k, d1)
        Z = V @ UT
        Z -= Z.max(axis=0)
        E = np.exp(Z)
        total = E.sum(axis=0)
        penalised = weights_of(V) * words
        loss = -np.vdot(wPT, Z - np.log(total)) + 0.5 * alpha * np.vdot(penalised, penalised)
        R = E * (w / total) - wPT  # weighted (q - p), classes x samples
        grad = R @ U + (alpha * penalised) @ L_inv_T
        last["x"], last["gradient"] = v.copy(), float(np.abs(grad @ L.T).max())  # the gradient of [W, b]
        return float(loss), grad.ravel()

    def settled_at(x: np.ndarray | None) -> bool:
        """The stopping test at ``x``, from the gradient evaluated there."""
        return x is not None and "x" in last and np.array_equal(last["x"], x) and float(last["gradient"]) <= tol

    def stop_when_settled(intermediate_result: object) -> None:
        if settled_at(getattr(intermediate_result, "x", None)):
            raise StopIteration

    result = minimize(
        loss_grad,
        np.zeros(k * d1),
        jac=True,
        method="L-BFGS-B",
        callback=stop_when_settled,
        # A gradient of V this small bounds [W, b]'s by tol (|g L^T|_max <= |g|_max * max row sum of |L|).
        options={"maxiter": max_iter, "gtol": tol / float(np.abs(L).sum(axis=1).max()), "ftol": 1e-12},
    )
    full = weights_of(result.x.reshape(k, d1))
    return full, int(result.nit), bool(result.success or settled_at(result.x))


class SoftmaxProblem:
    """The softmax surrogate's objective in an identifiable parametrisation, with its derivatives.

    The surrogate minimises ``sum_i w_i CE(p_i, softmax(W x_i + b)) + alpha/2 ||W||^2`` with ``w`` normalised
    to sum to 1. Softmax is unchanged by a shift common to all classes, so the parameters here are the
    contrasts against class 0, ``theta[c-1] = ([W_c, b_c] - [W_0, b_0])`` for ``c = 1..K-1``; for the
    optimal (centred) ``W`` the penalty becomes ``alpha/2 * tr(D^T (I - J/K) D)`` over the contrasts ``D``.
    """

    def __init__(
        self,
        X: Matrix,
        y_proba: np.ndarray,
        sample_weight: np.ndarray,
        alpha: float,
        n_classes: int | None = None,
        column_penalty: np.ndarray | None = None,
    ) -> None:
        # Class-major layout (classes x samples), as in the surrogate's fit: reductions over the few classes then
        # run along contiguous rows.
        self.Xt = _dense_design(X)
        self.XT = np.ascontiguousarray(self.Xt.T)
        # Single precision for the curvature sums (twice as fast, and accurate to ~1e-6 relative: far finer
        # than a standard error needs); gradients and weights stay in double precision.
        self.Xt32 = self.Xt.astype(np.float32)
        self.XT32 = self.XT.astype(np.float32)
        self.PT = np.ascontiguousarray(np.asarray(y_proba, dtype=np.float64).T)
        self.w = _normalised(sample_weight)
        self.d1, self.n = self.XT.shape
        self.K = self.PT.shape[0]
        self.alpha = float(alpha)
        m = self.K - 1
        mask = np.ones(self.d1)
        if column_penalty is not None:  # a column standing for several words carries their penalties
            mask[:-1] = column_penalty
        mask[-1] = 0.0  # the intercept is not penalised
        self.column_penalty = mask
        # ``n_classes`` > K: class 0 stands for several classes of the surrogate moving together (ClassBlock); the
        # centring and the penalty are then those of all the surrogate's classes.
        total = self.K if n_classes is None else int(n_classes)
        self.penalty = self.alpha * np.kron(np.eye(m) - 1.0 / total, np.diag(mask))
        # Reported weights as a linear map of the contrasts: the centred weights D_c - mean(D) as
        # surrogates.class_weights reports them (with two classes the log-odds (-D, D)).
        centred = np.vstack([np.zeros((1, m)), np.eye(m)]) - 1.0 / total
        self.M = class_weights(centred, np.zeros(self.K), "logit")[0] if total == self.K else centred

    @property
    def n_parameters(self) -> int:
        return (self.K - 1) * self.d1

    def theta_from(self, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        full = np.hstack([coef, intercept[:, None]])
        return (full[1:] - full[0]).ravel()

    def proba(self, theta: np.ndarray) -> np.ndarray:
        """The surrogate's probabilities, classes x samples."""
        Z = np.empty((self.K, self.n))
        Z[0] = 0.0
        Z[1:] = theta.reshape(self.K - 1, self.d1) @ self.XT
        Z -= Z.max(axis=0)
        np.exp(Z, out=Z)
        Z /= Z.sum(axis=0)
        return Z

    def gradient(self, theta: np.ndarray, w: np.ndarray | None = None, q: np.ndarray | None = None) -> np.ndarray:
        w = self.w if w is None else w
        q = self.proba(theta) if q is None else q
        R = (q[1:] - self.PT[1:]) * w
        return (R @ self.Xt).ravel() + self.penalty @ theta

    def _blocks(self, coef_ab) -> np.ndarray:
        """Sum over samples of ``C_i (x) x_i x_i^T`` for per-sample (K-1)x(K-1) matrices ``C_i = coef_ab(a, b)``."""
        m, d1 = self.K - 1, self.d1
        out = np.empty((m * d1, m * d1))
        for a in range(m):
            for b in range(a, m):
                block = (self.XT32 * coef_ab(a, b).astype(np.float32)) @ self.Xt32
                out[a * d1 : (a + 1) * d1, b * d1 : (b + 1) * d1] = block
                if b != a:
                    out[b * d1 : (b + 1) * d1, a * d1 : (a + 1) * d1] = block.T
        return out

    def hessian(self, theta: np.ndarray, w: np.ndarray | None = None, q: np.ndarray | None = None) -> np.ndarray:
        w = self.w if w is None else w
        q = (self.proba(theta) if q is None else q)[1:]
        data = self._blocks(lambda a, b: w * (q[a] * ((a == b) - q[b])))
        return data + self.penalty

    def score_outer(self, theta: np.ndarray, q: np.ndarray | None = None) -> np.ndarray:
        """``B = sum_i g_i g_i^T`` with ``g_i`` the gradient of sample i's weighted loss."""
        r = ((self.proba(theta) if q is None else q)[1:] - self.PT[1:]) * self.w
        return self._blocks(lambda a, b: r[a] * r[b])

    def reported(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(weights (K, d), bias (K,))`` as explanations report them."""
        T = theta.reshape(self.K - 1, self.d1)
        out = self.M @ T
        return out[:, :-1], out[:, -1]

    def reported_variance(self, V: np.ndarray) -> np.ndarray:
        """Variance of every reported weight and bias, ``(K, d + 1)``, from a covariance of ``theta``."""
        m, d1 = self.K - 1, self.d1
        V4 = V.reshape(m, d1, m, d1)
        per_feature = np.einsum("ajbj->abj", V4)  # (m, m, d1): covariance across classes, feature by feature
        return np.einsum("ca,abj,cb->cj", self.M, per_feature, self.M)

    def refit_many(
        self, theta: np.ndarray, W: np.ndarray, factor: tuple, max_iter: int = 20, tol: float = 1e-3
    ) -> tuple[np.ndarray, np.ndarray]:
        """Minimise the objective for each row of sample weights ``W`` (R, n), starting from ``theta``.

        Newton iterations with a fixed factorised Hessian (``factor``, from ``cho_factor``): a resample's optimum
        is close, so these cheap iterations usually converge (linearly), all resamples at once. ``tol`` bounds
        the last step relative to the weights: about the L-BFGS fit's own accuracy, which is all a comparison of
        top-word sets needs. Returns ``(thetas (R, n_parameters), converged (R,))``; rows that did not converge
        within ``max_iter`` iterations (many features for few samples: the fixed Hessian is then a poor guide)
        are to be refitted otherwise.
        """
        # Single precision for the sums over samples: a tolerance of 1e-3 needs nothing finer, and it is twice as
        # fast; the iterates themselves stay in double precision.
        W = (W / W.sum(axis=1, keepdims=True)).astype(np.float32)
        R, m, d1, n = W.shape[0], self.K - 1, self.d1, self.n
        thetas = np.tile(theta, (R, 1))
        done = np.zeros(R, dtype=bool)
        PT = self.PT[1:][None].astype(np.float32)
        for _ in range(max_iter):
            Z = np.empty((R, self.K, n), dtype=np.float32)
            Z[:, 0] = 0.0
            Z[:, 1:] = (thetas.reshape(R * m, d1).astype(np.float32) @ self.XT32).reshape(R, m, n)
            Z -= Z.max(axis=1, keepdims=True)
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
            res = (Z[:, 1:] - PT) * W[:, None, :]
            grad = (res.reshape(R * m, n) @ self.Xt32).reshape(R, m * d1) + thetas @ self.penalty
            steps = scipy.linalg.cho_solve(factor, grad.T).T
            steps[done] = 0.0
            thetas -= steps
            finite = np.all(np.isfinite(thetas), axis=1)
            thetas[~finite] = theta
            done |= finite & (np.max(np.abs(steps), axis=1) < tol * (1.0 + np.max(np.abs(thetas), axis=1)))
            done &= finite
            if done.all():
                break
        return thetas, done

    def refit_one(self, theta: np.ndarray, w: np.ndarray, max_iter: int = 20, tol: float = 1e-3) -> np.ndarray | None:
        """Like :meth:`refit_many` for one resample, with that resample's own Hessian (at ``theta``) kept."""
        w = w / w.sum()
        try:
            factor = scipy.linalg.cho_factor(self.hessian(theta, w))
        except np.linalg.LinAlgError:
            return None
        for _ in range(max_iter):
            step = scipy.linalg.cho_solve(factor, self.gradient(theta, w))
            theta = theta - step
            if not np.all(np.isfinite(theta)):
                return None
            if np.max(np.abs(step)) < tol * (1.0 + np.max(np.abs(theta))):
                return theta
        return None


class SoftmaxAnalysis:
    """The softmax surrogate's objective at its fitted weights, factorised once for intervals and refits."""

    def __init__(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray, surrogate: SoftmaxSurrogate):
        self.problem = SoftmaxProblem(X, y_proba, sample_weight, surrogate.alpha)
        self.theta = self.problem.theta_from(surrogate.coef_, surrogate.intercept_)
        self.q = self.problem.proba(self.theta)
        self.factor = scipy.linalg.cho_factor(self.problem.hessian(self.theta, q=self.q))

    @classmethod
    def build(
        cls, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray, surrogate: SoftmaxSurrogate
    ) -> SoftmaxAnalysis | BlockAnalysis | None:
        """None when the Hessian is singular; a :class:`BlockAnalysis` (one class at a time, words screened) when
        there are more than ``MAX_PARAMETERS`` parameters or not more samples than parameters."""
        d1 = X.shape[1] + 1
        n_parameters = (y_proba.shape[1] - 1) * d1
        n_used = int(np.count_nonzero(np.asarray(sample_weight) > 0))
        if n_parameters > MAX_PARAMETERS or n_used <= n_parameters + 1:
            # Too large for the exact covariance, or more parameters than samples: class by class, screened.
            return BlockAnalysis(X, y_proba, sample_weight, surrogate)
        try:
            return cls(X, y_proba, sample_weight, surrogate)
        except (np.linalg.LinAlgError, ValueError):
            return None

    def uncertainty(
        self, confidence: float = DEFAULT_CONFIDENCE, primary: int | None = None
    ) -> WeightUncertainty | None:
        """Every class's standard errors (``primary`` is for :class:`BlockAnalysis`'s signature)."""
        problem, theta, factor = self.problem, self.theta, self.factor
        n_used = int(np.count_nonzero(problem.w > 0))
        B = problem.score_outer(theta, q=self.q)
        AinvB = scipy.linalg.cho_solve(factor, B)
        V = scipy.linalg.cho_solve(factor, AinvB.T)
        V = 0.5 * (V + V.T) * (n_used / (n_used - problem.n_parameters))  # HC1 small-sample correction
        var = problem.reported_variance(V)
        # The optimiser's residual, one Newton step from where L-BFGS stopped.
        residual = scipy.linalg.cho_solve(factor, problem.gradient(theta, q=self.q))
        s_w, s_b = problem.reported(residual)
        systematic = np.hstack([s_w, s_b[:, None]]) ** 2
        std = np.sqrt(np.maximum(var + systematic, 0.0))
        if not np.all(np.isfinite(std)):
            return None
        m, d1 = problem.K - 1, problem.d1
        V4 = V.reshape(m, d1, m, d1)

        def class_cov(c: int) -> np.ndarray:
            cov = np.einsum("a,aibj,b->ij", problem.M[c], V4, problem.M[c])[:-1, :-1]
            return cov + np.diag(systematic[c, :-1])

        hc1 = n_used / (n_used - problem.n_parameters)
        excess = 0.5 * float(np.trace(AinvB)) * hc1
        return WeightUncertainty(
            std=std[:, :-1], bias_std=std[:, -1], confidence=confidence, class_cov=class_cov, excess_loss=excess
        )

    def refit_reported(self, sample_weights: np.ndarray) -> list[np.ndarray | None]:
        """Reported weights ``(K, d)`` of the surrogate refitted with each row of ``sample_weights`` (R, n).

        An entry is None when the Newton iterations did not converge for that resample (refit it from scratch).
        """
        W = np.asarray(sample_weights, dtype=np.float64)
        thetas, converged = self.problem.refit_many(self.theta, W, self.factor)
        out: list[np.ndarray | None] = []
        for theta, ok, w in zip(thetas, converged, W, strict=True):
            if not ok:
                theta = self.problem.refit_one(self.theta, w)
            out.append(None if theta is None else self.problem.reported(theta)[0])
        return out


class ClassBlock:
    """The sandwich of one class's weights when the whole problem is too large (many classes, many words).

    The exact covariance has ``(classes - 1) x (features + 1)`` parameters and costs their cube. Here the explained
    class ``c`` and the ``partners`` (the classes of largest mean probability over the samples: those its weights
    trade off against most) keep their own parameters, and all other classes are merged into one that moves as a
    whole. At the fitted weights the objective's derivatives are those of a softmax over the kept classes and the
    merged one, with the centring and penalty of all classes, so with every class but one kept this is
    :class:`SoftmaxAnalysis` exactly (tests/test_trust_uncertainty.py). Only the ``features`` screened in are free;
    a word screened out gets the variance of its weight freed alone beside them (its one column residualised on
    theirs), which ignores only what the screened-out words share among themselves.
    """

    def __init__(
        self,
        X: Matrix,
        y_proba: np.ndarray,
        sample_weight: np.ndarray,
        surrogate: SoftmaxSurrogate,
        c: int,
        features: np.ndarray,
        partners: Sequence[int] = (),
    ) -> None:
        K = y_proba.shape[1]
        kept = [int(c), *(int(t) for t in partners if int(t) != int(c))]
        rest = np.setdiff1d(np.arange(K), kept)
        q = surrogate.predict_proba(X)
        P = np.asarray(y_proba, dtype=np.float64)
        self.c, self.n_classes, self.features = int(c), K, np.sort(np.asarray(features, dtype=np.intp))
        merged_p = np.column_stack([P[:, rest].sum(axis=1), P[:, kept]])
        self.q = np.ascontiguousarray(np.column_stack([q[:, rest].sum(axis=1), q[:, kept]]).T)
        full = np.hstack([surrogate.coef_, surrogate.intercept_[:, None]])
        # Contrasts against the merged classes' mean: at the centred optimum the penalty's gradient is then alpha W.
        contrasts = full[kept] - full[rest].mean(axis=0)
        out = np.setdiff1d(np.arange(X.shape[1]), self.features)
        design, theta = X[:, self.features], contrasts[:, self.features]
        column_penalty = None
        if len(out):
            # The screened-out words are held at their weights but for one shift common to them all, freed with
            # the rest: LIME's samplers keep a random number of words, which makes all words' columns move together
            # (that shared direction is what widens every weight's variance; without it, the screened-in words'
            # variances came out 0.57-0.9 of the exact ones on the 20-class model).
            shared = np.asarray(X[:, out].sum(axis=1)).reshape(-1, 1)
            design = sp.hstack([design, shared]).tocsr() if sp.issparse(design) else np.hstack([design, shared])
            theta = np.hstack([theta, contrasts[:, out].mean(axis=1, keepdims=True)])
            column_penalty = np.r_[np.ones(len(self.features)), len(out)]
        theta = np.hstack([theta, contrasts[:, -1:]])
        self.problem = SoftmaxProblem(
            design, merged_p, sample_weight, surrogate.alpha, n_classes=K, column_penalty=column_penalty
        )
        self.theta = theta.ravel()
        self.factor = scipy.linalg.cho_factor(self.problem.hessian(self.theta, q=self.q))
        self._X, self._pc = X, P[:, self.c]

    def covariance(self) -> tuple[np.ndarray, float, float]:
        """``(covariance of c's reported weights over the screened-in words, the bias's variance, tr(B A^-1) of
        this block)``."""
        problem, factor = self.problem, self.factor
        B = problem.score_outer(self.theta, q=self.q)
        m, d1 = problem.K - 1, problem.d1
        row = problem.M[1]  # the explained class: the first kept class, after the merged ones
        U = scipy.linalg.cho_solve(factor, np.kron(row[:, None], np.eye(d1)))  # A^-1 M_c^T
        block = U.T @ B @ U * self.hc1
        residual = scipy.linalg.cho_solve(factor, problem.gradient(self.theta, q=self.q))
        step = row @ residual.reshape(m, d1)  # the optimiser's residual, one Newton step
        block = 0.5 * (block + block.T) + np.diag(step**2)
        trace = float(np.trace(scipy.linalg.cho_solve(factor, B))) * self.hc1
        n_in = len(self.features)
        return block[:n_in, :n_in], float(block[-1, -1]), trace

    @property
    def hc1(self) -> float:
        n_used = int(np.count_nonzero(self.problem.w > 0))
        return n_used / max(n_used - self.problem.n_parameters, 1)

    def screened_out_variance(self, out: np.ndarray) -> np.ndarray:
        """The variance of each screened-out word's weight, that word freed alone beside the screened-in ones (its
        column residualised on theirs under the curvature weights), class ``c`` against all the others merged."""
        problem = self.problem
        qc = self.q[1]
        h = problem.w * qc * (1.0 - qc)
        r = problem.w * (qc - self._pc)
        Xo = self._X[:, out]
        Xo = Xo.toarray() if is_sparse(Xo) else np.asarray(Xo, dtype=np.float64)
        ridge = problem.alpha * (1.0 - 1.0 / self.n_classes)
        penalty = ridge * np.diag(problem.column_penalty)
        weighted = problem.Xt * h[:, None]
        beta = scipy.linalg.cho_solve(scipy.linalg.cho_factor(weighted.T @ problem.Xt + penalty), weighted.T @ Xo)
        schur = h @ (Xo * Xo) + ridge - np.einsum("fj,fj->j", weighted.T @ Xo, beta)
        E = Xo - problem.Xt @ beta
        spread = (r * r) @ (E * E)
        return (1.0 - 1.0 / self.n_classes) ** 2 * self.hc1 * spread / np.maximum(schur, 1e-300) ** 2


class PerClassStd:
    """Standard errors computed class by class on first use: ``std[c]`` is class c's ``(n_features,)`` array."""

    def __init__(self, compute: Callable[[int], np.ndarray], shape: tuple[int, ...]) -> None:
        self._compute = compute
        self._done: dict[int, np.ndarray] = {}
        self.shape = shape

    def __getitem__(self, c: int) -> np.ndarray:
        c = int(c)
        if c not in self._done:
            self._done[c] = self._compute(c)
        return self._done[c]


class BlockAnalysis:
    """Intervals of a softmax surrogate too large for :class:`SoftmaxAnalysis`, one class at a time.

    A class's block (:class:`ClassBlock`) frees every class (with up to ``BLOCK_PARAMETERS / MIN_SCREENED_IN``
    classes; beyond, the likeliest ones, the others merged) and the words of largest weight for that class, at
    most ``BLOCK_PARAMETERS`` parameters in all: the words a top-k set can come from. Each word screened out gets
    its variance with its own weight freed beside them, class against the rest, widened by the ratio that freeing
    the other classes gives the screened-in words. The cost is bounded per explained class, whatever the numbers
    of classes and words; docs/trust.md gives the measured agreement with the exact covariance.
    """

    def __init__(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray, surrogate: SoftmaxSurrogate):
        self.X, self.P, self.w, self.surrogate = X, np.asarray(y_proba), np.asarray(sample_weight), surrogate
        self.K, self.d = self.P.shape[1], X.shape[1]
        self.weights = class_weights(surrogate.coef_, surrogate.intercept_, "logit")[0]
        self._blocks: dict[int, tuple[np.ndarray, np.ndarray, float, float]] = {}
        self._mean_proba = np.average(self.P, axis=0, weights=self.w)
        # At most half as many parameters as samples, so that the small-sample correction stays below 2.
        self.budget = min(BLOCK_PARAMETERS, int(np.count_nonzero(self.w > 0)) // 2)

    def block(self, c: int) -> tuple[np.ndarray, np.ndarray, float, float]:
        """``(variance (n_features,), covariance (n_features, n_features), bias variance, trace share)`` of class c."""
        if c not in self._blocks:
            self._blocks[c] = self._block(int(c))
        return self._blocks[c]

    def _block(self, c: int) -> tuple[np.ndarray, np.ndarray, float, float]:
        by_mass = [int(t) for t in np.argsort(-self._mean_proba, kind="stable") if t != c]
        budget = self.budget
        n_words = min(self.d, budget // (self.K - 1) - 1)
        if n_words >= min(self.d, MIN_SCREENED_IN):  # every class but one (merged with nothing: exact in the classes)
            partners = by_mass[: self.K - 2]
        else:  # too many classes (or too few samples): the likeliest ones, the others merged
            n_words = min(self.d, MIN_SCREENED_IN)
            partners = by_mass[: max(0, budget // (n_words + 1) - 1)]
        order = np.argsort(-np.abs(self.weights[c]), kind="stable")
        features, out = np.sort(order[:n_words]), np.sort(order[n_words:])
        args = (self.X, self.P, self.w, self.surrogate, c)
        cov_in, bias_var, trace = ClassBlock(*args, features, partners).covariance()
        cov = np.zeros((self.d, self.d))
        cov[np.ix_(features, features)] = cov_in
        if len(out):
            # The screened-out words, one at a time against c's own block; scaled by how much the other classes'
            # freedom widens the screened-in words' variances (one ratio for the text: it varies little by word).
            alone = ClassBlock(*args, features)
            widening = float(np.median(np.diag(cov_in) / np.maximum(np.diag(alone.covariance()[0]), 1e-300)))
            cov[out, out] = widening * alone.screened_out_variance(out)
        share = (len(partners) + 1) * (len(features) + 1) / ((self.K - 1) * (self.d + 1))
        return np.diag(cov).copy(), cov, bias_var, trace / share

    def uncertainty(
        self, confidence: float = DEFAULT_CONFIDENCE, primary: int | None = None
    ) -> WeightUncertainty | None:
        """Standard errors computed for a class when first asked; ``primary`` (default: the class of the sample
        closest to the text) is computed now, and its block's trace, scaled to every parameter, is the excess loss.
        """
        if primary is None:
            primary = int(np.argmax(self.P[int(np.argmax(self.w))]))
        if self.budget < min(self.d, MIN_SCREENED_IN) + 1:
            return None
        try:
            var, _, _, excess_trace = self.block(primary)
        except (np.linalg.LinAlgError, ValueError):
            return None
        if not np.all(np.isfinite(var)):
            return None

        def std(c: int) -> np.ndarray:
            try:
                v = self.block(c)[0]
            except (np.linalg.LinAlgError, ValueError):
                v = np.full(self.d, np.nan)
            return np.sqrt(np.maximum(v, 0.0))

        def bias_std(c: int) -> np.ndarray:
            return np.sqrt(max(self.block(c)[2], 0.0))

        return WeightUncertainty(
            std=PerClassStd(std, (self.K, self.d)),
            bias_std=PerClassStd(bias_std, (self.K,)),
            confidence=confidence,
            method=METHOD_BLOCK,
            class_cov=lambda c: self.block(c)[1],
            excess_loss=0.5 * excess_trace,
        )

    def refit_reported(self, sample_weights: np.ndarray) -> list[np.ndarray | None]:
        """No fast refits here: every resample is refitted from scratch."""
        return [None] * len(sample_weights)


def softmax_uncertainty(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: SoftmaxSurrogate,
    confidence: float = DEFAULT_CONFIDENCE,
) -> WeightUncertainty | None:
    analysis = SoftmaxAnalysis.build(X, y_proba, sample_weight, surrogate)
    return None if analysis is None else analysis.uncertainty(confidence)


# What curvature() gives: the whole Hessian factorised, or one class at a time when it is too large.
Analysis: TypeAlias = SoftmaxAnalysis | BlockAnalysis
