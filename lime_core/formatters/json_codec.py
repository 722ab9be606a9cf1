"""The JSON contract of an :class:`~lime_core.explanation.Explanation` (docs/json-schema.md), both ways.

The explanation is plain data; this codec writes it with the derived keys a
reader needs (``predicted_class``, the trust ``verdict``, the stability lists)
and reads it back, older files included. ``Explanation.to_json`` /
``from_json`` (and ``to_dict`` / ``from_dict``) call it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from ..explanation import (
    SCHEMA_VERSION,
    CurvePoint,
    ExplainerSettings,
    Explanation,
    FaithfulnessReport,
    FaithfulnessScores,
    FeatureWeight,
    FidelityMetrics,
    MultiLabelScores,
    SamplingReport,
    SamplingRound,
    StabilityReport,
    TargetExplanation,
    UncertaintyInfo,
    WordStability,
)
from ..language import LanguageReport
from ..methods.data import MethodsReport
from ..verdict import judge_trust, verdict_to_dict

__all__ = ["explanation_from_dict", "explanation_from_json", "explanation_to_dict", "explanation_to_json"]


def explanation_to_dict(explanation: Explanation) -> dict[str, Any]:
    """The JSON contract (see docs/json-schema.md)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "text": explanation.text,
        "model": explanation.model,
        "class_names": list(explanation.class_names),
        "probabilities": list(explanation.probabilities),
        "surrogate_probabilities": list(explanation.surrogate_probabilities),
        "predicted_class": explanation.predicted_class,
        "targets": [_target_to_dict(t) for t in explanation.targets],
        "metrics": asdict(explanation.metrics),
        "n_samples": explanation.n_samples,
        "n_model_calls": explanation.n_model_calls,
        "n_answers_reused": explanation.n_answers_reused,
        **({"language": explanation.language.to_dict()} if explanation.language is not None else {}),
        **({"multi_label": explanation.multi_label.to_dict()} if explanation.multi_label is not None else {}),
        # written only when there is nothing to explain, so every other explanation's JSON is as before
        **(
            {"answer_spread": explanation.answer_spread, "nothing_to_explain": True}
            if explanation.nothing_to_explain
            else {}
        ),
        "settings": _settings_to_dict(explanation.settings),
        **explanation.extras,
        **_trust_to_dict(explanation),
        "verdict": _verdict_to_dict(explanation),
    }


def explanation_to_json(explanation: Explanation, indent: int | None = None) -> str:
    """The JSON contract as text."""
    return json.dumps(explanation_to_dict(explanation), indent=indent, ensure_ascii=False, allow_nan=False)


def explanation_from_dict(data: dict[str, Any]) -> Explanation:
    """An :class:`Explanation` from its JSON contract (the verdict, derived, is not read)."""
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(f"unsupported explanation schema_version {version!r}; expected {SCHEMA_VERSION}")
    # derived keys: the verdict, and the nothing_to_explain flag (from answer_spread)
    known = {f.name for f in fields(Explanation)}
    known |= {"schema_version", "predicted_class", "verdict", "nothing_to_explain"}
    trust = {
        "uncertainty": _optional(data.get("uncertainty"), _uncertainty_from_dict),
        "stability": _optional(data.get("stability"), _stability_from_dict),
        "faithfulness": _optional(data.get("faithfulness"), _faithfulness_from_dict),
        "sampling": _optional(data.get("sampling"), _sampling_from_dict),
        "methods": _optional(data.get("methods"), MethodsReport.from_dict),
    }
    return Explanation(
        text=data["text"],
        model=data["model"],
        class_names=tuple(data["class_names"]),
        probabilities=tuple(float(p) for p in data["probabilities"]),
        surrogate_probabilities=tuple(float(p) for p in data["surrogate_probabilities"]),
        targets=tuple(_target_from_dict(t) for t in data["targets"]),
        metrics=FidelityMetrics(**data["metrics"]),
        n_samples=int(data["n_samples"]),
        n_model_calls=int(data["n_model_calls"]),
        n_answers_reused=int(data.get("n_answers_reused", 0)),
        language=_optional(data.get("language"), LanguageReport.from_dict),
        multi_label=_optional(data.get("multi_label"), MultiLabelScores.from_dict),
        answer_spread=_optional(data.get("answer_spread"), float),
        settings=_settings_from_dict(data["settings"]),
        extras={k: v for k, v in data.items() if k not in known},
        **trust,
    )


def explanation_from_json(text: str) -> Explanation:
    """An :class:`Explanation` from its JSON text."""
    return explanation_from_dict(json.loads(text))


def _weight_to_dict(w: FeatureWeight) -> dict[str, Any]:
    out: dict[str, Any] = {
        "feature": w.feature,
        "weight": w.weight,
        "spans": [list(s) for s in w.spans],
        "value": w.value,
    }
    if w.std is not None:
        out["std"] = w.std
    if w.interval is not None:
        out["interval"] = list(w.interval)
    return out


def _weight_from_dict(d: dict[str, Any]) -> FeatureWeight:
    interval = d.get("interval")
    return FeatureWeight(
        feature=d["feature"],
        weight=float(d["weight"]),
        spans=tuple((int(a), int(b)) for a, b in d.get("spans", ())),
        value=float(d.get("value", 1.0)),
        std=None if d.get("std") is None else float(d["std"]),
        interval=None if interval is None else (float(interval[0]), float(interval[1])),
    )


def _target_to_dict(t: TargetExplanation) -> dict[str, Any]:
    return {
        "class": t.class_name,
        "class_index": t.class_index,
        "probability": t.probability,
        "surrogate_probability": t.surrogate_probability,
        "bias": t.bias,
        "weights": [_weight_to_dict(w) for w in t.weights],
    }


def _target_from_dict(d: dict[str, Any]) -> TargetExplanation:
    return TargetExplanation(
        class_name=d["class"],
        class_index=int(d["class_index"]),
        probability=float(d["probability"]),
        surrogate_probability=float(d["surrogate_probability"]),
        bias=float(d["bias"]),
        weights=tuple(_weight_from_dict(w) for w in d["weights"]),
    )


# -- trust reports: JSON --------------------------------------------------------------------------------------------


def _settings_to_dict(settings: ExplainerSettings) -> dict[str, Any]:
    out = asdict(settings)
    if not settings.adaptive:
        del out["adaptive"]  # the key appears only for adaptive sampling, so fixed-count JSON is unchanged
    if not settings.position_dependent:
        del out["position_dependent"]  # likewise: only when set
    if settings.weights_kind == "linear":
        del out["weights_kind"]
    if settings.output_scale == _implied_scale(settings.weights_kind):
        del out["output_scale"]  # written only when the weights_kind does not imply it
    if not settings.level_reason:
        del out["level_reason"]
    if not settings.features_reason:
        del out["features_reason"]
    if settings.within is None:
        del out["within"]
    else:
        out["within"] = list(settings.within)
    return out


def _implied_scale(weights_kind: str) -> str:
    return "probability" if weights_kind == "tree_path" else "logit"


def _settings_from_dict(d: dict[str, Any]) -> ExplainerSettings:
    d = dict(d)
    if "removal" not in d:  # JSON written before the key existed: a mask_token means a fixed replacement
        d["removal"] = "replace" if d.get("mask_token") else "deletion"
    if "output_scale" not in d:  # implied by weights_kind; JSON written before the key existed named ridge only
        ridge = str(d.get("surrogate", "")).startswith("RidgeSurrogate")
        d["output_scale"] = "probability" if ridge else _implied_scale(d.get("weights_kind", "linear"))
    if d.get("within") is not None:
        d["within"] = (int(d["within"][0]), int(d["within"][1]))
    return ExplainerSettings(**d)


def _optional(value: Any, parse: Any) -> Any:
    return None if value is None else parse(value)


def _verdict_to_dict(e: Explanation) -> dict[str, Any]:
    """The trust verdict, decided where it always is (verdict.judge_trust)."""
    return verdict_to_dict(judge_trust(e))


def _trust_to_dict(e: Explanation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if e.uncertainty is not None:
        out["uncertainty"] = asdict(e.uncertainty)
    if e.stability is not None:
        out["stability"] = _stability_to_dict(e.stability)
    if e.faithfulness is not None:
        out["faithfulness"] = _faithfulness_to_dict(e.faithfulness)
    if e.sampling is not None:
        out["sampling"] = asdict(e.sampling)
    if e.methods is not None:
        out["methods"] = e.methods.to_dict()
    return out


def _uncertainty_from_dict(d: dict[str, Any]) -> UncertaintyInfo:
    return UncertaintyInfo(method=str(d["method"]), confidence=float(d["confidence"]))


def _stability_to_dict(r: StabilityReport) -> dict[str, Any]:
    out = asdict(r)
    out["top_k"] = list(r.top_k)
    # Derived lists, written for readers; rebuilt from `words` when read back.
    out["dropped"] = list(r.dropped)
    out["entered"] = list(r.entered)
    out["sign_flips"] = list(r.sign_flips)
    return out


def _stability_from_dict(d: dict[str, Any]) -> StabilityReport:
    return StabilityReport(
        class_name=str(d["class_name"]),
        k=int(d["k"]),
        n_refits=int(d["n_refits"]),
        top_k_jaccard=float(d["top_k_jaccard"]),
        level=str(d["level"]),
        warning=bool(d["warning"]),
        top_k=tuple(str(w) for w in d["top_k"]),
        words=tuple(
            WordStability(
                feature=str(w["feature"]),
                in_top_k=float(w["in_top_k"]),
                sign_flips=float(w["sign_flips"]),
                reported_rank=int(w["reported_rank"]),
            )
            for w in d.get("words", ())
        ),
        method=str(d.get("method", "")),
        expected_jaccard=None if d.get("expected_jaccard") is None else float(d["expected_jaccard"]),
        refits_agree=None if d.get("refits_agree") is None else int(d["refits_agree"]),
    )


def _scores_to_dict(s: FaithfulnessScores) -> dict[str, Any]:
    return {
        "comprehensiveness": s.comprehensiveness,
        "sufficiency": s.sufficiency,
        "auc": s.auc,
        "curve": [{"k": p.k, "probability": p.probability} for p in s.curve],
    }


def _scores_from_dict(d: dict[str, Any]) -> FaithfulnessScores:
    return FaithfulnessScores(
        comprehensiveness=float(d["comprehensiveness"]),
        sufficiency=float(d["sufficiency"]),
        auc=float(d["auc"]),
        curve=tuple(CurvePoint(k=int(p["k"]), probability=float(p["probability"])) for p in d.get("curve", ())),
    )


def _faithfulness_to_dict(r: FaithfulnessReport) -> dict[str, Any]:
    # The explanation's own scores sit at the top of the object (`comprehensiveness`, `sufficiency`, `curve`,
    # `auc`), the baselines' under `baselines`.
    return {
        "class_name": r.class_name,
        "k": r.k,
        "n_words": r.n_words,
        "probability": r.probability,
        **_scores_to_dict(r.scores),
        "baselines": {name: _scores_to_dict(s) for name, s in r.baselines.items()},
        "n_random": r.n_random,
        "beats_random": r.beats_random,
        "level": r.level,
        "n_model_calls": r.n_model_calls,
    }


def _faithfulness_from_dict(d: dict[str, Any]) -> FaithfulnessReport:
    return FaithfulnessReport(
        class_name=str(d["class_name"]),
        k=int(d["k"]),
        n_words=int(d["n_words"]),
        probability=float(d["probability"]),
        scores=_scores_from_dict(d),
        baselines={str(name): _scores_from_dict(s) for name, s in d.get("baselines", {}).items()},
        n_random=int(d.get("n_random", 0)),
        level=str(d["level"]),
        n_model_calls=int(d.get("n_model_calls", 0)),
    )


def _sampling_from_dict(d: dict[str, Any]) -> SamplingReport:
    return SamplingReport(
        mode=str(d["mode"]),
        rounds=int(d["rounds"]),
        n_samples=int(d["n_samples"]),
        n_model_calls=int(d["n_model_calls"]),
        stopped_because=str(d["stopped_because"]),
        max_samples=None if d.get("max_samples") is None else int(d["max_samples"]),
        history=tuple(
            SamplingRound(
                n_samples=int(r["n_samples"]),
                n_model_calls=int(r["n_model_calls"]),
                top_k=tuple(str(w) for w in r["top_k"]),
                max_halfwidth=None if r.get("max_halfwidth") is None else float(r["max_halfwidth"]),
            )
            for r in d.get("history", ())
        ),
    )
