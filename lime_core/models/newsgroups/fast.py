"""Fast prediction for the thousands of perturbed texts LIME asks for.

:class:`FastPredictor` computes the same numbers as the pipeline's
``predict_proba`` with one BLAS product for the RBF kernel instead of
libsvm's per-pair loop, and reads a long text's features line by line
through a cache: LIME's perturbed copies of a long post share most of its
lines, which were otherwise tokenized again for every copy (95 % of the time
of a 57,000-character post).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import SVC

from .._sklearn_compat import ovo_decision_weights
from ..svm_probability import PairwiseCoupledSVC

# Rows per chunk in predict_proba: bounds the kernel matrix (chunk x support vectors) in memory.
_CHUNK = 4096
# A text of at least this many lines has its features read line by line, each line once (_LineFeatures).
_MIN_LINES = 8
# ... while at least this share of the lines looked up in the call were cached, judged after this many texts.
_MIN_HIT_SHARE = 0.75
_TRIAL_TEXTS = 8
# Lines kept in the cache before it is emptied: a few hundred per long post; at most some 30 MB however many
# texts a worker or the dashboard explains.
_LINE_CACHE_SIZE = 50_000
# Rows per matrix product: every product has this many rows (the last block is filled with zeros), so a text's
# probabilities never depend on the texts sent with it (BLAS rounds other shapes differently, by ~1e-16).
_BLOCK = 256


class FastPredictor:
    """``pipeline.predict_proba`` for this pipeline's exact structure, without the slow loops.

    Same arithmetic as scikit-learn, re-arranged: TF-IDF counts are looked up
    with one dict ``get`` per feature (the vectorizer's own analyzer makes the
    features), and the RBF kernel against all support vectors is one BLAS
    product instead of libsvm's per-pair evaluation. The classifier's own
    sigmoids and pairwise coupling turn the decision values into
    probabilities. Results agree with the pipeline to ~1e-12 (checked by the
    tests); :meth:`from_pipeline` returns None for any pipeline it was not
    written for, and the caller then uses the pipeline itself.
    """

    def __init__(self, pipeline: Pipeline):
        tfidf, svd, clf = (step for _, step in pipeline.steps)
        self._analyze = tfidf.build_analyzer()
        self._vocabulary: dict[str, int] = tfidf.vocabulary_
        self._idf = np.asarray(tfidf.idf_, dtype=np.float64)
        self._components_t = np.ascontiguousarray(svd.components_.T)
        svc: SVC = clf.svc_
        self._clf: PairwiseCoupledSVC = clf
        self._n_classes = len(svc.classes_)
        self._gamma = float(svc.gamma)
        self._support = np.ascontiguousarray(svc.support_vectors_, dtype=np.float64)
        self._support_sq = np.einsum("ij,ij->i", self._support, self._support)
        self._intercept = np.asarray(svc.intercept_, dtype=np.float64)
        self._pair_weights = ovo_decision_weights(svc)
        self._lines = _LineFeatures.from_vectorizer(tfidf)

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> FastPredictor | None:
        """A fast predictor when ``pipeline`` has exactly the structure of :func:`build_pipeline`, else None."""
        try:
            tfidf, svd, clf = (step for _, step in pipeline.steps)
            svc = clf.svc_
            supported = (
                type(tfidf) is TfidfVectorizer
                and tfidf.analyzer == "word"
                and not tfidf.binary
                and tfidf.use_idf
                and not tfidf.sublinear_tf
                and tfidf.norm == "l2"
                and type(svd) is TruncatedSVD
                and type(clf) is PairwiseCoupledSVC
                and type(svc) is SVC
                and svc.kernel == "rbf"
                and isinstance(svc.gamma, float)
                and len(svc.classes_) > 2
                and np.array_equal(svc.classes_, clf.classes_)
                and np.array_equal(svc.classes_, np.arange(len(svc.classes_)))
            )
            return cls(pipeline) if supported else None
        except (AttributeError, TypeError, ValueError, IndexError):
            return None

    def _features(self, texts: Sequence[str]) -> np.ndarray:
        """TF-IDF (l2-normalised) followed by the SVD projection: the 100-dim inputs of the SVM."""
        get, missing = self._vocabulary.get, itertools.repeat(-1)
        ids: list[int] = []
        lengths: list[int] = []
        lines = self._lines
        # Line by line only while it pays: perturbed copies that drop whole sentences or paragraphs share most
        # lines, copies that drop single words share few (each line is then tokenized as well as looked up).
        hits = looked_up = tried = 0
        for text in texts:
            before = len(ids)
            if (
                lines is not None
                and text.count("\n") >= _MIN_LINES
                and (tried < _TRIAL_TEXTS or hits >= _MIN_HIT_SHARE * looked_up)
            ):
                found, n_lines = lines.extend_ids(ids, text)
                hits += found
                looked_up += n_lines
                tried += 1
            elif lines is not None:
                ids.extend(lines.read(text)[0])
            else:
                ids.extend(map(get, self._analyze(text), missing))  # -1 marks out-of-vocabulary features
            lengths.append(len(ids) - before)
        columns = np.asarray(ids, dtype=np.int64)
        rows = np.repeat(np.arange(len(texts)), lengths)
        known = columns >= 0
        counts = sp.csr_matrix(
            (np.ones(int(known.sum())), (rows[known], columns[known])), shape=(len(texts), len(self._idf))
        )
        counts.sum_duplicates()  # repeated features -> counts, indices sorted as scikit-learn has them
        counts.data *= self._idf[counts.indices]
        tfidf = normalize(counts, norm="l2", copy=False)
        return np.asarray(tfidf @ self._components_t)

    def _proba_chunk(self, texts: Sequence[str]) -> np.ndarray:
        features = self._features(texts)
        n = features.shape[0]
        z = np.zeros((-(-n // _BLOCK) * _BLOCK, features.shape[1]))
        z[:n] = features
        ovo = np.empty((z.shape[0], self._pair_weights.shape[1]))
        for start in range(0, z.shape[0], _BLOCK):
            block = z[start : start + _BLOCK]
            sq_dist = np.einsum("ij,ij->i", block, block)[:, None] + self._support_sq[None, :] - 2.0 * (
                block @ self._support.T
            )
            kernel = np.exp(-self._gamma * np.maximum(sq_dist, 0.0))
            ovo[start : start + _BLOCK] = kernel @ self._pair_weights + self._intercept
        return self._clf.proba_from_decision(ovo[:n])

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._n_classes))
        return np.vstack([self._proba_chunk(texts[i : i + _CHUNK]) for i in range(0, len(texts), _CHUNK)])


class _LineFeatures:
    """A word n-gram vectorizer's feature ids of a text, computed line by line with each line's result cached.

    Exact for the default tokenizer (``token_pattern`` ``(?u)\\b\\w\\w+\\b``, no custom preprocessor, tokenizer
    or analyzer) and n-grams of 1 or 1-2 words: a token never spans a line break and lower-casing does not look
    across one, so a text's tokens are its lines' tokens in order; stop words are dropped per token; and the only
    n-grams a line cannot know are the word pairs across a line break, made here from each line's first and last
    kept token. The ids are the ones scikit-learn's analyzer gives, possibly in another order (only their counts
    are used). :meth:`from_vectorizer` returns None for any other vectorizer.
    """

    def __init__(self, vocabulary: dict[str, int], preprocess: Any, tokenize: Any, stop_words: frozenset[str],
                 pairs: bool) -> None:
        self._unigrams = {t: i for t, i in vocabulary.items() if " " not in t}
        self._pairs: dict[tuple[str, ...], int] = (
            {tuple(t.split(" ")): i for t, i in vocabulary.items() if t.count(" ") == 1} if pairs else {}
        )
        self._with_pairs = pairs
        self._preprocess = preprocess
        self._tokenize = tokenize
        self._stop = stop_words
        # line -> (its known ids, its first and last kept token or None)
        self._cache: dict[str, tuple[list[int], str | None, str | None]] = {}

    @classmethod
    def from_vectorizer(cls, tfidf: TfidfVectorizer) -> _LineFeatures | None:
        if (
            tfidf.analyzer != "word"
            or tfidf.tokenizer is not None
            or tfidf.preprocessor is not None
            or tfidf.token_pattern != r"(?u)\b\w\w+\b"
            or tfidf.input != "content"
            or tuple(tfidf.ngram_range) not in ((1, 1), (1, 2))
        ):
            return None
        stop = tfidf.get_stop_words()
        return cls(tfidf.vocabulary_, tfidf.build_preprocessor(), tfidf.build_tokenizer(), frozenset(stop or ()),
                   tuple(tfidf.ngram_range) == (1, 2))

    def read(self, text: str) -> tuple[list[int], str | None, str | None]:
        """``text``'s known feature ids (without the cache), and its first and last kept token (None: none)."""
        stop = self._stop
        tokens = [t for t in self._tokenize(self._preprocess(text)) if t not in stop]
        ids = [i for i in map(self._unigrams.get, tokens) if i is not None]
        if self._with_pairs:  # word pairs looked up as pairs: no joined string made for each
            ids.extend(i for i in map(self._pairs.get, itertools.pairwise(tokens)) if i is not None)
        return (ids, tokens[0], tokens[-1]) if tokens else (ids, None, None)

    def _line(self, line: str) -> tuple[tuple[list[int], str | None, str | None], bool]:
        """The line's known ids and its first and last kept token, and whether they were cached already."""
        found = self._cache.get(line)
        if found is not None:
            return found, True
        found = self.read(line)
        if len(self._cache) >= _LINE_CACHE_SIZE:
            self._cache.clear()
        self._cache[line] = found
        return found, False

    def extend_ids(self, ids: list[int], text: str) -> tuple[int, int]:
        """Append ``text``'s known feature ids to ``ids`` (out-of-vocabulary features are left out).

        Returns how many of its lines were found in the cache, and how many it has.
        """
        previous: str | None = None
        pair = self._pairs.get
        lines = text.split("\n")
        hits = 0
        for line in lines:
            (line_ids, first, last), cached = self._line(line)
            hits += cached
            ids.extend(line_ids)
            if first is None:
                continue
            if previous is not None and self._with_pairs:
                across = pair((previous, first))
                if across is not None:
                    ids.append(across)
            previous = last
        return hits, len(lines)
