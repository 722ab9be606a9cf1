"""eli5's ``TextExplainer(vec=..., sampler=...)``: perturbed texts from any sampler, features from any vectorizer.

lime_core's own path draws keep-masks and computes the features from them
(:mod:`lime_core.features`). eli5 users pass their own parts instead, and this
module fits with them the way eli5 does:

* ``sampler=``: anything with ``sample_near(doc, n_samples) -> (texts,
  similarity)`` (eli5's ``MaskingTextSampler``, ``MaskingTextSamplers``, ...;
  duck-typed, eli5 is never imported). With ``position_dependent=True`` it
  must also have eli5's ``sample_near_with_mask(doc, n_samples) -> (texts,
  similarity, mask, tokenized)``: ``mask`` marks the removed tokens, and every
  token position is a feature ``"[i] token"`` (tokens found with the
  sampler's ``token_pattern``). Its similarities weigh the fit (through
  ``rbf_sigma`` when set) and the fidelity metrics, as in eli5.
* ``vec=``: a scikit-learn vectorizer, cloned and fitted on the text alone,
  then applied to every perturbed text (eli5's way). Without ``vec`` an eli5
  sampler gets eli5's default vectorizer: word unigrams and bigrams (or char
  2-5-grams with ``char_based=True``).

Row 0 of ``samples_`` is the text itself, as on lime_core's own path, so the
sampler is asked for ``n_samples - 1`` texts. Word features of a
``CountVectorizer``-like vectorizer (and of a ``FeatureUnion`` of them) are
located in the text, so they are highlighted; features it cannot locate
(a document-length feature, hashed features) are listed, not highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from ..classifier import as_classifier, validate_class_names
from ..kernels import cosine_similarity_to_original
from ..limits import check_sample_chars
from ..predictor import BlackBox, ProgressCallback
from ..removal import resolve_removal
from ..sampling import draw_neighbourhood
from ..tokenization import TokenizedText

if TYPE_CHECKING:
    from ..explainer import TextExplainer

# eli5's default token pattern for its word vectorizer and samplers (single-character words included).
ELI5_TOKEN_PATTERN = r"\b\w+\b"


@dataclass(frozen=True)
class VectorizedFeatures:
    """The features of a user's vectorizer on one text: names and, where they can be found, their spans."""

    names: tuple[str, ...]
    spans: tuple[tuple[tuple[int, int], ...], ...]
    vectorizer: Any  # the fitted vectorizer (None for eli5's position features)

    @property
    def n_features(self) -> int:
        return len(self.names)


def is_eli5_sampler(sampler: Any) -> bool:
    """eli5's sampler protocol: ``sample_near(doc, n_samples)`` (lime_core's samplers have ``sample``)."""
    return sampler is not None and callable(getattr(sampler, "sample_near", None))


def uses_text_samples(explainer: TextExplainer) -> bool:
    """Whether ``fit`` takes this module's path (a ``vec=`` or an eli5 sampler)."""
    return explainer.vec is not None or is_eli5_sampler(explainer.sampler)


def check_text_sample_params(explainer: TextExplainer) -> None:
    """Refuse combinations that have no meaning on this path, saying why."""
    vec = explainer.vec
    if vec is not None and not (callable(getattr(vec, "fit", None)) and callable(getattr(vec, "transform", None))):
        raise ValueError(f"vec= must be a scikit-learn vectorizer (fit and transform), not {type(vec).__name__}")
    if explainer.vec is not None and explainer.position_dependent:
        raise ValueError("vec= is not supported with position_dependent=True, which has its own features (as in eli5)")
    if explainer.vec is not None and explainer.bigrams:
        raise ValueError("with vec= the vectorizer makes the features: set ngram_range on it instead of bigrams=True")
    if explainer.adaptive:
        raise ValueError(
            'n_samples="auto" needs lime_core\'s own samplers and features; pass a number with vec= or an eli5 sampler'
        )
    if explainer.faithfulness:
        raise ValueError(
            "faithfulness removes the text's words, which needs lime_core's own features; it is not "
            "available with vec= or an eli5 sampler"
        )
    eli5_sampler = is_eli5_sampler(explainer.sampler)
    if eli5_sampler and explainer.kernel is not None:
        raise ValueError(
            "an eli5 sampler gives its own similarities (use rbf_sigma= to reshape them); kernel= "
            "applies to lime_core's samplers only"
        )
    if (
        eli5_sampler
        and explainer.position_dependent
        and not callable(getattr(explainer.sampler, "sample_near_with_mask", None))
    ):
        raise ValueError("position_dependent=True needs a sampler with sample_near_with_mask (eli5's samplers)")


def fit_text_samples(
    explainer: TextExplainer, text: str, model: Any, progress: ProgressCallback | None = None
) -> TextExplainer:
    """``explainer.fit`` with a user's sampler and/or vectorizer; sets the same learned attributes."""
    from ..compat.eli5_api import seed_of
    from ..neighbourhood import Neighbourhood
    from ..trust.stopping import fixed_sampling

    explainer._check_params()
    check_text_sample_params(explainer)
    n = int(explainer.n_samples)
    rng = np.random.default_rng(seed_of(explainer.random_state))
    tokenized = TokenizedText.from_text(text, explainer._tokenizer(), explainer.max_chars)
    check_sample_chars(n, len(tokenized.text))
    classifier = as_classifier(model)
    black_box = BlackBox(classifier, cache=explainer.cache, batch_size=explainer.batch_size)
    validate_class_names(classifier)  # after BlackBox, as in TextExplainer.fit
    sampler = explainer.sampler
    if is_eli5_sampler(sampler):
        if explainer.position_dependent:
            texts, similarity, mask, _ = sampler.sample_near_with_mask(text, n_samples=n - 1)
            features = position_features(text, _token_pattern(explainer), int(np.asarray(mask).shape[1]))
            X = sp.vstack([sp.csr_matrix(np.ones((1, features.n_features))), sp.csr_matrix(~np.asarray(mask))])
        else:
            texts, similarity = sampler.sample_near(text, n_samples=n - 1)
            features = vectorizer_features(text, explainer.vec or default_vectorizer(explainer))
            X = None
        texts = [text, *texts]
        similarity = np.concatenate([[1.0], np.asarray(similarity, dtype=np.float64)])
        if explainer.rbf_sigma is not None:  # eli5's rbf(1 - similarity, sigma)
            weight = np.exp(-((1.0 - similarity) ** 2) / (2.0 * float(explainer.rbf_sigma) ** 2))
        else:
            weight = similarity
    else:  # lime_core's sampler, eli5's vectorizer
        keep = draw_neighbourhood(explainer._sampler(), _token_groups(tokenized), n, rng)
        texts = tokenized.rebuild(keep, replacement=explainer.mask_token or "")
        similarity = cosine_similarity_to_original(keep)
        weight = explainer._kernel().weights(keep)
        features = vectorizer_features(text, explainer.vec)
        X = None
    if X is None:
        X = sp.csr_matrix(features.vectorizer.transform(texts), dtype=np.float64)
    predictions = black_box.predict(list(texts), progress=progress)

    explainer._start(classifier, black_box)
    # eli5's parts remove words as eli5 does: deleted, or replaced by the mask_token string when given.
    explainer.removal_ = resolve_removal(None, explainer.mask_token, None)
    samples = Neighbourhood(
        tokenized=tokenized,
        features=features,
        X=X.tocsr(),
        proba=predictions.proba,
        sample_weight=np.asarray(weight, dtype=np.float64),
        similarity=similarity,
        texts=tuple(texts),  # no keep-masks on this path: samples_ are these texts
        mask_token=explainer.mask_token,
        removal=explainer.removal_,
        n_model_calls=int(predictions.n_model_calls),
    )
    fit = explainer._fit_surrogate(samples, rng)
    return explainer._finish(samples, fit, fixed_sampling(samples), rng)


def safe_repr(part: Any) -> str:
    """``repr(part)`` for the settings; a user's object whose repr fails (eli5's ``MaskingTextSamplers`` under
    recent scikit-learn) is named by its class."""
    try:
        return repr(part)
    except Exception:  # a third-party repr; the settings only need a name
        return f"{type(part).__module__}.{type(part).__qualname__}(...)"


def _token_groups(tokenized: TokenizedText) -> Any:
    from ..features import FeatureSpace

    return FeatureSpace.build(tokenized).groups


def _token_pattern(explainer: TextExplainer) -> str:
    pattern = getattr(explainer.sampler, "token_pattern", None) or explainer.token_pattern
    if pattern is None:
        pattern = r"[^\s]" if explainer.char_based else ELI5_TOKEN_PATTERN  # eli5's defaults
    return str(pattern)


def default_vectorizer(explainer: TextExplainer) -> Any:
    """eli5's default vectorizer: char 2-5-grams with ``char_based=True``, else word unigrams and bigrams."""
    from sklearn.feature_extraction.text import CountVectorizer

    if explainer.char_based:
        return CountVectorizer(analyzer="char", ngram_range=(2, 5))
    return CountVectorizer(token_pattern=explainer.token_pattern or ELI5_TOKEN_PATTERN, ngram_range=(1, 2))


def position_features(text: str, token_pattern: str, n_tokens: int) -> VectorizedFeatures:
    """One feature per token position, ``"[i] token"`` (eli5's names), located with the sampler's pattern."""
    matches = list(re.finditer(token_pattern, text))
    if len(matches) != n_tokens:
        raise ValueError(
            f"the sampler's mask has {n_tokens} tokens but token_pattern {token_pattern!r} finds {len(matches)} "
            "in the text; give the sampler and the explainer the same token_pattern"
        )
    return VectorizedFeatures(
        names=tuple(f"[{i}] {m.group()}" for i, m in enumerate(matches)),
        spans=tuple(((m.start(), m.end()),) for m in matches),
        vectorizer=None,
    )


def vectorizer_features(text: str, vec: Any) -> VectorizedFeatures:
    """Clone ``vec``, fit it on ``text`` alone (as eli5 does) and name and locate its features."""
    from sklearn.base import clone

    fitted = clone(vec).fit([text])
    names = feature_names(fitted)
    located = feature_spans(fitted, text)
    return VectorizedFeatures(
        names=tuple(names), spans=tuple(tuple(located.get(name, ())) for name in names), vectorizer=fitted
    )


def feature_names(vec: Any) -> list[str]:
    """A fitted vectorizer's feature names: ``get_feature_names_out``, else the old ``get_feature_names``; a
    ``FeatureUnion``'s parts are asked one by one (eli5's tutorial has a part with only the old method)."""
    parts = getattr(vec, "transformer_list", None)
    if parts is not None:
        names: list[str] = []
        for name, part in parts:
            if part in ("drop", None):
                continue
            names += [f"{name}__{f}" for f in feature_names(part)]
        return names
    for method in ("get_feature_names_out", "get_feature_names"):
        if callable(getattr(vec, method, None)):
            try:
                return [str(f) for f in getattr(vec, method)()]
            except (AttributeError, ValueError, TypeError):
                continue
    width = np.asarray(vec.transform([""]).shape)[1] if hasattr(vec, "transform") else 0
    return [f"x{j}" for j in range(int(width))]


def feature_spans(vec: Any, text: str, prefix: str = "") -> dict[str, list[tuple[int, int]]]:
    """Where each n-gram feature of a fitted ``CountVectorizer``-like vectorizer occurs in ``text``.

    Word n-grams: the vectorizer's token pattern on the (lower-cased if it lower-cases) text, consecutive
    tokens joined by a space; character n-grams: every window of the text. Stop words, custom analyzers and
    preprocessors are not replayed: features this cannot find are simply not highlighted.
    """
    parts = getattr(vec, "transformer_list", None)
    if parts is not None:
        out: dict[str, list[tuple[int, int]]] = {}
        for name, part in parts:
            if part not in ("drop", None):
                out.update(feature_spans(part, text, f"{prefix}{name}__"))
        return out
    vocabulary = getattr(vec, "vocabulary_", None)
    analyzer = getattr(vec, "analyzer", None)
    if not isinstance(vocabulary, dict) or not isinstance(analyzer, str):
        return {}
    lo, hi = getattr(vec, "ngram_range", (1, 1))
    lower = bool(getattr(vec, "lowercase", True))
    found: dict[str, list[tuple[int, int]]] = {}

    def add(gram: str, start: int, end: int) -> None:
        if gram in vocabulary:
            found.setdefault(prefix + gram, []).append((start, end))

    if analyzer == "word":
        pattern = getattr(vec, "token_pattern", None) or r"(?u)\b\w\w+\b"
        tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(pattern, text.lower() if lower else text)]
        for size in range(lo, hi + 1):
            for i in range(len(tokens) - size + 1):
                window = tokens[i : i + size]
                add(" ".join(t[2] for t in window), window[0][0], window[-1][1])
    elif analyzer in ("char", "char_wb"):
        folded = text.lower() if lower else text
        for size in range(lo, hi + 1):
            for i in range(len(folded) - size + 1):
                add(re.sub(r"\s\s+", " ", folded[i : i + size]), i, i + size)
    return found
