"""Adaptive sample count (``n_samples="auto"``): draw perturbations in rounds until the explanation has settled.

After each round the surrogate is refitted on every sample so far and the
weights' covariance (:mod:`lime_core.trust.uncertainty`) says how sure the
top words are. Sampling stops when, for the predicted class, the set of the
top ``k`` words (by absolute weight; words of negligible weight are never top
words, see :func:`~lime_core.trust.stability.top_k_indices`) is the same as
after the previous round, but for near ties (:func:`same_set_up_to_ties`),
**and**

* **the top-k set has settled** (:func:`~lime_core.trust.stability.expected_set_agreement`): drawing the
  weights from their normal approximation, the set's expected Jaccard with
  the set an endless sample would give is at least ``set_agreement``. Only
  the set counts, not its order, and near ties are declared: a top word that
  a draw ranks just outside the set, within ``set_tie_share`` times
  (``rel_tol`` times the largest top weight plus ``abs_tol``) of its ``k``-th
  weight, still agrees (more samples would only reorder a near tie). A set
  whose every word is significantly ahead of every other word (a one-sided
  test at the intervals' confidence, with the pair's covariance) has settled
  without draws. Diminishing returns: a set whose expected Jaccard is already
  ``set_affordable_agreement`` and would need ``set_costly_factor`` times the
  samples so far to reach ``set_agreement`` counts as settled too
  (``STOP_COSTLY``): what is left is a near tie at the edge of the top k,
  which the verdict's stability check names;
* **the fit has settled**: the held-out KL the surrogate still loses to
  sampling noise, ``tr(B A^-1) / 2`` (Takeuchi's correction), is at most
  ``fit_rel_tol`` of its held-out KL, or ``fit_abs_tol`` nats (0.25: the
  held-out KL is then within 1 / (1 - 0.25) = 1.33 times what endless
  sampling would reach; on the post set it is 1.18 times the 5,000-sample
  run's). Takeuchi's is a large-sample approximation: with 100-200 words and
  350-700 training samples (the first rounds) it was a median 2.1 times below
  the KL the fit lost in fact on one-vs-rest labels (benchmarks/fit_noise.py),
  so the bound is looser there than it says. ``fit_measured`` also measures
  the loss, as half the gap between the held-out KL and the KL on the fit's
  own training samples, and counts the larger estimate: it holds the bound
  (per text, 1.52 -> 1.36 times the 5,000-sample run's KL at p90 on unseen
  cross-posts) but costs the topic SVM's posts calls (0.20 -> 0.33 of the
  5,000-sample run's on the zoo's 9 unseen posts), so it is not the default
  (docs/decisions/adaptive-sampling.md). On one label of a multi-label model the estimate is multiplied by
  ``(1 - r)^-label_noise_power``, ``r`` the label's parameters per training sample (:func:`label_noise_factor`):
  so corrected it matches the KL lost in fact (1.00 [0.82, 1.29] times) and the median held-out KL of 36
  development cross-posts goes from 1.30 to 1.23 times the 5,000-sample run's (docs/trust.md);

or when ``max_samples`` is reached. The next round's size is the smallest of
``set_multiples`` times the current count at which the set criterion is
expected to hold (the covariance shrinking as ``1 / n``), or what the fit
criterion needs, with ``headroom``, growing between ``min_growth`` and
``max_growth`` times per round. This follows the idea of Slack et al. (2021,
"Reliable Post hoc Explanations": estimate from the uncertainty how many more
perturbations a desired certainty needs) and Zhou et al. (2021, S-LIME: test
whether the top features are settled before stopping), applied to the
softmax surrogate. The constants (:class:`AdaptiveSettings`) were chosen on the set benchmark (its
101 posts, then 100 other posts) and checked on a third set of 100 posts that
neither saw (``benchmarks/sets.py --holdout``; docs/trust.md).

The rule as a stopping rule of the explainer's sampling loop is
:class:`lime_core.trust.stopping.SettledTopWords`. Every round reuses the samples
(and predictions) of the earlier ones; only the new perturbations are sent to
the model, duplicates and cached texts free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..defaults import TOP_K
from ..explanation import (  # the stop codes are SamplingReport's values, defined beside it; re-exported here
    STOP_CAP,
    STOP_COSTLY,
    STOP_HOPELESS,
    STOP_PRECISE,
    STOP_SEPARATED,
    STOP_UNCHANGED,
)
from .stability import expected_set_agreement, settled_count, top_k_indices

__all__ = [
    "AUTO",
    "DEFAULT_SETTINGS",
    "STOP_CAP",
    "STOP_COSTLY",
    "STOP_HOPELESS",
    "STOP_PRECISE",
    "STOP_SEPARATED",
    "STOP_UNCHANGED",
    "AdaptiveSettings",
    "RoundCheck",
    "check_round",
    "hopeless",
    "initial_samples",
    "label_noise_factor",
    "next_size",
    "same_set_up_to_ties",
]

DEFAULT_MAX_SAMPLES = 5000
DEFAULT_TOP_K = TOP_K  # the set criterion looks at the top words the explanation shows
DEFAULT_REL_TOL = 0.1
AUTO = "auto"


@dataclass(frozen=True)
class AdaptiveSettings:
    """The tuning constants of the stopping rule of ``n_samples="auto"`` (the module docstring says what each does).

    ``TextExplainer(adaptive_settings=...)`` takes one; the defaults (:data:`DEFAULT_SETTINGS`) are the rule
    chosen on the set benchmark (docs/decisions/adaptive-sampling.md), and benchmarks pass variants
    (``dataclasses.replace(DEFAULT_SETTINGS, fit_rel_tol=0.2)``).
    """

    # Ties: the absolute part of the tolerance (rel_tol x the largest top weight + abs_tol).
    abs_tol: float = 0.02
    # The first round: initial_per_feature samples per feature, at least min_initial, at most max_initial. On a
    # long text 10 samples per word would spend most of the budget before the first check, including on black
    # boxes that no word model can describe.
    min_initial: int = 200
    initial_per_feature: int = 10
    max_initial: int = 500
    # Each round grows the samples between these multiples, with this headroom over the estimated need.
    min_growth: float = 1.25
    max_growth: float = 2.0
    headroom: float = 1.1
    # The fit has settled when the KL it still loses to sampling noise is at most this share of its held-out KL
    # (or at most fit_abs_tol nats).
    fit_rel_tol: float = 0.25
    fit_abs_tol: float = 0.001
    # True: the KL lost to sampling noise is also measured, as half the gap between the held-out KL and the training
    # KL, and the larger of that and Takeuchi's estimate counts. Off by default: it costs the posts' calls target.
    fit_measured: bool = False
    # On one label of a multi-label model (a yes/no surrogate, every parameter its own), Takeuchi's estimate falls
    # short of the KL lost in fact by about (1 - r)^-2 beyond its small-sample correction, r the parameters per
    # training sample (benchmarks/fit_noise.py, 8 development cross-posts at 500-2,000 samples: the KL lost over
    # the estimate so corrected is 1.00 [0.82, 1.29], uncorrected 1.6-2.1 at the median): the estimate is multiplied
    # by (1 - r)^-label_noise_power there (label_noise_factor; 0: as it is).
    label_noise_power: float = 2.0
    # The top-k set has settled when its expected Jaccard with an endless sample's top-k set is at least this
    # (expected_set_agreement), at the current sample count and at each of set_multiples times it (which gives
    # the next round's size).
    set_agreement: float = 0.95
    # Near ties declared: set_tie_share times (rel_tol x the largest top weight + abs_tol) (0: none).
    set_tie_share: float = 0.5
    set_multiples: tuple[float, ...] = (1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
    # Diminishing returns: the set also counts as settled when its expected agreement is already at least
    # set_affordable_agreement and reaching set_agreement would take at least set_costly_factor times the samples
    # so far (inf: never). What is left is a near tie at the edge of the top k, which the verdict names.
    set_affordable_agreement: float = 0.85
    set_costly_factor: float = 3.0
    # ... but only while samples cost model calls: on a short text most new samples repeat texts already
    # answered (a review of 7 words has 128 variations), and there settling costs little. The benchmark's
    # reviews without this condition: 6 of 32 stopped for cost, at 64-149 calls; without the cost rule they took
    # 64-493 calls and 2 of them more had the reference's top 5.
    costly_min_new_share: float = 0.5
    # ... and only while at most costly_open_places of the top k places are open: the top k - costly_open_places
    # words are settled (stability.settled_count, the verdict's settled words), so that what is left is the near tie
    # at the edge that the verdict names (None: any number of open places).
    costly_open_places: int | None = None
    # ... and only when settling would take more than costly_cap_share of max_samples (0: at any cost).
    costly_cap_share: float = 0.0
    # A round's top-k set counts as the previous round's when they differ only by near ties
    # (same_set_up_to_ties), declared with change_tie_share times (rel_tol x the largest top weight + abs_tol)
    # (0: the exact set).
    change_tie_share: float = 1.0
    # Giving up early: the held-out agreement of the surrogate with the model is so far below the verdict's "do
    # not trust" threshold that more samples cannot lift it above: its upper confidence bound (z = hopeless_z) is
    # below it, with at least hopeless_min_heldout held-out samples, and it did not improve since the previous
    # round by more than hopeless_plateau (the first round needs a wider margin: hopeless_first_margin).
    hopeless_z: float = 2.58
    hopeless_min_heldout: int = 50
    hopeless_plateau: float = 0.02
    hopeless_first_margin: float = 0.05
    # While the agreement is below the "do not trust" threshold, rounds grow at most this much, so that the next
    # check comes before the budget is spent.
    hopeless_growth: float = 2.0
    # A short text: once this share of its 2^n variations has been asked about, the next round goes to the cap, whose
    # samples then cost at most the rest of them in model calls (lime_core.rounds.variation_count).
    variations_share: float = 0.9


DEFAULT_SETTINGS = AdaptiveSettings()


def initial_samples(n_features: int, max_samples: int, settings: AdaptiveSettings = DEFAULT_SETTINGS) -> int:
    """The first round's size: enough samples per feature for a first estimate of the intervals, at most
    ``settings.max_initial``."""
    per_feature = settings.initial_per_feature * (n_features + 1)
    return int(min(max_samples, settings.max_initial, max(settings.min_initial, per_feature)))


def label_noise_factor(n_parameters: int, n_train: int, settings: AdaptiveSettings = DEFAULT_SETTINGS) -> float:
    """What Takeuchi's estimate of the KL lost to noise is multiplied by on one label of a multi-label model:
    ``(1 - r)^-settings.label_noise_power``, ``r`` the parameters per training sample (at most 0.9)."""
    if settings.label_noise_power == 0.0 or n_train <= 0:
        return 1.0
    r = min(n_parameters / n_train, 0.9)
    return float((1.0 - r) ** -settings.label_noise_power)


def hopeless(
    score: float,
    n_heldout: int,
    previous_score: float | None,
    distrust_below: float,
    n_effective: float | None = None,
    settings: AdaptiveSettings = DEFAULT_SETTINGS,
) -> bool:
    """Whether the held-out agreement ``score`` is certainly below ``distrust_below`` and has stopped improving.

    ``n_effective`` is the held-out samples' effective count under their similarity weights (default ``n_heldout``).
    """
    if not math.isfinite(score) or n_heldout < settings.hopeless_min_heldout:
        return False
    n = max(1.0, float(n_effective if n_effective is not None else n_heldout))
    upper = score + settings.hopeless_z * math.sqrt(max(score * (1.0 - score), 0.25 / n) / n)
    if previous_score is None:
        return upper < distrust_below - settings.hopeless_first_margin
    return upper < distrust_below and score <= previous_score + settings.hopeless_plateau


@dataclass(frozen=True)
class RoundCheck:
    """The state of the top words after one round, and how many times more samples they seem to need."""

    top: tuple[int, ...]  # feature indices, largest absolute weight first
    unchanged: bool  # the same top-k set as after the previous round, but for near ties (same_set_up_to_ties)
    separated: bool  # every top word significantly ahead of every other word
    ranking_settled: bool  # separated, or the remaining gaps known to within the tolerance
    fit_settled: bool  # more samples would not improve the held-out KL noticeably
    max_halfwidth: float | None
    factor: float  # estimated multiple of the current sample count the criteria need (<= 1: met)
    costly: bool = False  # the set counts as settled because settling it further would cost too much

    @property
    def settled(self) -> bool:
        if self.max_halfwidth is None:
            return self.unchanged
        return self.unchanged and self.ranking_settled and self.fit_settled

    @property
    def reason(self) -> str:
        if self.max_halfwidth is None:
            return STOP_UNCHANGED
        if self.separated:
            return STOP_SEPARATED
        return STOP_COSTLY if self.costly else STOP_PRECISE


def same_set_up_to_ties(
    weights: np.ndarray, top: tuple[int, ...], previous_top: tuple[int, ...] | None, tie_tol: float
) -> bool:
    """Whether the top-k set ``top`` is the previous round's, but for declared near ties.

    A word of the previous set that is no longer in it still agrees when its absolute weight is within
    ``tie_tol`` of the current ``k``-th, as in :func:`~lime_core.trust.stability.expected_set_agreement`:
    a near tie swapping places from round to round is what more samples would do too, not a sign that the
    set is still moving (on the benchmark's post set, requiring the exact set again cost 1 to 6 more rounds on
    47 of 101 posts whose other criteria already held).
    """
    if previous_top is None:
        return False
    if set(previous_top) == set(top):
        return True
    if not top or len(previous_top) != len(top):
        return False
    kth = float(np.min(np.abs(weights[list(top)])))
    left = [j for j in previous_top if j not in top]
    return bool(all(abs(float(weights[j])) >= kth - tie_tol for j in left))


def check_round(
    weights: np.ndarray,
    std: np.ndarray | None,
    k: int,
    z: float,
    previous_top: tuple[int, ...] | None,
    cov: np.ndarray | None = None,
    excess_loss: float | None = None,
    heldout_kl: float | None = None,
    train_kl: float | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
    new_text_share: float = 1.0,
    settings: AdaptiveSettings = DEFAULT_SETTINGS,
    noise_factor: float = 1.0,
    max_samples: int | None = None,
    n_samples: int | None = None,
) -> RoundCheck:
    """Apply the stopping rule to one class's weights ``(n_features,)``, their standard errors and covariance.

    ``new_text_share`` is the share of the last round's samples that were new texts for the model: below
    ``settings.costly_min_new_share`` more samples are nearly free, and a near tie is never left for its cost.

    ``excess_loss`` (from the uncertainty) and ``heldout_kl`` (the fit's held-out KL) decide whether the fit has
    settled, with ``train_kl`` (the fit's KL on its training samples, weighted as the held-out KL is) measuring the
    loss too when ``settings.fit_measured``; without them only the top words are checked. ``excess_loss`` is
    multiplied by ``noise_factor`` (:func:`label_noise_factor` on one label of a multi-label model). ``z``,
    ``rel_tol`` and ``settings.abs_tol`` define the pair test that ``separated`` reports (and ``STOP_SEPARATED``);
    the set criterion decides.
    """
    k = max(1, min(int(k), len(weights)))
    inside = top_k_indices(weights, k)
    top = tuple(int(j) for j in inside)
    a = np.abs(weights)
    if std is None:  # no intervals: nothing says which changes are near ties
        unchanged = previous_top is not None and set(previous_top) == set(top)
        return RoundCheck(top, unchanged, False, False, False, None, 2.0)
    tolerance = rel_tol * float(a[inside].max()) + settings.abs_tol if len(inside) else 0.0
    unchanged = same_set_up_to_ties(weights, top, previous_top, settings.change_tie_share * tolerance)
    if excess_loss is not None and heldout_kl is not None and math.isfinite(heldout_kl):
        lost = excess_loss * noise_factor
        if settings.fit_measured and train_kl is not None and math.isfinite(train_kl):
            lost = max(lost, 0.5 * (heldout_kl - train_kl))
        f_fit = lost / max(settings.fit_rel_tol * heldout_kl, settings.fit_abs_tol)
    else:
        f_fit = 0.0
    if not len(inside):  # no word matters: nothing to rank
        return RoundCheck(top, unchanged, True, True, f_fit <= 1.0, 0.0, f_fit)
    outside = np.setdiff1d(np.arange(len(weights)), inside)
    half = z * std[inside]
    # Reported, not required: every (top word, other word) gap |w_i| - |w_j| significantly positive, with the
    # pair's covariance when known (collinear words such as "amazing" and "was amazing" have imprecise weights
    # but a precise difference).
    if len(outside):
        gap = a[inside][:, None] - a[outside][None, :]
        var = std[inside][:, None] ** 2 + std[outside][None, :] ** 2
        if cov is not None:
            signs = np.sign(weights)
            var = var - 2 * signs[inside][:, None] * signs[outside][None, :] * cov[np.ix_(inside, outside)]
        separated = bool((gap > z * np.sqrt(np.maximum(var, 0.0))).all())
    else:
        separated = True
    # The set criterion: the top-k set's expected agreement with an endless sample's; the smallest multiple of
    # the samples that reaches set_agreement is the factor the next round aims at.
    costly = False
    if separated:
        f_set = 0.0
    else:
        multiples = settings.set_multiples
        agreement = expected_set_agreement(weights, std, k, cov, multiples, settings.set_tie_share * tolerance)
        reached = np.flatnonzero(agreement >= settings.set_agreement)
        f_set = float(multiples[reached[0]]) if len(reached) else 2.0 * multiples[-1]
        # Diminishing returns: close to settled already, and settling would take several times the samples so far.
        costly = (
            f_set >= settings.set_costly_factor
            and float(agreement[0]) >= settings.set_affordable_agreement
            and new_text_share >= settings.costly_min_new_share
        )
        if costly and settings.costly_cap_share > 0 and max_samples is not None and n_samples is not None:
            costly = f_set * n_samples > settings.costly_cap_share * max_samples
        if costly and settings.costly_open_places is not None:
            costly = settled_count(weights, std, k) >= len(inside) - settings.costly_open_places
        if costly:
            f_set = 0.0
    return RoundCheck(
        top=top,
        unchanged=unchanged,
        separated=separated,
        ranking_settled=f_set <= 1.0,
        costly=costly,
        fit_settled=f_fit <= 1.0,
        max_halfwidth=float(half.max()),
        factor=max(f_set, f_fit),
    )


def next_size(
    n: int,
    check: RoundCheck,
    max_samples: int,
    max_growth: float = math.inf,
    settings: AdaptiveSettings = DEFAULT_SETTINGS,
) -> int:
    """The total sample count after the next round (growing at most ``max_growth`` times, and at most
    ``settings.max_growth``)."""
    most = settings.max_growth
    growth = most
    if math.isfinite(check.factor):
        growth = min(most, max(settings.min_growth, settings.headroom * check.factor))
    growth = min(growth, max_growth)
    return int(min(max_samples, math.ceil(n * growth)))
