"""lime_core: LIME explanations for text classifiers.

The explanation is plain data (:mod:`lime_core.explanation`), produced by
:class:`~lime_core.explainer.TextExplainer` and rendered by the formatters in
:mod:`lime_core.formatters`. Nothing here imports streamlit.

The names below are imported on first use (PEP 562), so ``import lime_core``
and ``python -m lime_core --help`` do not pay for scikit-learn and scipy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "TextClassifier": "classifier",
    "as_classifier": "classifier",
    "BudgetExceededError": "errors",
    "InputTextError": "errors",
    "LimeCoreError": "errors",
    "ModelOutputError": "errors",
    "ModelUnavailableError": "errors",
    "RemoteAuthError": "errors",
    "RemoteModelError": "errors",
    "TextExplainer": "explainer",
    "explain_text": "explainer",
    "BIAS_FEATURE": "explanation",
    "Explanation": "explanation",
    "FeatureWeight": "explanation",
    "FidelityMetrics": "explanation",
    "TargetExplanation": "explanation",
    "PredictionCache": "predictor",
    "StabilityReport": "explanation",
    "FaithfulnessReport": "explanation",
    "SamplingReport": "explanation",
    "judge_trust": "verdict",
    "LimeTextExplainer": "compat.lime_api",
}

__all__ = [
    "BIAS_FEATURE",
    "BudgetExceededError",
    "Explanation",
    "FaithfulnessReport",
    "FeatureWeight",
    "FidelityMetrics",
    "InputTextError",
    "LimeCoreError",
    "LimeTextExplainer",
    "ModelOutputError",
    "ModelUnavailableError",
    "PredictionCache",
    "RemoteAuthError",
    "RemoteModelError",
    "SamplingReport",
    "StabilityReport",
    "TargetExplanation",
    "TextClassifier",
    "TextExplainer",
    "__version__",
    "as_classifier",
    "explain_text",
    "judge_trust",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

if TYPE_CHECKING:
    from .classifier import TextClassifier, as_classifier
    from .compat.lime_api import LimeTextExplainer
    from .errors import (
        BudgetExceededError,
        InputTextError,
        LimeCoreError,
        ModelOutputError,
        ModelUnavailableError,
        RemoteAuthError,
        RemoteModelError,
    )
    from .explainer import TextExplainer, explain_text
    from .explanation import (
        BIAS_FEATURE,
        Explanation,
        FaithfulnessReport,
        FeatureWeight,
        FidelityMetrics,
        SamplingReport,
        StabilityReport,
        TargetExplanation,
    )
    from .predictor import PredictionCache
    from .verdict import judge_trust
