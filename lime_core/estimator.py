"""LIME for text: the one entry point that ties tokens, sampling, the black box and the surrogate together.

Each part is swappable (tokenizer, sampler, kernel, surrogate), in the spirit
of captum's explainers; the defaults reproduce eli5's ``TextExplainer``
(70/30 mixture of position and bag-of-words masking, cosine-similarity sample
weights, a multinomial surrogate on the black box's probabilities, fidelity on
a 30 % held-out split) with an exact soft-target fit in place of eli5's
label-expansion trick.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, clone

from .classifier import as_classifier, declares_multi_label, validate_class_names
from .defaults import TOP_K
from .explanation import (
    STOP_EARLY,
    STOP_SHARED,
    ExplainerSettings,
    Explanation,
    FeatureWeight,
    MultiLabelScores,
    SamplingReport,
    TargetExplanation,
    UncertaintyInfo,
    negative_class,
)
from .features import FeatureSpace
from .fitting import LocalFit, fit_local_model
from .kernels import CosineKernel, Kernel
from .levels import AUTO as AUTO_LEVEL
from .levels import WORDS, LevelChoice, WithinTokenizer, check_level, check_within, choose_level
from .limits import (
    MAX_SAMPLE_CHARS,
    MAX_TEXT_CHARS,
    check_features,
    check_sample_chars,
    check_samples,
    samples_for_features,
)
from .methods.data import parse_methods
from .neighbourhood import LABEL_CLASS, FitResult, Neighbourhood
from .nothing_to_explain import answer_spread
from .predictor import BlackBox, LabelView, PredictionCache, ProgressCallback
from .removal import DELETION, Removal, resolve_removal
from .rounds import MaskingSource, NeighbourhoodSource, SampledFit, sample_in_rounds
from .sampling import Sampler, default_sampler
from .surrogates import SoftmaxSurrogate, Surrogate, class_weights, output_scale, weights_kind
from .tokenization import TokenizedText, Tokenizer, check_text, get_tokenizer
from .trust import adaptive
from .trust.adaptive import DEFAULT_SETTINGS, AdaptiveSettings
from .trust.results import TrustOptions, TrustResults, trust_class
from .trust.stability import DEFAULT_REFITS
from .trust.stopping import FixedCount, SettledTopWords, StoppingRule
from .trust.uncertainty import DEFAULT_CONFIDENCE, WeightUncertainty
from .verdict import DISTRUST_MIN_SCORE
from .word_pairs import AUTO_PAIRS, check_bigrams, choose_pairs

__all__ = [
    "BaseTextExplainer",
    "check_params",
    "class_weights",
    "explain_fit",
    "explain_labels",
    "explainer_settings",
    "label_result",
    "preliminary_explanation",
    "resolve_label",
    "resolve_targets",
    "safe_repr",
    "seed_of",
    "stopped_early",
]

DEFAULT_MAX_CHARS = MAX_TEXT_CHARS

Targets = None | str | int | Sequence[str | int]
AUTO = adaptive.AUTO
# Fits other than the current one (explanation(local_fit=...)) whose trust results are kept.
_TRUST_CACHE_FITS = 4


class _Recorded:
    """A learned attribute that is a field of the estimator's ``neighbourhood_`` (AttributeError before fit)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, explainer: Any, owner: type | None = None) -> Any:
        if explainer is None:
            return self
        return getattr(explainer.neighbourhood_, self.field)


class RecordedAttributes:
    """The learned attributes that are fields of the fit's ``neighbourhood_`` (AttributeError before fit):
    ``tokenized_``, ``features_``, ``X_``, ``proba_``, ``sample_weight_``, ``similarity_``, ``n_model_calls_``,
    ``n_answers_reused_``, ``keep_`` (only when lime_core's own sampler drew the samples), ``sample_texts_``."""

    neighbourhood_: Neighbourhood

    tokenized_ = _Recorded("tokenized")
    features_ = _Recorded("features")
    X_ = _Recorded("X")
    proba_ = _Recorded("proba")
    sample_weight_ = _Recorded("sample_weight")
    similarity_ = _Recorded("similarity")
    n_model_calls_ = _Recorded("n_model_calls")
    n_answers_reused_ = _Recorded("n_answers_reused")

    @property
    def keep_(self) -> np.ndarray:
        keep = self.neighbourhood_.keep
        if keep is None:
            raise AttributeError("keep_ is set only when lime_core's own sampler drew the samples")
        return keep

    @property
    def sample_texts_(self) -> list[str] | None:
        texts = self.neighbourhood_.texts
        return None if texts is None else list(texts)


class BaseTextExplainer(RecordedAttributes, BaseEstimator):
    """lime_core's explainer of one prediction of a text classifier: a local surrogate on perturbed texts.

    ``model`` is any object with ``predict_proba(list[str])`` or a plain function ``f(list[str]) -> (n, k)``.
    A scikit-learn estimator (parameters stored unchanged; :meth:`fit` returns ``self``; learned attributes end
    in ``_``; the same ``random_state`` gives an identical explanation). Its parts are swappable: ``tokenizer``,
    ``removal``, ``sampler``, ``kernel``, ``surrogate``, and where samples come from, the
    :meth:`neighbourhood_source` seam (:mod:`lime_core.rounds`). The one sampling loop asks a stopping rule
    (:mod:`lime_core.trust.stopping`) after each round.

    Users import :class:`lime_core.TextExplainer`: this explainer with eli5's names and methods
    (:mod:`lime_core.compat.eli5_api`), whose docstring documents every parameter and learned attribute.
    """

    def __init__(
        self,
        n_samples: int | str = 5000,
        tokenizer: Tokenizer | str = "words",
        sampler: Sampler | None = None,
        kernel: Kernel | None = None,
        surrogate: Surrogate | None = None,
        bigrams: bool | str | None = None,
        mask_token: str | None = None,
        removal: Removal | str | None = None,
        heldout_fraction: float = 0.3,
        random_state: int | None = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
        batch_size: int | None = None,
        cache: PredictionCache | None = None,
        max_samples: int = adaptive.DEFAULT_MAX_SAMPLES,
        auto_tolerance: float = adaptive.DEFAULT_REL_TOL,
        auto_top_k: int = adaptive.DEFAULT_TOP_K,
        top_k: int = TOP_K,
        uncertainty: bool = True,
        confidence: float = DEFAULT_CONFIDENCE,
        stability_refits: int = DEFAULT_REFITS,
        faithfulness: bool = False,
        methods: str | Sequence[str] | None = None,
        multi_label: bool | None = None,
        level: str = AUTO_LEVEL,
        within: tuple[int, int] | None = None,
        adaptive_settings: AdaptiveSettings | None = None,
        position_dependent: bool = False,
    ) -> None:
        self.n_samples = n_samples
        self.tokenizer = tokenizer
        self.sampler = sampler
        self.kernel = kernel
        self.surrogate = surrogate
        self.bigrams = bigrams
        self.mask_token = mask_token
        self.removal = removal
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
        self.methods = methods
        self.multi_label = multi_label
        self.level = level
        self.within = within
        self.adaptive_settings = adaptive_settings
        self.position_dependent = position_dependent

    def __sklearn_clone__(self) -> BaseTextExplainer:
        """A clone shares the prediction cache (a cache is meant to be shared; it cannot be deep-copied)."""
        params = self.get_params(deep=False)
        cache = params.pop("cache")
        return type(self)(**{name: clone(value, safe=False) for name, value in params.items()}, cache=cache)

    # -- the parts, resolved (a variant overrides these: lime_core.compat.eli5_api.TextExplainer) -------------

    def make_tokenizer(self) -> Tokenizer:
        """The tokenizer of ``tokenizer`` (a name or a :class:`~lime_core.tokenization.Tokenizer`)."""
        return get_tokenizer(self.tokenizer) if isinstance(self.tokenizer, str) else self.tokenizer

    def make_sampler(self) -> Sampler:
        """``sampler``, or the default mixture of position and bag-of-words masking."""
        return self.sampler if self.sampler is not None else default_sampler()

    def make_kernel(self) -> Kernel:
        """``kernel``, or the cosine similarity to the text."""
        return self.kernel if self.kernel is not None else CosineKernel()

    def make_surrogate(self) -> Surrogate:
        """``surrogate``, or the softmax surrogate."""
        return self.surrogate if self.surrogate is not None else SoftmaxSurrogate()

    def keeps_words(self) -> bool:
        """Whether the features must be words (``level="auto"`` then keeps words): per-position features."""
        return bool(self.position_dependent)

    def validate_params(self) -> None:
        """Refuse parameters that cannot work, saying why, before anything is sampled (:func:`check_params`)."""
        check_params(self)

    @property
    def adaptive(self) -> bool:
        """Whether the sample count is chosen adaptively (``n_samples="auto"``)."""
        return isinstance(self.n_samples, str) and self.n_samples == AUTO

    # -- fitting --------------------------------------------------------------------------------------------------

    def fit(
        self,
        text: str,
        model: Any,
        progress: ProgressCallback | None = None,
        on_round: Callable[[FitResult], bool | None] | None = None,
    ) -> BaseTextExplainer:
        """Sample the neighbourhood of ``text``, ask ``model`` about it, and fit the surrogate.

        ``model``: an object with ``predict_proba`` or a function ``f(list[str]) -> (n, k)``. A function's
        answers are cached by its identity in this process only (a bound method by its object's); set
        ``f.cache_key = "name-version"`` to say two functions are one model.

        ``on_round`` (results while they compute): with ``n_samples="auto"``, called after every round that
        does not end sampling with that round's fit as data, a :class:`~lime_core.neighbourhood.FitResult`
        whose ``preliminary`` is True (:func:`explain_fit` explains it; :func:`preliminary_explanation` cheaply,
        without the trust checks). A truthy return stops sampling there and keeps that fit, its sampling report
        saying ``STOP_EARLY``. The explanation is the same with or without the callback; a kept round's fit is
        the one :func:`stopped_early` makes of that round's interim result.
        """
        self.validate_params()
        classifier = as_classifier(model)
        # the parameter, or the model's own declaration when it is None
        multi_label = declares_multi_label(classifier) if self.multi_label is None else bool(self.multi_label)
        rng = np.random.default_rng(seed_of(self.random_state))
        source = self.neighbourhood_source(text, classifier)
        if multi_label and not isinstance(source, MaskingSource):
            raise ValueError("multi_label=True works with lime_core's own samples (keep-masks over the words)")
        black_box = BlackBox(classifier, cache=self.cache, batch_size=self.batch_size, multi_label=multi_label)
        validate_class_names(classifier)  # after BlackBox: a remote model's label probe counts in its budget
        self._start(classifier, black_box)
        self.removal_ = source.removal
        record = label_record(black_box, source.tokenized.text) if multi_label else None
        rule = self.stopping_rule_ = stopping_rule(self, source)
        each_round = None if on_round is None else partial(_interim_result, self, rng, on_round)
        run = sample_in_rounds(
            source, black_box, rule, self._fit_surrogate, rng, record=record, progress=progress, on_round=each_round
        )
        samples, local_fit, self.pairs_choice_ = run.neighbourhood, run.fit, None
        level = getattr(self, "level_", None)  # None: a user's sampler or vectorizer made the samples
        words_level = level is not None and level.level == WORDS and not self.position_dependent
        if isinstance(source, MaskingSource) and getattr(self, "bigrams_", False) == AUTO_PAIRS and words_level:
            chosen = choose_pairs(samples, local_fit, self.make_surrogate())
            if chosen is not None:
                samples, local_fit, self.pairs_choice_ = chosen
        return self._finish(samples, local_fit, run.report, rng, run.trust)

    def neighbourhood_source(self, text: str, classifier: Any) -> NeighbourhoodSource:
        """Where the perturbed samples of ``text`` and their features come from (the seam of
        :mod:`lime_core.rounds`): lime_core's :class:`~lime_core.rounds.MaskingSource` at the chosen level,
        checked against the limits on one request's work. Sets ``level_``."""
        return masking_source(self, text, classifier)

    def _start(self, classifier: Any, black_box: BlackBox) -> None:
        self.model_ = classifier
        self.black_box_ = black_box
        self.pairs_choice_ = None  # set after sampling when bigrams is "auto" (lime_core.word_pairs)
        self._other_trust: dict[LocalFit, TrustResults] = {}
        self._label_results: dict[int, FitResult] = {}

    def _fit_surrogate(
        self, samples: Neighbourhood, rng: np.random.Generator, surrogate: Surrogate | None = None
    ) -> LocalFit:
        return fit_local_model(
            samples.X,
            samples.proba,
            samples.sample_weight,
            surrogate if surrogate is not None else self.make_surrogate(),
            self.heldout_fraction,
            rng,
            metric_weight=samples.similarity,
        )

    def _finish(
        self,
        samples: Neighbourhood,
        fit: LocalFit,
        sampling: SamplingReport,
        rng: np.random.Generator,
        trust: TrustResults | None = None,
    ) -> BaseTextExplainer:
        """Keep the fit's record; with ``faithfulness``, make the check's model calls now (they belong to fit())."""
        self.neighbourhood_ = samples
        self.local_fit_ = fit
        self.sampling_ = sampling
        self.trust_ = trust if trust is not None and trust.fit is fit else TrustResults(samples, fit)
        # Drawn after the fit, so that trust computations never change the explanation itself.
        self.trust_seed_ = int(rng.integers(2**32))
        self.fit_result_ = fit_result(self, fit)
        prepare_model_checks(self)
        return self

    def refit(self, rng: np.random.Generator, surrogate: Surrogate | None = None) -> LocalFit:
        """Fit the surrogate again on the stored samples (no model calls)."""
        return self._fit_surrogate(self.neighbourhood_, rng, surrogate)

    # -- the result -----------------------------------------------------------------------------------------------

    def explanation(
        self,
        targets: Targets = None,
        local_fit: LocalFit | None = None,
        *,
        faithfulness: bool | None = None,
        methods: str | Sequence[str] | None = None,
    ) -> Explanation:
        """The explanation of the fitted text for the given classes (default: the predicted one).

        The trust reports (stability, faithfulness) are about one class: the predicted class when it is among
        the targets, else the first target. With ``faithfulness=True`` and a class or fit other than the ones
        prepared in :meth:`fit`, this asks the model about a few dozen texts; ``faithfulness=False`` here
        leaves that check out (no model calls at all), None follows the explainer's parameter. ``methods`` likewise:
        other methods to compare with for the trust class (None: the explainer's ``methods``; ``()``: none).
        """
        fit = local_fit or self.local_fit_
        result = fit_result(self, fit)
        if result.labels and local_fit is None:
            result = self.label_fit_result(resolve_label(targets, result.labels, result.neighbourhood.label_index))
            targets = None
        return explain_fit(result, targets, faithfulness=faithfulness, black_box=self.black_box_, methods=methods)

    def explanations(self, labels: Targets = "all", *, faithfulness: bool | None = None) -> list[Explanation]:
        """One explanation per label of a multi-label model (default every label), from the same samples."""
        names = self.fit_result_.labels
        if not names:
            raise ValueError("explanations() is for multi-label models; explanation(targets) explains several classes")
        return [self.explanation(names[i], faithfulness=faithfulness) for i in resolve_labels(labels, names)]

    def label_fit_result(self, label: int | str) -> FitResult:
        """A multi-label model's fit for one label, refitted on the same samples once and kept (no model calls)."""
        result = self.fit_result_
        index = resolve_label(label, result.labels, result.neighbourhood.label_index)
        if index == result.neighbourhood.label_index:
            return result
        if index not in self._label_results:
            self._label_results[index] = label_result(result, index)
        return self._label_results[index]

    def trust_for(self, fit: LocalFit) -> TrustResults:
        """The trust results of ``fit``: ``trust_`` for the fit itself, else kept for the last few fits."""
        if fit is self.local_fit_:
            return self.trust_
        trust = self._other_trust.get(fit)
        if trust is None:
            for stale in list(self._other_trust)[: max(0, len(self._other_trust) - _TRUST_CACHE_FITS + 1)]:
                del self._other_trust[stale]  # oldest first
            trust = self._other_trust[fit] = TrustResults(self.neighbourhood_, fit)
        return trust

    def settings(self) -> ExplainerSettings:
        """What produced the explanation (:class:`ExplainerSettings`, its JSON record)."""
        return explainer_settings(self, getattr(self, "local_fit_", None))

    def explain(
        self, text: str, model: Any, targets: Targets = None, progress: ProgressCallback | None = None
    ) -> Explanation:
        """Fit and explain in one call."""
        return self.fit(text, model, progress=progress).explanation(targets)

# -- the explainer's steps, in functions ----------------------------------------------------------------------------


def resolve_bigrams(explainer: BaseTextExplainer, classifier: Any) -> bool | str:
    """``bigrams``, or the model's declared ``default_bigrams`` when it is None (else False): True, False or
    ``"auto"`` (words or words with pairs, chosen per text after sampling: :mod:`lime_core.word_pairs`)."""
    if explainer.bigrams is not None:
        return explainer.bigrams
    declared = getattr(classifier, "default_bigrams", False)
    return declared if declared is True or declared == AUTO_PAIRS else False


def masking_source(explainer: BaseTextExplainer, text: str, classifier: Any) -> MaskingSource:
    """lime_core's neighbourhood of ``text`` at the explainer's level, checked against the limits on one
    request's work; sets ``explainer.level_`` and ``explainer.bigrams_`` (True, False or ``"auto"``)."""
    check_text(text, explainer.max_chars)
    level = explainer.level_ = features_level(explainer, text)
    tokenized = TokenizedText.from_text(text, level.tokenizer, explainer.max_chars, level.tokens)
    n_asked = sample_cap(explainer, tokenized) if explainer.adaptive else int(explainer.n_samples)
    check_sample_chars(int(n_asked), len(tokenized.text))
    bigrams = explainer.bigrams_ = resolve_bigrams(explainer, classifier)
    features = FeatureSpace.build(
        tokenized, bigrams=bigrams is True, by_position=bool(explainer.position_dependent), level=level.level
    )
    level_name = level.level if level.level != WORDS else getattr(level.tokenizer, "name", WORDS)
    n_fixed = 0 if explainer.adaptive else int(explainer.n_samples)
    check_features(features.n_features, n_fixed, level_name, explainer.adaptive, level.coarser_possible)
    removal = resolve_removal(explainer.removal, explainer.mask_token, classifier)
    return MaskingSource(tokenized, features, explainer.make_sampler(), explainer.make_kernel(), removal)


def features_level(explainer: BaseTextExplainer, text: str) -> LevelChoice:
    """The level of this text's features (``level``), or the words inside ``within`` (a drill-down)."""
    if explainer.within is None:
        level = WORDS if explainer.keeps_words() and explainer.level == AUTO_LEVEL else explainer.level
        return choose_level(text, explainer.make_tokenizer(), level)
    start, end = check_within(explainer.within, text)
    return LevelChoice(WORDS, WithinTokenizer(explainer.make_tokenizer(), start, end),
                       f"the words of characters {start:,}-{end:,}, the rest of the text held as it is")


def sample_cap(explainer: BaseTextExplainer, tokenized: TokenizedText, n_features: int | None = None) -> int:
    """auto's cap: it shrinks on a long text so that its samples stay within the memory bound (a fixed count
    over the bound is refused instead), and with many features."""
    most = int(explainer.max_samples)
    cap = int(min(most, explainer.level_.max_samples or most))
    cap = max(20, min(cap, MAX_SAMPLE_CHARS // len(tokenized.text)))
    return cap if n_features is None else max(20, min(cap, samples_for_features(n_features)))


def stopping_rule(explainer: BaseTextExplainer, source: NeighbourhoodSource) -> StoppingRule:
    """The explainer's stopping rule for one fit: a fixed count, or auto's :class:`SettledTopWords`."""
    if not explainer.adaptive:
        return FixedCount(int(explainer.n_samples))
    cap = sample_cap(explainer, source.tokenized, source.features.n_features)
    settings = explainer.adaptive_settings or DEFAULT_SETTINGS
    tolerance, top_k = float(explainer.auto_tolerance), int(explainer.auto_top_k)
    return SettledTopWords(cap, top_k, float(explainer.confidence), tolerance, DISTRUST_MIN_SCORE, settings)


def label_record(black_box: BlackBox, text: str) -> Callable[[Neighbourhood], Neighbourhood]:
    """A multi-label model's samples seen as its most probable label's yes/no question.

    The samples are drawn for the most probable label, so it is known first; the text's answer is cached, so
    sampling asks for it no second time and the call counts stay those of one sampling.
    """
    first = black_box.predict([text])
    label, probe_calls = int(np.argmax(first.proba[0])), first.n_model_calls

    def record(samples: Neighbourhood) -> Neighbourhood:
        calls, reused = samples.n_model_calls + probe_calls, samples.n_answers_reused - probe_calls
        counted = replace(samples, n_model_calls=calls, n_answers_reused=reused, label_scores=samples.proba)
        return counted.for_label(label)

    return record


def prepare_model_checks(explainer: BaseTextExplainer) -> None:
    """With ``faithfulness`` or ``methods``, make their model calls now: they belong to fit()."""
    result, samples, trust = explainer.fit_result_, explainer.neighbourhood_, explainer.trust_
    options = result.options
    if options.faithfulness or options.methods:
        c = samples.explained_class
        name, seed, top_k = result.class_names[c], explainer.trust_seed_, int(explainer.top_k)
        asked = samples.asked(explainer.black_box_)
        trust.faithfulness(c, name, asked, top_k, seed)
        if options.methods:
            trust.methods(c, name, asked, top_k, seed, options.methods, result.settings.output_scale)


def trust_options(explainer: BaseTextExplainer) -> TrustOptions:
    """Which trust computations the explanation carries (the explainer's parameters)."""
    return TrustOptions(
        top_k=int(explainer.top_k),
        uncertainty=bool(explainer.uncertainty),
        confidence=float(explainer.confidence),
        stability_refits=int(explainer.stability_refits),
        faithfulness=bool(explainer.faithfulness),
        methods=parse_methods(explainer.methods),
    )


def fit_result(explainer: BaseTextExplainer, fit: LocalFit) -> FitResult:
    """The fitted explainer's ``fit`` as data, with the parameters as they are now."""
    return _result(
        explainer,
        explainer.neighbourhood_,
        fit,
        explainer.settings(),
        explainer.sampling_,
        explainer.trust_seed_,
        explainer.trust_for(fit),
    )


def _result(
    explainer: BaseTextExplainer,
    samples: Neighbourhood,
    fit: LocalFit,
    settings: ExplainerSettings,
    sampling: SamplingReport,
    trust_seed: int,
    trust: TrustResults,
) -> FitResult:
    model = explainer.model_
    names = tuple(validate_class_names(model))
    labels: tuple[str, ...] = ()
    if samples.multi_label:
        labels = names
        names = _label_classes(labels[samples.label])
    return FitResult(
        neighbourhood=samples,
        local_fit=fit,
        class_names=names,
        model_name=str(getattr(model, "name", type(model).__name__)),
        settings=settings,
        sampling=sampling,
        options=trust_options(explainer),
        trust_seed=trust_seed,
        trust=trust,
        labels=labels,
    )


def _interim_result(
    explainer: BaseTextExplainer,
    rng: np.random.Generator,
    on_round: Callable[[FitResult], bool | None],
    run: SampledFit,
) -> bool | None:
    """One round's fit as data for ``fit(on_round=...)``. Its trust seed is the one ``_finish`` would draw were
    sampling to stop here, read from a copy of ``rng`` (the samples still to come are not changed)."""
    trust_seed = int(copy.deepcopy(rng).integers(2**32))
    # a round's features are the sampled ones (word pairs are chosen only once sampling ends), whatever an earlier
    # fit of this explainer left in neighbourhood_
    pairs = _has_pairs(run.neighbourhood.features, explainer)
    settings = replace(explainer_settings(explainer, run.fit), bigrams=pairs, features_reason="")
    return on_round(_result(explainer, run.neighbourhood, run.fit, settings, run.report, trust_seed, run.trust))


def stopped_early(result: FitResult) -> FitResult:
    """A preliminary round's fit kept as the result of a run stopped there (``fit(on_round=...)``): the same fit,
    its sampling report saying ``STOP_EARLY``, so every output and the verdict say it was stopped early."""
    if not result.preliminary:
        raise ValueError("only a preliminary result (a round's fit while sampling went on) can be stopped early")
    return replace(result, sampling=replace(result.sampling, stopped_because=STOP_EARLY))


def preliminary_explanation(result: FitResult, targets: Targets = None) -> Explanation:
    """A round's explanation while sampling goes on: the weights and their intervals, no model calls and none of the
    checks that belong to a finished result (stability refits, faithfulness, other methods)."""
    quick = replace(result.options, stability_refits=0, faithfulness=False, methods=())
    return explain_fit(replace(result, options=quick), targets, faithfulness=False, methods=())


# -- the work, in functions ----------------------------------------------------------------------------------------


def explain_fit(
    result: FitResult,
    targets: Targets = None,
    *,
    faithfulness: bool | None = None,
    black_box: BlackBox | LabelView | None = None,
    methods: str | Sequence[str] | None = None,
) -> Explanation:
    """The :class:`Explanation` of a fit for the given classes (default: the predicted one), from its data alone.

    No model calls, except a faithfulness check or a comparison of methods not made yet (``faithfulness=True``
    or ``methods=...``, or None and the fit's options), which ask ``black_box``; without one they raise. Trust
    results are computed once per fit and kept in ``result.trust``.
    """
    multi_label = None
    if result.labels:  # one label's yes/no question: another label is refitted on the same samples
        result = label_result(result, resolve_label(targets, result.labels, result.neighbourhood.label_index))
        targets = [LABEL_CLASS]
        label_scores = result.neighbourhood.label_scores
        assert label_scores is not None, "a multi-label fit keeps every label's answers"
        scores = label_scores[0]
        multi_label = MultiLabelScores(result.labels, tuple(float(p) for p in scores), str(result.label))
        black_box = None if black_box is None else result.neighbourhood.asked(black_box)
    samples, fit, options, trust = result.neighbourhood, result.local_fit, result.options, result.trust
    compared = options.methods if methods is None else parse_methods(methods)
    check_faithfulness = (options.faithfulness or bool(compared)) if faithfulness is None else faithfulness
    class_names = list(result.class_names)
    original_proba = samples.proba[0]
    surrogate_proba = fit.surrogate.predict_proba(samples.X[0])[0]
    linear = trust.linear
    predicted = samples.predicted
    target_ids = resolve_targets(targets, class_names, predicted)
    unc = trust.uncertainty(options.confidence) if options.uncertainty and linear else None  # a tree has none
    explained = tuple(_target(result, c, unc, surrogate_proba) for c in target_ids)
    focus = trust_class(predicted, target_ids)
    seed = result.trust_seed
    stability = faithful = compared_methods = None
    if focus is not None:  # the trust reports are about one explained class (none when targets=[])
        name = class_names[focus]
        if options.stability_refits and linear:
            stability = trust.stability(focus, name, options.stability_refits, options.top_k, seed, unc)
        if check_faithfulness:
            faithful = trust.faithfulness(focus, name, black_box, options.top_k, seed)
        if compared:
            output_scale = result.settings.output_scale
            compared_methods = trust.methods(focus, name, black_box, options.top_k, seed, compared, output_scale)
    return Explanation(
        text=samples.tokenized.text,
        model=result.model_name,
        class_names=tuple(class_names),
        probabilities=tuple(float(p) for p in original_proba),
        surrogate_probabilities=tuple(float(p) for p in surrogate_proba),
        targets=explained,
        metrics=fit.metrics,
        n_samples=samples.n_samples,
        n_model_calls=int(samples.n_model_calls),
        n_answers_reused=int(samples.n_answers_reused),
        settings=result.settings,
        uncertainty=None if unc is None else UncertaintyInfo(method=unc.method, confidence=unc.confidence),
        stability=stability,
        faithfulness=faithful,
        sampling=result.sampling,
        methods=compared_methods,
        multi_label=multi_label,
        answer_spread=answer_spread(samples.proba),
    )


def _label_classes(label: str) -> tuple[str, str]:
    return (negative_class(label), label)


def resolve_label(label: Targets, labels: Sequence[str], default: int | None) -> int:
    """The index of one label of a multi-label model: None (``default``, the label the samples were drawn for),
    a name, an index, or a one-item list of those."""
    if label is None:
        if default is None:
            raise ValueError("no label given and no default label")
        return int(default)
    ids = resolve_labels(label, labels)
    if len(ids) != 1:
        raise ValueError(
            "an explanation of a multi-label model is about one label (each label is its own yes/no question); "
            "use explanations(labels) or explain_labels(result, labels) for several"
        )
    return ids[0]


def resolve_labels(labels: Targets, names: Sequence[str]) -> list[int]:
    """Label indices of a multi-label model for None or "all" (every label), a name, an index, or a list."""
    if labels is None:
        return list(range(len(names)))
    return resolve_targets(labels, names, 0)


def label_result(result: FitResult, label: int | str) -> FitResult:
    """A multi-label fit seen as another label's yes/no question: the surrogate refitted on the same samples.

    No model calls; the held-out split is drawn from the trust seed and the label, so it is the same every time.
    """
    if not result.labels:
        raise ValueError("label_result is for a multi-label model's fit")
    samples = result.neighbourhood
    index = resolve_label(label, result.labels, samples.label_index)
    if index == samples.label_index:
        return result
    view = samples.for_label(index)
    fit = fit_local_model(
        view.X,
        view.proba,
        view.sample_weight,
        result.local_fit.surrogate,
        result.settings.heldout_fraction,
        np.random.default_rng([result.trust_seed, index]),
        metric_weight=view.similarity,
    )
    # The rounds settled the label the samples were drawn for, not this one: the verdict says so (auto only).
    sampling = replace(result.sampling, stopped_because=STOP_SHARED, history=())
    return replace(
        result,
        neighbourhood=view,
        local_fit=fit,
        class_names=_label_classes(result.labels[index]),
        sampling=sampling,
        trust=TrustResults(view, fit),
    )


def explain_labels(
    result: FitResult, labels: Targets = "all", *, faithfulness: bool | None = None
) -> list[Explanation]:
    """One :class:`Explanation` per label of a multi-label fit (default every label), from its data alone."""
    ids = resolve_labels(labels, result.labels)
    return [explain_fit(label_result(result, i), faithfulness=faithfulness) for i in ids]


def _target(result: FitResult, c: int, unc: WeightUncertainty | None, surrogate_proba: np.ndarray) -> TargetExplanation:
    """One class's weights, largest first, with their intervals when known."""
    samples, trust = result.neighbourhood, result.trust
    values = trust.feature_values()
    coefs, intercepts = trust.reported()
    coef = coefs[c]
    names, spans = samples.features.names, samples.features.spans
    if unc is not None:
        low, high = unc.intervals(coef, c)
        std = unc.std[c]

    def weight(j: int) -> FeatureWeight:
        known: dict[str, Any] = {}
        if unc is not None:
            known = {"std": float(std[j]), "interval": (float(low[j]), float(high[j]))}
        return FeatureWeight(feature=names[j], weight=float(coef[j]), spans=spans[j], value=float(values[j]), **known)

    return TargetExplanation(
        class_name=result.class_names[c],
        class_index=c,
        probability=float(samples.proba[0][c]),
        surrogate_probability=float(surrogate_proba[c]),
        bias=float(intercepts[c]),
        weights=tuple(weight(j) for j in np.argsort(-coef, kind="stable")),
    )


def explainer_settings(explainer: BaseTextExplainer, fitted: LocalFit | None) -> ExplainerSettings:
    """The :class:`ExplainerSettings` of ``explainer``'s parameters and, when fitted, of its surrogate."""
    surrogate = fitted.surrogate if fitted is not None else None
    tokenizer = explainer.tokenizer if isinstance(explainer.tokenizer, str) else repr(explainer.tokenizer)
    chosen: LevelChoice | None = getattr(explainer, "level_", None)
    level = chosen.level if chosen is not None else (WORDS if explainer.level == AUTO_LEVEL else explainer.level)
    if chosen is not None and chosen.level != WORDS:
        tokenizer = chosen.level
    declared = surrogate if surrogate is not None else explainer.make_surrogate()
    choice = getattr(explainer, "pairs_choice_", None)
    removal = getattr(explainer, "removal_", None)
    if removal is None:  # not fitted: what was asked for
        asked = explainer.removal
        removal_name = asked if isinstance(asked, str) else getattr(asked, "name", DELETION)
        replacement = explainer.mask_token
    else:
        removal_name, replacement = removal.name, removal.replacement
    return ExplainerSettings(
        n_samples=int(explainer.max_samples if explainer.adaptive else explainer.n_samples),
        random_state=_int_seed(explainer.random_state),
        tokenization=tokenizer,
        sampler=safe_repr(explainer.make_sampler()),
        kernel=repr(explainer.make_kernel()),
        surrogate=repr(explainer.make_surrogate()),
        bigrams=_has_pairs(getattr(getattr(explainer, "neighbourhood_", None), "features", None), explainer),
        features_reason="" if choice is None else choice.reason,
        mask_token=replacement,
        removal=removal_name,
        heldout_fraction=float(explainer.heldout_fraction),
        adaptive=explainer.adaptive,
        position_dependent=bool(explainer.position_dependent),
        weights_kind=weights_kind(surrogate),
        output_scale=_reported_scale(declared),
        level=level,
        level_reason=chosen.reason if chosen is not None else "",
        within=None if explainer.within is None else (int(explainer.within[0]), int(explainer.within[1])),
    )


def _has_pairs(features: Any, explainer: BaseTextExplainer) -> bool:
    """Whether ``features`` (a fit's; None before fit) include word pairs; features that are not lime_core's
    :class:`FeatureSpace` (or none yet) say what was asked for."""
    if isinstance(features, FeatureSpace):
        return bool(len(features.bigram_left))
    return explainer.bigrams is True


def _reported_scale(surrogate: Any) -> str:
    """The scale of the reported weights: a tree's path contributions are probabilities."""
    return "probability" if weights_kind(surrogate) == "tree_path" else output_scale(surrogate)


def _int_seed(random_state: Any) -> int | None:
    return int(random_state) if isinstance(random_state, int | np.integer) else None


def seed_of(random_state: Any) -> Any:
    """A seed ``numpy.random.default_rng`` takes: eli5 and lime also accept a ``numpy.random.RandomState``,
    which is drawn from once (as eli5 and lime draw from it)."""
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    return random_state


def safe_repr(part: Any) -> str:
    """``repr(part)`` for the settings; a user's object whose repr fails (eli5's ``MaskingTextSamplers`` under
    recent scikit-learn) is named by its class."""
    try:
        return repr(part)
    except Exception:  # a third-party repr; the settings only need a name
        return f"{type(part).__module__}.{type(part).__qualname__}(...)"


def check_params(explainer: BaseTextExplainer) -> None:
    """Refuse parameters that cannot work, saying why, before anything is sampled."""
    adaptive_count = explainer.adaptive
    if not adaptive_count:
        _check_count("n_samples", explainer.n_samples, 20, "to fit and hold out samples", AUTO)
    _check_count("max_samples", explainer.max_samples, 20, "to fit and hold out samples")
    if not adaptive_count:
        check_samples(int(explainer.n_samples))
    check_samples(int(explainer.max_samples), "max_samples")
    check_level(explainer.level)
    _check_count("top_k", explainer.top_k, 1, "")
    _check_count("auto_top_k", explainer.auto_top_k, 1, "")
    _check_count("stability_refits", explainer.stability_refits, 0, "")
    parse_methods(explainer.methods)
    check_bigrams(explainer.bigrams)
    confidence, tolerance = explainer.confidence, explainer.auto_tolerance
    if isinstance(confidence, bool) or not isinstance(confidence, float | int | np.floating):
        raise ValueError(f"confidence must be a number between 0 and 1, not {confidence!r}")
    if not 0.0 < float(confidence) < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (e.g. 0.95), not {confidence}")
    if isinstance(tolerance, bool) or not isinstance(tolerance, float | int | np.floating):
        raise ValueError(f"auto_tolerance must be a positive number, not {tolerance!r}")
    if not float(tolerance) > 0:
        raise ValueError(f"auto_tolerance must be positive, not {tolerance}")
    if explainer.multi_label is not None and not isinstance(explainer.multi_label, bool | np.bool_):
        raise ValueError(
            f"multi_label must be True, False or None (the model's own setting), not {explainer.multi_label!r}"
        )


def _check_count(name: str, value: Any, minimum: int, why: str, alternative: str | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        also = f' or "{alternative}"' if alternative else ""
        raise ValueError(f"{name} must be a whole number{also}, not {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}{' ' + why if why else ''}, not {value}")


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


