"""Stopping rules: after each round of samples, say whether to stop, why, and how many samples to draw next.

The explainer owns the one sampling loop (:func:`lime_core.rounds.sample_in_rounds`): it draws samples, asks
the model, records the neighbourhood, fits the surrogate and then asks its stopping rule. A rule is a small
object with this signature (:class:`StoppingRule`):

* ``mode`` (``"fixed"`` or ``"auto"``: :attr:`SamplingReport.mode <lime_core.explanation.SamplingReport>`);
* ``first_size(n_features) -> int``: the sample count of the first round (the text itself included);
* ``after_round(state: RoundState) -> RoundDecision``: stop (with a ``STOP_*`` reason of
  :mod:`lime_core.explanation`) or the total sample count after the next round;
* ``report(state: RoundState, stopped_because: str) -> SamplingReport``: how sampling went.

A rule keeps what it needs from round to round (the previous top words, say), so the explainer makes a new one
for every fit. :class:`FixedCount` is ``n_samples=<number>``; :class:`SettledTopWords` is ``n_samples="auto"``
(the rule of :mod:`lime_core.trust.adaptive`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ..explanation import STOP_CAP, STOP_EVERY_VARIATION, STOP_FIXED, STOP_HOPELESS, SamplingReport, SamplingRound
from ..metrics import mean_kl_divergence
from .adaptive import (
    AUTO,
    DEFAULT_SETTINGS,
    AdaptiveSettings,
    RoundCheck,
    check_round,
    hopeless,
    initial_samples,
    label_noise_factor,
    next_size,
)
from .results import TrustResults
from .uncertainty import z_value

if TYPE_CHECKING:
    from ..fitting import LocalFit
    from ..neighbourhood import Neighbourhood

__all__ = ["FixedCount", "RoundDecision", "RoundState", "SettledTopWords", "StoppingRule", "fixed_sampling"]


@dataclass(frozen=True, eq=False)
class RoundState:
    """The samples after one round, the fit on them and its trust results, and what the round cost."""

    neighbourhood: Neighbourhood
    fit: LocalFit
    trust: TrustResults
    n_model_calls: int  # texts sent to the model so far, in every round
    new_text_share: float  # the share of this round's samples that were texts not asked about before
    # The share of every text the sampler can make of this one (2^n keep-masks of its n units) asked about so far;
    # None when not counted (a long text, another source)
    variations_asked: float | None = None


@dataclass(frozen=True)
class RoundDecision:
    """Stop (``stopped_because``, a ``STOP_*`` reason) or go on to ``next_size`` samples in all."""

    stopped_because: str | None = None
    next_size: int = 0


class StoppingRule(Protocol):
    """When the explainer's sampling loop stops (the module docstring documents each member)."""

    mode: str

    def first_size(self, n_features: int) -> int: ...

    def after_round(self, state: RoundState) -> RoundDecision: ...

    def report(self, state: RoundState, stopped_because: str) -> SamplingReport: ...


def fixed_sampling(samples: Neighbourhood) -> SamplingReport:
    """The sampling report of a fixed sample count: one round."""
    return SamplingReport(
        mode="fixed",
        rounds=1,
        n_samples=samples.n_samples,
        n_model_calls=int(samples.n_model_calls),
        stopped_because=STOP_FIXED,
    )


class FixedCount:
    """``n_samples`` samples in one round."""

    mode = "fixed"

    def __init__(self, n_samples: int) -> None:
        self.n_samples = int(n_samples)

    def first_size(self, n_features: int) -> int:
        return self.n_samples

    def after_round(self, state: RoundState) -> RoundDecision:
        return RoundDecision(STOP_FIXED)

    def report(self, state: RoundState, stopped_because: str) -> SamplingReport:
        return fixed_sampling(state.neighbourhood)


def training_kl(samples: Neighbourhood, fit: LocalFit) -> float:
    """The fit's KL on its own training samples, weighted as its held-out KL is (by similarity to the text)."""
    rows = fit.train_index
    q = fit.surrogate.predict_proba(samples.X[rows])
    return mean_kl_divergence(samples.proba[rows], q, samples.similarity[rows])


def effective_count(similarity: np.ndarray) -> float:
    """Kish's effective sample size of samples under the weights their metrics use."""
    total = float(np.sum(similarity * similarity))
    return float(np.sum(similarity)) ** 2 / total if total > 0 else float(len(similarity))


class SettledTopWords:
    """Rounds until the predicted class's top words and the fit have settled, at most ``max_samples``.

    The rule of :mod:`lime_core.trust.adaptive` with its constants ``settings``: ``top_k`` words, intervals at
    ``confidence``, near ties within ``rel_tol`` of the largest top weight; ``distrust_below`` is the verdict's
    "do not trust" agreement (:func:`~lime_core.trust.adaptive.hopeless` gives up below it).
    """

    mode = AUTO

    def __init__(
        self,
        max_samples: int,
        top_k: int,
        confidence: float,
        rel_tol: float,
        distrust_below: float,
        settings: AdaptiveSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.max_samples = int(max_samples)
        self.top_k = int(top_k)
        self.confidence = float(confidence)
        self.rel_tol = float(rel_tol)
        self.distrust_below = distrust_below
        self.settings = settings
        self.history: list[SamplingRound] = []
        self.checks: list[RoundCheck] = []  # every round's check, for benchmarks that study the rule
        self._previous_top: tuple[int, ...] | None = None
        self._previous_score: float | None = None

    def first_size(self, n_features: int) -> int:
        return initial_samples(n_features, self.max_samples, self.settings)

    def after_round(self, state: RoundState) -> RoundDecision:
        samples, fit, trust = state.neighbourhood, state.fit, state.trust
        c = samples.predicted
        unc = trust.uncertainty(self.confidence)
        check = check_round(
            trust.reported()[0][c],
            None if unc is None else unc.std[c],
            self.top_k,
            z_value(self.confidence),
            self._previous_top,
            cov=None if unc is None or unc.class_cov is None else unc.class_cov(c),
            excess_loss=None if unc is None else unc.excess_loss,
            heldout_kl=fit.metrics.mean_KL_divergence,
            train_kl=training_kl(samples, fit) if self.settings.fit_measured else None,
            rel_tol=self.rel_tol,
            new_text_share=state.new_text_share,
            settings=self.settings,
            noise_factor=(
                label_noise_factor(samples.X.shape[1] + 1, len(fit.train_index), self.settings)
                if samples.multi_label
                else 1.0
            ),
            max_samples=self.max_samples,
            n_samples=state.neighbourhood.n_samples,
        )
        self.checks.append(check)
        n = samples.n_samples
        names = samples.features.names
        self.history.append(
            SamplingRound(
                n_samples=int(n),
                n_model_calls=int(state.n_model_calls),
                top_k=tuple(names[j] for j in check.top),
                max_halfwidth=check.max_halfwidth,
            )
        )
        asked = state.variations_asked
        every = asked is not None and asked >= self.settings.variations_share
        if every and n < self.max_samples:
            # A short text whose few variations are (nearly) all answered: samples up to the cap repeat them at
            # (almost) no model call, and their counts approach the sampling distribution's, so the explanation is
            # the cap's. Stopping here instead, on 250 samples of 64 texts, ranked a near tie unlike the 5,000-sample
            # run that sent the same 64.
            self._previous_top = check.top
            return RoundDecision(next_size=self.max_samples)
        if check.settled:
            return RoundDecision(check.reason)
        m = fit.metrics
        n_effective = effective_count(samples.similarity[fit.heldout_index])
        if hopeless(m.score, m.n_heldout, self._previous_score, self.distrust_below, n_effective, self.settings):
            return RoundDecision(STOP_HOPELESS)
        self._previous_score = m.score
        if n >= self.max_samples:
            return RoundDecision(STOP_EVERY_VARIATION if every else STOP_CAP)
        poor = m.score < self.distrust_below  # check again soon: it may be hopeless
        growth = self.settings.hopeless_growth if poor else math.inf
        self._previous_top = check.top
        return RoundDecision(next_size=next_size(n, check, self.max_samples, growth, self.settings))

    def report(self, state: RoundState, stopped_because: str) -> SamplingReport:
        return SamplingReport(
            mode=AUTO,
            rounds=len(self.history),
            n_samples=state.neighbourhood.n_samples,
            n_model_calls=int(state.n_model_calls),
            stopped_because=stopped_because,
            max_samples=self.max_samples,
            history=tuple(self.history),
        )
