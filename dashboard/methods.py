"""Frames for the Explain page's Methods view (LIME beside KernelSHAP and occlusion), with no Streamlit.

Rows come from :mod:`lime_core.formatters.methods`, the rows the HTML report shows, so the page and a downloaded
report say the same; the shares put every method on one colour scale (each value over its method's largest).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lime_core.formatters.highlight import format_weight
from lime_core.formatters.methods import agreement_rows, faithfulness_table, method_label, scale_label, word_rows
from lime_core.methods.data import MethodsReport
from lime_core.wording import METHOD_LABELS


def word_values_frame(report: MethodsReport, extra: int = 3) -> pd.DataFrame:
    """One row per (word, method): ``word``, ``method``, ``value``, ``text``, ``share`` (-1..1), ``rank``,
    ``in_top``, ``order`` (the word's row), ``column`` (the method's), ``scale``, ``interval`` (KernelSHAP's likely
    range as text; empty for a method without one)."""
    labels = [method_label(r.method) for r in report.results]
    scales = [scale_label(r) for r in report.results]
    rows = []
    for order, row in enumerate(word_rows(report, extra)):
        for column, (label, scale, cell) in enumerate(zip(labels, scales, row.cells, strict=True)):
            rows.append(
                {
                    "word": row.feature,
                    "method": label,
                    "value": cell.value,
                    "text": f"{cell.text}  #{cell.rank}",
                    "share": cell.share,
                    "rank": cell.rank,
                    "in_top": cell.in_top,
                    "order": order,
                    "column": column,
                    "scale": scale,
                    "interval": (
                        ""
                        if cell.interval is None
                        else f"[{format_weight(cell.interval[0])}, {format_weight(cell.interval[1])}]"
                    ),
                }
            )
    return pd.DataFrame(rows)


def faithfulness_frame(report: MethodsReport) -> pd.DataFrame:
    """Measures as rows, methods as columns, plus ``better``."""
    labels = [method_label(r.method) for r in report.results]
    return pd.DataFrame(
        [
            {"Measure": row["measure"], **dict(zip(labels, row["values"], strict=True)), "Better": row["better"]}
            for row in faithfulness_table(report)
        ]
    )


def agreement_frame(report: MethodsReport) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Methods": row["pair"],
                f"Top {report.k} shared": row["overlap"],
                "Shared words": row["shared"],
                "Spearman": row["rank_correlation"],
            }
            for row in agreement_rows(report)
        ]
    )


def top_words_frame(report: MethodsReport) -> pd.DataFrame:
    rows = [
        {"Method": method_label(r.method), "Scale": scale_label(r), "Top words": ", ".join(r.top)}
        for r in report.results
    ]
    return pd.DataFrame(rows)


def dataset_methods_frames(summary: dict[str, Any]) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """The Dataset page's second opinions, from :func:`lime_core.batch.methods_summary.methods_summary`.

    Returns one sentence (how many texts; which ranking was most often the most faithful), the pairs of methods
    (top words shared on average, on how many texts all or at most 2, the median rank correlation) and the texts
    where a method and LIME share the fewest top words, least agreement first.
    """
    faithful = sorted(summary["most_faithful"].items(), key=lambda kv: (-kv[1], kv[0]))
    counted = [f"{in_sentence(m)} on {n:,}" for m, n in faithful if m != "none"]
    sentence = (
        f"{summary['n_texts']:,} texts compared. The most faithful ranking (removing its top words takes most of "
        f"the prediction away; ties count for each): {', '.join(counted) or 'none'}."
    )
    pairs = pd.DataFrame(
        [
            {
                "pair": f"{method_label(p['methods'][0])} and {in_sentence(p['methods'][1])}",
                "mean_overlap": p["mean_overlap"],
                "all_shared": p["all_shared"],
                "at_most_two": p["at_most_two"],
                "rank_correlation": p["median_rank_correlation"],
            }
            for p in summary["pairs"]
        ],
        columns=["pair", "mean_overlap", "all_shared", "at_most_two", "rank_correlation"],
    )
    worst = pd.DataFrame(
        [
            {
                "id": r["id"],
                "class_name": r["class_name"],
                "shared": f"{r['overlap']} of {r['k']} with {in_sentence(r['pair'][1])}" if r["pair"] else "",
                **{f"top_{m}": ", ".join(words) for m, words in r["top"].items()},
            }
            for r in summary["disagree_most"]
        ]
    )
    return sentence, pairs, worst


def in_sentence(method: str) -> str:
    """A method's name inside a sentence ("occlusion", "KernelSHAP")."""
    return METHOD_LABELS.get(method, method)
