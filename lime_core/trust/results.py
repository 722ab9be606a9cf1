"""The trust computations of one local fit, kept with the fit: intervals, bootstrap refits, faithfulness per class.

:class:`TrustResults` computes each on first use and keeps it, so explaining
another class of the same fit costs no refit and no model call. It holds the
fit and its samples, never the model: a faithfulness check is given the black
box it may ask. :func:`trust_class` is the one rule for which class the
stability and faithfulness reports are about.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from ..defaults import CONFIDENCE, TOP_K
from ..errors import LimeCoreError
from ..surrogates import Matrix, curvature, has_curvature, reported_weights, surrogate_uncertainty, weights_kind
from ..surrogates.softmax import Analysis
from .faithfulness import faithfulness_report
from .stability import DEFAULT_REFITS, bootstrap_refits, expected_set_agreement, stability_report
from .uncertainty import WeightUncertainty, single_threaded_blas

if TYPE_CHECKING:
    from ..explanation import FaithfulnessReport, StabilityReport
    from ..fitting import LocalFit
    from ..methods.base import AttributionMethod
    from ..methods.data import MethodsReport
    from ..neighbourhood import Neighbourhood
    from ..predictor import BlackBox, LabelView

T = TypeVar("T", bound=Hashable)


def trust_class(predicted: T, targets: Sequence[T]) -> T | None:
    """The class the trust reports are about: the predicted class when it is explained, else the first target."""
    if predicted in targets:
        return predicted
    return targets[0] if len(targets) else None


@dataclass(frozen=True)
class TrustOptions:
    """Which trust computations an explanation carries (:class:`~lime_core.explainer.TextExplainer`'s params)."""

    top_k: int = TOP_K
    uncertainty: bool = True
    confidence: float = CONFIDENCE
    stability_refits: int = DEFAULT_REFITS
    faithfulness: bool = False
    methods: tuple[str, ...] = ()  # other methods beside LIME (lime_core.methods), e.g. ("occlusion", "kernelshap")


class TrustResults:
    """What the trust computations found for one local fit (computed on demand, then kept).

    ``neighbourhood`` is the fit's samples; every computation uses the fit's training rows, as the fit did.
    """

    def __init__(self, neighbourhood: Neighbourhood, fit: LocalFit) -> None:
        self.neighbourhood = neighbourhood
        self.fit = fit
        self._reported: tuple[np.ndarray, np.ndarray] | None = None
        self._values: np.ndarray | None = None
        self._analysis: Analysis | None = None
        self._analysed = False
        self._uncertainty: WeightUncertainty | None = None
        self._uncertainty_done = False
        self._refits: np.ndarray | None = None
        self._faithfulness: dict[int, FaithfulnessReport] = {}
        self._methods: dict[tuple[int, tuple[str, ...]], MethodsReport] = {}

    @property
    def linear(self) -> bool:
        return weights_kind(self.fit.surrogate) == "linear"

    def _training_rows(self) -> tuple[Matrix, np.ndarray, np.ndarray]:
        nb, rows = self.neighbourhood, self.fit.train_index
        return nb.X[rows], nb.proba[rows], nb.sample_weight[rows]

    def reported(self) -> tuple[np.ndarray, np.ndarray]:
        """The fit's weights and bias as explanations report them for the explained text."""
        if self._reported is None:
            self._reported = reported_weights(self.fit.surrogate, self.neighbourhood.X[0])
        return self._reported

    def feature_values(self) -> np.ndarray:
        """What each reported weight counts for in the explained text: a linear weight once per occurrence of its
        feature; a tree's path contributions already are per text, so each counts once."""
        if self._values is None:
            x0 = self.neighbourhood.X[0]
            self._values = np.asarray(x0.todense()).ravel() if self.linear else np.ones(x0.shape[1])
        return self._values

    def analysis(self) -> Analysis | None:
        """The surrogate's ``curvature`` on its training rows (None when it declares none)."""
        if not self._analysed:
            self._analysed = True
            self._analysis = curvature(self.fit.surrogate, *self._training_rows())
        return self._analysis

    def uncertainty(self, confidence: float = CONFIDENCE) -> WeightUncertainty | None:
        """Standard errors of the reported weights (no model calls; None for a tree or an undeclared surrogate)."""
        if not self._uncertainty_done:
            self._uncertainty_done = True
            surrogate = self.fit.surrogate
            if has_curvature(surrogate):
                analysis = self.analysis()
                if analysis is not None:
                    with single_threaded_blas():
                        self._uncertainty = analysis.uncertainty(float(confidence), self.neighbourhood.predicted)
            elif self.linear:
                self._uncertainty = surrogate_uncertainty(surrogate, *self._training_rows(), float(confidence))
        return self._uncertainty

    def refits(self, n_refits: int, seed: int) -> np.ndarray:
        """Reported weights ``(n_refits, n_classes, n_features)`` of bootstrap refits (no model calls)."""
        if self._refits is None or self._refits.shape[0] != int(n_refits):
            x0 = self.neighbourhood.X[0]
            analysis = self.analysis()
            with single_threaded_blas():
                self._refits = bootstrap_refits(
                    *self._training_rows(),
                    self.fit.surrogate,
                    int(n_refits),
                    np.random.default_rng([seed, 1]),
                    reported=lambda s: reported_weights(s, x0)[0],
                    analysis=analysis,
                )
        return self._refits

    def stability(
        self,
        class_index: int,
        class_name: str,
        n_refits: int,
        top_k: int,
        seed: int,
        unc: WeightUncertainty | None = None,
    ) -> StabilityReport:
        """Whether the top words of ``class_index`` survive bootstrap refits, and, given the explanation's
        intervals ``unc`` (None: not asked), how settled they say the top words are
        (:func:`~lime_core.trust.stability.expected_set_agreement`)."""
        weights = self.reported()[0][class_index]
        expected = None
        if unc is not None:
            cov = None if unc.class_cov is None else unc.class_cov(class_index)
            expected = float(expected_set_agreement(weights, unc.std[class_index], int(top_k), cov)[0])
        return stability_report(
            weights,
            self.refits(n_refits, seed)[:, class_index, :],
            self.neighbourhood.features.names,
            class_name,
            int(top_k),
            expected,
        )

    def faithfulness(
        self, class_index: int, class_name: str, black_box: BlackBox | LabelView | None, top_k: int, seed: int
    ) -> FaithfulnessReport:
        """Remove the top words from the text and ask ``black_box`` (a few dozen model calls, made once per class)."""
        report = self._faithfulness.get(class_index)
        if report is not None:
            return report
        if black_box is None:
            raise LimeCoreError(
                f"the faithfulness check of {class_name!r} asks the model: pass the model's black box to measure it"
            )
        nb = self.neighbourhood
        groups = nb.features.groups
        n_words = groups.n_words
        coefs = self.reported()[0][class_index][:n_words]
        values = self.feature_values()[:n_words]
        report = self._faithfulness[class_index] = faithfulness_report(
            nb.tokenized,
            groups.word_of_token,
            nb.features.names[:n_words],
            coefs * values,
            black_box,
            class_index,
            class_name,
            int(top_k),
            np.random.default_rng([seed, 2, class_index]),
            mask_token=nb.mask_token,
            removal=nb.removal,
        )
        return report

    def methods(
        self,
        class_index: int,
        class_name: str,
        black_box: BlackBox | LabelView | None,
        top_k: int,
        seed: int,
        methods: Sequence[str],
        lime_scale: str,
        parts: Mapping[str, AttributionMethod] | None = None,
    ) -> MethodsReport:
        """LIME beside other methods for ``class_index`` (:mod:`lime_core.methods`; model calls, once per class)."""
        key = (class_index, tuple(methods))
        report = self._methods.get(key) if parts is None else None
        if report is not None:
            return report
        from ..methods.compare import method_report, require_black_box  # the methods import this module's siblings

        report = method_report(
            self.neighbourhood,
            self,
            class_index,
            class_name,
            require_black_box(black_box, class_name),
            tuple(methods),
            int(top_k),
            seed,
            lime_scale,
            parts,
        )
        if parts is None:
            self._methods[key] = report
        return report
