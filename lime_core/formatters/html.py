"""Self-contained HTML for an explanation: a fragment for notebooks and the dashboard, or a full report.

All markup comes from Jinja2 templates (``templates/*.j2``) rendered with
autoescaping on: the text, feature names, class names and the model name are
user data and reach the page only through autoescaped template variables.
This module prepares plain strings and numbers for the templates; it never
builds markup itself. The output has inline CSS only (no scripts, external
style sheets or web fonts), so a saved report opens anywhere, offline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2

from ..explanation import BIAS_FEATURE, Explanation, FeatureWeight, TargetExplanation
from .highlight import (
    NEGATIVE_RGB,
    POSITIVE_RGB,
    Segment,
    colour_for,
    default_scale,
    format_weight,
    token_weights,
    top_features,
    weights_meaning,
)

TargetSpec = None | str | Sequence[str]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("lime_core.formatters", "templates"),
        autoescape=True,  # every variable is escaped; templates never mark user data safe
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def format_html(
    explanation: Explanation,
    targets: TargetSpec = None,
    top: int = 20,
    scale: float | None = None,
    standalone: bool = False,
) -> str:
    """Render ``explanation`` as HTML for people who did not run it.

    ``targets``: class name(s) to show, default every explained class.
    ``top``: how many features to list per class. ``scale``: the word weight
    that gets full colour; default the largest in the shown classes (pass one
    value to several reports to make their colours comparable).
    ``standalone=True`` returns a whole ``<!DOCTYPE html>`` document (the
    downloadable report); the default is a fragment to embed.
    """
    chosen = _select_targets(explanation, targets)
    if scale is None:
        scale = default_scale(chosen)
    _check_scale(scale)
    context = {
        "standalone": standalone,
        "model": explanation.model,
        "predicted_class": explanation.predicted_class,
        "predicted_probability": _pct(max(explanation.probabilities, default=0.0)),
        "classes": _class_rows(explanation),
        "targets": [_target_view(explanation, t, top, scale) for t in chosen],
        "metrics": explanation.metrics,
        "kl": f"{explanation.metrics.mean_KL_divergence:.4f}",
        "score": _pct(explanation.metrics.score),
        "n_samples": explanation.n_samples,
        "n_model_calls": explanation.n_model_calls,
        "weights_meaning": weights_meaning(explanation),
    }
    return _environment().get_template("report.html.j2").render(context)


def highlight_html(explanation: Explanation, target: TargetExplanation | str, scale: float | None = None) -> str:
    """Just the text with its words highlighted for one class (what the dashboard embeds).

    Styles are inline on the elements, so the fragment looks right without the
    report's style sheet. ``scale`` as in :func:`format_html`; default this
    target's largest word weight.
    """
    if isinstance(target, str):
        target = _select_targets(explanation, target)[0]
    if scale is None:
        scale = default_scale([target])
    _check_scale(scale)
    context = {"segments": _segment_views(explanation.text, target, scale)}
    return _environment().get_template("highlight.html.j2").render(context)


# -- view models: plain strings and numbers for the templates ----------------------------------------------------


@dataclass(frozen=True)
class _SegmentView:
    text: str
    is_word: bool
    colour: str
    title: str


@dataclass(frozen=True)
class _RowView:
    feature: str
    contribution: str
    detail: str  # weight per occurrence x count, uncertainty
    uncertain: bool
    side: str  # "pos" | "neg"
    bar_pct: float  # 0..50: half the bar cell is one side


def _select_targets(explanation: Explanation, targets: TargetSpec) -> list[TargetExplanation]:
    if targets is None:
        return list(explanation.targets)
    names = [targets] if isinstance(targets, str) else list(targets)
    try:
        return [explanation.target(name) for name in names]
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None


def _check_scale(scale: float) -> None:
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, not {scale!r}")


def _segment_views(text: str, target: TargetExplanation, scale: float) -> list[_SegmentView]:
    by_name = {w.feature: w for w in target.weights}
    return [_segment_view(s, target.class_name, by_name, scale) for s in token_weights(target, text)]


def _segment_view(seg: Segment, class_name: str, by_name: dict[str, FeatureWeight], scale: float) -> _SegmentView:
    if seg.weight is None:
        return _SegmentView(seg.text, False, "transparent", "")
    direction = "towards" if seg.weight > 0 else "against" if seg.weight < 0 else "neutral for"
    lines = [f"{_num(seg.weight)} {direction} {class_name}"]
    for name, share in seg.shares:
        fw = by_name.get(name)
        extra = ", ".join(_uncertainty(fw)) if fw is not None else ""
        whole = f" (its share of {_num(fw.weight)})" if fw is not None and not math.isclose(share, fw.weight) else ""
        lines.append(f"  {name}: {_num(share)}{whole}" + (f" ({extra})" if extra else ""))
    return _SegmentView(seg.text, True, colour_for(seg.weight, scale), "\n".join(lines))


def _target_view(explanation: Explanation, target: TargetExplanation, top: int, scale: float) -> dict[str, Any]:
    chosen = top_features(target, top)
    shown = chosen.positive + chosen.negative
    largest = max((abs(w.contribution) for w in shown), default=0.0) or 1.0
    return {
        "class_name": target.class_name,
        "probability": _pct(target.probability),
        "surrogate_probability": _pct(target.surrogate_probability),
        "segments": _segment_views(explanation.text, target, scale),
        "positive": [_row_view(w, largest) for w in chosen.positive],
        "negative": [_row_view(w, largest) for w in chosen.negative],
        "hidden_positive": chosen.hidden_positive,
        "hidden_negative": chosen.hidden_negative,
        "bias_feature": BIAS_FEATURE,
        "bias": _num(target.bias),
        "scale": _num(scale, signed=False),
        "legend_gradient": _legend_gradient(),
    }


def _row_view(fw: FeatureWeight, largest: float) -> _RowView:
    c = fw.contribution
    details = [f"{_num(fw.weight)} × {fw.value:g}"] if fw.value != 1 else []
    details += _uncertainty(fw)
    return _RowView(
        feature=fw.feature,
        contribution=_num(c),
        detail="; ".join(details),
        uncertain=fw.sign_certain is False,
        side="pos" if c > 0 else "neg",
        bar_pct=round(50.0 * min(1.0, abs(c) / largest), 2),
    )


def _class_rows(explanation: Explanation) -> list[dict[str, Any]]:
    predicted = explanation.predicted_class
    rows = sorted(zip(explanation.class_names, explanation.probabilities, strict=True), key=lambda cp: -cp[1])
    return [
        {"name": name, "probability": _pct(p), "bar_pct": round(100.0 * min(max(p, 0.0), 1.0), 2),
         "predicted": name == predicted}
        for name, p in rows
    ]


def _uncertainty(fw: FeatureWeight) -> list[str]:
    parts = []
    if fw.std is not None:
        parts.append(f"std {_num(fw.std, signed=False)}")
    if fw.interval is not None:
        parts.append(f"interval [{_num(fw.interval[0])}, {_num(fw.interval[1])}]")
    return parts


def _legend_gradient() -> str:
    neg = "rgb({}, {}, {})".format(*NEGATIVE_RGB)
    pos = "rgb({}, {}, {})".format(*POSITIVE_RGB)
    return f"linear-gradient(90deg, {neg}, #ffffff 50%, {pos})"


def _num(x: float, signed: bool = True) -> str:
    return format_weight(x, signed)


def _pct(p: float) -> str:
    return f"{100.0 * p:.1f}%"
