"""Every explained class's surrogate weights side by side, as HTML (what eli5's ``show_weights`` shows).

Unlike the report of :mod:`.html`, which ranks a class's features by what they
add to this text (weight x count), this lists the local model itself: the
largest weights of each class, ``<BIAS>`` among them. Markup comes from an
autoescaped Jinja2 template, as everywhere in lime_core.
"""

from __future__ import annotations

from typing import Any

from ..explanation import BIAS_FEATURE, Explanation
from .highlight import colour_for, format_weight, weights_meaning
from .html import _environment


def format_weights_html(explanation: Explanation, top: int = 20) -> str:
    """One column per explained class: its ``top`` largest weights (by size), then how many were left out."""
    if top < 0:
        raise ValueError(f"top must be 0 or more, not {top}")
    columns: list[dict[str, Any]] = []
    scale = max((abs(w.weight) for t in explanation.targets for w in t.weights), default=0.0)
    for target in explanation.targets:
        entries = [(w.feature, w.weight) for w in target.weights] + [(BIAS_FEATURE, target.bias)]
        ranked = sorted(entries, key=lambda e: -abs(e[1]))
        shown = sorted(ranked[:top], key=lambda e: -e[1])
        columns.append(
            {
                "class_name": target.class_name,
                "probability": f"{target.probability:.3f}",
                "rows": [
                    {
                        "feature": feature,
                        "weight": format_weight(weight),
                        "colour": colour_for(weight, scale) if feature != BIAS_FEATURE else "transparent",
                    }
                    for feature, weight in shown
                ],
                "hidden": max(0, len(ranked) - top),
            }
        )
    context = {
        "columns": columns,
        "meaning": weights_meaning(explanation),
        "kl": f"{explanation.metrics.mean_KL_divergence:.4f}",
        "score": f"{explanation.metrics.score:.3f}",
    }
    return _environment().get_template("weights.html.j2").render(context)


def format_tree_weights_html(weights: Any, top: int = 20) -> str:
    """A decision-tree surrogate (eli5's ``clf=DecisionTreeClassifier(...)``): its feature importances, then the
    tree as text, as eli5's ``show_weights`` shows a tree. ``weights`` is a
    :class:`~lime_core.compat.eli5_api.TreeWeights`."""
    if top < 0:
        raise ValueError(f"top must be 0 or more, not {top}")
    ranked = [item for item in weights.importances if item[1] > 0]
    context = {
        "rows": [{"feature": f, "importance": f"{v:.4f}"} for f, v in ranked[:top]],
        "hidden": max(0, len(ranked) - top),
        "tree": weights.tree_text,
        "kl": f"{weights.mean_KL_divergence:.4f}",
        "score": f"{weights.score:.3f}",
    }
    return _environment().get_template("tree_weights.html.j2").render(context)
