"""libsvm's multi-class probabilities for an RBF SVC, computed here rather than by ``SVC(probability=True)``.

scikit-learn 1.9 deprecates ``SVC(probability=True)`` (removal announced for
1.11). The classic LIME/eli5 demonstration model relies on exactly those
probabilities, so :class:`PairwiseCoupledSVC` reproduces libsvm's estimate
from the SVC's one-vs-one decision values, in three published steps:

1. for every pair of classes ``(i, j)``, decision values of the pair's
   training posts from 5-fold cross-validation (libsvm's
   ``svm_binary_svc_probability``: an SVM of the same kernel and ``C`` on
   four folds of the pair's posts, scored on the fifth);
2. a Platt (2000) sigmoid ``P(i | f) = 1 / (1 + exp(A f + B))`` fitted to
   them by the Newton method with backtracking of Lin, Lin & Weng (2007,
   "A note on Platt's probabilistic outputs for support vector machines"),
   with Platt's regularised targets;
3. pairwise coupling of the clipped pairwise probabilities, method 2 of Wu,
   Lin & Weng (2004, "Probability Estimates for Multi-class Classification
   by Pairwise Coupling", JMLR 5): ``min_p sum_i sum_{j != i} (r_ji p_i -
   r_ij p_j)^2`` with ``sum p = 1``, solved exactly (libsvm iterates to a
   tolerance of ``0.005 / k``).

The folds are our own (libsvm draws them with C ``rand()``), so the
probabilities match libsvm's closely rather than bit for bit; docs/decisions/svm-probabilities.md
gives the measured difference on the 1,502 test posts.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import SVC

MIN_PROB = 1e-7  # libsvm clips the pairwise probabilities to [MIN_PROB, 1 - MIN_PROB] before coupling


def class_pairs(n_classes: int) -> list[tuple[int, int]]:
    """The one-vs-one pairs in libsvm's (and scikit-learn's) order: (0, 1), (0, 2), ..., (k-2, k-1)."""
    return [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]


def fit_platt_sigmoid(decision: np.ndarray, positive: np.ndarray, max_iter: int = 100) -> tuple[float, float]:
    """``(A, B)`` of ``P(positive | f) = 1 / (1 + exp(A f + B))``: Lin, Lin & Weng's Newton method for Platt.

    ``decision`` are out-of-sample decision values, ``positive`` booleans. Platt's targets
    ``(N+ + 1) / (N+ + 2)`` and ``1 / (N- + 2)`` keep the sigmoid from becoming a step.
    """
    f = np.asarray(decision, dtype=np.float64)
    y = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    t = np.where(y, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    a, b = 0.0, float(np.log((n_neg + 1.0) / (n_pos + 1.0)))
    sigma, eps, min_step = 1e-12, 1e-5, 1e-10

    def objective(a: float, b: float) -> float:
        z = f * a + b
        # -log-likelihood, in the overflow-free form for either sign of z
        return float(np.sum(np.where(z >= 0, t * z + np.log1p(np.exp(-z)), (t - 1.0) * z + np.log1p(np.exp(z)))))

    value = objective(a, b)
    for _ in range(max_iter):
        z = f * a + b
        ez = np.exp(-np.abs(z))
        p = np.where(z >= 0, ez / (1.0 + ez), 1.0 / (1.0 + ez))  # 1 / (1 + exp(z))
        q = 1.0 - p
        d2 = p * q
        h11 = sigma + float(np.sum(f * f * d2))
        h22 = sigma + float(np.sum(d2))
        h21 = float(np.sum(f * d2))
        d1 = t - p
        g1, g2 = float(np.sum(f * d1)), float(np.sum(d1))
        if abs(g1) < eps and abs(g2) < eps:
            break
        det = h11 * h22 - h21 * h21
        da = -(h22 * g1 - h21 * g2) / det
        db = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * da + g2 * db
        step = 1.0
        while step >= min_step:
            new_a, new_b = a + step * da, b + step * db
            new_value = objective(new_a, new_b)
            if new_value < value + 1e-4 * step * gd:
                a, b, value = new_a, new_b, new_value
                break
            step /= 2.0
        else:  # line search failed: keep the last good point, as libsvm does
            break
    return a, b


def sigmoid_probability(decision: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(A f + B))`` elementwise, overflow-free."""
    z = decision * a + b
    ez = np.exp(-np.abs(z))
    return np.where(z >= 0, ez / (1.0 + ez), 1.0 / (1.0 + ez))


def couple_pairwise(pairwise: np.ndarray, n_classes: int) -> np.ndarray:
    """Class probabilities ``(n, k)`` from pairwise ones ``(n, k(k-1)/2)`` (``P(i | i or j)`` for each pair).

    Wu, Lin & Weng's method 2: minimise ``p' Q p`` with ``Q_ii = sum_{j != i} r_ji^2`` and ``Q_ij = -r_ji r_ij``
    subject to ``sum p = 1``, solved exactly through its optimality conditions.
    """
    r = np.clip(np.asarray(pairwise, dtype=np.float64), MIN_PROB, 1.0 - MIN_PROB)
    n = r.shape[0]
    full = np.zeros((n, n_classes, n_classes))  # full[:, i, j] = r_ij = P(i | i or j)
    for p, (i, j) in enumerate(class_pairs(n_classes)):
        full[:, i, j] = r[:, p]
        full[:, j, i] = 1.0 - r[:, p]
    q = -full.transpose(0, 2, 1) * full  # Q_ij = -r_ji r_ij off the diagonal
    idx = np.arange(n_classes)
    q[:, idx, idx] = np.einsum("nji,nji->ni", full, full)  # Q_ii = sum_j r_ji^2 (r_ii = 0)
    # The optimality conditions [Q e; e' 0] [p; b] = [0; 1]: solvable even when Q is singular (consistent r).
    kkt = np.ones((n, n_classes + 1, n_classes + 1))
    kkt[:, :n_classes, :n_classes] = q
    kkt[:, n_classes, n_classes] = 0.0
    rhs = np.zeros((n, n_classes + 1, 1))
    rhs[:, n_classes] = 1.0
    proba = np.linalg.solve(kkt, rhs)[:, :n_classes, 0]
    return np.clip(proba, 0.0, 1.0)


class PairwiseCoupledSVC(ClassifierMixin, BaseEstimator):
    """An RBF ``SVC`` with libsvm's pairwise-coupled Platt probabilities, computed without ``probability=True``.

    Parameters are those of :class:`sklearn.svm.SVC` that the classic model sets, plus ``n_folds`` (libsvm: 5)
    and ``random_state`` for the cross-validation folds. Learned attributes: ``svc_`` (the SVC on all the
    training data, which makes every prediction), ``classes_``, ``prob_a_`` and ``prob_b_`` (one sigmoid per
    class pair, in :func:`class_pairs` order, with libsvm's sign convention: positive decision = class ``i``).
    """

    def __init__(
        self,
        C: float = 1.0,
        gamma: float | str = "scale",
        kernel: str = "rbf",
        n_folds: int = 5,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.gamma = gamma
        self.kernel = kernel
        self.n_folds = n_folds
        self.random_state = random_state

    def _svc(self) -> SVC:
        # "ovo": decision_function returns libsvm's pairwise values, the inputs of the sigmoids
        return SVC(C=self.C, gamma=self.gamma, kernel=self.kernel, decision_function_shape="ovo")

    def fit(self, X: np.ndarray, y: np.ndarray) -> PairwiseCoupledSVC:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        self.svc_ = self._svc().fit(X, y)
        self.classes_ = self.svc_.classes_
        if len(self.classes_) < 3:
            raise ValueError("PairwiseCoupledSVC is for three or more classes")
        pairs = class_pairs(len(self.classes_))
        self.prob_a_, self.prob_b_ = np.zeros(len(pairs)), np.zeros(len(pairs))
        rng = np.random.default_rng(self.random_state)
        for p, (i, j) in enumerate(pairs):
            rows = np.flatnonzero((y == self.classes_[i]) | (y == self.classes_[j]))
            positive = y[rows] == self.classes_[i]
            decision = np.zeros(len(rows))
            folds = StratifiedKFold(self.n_folds, shuffle=True, random_state=int(rng.integers(2**31)))
            for fit_rows, score_rows in folds.split(rows, positive):
                sub = self._svc().fit(X[rows[fit_rows]], positive[fit_rows])
                decision[score_rows] = sub.decision_function(X[rows[score_rows]])  # > 0: class i
            self.prob_a_[p], self.prob_b_[p] = fit_platt_sigmoid(decision, positive)
        return self

    def pairwise_decision(self, X: np.ndarray) -> np.ndarray:
        """One-vs-one decision values ``(n, n_pairs)``; positive favours the pair's first class."""
        return self.svc_.decision_function(np.asarray(X, dtype=np.float64))

    def proba_from_decision(self, ovo: np.ndarray) -> np.ndarray:
        """Class probabilities from one-vs-one decision values (what :meth:`predict_proba` does after the SVC)."""
        pairwise = sigmoid_probability(np.asarray(ovo, dtype=np.float64), self.prob_a_, self.prob_b_)
        return couple_pairwise(pairwise, len(self.classes_))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.proba_from_decision(self.pairwise_decision(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The class of largest probability (libsvm's ``predict`` with probabilities does the same)."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
