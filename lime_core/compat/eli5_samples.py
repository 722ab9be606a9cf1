"""eli5's ``TextExplainer(vec=..., sampler=...)``: perturbed texts from any sampler, features from any vectorizer.

lime_core's own path draws keep-masks and computes the features from them
(:mod:`lime_core.features`). eli5 users pass their own parts instead, and this
module's :class:`TextSamplesSource` draws with them the way eli5 does:

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

from ..kernels import cosine_similarity_to_original
from ..limits import check_sample_chars
from ..neighbourhood import Neighbourhood
from ..removal import resolve_removal
from ..sampling import draw_neighbourhood
from ..tokenization import TokenizedText

if TYPE_CHECKING:
    from .eli5_api import TextExplainer

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
    """Whether the samples come from this module's source (a ``vec=`` or an eli5 sampler)."""
    return explainer.vec is not None or is_eli5_sampler(explainer.sampler)


def check_text_sample_params(explainer: TextExplainer) -> None:
    """Refuse combinations that have no meaning on this path, saying why."""
    vec = explainer.vec
    if vec is not None and not (callable(getattr(vec, "fit", None)) and callable(getattr(vec, "transform", None))):
        raise ValueError(f"vec= must be a scikit-learn vectorizer (fit and transform), not {type(vec).__name__}")
    if explainer.vec is not None and explainer.position_dependent:
        raise ValueError("vec= is not supported with position_dependent=True, which has its own features (as in eli5)")
    if explainer.vec is not None and explainer.bigrams is True:
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


class TextSamplesSource:
    """eli5's ``sampler=`` / ``vec=`` as a neighbourhood source (:mod:`lime_core.rounds`): perturbed texts from
    the user's sampler (or lime_core's, with ``vec=``), features from the user's vectorizer (or eli5's
    per-position features). One round: ``n_samples`` texts, the text itself first."""

    def __init__(self, explainer: TextExplainer, text: str) -> None:
        self.explainer = explainer
        self.text = text
        self.tokenized = TokenizedText.from_text(text, explainer.make_tokenizer(), explainer.max_chars)
        check_sample_chars(int(explainer.n_samples), len(self.tokenized.text))
        # eli5's parts remove words as eli5 does: deleted, or replaced by the mask_token string when given.
        self.removal = resolve_removal(None, explainer.mask_token, None)
        self.eli5_sampler = is_eli5_sampler(explainer.sampler)
        self.by_position = self.eli5_sampler and bool(explainer.position_dependent)
        if self.by_position:
            pattern = _token_pattern(explainer)
            self.features = position_features(text, pattern, len(re.findall(pattern, text)))
        else:
            vec = explainer.vec if explainer.vec is not None or not self.eli5_sampler else default_vectorizer(explainer)
            self.features = vectorizer_features(text, vec)
        self._drawn: tuple[list[str], np.ndarray, np.ndarray, sp.csr_matrix] | None = None

    def draw(self, n_samples: int, rng: np.random.Generator) -> list[str]:
        if self._drawn is not None:
            raise ValueError("eli5's samplers and vec= draw their samples in one round")
        explainer, text = self.explainer, self.text
        sampler: Any = explainer.sampler  # with eli5_sampler, eli5's: sample_near(), sample_near_with_mask()
        X = None
        if self.eli5_sampler:
            if self.by_position:
                texts, similarity, mask, _ = sampler.sample_near_with_mask(text, n_samples=n_samples - 1)
                n_tokens = int(np.asarray(mask).shape[1])
                if n_tokens != self.features.n_features:  # the same message as position_features'
                    position_features(text, _token_pattern(explainer), n_tokens)
                ones = sp.csr_matrix(np.ones((1, self.features.n_features)))
                X = sp.vstack([ones, sp.csr_matrix(~np.asarray(mask))])
            else:
                texts, similarity = sampler.sample_near(text, n_samples=n_samples - 1)
            texts = [text, *texts]
            similarity = np.concatenate([[1.0], np.asarray(similarity, dtype=np.float64)])
            if explainer.rbf_sigma is not None:  # eli5's rbf(1 - similarity, sigma)
                weight = np.exp(-((1.0 - similarity) ** 2) / (2.0 * float(explainer.rbf_sigma) ** 2))
            else:
                weight = similarity
        else:  # lime_core's sampler, eli5's vectorizer
            keep = draw_neighbourhood(explainer.make_sampler(), _token_groups(self.tokenized), n_samples, rng)
            texts = self.tokenized.rebuild(keep, replacement=explainer.mask_token or "")
            similarity = cosine_similarity_to_original(keep)
            weight = explainer.make_kernel().weights(keep)
        if X is None:
            X = sp.csr_matrix(self.features.vectorizer.transform(texts), dtype=np.float64)
        self._drawn = (list(texts), similarity, np.asarray(weight, dtype=np.float64), X.tocsr())
        return list(texts)

    def neighbourhood(self, proba: np.ndarray, n_model_calls: int, n_answers_reused: int) -> Neighbourhood:
        if self._drawn is None:
            raise ValueError("nothing drawn yet")
        texts, similarity, weight, X = self._drawn
        n = len(proba)  # the first samples only, when only they are answered yet (a first look)
        return Neighbourhood(
            tokenized=self.tokenized,
            features=self.features,
            X=X[:n],
            proba=proba,
            sample_weight=weight[:n],
            similarity=similarity[:n],
            texts=tuple(texts[:n]),  # no keep-masks on this path: samples_ are these texts
            mask_token=self.explainer.mask_token,
            removal=self.removal,
            n_model_calls=int(n_model_calls),
            n_answers_reused=int(n_answers_reused),
        )


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
