"""A plain-language verdict on an explanation's fidelity, and what each number means.

LIME explains a black box with a simple local model (the *surrogate*) fitted
on variations of the text. The explanation is only as good as that fit, which
is measured on variations kept aside (held out) from fitting. This module
turns those numbers into one of three verdicts for people who do not read
KL divergences:

``trust`` -- **Trustworthy**
    every one of: agreement (``score``) >= 0.95, mean KL divergence <= 0.10,
    probability gap <= 0.10, and at least 50 held-out samples.
``distrust`` -- **Do not trust**
    any one of: agreement < 0.80, mean KL divergence > 0.30, probability gap
    > 0.25.
``check`` -- **Check it**
    everything in between, including a good fit measured on fewer than 50
    held-out samples (too few to be sure).

where

* *agreement* is ``FidelityMetrics.score``: the similarity-weighted share of
  held-out variations on which the surrogate picks the same top class as the
  model;
* *mean KL divergence* is ``FidelityMetrics.mean_KL_divergence`` in nats: how
  far the surrogate's probabilities are from the model's on those variations;
* *probability gap* is ``|model probability - surrogate probability|`` of the
  explained class on the original text: whether the surrogate reproduces the
  very prediction being explained.

The thresholds follow eli5's guidance (its tutorial calls ~0.98 agreement with
~0.04 KL a good fit and warns when agreement drops); they are deliberately
conservative, because a demo must never present a poor fit as an explanation.
Whatever the verdict, the explanation stays *local* (see :data:`lime_core.wording.LOCAL_CAVEAT`).

:func:`judge_trust` extends this fidelity verdict with the trust reports an
explanation may carry (stability of the top words, certainty of their signs,
faithfulness to the model, adaptive sampling; see docs/trust.md): one check
per report, and the worst level wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .defaults import CONFIDENCE, TOP_K
from .explanation import (
    STOP_CAP,
    STOP_EARLY,
    STOP_INTERIM,
    Explanation,
    FeatureWeight,
    FidelityMetrics,
    StabilityReport,
    TargetExplanation,
)
from .nothing_to_explain import NO_CHANGE, nothing_to_explain_message
from .trust.results import trust_class
from .trust.stability import near_tie_at_edge, top_k_indices
from .wording import (
    CHECK_TITLES,
    LOCAL_CAVEAT,  # noqa: F401 - still importable from here
    STOP_REASONS,
    STOP_SHARED,
    TITLES,
    VERDICT_SCOPE,
    Level,
)

# Thresholds (see the module docstring; tests pin them).
TRUST_MIN_SCORE = 0.95
TRUST_MAX_KL = 0.10
TRUST_MAX_GAP = 0.10
MIN_HELDOUT = 50
DISTRUST_MIN_SCORE = 0.80
DISTRUST_MAX_KL = 0.30
DISTRUST_MAX_GAP = 0.25

@dataclass(frozen=True)
class Verdict:
    """The verdict, a one-line summary and the reasons behind it (each a short sentence)."""

    level: Level
    title: str
    summary: str
    reasons: tuple[str, ...]


def probability_gap(target: TargetExplanation) -> float:
    """``|model - surrogate|`` probability of the explained class on the original text."""
    return abs(target.probability - target.surrogate_probability)


def judge(metrics: FidelityMetrics, gap: float | None = None) -> Verdict:
    """Apply the documented rules to the fidelity numbers (and the probability gap, when known)."""
    score, kl, n = metrics.score, metrics.mean_KL_divergence, metrics.n_heldout
    bad: list[str] = []
    weak: list[str] = []
    if not (math.isfinite(score) and math.isfinite(kl)):
        bad.append("the fidelity could not be measured")
    else:
        if score < DISTRUST_MIN_SCORE:
            bad.append(f"the simple model agrees with the real one on only {score:.1%} of the checks")
        elif score < TRUST_MIN_SCORE:
            weak.append(
                f"the simple model picks the real one's answer on only {score:.1%} of the checks "
                f"(agreement {score:.1%}, below {TRUST_MIN_SCORE:.0%})"
            )
        if kl > DISTRUST_MAX_KL:
            bad.append(f"its probabilities are far from the model's (KL {kl:.2f} > {DISTRUST_MAX_KL:.2f})")
        elif kl > TRUST_MAX_KL:
            weak.append(f"its probabilities drift from the model's (KL {kl:.2f} > {TRUST_MAX_KL:.2f})")
    if gap is not None:
        if gap > DISTRUST_MAX_GAP:
            bad.append(f"it misses the model's probability on this very text by {gap:.2f}")
        elif gap > TRUST_MAX_GAP:
            weak.append(f"it misses the model's probability on this text by {gap:.2f}")
    if n < MIN_HELDOUT:
        weak.append(f"only {n} variations were kept aside to check the fit, too few to be sure (held-out samples "
                    f"{n} < {MIN_HELDOUT}); use more samples")

    if bad:
        level: Level = "distrust"
        summary = "The simple model does not reproduce the real one near this text; do not rely on these weights."
        reasons = tuple(bad + weak)
    elif weak:
        level = "check"
        summary = "The fit is usable but not tight; check the top words make sense, or rerun with more samples."
        reasons = tuple(weak)
    else:
        level = "trust"
        summary = "The simple model reproduces the real one closely near this text; the weights are a faithful summary."
        figures = f"agreement {score:.0%}, KL {kl:.3f}" + (f", probability gap {gap:.2f}" if gap is not None else "")
        reasons = (f"the simple model copies the real one's answers closely near this text ({figures})",)
    return Verdict(level=level, title=TITLES[level], summary=summary, reasons=reasons)


def judge_explanation(explanation: Explanation, target: TargetExplanation | str | None = None) -> Verdict:
    """The verdict for one explained class (default: the first explained target)."""
    if isinstance(target, str):
        target = explanation.target(target)
    if target is None:
        target = explanation.targets[0] if explanation.targets else None
    return judge(explanation.metrics, probability_gap(target) if target is not None else None)


# -- the trust verdict ---------------------------------------------------------------------------------------------
#
# Fidelity (above) says whether the surrogate reproduces the model near the text. The trust verdict adds what the
# trust reports of an explanation say (docs/trust.md): whether the top words survive a re-run (stability), whether
# their signs are certain (intervals), whether removing them changes the real model's prediction (faithfulness),
# and whether adaptive sampling had to stop at its cap. Each becomes a check with its own level; the verdict is the
# worst of them. Checks whose report is absent (not computed) are left out, not failed.

CheckName = Literal["fidelity", "stability", "signs", "faithfulness", "sampling", "language", "nothing_to_explain"]


@dataclass(frozen=True)
class TrustCheck:
    """One aspect of trust: its level and a one-sentence finding."""

    name: CheckName
    level: Level
    title: str  # short label for a UI row, e.g. "Stability"
    message: str


@dataclass(frozen=True)
class TrustVerdict:
    """The combined verdict: the worst level of the checks, a summary, and the reasons behind it."""

    level: Level
    title: str
    summary: str
    reasons: tuple[str, ...]  # the findings of the checks that are not "trust" (all findings when all pass)
    checks: tuple[TrustCheck, ...]

    def check(self, name: str) -> TrustCheck | None:
        return next((c for c in self.checks if c.name == name), None)


_ORDER: dict[Level, int] = {"trust": 0, "check": 1, "distrust": 2}


def _check(name: CheckName, level: Level, message: str) -> TrustCheck:
    return TrustCheck(name, level, CHECK_TITLES[name], message)


_TRUST_SUMMARIES: dict[Level, str] = {
    "trust": "The explanation passes every check: a reliable summary of how the model behaves near this text.",
    "check": "Parts of this explanation are uncertain; read the reasons before relying on the top words.",
    "distrust": "Do not rely on this explanation: at least one check failed (see the reasons).",
}


def _summary(level: Level, checks: list[TrustCheck]) -> str:
    """The verdict's one line; "passes every check" only when every check was made (faithfulness may not be)."""
    if level == "trust" and not any(c.name == "faithfulness" for c in checks):
        return (
            "The explanation passes every check that was made (its faithfulness was not checked): a reliable "
            "summary of how the model behaves near this text, as far as those checks go."
        )
    return _TRUST_SUMMARIES[level]


def top_words(target: TargetExplanation, k: int) -> list[FeatureWeight]:
    """The target's top words by |weight|, negligible ones left out: the stability report's own rule."""
    indices = top_k_indices(np.array([w.weight for w in target.weights]), k)
    return [target.weights[i] for i in indices]


RELIES_MIN_DROP = 0.10  # "the model relies on these words" only when removing them drops the probability this much


def probability_change(drop: float, class_name: str) -> str:
    """"lowers P(c) by 0.12", "raises P(c) by 0.03" or "leaves P(c) unchanged": the sign in words, not in the number.

    ``class_name`` "it" gives "lowers it by 0.12".
    """
    subject = "it" if class_name == "it" else f"P({class_name})"
    if abs(drop) < NO_CHANGE:
        return f"leaves {subject} unchanged"
    return f"{'lowers' if drop > 0 else 'raises'} {subject} by {abs(drop):.2f}"


def calls_phrase(n_model_calls: int, reused: int = 0) -> str:
    """"640 model calls made now, answers reused: 120": two figures, never "0 model calls" for a cached run."""
    made = f"{n_model_calls:,} model call{'s' if n_model_calls != 1 else ''} made now"
    return made + (f", answers reused: {reused:,}" if reused else "")


def _language_check(explanation: Explanation) -> TrustCheck | None:
    warning = explanation.language.warning() if explanation.language is not None else None
    return None if warning is None else _check("language", "check", warning)


def _words(names: list[str]) -> str:
    quoted = [f"\u201c{n}\u201d" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _fidelity_check(explanation: Explanation, target: TargetExplanation | None) -> TrustCheck:
    v = judge(explanation.metrics, probability_gap(target) if target is not None else None)
    message = v.summary if v.level == "trust" else f"{v.summary} ({'; '.join(v.reasons)})"
    return _check("fidelity", v.level, message)


def unlimited_samples_share(r: StabilityReport) -> str:
    """"a run with many more samples would likely swap the last of them ... (expected agreement ...: 86%)"."""
    return (
        "a run with many more samples would likely swap the last of them for the next words (expected agreement "
        f"with unlimited samples, from the intervals: {r.expected_jaccard:.0%})"
    )


def _stability_check(explanation: Explanation, target: TargetExplanation) -> TrustCheck | None:
    r = explanation.stability
    if r is None or (r.class_name != target.class_name and len(explanation.class_names) != 2):
        return None
    if not r.top_k and not r.entered:
        return _check("stability", "trust", "No word has a noticeable weight, in any refit.")
    agree = f"top-{r.k} agreement over {r.n_refits} refits: {r.top_k_jaccard:.0%}"
    flips = [w for w in r.sign_flips if w in r.top_k]
    moving = list(dict.fromkeys([*r.dropped, *r.entered]))
    leader = next((w for w in r.words if r.top_k and w.feature == r.top_k[0]), None)
    if leader is not None and (leader.in_top_k < 1.0 or leader.sign_flips > 0):
        level: Level = "distrust"
        message = (
            f"Even the leading word \u201c{leader.feature}\u201d is not stable: it leaves the top {r.k} or changes "
            f"sign in some re-runs ({agree})."
        )
    elif near_tie_at_edge(r) and not flips:
        level = "check"
        edge = top_words(target, r.k + 1)[r.k - 1 :]
        close = f"; {_words([w.feature for w in edge])} are close at the edge" if len(edge) == 2 else ""
        message = (
            f"The top {r.k} words are not settled: re-runs pick the same ones, but {unlimited_samples_share(r)}"
            f"{close}. More samples may settle them."
        )
    elif r.level != "high" or flips:
        level = "check"
        parts = [f"The top {r.k} words are not settled: re-runs pick different ones ({agree})"]
        if moving:
            parts.append(f"{_words(moving)} move in and out of them")
        if flips:
            parts.append(f"{_words(flips)} change sign in some re-runs")
        message = "; ".join(parts) + "."
    else:
        level = "trust"
        message = f"The top words are stable: re-runs pick the same ones ({agree})."
        if moving:
            message = message[:-1] + f"; only {_words(moving)} sometimes move."
    return _check("stability", level, message)


def _signs_check(explanation: Explanation, target: TargetExplanation) -> TrustCheck | None:
    k = explanation.stability.k if explanation.stability is not None else TOP_K
    top = top_words(target, k)
    if not top or any(w.interval is None for w in top):
        return None
    uncertain = [w.feature for w in top if not w.sign_certain]
    confidence = explanation.uncertainty.confidence if explanation.uncertainty is not None else CONFIDENCE
    if not uncertain:
        return _check(
            "signs",
            "trust",
            f"Every top word pushes in a certain direction (each one's {confidence:.0%} interval excludes zero).",
        )
    level: Level = "distrust" if len(uncertain) == len(top) else "check"
    one = len(uncertain) == 1
    message = (
        f"Whether {_words(uncertain)} {'pushes' if one else 'push'} for or against the class is uncertain "
        f"({'its' if one else 'their'} {confidence:.0%} {'interval contains' if one else 'intervals contain'} zero); "
        "more samples may help."
    )
    return _check("signs", level, message)


def _faithfulness_check(explanation: Explanation, target: TargetExplanation) -> TrustCheck | None:
    r = explanation.faithfulness
    # Only for the class it was measured for: words are removed by their contribution to that class, so even the
    # other class of a two-class model would rank them the other way round.
    if r is None or r.class_name != target.class_name:
        return None
    rand, occ = r.baselines.get("random"), r.baselines.get("occlusion")
    numbers = f"removing the top {r.k} words {probability_change(r.comprehensiveness, r.class_name)}"
    if rand is not None:
        numbers += f", removing as many random words {probability_change(rand.comprehensiveness, 'it')}"
    curve = f"deletion AUC {r.auc:.2f}" + (f" vs {rand.auc:.2f} random" if rand is not None else "")
    curve += f", {occ.auc:.2f} occlusion" if occ is not None else ""
    curve = f"({curve}; lower is better)"
    if r.level == "good":
        claim = (
            "The model relies on these words"
            if r.comprehensiveness >= RELIES_MIN_DROP
            else f"The top words matter more than random words, though removing them moves the probability by less "
            f"than {RELIES_MIN_DROP:.2f}"
        )
        return _check("faithfulness", "trust", f"{claim}: {numbers} {curve}.")
    if r.level == "weak":
        return _check(
            "faithfulness",
            "check",
            f"The top words matter only a little more than random words: {numbers} {curve}.",
        )
    if r.level == "uninformative":
        return _check(
            "faithfulness",
            "check",
            "Removing words barely changes the model's prediction, so faithfulness cannot be judged.",
        )
    return _check(
        "faithfulness",
        "distrust",
        f"Removing the top words does not change the prediction more than removing random words: {numbers} {curve}.",
    )


def _sampling_check(explanation: Explanation) -> TrustCheck | None:
    r = explanation.sampling
    if r is None or r.mode != "auto":
        return None
    if r.stopped_because == STOP_SHARED:  # a multi-label model's label other than the one sampling settled
        return _check(
            "sampling",
            "check",
            "Automatic sampling stopped when another label's top words had settled; this label's were not "
            "checked, so they may still move with more samples.",
        )
    if r.stopped_because in (STOP_EARLY, STOP_INTERIM):  # the rule's own test never passed: more may move them
        return _check(
            "sampling",
            "check",
            f"Automatic sampling was {'stopped early' if r.stopped_because == STOP_EARLY else 'still running'} "
            f"after {r.rounds} round{'s' if r.rounds != 1 else ''} and {r.n_samples:,} samples "
            f"({calls_phrase(r.n_model_calls, explanation.n_answers_reused)}), before the top words had settled; "
            "more samples may change them.",
        )
    if r.stopped_because == STOP_CAP:
        stability = explanation.stability
        if stability is not None and stability.level == "high" and not stability.warning:
            # The cap stops the rounds before their ranking test passes (often a near tie among lower top words),
            # but refits that agree on the top words are the evidence the rounds were looking for.
            return _check(
                "sampling",
                "trust",
                f"Automatic sampling used its full cap of {r.n_samples:,} samples "
                f"({calls_phrase(r.n_model_calls, explanation.n_answers_reused)}); "
                "the order of some top words is a near tie, but re-runs pick the same words.",
            )
        return _check(
            "sampling",
            "check",
            f"The top words had not settled when automatic sampling reached its cap of {r.n_samples:,} samples.",
        )
    return _check(
        "sampling",
        "trust",
        f"Automatic sampling stopped after {r.rounds} rounds and {r.n_samples:,} samples "
        f"({calls_phrase(r.n_model_calls, explanation.n_answers_reused)}): "
        f"{STOP_REASONS.get(r.stopped_because, r.stopped_because)}.",
    )


def verdict_to_dict(verdict: TrustVerdict) -> dict[str, object]:
    """The JSON form of a verdict (docs/json-schema.md): level, title, summary, reasons, checks, scope."""
    return {
        "level": verdict.level,
        "title": verdict.title,
        "summary": verdict.summary,
        "reasons": list(verdict.reasons),
        "checks": [{"name": c.name, "level": c.level, "message": c.message} for c in verdict.checks],
        "about": VERDICT_SCOPE,
    }


def judge_trust(explanation: Explanation, target: TargetExplanation | str | None = None) -> TrustVerdict:
    """The trust verdict for one explained class, from every report present.

    The default class is the one the trust reports were computed for: the predicted class when it is explained,
    else the first target. A pure function of the explanation: fidelity always; stability, signs (intervals),
    faithfulness and adaptive sampling when the explanation carries them. The level is the worst check's.
    """
    if explanation.nothing_to_explain:  # the weights are noise: no other check has anything to judge
        message = nothing_to_explain_message(explanation.n_samples)
        nothing = [_check("nothing_to_explain", "distrust", message)]
        language = _language_check(explanation)  # kept: a language the model does not read may be why
        both = (*nothing, language) if language is not None else tuple(nothing)
        reasons = tuple(c.message for c in both)
        return TrustVerdict("distrust", CHECK_TITLES["nothing_to_explain"], message, reasons, both)
    if isinstance(target, str):
        target = explanation.target(target)
    if target is None:
        name = trust_class(explanation.predicted_class, [t.class_name for t in explanation.targets])
        target = None if name is None else explanation.target(name)
    checks = [_fidelity_check(explanation, target)]
    if target is not None:
        for make in (_stability_check, _signs_check, _faithfulness_check):
            found = make(explanation, target)
            if found is not None:
                checks.append(found)
    for extra in (_sampling_check(explanation), _language_check(explanation)):
        if extra is not None:
            checks.append(extra)
    level = max((c.level for c in checks), key=_ORDER.__getitem__)
    failing = tuple(c.message for c in checks if c.level != "trust")
    return TrustVerdict(
        level=level,
        title=TITLES[level],
        summary=_summary(level, checks),
        reasons=failing or tuple(c.message for c in checks),
        checks=tuple(checks),
    )
