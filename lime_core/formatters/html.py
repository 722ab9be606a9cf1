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

from ..explanation import BIAS_FEATURE, Explanation, FaithfulnessReport, FeatureWeight, TargetExplanation
from ..nothing_to_explain import nothing_to_explain_message
from ..wording import (
    BASELINE_LABELS,
    FAITHFULNESS_MEASURES,
    LOCAL_CAVEAT_BODY,
    LOCAL_CAVEAT_LEAD,
    MEANING,
    level_line,
    removal_sentence,
)
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
from .methods import methods_view
from .trust import (
    TrustSummary,
    faithfulness_line,
    faithfulness_rows,
    rounds_line,
    sampling_line,
    signs_line,
    stability_warning,
    stability_words_line,
    trust_summary,
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
    summaries = [trust_summary(explanation, t) for t in chosen]
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
        "n_answers_reused": explanation.n_answers_reused,
        "level_line": level_line(
            explanation.settings.level, explanation.settings.level_reason, explanation.settings.within
        ),
        "language_warning": explanation.language.warning() if explanation.language is not None else None,
        "seed": explanation.settings.random_state,
        "removal": removal_sentence(explanation.settings.removal, explanation.settings.mask_token),
        "weights_meaning": weights_meaning(explanation),
        "caveat_lead": LOCAL_CAVEAT_LEAD,
        "caveat_body": LOCAL_CAVEAT_BODY,
        "verdicts": [_verdict_view(s) for s in summaries],
        "trust": _trust_view(explanation, chosen, summaries),
        "methods": None if explanation.methods is None else methods_view(explanation.methods),
        # the weights would be noise: the report says so instead of showing them (lime_core.nothing_to_explain)
        "nothing_to_explain": (
            nothing_to_explain_message(explanation.n_samples) if explanation.nothing_to_explain else None
        ),
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
    range_left: float | None  # the error range of the contribution, as left/width % of the bar cell
    range_width: float | None


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
        extra = ", ".join(_uncertainty(fw, mark_sign=True)) if fw is not None else ""
        whole = f" (its share of {_num(fw.weight)})" if fw is not None and not math.isclose(share, fw.weight) else ""
        lines.append(f"  {name}: {_num(share)}{whole}" + (f" ({extra})" if extra else ""))
    return _SegmentView(seg.text, True, colour_for(seg.weight, scale), "\n".join(lines))


def _target_view(explanation: Explanation, target: TargetExplanation, top: int, scale: float) -> dict[str, Any]:
    chosen = top_features(target, top)
    shown = chosen.positive + chosen.negative
    # The bars' scale covers the error ranges too, so that a range is never cut at the cell's edge.
    largest = max((_extent(w) for w in shown), default=0.0) or 1.0
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
        "with_ranges": any(w.interval is not None for w in shown),
        "n_uncertain": sum(1 for w in shown if w.sign_certain is False),
    }


def _extent(fw: FeatureWeight) -> float:
    """The largest |contribution| a row shows: its bar, or the far end of its error range."""
    ends = [abs(x * fw.value) for x in fw.interval] if fw.interval is not None else []
    return max([abs(fw.contribution), *ends])


def _row_view(fw: FeatureWeight, largest: float) -> _RowView:
    c = fw.contribution
    details = [f"{_num(fw.weight)} × {fw.value:g}"] if fw.value != 1 else []
    details += _uncertainty(fw)
    left = width = None
    if fw.interval is not None:
        low, high = sorted(x * fw.value for x in fw.interval)
        left = round(50.0 + 50.0 * max(-1.0, low / largest), 2)
        width = round(50.0 + 50.0 * min(1.0, high / largest) - left, 2)
    return _RowView(
        feature=fw.feature,
        contribution=_num(c),
        detail="; ".join(details),
        uncertain=fw.sign_certain is False,
        side="pos" if c > 0 else "neg",
        bar_pct=round(50.0 * min(1.0, abs(c) / largest), 2),
        range_left=left,
        range_width=width,
    )


def _class_rows(explanation: Explanation) -> list[dict[str, Any]]:
    predicted = explanation.predicted_class
    rows = sorted(zip(explanation.class_names, explanation.probabilities, strict=True), key=lambda cp: -cp[1])
    return [
        {
            "name": name,
            "probability": _pct(p),
            "bar_pct": round(100.0 * min(max(p, 0.0), 1.0), 2),
            "predicted": name == predicted,
        }
        for name, p in rows
    ]


def _uncertainty(fw: FeatureWeight, mark_sign: bool = False) -> list[str]:
    parts = []
    if fw.std is not None:
        parts.append(f"std {_num(fw.std, signed=False)}")
    if fw.interval is not None:
        parts.append(f"interval [{_num(fw.interval[0])}, {_num(fw.interval[1])}]")
    if mark_sign and fw.sign_certain is False:
        parts.append("sign uncertain")
    return parts


def _verdict_view(summary: TrustSummary) -> dict[str, Any]:
    v = summary.verdict
    return {
        "class_name": summary.class_name,
        "level": v.level,
        "title": v.title,
        "summary": v.summary,
        "reasons": list(v.reasons),
        "checks": [{"title": c.title, "level": c.level} for c in v.checks],
    }


def _trust_view(
    explanation: Explanation, chosen: list[TargetExplanation], summaries: list[TrustSummary]
) -> dict[str, Any]:
    """The figures of the trust section, for the shown class the trust reports are about (else the first)."""
    about = {r.class_name for r in (explanation.stability, explanation.faithfulness) if r is not None}
    index = next((i for i, t in enumerate(chosen) if t.class_name in about), 0)
    s = summaries[index]
    view: dict[str, Any] = {
        "class_name": s.class_name,
        "several": len(chosen) > 1,
        "meaning": MEANING,
        "gap": f"{s.gap:.3f}",
        "signs": signs_line(s),
        "confidence": None if s.confidence is None else f"{s.confidence:.0%}",
        "stability": None,
        "faithfulness": None,
        "faithfulness_elsewhere": s.faithfulness_elsewhere,
        "sampling": None,
    }
    r = s.stability
    if r is not None:
        view["stability"] = {
            "jaccard": f"{r.top_k_jaccard:.0%}",
            "expected": None if r.expected_jaccard is None else f"{r.expected_jaccard:.0%}",
            "k": r.k,
            "n_refits": r.n_refits,
            "level": r.level,
            "words": stability_words_line(s),
            "warning": stability_warning(s),
        }
    if s.faithfulness is not None:
        view["faithfulness"] = _faithfulness_view(s.faithfulness)
    if s.sampling is not None:
        line = sampling_line(s.sampling, reused=s.n_answers_reused, stability=s.stability)
        view["sampling"] = {
            "line": line[:1].upper() + line[1:],
            "rounds": rounds_line(s.sampling) if s.sampling.mode == "auto" else None,
        }
    return view


# Colours of the deletion curves: the explanation's ranking, random words, occlusion (as in the dashboard).
_CURVE_COLOURS = {"explanation": "#2563eb", "random": "#94a3b8", "occlusion": "#f59e0b"}
_SVG_W, _SVG_H, _SVG_PAD = 360, 150, (34, 8, 22, 8)  # width, height, padding left, right, bottom, top


def _faithfulness_view(report: FaithfulnessReport) -> dict[str, Any]:
    rows = []
    for row in faithfulness_rows(report):
        rows.append(
            {
                "measure": row["measure"],
                "values": [
                    "\u2013" if row[n] is None else f"{row[n]:.3f}" for n in ("explanation", "random", "occlusion")
                ],
                "better": row["better"],
            }
        )
    left, right, bottom, top = _SVG_PAD
    width, height = _SVG_W - left - right, _SVG_H - top - bottom
    n = max(report.n_words, 1)
    curves = []
    # Baselines first, so that the explanation's curve is drawn on top when they coincide.
    for name, scores in [*sorted(report.baselines.items()), ("explanation", report.scores)]:
        points = " ".join(
            f"{left + width * p.k / n:.1f},{top + height * (1.0 - min(max(p.probability, 0.0), 1.0)):.1f}"
            for p in scores.curve
        )
        curves.append(
            {
                "label": BASELINE_LABELS.get(name, name),
                "colour": _CURVE_COLOURS.get(name, "#6b7280"),
                "dash": "4 3" if name == "random" else "",
                "width": 2.5 if name == "explanation" else 1.75,
                "points": points,
            }
        )
    return {
        "class_name": report.class_name,
        "k": report.k,
        "n_words": report.n_words,
        "level": report.level,
        "line": faithfulness_line(report),
        "rows": rows,
        "measures": FAITHFULNESS_MEASURES,
        "n_model_calls": report.n_model_calls,
        "curves": curves,
        "svg": {
            "w": _SVG_W,
            "h": _SVG_H,
            "left": left,
            "right": _SVG_W - right,
            "top": top,
            "bottom": _SVG_H - bottom,
            "mid": top + height / 2,
        },
    }


def _legend_gradient() -> str:
    neg = "rgb({}, {}, {})".format(*NEGATIVE_RGB)
    pos = "rgb({}, {}, {})".format(*POSITIVE_RGB)
    return f"linear-gradient(90deg, {neg}, #ffffff 50%, {pos})"


def _num(x: float, signed: bool = True) -> str:
    return format_weight(x, signed)


def _pct(p: float) -> str:
    return f"{100.0 * p:.1f}%"
