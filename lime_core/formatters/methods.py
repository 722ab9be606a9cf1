"""LIME beside other methods, as plain rows for every renderer (text, HTML report, dashboard).

One colour scale for all methods: each value is coloured by its share of its own method's largest absolute value
(LIME's weights are log-odds, KernelSHAP and occlusion changes in probability, so raw numbers are not comparable
across methods, shares are), green towards the class and red against it, with the highlight's colours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from ..methods.data import MethodsReport, MethodValues
from ..wording import FAITHFULNESS_MEASURES, METHOD_LABELS, METHOD_MEANING, METHODS_SCALE_NOTE
from .highlight import colour_for, format_weight

SCALE_LABELS = {"logit": "log-odds", "probability": "probability"}


@dataclass(frozen=True)
class MethodCell:
    """One word in one method: its value, its share of the method's largest |value|, its colour and rank."""

    value: float
    share: float
    colour: str
    rank: int  # 1 = the method's first word
    in_top: bool
    text: str  # the value for people
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class MethodWordRow:
    feature: str
    cells: tuple[MethodCell, ...]  # one per compared method, in the report's order


def method_label(method: str) -> str:
    """A method's name as a column header (capitalised)."""
    label = METHOD_LABELS.get(method, method)
    return label[:1].upper() + label[1:]


def scale_label(result: MethodValues) -> str:
    return SCALE_LABELS.get(result.scale, result.scale)


def word_rows(report: MethodsReport, extra: int = 0) -> list[MethodWordRow]:
    """The words in any method's top ``k`` (plus ``extra`` more of LIME's), LIME's order first, one cell per method."""
    order: list[str] = []
    lime = report.results[0]
    for result in report.results:
        for feature in result.top:
            if feature not in order:
                order.append(feature)
    for v in lime.values[report.k : report.k + extra]:
        if v.feature not in order:
            order.append(v.feature)
    lookups = []
    for result in report.results:
        largest = max((abs(v.value) for v in result.values), default=0.0) or 1.0
        lookups.append(
            (
                {v.feature: (i + 1, v) for i, v in enumerate(result.values)},
                largest,
                set(result.top),
            )
        )
    rows = []
    for feature in order:
        cells = []
        for ranks, largest, top in lookups:
            rank, v = ranks[feature]
            share = v.value / largest
            cells.append(
                MethodCell(
                    value=v.value,
                    share=share,
                    colour=colour_for(share, 1.0),
                    rank=rank,
                    in_top=feature in top,
                    text=format_weight(v.value),
                    interval=v.interval,
                )
            )
        rows.append(MethodWordRow(feature, tuple(cells)))
    return rows


class FaithfulnessRow(TypedDict):
    """One measure of :func:`faithfulness_table`."""

    measure: str
    key: str
    values: list[float | None]  # one per method, None when not measured
    better: str  # "higher" or "lower"
    best: int | None  # the index of the best method on this measure
    meaning: str


def faithfulness_table(report: MethodsReport) -> list[FaithfulnessRow]:
    """One row per measure: ``measure``, ``values`` (one per method, None when not measured), ``better``,
    ``best`` (the index of the best method on this measure)."""
    rows: list[FaithfulnessRow] = []
    for key, better, higher in (
        ("comprehensiveness", "higher", True),
        ("sufficiency", "lower", False),
        ("auc", "lower", False),
    ):
        values = [None if r.faithfulness is None else float(getattr(r.faithfulness, key)) for r in report.results]
        known = [(v, i) for i, v in enumerate(values) if v is not None]
        best = (max(known) if higher else min(known))[1] if known else None
        rows.append(
            {
                "measure": {"auc": "Deletion AUC"}.get(key, key.capitalize()),
                "key": key,
                "values": values,
                "better": better,
                "best": best,
                "meaning": FAITHFULNESS_MEASURES[key],
            }
        )
    return rows


def agreement_rows(report: MethodsReport) -> list[dict[str, object]]:
    return [
        {
            "pair": f"{method_label(p.a)} \u2013 {method_label(p.b)}",
            "overlap": f"{p.overlap} of {p.k}",
            "shared": ", ".join(p.shared) if p.shared else "none",
            "rank_correlation": "\u2013" if p.rank_correlation is None else f"{p.rank_correlation:.2f}",
        }
        for p in report.agreement
    ]


def shap_line(report: MethodsReport) -> str | None:
    """What KernelSHAP's values add up to, and what the methods cost."""
    try:
        shap = report.result("kernelshap")
    except KeyError:
        return None
    if shap.base_value is None or shap.prediction is None:
        return None
    total = shap.prediction - shap.base_value
    return (
        f"KernelSHAP's values add up to P({report.class_name} | text) \u2212 P({report.class_name} | no words) = "
        f"{shap.prediction:.3f} \u2212 {shap.base_value:.3f} = {total:+.3f}"
        + (f", from {shap.n_coalitions:,} word subsets" if shap.n_coalitions is not None else "")
        + "."
    )


def cost_line(report: MethodsReport) -> str:
    return (
        f"{report.n_model_calls:,} extra model calls for the other methods and their faithfulness "
        "(answers already asked for are reused)."
    )


def methods_lines(report: MethodsReport) -> list[str]:
    """The plain-text block (the CLI's text output)."""
    width = max(len(method_label(r.method)) for r in report.results)
    out = [f"Other methods for {report.class_name} (the top {report.k} words of each, most towards the class first):"]
    for r in report.results:
        f = r.faithfulness
        figures = (
            ""
            if f is None
            else f"  [comprehensiveness {f.comprehensiveness:.3f}, sufficiency {f.sufficiency:.3f}, AUC {f.auc:.3f}]"
        )
        out.append(f"  {method_label(r.method).ljust(width)}  {', '.join(r.top)}{figures}")
    for row in agreement_rows(report):
        out.append(f"  {row['pair']}: {row['overlap']} top words shared, Spearman {row['rank_correlation']}")
    out.append(f"  {report.summary}")
    line = shap_line(report)
    if line:
        out.append(f"  {line}")
    out.extend(f"  Note: {r.note}" for r in report.results if r.note)
    out.append(f"  {cost_line(report)}")
    return out


def methods_view(report: MethodsReport, extra_words: int = 3) -> dict[str, object]:
    """Everything the HTML report's (and the dashboard's) methods section shows, as strings and numbers."""
    return {
        "class_name": report.class_name,
        "k": report.k,
        "summary": report.summary,
        "methods": [
            {
                "key": r.method,
                "label": method_label(r.method),
                "scale": scale_label(r),
                "meaning": METHOD_MEANING.get(r.method, ""),
                "top": list(r.top),
                "note": r.note,
                "calls": r.n_model_calls,
            }
            for r in report.results
        ],
        "rows": [
            {
                "feature": row.feature,
                "cells": [
                    {
                        "text": c.text,
                        "colour": c.colour,
                        "rank": c.rank,
                        "in_top": c.in_top,
                        "title": f"rank {c.rank}; {c.share:+.0%} of the method's largest"
                        + (
                            ""
                            if c.interval is None
                            else f"; interval [{format_weight(c.interval[0])}, {format_weight(c.interval[1])}]"
                        ),
                    }
                    for c in row.cells
                ],
            }
            for row in word_rows(report, extra_words)
        ],
        "faithfulness": [
            {
                **row,
                "values": ["\u2013" if v is None else f"{v:.3f}" for v in row["values"]],
            }
            for row in faithfulness_table(report)
        ],
        "agreement": agreement_rows(report),
        "shap_line": shap_line(report),
        "cost_line": cost_line(report),
        "scale_note": METHODS_SCALE_NOTE,
    }
