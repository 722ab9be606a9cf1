"""What every local surrogate declares (the :class:`Surrogate` protocol), and the helpers that read it.

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

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, TypeGuard

import numpy as np
import scipy.sparse as sp
from scipy.special import ndtri
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from .softmax import Analysis, PerClassStd

Matrix: TypeAlias = np.ndarray | sp.spmatrix


def is_sparse(X: Matrix) -> TypeGuard[sp.spmatrix]:
    """Whether ``X`` is a scipy sparse matrix (``scipy.sparse.issparse``, typed so that the checker narrows ``X``)."""
    return bool(sp.issparse(X))
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


METHOD = "sandwich"
# Above this many parameters ((classes - 1) x (features + 1)) the exact covariance costs more than the fit itself
# (cubic in the parameters); it is then taken class by class over at most this many parameters (BlockAnalysis).
MAX_PARAMETERS = 1500


def _as_fast_matrix(X: Matrix) -> Matrix:
    if is_sparse(X) and X.shape[0] * X.shape[1] <= DENSE_LIMIT:
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
      at its fitted weights on its training rows (:class:`~lime_core.surrogates.softmax.SoftmaxAnalysis`); when
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


def curvature(surrogate: Any, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> Analysis | None:
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


def single_threaded_blas() -> AbstractContextManager[Any]:
    """A context in which BLAS uses one thread: these matrices are small, and on a shared machine a second BLAS
    thread costs far more in waiting than it saves (the surrogate's fit does the same)."""
    return _THREADPOOLS.limit(limits=1, user_api="blas")


def z_value(confidence: float) -> float:
    """The standard normal quantile of a two-sided interval: 1.96 for 0.95."""
    return float(ndtri(0.5 + confidence / 2))


@dataclass(frozen=True)
class WeightUncertainty:
    """Standard errors of the weights as reported (``class_weights``' convention), per class and feature."""

    std: np.ndarray | PerClassStd  # (n_classes, n_features): std[c] is class c's
    bias_std: np.ndarray | PerClassStd  # (n_classes,)
    confidence: float
    method: str = METHOD
    # class index -> (n_features, n_features) covariance of that class's weights (None: not available)
    class_cov: Callable[[int], np.ndarray] | None = field(default=None, repr=False, compare=False)
    # Expected extra loss (nats of weighted KL) of the surrogate on new samples caused by fitting it on this
    # finite sample, tr(B A^-1) / 2 (Takeuchi's correction); None when unknown (non-softmax surrogates).
    excess_loss: float | None = None

    @property
    def z(self) -> float:
        return z_value(self.confidence)

    def intervals(self, weights: np.ndarray, class_index: int) -> tuple[np.ndarray, np.ndarray]:
        """``(low, high)`` arrays for the reported weights of one class."""
        half = self.z * self.std[class_index]
        return weights - half, weights + half


def _dense_design(X: Matrix) -> np.ndarray:
    """The feature matrix with a column of ones for the intercept, dense, C-ordered."""
    Xd = X.toarray() if is_sparse(X) else np.asarray(X, dtype=np.float64)
    out = np.empty((Xd.shape[0], Xd.shape[1] + 1))
    out[:, :-1] = Xd
    out[:, -1] = 1.0
    return out


def _normalised(sample_weight: np.ndarray) -> np.ndarray:
    w = np.asarray(sample_weight, dtype=np.float64)
    return w / w.sum()
