"""LIME for text: the one entry point that ties tokens, sampling, the black box and the surrogate together.

Each part is swappable (tokenizer, sampler, kernel, surrogate), in the spirit
of captum's explainers; the defaults reproduce eli5's ``TextExplainer``
(70/30 mixture of position and bag-of-words masking, cosine-similarity sample
weights, a multinomial surrogate on the black box's probabilities, fidelity on
a 30 % held-out split) with an exact soft-target fit in place of eli5's
label-expansion trick.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .classifier import as_classifier, validate_class_names
from .explanation import (
    ExplainerSettings,
    Explanation,
    FaithfulnessReport,
    FeatureWeight,
    SamplingReport,
    SamplingRound,
    StabilityReport,
    TargetExplanation,
    UncertaintyInfo,
)
from .features import FeatureSpace
from .fitting import LocalFit, fit_local_model
from .kernels import CosineKernel, Kernel, cosine_similarity_to_original
from .limits import check_sample_chars, check_samples
from .predictor import BlackBox, PredictionCache, ProgressCallback
from .sampling import Sampler, default_sampler, draw_neighbourhood
from .surrogates import SoftmaxSurrogate, Surrogate
from .tokenization import TokenizedText, Tokenizer, get_tokenizer
from .trust import adaptive
from .trust.faithfulness import faithfulness_report
from .trust.stability import DEFAULT_REFITS, bootstrap_refits, stability_report
from .trust.uncertainty import (
    DEFAULT_CONFIDENCE,
    SoftmaxAnalysis,
    WeightUncertainty,
    single_threaded_blas,
    weight_uncertainty,
    z_value,
)

DEFAULT_MAX_CHARS = 100_000

Targets = None | str | int | Sequence[str | int]
AUTO = "auto"
# Fits whose trust computations (intervals, refits, faithfulness) are kept, besides the current one.
_TRUST_CACHE_FITS = 4


class _FitTrust:
    """What the trust computations found for one local fit (computed on demand, then kept)."""

    def __init__(self, fit: LocalFit) -> None:
        self.fit = fit  # keeps id(fit) from being reused while this entry lives
        self.analysis: SoftmaxAnalysis | None = None
        self.analysed = False
        self.uncertainty: WeightUncertainty | None = None
        self.uncertainty_done = False
        self.refits: np.ndarray | None = None
        self.faithfulness: dict[int, FaithfulnessReport] = {}


class TextExplainer:
    """Explains one prediction of a text classifier with a local surrogate.

    Parameters are stored unchanged; :meth:`fit` does the work and sets the
    learned attributes (``tokenized_``, ``features_``, ``keep_``, ``X_``,
    ``proba_``, ``sample_weight_``, ``similarity_``, ``local_fit_``, ``n_model_calls_``);
    :meth:`explanation` turns them into an :class:`Explanation`. The same
    ``random_state`` gives an identical explanation.

    Trust (docs/trust.md says what each number means and costs):

    * ``n_samples="auto"`` draws samples in rounds until the ``auto_top_k``
      leading words and the fit have settled (``auto_tolerance``: how close a
      near tie may be left unresolved, relative to the largest weight), at most
      ``max_samples``; ``sampling`` in the explanation says how it went.
    * ``uncertainty`` adds a standard error and a ``confidence`` interval to
      every weight (no model calls; a few ms).
    * ``stability_refits`` bootstrap refits of the surrogate on the stored
      samples report whether the ``top_k`` words move (no model calls; about
      a millisecond each; 0 turns it off).
    * ``faithfulness`` removes the ``top_k`` words from the text and asks the
      model what changes, against random and leave-one-out rankings (a few
      dozen model calls, made in :meth:`fit`; off by default).
    """

    def __init__(
        self,
        n_samples: int | str = 5000,
        tokenizer: Tokenizer | str = "words",
        sampler: Sampler | None = None,
        kernel: Kernel | None = None,
        surrogate: Surrogate | None = None,
        bigrams: bool = False,
        mask_token: str | None = None,
        heldout_fraction: float = 0.3,
        random_state: int | None = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
        batch_size: int | None = None,
        cache: PredictionCache | None = None,
        max_samples: int = adaptive.DEFAULT_MAX_SAMPLES,
        auto_tolerance: float = adaptive.DEFAULT_REL_TOL,
        auto_top_k: int = adaptive.DEFAULT_TOP_K,
        top_k: int = 5,
        uncertainty: bool = True,
        confidence: float = DEFAULT_CONFIDENCE,
        stability_refits: int = DEFAULT_REFITS,
        faithfulness: bool = False,
    ) -> None:
        self.n_samples = n_samples
        self.tokenizer = tokenizer
        self.sampler = sampler
        self.kernel = kernel
        self.surrogate = surrogate
        self.bigrams = bigrams
        self.mask_token = mask_token
        self.heldout_fraction = heldout_fraction
        self.random_state = random_state
        self.max_chars = max_chars
        self.batch_size = batch_size
        self.cache = cache
        self.max_samples = max_samples
        self.auto_tolerance = auto_tolerance
        self.auto_top_k = auto_top_k
        self.top_k = top_k
        self.uncertainty = uncertainty
        self.confidence = confidence
        self.stability_refits = stability_refits
        self.faithfulness = faithfulness

    # -- the resolved parts ---------------------------------------------------------------------------------------

    def _tokenizer(self) -> Tokenizer:
        return get_tokenizer(self.tokenizer) if isinstance(self.tokenizer, str) else self.tokenizer

    def _sampler(self) -> Sampler:
        return self.sampler if self.sampler is not None else default_sampler()

    def _kernel(self) -> Kernel:
        return self.kernel if self.kernel is not None else CosineKernel()

    def _surrogate(self) -> Surrogate:
        return self.surrogate if self.surrogate is not None else SoftmaxSurrogate()

    @property
    def adaptive(self) -> bool:
        """Whether the sample count is chosen adaptively (``n_samples="auto"``)."""
        return isinstance(self.n_samples, str) and self.n_samples == AUTO

    def _check_params(self) -> None:
        if not self.adaptive:
            _check_count("n_samples", self.n_samples, 20, "to fit and hold out samples", AUTO)
        _check_count("max_samples", self.max_samples, 20, "to fit and hold out samples")
        if not self.adaptive:
            check_samples(int(self.n_samples))
        check_samples(int(self.max_samples), "max_samples")
        _check_count("top_k", self.top_k, 1, "")
        _check_count("auto_top_k", self.auto_top_k, 1, "")
        _check_count("stability_refits", self.stability_refits, 0, "")
        if isinstance(self.confidence, bool) or not isinstance(self.confidence, float | int | np.floating):
            raise ValueError(f"confidence must be a number between 0 and 1, not {self.confidence!r}")
        if not 0.0 < float(self.confidence) < 1.0:
            raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), not {self.confidence}")
        if isinstance(self.auto_tolerance, bool) or not isinstance(self.auto_tolerance, float | int | np.floating):
            raise ValueError(f"auto_tolerance must be a positive number, not {self.auto_tolerance!r}")
        if not float(self.auto_tolerance) > 0:
            raise ValueError(f"auto_tolerance must be positive, not {self.auto_tolerance}")

    # -- fitting --------------------------------------------------------------------------------------------------

    def fit(self, text: str, model: Any, progress: ProgressCallback | None = None) -> TextExplainer:
        """Sample the neighbourhood of ``text``, ask ``model`` about it, and fit the surrogate."""
        self._check_params()
        classifier = as_classifier(model)
        rng = np.random.default_rng(self.random_state)
        tokenized = TokenizedText.from_text(text, self._tokenizer(), self.max_chars)
        check_sample_chars(int(self.max_samples if self.adaptive else self.n_samples), len(tokenized.text))
        features = FeatureSpace.build(tokenized, bigrams=self.bigrams)
        black_box = BlackBox(classifier, cache=self.cache, batch_size=self.batch_size)
        validate_class_names(classifier)  # after BlackBox: a remote model's label probe counts in its budget

        self.model_ = classifier
        self.black_box_ = black_box
        self.tokenized_ = tokenized
        self.features_ = features
        self._trust_cache: dict[int, _FitTrust] = {}
        if self.adaptive:
            self.local_fit_, self.sampling_ = self._fit_adaptively(rng, progress)
        else:
            keep = draw_neighbourhood(self._sampler(), features.groups, int(self.n_samples), rng)
            texts = tokenized.rebuild(keep, replacement=self.mask_token or "")
            predictions = black_box.predict(texts, progress=progress)
            self._store_samples(keep, predictions.proba)
            self.n_model_calls_ = predictions.n_model_calls
            self.local_fit_ = self.refit(rng)
            self.sampling_ = SamplingReport(
                mode="fixed",
                rounds=1,
                n_samples=int(keep.shape[0]),
                n_model_calls=int(self.n_model_calls_),
                stopped_because="fixed sample count",
            )
        # Drawn after the fit, so that trust computations never change the explanation itself.
        self.trust_seed_ = int(rng.integers(2**32))
        if self.faithfulness:  # its model calls belong to fit(), not to a later explanation()
            self._faithfulness(self.local_fit_, int(np.argmax(self.proba_[0])))
        return self

    def _store_samples(self, keep: np.ndarray, proba: np.ndarray) -> None:
        self.keep_ = keep
        self.X_ = self.features_.transform(keep)
        self.proba_ = proba
        self.sample_weight_ = self._kernel().weights(keep)
        self.similarity_ = cosine_similarity_to_original(keep)

    def _fit_adaptively(
        self, rng: np.random.Generator, progress: ProgressCallback | None
    ) -> tuple[LocalFit, SamplingReport]:
        """Draw samples in rounds until the top words have settled (see :mod:`lime_core.trust.adaptive`)."""
        sampler, groups = self._sampler(), self.features_.groups
        cap = int(self.max_samples)
        k = int(self.auto_top_k)
        z = z_value(float(self.confidence))
        n_target = adaptive.initial_samples(self.features_.n_features, cap)
        keep = draw_neighbourhood(sampler, groups, n_target, rng)
        proba: np.ndarray | None = None
        calls = 0
        history: list[SamplingRound] = []
        previous: tuple[int, ...] | None = None
        while True:
            new = keep[0 if proba is None else proba.shape[0] :]
            texts = self.tokenized_.rebuild(new, replacement=self.mask_token or "")
            offset = calls
            round_progress = None if progress is None else (lambda d, t, o=offset: progress(o + d, o + t))
            predictions = self.black_box_.predict(texts, progress=round_progress)
            proba = predictions.proba if proba is None else np.vstack([proba, predictions.proba])
            calls += predictions.n_model_calls
            self._store_samples(keep, proba)
            self.n_model_calls_ = calls
            fit = self.refit(rng)
            c = int(np.argmax(proba[0]))
            unc = self._uncertainty(fit)
            coefs = self._reported(fit.surrogate)[0]
            check = adaptive.check_round(
                coefs[c],
                None if unc is None else unc.std[c],
                k,
                z,
                previous,
                cov=None if unc is None or unc.class_cov is None else unc.class_cov(c),
                excess_loss=None if unc is None else unc.excess_loss,
                heldout_kl=fit.metrics.mean_KL_divergence,
                rel_tol=float(self.auto_tolerance),
            )
            names = self.features_.names
            history.append(
                SamplingRound(
                    n_samples=int(keep.shape[0]),
                    n_model_calls=int(calls),
                    top_k=tuple(names[j] for j in check.top),
                    max_halfwidth=check.max_halfwidth,
                )
            )
            if check.settled:
                reason = check.reason
                break
            if keep.shape[0] >= cap:
                reason = adaptive.STOP_CAP
                break
            n_next = adaptive.next_size(keep.shape[0], check, cap)
            keep = np.vstack([keep, sampler.sample(groups, n_next - keep.shape[0], rng)])
            previous = check.top
        report = SamplingReport(
            mode=AUTO,
            rounds=len(history),
            n_samples=int(keep.shape[0]),
            n_model_calls=int(calls),
            stopped_because=reason,
            max_samples=cap,
            history=tuple(history),
        )
        return fit, report

    def refit(self, rng: np.random.Generator, surrogate: Surrogate | None = None) -> LocalFit:
        """Fit the surrogate again on the stored samples (no model calls)."""
        return fit_local_model(
            self.X_,
            self.proba_,
            self.sample_weight_,
            surrogate if surrogate is not None else self._surrogate(),
            self.heldout_fraction,
            rng,
            metric_weight=self.similarity_,
        )

    # -- the result -----------------------------------------------------------------------------------------------

    def explanation(
        self, targets: Targets = None, local_fit: LocalFit | None = None, *, faithfulness: bool | None = None
    ) -> Explanation:
        """The explanation of the fitted text for the given classes (default: the predicted one).

        The trust reports (stability, faithfulness) are about one class: the predicted class when it is among
        the targets, else the first target. With ``faithfulness=True`` and a class or fit other than the ones
        prepared in :meth:`fit`, this asks the model about a few dozen texts; ``faithfulness=False`` here
        leaves that check out (no model calls at all), None follows the explainer's parameter.
        """
        check_faithfulness = self.faithfulness if faithfulness is None else faithfulness
        fit = local_fit or self.local_fit_
        class_names = validate_class_names(self.model_)
        original_proba = self.proba_[0]
        x0 = self.X_[0]
        surrogate_proba = fit.surrogate.predict_proba(x0)[0]
        values = np.asarray(x0.todense()).ravel()
        predicted = int(np.argmax(original_proba))
        target_ids = resolve_targets(targets, class_names, predicted)
        names, spans = self.features_.names, self.features_.spans
        explained = []
        coefs, intercepts = self._reported(fit.surrogate)
        unc = self._uncertainty(fit) if self.uncertainty else None
        for c in target_ids:
            coef = coefs[c]
            order = np.argsort(-coef, kind="stable")
            if unc is not None:
                low, high = unc.intervals(coef, c)
                std = unc.std[c]
                weights = tuple(
                    FeatureWeight(
                        feature=names[j],
                        weight=float(coef[j]),
                        spans=spans[j],
                        value=float(values[j]),
                        std=float(std[j]),
                        interval=(float(low[j]), float(high[j])),
                    )
                    for j in order
                )
            else:
                weights = tuple(
                    FeatureWeight(feature=names[j], weight=float(coef[j]), spans=spans[j], value=float(values[j]))
                    for j in order
                )
            explained.append(
                TargetExplanation(
                    class_name=class_names[c],
                    class_index=c,
                    probability=float(original_proba[c]),
                    surrogate_probability=float(surrogate_proba[c]),
                    bias=float(intercepts[c]),
                    weights=weights,
                )
            )
        focus = predicted if predicted in target_ids else target_ids[0]
        return Explanation(
            text=self.tokenized_.text,
            model=str(getattr(self.model_, "name", type(self.model_).__name__)),
            class_names=tuple(class_names),
            probabilities=tuple(float(p) for p in original_proba),
            surrogate_probabilities=tuple(float(p) for p in surrogate_proba),
            targets=tuple(explained),
            metrics=fit.metrics,
            n_samples=int(self.keep_.shape[0]),
            n_model_calls=int(self.n_model_calls_),
            settings=self.settings(),
            uncertainty=None if unc is None else UncertaintyInfo(method=unc.method, confidence=unc.confidence),
            stability=self._stability(fit, focus) if self.stability_refits else None,
            faithfulness=self._faithfulness(fit, focus) if check_faithfulness else None,
            sampling=self.sampling_,
        )

    # -- trust ----------------------------------------------------------------------------------------------------

    def _reported(self, surrogate: Surrogate) -> tuple[np.ndarray, np.ndarray]:
        return class_weights(surrogate.coef_, surrogate.intercept_, getattr(surrogate, "output_scale", "logit"))

    def _trust(self, fit: LocalFit) -> _FitTrust:
        entry = self._trust_cache.get(id(fit))
        if entry is None:
            current = id(getattr(self, "local_fit_", None))
            stale = [key for key in self._trust_cache if key != current]
            for key in stale[: max(0, len(stale) - _TRUST_CACHE_FITS + 1)]:  # oldest first
                del self._trust_cache[key]
            entry = self._trust_cache[id(fit)] = _FitTrust(fit)
        return entry

    def _analysis(self, fit: LocalFit) -> SoftmaxAnalysis | None:
        """The softmax surrogate's factorised objective on its training rows (None for other surrogates)."""
        entry = self._trust(fit)
        if not entry.analysed:
            entry.analysed = True
            if type(fit.surrogate) is SoftmaxSurrogate:
                rows = fit.train_index
                with single_threaded_blas():
                    entry.analysis = SoftmaxAnalysis.build(
                        self.X_[rows], self.proba_[rows], self.sample_weight_[rows], fit.surrogate
                    )
        return entry.analysis

    def _uncertainty(self, fit: LocalFit) -> WeightUncertainty | None:
        """Standard errors of ``fit``'s reported weights (no model calls)."""
        entry = self._trust(fit)
        if not entry.uncertainty_done:
            entry.uncertainty_done = True
            analysis = self._analysis(fit)
            with single_threaded_blas():
                if analysis is not None:
                    entry.uncertainty = analysis.uncertainty(float(self.confidence))
                elif type(fit.surrogate) is not SoftmaxSurrogate:
                    rows = fit.train_index
                    entry.uncertainty = weight_uncertainty(
                        self.X_[rows],
                        self.proba_[rows],
                        self.sample_weight_[rows],
                        fit.surrogate,
                        float(self.confidence),
                    )
        return entry.uncertainty

    def _stability(self, fit: LocalFit, class_index: int) -> StabilityReport:
        """Bootstrap refits of ``fit``'s surrogate on its training rows (no model calls)."""
        entry = self._trust(fit)
        if entry.refits is None or entry.refits.shape[0] != int(self.stability_refits):
            rows = fit.train_index
            analysis = self._analysis(fit)
            with single_threaded_blas():
                entry.refits = bootstrap_refits(
                    self.X_[rows],
                    self.proba_[rows],
                    self.sample_weight_[rows],
                    fit.surrogate,
                    int(self.stability_refits),
                    np.random.default_rng([self.trust_seed_, 1]),
                    reported=lambda s: self._reported(s)[0],
                    analysis=analysis,
                )
        coefs = self._reported(fit.surrogate)[0]
        return stability_report(
            coefs[class_index],
            entry.refits[:, class_index, :],
            self.features_.names,
            str(self.model_.class_names[class_index]),
            int(self.top_k),
        )

    def _faithfulness(self, fit: LocalFit, class_index: int) -> FaithfulnessReport:
        """Remove the top words from the text and ask the model (a few dozen model calls, cached)."""
        entry = self._trust(fit)
        report = entry.faithfulness.get(class_index)
        if report is None:
            n_words = self.features_.groups.n_words
            coefs = self._reported(fit.surrogate)[0][class_index][:n_words]
            values = np.asarray(self.X_[0].todense()).ravel()[:n_words]
            report = entry.faithfulness[class_index] = faithfulness_report(
                self.tokenized_,
                self.features_.groups.word_of_token,
                self.features_.names[:n_words],
                coefs * values,
                self.black_box_,
                class_index,
                str(self.model_.class_names[class_index]),
                int(self.top_k),
                np.random.default_rng([self.trust_seed_, 2, class_index]),
                mask_token=self.mask_token,
            )
        return report

    # -- settings -------------------------------------------------------------------------------------------------

    def settings(self) -> ExplainerSettings:
        tokenizer = self.tokenizer if isinstance(self.tokenizer, str) else repr(self.tokenizer)
        return ExplainerSettings(
            n_samples=int(self.max_samples if self.adaptive else self.n_samples),
            random_state=None if self.random_state is None else int(self.random_state),
            tokenization=tokenizer,
            sampler=repr(self._sampler()),
            kernel=repr(self._kernel()),
            surrogate=repr(self._surrogate()),
            bigrams=bool(self.bigrams),
            mask_token=self.mask_token,
            heldout_fraction=float(self.heldout_fraction),
            adaptive=self.adaptive,
        )

    def explain(
        self, text: str, model: Any, targets: Targets = None, progress: ProgressCallback | None = None
    ) -> Explanation:
        """Fit and explain in one call."""
        return self.fit(text, model, progress=progress).explanation(targets)


def _check_count(name: str, value: Any, minimum: int, why: str, alternative: str | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        also = f' or "{alternative}"' if alternative else ""
        raise ValueError(f"{name} must be a whole number{also}, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}{' ' + why if why else ''}, not {value}")


def class_weights(
    coef: np.ndarray, intercept: np.ndarray, output_scale: str = "logit"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-class weights as reported to users.

    With two classes a softmax's weights are only defined up to a common shift,
    and the centred ones are half of the log-odds; users (and eli5, which fits
    a binary model) read a weight as the change in log-odds of this class
    against the other, so that is what is reported. With more classes the
    centred weights are reported: each class against the average class. A
    surrogate on the probability scale (ridge) is reported as fitted: the
    change in P(class).
    """
    if coef.shape[0] == 2 and output_scale == "logit":
        diff = coef[1] - coef[0]
        bias = intercept[1] - intercept[0]
        return np.vstack([-diff, diff]), np.array([-bias, bias])
    return coef, intercept


def resolve_targets(targets: Targets, class_names: Sequence[str], predicted: int) -> list[int]:
    """Class indices for a target spec: None (predicted class), "all", a name, an index, or a list of those."""
    if targets is None:
        return [predicted]
    if isinstance(targets, str) and targets == "all":
        return list(range(len(class_names)))
    items = [targets] if isinstance(targets, str | int | np.integer) else list(targets)
    ids: list[int] = []
    for item in items:
        if isinstance(item, str):
            if item not in class_names:
                raise ValueError(f"unknown class {item!r}; the model's classes are {list(class_names)}")
            ids.append(list(class_names).index(item))
        else:
            if not 0 <= int(item) < len(class_names):
                raise ValueError(f"class index {item} is out of range for {len(class_names)} classes")
            ids.append(int(item))
    return list(dict.fromkeys(ids))


def explain_text(text: str, model: Any, targets: Targets = None, **params: Any) -> Explanation:
    """Explain ``model``'s prediction on ``text``; ``params`` go to :class:`TextExplainer`."""
    return TextExplainer(**params).explain(text, model, targets=targets)
