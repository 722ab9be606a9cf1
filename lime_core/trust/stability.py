"""Do the top words survive a re-run? Bootstrap refits of the surrogate on the samples already drawn.

Re-running LIME with another seed draws other perturbed texts; a bootstrap
resample of the training samples (drawn with replacement, as many as there
were) imitates that draw without asking the model anything: every refit uses
the stored predictions, so stability costs no model calls. For the default
softmax surrogate each refit is a few Newton iterations started from the
fitted weights with the Hessian already factorised for the intervals
(:class:`~lime_core.trust.uncertainty.SoftmaxAnalysis`), about a millisecond
for a short text; any other surrogate is refitted from scratch.

The report compares the top ``k`` words (by absolute weight) of the refits:
their mean pairwise Jaccard similarity (as in Visani et al. 2022's stability
indices and Zhou et al. 2021's S-LIME, which both ask whether repeated LIME
runs select the same features), which words leave or enter the top ``k``
and which change sign.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
from sklearn.base import clone

from ..explanation import StabilityReport, WordStability
from ..surrogates import Matrix
from .uncertainty import SoftmaxAnalysis

METHOD = "bootstrap refits on the stored samples (no model calls)"
DEFAULT_REFITS = 5
# Levels of the mean pairwise top-k Jaccard similarity. With k = 5 one word swapped is a Jaccard of 4/6 = 0.67:
# "high" means that happens in fewer than about half of the pairs of refits.
HIGH_JACCARD = 0.8
MEDIUM_JACCARD = 0.6
# A weight below this share of the largest one (or below NEGLIGIBLE_WEIGHT) does not make a word a top word.
NEGLIGIBLE_SHARE = 0.05
NEGLIGIBLE_WEIGHT = 1e-4


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
    reported: object,
    analysis: SoftmaxAnalysis | None = None,
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


def stability_report(
    weights: np.ndarray,
    refits: np.ndarray,
    names: Sequence[str],
    class_name: str,
    k: int,
) -> StabilityReport:
    """Compare the top ``k`` words of ``weights`` (one class, ``(n_features,)``) with those of ``refits`` (R, n)."""
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
    level = "high" if jac >= HIGH_JACCARD else "medium" if jac >= MEDIUM_JACCARD else "low"
    top_flips = any(w.sign_flips > 0 for w, j in zip(words, involved, strict=True) if j in top)
    return StabilityReport(
        class_name=class_name,
        k=k,
        n_refits=int(n_refits),
        top_k_jaccard=jac,
        level=level,
        warning=level != "high" or top_flips,
        top_k=tuple(names[j] for j in top),
        words=tuple(words),
        method=METHOD,
    )
