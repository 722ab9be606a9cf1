"""The explanation as plain data: frozen dataclasses with a JSON round trip.

Nothing here renders anything; formatters in :mod:`lime_core.formatters` turn
an :class:`Explanation` into HTML, text or a DataFrame. The JSON produced by
:meth:`Explanation.to_dict` is a documented, stable contract (docs/json-schema.md).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

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
            "settings": asdict(self.settings),
            **self.extras,
        }

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise ValueError(f"unsupported explanation schema_version {version!r}; expected {SCHEMA_VERSION}")
        known = {f.name for f in fields(cls)} | {"schema_version", "predicted_class"}
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
            settings=ExplainerSettings(**data["settings"]),
            extras={k: v for k, v in data.items() if k not in known},
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
