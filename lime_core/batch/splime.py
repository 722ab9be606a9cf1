"""SP-LIME: pick a few explanations that together cover the words that matter (Ribeiro et al. 2016, section 4).

The explanation matrix ``W`` has one row per explanation and one column per
feature, ``W[i, j] = |weight|`` of feature ``j`` in explanation ``i`` (zero
when the feature is not among that explanation's top words). A feature's
global importance is ``I_j = sqrt(sum_i W[i, j])`` (the paper's text
version). The coverage of a set ``V`` of explanations is the total importance
of the features that appear in at least one of them,
``c(V) = sum_j 1[exists i in V: W[i, j] > 0] * I_j``, and the pick is the
paper's greedy algorithm (Algorithm 2): add the explanation with the largest
coverage gain until ``K`` are chosen. Coverage is submodular, so greedy is
within ``1 - 1/e`` of the best set.

Ties (including a zero gain once everything is covered) go to the
explanation with the larger importance-weighted total, then to the lower
index, so the pick is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Pick:
    """The chosen rows, in the order greedy picked them, with the coverage they reach."""

    rows: tuple[int, ...]
    coverage: float  # c(V) of the picked set
    total_importance: float  # sum_j I_j: the coverage of every explanation together
    gains: tuple[float, ...]  # each pick's coverage gain

    @property
    def coverage_fraction(self) -> float:
        return self.coverage / self.total_importance if self.total_importance > 0 else 0.0


def global_importance(matrix: np.ndarray | sp.spmatrix) -> np.ndarray:
    """``I_j = sqrt(sum_i |W[i, j]|)``."""
    absolute = abs(matrix)
    return np.sqrt(np.asarray(absolute.sum(axis=0)).ravel())


def submodular_pick(matrix: np.ndarray | sp.spmatrix, k: int) -> Pick:
    """Greedily pick ``k`` rows of the explanation matrix maximising coverage (fewer if there are fewer rows)."""
    if k < 0:
        raise ValueError(f"k must be 0 or more, not {k}")
    W = sp.csr_matrix(abs(sp.csr_matrix(matrix)) if sp.issparse(matrix) else np.abs(np.asarray(matrix, dtype=float)))
    n, d = W.shape
    importance = global_importance(W)
    present = (W > 0).astype(np.float64).tocsr()
    tie_break = np.asarray(W @ importance).ravel()
    covered = np.zeros(d, dtype=bool)
    available = np.ones(n, dtype=bool)
    rows: list[int] = []
    gains: list[float] = []
    for _ in range(min(k, n)):
        gain = np.asarray(present @ np.where(covered, 0.0, importance)).ravel()
        gain[~available] = -np.inf
        best_gain = gain.max()
        candidates = np.flatnonzero(np.isclose(gain, best_gain, rtol=1e-12, atol=1e-12) & available)
        best = int(candidates[np.argmax(tie_break[candidates])])  # argmax takes the lowest index on ties
        rows.append(best)
        gains.append(float(max(best_gain, 0.0)))
        available[best] = False
        covered[present[best].indices] = True
    return Pick(
        rows=tuple(rows),
        coverage=float(importance[covered].sum()),
        total_importance=float(importance.sum()),
        gains=tuple(gains),
    )
