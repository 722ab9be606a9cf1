"""Bundled models and the registry that names them.

``load_model("20ng-svm")`` and ``load_model("sentiment")`` return ready
:class:`~lime_core.classifier.TextClassifier` objects; ``model_status(name)``
says whether that would work without trying. The remote HTTP model lives in
:mod:`lime_core.models.remote`.
"""

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
