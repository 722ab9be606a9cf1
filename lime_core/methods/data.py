"""Second opinions as plain data: each method's word values, their agreement and their faithfulness.

Frozen dataclasses with their JSON (docs/json-schema.md, key ``methods``),
produced by :func:`lime_core.methods.compare_methods` and carried by an
:class:`~lime_core.explanation.Explanation` as its ``methods`` field. Nothing
here computes or renders anything, and nothing here imports the rest of the
engine, so the explanation module can import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

LIME = "lime"
KERNELSHAP = "kernelshap"
OCCLUSION = "occlusion"
EXTRA_METHODS = (KERNELSHAP, OCCLUSION)
"""The methods that can be asked for besides LIME (``TextExplainer(methods=...)``, ``--methods``)."""
# The order in which they run: occlusion's texts are KernelSHAP's heaviest coalition size, so it goes first.
RUN_ORDER = (OCCLUSION, KERNELSHAP)


def parse_methods(spec: str | Sequence[str] | None) -> tuple[str, ...]:
    """Method names from ``"kernelshap,occlusion"``, a list, ``"all"`` or None (none), in the order they run;
    unknown names are refused."""
    if spec is None:
        return ()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    names = [str(m).strip().lower() for m in items if str(m).strip()]
    if names == ["all"]:
        names = list(EXTRA_METHODS)
    unknown = [m for m in names if m not in EXTRA_METHODS]
    if unknown:
        raise ValueError(f"unknown method {unknown[0]!r}; choose from {', '.join(EXTRA_METHODS)} (or all)")
    return tuple(m for m in RUN_ORDER if m in names)


@dataclass(frozen=True)
class MethodValue:
    """One word's value in one method, with an interval when the method gives one."""

    feature: str
    value: float
    std: float | None = None
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class MethodFaithfulness:
    """ERASER's measures of one method's ranking on the real model (see ``FaithfulnessScores``)."""

    comprehensiveness: float  # higher is more faithful
    sufficiency: float  # lower is more faithful
    auc: float  # deletion AUC; lower is more faithful


@dataclass(frozen=True)
class MethodValues:
    """What one method says about each word for the explained class.

    ``values`` are sorted by value, most positive (pushing towards the class) first. ``scale`` is
    ``"log-odds"`` for LIME's weight x count (the surrogate's scale) and ``"probability"`` for KernelSHAP and
    occlusion. ``base_value`` is the model's probability of the class with no words (KernelSHAP) and
    ``prediction`` with every word; KernelSHAP's values add up to ``prediction - base_value``.
    ``n_model_calls`` counts the texts this method sent beyond the explanation's (cached answers are free);
    ``n_coalitions`` the distinct word subsets KernelSHAP's regression used. ``note`` says, in a sentence,
    what limits the values (None when nothing does).
    """

    method: str
    scale: str
    values: tuple[MethodValue, ...]
    top: tuple[str, ...]
    faithfulness: MethodFaithfulness | None = None
    base_value: float | None = None
    prediction: float | None = None
    n_model_calls: int = 0
    n_coalitions: int | None = None
    note: str | None = None

    def value_of(self, feature: str) -> float:
        for v in self.values:
            if v.feature == feature:
                return v.value
        raise KeyError(feature)


@dataclass(frozen=True)
class MethodAgreement:
    """How far two methods agree: the words their top ``k`` share, and the rank correlation over all words."""

    a: str
    b: str
    k: int
    overlap: int
    shared: tuple[str, ...]
    rank_correlation: float | None  # Spearman's, over every word; None with fewer than 3 words or a constant method


@dataclass(frozen=True)
class MethodsReport:
    """LIME beside the other methods for one class: values, top words, agreement, faithfulness, one sentence.

    ``k`` is the number of top words compared (the faithfulness check's: at most half the words).
    ``most_faithful`` names the methods whose ranking removes most of the prediction (comprehensiveness): the best
    and any within a tie of it (every method when they all tie); empty when the model hardly depends on the words.
    """

    class_name: str
    k: int
    n_words: int
    results: tuple[MethodValues, ...]
    agreement: tuple[MethodAgreement, ...]
    most_faithful: tuple[str, ...]
    summary: str
    n_model_calls: int

    @property
    def compared(self) -> tuple[str, ...]:
        return tuple(r.method for r in self.results)

    def result(self, method: str) -> MethodValues:
        for r in self.results:
            if r.method == method:
                return r
        raise KeyError(f"method {method!r} is not compared here; compared: {list(self.compared)}")

    def pair(self, a: str, b: str) -> MethodAgreement:
        for p in self.agreement:
            if {p.a, p.b} == {a, b}:
                return p
        raise KeyError((a, b))

    # -- JSON ------------------------------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """``{"class_name", "k", "n_words", "compared", <method>: {...} for each, "agreement", "most_faithful",
        "summary", "n_model_calls"}`` (docs/json-schema.md)."""
        return {
            "class_name": self.class_name,
            "k": self.k,
            "n_words": self.n_words,
            "compared": list(self.compared),
            **{r.method: _values_to_dict(r) for r in self.results},
            "agreement": [_agreement_to_dict(p) for p in self.agreement],
            "most_faithful": list(self.most_faithful),
            "summary": self.summary,
            "n_model_calls": self.n_model_calls,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MethodsReport:
        return cls(
            class_name=str(d["class_name"]),
            k=int(d["k"]),
            n_words=int(d.get("n_words", 0)),
            results=tuple(_values_from_dict(name, d[name]) for name in d["compared"]),
            agreement=tuple(_agreement_from_dict(p) for p in d.get("agreement", ())),
            most_faithful=tuple(str(m) for m in d.get("most_faithful") or ()),
            summary=str(d.get("summary", "")),
            n_model_calls=int(d.get("n_model_calls", 0)),
        )


def _value_to_dict(v: MethodValue) -> dict[str, Any]:
    out: dict[str, Any] = {"feature": v.feature, "value": v.value}
    if v.std is not None:
        out["std"] = v.std
    if v.interval is not None:
        out["interval"] = list(v.interval)
    return out


def _value_from_dict(d: dict[str, Any]) -> MethodValue:
    interval = d.get("interval")
    return MethodValue(
        feature=str(d["feature"]),
        value=float(d["value"]),
        std=None if d.get("std") is None else float(d["std"]),
        interval=None if interval is None else (float(interval[0]), float(interval[1])),
    )


def _values_to_dict(r: MethodValues) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scale": r.scale,
        "values": [_value_to_dict(v) for v in r.values],
        "top": list(r.top),
    }
    if r.faithfulness is not None:
        f = r.faithfulness
        out["faithfulness"] = {"comprehensiveness": f.comprehensiveness, "sufficiency": f.sufficiency, "auc": f.auc}
    for key in ("base_value", "prediction", "n_coalitions", "note"):
        if getattr(r, key) is not None:
            out[key] = getattr(r, key)
    out["n_model_calls"] = r.n_model_calls
    return out


def _values_from_dict(method: str, d: dict[str, Any]) -> MethodValues:
    f = d.get("faithfulness")
    return MethodValues(
        method=method,
        scale=str(d["scale"]),
        values=tuple(_value_from_dict(v) for v in d["values"]),
        top=tuple(str(w) for w in d.get("top", ())),
        faithfulness=None
        if f is None
        else MethodFaithfulness(float(f["comprehensiveness"]), float(f["sufficiency"]), float(f["auc"])),
        base_value=None if d.get("base_value") is None else float(d["base_value"]),
        prediction=None if d.get("prediction") is None else float(d["prediction"]),
        n_model_calls=int(d.get("n_model_calls", 0)),
        n_coalitions=None if d.get("n_coalitions") is None else int(d["n_coalitions"]),
        note=None if d.get("note") is None else str(d["note"]),
    )


def _agreement_to_dict(p: MethodAgreement) -> dict[str, Any]:
    return {
        "methods": [p.a, p.b],
        "k": p.k,
        "overlap": p.overlap,
        "shared": list(p.shared),
        "rank_correlation": p.rank_correlation,
    }


def _agreement_from_dict(d: dict[str, Any]) -> MethodAgreement:
    a, b = d["methods"]
    rho = d.get("rank_correlation")
    return MethodAgreement(
        a=str(a),
        b=str(b),
        k=int(d["k"]),
        overlap=int(d["overlap"]),
        shared=tuple(str(w) for w in d.get("shared", ())),
        rank_correlation=None if rho is None else float(rho),
    )
