"""Fast prediction for the thousands of perturbed texts LIME asks for.

:class:`FastPredictor` computes the same numbers as the pipeline's
``predict_proba`` with one BLAS product for the RBF kernel instead of
libsvm's per-pair loop.
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
        for text in texts:
            before = len(ids)
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
