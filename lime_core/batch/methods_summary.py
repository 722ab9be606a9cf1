"""Where the methods disagree across a dataset: a run with ``--methods`` (LIME beside KernelSHAP and occlusion).

Each text's comparison is in its stored explanation (the ``methods`` key of the JSON column of
``explanations.parquet``); this reads only that key, a row group at a time, and only for a run whose
``run.json`` says it compared methods. It says, per pair of methods, how often their top words agree; which
method's ranking was the most faithful how often; the texts where they disagree most; and the words that
another method puts in its top words but LIME does not, most often.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from ..methods.data import LIME, MethodsReport
from .io import explanation_sources, read_while_compacting
from .runner import RUN_FILE

DEFAULT_DISAGREEMENTS = 10


def compared_methods(output: Path) -> tuple[str, ...]:
    """The methods a run compared with LIME (from its ``run.json``; () when none or unknown)."""
    try:
        manifest = json.loads((output / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    return tuple(manifest.get("options", {}).get("methods") or ())


def _reports(output: Path) -> list[tuple[str, MethodsReport]]:
    out: list[tuple[str, MethodsReport]] = []
    seen: set[str] = set()
    for path in explanation_sources(output):
        file = pq.ParquetFile(path)
        for group in range(file.num_row_groups):
            table = file.read_row_group(group, columns=["id", "explanation"])
            for text_id, text in zip(
                table.column("id").to_pylist(), table.column("explanation").to_pylist(), strict=True
            ):
                if text_id in seen or not text:
                    continue
                seen.add(text_id)
                methods = json.loads(text).get("methods")
                if methods:
                    out.append((text_id, MethodsReport.from_dict(methods)))
    return out


@read_while_compacting
def methods_summary(
    output: str | Path, disagreements: int = DEFAULT_DISAGREEMENTS, top: int = 10
) -> dict[str, Any] | None:
    """The dataset's methods summary as plain data, or None when the run compared no methods."""
    output = Path(output)
    if not compared_methods(output):
        return None
    reports = _reports(output)
    if not reports:
        return None
    pairs: dict[tuple[str, str], list[tuple[int, int, float | None]]] = {}
    faithful: Counter[str] = Counter()
    comprehensiveness: dict[str, list[float]] = {}
    left_out: dict[str, Counter[str]] = {}
    rows: list[dict[str, Any]] = []
    for text_id, report in reports:
        for p in report.agreement:
            pairs.setdefault((p.a, p.b), []).append((p.overlap, p.k, p.rank_correlation))
        for m in report.most_faithful or ("none",):
            faithful[m] += 1
        lime_top = set(report.result(LIME).top)
        for r in report.results:
            if r.faithfulness is not None:
                comprehensiveness.setdefault(r.method, []).append(r.faithfulness.comprehensiveness)
            if r.method != LIME:
                left_out.setdefault(r.method, Counter()).update(w for w in r.top if w not in lime_top)
        with_lime = [p for p in report.agreement if LIME in (p.a, p.b)]
        lowest = min(with_lime, key=lambda p: p.overlap / max(p.k, 1)) if with_lime else None
        rows.append(
            {
                "id": text_id,
                "class_name": report.class_name,
                "overlap": None if lowest is None else lowest.overlap,
                "k": report.k,
                "pair": None if lowest is None else [lowest.a, lowest.b],
                "top": {r.method: list(r.top) for r in report.results},
                "summary": report.summary,
            }
        )
    rows.sort(key=lambda r: (r["overlap"] / max(r["k"], 1) if r["overlap"] is not None else 1.0, r["id"]))
    return {
        "n_texts": len(reports),
        "methods": [LIME, *compared_methods(output)],
        "pairs": [
            {
                "methods": [a, b],
                "mean_overlap": float(np.mean([o for o, _, _ in v])),
                "all_shared": sum(o == k for o, k, _ in v),
                "at_most_two": sum(o <= 2 for o, _, _ in v),
                "median_rank_correlation": (
                    float(np.median([r for _, _, r in v if r is not None]))
                    if any(r is not None for *_, r in v)
                    else None
                ),
            }
            for (a, b), v in pairs.items()
        ],
        "most_faithful": dict(faithful),
        "median_comprehensiveness": {m: float(np.median(v)) for m, v in comprehensiveness.items()},
        "disagree_most": rows[:disagreements],
        "words_not_in_lime_top": {
            m: [{"feature": w, "n_texts": n} for w, n in c.most_common(top)] for m, c in left_out.items()
        },
    }


def format_methods_summary(summary: dict[str, Any]) -> list[str]:
    """The plain-text lines of :func:`methods_summary` (``python -m lime_core summarize``)."""
    lines = ["", f"Methods beside LIME on {summary['n_texts']} texts (top-word agreement; docs/methods.md):"]
    for p in summary["pairs"]:
        rho = p["median_rank_correlation"]
        lines.append(
            f"  {p['methods'][0]} - {p['methods'][1]}: {p['mean_overlap']:.1f} top words shared on average, all on "
            f"{p['all_shared']} texts, 2 or fewer on {p['at_most_two']}"
            + ("" if rho is None else f"; median Spearman {rho:.2f}")
        )
    faithful = ", ".join(f"{m} {n}" for m, n in sorted(summary["most_faithful"].items(), key=lambda kv: -kv[1]))
    lines.append(f"  Most faithful ranking (comprehensiveness; ties count for each): {faithful}")
    lines.append(
        "  Median comprehensiveness: "
        + ", ".join(f"{m} {v:.3f}" for m, v in summary["median_comprehensiveness"].items())
    )
    lines.append("  Where they disagree most (the least shared top words with LIME):")
    for r in summary["disagree_most"]:
        tops = "; ".join(f"{m}: {', '.join(words)}" for m, words in r["top"].items())
        lines.append(f"    {r['id']} ({r['class_name']}): {r['overlap']} of {r['k']} with {r['pair'][1]} - {tops}")
    for m, words in summary["words_not_in_lime_top"].items():
        if words:
            lines.append(
                f"  Words in {m}'s top but not LIME's, most often: "
                + ", ".join(f"{w['feature']} ({w['n_texts']})" for w in words)
            )
    return lines
