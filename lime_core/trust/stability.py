"""Do the top words survive a re-run? Bootstrap refits of the surrogate on the samples already drawn.

Re-running LIME with another seed draws other perturbed texts; a bootstrap
resample of the training samples (drawn with replacement, as many as there
were) imitates that draw without asking the model anything: every refit uses
the stored predictions, so stability costs no model calls. For the default
softmax surrogate each refit is a few Newton iterations started from the
fitted weights with the Hessian already factorised for the intervals
(:class:`~lime_core.surrogates.softmax.SoftmaxAnalysis`), about a millisecond
for a short text; any other surrogate is refitted from scratch.

The report compares the top ``k`` words (by absolute weight) of the refits:
their mean pairwise Jaccard similarity (as in Visani et al. 2022's stability
indices and Zhou et al. 2021's S-LIME, which both ask whether repeated LIME
runs select the same features), which words leave or enter the top ``k``
and which change sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from sklearn.base import clone

# SETTLED_JACCARD and top_k_settled define StabilityReport.settled, so they live beside it.
from ..explanation import SETTLED_JACCARD as SETTLED_JACCARD  # re-exported for existing imports
from ..explanation import StabilityReport, WordStability, top_k_settled
from ..surrogates import Matrix
from ..surrogates.softmax import Analysis

METHOD = "bootstrap refits on the stored samples (no model calls)"
DEFAULT_REFITS = 5
# Levels of the mean pairwise top-k Jaccard similarity. With k = 5 one word swapped is a Jaccard of 4/6 = 0.67:
# "high" means that happens in fewer than about half of the pairs of refits.
HIGH_JACCARD = 0.8
MEDIUM_JACCARD = 0.6
# A weight below this share of the largest one (or below NEGLIGIBLE_WEIGHT) does not make a word a top word.
NEGLIGIBLE_SHARE = 0.05
NEGLIGIBLE_WEIGHT = 1e-4
# expected_set_agreement: SET_DRAWS fixed-seed draws of the weights over the SET_CANDIDATES likeliest words.
SET_DRAWS = 256
SET_CANDIDATES = 100
SET_SEED = 0


def bootstrap_counts(n_rows: int, n_draws: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_draws, n_rows)``: how many times each row is drawn in each bootstrap resample of the rows.

    Row 0, the original text, is not resampled: it is in every resample once, as in every LIME run.
    """
    counts = np.zeros((n_draws, n_rows))
    counts[:, 0] = 1.0
    if n_rows > 1:
        picks = rng.integers(1, n_rows, size=(n_draws, n_rows - 1))
        for r in range(n_draws):
            counts[r, 1:] = np.bincount(picks[r], minlength=n_rows)[1:]
    return counts


def bootstrap_refits(
    X: Matrix,
    y_proba: np.ndarray,
    sample_weight: np.ndarray,
    surrogate: object,
    n_refits: int,
    rng: np.random.Generator,
    reported: Callable[[Any], np.ndarray],
    analysis: Analysis | None = None,
) -> np.ndarray:
    """Reported weights ``(n_refits, n_classes, n_features)`` of the surrogate refitted on bootstrap resamples.

    ``X``, ``y_proba`` and ``sample_weight`` are the training rows (row 0 the original text, always kept);
    ``reported(surrogate)`` maps a fitted surrogate to its reported ``(n_classes, n_features)`` weights.
    """
    counts = bootstrap_counts(X.shape[0], n_refits, rng)
    weights = np.asarray(sample_weight, dtype=np.float64)[None, :] * counts
    fast = analysis.refit_reported(weights) if analysis is not None and n_refits else [None] * n_refits
    out = []
    for r, coefs in enumerate(fast):
        if coefs is None:  # no fast refit for this surrogate, or it did not converge: refit from scratch
            rows = np.flatnonzero(counts[r] > 0)
            coefs = reported(clone(surrogate).fit(X[rows], y_proba[rows], weights[r, rows]))
        out.append(coefs)
    if not out:
        return np.zeros((0, *np.shape(reported(surrogate))))
    return np.asarray(out)


def top_k_indices(weights: np.ndarray, k: int) -> np.ndarray:
    """The top words: indices of the ``k`` largest absolute weights, largest first (ties: lower index first).

    Words whose weight is negligible (below ``NEGLIGIBLE_SHARE`` of the largest absolute weight, or below
    ``NEGLIGIBLE_WEIGHT``) are never top words, so a text with three words that matter has three top words:
    which of the many near-zero words comes fourth is noise, not instability.
    """
    a = np.abs(np.asarray(weights, dtype=np.float64))
    if a.size == 0:
        return np.zeros(0, dtype=np.intp)
    floor = max(NEGLIGIBLE_SHARE * float(a.max()), NEGLIGIBLE_WEIGHT)
    order = np.argsort(-a, kind="stable")[:k]
    return order[a[order] >= floor]


def jaccard(a: set, b: set) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 1.0


def expected_set_agreement(
    weights: np.ndarray,
    std: np.ndarray,
    k: int,
    cov: np.ndarray | None = None,
    multiples: tuple[float, ...] = (1.0,),
    tie_tol: float = 0.0,
) -> np.ndarray:
    """Expected top-``k`` Jaccard between these weights and the weights of an endless sample, for each multiple of
    the current sample count.

    The estimated weights are taken as normal around the true ones with covariance ``cov`` (default
    ``diag(std ** 2)``), shrinking as ``1 / n``: at ``m`` times the samples the true weights lie about the
    current ones with covariance ``cov / m``. ``SET_DRAWS`` fixed-seed draws (so the rule is deterministic)
    give the expected Jaccard of the top-``k`` set (words of negligible weight excluded, as in
    :func:`top_k_indices`) with the current one; only the ``SET_CANDIDATES`` words
    with the largest ``|w| + 3 std`` can enter the set. The order inside the set does not count. With
    ``tie_tol`` > 0 near ties are declared: a current top word that a draw puts outside its top ``k`` but
    within ``tie_tol`` of its ``k``-th weight still counts as agreeing.
    """
    a = np.abs(weights)
    current = top_k_indices(weights, k)
    if not len(current):
        return np.ones(len(multiples))
    bound = a + 3.0 * std
    candidates = np.union1d(np.argsort(-bound, kind="stable")[:SET_CANDIDATES], current)
    c_cov = np.diag(std[candidates] ** 2) if cov is None else cov[np.ix_(candidates, candidates)]
    values, vectors = np.linalg.eigh((c_cov + c_cov.T) / 2)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    noise = np.random.default_rng(SET_SEED).standard_normal((SET_DRAWS, len(candidates))) @ root.T
    in_current = np.isin(candidates, current)
    out = []
    for m in multiples:
        drawn = weights[candidates] + noise / math.sqrt(m)
        d = np.abs(drawn)
        floor = np.maximum(NEGLIGIBLE_SHARE * d.max(axis=1), NEGLIGIBLE_WEIGHT)
        kth = -np.sort(-d, axis=1)[:, min(k, d.shape[1]) - 1]
        # Ties at the k-th place are measure-zero with continuous draws.
        member = (d >= kth[:, None] - tie_tol) & (d >= floor[:, None])
        inter = (member & in_current).sum(axis=1)
        union = np.maximum(np.minimum(member.sum(axis=1), k), 1) + in_current.sum() - inter
        out.append(float(np.mean(inter / np.maximum(union, inter))))
    return np.asarray(out)


# settled_count: the top m words are "settled" when, drawing the weights of an endless sample from the intervals,
# at least this share of the draws has exactly these m words as its top m. Chosen on development texts of every
# shape of the benchmark's zoo (benchmarks/verdict.py --split train; docs/trust.md).
SETTLED_PROBABILITY = 0.9


def settled_count(weights: np.ndarray, std: np.ndarray, k: int, probability: float | None = None) -> int:
    """How many of the top ``k`` words are settled: the largest ``m`` such that an endless sample's top ``m`` words
    are these ``m`` (as a set, order inside it free) in at least ``probability`` (default
    :data:`SETTLED_PROBABILITY`) of the draws.

    The true weights are taken as normal around the estimated ones with standard deviations ``std`` (independent),
    drawn ``SET_DRAWS`` times with a fixed seed, so the rule is deterministic; only the ``SET_CANDIDATES`` words
    with the largest ``|w| + 3 std`` can overtake. A near tie at the edge of the top ``k`` therefore leaves the
    words before it settled: four settled words and two tied for fifth, rather than five unsettled ones.
    """
    probability = SETTLED_PROBABILITY if probability is None else probability
    weights = np.asarray(weights, dtype=np.float64)
    std = np.asarray(std, dtype=np.float64)
    current = top_k_indices(weights, k)
    if not len(current):
        return 0
    if not (np.all(np.isfinite(weights)) and np.all(np.isfinite(std))):
        return 0  # weights or errors out of range (e.g. a separable fit): nothing can be said to be settled
    with np.errstate(over="ignore", invalid="ignore"):  # huge but finite values: their draws are still ordered
        bound = np.abs(weights) + 3.0 * std
        candidates = np.union1d(np.argsort(-bound, kind="stable")[:SET_CANDIDATES], current)
        noise = np.random.default_rng(SET_SEED).standard_normal((SET_DRAWS, len(candidates))) * std[candidates]
        drawn = np.abs(weights[candidates] + noise)
    rank = np.argsort(np.argsort(-drawn, axis=1, kind="stable"), axis=1)  # each candidate's place in each draw
    where = np.searchsorted(candidates, current)  # the current top words' columns, largest first
    for m in range(len(current), 0, -1):
        if float(np.mean(np.all(rank[:, where[:m]] < m, axis=1))) >= probability:
            return m
    return 0


def near_tie_at_edge(report: StabilityReport) -> bool:
    """The refits agree on the top k, but the intervals expect a run with unlimited samples to swap the last of them."""
    return report.top_k_jaccard >= HIGH_JACCARD and not report.settled


def refits_agree(weights: np.ndarray, refits: np.ndarray, top: Sequence[int]) -> int:
    """The largest ``m`` such that every refit's top ``m`` words are ``top[:m]`` (as a set) with the same signs.

    Checked refit by refit: words that enter the top ``k`` in different refits compete for the same places, so how
    many distinct words enter over all refits says nothing of how many places move.
    """
    signs = np.sign(weights)
    for m in range(len(top), 0, -1):
        head = list(top[:m])
        if all(
            set(top_k_indices(r, m).tolist()) == set(head) and bool(np.all(np.sign(r[head]) == signs[head]))
            for r in refits
        ):
            return m
    return 0


def stability_report(
    weights: np.ndarray,
    refits: np.ndarray,
    names: Sequence[str],
    class_name: str,
    k: int,
    expected_jaccard: float | None = None,
) -> StabilityReport:
    """Compare the top ``k`` words of ``weights`` (one class, ``(n_features,)``) with those of ``refits`` (R, n).

    ``expected_jaccard`` is :func:`expected_set_agreement` of the weights (None without intervals); below
    ``SETTLED_JACCARD`` it keeps the level from "high".
    """
    k = max(1, min(int(k), len(weights)))
    n_refits = refits.shape[0]
    reported_order = np.argsort(-np.abs(weights), kind="stable")
    rank = np.empty(len(weights), dtype=int)
    rank[reported_order] = np.arange(1, len(weights) + 1)
    top = [int(j) for j in top_k_indices(weights, k)]
    refit_tops = [set(top_k_indices(r, k).tolist()) for r in refits]
    if n_refits >= 2:
        jac = float(np.mean([jaccard(a, b) for a, b in combinations(refit_tops, 2)]))
    elif n_refits == 1:
        jac = jaccard(set(top), refit_tops[0])
    else:
        jac = 1.0
    involved = sorted(set(top).union(*refit_tops), key=lambda j: rank[j])
    words = []
    for j in involved:
        in_top = float(np.mean([j in t for t in refit_tops])) if n_refits else 1.0
        sign = np.sign(weights[j])
        flips = float(np.mean(np.sign(refits[:, j]) != sign)) if n_refits and sign != 0 else 0.0
        words.append(WordStability(feature=names[j], in_top_k=in_top, sign_flips=flips, reported_rank=int(rank[j])))
    level = (
        "high"
        if jac >= HIGH_JACCARD and top_k_settled(expected_jaccard)
        else "medium"
        if jac >= MEDIUM_JACCARD
        else "low"
    )
    top_flips = any(w.sign_flips > 0 for w, j in zip(words, involved, strict=True) if j in top)
    return StabilityReport(
        refits_agree=refits_agree(weights, refits, top),
        class_name=class_name,
        k=k,
        n_refits=int(n_refits),
        top_k_jaccard=jac,
        level=level,
        warning=level != "high" or top_flips,
        top_k=tuple(names[j] for j in top),
        words=tuple(words),
        method=METHOD,
        expected_jaccard=None if expected_jaccard is None else float(expected_jaccard),
    )
