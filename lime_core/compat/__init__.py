"""Front ends with the public names of eli5's ``TextExplainer`` and lime's ``LimeTextExplainer``.

Code written for those libraries runs on lime_core by changing its import
(``docs/migrating.md`` shows both side by side and what changes in the
numbers). Both front ends drive the one core explainer
(:class:`~lime_core.estimator.BaseTextExplainer`); nothing here fits on its own.

* :mod:`.eli5_api` is :class:`TextExplainer` (``lime_core.TextExplainer``): the core
  explainer with eli5's constructor arguments, methods (``show_prediction``,
  ``metrics_``, ...) and parts, plugged in through the core's documented seams;
* :mod:`.eli5_samples` is eli5's ``vec=`` / ``sampler=`` as a neighbourhood source;
* :mod:`.lime_api` is :class:`LimeTextExplainer` and the explanation object it
  returns (``as_list``, ``as_map``, ``show_in_notebook``, ...).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LimeExplanation", "LimeTextExplainer", "NotebookHTML"]


def __getattr__(name: str) -> Any:
    if name in ("LimeExplanation", "LimeTextExplainer"):
        from . import lime_api

        return getattr(lime_api, name)
    if name == "NotebookHTML":
        from .eli5_api import NotebookHTML

        return NotebookHTML
    raise AttributeError(f"module 'lime_core.compat' has no attribute {name!r}")
