"""Local surrogate models fitted on (features, black-box probabilities, sample weights), and their protocol.

Domain-free: nothing here knows about text. Each surrogate's module holds its maths beside it:
:mod:`.softmax` (the default, with the sandwich covariance of its weights), :mod:`.ridge` (lime's), and
:mod:`.classifier` (a scikit-learn classifier, eli5's ``clf=``). :mod:`.base` holds the :class:`Surrogate` protocol,
the conventions every surrogate follows, and the one place the protocol's defaults apply.
"""

from __future__ import annotations

from .base import (
    DENSE_LIMIT,
    OUTPUT_SCALES,
    WEIGHTS_KINDS,
    Matrix,
    OutputScale,
    Surrogate,
    WeightsKind,
    WeightUncertainty,
    class_weights,
    curvature,
    has_curvature,
    output_scale,
    reported_weights,
    single_threaded_blas,
    surrogate_uncertainty,
    weights_kind,
    z_value,
)
from .classifier import ClassifierSurrogate, path_contributions
from .ridge import RidgeSurrogate, ridge_uncertainty
from .softmax import BlockAnalysis, SoftmaxAnalysis, SoftmaxSurrogate, softmax_uncertainty

__all__ = [
    "DENSE_LIMIT",
    "OUTPUT_SCALES",
    "SURROGATES",
    "WEIGHTS_KINDS",
    "BlockAnalysis",
    "ClassifierSurrogate",
    "Matrix",
    "OutputScale",
    "RidgeSurrogate",
    "SoftmaxAnalysis",
    "SoftmaxSurrogate",
    "Surrogate",
    "WeightUncertainty",
    "WeightsKind",
    "class_weights",
    "curvature",
    "get_surrogate",
    "has_curvature",
    "output_scale",
    "path_contributions",
    "reported_weights",
    "ridge_uncertainty",
    "single_threaded_blas",
    "softmax_uncertainty",
    "surrogate_uncertainty",
    "weights_kind",
    "z_value",
]

SURROGATES = {"softmax": SoftmaxSurrogate, "ridge": RidgeSurrogate}


def get_surrogate(name: str) -> Surrogate:
    """Look a surrogate up by the name the CLI and the app use."""
    try:
        return SURROGATES[name]()
    except KeyError:
        raise ValueError(f"unknown surrogate {name!r}; choose one of {sorted(SURROGATES)}") from None
