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

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from .explanation import STOP_INTERIM, ExplainerSettings, SamplingReport
from .fitting import LocalFit
from .predictor import BlackBox, binary_view
from .tokenization import TokenizedText
from .trust.results import TrustOptions, TrustResults

LABEL_CLASS = 1
"""A multi-label model's samples seen for one label have the classes ``("not X", "X")``: the label is class 1."""


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """The samples of one fit and the black box's answers about them (row 0 is the explained text itself).

    ``keep`` ``(n_samples, n_tokens)`` marks the tokens each sample kept (None when a user's eli5 sampler or
    ``vec=`` made the samples; ``texts`` then holds them). ``X`` are the samples' features (a
    :class:`~lime_core.features.FeatureSpace`'s, or a user vectorizer's), ``proba`` the black box's
    probabilities, ``similarity`` the cosine similarity to the text (the fidelity metrics' weights) and
    ``sample_weight`` the kernel's weights (the fit's). ``n_model_calls`` counts the texts sent to the model,
    ``n_answers_reused`` the answers the prediction cache gave instead.

    A multi-label model's answers are kept whole in ``label_scores`` ``(n_samples, n_labels)``; ``proba`` is
    then one label's view, ``(1 - p, p)`` for label ``label_index`` (:meth:`for_label` gives another label's,
    from the same samples).
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
    removal: Any = None  # the lime_core.removal.Removal that made the texts (None: mask_token or deletion)
    n_model_calls: int = 0
    n_answers_reused: int = 0
    label_scores: np.ndarray | None = None
    label_index: int | None = None

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])

    @property
    def multi_label(self) -> bool:
        return self.label_scores is not None

    def for_label(self, label: int) -> Neighbourhood:
        """The same samples seen as one label's yes/no question (a multi-label model's answers only)."""
        if self.label_scores is None:
            raise ValueError("these samples are a single-label model's; they have no per-label view")
        return replace(self, proba=binary_view(self.label_scores, label), label_index=int(label))

    @property
    def predicted(self) -> int:
        """The black box's most probable class for the text itself."""
        return int(np.argmax(self.proba[0]))

    @property
    def explained_class(self) -> int:
        """The class that trust reports and second opinions are about unless asked otherwise: the predicted one; for
        one label of a multi-label model (classes ``("not X", "X")``), the label itself, whatever its probability."""
        return LABEL_CLASS if self.multi_label else self.predicted

    @property
    def label(self) -> int:
        """The label a multi-label model's samples are viewed as (``label_index``); single-label samples have none."""
        if self.label_index is None:
            raise ValueError("these samples are a single-label model's; they have no label")
        return int(self.label_index)

    def asked(self, black_box: Any) -> Any:
        """``black_box`` as these samples' classes see it: one label's yes/no view for a multi-label model's."""
        if self.multi_label and isinstance(black_box, BlackBox):
            return black_box.label_view(self.label)
        return black_box

    def sample_texts(self) -> list[str]:
        """The perturbed texts (eli5's ``samples_``)."""
        if self.texts is not None:
            return list(self.texts)
        assert self.keep is not None, "a neighbourhood holds its keep-masks or its texts"
        return self.rebuild(self.keep)

    def rebuild(self, keep: np.ndarray) -> list[str]:
        """The texts of keep-masks, with this neighbourhood's removal operator."""
        if self.removal is not None:
            return self.removal.texts(self.tokenized, keep)
        return self.tokenized.rebuild(keep, replacement=self.mask_token or "")


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
    # A multi-label model's labels, all of them (``class_names`` is then the explained label's "not X", "X").
    labels: tuple[str, ...] = ()

    @property
    def predicted_class(self) -> str:
        return self.class_names[self.neighbourhood.predicted]

    @property
    def preliminary(self) -> bool:
        """A round's fit while sampling was still going on (``fit(on_round=...)``), not a finished result."""
        return self.sampling.stopped_because == STOP_INTERIM

    @property
    def label(self) -> str | None:
        """The explained label of a multi-label model (None for a single-label one)."""
        index = self.neighbourhood.label_index
        return self.labels[index] if self.labels and index is not None else None
