"""LIME beside other methods on the same samples: each method's top words, their agreement and faithfulness.

:func:`compare_methods` is the one entry point. For the explained class it
asks each method (:class:`~lime_core.methods.kernelshap.KernelShap`,
:class:`~lime_core.methods.occlusion.Occlusion`) for one value per word,
ranks the words of every method (most positive first, as the faithfulness
check does), counts the words that each pair's top ``k`` share (the
"feature agreement" of Krishna et al. 2022) with Spearman's rank correlation
over all words, and scores every ranking on the real model with the
faithfulness check's measures (:mod:`lime_core.trust.faithfulness`):
comprehensiveness, sufficiency, deletion AUC. A plain sentence says how far
LIME and the others agree and whose ranking removes most of the prediction.

Cost: the methods' own texts (occlusion one per word, KernelSHAP at most
``max_extra_calls``) and each ranking's deletion texts; all go through the
explanation's black box, so answers already asked for (the samples, the
faithfulness check's leave-one-out texts) are free. Computed first the
faithfulness check, then occlusion, then KernelSHAP, so each re-uses the last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import spearmanr

from ..errors import LimeCoreError
from ..wording import (
    AGREE_ALSO,
    AGREE_PAIR,
    AGREE_WITH,
    FAITHFUL_SHARED,
    FAITHFUL_TIE,
    FAITHFUL_UNINFORMATIVE,
    METHOD_LABELS,
    METHOD_NOTE_UNCERTAIN,
    MOST_FAITHFUL_MANY,
    MOST_FAITHFUL_TWO,
)
from .base import AttributionMethod, WordAttribution, require_keep
from .data import (
    EXTRA_METHODS,
    KERNELSHAP,
    LIME,
    OCCLUSION,
    MethodAgreement,
    MethodFaithfulness,
    MethodsReport,
    MethodValue,
    MethodValues,
    parse_methods,
)
from .kernelshap import KernelShap
from .occlusion import Occlusion

if TYPE_CHECKING:
    from ..explanation import FaithfulnessReport
    from ..neighbourhood import FitResult, Neighbourhood
    from ..predictor import BlackBox, LabelView
    from ..trust.results import TrustResults

# Two rankings whose comprehensiveness differs by less than this (probability) are called equally faithful.
FAITHFUL_TIE_MARGIN = 0.02
# The order in which they are listed.
DISPLAY_ORDER = (LIME, KERNELSHAP, OCCLUSION)


def default_method(name: str) -> AttributionMethod:
    """The method of a name with its default parts."""
    return {KERNELSHAP: KernelShap, OCCLUSION: Occlusion}[name]()


def compare_methods(
    fitted: Any,
    methods: str | Sequence[str] | None = EXTRA_METHODS,
    target: str | int | None = None,
    *,
    black_box: BlackBox | None = None,
    parts: Mapping[str, AttributionMethod] | None = None,
) -> MethodsReport:
    """LIME beside ``methods`` for one class of a fitted explanation (the one entry point).

    ``fitted``: a fitted :class:`~lime_core.explainer.TextExplainer` (its black box is used) or a
    :class:`~lime_core.neighbourhood.FitResult` with ``black_box``. ``target``: a class name or index (default:
    the class the trust reports are about: the predicted one, or the explained label of a multi-label model).
    ``parts``: a method object per name to use instead of the defaults
    (e.g. ``{"kernelshap": KernelShap(max_extra_calls=0)}``).
    """
    result: FitResult = getattr(fitted, "fit_result_", fitted)
    if black_box is None:
        black_box = getattr(fitted, "black_box_", None)
    black_box = result.neighbourhood.asked(black_box)  # a multi-label model: the explained label's own answers
    names = list(result.class_names)
    if target is None:
        c = result.neighbourhood.explained_class
    elif isinstance(target, str):
        if target not in names:
            raise ValueError(f"unknown class {target!r}; the model's classes are {names}")
        c = names.index(target)
    else:
        c = int(target)
    options = result.options
    return result.trust.methods(
        c,
        names[c],
        black_box,
        options.top_k,
        result.trust_seed,
        parse_methods(methods),
        result.settings.output_scale,
        parts,
    )


def method_report(
    samples: Neighbourhood,
    trust: TrustResults,
    class_index: int,
    class_name: str,
    black_box: BlackBox | LabelView,
    methods: Sequence[str],
    top_k: int,
    seed: int,
    lime_scale: str,
    parts: Mapping[str, AttributionMethod] | None = None,
) -> MethodsReport:
    """The :class:`MethodsReport` of a fit's class (what :func:`compare_methods` and ``TrustResults`` compute)."""
    from ..trust.faithfulness import faithfulness_report

    require_keep(samples, "comparing methods")
    groups = samples.features.groups
    n_words = groups.n_words
    words = samples.features.names[:n_words]
    lime_faithfulness = trust.faithfulness(class_index, class_name, black_box, top_k, seed)
    k = lime_faithfulness.k
    lime_values = (trust.reported()[0][class_index] * trust.feature_values())[:n_words]

    per_method: dict[str, tuple[WordAttribution, FaithfulnessReport]] = {}
    for name in methods:
        method = (parts or {}).get(name) or default_method(name)
        attribution = method.attribute(samples, black_box, class_index)
        check = faithfulness_report(
            samples.tokenized,
            groups.word_of_token,
            words,
            attribution.values,
            black_box,
            class_index,
            class_name,
            top_k,
            np.random.default_rng([seed, 2, class_index]),  # the explanation's own random baseline draws
            mask_token=samples.mask_token,
        )
        per_method[name] = (attribution, check)

    listed = sorted(per_method, key=lambda m: DISPLAY_ORDER.index(m) if m in DISPLAY_ORDER else len(DISPLAY_ORDER))
    results = [_values(LIME, lime_scale, words, WordAttribution(values=lime_values), lime_faithfulness, k)]
    results += [_values(m, method_scale(m, parts), words, *per_method[m], k) for m in listed]
    arrays = {LIME: lime_values, **{m: per_method[m][0].values for m in listed}}
    agreement = tuple(_agreement(a, b, arrays[a], arrays[b], words, k) for a, b in combinations(arrays, 2))
    informative = lime_faithfulness.level != "uninformative"
    best = most_faithful(results) if informative else ()
    return MethodsReport(
        class_name=class_name,
        k=k,
        n_words=n_words,
        results=tuple(results),
        agreement=agreement,
        most_faithful=best,
        summary=summary_sentence(results, agreement, best, informative),
        n_model_calls=sum(a.n_model_calls + f.n_model_calls for a, f in per_method.values()),
    )


def max_texts(n_words: int, methods: Sequence[str] = EXTRA_METHODS, with_faithfulness: bool = True) -> int:
    """At most how many texts comparing ``methods`` sends for a text of ``n_words`` distinct words, before the cache.

    Occlusion one per word; KernelSHAP the text with no words and ``DEFAULT_MAX_EXTRA_CALLS``; each method's
    ranking its deletion curve and sufficiency text; and, unless made already, LIME's faithfulness check.
    What a page shows as the cost before asking (the dashboard's button).
    """
    from ..trust.faithfulness import curve_steps
    from ..trust.faithfulness import max_texts as faithfulness_texts
    from .kernelshap import DEFAULT_MAX_EXTRA_CALLS

    names = parse_methods(methods)
    per_ranking = len(curve_steps(n_words, 0)) + 2
    total = len(names) * per_ranking
    if OCCLUSION in names:
        total += n_words
    if KERNELSHAP in names:
        total += 1 + DEFAULT_MAX_EXTRA_CALLS
    if with_faithfulness:
        total += faithfulness_texts(n_words)
    return total


def method_scale(name: str, parts: Mapping[str, AttributionMethod] | None = None) -> str:
    method = (parts or {}).get(name) or default_method(name)
    return str(method.scale)


def ranking(values: np.ndarray) -> np.ndarray:
    """Word indices, most positive value first (ties in word order), as the faithfulness check removes them."""
    return np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")


def _values(
    method: str, scale: str, words: Sequence[str], a: WordAttribution, check: FaithfulnessReport, k: int
) -> MethodValues:
    order = ranking(a.values)

    def value(j: int) -> MethodValue:
        known: dict[str, Any] = {}
        if a.std is not None and np.isfinite(a.std[j]):
            known["std"] = float(a.std[j])
            if a.interval is not None:
                known["interval"] = (float(a.interval[0][j]), float(a.interval[1][j]))
        return MethodValue(feature=words[j], value=float(a.values[j]), **known)

    note = a.note
    if a.interval is not None:
        low, high = a.interval
        unsure = sum(1 for j in order[:k] if low[j] <= 0.0 <= high[j] and np.isfinite(low[j]))
        if unsure:
            extra = METHOD_NOTE_UNCERTAIN.format(n=unsure, k=k)
            note = f"{note} {extra}" if note else extra
    s = check.scores
    return MethodValues(
        method=method,
        scale=scale,
        values=tuple(value(int(j)) for j in order),
        top=tuple(words[int(j)] for j in order[:k]),
        faithfulness=MethodFaithfulness(s.comprehensiveness, s.sufficiency, s.auc),
        base_value=a.base_value,
        prediction=a.prediction,
        n_model_calls=a.n_model_calls,
        n_coalitions=a.n_coalitions,
        note=note,
    )


def _agreement(a: str, b: str, va: np.ndarray, vb: np.ndarray, words: Sequence[str], k: int) -> MethodAgreement:
    top_a = [int(j) for j in ranking(va)[:k]]
    top_b = {int(j) for j in ranking(vb)[:k]}
    shared = tuple(words[j] for j in top_a if j in top_b)
    rho = None
    if len(va) >= 3 and np.ptp(va) > 0 and np.ptp(vb) > 0:
        rho = float(spearmanr(va, vb).statistic)
    return MethodAgreement(a=a, b=b, k=k, overlap=len(shared), shared=shared, rank_correlation=rho)


def _comprehensiveness(r: MethodValues) -> float:
    """A method's comprehensiveness; callers pass only methods whose faithfulness was measured."""
    assert r.faithfulness is not None, f"{r.method} has no faithfulness figures"
    return r.faithfulness.comprehensiveness


def most_faithful(results: Sequence[MethodValues]) -> tuple[str, ...]:
    """The method with the highest comprehensiveness and those within :data:`FAITHFUL_TIE_MARGIN` of it."""
    scored = [r for r in results if r.faithfulness is not None]
    if not scored:
        return ()
    top = max(_comprehensiveness(r) for r in scored)
    return tuple(r.method for r in scored if top - _comprehensiveness(r) < FAITHFUL_TIE_MARGIN)


def _label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def summary_sentence(
    results: Sequence[MethodValues], agreement: Sequence[MethodAgreement], best: Sequence[str], informative: bool
) -> str:
    """ "LIME and KernelSHAP agree on 4 of the top 5 words; LIME's ranking is the more faithful here (...)"."""
    with_lime = [p for p in agreement if LIME in (p.a, p.b)]
    if not with_lime:
        return ""

    def other(p: MethodAgreement) -> str:
        return p.b if p.a == LIME else p.a

    first = with_lime[0]
    if len(with_lime) == 1:
        agree = AGREE_PAIR.format(a=_label(LIME), b=_label(other(first)), overlap=first.overlap, k=first.k)
    else:
        agree = AGREE_WITH.format(a=_label(LIME), b=_label(other(first)), overlap=first.overlap, k=first.k)
        rest = [AGREE_ALSO.format(b=_label(other(p)), overlap=p.overlap) for p in with_lime[1:]]
        agree += "".join(f", {r}" for r in rest[:-1]) + f" and {rest[-1]}"
    scored = [r for r in results if r.faithfulness is not None]

    def listed(rs: Sequence[MethodValues]) -> str:
        return ", ".join(f"{_label(r.method)} {_comprehensiveness(r):.2f}" for r in rs)

    def names(rs: Sequence[MethodValues]) -> str:
        labels = [_label(r.method) for r in rs]
        return ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0]

    leaders = [r for r in scored if r.method in best]
    others = [r for r in scored if r.method not in best]
    if not informative or not leaders:
        faithful = FAITHFUL_UNINFORMATIVE
    elif not others:
        faithful = FAITHFUL_TIE.format(values=listed(scored))
    elif len(leaders) > 1:
        faithful = FAITHFUL_SHARED.format(
            best=names(leaders), best_values=listed(leaders), rest=names(others), rest_values=listed(others)
        )
    elif len(others) == 1:
        faithful = MOST_FAITHFUL_TWO.format(
            best=_label(leaders[0].method),
            best_value=_comprehensiveness(leaders[0]),
            other_value=_comprehensiveness(others[0]),
        )
    else:
        faithful = MOST_FAITHFUL_MANY.format(
            best=_label(leaders[0].method), best_value=_comprehensiveness(leaders[0]), others=listed(others)
        )
    return f"{agree}; {faithful}."


def require_black_box(black_box: BlackBox | LabelView | None, class_name: str) -> BlackBox | LabelView:
    if black_box is None:
        raise LimeCoreError(
            f"comparing methods for {class_name!r} asks the model: pass the model's black box to compute it"
        )
    return black_box
