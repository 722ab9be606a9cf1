"""Bundled models and the registry that names them.

``load_model("20ng-svm")`` and ``load_model("sentiment")`` return ready
:class:`~lime_core.classifier.TextClassifier` objects; ``model_status(name)``
says whether that would work without trying. The remote HTTP model lives in
:mod:`lime_core.models.remote`.

The names below are imported on first use (PEP 562): ``import
lime_core.models.remote`` must not pay for scikit-learn (the topic model) or
torch (the transformer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "SENTIMENT_MODEL_NAME": "registry",
    "ModelSpec": "registry",
    "available_models": "registry",
    "get_spec": "registry",
    "load_model": "registry",
    "model_status": "registry",
    "register_model": "registry",
    "NewsgroupsClassifier": "newsgroups",
    "TransformerClassifier": "transformer",
}

__all__ = [
    "SENTIMENT_MODEL_NAME",
    "ModelSpec",
    "NewsgroupsClassifier",
    "TransformerClassifier",
    "available_models",
    "get_spec",
    "load_model",
    "model_status",
    "register_model",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

if TYPE_CHECKING:
    from .newsgroups import NewsgroupsClassifier
    from .registry import (
        SENTIMENT_MODEL_NAME,
        ModelSpec,
        available_models,
        get_spec,
        load_model,
        model_status,
        register_model,
    )
    from .transformer import TransformerClassifier
