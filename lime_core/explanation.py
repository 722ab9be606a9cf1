"""The explanation as plain data: frozen dataclasses with a JSON round trip.

Nothing here renders anything; formatters in :mod:`lime_core.formatters` turn
an :class:`Explanation` into HTML, text or a DataFrame. The JSON produced by
:meth:`Explanation.to_dict` is a documented, stable contract (docs/json-schema.md).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from .language import LanguageReport
from .methods.data import MethodsReport

SCHEMA_VERSION = 1
BIAS_FEATURE = "<BIAS>"

Span = tuple[int, int]


@dataclass(frozen=True)
class FeatureWeight:
    """One feature's weight towards a class in the local surrogate.

    ``spans`` are ``(start, end)`` code-point offsets of every occurrence in the
    original text; ``value`` is the feature's value there (its count).
    """

    feature: str
    weight: float
    spans: tuple[Span, ...] = ()
    value: float = 1.0
    std: float | None = None
    interval: tuple[float, float] | None = None

    @property
    def contribution(self) -> float:
        """How much this feature adds to the class score of the original text."""
        return self.weight * self.value

    @property
    def sign_certain(self) -> bool | None:
        """Whether the interval excludes zero; None when no interval was computed."""
        if self.interval is None:
            return None
        low, high = self.interval
        return low > 0 or high < 0


@dataclass(frozen=True)
class TargetExplanation:
    """Why the model leans towards (or away from) one class, near this text."""

    class_name: str
    class_index: int
    probability: float  # the black box's, on the original text
    surrogate_probability: float  # the surrogate's, on the original text
    bias: float
    weights: tuple[FeatureWeight, ...]  # sorted by weight, most positive first

    @property
    def positive(self) -> tuple[FeatureWeight, ...]:
        return tuple(w for w in self.weights if w.weight > 0)

    @property
    def negative(self) -> tuple[FeatureWeight, ...]:
        return tuple(w for w in reversed(self.weights) if w.weight < 0)

    def top(self, k: int) -> tuple[FeatureWeight, ...]:
        """The ``k`` features with the largest absolute weight, largest first."""
        return tuple(sorted(self.weights, key=lambda w: -abs(w.weight))[:k])


@dataclass(frozen=True)
class FidelityMetrics:
    """How well the surrogate reproduces the black box on held-out perturbed samples.

    ``mean_KL_divergence``: similarity-weighted mean KL divergence (nats) from
    the black box's to the surrogate's probabilities; 0 is perfect.
    ``score``: similarity-weighted share of held-out samples on which both pick
    the same top class; 1 is perfect.
    """

    mean_KL_divergence: float
    score: float
    n_heldout: int


@dataclass(frozen=True)
class ExplainerSettings:
    """What produced the explanation, so that it can be reproduced."""

    n_samples: int
    random_state: int | None
    tokenization: str
    sampler: str
    kernel: str
    surrogate: str
    bigrams: bool
    mask_token: str | None
    heldout_fraction: float
    adaptive: bool = False  # True: samples were drawn in rounds until the top words settled; n_samples is the cap
    position_dependent: bool = False  # True: every token position is its own feature ("[3] word"), eli5's option
    # "linear": weights are a linear surrogate's; "tree_path": a decision tree's (clf=) contributions along this
    # text's path, on the probability scale (docs/json-schema.md)
    weights_kind: str = "linear"
    # The unit of the weights: "logit" (log-odds) or "probability" (changes in P(class): ridge, a tree's paths)
    output_scale: str = "logit"
    # The unit removed and weighed (lime_core.levels): "words" (or the tokenization's units), "sentences",
    # "paragraphs"; always written to the JSON, so that a reader never guesses
    level: str = "words"
    # Why this level: auto's choice or a fallback (e.g. "the text is one sentence: explained by its words instead")
    level_reason: str = ""
    # A drill-down: only the units inside this (start, end) span were removed and weighed, the rest held as it is
    within: tuple[int, int] | None = None
    # How removed words were removed (lime_core.removal): "deletion", "replace" (by mask_token), "mask_token",
    # "unk_token" (the model's token, in mask_token) or "attention_mask" (docs/removal.md)
    removal: str = "deletion"


# -- trust reports (docs/trust.md says how each number is computed) --------------------------------------


@dataclass(frozen=True)
class UncertaintyInfo:
    """How the ``std`` and ``interval`` of every weight were computed.

    ``method`` names the estimator (``"sandwich"``: the robust covariance of
    the surrogate's fit over the random perturbations); ``confidence`` is the
    nominal coverage of each interval (0.95: a 95 % interval).
    """

    method: str
    confidence: float


@dataclass(frozen=True)
class WordStability:
    """How one word fared over the refits: how often it was in the top ``k`` and how often its sign flipped."""

    feature: str
    in_top_k: float  # share of refits in which the word is among the top k
    sign_flips: float  # share of refits in which its weight has the opposite sign to the reported one
    reported_rank: int  # 1-based rank by |weight| in the reported explanation


@dataclass(frozen=True)
class StabilityReport:
    """Whether the top ``k`` words survive refitting the surrogate on resampled perturbations.

    ``top_k_jaccard`` is the mean Jaccard similarity of the top-k word sets
    over all pairs of refits (1: every refit picks the same words).
    ``words`` lists every word that is in the reported top k or enters the top
    k in some refit. ``expected_jaccard`` is the expected Jaccard similarity of
    the reported top k with the top k an endless sample would give, from the
    weights' covariance (None without intervals). ``level`` is ``"high"``,
    ``"medium"`` or ``"low"``; ``warning`` is True when the reader should be
    told the top words move.
    """

    class_name: str
    k: int  # at most this many top words; words with negligible weight are never top words
    n_refits: int
    top_k_jaccard: float
    level: str
    warning: bool
    top_k: tuple[str, ...]
    words: tuple[WordStability, ...]
    method: str
    expected_jaccard: float | None = None

    @property
    def settled(self) -> bool:
        """Whether the intervals say the top k would stay with unlimited samples (True without intervals)."""
        from .trust.stability import top_k_settled  # late: that module builds this record

        return top_k_settled(self.expected_jaccard)

    @property
    def dropped(self) -> tuple[str, ...]:
        """Words of the reported top k that leave it in at least one refit."""
        return tuple(w.feature for w in self.words if w.feature in self.top_k and w.in_top_k < 1.0)

    @property
    def entered(self) -> tuple[str, ...]:
        """Words outside the reported top k that enter it in at least one refit."""
        return tuple(w.feature for w in self.words if w.feature not in self.top_k and w.in_top_k > 0.0)

    @property
    def sign_flips(self) -> tuple[str, ...]:
        """Words whose sign flips in at least one refit."""
        return tuple(w.feature for w in self.words if w.sign_flips > 0.0)


@dataclass(frozen=True)
class CurvePoint:
    """The model's probability of the explained class with the ``k`` highest-ranked words removed."""

    k: int
    probability: float


@dataclass(frozen=True)
class FaithfulnessScores:
    """Comprehensiveness, sufficiency and the deletion curve of one word ranking (ERASER's measures)."""

    comprehensiveness: float  # p(text) - p(text without the top k words): higher is more faithful
    sufficiency: float  # p(text) - p(only the top k words): lower is more faithful
    auc: float  # normalised area under the deletion curve (mean probability): lower is more faithful
    curve: tuple[CurvePoint, ...]


@dataclass(frozen=True)
class FaithfulnessReport:
    """Does removing the words the explanation ranks highest change the real model's prediction?

    Measured on the black box itself for ``class_name``: ``scores`` for the
    explanation's ranking, ``baselines`` for a random ranking (averaged over
    a few draws) and for occlusion (leave-one-word-out). ``level`` is
    ``"good"``, ``"weak"``, ``"poor"`` or ``"uninformative"``.
    """

    class_name: str
    k: int
    n_words: int
    probability: float  # the model's probability of the class on the original text
    scores: FaithfulnessScores
    baselines: dict[str, FaithfulnessScores]
    n_random: int
    level: str
    n_model_calls: int  # distinct texts sent to the model for this check (cached ones not counted)

    @property
    def comprehensiveness(self) -> float:
        return self.scores.comprehensiveness

    @property
    def sufficiency(self) -> float:
        return self.scores.sufficiency

    @property
    def auc(self) -> float:
        return self.scores.auc

    @property
    def curve(self) -> tuple[CurvePoint, ...]:
        return self.scores.curve

    @property
    def beats_random(self) -> bool:
        """True when the explanation's ranking removes more of the prediction than a random one."""
        rand = self.baselines.get("random")
        if rand is None:
            return True
        return self.scores.comprehensiveness > rand.comprehensiveness and self.scores.auc < rand.auc


@dataclass(frozen=True)
class SamplingRound:
    """One round of adaptive sampling: the samples so far and the state of the top words after it."""

    n_samples: int
    n_model_calls: int
    top_k: tuple[str, ...]
    max_halfwidth: float | None  # widest interval half-width among the top words (None without intervals)


@dataclass(frozen=True)
class SamplingReport:
    """How many perturbed texts were drawn, what they cost, and why sampling stopped.

    ``mode`` is ``"fixed"`` (``n_samples`` given) or ``"auto"`` (drawn in
    rounds until the top words settled, at most ``max_samples``).
    """

    mode: str
    rounds: int
    n_samples: int
    n_model_calls: int
    stopped_because: str
    max_samples: int | None = None
    history: tuple[SamplingRound, ...] = ()


@dataclass(frozen=True)
class MultiLabelScores:
    """A multi-label model's answer on the text: every label's own probability, and the label explained.

    Each label is its own yes/no question, so ``probabilities`` need not sum to 1. The explanation that carries
    this is the explained label's, as a two-class problem: its ``class_names`` are ``("not <label>", label)``.
    """

    labels: tuple[str, ...]
    probabilities: tuple[float, ...]
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {"labels": list(self.labels), "probabilities": list(self.probabilities), "label": self.label}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MultiLabelScores:
        return cls(
            labels=tuple(str(x) for x in d["labels"]),
            probabilities=tuple(float(p) for p in d["probabilities"]),
            label=str(d["label"]),
        )


def negative_class(label: str) -> str:
    """The name of "not this label", the other class of one label's yes/no question."""
    return f"not {label}"


@dataclass(frozen=True)
class Explanation:
    """A LIME explanation of one text: the black box's view and the local surrogate's."""

    text: str
    model: str
    class_names: tuple[str, ...]
    probabilities: tuple[float, ...]
    surrogate_probabilities: tuple[float, ...]
    targets: tuple[TargetExplanation, ...]
    metrics: FidelityMetrics
    n_samples: int
    n_model_calls: int
    settings: ExplainerSettings
    extras: dict[str, Any] = field(default_factory=dict, compare=True)
    # Trust reports (None when not computed; see docs/trust.md).
    uncertainty: UncertaintyInfo | None = None
    stability: StabilityReport | None = None
    faithfulness: FaithfulnessReport | None = None
    sampling: SamplingReport | None = None
    # Answers the prediction cache gave without asking the model (n_model_calls counts only the texts sent now).
    n_answers_reused: int = 0
    # The text's language beside the model's (lime_core.language); None when the model's languages are not known.
    language: LanguageReport | None = None
    # LIME beside other methods (KernelSHAP, occlusion) for the trust class; None when not asked (lime_core.methods).
    methods: MethodsReport | None = None
    # A multi-label model's every label probability; None for a single-label model (see MultiLabelScores).
    multi_label: MultiLabelScores | None = None

    @property
    def predicted_class(self) -> str:
        return self.class_names[max(range(len(self.probabilities)), key=self.probabilities.__getitem__)]

    def target(self, class_name: str) -> TargetExplanation:
        for t in self.targets:
            if t.class_name == class_name:
                return t
        raise KeyError(f"class {class_name!r} is not explained here; explained: {[t.class_name for t in self.targets]}")

    # -- JSON ---------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract (see docs/json-schema.md)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "text": self.text,
            "model": self.model,
            "class_names": list(self.class_names),
            "probabilities": list(self.probabilities),
            "surrogate_probabilities": list(self.surrogate_probabilities),
            "predicted_class": self.predicted_class,
            "targets": [_target_to_dict(t) for t in self.targets],
            "metrics": asdict(self.metrics),
            "n_samples": self.n_samples,
            "n_model_calls": self.n_model_calls,
            "n_answers_reused": self.n_answers_reused,
            **({"language": self.language.to_dict()} if self.language is not None else {}),
            **({"multi_label": self.multi_label.to_dict()} if self.multi_label is not None else {}),
            "settings": _settings_to_dict(self.settings),
            **self.extras,
            **_trust_to_dict(self),
            "verdict": _verdict_to_dict(self),
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported explanation schema_version {version!r}; expected {SCHEMA_VERSION}")
        known = {f.name for f in fields(cls)} | {"schema_version", "predicted_class", "verdict"}  # verdict: derived
        trust = {
            "uncertainty": _optional(data.get("uncertainty"), _uncertainty_from_dict),
            "stability": _optional(data.get("stability"), _stability_from_dict),
            "faithfulness": _optional(data.get("faithfulness"), _faithfulness_from_dict),
            "sampling": _optional(data.get("sampling"), _sampling_from_dict),
            "methods": _optional(data.get("methods"), MethodsReport.from_dict),
        }
        return cls(
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
            settings=_settings_from_dict(data["settings"]),
            extras={k: v for k, v in data.items() if k not in known},
            **trust,
        )

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        return cls.from_dict(json.loads(text))

    def _repr_html_(self) -> str:
        from .formatters.html import format_html  # imported only when a notebook asks

        return format_html(self)


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
    """The trust verdict, decided where it always is (verdict.judge_trust); imported here to avoid a cycle."""
    from .verdict import judge_trust, verdict_to_dict

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
