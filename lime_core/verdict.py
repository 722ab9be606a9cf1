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
Whatever the verdict, the explanation stays *local* (see :data:`LOCAL_CAVEAT`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from .explanation import Explanation, FidelityMetrics, TargetExplanation

Level = Literal["trust", "check", "distrust"]

# Thresholds (see the module docstring; tests pin them).
TRUST_MIN_SCORE = 0.95
TRUST_MAX_KL = 0.10
TRUST_MAX_GAP = 0.10
MIN_HELDOUT = 50
DISTRUST_MIN_SCORE = 0.80
DISTRUST_MAX_KL = 0.30
DISTRUST_MAX_GAP = 0.25

TITLES: dict[Level, str] = {"trust": "Trustworthy", "check": "Check it", "distrust": "Do not trust"}

LOCAL_CAVEAT = (
    "This explanation is local: it describes how the model behaves near this text (on variations of it with "
    "words removed), not how the model works in general. The same word can weigh differently in another text."
)

METRIC_HELP: dict[str, str] = {
    "score": (
        "Agreement: on variations of the text kept aside for checking, how often the simple explaining model picks "
        "the same class as the real model (closer variations count more); 100% is perfect."
    ),
    "mean_KL_divergence": (
        "Mean KL divergence: how far the simple model's probabilities are from the real model's on those "
        "variations; 0 is perfect, above 0.3 the simple model misses a lot."
    ),
    "gap": (
        "Probability gap: how far the simple model's probability for the explained class is from the real "
        "model's on the original text; 0 is perfect."
    ),
    "n_heldout": (
        "Held-out samples: how many variations were kept aside for this check; with fewer than "
        f"{MIN_HELDOUT} the check itself is unreliable."
    ),
}


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
            bad.append(f"the simple model agrees with the real one on only {score:.0%} of the checks")
        elif score < TRUST_MIN_SCORE:
            weak.append(f"agreement is {score:.0%}, below {TRUST_MIN_SCORE:.0%}")
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
        weak.append(f"only {n} held-out samples were checked; use more samples")

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
        reasons = (f"agreement {score:.0%}, KL {kl:.3f}" + (f", probability gap {gap:.2f}" if gap is not None else ""),)
    return Verdict(level=level, title=TITLES[level], summary=summary, reasons=reasons)


def judge_explanation(explanation: Explanation, target: TargetExplanation | str | None = None) -> Verdict:
    """The verdict for one explained class (default: the first explained target)."""
    if isinstance(target, str):
        target = explanation.target(target)
    if target is None:
        target = explanation.targets[0] if explanation.targets else None
    return judge(explanation.metrics, probability_gap(target) if target is not None else None)
