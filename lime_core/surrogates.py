"""Local surrogate models fitted on (features, black-box probabilities, sample weights), and their protocol.

Domain-free: nothing here knows about text. Each surrogate follows
scikit-learn's conventions (parameters stored unchanged in ``__init__``, work
in ``fit`` which returns ``self``, learned attributes end with ``_``) and
exposes ``coef_`` of shape ``(n_classes, n_features)`` and ``intercept_`` of
shape ``(n_classes,)``; the intercept is what explanations call ``<BIAS>``.

:class:`Surrogate` spells out what the explainer and the trust code need from
a surrogate, declaration by declaration, with the default that applies to a
surrogate that declares nothing; the module functions :func:`output_scale`,
:func:`weights_kind`, :func:`reported_weights`, :func:`curvature` and
:func:`surrogate_uncertainty` are the one place those defaults apply.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.special import softmax
from sklearn.base import BaseEstimator
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from .trust.uncertainty import SoftmaxAnalysis, WeightUncertainty

Matrix: TypeAlias = np.ndarray | sp.spmatrix
OutputScale = Literal["logit", "probability"]
OUTPUT_SCALES = ("logit", "probability")
WeightsKind = Literal["linear", "tree_path"]
WEIGHTS_KINDS = ("linear", "tree_path")

# Below this many matrix entries a dense copy is cheaper to multiply than CSR (the optimiser does it hundreds of
# times); above it (very long texts with bigrams) the sparse matrix saves memory.
DENSE_LIMIT = 10_000_000


# The surrogate's matrices are small: a multi-threaded BLAS spends more time waking threads than computing
# (measured: 290 ms of CPU with 2 OpenBLAS threads, 52 ms with one, for 3,500 x 50 features and 4 classes).
_THREADPOOLS = ThreadpoolController()


def _as_fast_matrix(X: Matrix) -> Matrix:
    if sp.issparse(X) and X.shape[0] * X.shape[1] <= DENSE_LIMIT:
        return X.toarray()
    return X


class Surrogate(Protocol):
    """What :class:`~lime_core.explainer.TextExplainer` needs from a surrogate (``surrogate=`` takes any such object).

    Required:

    * ``fit(X, y_proba, sample_weight) -> self``: ``X`` ``(n_samples, n_features)`` (sparse or dense) are the
      samples' features, ``y_proba`` ``(n_samples, n_classes)`` the black box's probabilities, ``sample_weight``
      ``(n_samples,)`` the kernel's non-negative weights. The explainer fits a fresh ``sklearn.base.clone`` of
      the surrogate, so its parameters must follow scikit-learn's ``get_params`` convention.
    * ``predict_proba(X) -> (n_samples, n_classes)``: the surrogate's probabilities (for the fidelity metrics).
    * ``coef_`` ``(n_classes, n_features)`` and ``intercept_`` ``(n_classes,)`` after ``fit``, unless
      ``reported_weights`` is declared.

    Optional declarations (what applies when one is absent):

    * ``output_scale``: ``"logit"`` (default: ``coef_`` acts on the logits of a softmax, and with two classes
      the weights are reported as log-odds of one class against the other, see :func:`class_weights`) or
      ``"probability"`` (``coef_`` acts on the probabilities directly: reported as fitted).
    * ``weights_kind``: ``"linear"`` (default: a weight times the feature's count is its contribution, so
      weights get intervals and stability refits) or ``"tree_path"`` (the weights are contributions along the
      explained sample's path through a tree: each counts once, no intervals, no stability).
    * ``reported_weights(x) -> (weights (n_classes, n_features), bias (n_classes,))``: the weights shown for
      the explained sample ``x`` (a ``(1, n_features)`` row); default :func:`class_weights` of ``coef_`` and
      ``intercept_`` on the declared ``output_scale``.
    * ``curvature(X, y_proba, sample_weight) -> SoftmaxAnalysis | None``: the surrogate's objective factorised
      at its fitted weights on its training rows (:class:`~lime_core.trust.uncertainty.SoftmaxAnalysis`); when
      declared, the intervals come from it and stability refits take its fast Newton steps. Default: none.
    * ``uncertainty(X, y_proba, sample_weight, confidence) -> WeightUncertainty | None``: standard errors of
      the reported weights from the training rows, for a surrogate without ``curvature``. Default: none (the
      explanation then has no intervals).

    ``curvature`` and ``uncertainty`` describe one class's own objective, so they are not inherited: a subclass
    of :class:`SoftmaxSurrogate` or :class:`RidgeSurrogate` that keeps the objective re-declares them
    (``curvature = SoftmaxSurrogate.curvature``); otherwise it gets no intervals.
    """

    def fit(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> Surrogate: ...

    def predict_proba(self, X: Matrix) -> np.ndarray: ...


# The declarations of one objective (not inherited by subclasses, which may change the objective).
_OBJECTIVE_HOOKS = ("curvature", "uncertainty")


class _OwnObjective:
    """Mixin: a subclass that does not re-declare the trust hooks of its parent's objective declares none."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _OBJECTIVE_HOOKS:
            if name not in cls.__dict__:
                setattr(cls, name, None)


def output_scale(surrogate: Any) -> str:
    """The surrogate's declared ``output_scale`` (default ``"logit"``); an unknown one is refused."""
    return _declared(surrogate, "output_scale", OUTPUT_SCALES)


def weights_kind(surrogate: Any) -> str:
    """The fitted surrogate's declared ``weights_kind`` (default ``"linear"``); an unknown one is refused."""
    return _declared(surrogate, "weights_kind", WEIGHTS_KINDS)


def _declared(surrogate: Any, name: str, allowed: tuple[str, ...]) -> str:
    """A declared choice of the protocol; the first of ``allowed`` is the default of a surrogate that declares none."""
    value = getattr(surrogate, name, allowed[0])
    if value not in allowed:
        raise ValueError(f"{type(surrogate).__name__}.{name} must be one of {allowed}, not {value!r}")
    return str(value)


def reported_weights(surrogate: Any, x: Matrix) -> tuple[np.ndarray, np.ndarray]:
    """The fitted surrogate's weights as explanations report them for the sample ``x``: ``(weights, bias)``."""
    own = getattr(surrogate, "reported_weights", None)
    if callable(own):
        return own(x)
    return class_weights(surrogate.coef_, surrogate.intercept_, output_scale(surrogate))


def curvature(surrogate: Any, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> SoftmaxAnalysis | None:
    """The surrogate's ``curvature`` analysis on its training rows, or None when it declares none."""
    hook = getattr(surrogate, "curvature", None)
    return hook(X, y_proba, sample_weight) if callable(hook) else None


def has_curvature(surrogate: Any) -> bool:
    return callable(getattr(surrogate, "curvature", None))


def surrogate_uncertainty(
    surrogate: Any, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray, confidence: float
) -> WeightUncertainty | None:
    """The surrogate's ``uncertainty`` on its training rows, or None when it declares none."""
    hook = getattr(surrogate, "uncertainty", None)
    return hook(X, y_proba, sample_weight, confidence) if callable(hook) else None


def class_weights(
    coef: np.ndarray, intercept: np.ndarray, output_scale: str = "logit"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-class weights as reported to users (the one definition; the intervals use it too).

    With two classes a softmax's weights are only defined up to a common shift,
    and the centred ones are half of the log-odds; users (and eli5, which fits
    a binary model) read a weight as the change in log-odds of this class
    against the other, so that is what is reported. With more classes the
    centred weights are reported: each class against the average class. A
    surrogate on the probability scale (ridge) is reported as fitted: the
    change in P(class).
    """
    if coef.shape[0] == 2 and output_scale == "logit":
        diff = coef[1] - coef[0]
        bias = intercept[1] - intercept[0]
        return np.vstack([-diff, diff]), np.array([-bias, bias])
    return coef, intercept


def _check_fit_args(X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> np.ndarray:
    if X.shape[0] != y_proba.shape[0] or X.shape[0] != len(sample_weight):
        raise ValueError("X, y_proba and sample_weight must have the same number of rows")
    w = np.asarray(sample_weight, dtype=np.float64)
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("sample weights must be non-negative and not all zero")
    return w / w.sum()


class SoftmaxSurrogate(_OwnObjective, BaseEstimator):
    """Weighted multinomial logistic regression fitted on soft targets.

    Minimises the similarity-weighted cross-entropy between the black box's
    probability vectors and the surrogate's softmax, plus ``alpha / 2`` times
    the squared L2 norm of the coefficients (the intercept is not penalised).
    Fitting the probability vectors directly, rather than expanding the data
    set with labels sampled from them as eli5 does, is exact and needs no
    random labels. Optimised with L-BFGS from zero, so it is deterministic.
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
        d = X.shape[1]
        k = y_proba.shape[1]
        # Work in (classes, samples) layout: reductions over the few classes then run along contiguous rows,
        # which is several times faster than numpy's axis=1 reductions over 4-column arrays.
        if sp.issparse(X):
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

        wPT = np.ascontiguousarray(np.asarray(y_proba, dtype=np.float64).T * w)
        alpha = float(self.alpha)

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

        with _THREADPOOLS.limit(limits=1, user_api="blas"):
            result = minimize(
                loss_grad,
                np.zeros(k * d + k),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "gtol": self.tol, "ftol": 1e-12},
            )
        WT = result.x[: k * d].reshape(k, d)
        b = result.x[k * d :]
        # Softmax is unchanged by a shift common to all classes; centring gives one canonical answer.
        self.coef_ = WT - WT.mean(axis=0)
        self.intercept_ = b - b.mean()
        self.n_iter_ = int(result.nit)
        self.converged_ = bool(result.success)
        return self

    def decision_function(self, X: Matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: Matrix) -> np.ndarray:
        return softmax(self.decision_function(X), axis=1)

    def curvature(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> SoftmaxAnalysis | None:
        """This objective's Hessian at the fitted weights, factorised (the :class:`Surrogate` hook)."""
        from .trust.uncertainty import SoftmaxAnalysis, single_threaded_blas

        with single_threaded_blas():
            return SoftmaxAnalysis.build(X, y_proba, sample_weight, self)


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
        Xd = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
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
        from .trust.uncertainty import ridge_uncertainty, single_threaded_blas

        with single_threaded_blas():
            return ridge_uncertainty(X, y_proba, sample_weight, self, confidence)


SURROGATES = {"softmax": SoftmaxSurrogate, "ridge": RidgeSurrogate}


def get_surrogate(name: str) -> Surrogate:
    """Look a surrogate up by the name the CLI and the app use."""
    try:
        return SURROGATES[name]()
    except KeyError:
        raise ValueError(f"unknown surrogate {name!r}; choose one of {sorted(SURROGATES)}") from None


class ClassifierSurrogate(BaseEstimator):
    """A scikit-learn classifier as the surrogate (eli5's ``TextExplainer(clf=...)``).

    Classifiers take labels, not probabilities. ``expand_factor`` says how the probabilities become labels:

    * ``"exact"`` (the default here): each sample is given to ``clf`` once per class, labelled with that
      class and weighted by its probability times the sample weight; deterministic, and what eli5's
      resampling approximates;
    * an int ``n`` (eli5's way, and ``TextExplainer(clf=...)``'s, whose default is eli5's 10): each sample is
      repeated ``n`` times with labels drawn from its probabilities (seeded by ``random_state``);
    * ``None``: each sample once, labelled with its most probable class (eli5's ``expand_factor=None``).

    ``clf`` must accept ``sample_weight``. A linear classifier (``coef_``: ``LogisticRegression``,
    ``SGDClassifier(loss="log_loss")``, ...) is explained by its weights (``linear`` is True, ``weights_kind``
    ``"linear"``); any other (a decision tree, ...) has no weights: ``coef_`` is absent and explanations show
    what its prediction path does instead (:func:`path_contributions`, ``weights_kind`` ``"tree_path"``).
    ``predict_proba`` is the classifier's own, with a zero column for a class it never saw.
    """

    output_scale = "logit"

    def __init__(self, clf: Any, expand_factor: int | str | None = "exact", random_state: Any = None) -> None:
        self.clf = clf
        self.expand_factor = expand_factor
        self.random_state = random_state

    def _labelled(self, X: Matrix, y_proba: np.ndarray, w: np.ndarray) -> tuple[Matrix, np.ndarray, np.ndarray]:
        """The rows, labels and weights ``clf`` is fitted on (see ``expand_factor``)."""
        n, k = y_proba.shape
        factor = self.expand_factor
        if isinstance(factor, str):
            if factor != "exact":
                raise ValueError(f'expand_factor must be "exact", a positive whole number or None, not {factor!r}')
            rows, labels = np.tile(np.arange(n), k), np.repeat(np.arange(k), n)
            weights = (y_proba * w[:, None]).T.ravel()  # class-major, as the rows above
        elif factor is None:
            rows, labels, weights = np.arange(n), np.argmax(y_proba, axis=1), w
        else:
            if isinstance(factor, bool) or int(factor) != factor or int(factor) < 1:
                raise ValueError(f'expand_factor must be "exact", a positive whole number or None, not {factor!r}')
            rng = np.random.default_rng(self.random_state)
            cumulative = np.cumsum(y_proba / y_proba.sum(axis=1, keepdims=True), axis=1)
            draws = rng.random((n, int(factor)))
            labels = np.minimum((draws[:, :, None] > cumulative[:, None, :]).sum(axis=2), k - 1).ravel()
            rows = np.repeat(np.arange(n), int(factor))
            weights = w[rows]
        used = weights > 0
        rows, labels, weights = rows[used], labels[used], weights[used]
        picked = sp.csr_matrix(X)[rows] if sp.issparse(X) else np.asarray(X)[rows]
        return picked, labels, weights

    def fit(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> ClassifierSurrogate:
        from sklearn.base import clone

        n, k = y_proba.shape
        # Weights of mean 1, not sum 1: a classifier's regularisation is set against a sum of per-row losses.
        w = _check_fit_args(X, y_proba, sample_weight) * n
        rows, labels, weights = self._labelled(X, y_proba, w)
        self.clf_ = clone(self.clf).fit(rows, labels, sample_weight=weights)
        self.classes_ = np.asarray(self.clf_.classes_, dtype=int)
        self.n_classes_ = k
        coef = getattr(self.clf_, "coef_", None)
        self.linear = coef is not None
        if coef is None:
            return self
        coef = np.asarray(coef.toarray() if sp.issparse(coef) else coef, dtype=np.float64)
        intercept = np.asarray(self.clf_.intercept_, dtype=np.float64).ravel()
        if coef.shape[0] == 1 and len(self.classes_) == 2:  # binary: the log-odds of the second class
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        self.coef_ = np.zeros((k, X.shape[1]))
        self.intercept_ = np.full(k, intercept.min() - 30.0)  # a class it never saw: probability ~0
        self.coef_[self.classes_] = coef
        self.intercept_[self.classes_] = intercept
        return self

    def predict_proba(self, X: Matrix) -> np.ndarray:
        out = np.zeros((X.shape[0], self.n_classes_))
        out[:, self.classes_] = self.clf_.predict_proba(X)
        return out

    @property
    def weights_kind(self) -> str:
        """``"linear"`` for a classifier with weights, ``"tree_path"`` for one without (set by ``fit``)."""
        return "linear" if self.linear else "tree_path"

    def reported_weights(self, x: Matrix) -> tuple[np.ndarray, np.ndarray]:
        """Its weights (:func:`class_weights`), or a tree's path contributions for the sample ``x``."""
        if not self.linear:
            return path_contributions(self.clf_, x, self.n_classes_, self.classes_)
        return class_weights(self.coef_, self.intercept_, self.output_scale)


def path_contributions(tree: Any, x: Matrix, n_classes: int, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What each feature adds to each class's probability along ``x``'s path through a fitted decision tree.

    The bias is the root's class distribution; every split on the path moves the distribution from the
    parent's to the child's, and that change is credited to the split's feature, so that bias plus
    contributions is the leaf's distribution: the tree's prediction (the decomposition eli5 shows for trees,
    after Saabas' treeinterpreter). Returns ``(contributions (n_classes, n_features), bias (n_classes,))``.
    """
    t = tree.tree_
    value = t.value[:, 0, :]
    dist = value / value.sum(axis=1, keepdims=True)
    full = np.zeros((t.node_count, n_classes))
    full[:, classes] = dist
    path = tree.decision_path(x).indices
    contributions = np.zeros((n_classes, t.n_features))
    for parent, child in itertools.pairwise(path):
        contributions[:, t.feature[parent]] += full[child] - full[parent]
    return contributions, full[0].copy()
