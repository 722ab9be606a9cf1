"""What one fit produced, as plain data: the perturbed samples and the model's answers, and the fit on them.

:class:`Neighbourhood` is what LIME looked at (keep-masks, features, the black
box's probabilities, similarities, sample weights, call counts);
:class:`FitResult` adds the fitted surrogate, how sampling went, the settings
and the trust options, and keeps the trust computations of that fit
(:class:`~lime_core.trust.results.TrustResults`). Neither holds the model, so
either may be kept after the request that asked the model (a dashboard's
session, a remote model's token: nothing of it is reachable from here).
:func:`lime_core.explainer.explain_fit` turns a :class:`FitResult` into an
:class:`~lime_core.explanation.Explanation` for any class with no model calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from .explanation import ExplainerSettings, SamplingReport
from .fitting import LocalFit
from .tokenization import TokenizedText
from .trust.results import TrustOptions, TrustResults


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """The samples of one fit and the black box's answers about them (row 0 is the explained text itself).

    ``keep`` ``(n_samples, n_tokens)`` marks the tokens each sample kept (None when a user's eli5 sampler or
    ``vec=`` made the samples; ``texts`` then holds them). ``X`` are the samples' features (a
    :class:`~lime_core.features.FeatureSpace`'s, or a user vectorizer's), ``proba`` the black box's
    probabilities, ``similarity`` the cosine similarity to the text (the fidelity metrics' weights) and
    ``sample_weight`` the kernel's weights (the fit's). ``n_model_calls`` counts the texts sent to the model,
    ``n_answers_reused`` the answers the prediction cache gave instead.
    """

    tokenized: TokenizedText
    features: Any  # FeatureSpace, or compat.eli5_samples.VectorizedFeatures
    X: sp.csr_matrix
    proba: np.ndarray
    sample_weight: np.ndarray
    similarity: np.ndarray
    keep: np.ndarray | None = None
    texts: tuple[str, ...] | None = None
    mask_token: str | None = None
    n_model_calls: int = 0
    n_answers_reused: int = 0

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def predicted(self) -> int:
        """The black box's most probable class for the text itself."""
        return int(np.argmax(self.proba[0]))

    def sample_texts(self) -> list[str]:
        """The perturbed texts (eli5's ``samples_``)."""
        if self.texts is not None:
            return list(self.texts)
        return self.tokenized.rebuild(self.keep, replacement=self.mask_token or "")


@dataclass(frozen=True, eq=False)
class FitResult:
    """One fit, complete as data: its neighbourhood, the fitted surrogate, and what the explanation needs.

    ``local_fit`` holds the surrogate and its train / held-out rows; ``trust_seed`` seeds the trust
    computations (bootstrap refits, faithfulness baselines), which ``trust`` computes on first use and keeps.
    """

    neighbourhood: Neighbourhood
    local_fit: LocalFit
    class_names: tuple[str, ...]
    model_name: str
    settings: ExplainerSettings
    sampling: SamplingReport
    options: TrustOptions
    trust_seed: int
    trust: TrustResults = field(repr=False)

    @property
    def predicted_class(self) -> str:
        return self.class_names[self.neighbourhood.predicted]
