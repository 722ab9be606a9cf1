"""The explainer's one sampling loop, and the seam it draws from: a neighbourhood source.

A **neighbourhood source** says where the perturbed samples of one text and their features come from
(:class:`NeighbourhoodSource`):

* ``tokenized`` (:class:`~lime_core.tokenization.TokenizedText`), ``features`` (names and spans: a
  :class:`~lime_core.features.FeatureSpace` or any object with ``names``, ``spans`` and ``n_features``) and
  ``removal`` (the :class:`~lime_core.removal.Removal` its texts were made with);
* ``draw(n_samples, rng) -> list[str]``: ``n_samples`` more perturbed texts (the first call's first text is
  the text itself);
* ``neighbourhood(proba, n_model_calls, n_answers_reused) -> Neighbourhood``: the record of the first
  ``len(proba)`` samples drawn (every sample drawn so far, unless the model has answered only the first ones),
  with the model's answers ``proba`` (one row per sample).

lime_core's own source is :class:`MaskingSource` (keep-masks from a
:class:`~lime_core.sampling.Sampler`, features from a :class:`~lime_core.features.FeatureSpace`, sample weights
from a :class:`~lime_core.kernels.Kernel`); eli5's ``vec=`` and ``sampler=`` are another
(:mod:`lime_core.compat.eli5_samples`). :func:`sample_in_rounds` draws from a source until a stopping rule
(:mod:`lime_core.trust.stopping`) says stop.

**Results while they compute**: ``sample_in_rounds(..., on_round=callback)`` calls ``callback(interim)`` after
every round that does not end sampling, with that round's :class:`SampledFit` (its report's ``stopped_because``
is ``STOP_INTERIM``). A truthy return stops sampling there: the round's fit is kept, its report saying
``STOP_EARLY``. The callback is plain Python (no front end): the dashboard draws each round with it.

The first round waits for every one of its 200-500 answers, which takes seconds on a transformer or a remote API.
So, when a callback is given and the first round is large enough, its first samples go to the model first and
the callback sees a **first look**, fitted on those alone, with a report of 0 rounds (:func:`first_look_size`).
The same texts go to the model either way (the rest of the round follows at once), and the first look's fit
draws from a copy of the generator, so the explanation stays the same with or without the callback.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from .explanation import STOP_EARLY, STOP_INTERIM, SamplingReport
from .features import FeatureSpace
from .fitting import LocalFit
from .kernels import Kernel, cosine_similarity_to_original
from .neighbourhood import Neighbourhood
from .predictor import BlackBox, LabelView, ProgressCallback
from .removal import Removal
from .sampling import Sampler, draw_neighbourhood
from .tokenization import TokenizedText
from .trust.adaptive import AUTO
from .trust.results import TrustResults
from .trust.stopping import RoundState, StoppingRule

__all__ = ["MaskingSource", "NeighbourhoodSource", "RoundCallback", "SampledFit", "sample_in_rounds"]


class NeighbourhoodSource(Protocol):
    """Where the perturbed samples of one text and their features come from (the module docstring documents it)."""

    tokenized: TokenizedText
    features: Any
    removal: Removal

    def draw(self, n_samples: int, rng: np.random.Generator) -> list[str]: ...

    def neighbourhood(self, proba: np.ndarray, n_model_calls: int, n_answers_reused: int) -> Neighbourhood: ...


class MaskingSource:
    """lime_core's own neighbourhood: ``sampler``'s keep-masks over the tokens, texts made by ``removal``,
    features from ``features`` and sample weights from ``kernel``."""

    def __init__(
        self, tokenized: TokenizedText, features: FeatureSpace, sampler: Sampler, kernel: Kernel, removal: Removal
    ) -> None:
        self.tokenized = tokenized
        self.features = features
        self.sampler = sampler
        self.kernel = kernel
        self.removal = removal
        self.keep: np.ndarray | None = None

    def draw(self, n_samples: int, rng: np.random.Generator) -> list[str]:
        if self.keep is None:
            new = self.keep = draw_neighbourhood(self.sampler, self.features.groups, n_samples, rng)
        else:
            new = self.sampler.sample(self.features.groups, n_samples, rng)
            self.keep = np.vstack([self.keep, new])
        return self.removal.texts(self.tokenized, new)

    def neighbourhood(self, proba: np.ndarray, n_model_calls: int, n_answers_reused: int) -> Neighbourhood:
        if self.keep is None:
            raise ValueError("nothing drawn yet")
        keep = self.keep[: len(proba)]  # a first look: only the first samples are answered yet
        return Neighbourhood(
            tokenized=self.tokenized,
            features=self.features,
            X=self.features.transform(keep),
            proba=proba,
            sample_weight=self.kernel.weights(keep),
            similarity=cosine_similarity_to_original(keep),
            keep=keep,
            mask_token=self.removal.replacement,
            removal=self.removal,
            n_model_calls=int(n_model_calls),
            n_answers_reused=int(n_answers_reused),
        )


@dataclass(frozen=True, eq=False)
class SampledFit:
    """What :func:`sample_in_rounds` ends with: every sample drawn, the last fit, its trust results, the report."""

    neighbourhood: Neighbourhood
    fit: LocalFit
    trust: TrustResults  # the last round's: its intervals are the explanation's
    report: SamplingReport


# Called after every round that does not end sampling, with that round's fit (report: STOP_INTERIM); truthy: stop.
RoundCallback = Callable[[SampledFit], "bool | None"]
# A fit of the samples so far, drawing its train / held-out split from the generator it is given.
RoundFit = Callable[[Neighbourhood, np.random.Generator], LocalFit]

# The fewest samples of a first look, and the samples per surrogate parameter (a feature or the intercept) it needs:
# fewer would fit more words than it has samples to tell apart.
FIRST_LOOK_SAMPLES = 64
FIRST_LOOK_PER_FEATURE = 2


def first_look_size(first_round: int, n_features: int) -> int:
    """How many of the first round's samples a first look is fitted on, or 0 for none: at least
    ``FIRST_LOOK_SAMPLES`` and ``FIRST_LOOK_PER_FEATURE`` per parameter, and at most half the round (else the
    whole round comes almost as soon)."""
    size = max(FIRST_LOOK_SAMPLES, FIRST_LOOK_PER_FEATURE * (n_features + 1))
    return size if 2 * size <= first_round else 0


# Texts of at most this many removable units (words, or sentences) have their variations counted: 2^n keep-masks.
MAX_COUNTED_UNITS = 16


def variation_count(source: NeighbourhoodSource) -> int | None:
    """How many distinct texts ``source`` can draw (every keep-mask of its units, the text and the empty one
    included), when it says and they are few enough to be asked about; else None."""
    if not isinstance(source, MaskingSource) or len(source.tokenized.tokens) > MAX_COUNTED_UNITS:
        return None  # another source's texts (eli5's samplers) are not keep-masks of these units
    return 2 ** len(source.tokenized.tokens)


def sample_in_rounds(
    source: NeighbourhoodSource,
    black_box: BlackBox | LabelView,
    rule: StoppingRule,
    fit: RoundFit,
    rng: np.random.Generator,
    *,
    record: Callable[[Neighbourhood], Neighbourhood] | None = None,
    progress: ProgressCallback | None = None,
    on_round: RoundCallback | None = None,
) -> SampledFit:
    """Draw from ``source`` in rounds, ask ``black_box`` about the new texts and ``fit`` the surrogate on every
    sample so far, until ``rule`` says stop.

    ``fit(neighbourhood, rng)`` draws its train / held-out split from ``rng``, the generator every round's samples
    are drawn from. ``record`` may turn the source's record into the one fitted (a multi-label model's label
    view). Only new texts go to the model; answers already known (the cache) are counted as reused.

    ``on_round`` sees each round's fit while sampling goes on, and a first look before the first round's end, and
    may stop it (the module docstring). It draws nothing from ``rng``, so an explanation is the same with or
    without it.
    """
    size = rule.first_size(source.features.n_features)
    proba: np.ndarray | None = None
    calls = reused = drawn = 0
    # Texts asked about in earlier rounds: a round's new texts are counted against these, not the model calls,
    # which a warm prediction cache would lower (the same explanation from the model or the cache).
    seen: set[str] = set()
    n_variations = variation_count(source)
    while True:
        texts = source.draw(size - drawn, rng)
        # A fixed count is one round, with nothing to show before its end; automatic sampling has a first look.
        watched = on_round is not None and drawn == 0 and rule.mode == AUTO
        look = first_look_size(size, source.features.n_features) if watched else 0
        if look:
            early, calls = _first_look(source, black_box, rule, fit, rng, texts[:look], record, progress)
            if on_round is not None and on_round(early):
                return replace(early, report=replace(early.report, stopped_because=STOP_EARLY))
            reused = -calls  # answered again below, from the cache: model calls, not reused answers
        offset = calls
        round_progress = None if progress is None else (lambda d, t, o=offset: progress(o + d, o + t))
        predictions = black_box.predict(texts, progress=round_progress)
        before = len(seen)
        seen.update(texts)
        proba = predictions.proba if proba is None else np.vstack([proba, predictions.proba])
        calls += predictions.n_model_calls
        reused += predictions.n_distinct - predictions.n_model_calls
        samples = source.neighbourhood(proba, calls, reused)
        if record is not None:
            samples = record(samples)
        fitted = fit(samples, rng)
        new_share = (len(seen) - before) / max(size - drawn, 1)
        asked = None if n_variations is None else len(seen) / n_variations
        state = RoundState(samples, fitted, TrustResults(samples, fitted), calls, new_share, asked)
        drawn = size
        decision = rule.after_round(state)
        if decision.stopped_because is not None:
            return SampledFit(samples, fitted, state.trust, rule.report(state, decision.stopped_because))
        if on_round is not None:
            interim = SampledFit(samples, fitted, state.trust, rule.report(state, STOP_INTERIM))
            if on_round(interim):
                return SampledFit(samples, fitted, state.trust, rule.report(state, STOP_EARLY))
        size = decision.next_size


def _first_look(
    source: NeighbourhoodSource,
    black_box: BlackBox | LabelView,
    rule: StoppingRule,
    fit: RoundFit,
    rng: np.random.Generator,
    texts: list[str],
    record: Callable[[Neighbourhood], Neighbourhood] | None,
    progress: ProgressCallback | None,
) -> tuple[SampledFit, int]:
    """The first round's first ``texts`` answered and fitted alone (a copy of ``rng``: the run draws the same),
    and the texts sent to the model for it."""
    predictions = black_box.predict(texts, progress=progress)
    calls = predictions.n_model_calls
    samples = source.neighbourhood(predictions.proba, calls, predictions.n_distinct - calls)
    if record is not None:
        samples = record(samples)
    fitted = fit(samples, copy.deepcopy(rng))
    state = RoundState(samples, fitted, TrustResults(samples, fitted), samples.n_model_calls, 1.0)
    return SampledFit(samples, fitted, state.trust, rule.report(state, STOP_INTERIM)), calls
