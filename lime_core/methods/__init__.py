"""Second opinions from the same samples: KernelSHAP and occlusion beside LIME, their agreement and faithfulness.

* :class:`~lime_core.methods.kernelshap.KernelShap`: Shapley values of each
  word from the explanation's own samples, re-weighted (Lundberg and Lee 2017),
  plus at most a few dozen model calls; they add up to p(text) - p(no words).
* :class:`~lime_core.methods.occlusion.Occlusion`: leave one word out, one
  model call per word (cached answers are free).
* :func:`~lime_core.methods.compare.compare_methods`: the one entry point:
  each method's top words, the top-k agreement of every pair, each ranking's
  faithfulness on the real model, and a plain sentence
  (:class:`~lime_core.methods.data.MethodsReport`).

``TextExplainer(methods=("kernelshap", "occlusion"))`` puts the report on the
explanation (``explanation.methods``); docs/methods.md says how the samples are
re-weighted and what that assumes. The names are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

_EXPORTS = {
    "AttributionMethod": "base",
    "WordAttribution": "base",
    "KernelShap": "kernelshap",
    "ShapleyKernel": "kernelshap",
    "Occlusion": "occlusion",
    "compare_methods": "compare",
    "parse_methods": "data",
    "MethodsReport": "data",
    "MethodValues": "data",
    "MethodValue": "data",
    "MethodAgreement": "data",
    "MethodFaithfulness": "data",
    "EXTRA_METHODS": "data",
}
__all__ = [
    "EXTRA_METHODS",
    "AttributionMethod",
    "KernelShap",
    "MethodAgreement",
    "MethodFaithfulness",
    "MethodValue",
    "MethodValues",
    "MethodsReport",
    "Occlusion",
    "ShapleyKernel",
    "WordAttribution",
    "compare_methods",
    "parse_methods",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

if TYPE_CHECKING:
    from .base import AttributionMethod, WordAttribution
    from .compare import compare_methods
    from .data import (
        EXTRA_METHODS,
        MethodAgreement,
        MethodFaithfulness,
        MethodsReport,
        MethodValue,
        MethodValues,
        parse_methods,
    )
    from .kernelshap import KernelShap, ShapleyKernel
    from .occlusion import Occlusion
