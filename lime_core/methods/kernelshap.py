"""KernelSHAP from an explanation's own samples: Shapley values of each word, at most a few dozen extra model calls.

Lundberg and Lee (2017) showed that the Shapley values of a model's
predictions are the coefficients of a weighted linear regression over
coalitions (subsets of the words), with the *Shapley kernel* as weights and
two constraints: the prediction with no words is the base value, and the
values add up to the prediction with every word minus it. LIME samples
coalitions too, so its samples can be re-used, re-weighted (docs/methods.md):

1. **Coalitions.** The samples that keep or remove every word whole are word
   subsets (:mod:`lime_core.methods.coalitions`); each distinct subset counts
   once, whatever how often it was drawn.
2. **Re-weighting by size.** The Shapley kernel gives all subsets of ``s`` of
   ``M`` words the same weight, and the subsets of size ``s`` together
   ``(M - 1) / (s (M - s))``. That total is shared equally among the distinct
   subsets of that size that the samples hold. This is exact when every
   subset of a size is there, and otherwise assumes that the subsets present
   are a fair (uniform) draw among those of their size: true of every sampler
   here when each word occurs once, and of the bag-of-words sampler always; an
   approximation for position masking of repeated words. A size without any
   subset gives its weight to the nearest size that has some.
3. **Completing the heaviest sizes.** The sizes with the most weight (one word
   kept, one word left out, then two, ...) are completed with extra model
   calls while they fit within ``max_extra_calls`` (answers in the cache, e.g.
   occlusion's leave-one-out texts, are free), plus the text with no words.
   What is left of the budget goes to the heavier of sizes 1 and ``M - 1`` if
   incomplete, as subsets drawn at random among its missing ones (a uniform
   draw added to a uniform draw is still one, so step 2's assumption holds).
4. **The constrained fit.** One word's value is eliminated by the additivity
   constraint, the rest is weighted least squares, so the values add up to
   ``p(text) - p(no words)`` exactly (to rounding).
5. **Intervals.** The values are a linear function of the sampled answers;
   their standard errors are the regression's sandwich (linearisation)
   variance with a finite-population correction per size (stratified
   sampling without replacement; Cochran 1977): zero for a size whose subsets are
   all there, so on short texts with many samples the values are exact and
   their intervals collapse.

With every subset present the fit returns the exact Shapley values (the
theorem above); the tests check it against values enumerated over every subset.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.stats import norm

from ..defaults import CONFIDENCE
from ..errors import LimeCoreError
from ..wording import METHOD_LABELS, SHAP_NOTE_MISSING_SIZES, SHAP_NOTE_ROUGH
from .base import WordAttribution, require_keep
from .coalitions import CoalitionAnswers, Coalitions, word_coalitions
from .data import KERNELSHAP

if TYPE_CHECKING:
    from ..neighbourhood import Neighbourhood
    from ..predictor import BlackBox, LabelView

DEFAULT_MAX_EXTRA_CALLS = 32
# A size is completed only when it has at most this many subsets in all (enumerating more is not worth it).
MAX_ENUMERATED_SIZE = 5_000
# Above this many distinct words the regression (words x words) is refused: the samples cannot identify it.
MAX_WORDS = 1_000


class ShapleyKernel:
    """The Shapley kernel by coalition size: ``size_weights(M)[s]`` is the total weight of the subsets of size ``s``.

    ``(M - 1) / (s (M - s))`` for ``0 < s < M``; sizes ``0`` and ``M`` are the constraints, weight 0 here.
    A variant is another class with the same method (any non-negative weights by size).
    """

    def size_weights(self, n_words: int) -> np.ndarray:
        s = np.arange(n_words + 1, dtype=np.float64)
        inner = (s > 0) & (s < n_words)
        w = np.zeros(n_words + 1)
        w[inner] = (n_words - 1) / (s[inner] * (n_words - s[inner]))
        return w

    def __repr__(self) -> str:
        return "ShapleyKernel()"


class KernelShap:
    """Shapley values of each word on the probability scale, re-using the explanation's samples.

    ``kernel``: the weight of each coalition size (:class:`ShapleyKernel`; ``size_weights(M) -> (M + 1,)``).
    ``max_extra_calls``: at most this many texts sent beyond the explanation's, to complete the heaviest
    coalition sizes (the text with no words is always asked, one call at most). ``confidence``: the
    intervals' nominal coverage. ``random_state``: seeds the draw of extra subsets of a size that cannot be
    completed (the same seed, the same values).
    """

    name = KERNELSHAP
    scale = "probability"

    def __init__(
        self,
        kernel: ShapleyKernel | None = None,
        max_extra_calls: int = DEFAULT_MAX_EXTRA_CALLS,
        confidence: float = CONFIDENCE,
        random_state: int = 0,
    ) -> None:
        self.kernel = kernel
        self.max_extra_calls = max_extra_calls
        self.confidence = confidence
        self.random_state = random_state

    def attribute(self, samples: Neighbourhood, black_box: BlackBox | LabelView, class_index: int) -> WordAttribution:
        """Shapley values of ``class_index``'s probability for each word; they add up to p(text) - p(no words)."""
        keep = require_keep(samples, METHOD_LABELS[self.name])
        groups = samples.features.groups
        n_words = groups.n_words
        if n_words > MAX_WORDS:
            raise LimeCoreError(
                f"{METHOD_LABELS[self.name]} from the explanation's samples handles at most {MAX_WORDS:,} distinct "
                f"words; this text has {n_words:,}"
            )
        wot = groups.word_of_token
        oracle = CoalitionAnswers(samples.tokenized, wot, black_box, class_index, samples.mask_token)
        prediction = float(samples.proba[0, class_index])
        coalitions = word_coalitions(keep, wot, n_words, samples.proba[:, class_index])
        calls = 0

        empty = np.zeros((1, n_words), dtype=bool)
        found = np.flatnonzero(coalitions.sizes == 0)
        if len(found):
            base_value = float(coalitions.value[found[0]])
        else:
            answer, sent = oracle.ask(empty)
            base_value, calls = float(answer.value[0]), calls + sent
        if n_words == 1:
            one = np.array([prediction - base_value])
            return WordAttribution(one, np.zeros(1), (one, one), base_value, prediction, calls, 1)

        kernel = self.kernel if self.kernel is not None else ShapleyKernel()
        size_weight = kernel.size_weights(n_words)
        budget = max(0, int(self.max_extra_calls) - calls)
        coalitions, sent = _complete_sizes(coalitions, size_weight, budget, oracle)
        rng = np.random.default_rng([int(self.random_state), class_index])
        coalitions, more = _extend_heaviest(coalitions, size_weight, budget - sent, oracle, rng)
        sent += more
        calls += sent
        values, std, note = shapley_regression(coalitions, base_value, prediction, size_weight)
        z = norm.ppf(0.5 + float(self.confidence) / 2)
        inner = int(np.sum((coalitions.sizes > 0) & (coalitions.sizes < n_words)))
        return WordAttribution(
            values=values,
            std=std,
            interval=(values - z * std, values + z * std),
            base_value=base_value,
            prediction=prediction,
            n_model_calls=calls,
            n_coalitions=inner,
            note=note,
        )

    def __repr__(self) -> str:
        return (
            f"KernelShap(kernel={self.kernel!r}, max_extra_calls={self.max_extra_calls}, confidence={self.confidence})"
        )


def _complete_sizes(
    coalitions: Coalitions, size_weight: np.ndarray, budget: int, oracle: CoalitionAnswers
) -> tuple[Coalitions, int]:
    """Add every missing subset of the heaviest sizes whose new texts fit in ``budget`` model calls."""
    n_words = coalitions.kept.shape[1]
    sent = 0
    for s in sorted(range(1, n_words), key=lambda s: (-size_weight[s], s)):
        total = math.comb(n_words, s)
        have = int(np.sum(coalitions.sizes == s))
        if have >= total or total > MAX_ENUMERATED_SIZE:
            continue
        seen = {row.tobytes() for row in coalitions.kept[coalitions.sizes == s]}
        missing = []
        for kept_words in itertools.combinations(range(n_words), s):
            row = np.zeros(n_words, dtype=bool)
            row[list(kept_words)] = True
            if row.tobytes() not in seen:
                missing.append(row)
        kept = np.vstack(missing)
        if oracle.cost(kept) > budget - sent:
            continue
        answers, calls = oracle.ask(kept)
        coalitions, sent = coalitions.merged(answers), sent + calls
    return coalitions, sent


def _extend_heaviest(
    coalitions: Coalitions, size_weight: np.ndarray, budget: int, oracle: CoalitionAnswers, rng: np.random.Generator
) -> tuple[Coalitions, int]:
    """Spend what is left of ``budget`` on random missing subsets of size 1 or ``M - 1`` (the heaviest sizes:
    one word kept, one left out, so their subsets are listed without enumerating a size)."""
    n_words = coalitions.kept.shape[1]
    if budget <= 0 or n_words < 3:
        return coalitions, 0
    sizes = coalitions.sizes
    for s in sorted((1, n_words - 1), key=lambda s: (-size_weight[s], s)):
        have = {row.tobytes() for row in coalitions.kept[sizes == s]}
        if len(have) >= n_words:
            continue
        candidates = np.eye(n_words, dtype=bool) if s == 1 else ~np.eye(n_words, dtype=bool)
        missing = [row for row in candidates if row.tobytes() not in have]
        picked = np.vstack([missing[i] for i in rng.permutation(len(missing))])
        if oracle.cost(picked) > budget:
            # The first of the drawn order that the budget pays for (cached ones are free): a uniform draw still.
            take, spent = [], 0
            for row in picked:
                cost = oracle.cost(row[None, :])
                if spent + cost > budget:
                    break
                take.append(row)
                spent += cost
            picked = np.vstack(take) if take else picked[:0]
        if len(picked) == 0:
            return coalitions, 0
        answers, calls = oracle.ask(picked)
        return coalitions.merged(answers), calls
    return coalitions, 0


def stratum_totals(sizes_present: np.ndarray, size_weight: np.ndarray) -> np.ndarray:
    """Each size's total weight, with the weight of a size that has no subset moved to the nearest that has one
    (split between two equally near)."""
    n_words = len(size_weight) - 1
    totals = np.zeros(n_words + 1)
    present = np.flatnonzero(sizes_present)
    for s in range(1, n_words):
        gap = np.abs(present - s)
        nearest = present[gap == gap.min()]
        totals[nearest] += size_weight[s] / len(nearest)
    return totals


def shapley_regression(
    coalitions: Coalitions, base_value: float, prediction: float, size_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, str | None]:
    """The constrained weighted least squares of KernelSHAP: (values, standard errors, note)."""
    n_words = coalitions.kept.shape[1]
    sizes = coalitions.sizes
    inner = (sizes > 0) & (sizes < n_words)
    Z = coalitions.kept[inner].astype(np.float64)
    y = coalitions.value[inner]
    s = sizes[inner]
    delta = prediction - base_value
    if Z.shape[0] == 0:
        even = np.full(n_words, delta / n_words)
        return even, np.full(n_words, np.nan), SHAP_NOTE_ROUGH
    n_s = np.bincount(s, minlength=n_words + 1)
    totals = stratum_totals(n_s[: n_words + 1] > 0, size_weight)
    w = totals[s] / n_s[s]
    population = np.array([math.comb(n_words, int(k)) for k in range(n_words + 1)], dtype=np.float64)
    missing_sizes = int(np.sum(n_s[1:n_words] == 0))
    # Without-replacement design per size; a size that also stands for missing sizes keeps no correction.
    fpc = np.where(totals[s] > size_weight[s] + 1e-12, 1.0, 1.0 - n_s[s] / population[s])
    fpc = np.clip(fpc, 0.0, 1.0) * np.where(n_s[s] > 1, n_s[s] / np.maximum(n_s[s] - 1, 1), 1.0)

    # Eliminate the last word by the constraint sum(values) = delta.
    t = y - base_value - Z[:, -1] * delta
    X = Z[:, :-1] - Z[:, -1:]
    Xw = X * w[:, None]
    gram = Xw.T @ X
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    usable = eigenvalues > max(eigenvalues.max(), 0.0) * gram.shape[0] * np.finfo(np.float64).eps
    rank = int(usable.sum())
    gram_inv = (eigenvectors[:, usable] / eigenvalues[usable]) @ eigenvectors[:, usable].T  # pseudo-inverse
    A = gram_inv @ Xw.T  # values[:-1] = A @ t
    beta = A @ t
    values = np.append(beta, delta - beta.sum())
    residual = t - X @ beta
    B = A * np.sqrt(residual**2 * fpc)[None, :]
    var = np.append(np.sum(B**2, axis=1), np.sum(B.sum(axis=0) ** 2))
    note = None
    if rank < n_words - 1:
        note = SHAP_NOTE_ROUGH
    elif missing_sizes:
        note = SHAP_NOTE_MISSING_SIZES.format(missing=missing_sizes, sizes=n_words - 1)
    return values, np.sqrt(var), note
