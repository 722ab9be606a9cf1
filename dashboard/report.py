"""Tables for charts and exports of an explanation (CSV, JSON, standalone HTML).

Everything the dashboard plots or offers for download is computed here, as
plain pandas frames and strings, so it can be tested without Streamlit.
Feature names come from user text: the CSV export neutralises cells that a
spreadsheet would run as formulas, and the HTML report is built only by
:mod:`lime_core.formatters.html`'s escaping formatter plus escaped text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lime_core.explanation import Explanation, FaithfulnessReport, FeatureWeight, TargetExplanation
from lime_core.formatters.dataframe import COLUMNS, DTYPES, weight_rows
from lime_core.wording import BASELINE_LABELS

if TYPE_CHECKING:
    from lime_core.neighbourhood import FitResult

FOR, AGAINST, BIAS = "for", "against", "bias"

# --------------------------------------------------------------------------- frames for charts and tables


def probabilities_frame(explanation: Explanation) -> pd.DataFrame:
    """One row per class: the model's and the surrogate's probability on the original text.

    A multi-label model has one row per label, each its own probability (they need not sum to 1); only the
    explained label has the surrogate's estimate, and a label counts as predicted from 50 %.
    """
    scores = explanation.multi_label
    if scores is not None:
        estimate = explanation.surrogate_probabilities[-1]  # the explained label's ("not X", "X")
        return pd.DataFrame(
            {
                "class": list(scores.labels),
                "probability": [float(p) for p in scores.probabilities],
                "surrogate_probability": [estimate if c == scores.label else None for c in scores.labels],
                "predicted": [float(p) >= 0.5 for p in scores.probabilities],
                "explained": [c == scores.label for c in scores.labels],
            }
        )
    predicted = explanation.predicted_class
    explained = {t.class_name for t in explanation.targets}
    return pd.DataFrame(
        {
            "class": list(explanation.class_names),
            "probability": [float(p) for p in explanation.probabilities],
            "surrogate_probability": [float(p) for p in explanation.surrogate_probabilities],
            "predicted": [c == predicted for c in explanation.class_names],
            "explained": [c in explained for c in explanation.class_names],
        }
    )


def _direction(weight: float) -> str:
    return FOR if weight > 0 else AGAINST


def _weights_rows_frame(target: TargetExplanation, include_bias: bool) -> pd.DataFrame:
    """:func:`lime_core.formatters.dataframe.weight_rows` as a frame, with direction and sign_certain added."""
    frame = pd.DataFrame(weight_rows(target, include_bias=include_bias), columns=list(COLUMNS)).astype(DTYPES)
    directions = [_direction(w.weight) if w.weight != 0 else "none" for w in target.weights]
    signs = [w.sign_certain for w in target.weights]
    frame.insert(frame.columns.get_loc("value"), "direction", directions + ([BIAS] if include_bias else []))
    frame["sign_certain"] = pd.Series(signs + ([None] if include_bias else []), index=frame.index, dtype=object)
    return frame


def weights_frame(target: TargetExplanation, include_bias: bool = True) -> pd.DataFrame:
    """Every feature's weight for one class, most positive first; ``<BIAS>`` last when included.

    The rows of :func:`lime_core.formatters.dataframe.weight_rows` under the
    same names (feature, weight, value: occurrences in the text, contribution:
    weight x value, std and interval_low/high: empty without an uncertainty
    estimate), plus direction (for / against / bias) and sign_certain (whether
    the interval excludes zero; empty without an interval).
    """
    return _weights_rows_frame(target, include_bias)[WEIGHTS_COLUMNS]


WEIGHTS_COLUMNS = [
    "feature", "weight", "direction", "value", "contribution", "std", "interval_low", "interval_high", "sign_certain",
]  # fmt: skip


def top_weights_frame(target: TargetExplanation, top: int = 10) -> pd.DataFrame:
    """The ``top`` strongest words for and the ``top`` strongest against the class, for a diverging bar chart.

    ``<BIAS>`` is not among them (see :func:`bias_value`): it is the surrogate's
    starting point, not a word. Rows are ordered for plotting: strongest "for"
    first, strongest "against" last; ``order`` holds that position.
    """
    positive = [w for w in target.weights if w.weight > 0][:top]
    negative = sorted((w for w in target.weights if w.weight < 0), key=lambda w: w.weight)[:top]
    chosen = positive + list(reversed(negative))
    return pd.DataFrame(
        {
            "feature": [w.feature for w in chosen],
            "weight": [float(w.weight) for w in chosen],
            "direction": [_direction(w.weight) for w in chosen],
            "order": list(range(len(chosen))),
            "std": [np.nan if w.std is None else float(w.std) for w in chosen],
            "interval_low": [np.nan if w.interval is None else float(w.interval[0]) for w in chosen],
            "interval_high": [np.nan if w.interval is None else float(w.interval[1]) for w in chosen],
            "sign": [_sign_label(w) for w in chosen],
            "range": [_range_label(w) for w in chosen],
        },
        columns=TOP_WEIGHTS_COLUMNS,
    )


TOP_WEIGHTS_COLUMNS = [
    "feature", "weight", "direction", "order", "std", "interval_low", "interval_high", "sign", "range",
]  # fmt: skip
SIGN_CERTAIN, SIGN_UNCERTAIN, SIGN_UNKNOWN = "certain", "uncertain", "unknown"


def _sign_label(w: FeatureWeight) -> str:
    certain = w.sign_certain
    return SIGN_UNKNOWN if certain is None else SIGN_CERTAIN if certain else SIGN_UNCERTAIN


def _range_label(w: FeatureWeight) -> str:
    if w.interval is None:
        return ""
    return f"{w.interval[0]:+.3f} to {w.interval[1]:+.3f}"


def bias_value(target: TargetExplanation) -> float:
    """The surrogate's intercept for the class: its score before any word is counted."""
    return float(target.bias)


def max_abs_weight(targets: Sequence[TargetExplanation], top: int | None = None, intervals: bool = False) -> float:
    """The largest |weight| over the targets' words (bias excluded): a colour scale shared by several views.

    With ``top``, only each target's ``top`` strongest words count (what is shown).
    With ``intervals``, the ends of their intervals count too (an axis that shows
    the error bars whole). Never 0, so it can divide.
    """
    best = 0.0
    for t in targets:
        weights = t.top(top) if top is not None else t.weights
        for w in weights:
            best = max(best, abs(float(w.weight)))
            if intervals and w.interval is not None:
                best = max(best, abs(float(w.interval[0])), abs(float(w.interval[1])))
    return best if best > 0 else 1.0


def class_weights_frame(explanation: Explanation, top: int = 15) -> pd.DataFrame:
    """Long frame (feature, class, weight) of the surrogate over every explained class.

    Keeps the ``top`` features with the largest |weight| in any class, ordered by
    that largest |weight| (``rank`` 0 first); ``<BIAS>`` is left out (see
    :func:`bias_frame`).
    """
    strength: dict[str, float] = {}
    for t in explanation.targets:
        for w in t.weights:
            strength[w.feature] = max(strength.get(w.feature, 0.0), abs(float(w.weight)))
    chosen = sorted(strength, key=lambda f: -strength[f])[:top]
    rank = {f: i for i, f in enumerate(chosen)}
    rows = []
    for t in explanation.targets:
        by_feature = {w.feature: float(w.weight) for w in t.weights}
        for f in chosen:
            rows.append({"feature": f, "class": t.class_name, "weight": by_feature.get(f, 0.0), "rank": rank[f]})
    return pd.DataFrame(rows, columns=["feature", "class", "weight", "rank"])


def bias_frame(explanation: Explanation) -> pd.DataFrame:
    """One row per explained class: its bias and both probabilities."""
    return pd.DataFrame(
        {
            "class": [t.class_name for t in explanation.targets],
            "bias": [float(t.bias) for t in explanation.targets],
            "probability": [float(t.probability) for t in explanation.targets],
            "surrogate_probability": [float(t.surrogate_probability) for t in explanation.targets],
        }
    )


def class_weights_table(explanation: Explanation, top: int = 15) -> pd.DataFrame:
    """Wide table: one row per feature (top by largest |weight|), one column per class."""
    long = class_weights_frame(explanation, top)
    if long.empty:
        return pd.DataFrame(columns=["feature", *[t.class_name for t in explanation.targets]])
    wide = long.pivot(index="feature", columns="class", values="weight")
    order = long.drop_duplicates("feature").sort_values("rank")["feature"]
    wide = wide.loc[list(order), [t.class_name for t in explanation.targets]]
    wide.columns.name = None
    return wide.reset_index()


def shared_words_frame(left: TargetExplanation, right: TargetExplanation) -> pd.DataFrame:
    """Words present in both explanations with their weight on each side, biggest difference first."""
    right_w = {w.feature: float(w.weight) for w in right.weights}
    rows = [
        {"feature": w.feature, "left": float(w.weight), "right": right_w[w.feature]}
        for w in left.weights
        if w.feature in right_w
    ]
    frame = pd.DataFrame(rows, columns=["feature", "left", "right"])
    frame["difference"] = frame["right"] - frame["left"]
    return frame.sort_values("difference", key=lambda s: -s.abs(), kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- trust


def deletion_curve_frame(faithfulness: FaithfulnessReport) -> pd.DataFrame:
    """The deletion curves of the explanation's ranking and of the baselines, one row per (ranking, step).

    Columns: ranking ("This explanation", "Random words", "Occlusion"), words_removed,
    fraction_removed, probability (the real model's probability of the class).
    """
    rows = [
        {
            "ranking": BASELINE_LABELS.get(name, name),
            "words_removed": int(p.k),
            "fraction_removed": p.k / faithfulness.n_words if faithfulness.n_words else 0.0,
            "probability": float(p.probability),
        }
        for name, scores in [("explanation", faithfulness.scores), *faithfulness.baselines.items()]
        for p in scores.curve
    ]
    return pd.DataFrame(rows, columns=["ranking", "words_removed", "fraction_removed", "probability"])


def faithfulness_frame(faithfulness: FaithfulnessReport) -> pd.DataFrame:
    """Comprehensiveness, sufficiency and deletion AUC of the explanation, random words and occlusion."""
    from lime_core.formatters.trust import faithfulness_rows

    columns = ["measure", "explanation", "random", "occlusion", "better"]
    return pd.DataFrame(faithfulness_rows(faithfulness), columns=columns)


def sampling_frame(explanation: Explanation) -> pd.DataFrame:
    """One row per round of adaptive sampling: samples and model calls so far, and the top words then."""
    history = explanation.sampling.history if explanation.sampling is not None else ()
    return pd.DataFrame(
        {
            "round": list(range(1, len(history) + 1)),
            "samples": [r.n_samples for r in history],
            "model_calls": [r.n_model_calls for r in history],
            "top_words": [", ".join(r.top_k) for r in history],
        },
        columns=["round", "samples", "model_calls", "top_words"],
    )


# --------------------------------------------------------------------------- the neighbourhood picture


def neighbourhood_frame(fit: FitResult, class_name: str | None = None, max_points: int | None = 2000) -> pd.DataFrame:
    """What LIME looked at, one row per perturbed sample of a fit (:class:`~lime_core.neighbourhood.FitResult`,
    e.g. a ``TextExplainer``'s ``fit_result_``); no model calls.

    Columns: ``similarity`` (cosine similarity of the sample to the original),
    ``fit_weight`` (its weight in the fit: the similarity itself for the default
    kernel), ``words_kept`` (share of the text's
    tokens kept), ``model_probability`` (the black box's probability for the
    class), ``surrogate_probability``, ``top_word`` (the class's strongest word)
    and ``top_word_status`` ("kept", "partly removed" or "removed") and
    ``original`` (row 0, the text itself). At most ``max_points`` rows (the
    original plus an even-spaced subset) keep the chart light.
    """
    from lime_core.explainer import explain_fit  # imported late: only this frame needs the explainer (scikit-learn)

    samples = fit.neighbourhood
    keep = np.asarray(samples.keep)
    proba = np.asarray(samples.proba)
    weights = np.asarray(samples.sample_weight, dtype=float)
    similarity = np.asarray(samples.similarity, dtype=float)
    X = samples.X
    class_names = list(fit.class_names)
    c = samples.predicted if class_name is None else class_names.index(class_name)
    target = explain_fit(fit, [c], faithfulness=False).targets[0]
    words = [w for w in target.weights if w.weight > 0] or list(target.top(1))
    top = words[0] if words else None
    surrogate = fit.local_fit.surrogate.predict_proba(X)[:, c]

    n = keep.shape[0]
    if top is not None:
        j = samples.features.names.index(top.feature)
        counts = np.asarray(X[:, j].todense()).ravel()
        full = counts[0]
        status = np.where(counts >= full, "kept", np.where(counts <= 0, "removed", "partly removed"))
        top_name = top.feature
    else:  # pragma: no cover - a text always has at least one feature
        status = np.full(n, "kept")
        top_name = ""
    frame = pd.DataFrame(
        {
            "sample": np.arange(n),
            "similarity": similarity,
            "fit_weight": weights,
            "words_kept": keep.mean(axis=1) if keep.shape[1] else np.ones(n),
            "model_probability": proba[:, c],
            "surrogate_probability": surrogate,
            "top_word": top_name,
            "top_word_status": status,
            "original": np.arange(n) == 0,
            "class": class_names[c],
        }
    )
    if max_points is not None and n > max_points:
        idx = np.unique(np.concatenate([[0], np.linspace(1, n - 1, max_points - 1).round().astype(int)]))
        frame = frame.iloc[idx].reset_index(drop=True)
    return frame


# --------------------------------------------------------------------------- exports

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: Any) -> Any:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def weights_table(explanation: Explanation) -> pd.DataFrame:
    """Every explained class's weights in one frame, bias included: the CSV export.

    :func:`lime_core.formatters.format_dataframe`'s columns under its names
    (target first), with each class's model and surrogate probabilities after
    ``target``, and the ``direction`` and ``sign_certain`` of :func:`weights_frame`.
    """
    parts = []
    for t in explanation.targets:
        frame = _weights_rows_frame(t, include_bias=True)
        frame.insert(1, "model_probability", t.probability)
        frame.insert(2, "surrogate_probability", t.surrogate_probability)
        parts.append(frame)
    if not parts:
        return _weights_rows_frame(TargetExplanation("", 0, 0.0, 0.0, 0.0, ()), include_bias=False)
    return pd.concat(parts, ignore_index=True)


def to_csv(explanation: Explanation) -> str:
    """The weights of every explained class as CSV (UTF-8 text), safe to open in a spreadsheet."""
    frame = weights_table(explanation)
    for column in ("target", "feature", "direction"):
        if column in frame:
            frame[column] = frame[column].map(_csv_safe)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.6g")
    return buffer.getvalue()


def to_json(explanation: Explanation) -> str:
    """The documented JSON contract (:meth:`Explanation.to_json`), indented."""
    return explanation.to_json(indent=2)


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return slug[:60] or "explanation"


def report_filename(explanation: Explanation, extension: str) -> str:
    """A safe download name such as ``lime-20ng-svm-sci.med.html``."""
    target = explanation.targets[0].class_name if explanation.targets else explanation.predicted_class
    return f"lime-{_slug(explanation.model)}-{_slug(target)}.{extension.lstrip('.')}"


def html_report(explanation: Explanation, top: int = 20) -> str:
    """The downloadable report: the formatter's standalone page (escaped by its templates, inline CSS, no scripts)."""
    from lime_core.formatters.html import format_html  # imported late: the frames above do not need the formatters

    return format_html(explanation, top=top, standalone=True)


def top_word_effect(frame: pd.DataFrame) -> dict[str, float | int | str]:
    """Mean model probability of the samples that kept vs lost the top word (from :func:`neighbourhood_frame`).

    Returns ``word``, ``kept_mean``, ``removed_mean``, ``n_kept``, ``n_removed``
    (means are NaN when no sample is in a group). Plain averages, not the
    surrogate's weights: a stakeholder can check the weight's sign against them.
    """
    samples = frame[~frame["original"]]
    kept = samples[samples["top_word_status"] == "kept"]["model_probability"]
    removed = samples[samples["top_word_status"] == "removed"]["model_probability"]
    return {
        "word": str(frame["top_word"].iloc[0]) if len(frame) else "",
        "kept_mean": float(kept.mean()) if len(kept) else float("nan"),
        "removed_mean": float(removed.mean()) if len(removed) else float("nan"),
        "n_kept": len(kept),
        "n_removed": len(removed),
    }
