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

from .classifier import as_classifier
from .explanation import ExplainerSettings, Explanation, FeatureWeight, TargetExplanation
from .features import FeatureSpace
from .fitting import LocalFit, fit_local_model
from .kernels import CosineKernel, Kernel, cosine_similarity_to_original
from .predictor import BlackBox, PredictionCache, ProgressCallback
from .sampling import Sampler, default_sampler, draw_neighbourhood
from .surrogates import SoftmaxSurrogate, Surrogate
from .tokenization import TokenizedText, Tokenizer, get_tokenizer

DEFAULT_MAX_CHARS = 100_000

Targets = None | str | int | Sequence[str | int]


class TextExplainer:
    """Explains one prediction of a text classifier with a local surrogate.

    Parameters are stored unchanged; :meth:`fit` does the work and sets the
    learned attributes (``tokenized_``, ``features_``, ``keep_``, ``X_``,
    ``proba_``, ``sample_weight_``, ``similarity_``, ``local_fit_``, ``n_model_calls_``);
    :meth:`explanation` turns them into an :class:`Explanation`. The same
    ``random_state`` gives an identical explanation.
    """

    def __init__(
        self,
        n_samples: int = 5000,
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

    # -- the resolved parts ---------------------------------------------------------------------------------------

    def _tokenizer(self) -> Tokenizer:
        return get_tokenizer(self.tokenizer) if isinstance(self.tokenizer, str) else self.tokenizer

    def _sampler(self) -> Sampler:
        return self.sampler if self.sampler is not None else default_sampler()

    def _kernel(self) -> Kernel:
        return self.kernel if self.kernel is not None else CosineKernel()

    def _surrogate(self) -> Surrogate:
        return self.surrogate if self.surrogate is not None else SoftmaxSurrogate()

    def _check_params(self) -> None:
        if isinstance(self.n_samples, bool) or not isinstance(self.n_samples, int | np.integer):
            raise ValueError(f"n_samples must be a whole number, not {self.n_samples!r}")
        if self.n_samples < 20:
            raise ValueError(f"n_samples must be at least 20 to fit and hold out samples, not {self.n_samples}")

    # -- fitting --------------------------------------------------------------------------------------------------

    def fit(self, text: str, model: Any, progress: ProgressCallback | None = None) -> TextExplainer:
        """Sample the neighbourhood of ``text``, ask ``model`` about it, and fit the surrogate."""
        self._check_params()
        classifier = as_classifier(model)
        rng = np.random.default_rng(self.random_state)
        tokenized = TokenizedText.from_text(text, self._tokenizer(), self.max_chars)
        features = FeatureSpace.build(tokenized, bigrams=self.bigrams)
        keep = draw_neighbourhood(self._sampler(), features.groups, self.n_samples, rng)
        texts = tokenized.rebuild(keep, replacement=self.mask_token or "")

        black_box = BlackBox(classifier, cache=self.cache, batch_size=self.batch_size)
        predictions = black_box.predict(texts, progress=progress)

        self.model_ = classifier
        self.tokenized_ = tokenized
        self.features_ = features
        self.keep_ = keep
        self.X_ = features.transform(keep)
        self.proba_ = predictions.proba
        self.sample_weight_ = self._kernel().weights(keep)
        self.similarity_ = cosine_similarity_to_original(keep)
        self.n_model_calls_ = predictions.n_model_calls
        self.local_fit_ = self.refit(rng)
        return self

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

    def explanation(self, targets: Targets = None, local_fit: LocalFit | None = None) -> Explanation:
        """The explanation of the fitted text for the given classes (default: the predicted one)."""
        fit = local_fit or self.local_fit_
        class_names = [str(c) for c in self.model_.class_names]
        original_proba = self.proba_[0]
        x0 = self.X_[0]
        surrogate_proba = fit.surrogate.predict_proba(x0)[0]
        values = np.asarray(x0.todense()).ravel()
        target_ids = resolve_targets(targets, class_names, int(np.argmax(original_proba)))
        names, spans = self.features_.names, self.features_.spans
        explained = []
        coefs, intercepts = class_weights(
            fit.surrogate.coef_, fit.surrogate.intercept_, getattr(fit.surrogate, "output_scale", "logit")
        )
        for c in target_ids:
            coef = coefs[c]
            order = np.argsort(-coef, kind="stable")
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
        )

    def settings(self) -> ExplainerSettings:
        tokenizer = self.tokenizer if isinstance(self.tokenizer, str) else repr(self.tokenizer)
        return ExplainerSettings(
            n_samples=int(self.n_samples),
            random_state=None if self.random_state is None else int(self.random_state),
            tokenization=tokenizer,
            sampler=repr(self._sampler()),
            kernel=repr(self._kernel()),
            surrogate=repr(self._surrogate()),
            bigrams=bool(self.bigrams),
            mask_token=self.mask_token,
            heldout_fraction=float(self.heldout_fraction),
        )

    def explain(
        self, text: str, model: Any, targets: Targets = None, progress: ProgressCallback | None = None
    ) -> Explanation:
        """Fit and explain in one call."""
        return self.fit(text, model, progress=progress).explanation(targets)


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
