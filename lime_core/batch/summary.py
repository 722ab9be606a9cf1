"""What a batch run says about the dataset: words per class, the SP-LIME picks, and the model's mistakes.

Everything here is aggregated from *local* explanations: how often a word
carried weight in the explanations of single texts, and how much. It is a
summary of those explanations, not the model's global logic (the model may
use a word differently in texts it was not asked about). Only trustworthy
explanations (``judge_trust`` level ``trust``) count by default; with
``trusted_only=False`` all count and each word says in how many trustworthy
ones it appears. Weights are read in row groups, so memory stays flat on large runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import scipy.sparse as sp

from ..terminal import printable_data
from ..wording import DATASET_CAVEAT as CAVEAT
from .io import EXPLANATIONS_FILE, BatchInputError, explanation_sources, read_while_compacting
from .language_summary import language_line, language_summary
from .splime import submodular_pick

TRUSTED = "trust"
DEFAULT_TOP_WORDS = 20
DEFAULT_PICK_FEATURES = 10  # top words per explanation in SP-LIME's explanation matrix
ROW_COLUMNS = ["id", "row", "text", "label", "predicted_class", "class_names", "probabilities",
               "mean_KL_divergence", "score", "verdict", "n_samples", "n_model_calls", "error"]


@dataclass
class _Stat:
    sum_abs: float = 0.0
    total: float = 0.0
    n_texts: int = 0
    n_trusted: int = 0


@read_while_compacting
def load_rows(output: str | Path, with_explanations: bool = False) -> pd.DataFrame:
    """One row per explained text (without the JSON explanation unless asked), from the merged file and parts."""
    output = Path(output)
    sources = explanation_sources(output)
    if not sources:
        raise BatchInputError(f"{output} holds no batch results (no {EXPLANATIONS_FILE} and no finished parts)")
    columns = ROW_COLUMNS + (["explanation"] if with_explanations else [])
    frames = [pq.read_table(path, columns=columns).to_pandas() for path in sources]
    return pd.concat(frames, ignore_index=True).drop_duplicates("id").sort_values("row", kind="stable")


@read_while_compacting
def stored_explanation(output: str | Path, text_id: str) -> Any:
    """The full :class:`~lime_core.explanation.Explanation` of one text, from its stored JSON (no model calls)."""
    import pyarrow.compute as pc

    from ..explanation import Explanation

    for path in explanation_sources(Path(output)):
        table = pq.read_table(path, columns=["id", "explanation"], filters=pc.field("id") == text_id)
        if table.num_rows and table.column("explanation")[0].as_py():
            return Explanation.from_json(table.column("explanation")[0].as_py())
    raise KeyError(f"no stored explanation for id {text_id!r}")


def _iter_weights(output: Path) -> Any:
    # A text's rows come from its first source only: a merged file written after the listing may also hold the rows
    # of a part listed after it (and a resumed run's parts may repeat a text).
    seen: set[str] = set()
    for path in explanation_sources(output, "weights"):
        file = pq.ParquetFile(path)
        here: set[str] = set()
        for group in range(file.num_row_groups):
            frame = file.read_row_group(group, columns=["id", "class", "feature", "weight"]).to_pandas()
            here.update(frame["id"])
            yield frame[~frame["id"].isin(seen)] if seen else frame
        seen |= here


def normalise_labels(rows: pd.DataFrame) -> pd.Series:
    """Labels as class names: a label that is a class index (``"2"``) becomes that class's name."""
    names = next((list(c) for c in rows["class_names"] if c is not None and len(c)), [])

    def one(label: Any) -> Any:
        if label is None or (isinstance(label, float) and np.isnan(label)):
            return None
        label = str(label)
        if label not in names and label.lstrip("-").isdigit() and 0 <= int(label) < len(names):
            return names[int(label)]
        return label

    return rows["label"].map(one)


@read_while_compacting
def summarize(
    output: str | Path,
    pick: int = 0,
    *,
    trusted_only: bool = True,
    top: int = DEFAULT_TOP_WORDS,
    pick_features: int = DEFAULT_PICK_FEATURES,
) -> dict[str, Any]:
    """The dataset summary as plain data (the JSON of ``python -m lime_core summarize --format json``)."""
    output = Path(output)
    rows = load_rows(output)
    ok = rows[rows["error"].isna()]
    verdict_of = dict(zip(ok["id"], ok["verdict"], strict=True))
    counted = {i for i, v in verdict_of.items() if v == TRUSTED or not trusted_only}
    predicted_of = dict(zip(ok["id"], ok["predicted_class"], strict=True))
    labels = normalise_labels(ok)
    label_of = {i: lab for i, lab in zip(ok["id"], labels, strict=True) if lab is not None}
    # A multi-label text's label may list its labels ("a|b"): its top label is right when it is one of them.
    label_of = {i: predicted_of[i] if predicted_of[i] in str(lab).split("|") else lab for i, lab in label_of.items()}
    wrong_cell = {i: (label_of[i], predicted_of[i]) for i in label_of if label_of[i] != predicted_of[i]}

    per_class: dict[str, dict[str, _Stat]] = defaultdict(lambda: defaultdict(_Stat))
    per_cell: dict[tuple[str, str], dict[str, _Stat]] = defaultdict(lambda: defaultdict(_Stat))
    pick_rows: dict[str, dict[str, float]] = defaultdict(dict)
    for frame in _iter_weights(output):
        frame = frame[frame["id"].isin(counted)]
        if frame.empty:
            continue
        frame = frame.assign(abs_weight=frame["weight"].abs(), trusted=frame["id"].map(verdict_of) == TRUSTED)
        # A feature appears once per text and class, so counting rows counts texts.
        grouped = frame.groupby(["class", "feature"], sort=False).agg(
            sum_abs=("abs_weight", "sum"), total=("weight", "sum"), n=("id", "size"), n_trusted=("trusted", "sum")
        )
        for (cls, feature), g in zip(grouped.index, grouped.itertuples(index=False), strict=True):
            _accumulate(per_class[cls][feature], g.sum_abs, g.total, g.n, g.n_trusted)
        wrong = frame[frame["id"].isin(wrong_cell.keys())]
        wrong = wrong[(wrong["weight"] > 0) & (wrong["class"] == wrong["id"].map(predicted_of))]
        for text_id, feature, weight in zip(wrong["id"], wrong["feature"], wrong["weight"], strict=True):
            _accumulate(per_cell[wrong_cell[text_id]][feature], weight, weight, 1, 0)
        if pick:
            by_feature = frame.groupby(["id", "feature"], sort=False)["abs_weight"].sum().reset_index()
            best = by_feature.sort_values(["id", "abs_weight"], ascending=[True, False], kind="stable")
            for text_id, feature, weight in best.groupby("id", sort=False).head(pick_features).itertuples(index=False):
                pick_rows[text_id][feature] = float(weight)

    result: dict[str, Any] = {
        "caveat": CAVEAT,
        "n_texts": len(rows),
        "n_explained": len(ok),
        "n_errors": int(len(rows) - len(ok)),
        "verdicts": {str(k): int(v) for k, v in ok["verdict"].value_counts().items()},
        "counted": "trustworthy explanations only" if trusted_only else "all explanations",
        "n_counted": len(counted),
        "classes": {
            cls: _ranked(stats, top, with_trusted=not trusted_only) for cls, stats in sorted(per_class.items())
        },
        "picked": [],
    }
    if pick:
        result.update(_pick(pick_rows, pick, pick_features, trusted_only, rows))
    if label_of:
        result["labels"] = _label_summary(label_of, predicted_of, per_cell, top, ok)
    from .methods_summary import methods_summary  # only a run with --methods has one

    compared = methods_summary(output, top=top)
    if compared is not None:
        result["methods"] = compared
    languages = language_summary(output)  # only a run that checked its texts' languages has one
    if languages is not None:
        result["languages"] = languages
    return result


def _accumulate(stat: _Stat, sum_abs: float, total: float, n: int, n_trusted: int) -> None:
    stat.sum_abs += float(sum_abs)
    stat.total += float(total)
    stat.n_texts += int(n)
    stat.n_trusted += int(n_trusted)


def _ranked(stats: dict[str, _Stat], top: int, with_trusted: bool = False) -> list[dict[str, Any]]:
    ranked = sorted(stats.items(), key=lambda kv: (-kv[1].sum_abs, kv[0]))[:top]
    out = []
    for feature, s in ranked:
        item = {
            "feature": feature,
            "mean_abs_weight": s.sum_abs / s.n_texts,
            "mean_weight": s.total / s.n_texts,
            "n_texts": s.n_texts,
            "importance": s.sum_abs,
        }
        if with_trusted:
            item["n_trusted"] = s.n_trusted
        out.append(item)
    return out


def _pick(pick_rows: dict[str, dict[str, float]], k: int, pick_features: int, trusted_only: bool,
          rows: pd.DataFrame) -> dict[str, Any]:
    order = rows[rows["id"].isin(pick_rows.keys())]["id"].tolist()  # dataset order: a deterministic matrix
    vocabulary: dict[str, int] = {}
    data, indices, indptr = [], [], [0]
    for text_id in order:
        for feature, weight in sorted(pick_rows[text_id].items()):
            indices.append(vocabulary.setdefault(feature, len(vocabulary)))
            data.append(weight)
        indptr.append(len(indices))
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(order), len(vocabulary)))
    chosen = submodular_pick(matrix, k)
    return {
        "picked": [order[i] for i in chosen.rows],
        "pick": {
            "method": "SP-LIME (Ribeiro et al. 2016, section 4): greedy submodular pick, sqrt global importance",
            "k": int(k),
            "among": "trustworthy explanations" if trusted_only else "all explanations",
            "features_per_explanation": int(pick_features),
            "coverage": chosen.coverage_fraction,
            "gains": list(chosen.gains),
        },
    }


def _label_summary(label_of: dict[str, str], predicted_of: dict[str, str], per_cell: dict[tuple[str, str], Any],
                   top: int, ok: pd.DataFrame) -> dict[str, Any]:
    names = next((list(c) for c in ok["class_names"] if c is not None and len(c)), [])
    classes = list(dict.fromkeys([*names, *sorted(set(label_of.values()) - set(names))]))
    index = {c: i for i, c in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    for text_id, label in label_of.items():
        matrix[index[label], index[predicted_of[text_id]]] += 1
    correct = int(np.trace(matrix))
    cells = []
    for (label, predicted), stats in sorted(per_cell.items(), key=lambda kv: -matrix[index[kv[0][0]],
                                                                                     index[kv[0][1]]]):
        cells.append({
            "label": label,
            "predicted": predicted,
            "n": int(matrix[index[label], index[predicted]]),
            "words": _ranked(stats, top),
        })
    return {
        "n_labelled": len(label_of),
        "accuracy": correct / len(label_of),
        "classes": classes,
        "confusion": matrix.tolist(),
        "confusion_axes": "rows: label (true class), columns: predicted class",
        "confusions": cells,
    }


def format_summary(summary: dict[str, Any], top: int = 10) -> str:
    """The summary as plain text for a terminal (control characters in labels and words shown as escapes)."""
    summary = printable_data(summary)
    lines = [summary["caveat"], ""]
    verdicts = ", ".join(f"{k} {v}" for k, v in sorted(summary["verdicts"].items()))
    lines.append(f"{summary['n_texts']} texts, {summary['n_explained']} explained ({verdicts}), "
                 f"{summary['n_errors']} could not be explained; counted: {summary['counted']} "
                 f"({summary['n_counted']}).")
    language = language_line(summary.get("languages"))
    if language:
        lines.append(language)
    if not summary["n_counted"] and summary["n_explained"]:
        lines.append("No explanation was trustworthy, so no words are counted: rerun with more samples, or add --all "
                     "to count every explanation (each word then says in how many trustworthy ones it appears).")
    labels = summary.get("labels")
    if labels:
        lines += ["", f"Accuracy: {labels['accuracy']:.3f} on {labels['n_labelled']} labelled texts.",
                  "Confusion matrix (rows: label, columns: predicted):"]
        width = max(len(c) for c in labels["classes"])
        lines.append(" " * (width + 2) + "  ".join(f"{i:>5}" for i in range(len(labels["classes"]))))
        for i, (cls, row) in enumerate(zip(labels["classes"], labels["confusion"], strict=True)):
            lines.append(f"{cls:<{width}} {i:>1} " + "  ".join(f"{n:>5}" for n in row))
    for cls, words in summary["classes"].items():
        lines += ["", f"Words that matter for {cls} (mean |weight|, mean weight, texts):"]
        lines += [f"  {w['feature']:<24} {w['mean_abs_weight']:.3f}  {w['mean_weight']:+.3f}  {w['n_texts']}"
                  for w in words[:top]]
    if labels:
        for cell in labels["confusions"]:
            lines += ["", f"{cell['n']} texts labelled {cell['label']} predicted {cell['predicted']}; words that "
                      f"pushed towards {cell['predicted']}:"]
            lines += [f"  {w['feature']:<24} {w['mean_weight']:+.3f}  {w['n_texts']}" for w in cell["words"][:top]]
    if summary.get("pick"):
        p = summary["pick"]
        lines += ["", f"SP-LIME picks ({p['k']}, among {p['among']}; they cover {p['coverage']:.0%} of the "
                  "important words):", "  " + ", ".join(summary["picked"])]
    if summary.get("methods"):
        from .methods_summary import format_methods_summary

        lines += format_methods_summary(summary["methods"])
    return "\n".join(lines) + "\n"
