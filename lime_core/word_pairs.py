"""Words, or words with adjacent word pairs: chosen per text by fidelity on the samples already drawn.

A linear surrogate of single words cannot express that two words act together ("not good", "waiter ...
kind"); adjacent pairs as extra features can. Whether they help depends on the text and the model, so with
``bigrams="auto"`` the choice is made per text, after sampling, with no model calls: both feature sets are
fitted by cross-validation on the fit's *training* split (the held-out split is left untouched, so the reported
held-out fidelity stays an honest estimate), and pairs are kept when their cross-validated KL is lower (by
:data:`PAIRS_MARGIN`, none). On the sentiment stand-in, words with pairs chosen this way brought the held-out
KL of its default explanation below eli5's at 5,000 samples (docs/removal.md, benchmarks/heldout_kl.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.base import clone

from .features import FeatureSpace
from .fitting import LocalFit, fit_on_split
from .metrics import mean_kl_divergence
from .neighbourhood import Neighbourhood
from .surrogates import Matrix, Surrogate

AUTO_PAIRS = "auto"
# Folds of the training split for the choice.
FOLDS = 3
# Pairs are kept when their cross-validated KL is at most (1 - PAIRS_MARGIN) times the words'. Chosen on the
# development reviews (benchmarks/reviews.py REMOVAL_DEV, benchmarks/heldout_kl.py --pair-rules): a margin of 5 %
# for the shorter list kept words on 4 of 20 reviews with the mask token and 6 of 20 with deletion, and pairs fitted
# the common held-out set better on every one of those 10 (the folds fit on 2/3 of the training rows, which already
# costs the larger feature set more than the final fit on all of them does); with no margin, deletion's median
# common KL fell from 0.0253 to 0.0239 and the mask token's stayed 0.0157 (docs/removal.md).
PAIRS_MARGIN = 0.0
# Above this many words the choice is not made (the fits grow with the features; a long text's words are many
# and its samples few per feature): words only.
MAX_WORDS = 300


@dataclass(frozen=True)
class PairsChoice:
    """The outcome of the choice: the cross-validated KL of each feature set, and which one was kept."""

    words_kl: float
    pairs_kl: float
    pairs: bool

    @property
    def reason(self) -> str:
        kept = "words with adjacent word pairs" if self.pairs else "words only"
        return (f"{kept}: chosen for this text by cross-validated fidelity on the samples' training split (KL "
                f"{self.pairs_kl:.4f} with pairs, {self.words_kl:.4f} words only)")


def check_bigrams(value: object) -> None:
    """``bigrams`` is True, False, None (the model's default) or ``"auto"``."""
    if value is None or isinstance(value, bool) or value == AUTO_PAIRS:
        return
    raise ValueError(f"bigrams must be True, False, None or {AUTO_PAIRS!r}, not {value!r}")


def cross_validated_kl(
    X: Matrix, samples: Neighbourhood, train: np.ndarray, surrogate: Surrogate, folds: int = FOLDS
) -> float:
    """The similarity-weighted KL of ``surrogate`` on ``folds`` folds of ``train`` (row 0, the text, always fits)."""
    rows = train[train != 0]
    total, weight = 0.0, 0.0
    for f in range(folds):
        valid = rows[f::folds]
        fit_rows = np.setdiff1d(train, valid)
        fitted = clone(surrogate).fit(X[fit_rows], samples.proba[fit_rows], samples.sample_weight[fit_rows])
        w = samples.similarity[valid]
        total += mean_kl_divergence(samples.proba[valid], fitted.predict_proba(X[valid]), w) * float(w.sum())
        weight += float(w.sum())
    return total / weight if weight > 0 else float("inf")


def choose_pairs(
    samples: Neighbourhood, fit: LocalFit, surrogate: Surrogate, margin: float = PAIRS_MARGIN
) -> tuple[Neighbourhood, LocalFit, PairsChoice] | None:
    """Words or words with pairs for this fit's words-level samples; None when the choice does not apply (no
    keep-masks, features that already have pairs, no adjacent pairs, too many words, too few training rows).

    Returns the samples and fit to use: unchanged when words win, else the samples' features with pairs and a
    surrogate fitted on the same training split and scored on the same held-out split.
    """
    space = samples.features
    if samples.keep is None or not isinstance(space, FeatureSpace) or space.n_features > MAX_WORDS:
        return None
    if len(space.bigram_left) or samples.multi_label:
        return None
    pairs = FeatureSpace.build(samples.tokenized, bigrams=True)
    if pairs.n_features == space.n_features:
        return None
    train, heldout = fit.train_index, fit.heldout_index
    if len(train) < 3 * FOLDS:
        return None
    X_pairs = pairs.transform(samples.keep)
    words_kl = cross_validated_kl(samples.X, samples, train, surrogate)
    pairs_kl = cross_validated_kl(X_pairs, samples, train, surrogate)
    choice = PairsChoice(words_kl, pairs_kl, bool(pairs_kl <= (1.0 - margin) * words_kl))
    if not choice.pairs:
        return samples, fit, choice
    with_pairs = replace(samples, features=pairs, X=X_pairs)
    refit = fit_on_split(
        X_pairs, samples.proba, samples.sample_weight, surrogate, train, heldout, metric_weight=samples.similarity
    )
    return with_pairs, refit, choice
