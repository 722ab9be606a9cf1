"""lime_core: LIME explanations for text classifiers.

The explanation is plain data (:mod:`lime_core.explanation`), produced by
:class:`~lime_core.explainer.TextExplainer` and rendered by the formatters in
:mod:`lime_core.formatters`. Nothing here imports streamlit.
"""

from .classifier import TextClassifier, as_classifier
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
from .explanation import BIAS_FEATURE, Explanation, FeatureWeight, FidelityMetrics, TargetExplanation
from .predictor import PredictionCache

__version__ = "0.1.0"

__all__ = [
    "BIAS_FEATURE",
    "BudgetExceededError",
    "Explanation",
    "FeatureWeight",
    "FidelityMetrics",
    "InputTextError",
    "LimeCoreError",
    "ModelOutputError",
    "ModelUnavailableError",
    "PredictionCache",
    "RemoteAuthError",
    "RemoteModelError",
    "TargetExplanation",
    "TextClassifier",
    "TextExplainer",
    "__version__",
    "as_classifier",
    "explain_text",
]
