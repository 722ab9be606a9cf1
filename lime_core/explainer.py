"""The explainer users import: :class:`TextExplainer`, and the functions that explain a fit.

:class:`TextExplainer` is lime_core's explainer (:class:`lime_core.estimator.BaseTextExplainer`, which knows
nothing of eli5) with eli5's names, methods and parts (:mod:`lime_core.compat.eli5_api`), so that eli5's code
runs unchanged on ``from lime_core import TextExplainer``. The functions that turn a fit into explanations
(:func:`explain_fit`, :func:`label_result`, ...) are :mod:`lime_core.estimator`'s, re-exported here.
"""

from __future__ import annotations

from typing import Any

from .compat.eli5_api import TextExplainer
from .estimator import (
    AUTO,
    DEFAULT_MAX_CHARS,
    BaseTextExplainer,
    Targets,
    check_params,
    class_weights,
    explain_fit,
    explain_labels,
    explainer_settings,
    label_result,
    preliminary_explanation,
    resolve_label,
    resolve_labels,
    resolve_targets,
    stopped_early,
)
from .explanation import Explanation

__all__ = [
    "AUTO",
    "DEFAULT_MAX_CHARS",
    "BaseTextExplainer",
    "TextExplainer",
    "check_params",
    "class_weights",
    "explain_fit",
    "explain_labels",
    "explain_text",
    "explainer_settings",
    "label_result",
    "preliminary_explanation",
    "resolve_label",
    "resolve_labels",
    "resolve_targets",
    "stopped_early",
]


def explain_text(text: str, model: Any, targets: Targets = None, **params: Any) -> Explanation:
    """Explain ``model``'s prediction on ``text``; ``params`` go to :class:`TextExplainer`."""
    return TextExplainer(**params).explain(text, model, targets=targets)
