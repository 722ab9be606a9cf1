"""A scikit-learn classifier as the surrogate (eli5's ``clf=``), with a decision tree's path contributions."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from .base import Matrix, _check_fit_args, class_weights


class ClassifierSurrogate(BaseEstimator):
    """A scikit-learn classifier as the surrogate (eli5's ``TextExplainer(clf=...)``).

    Classifiers take labels, not probabilities. ``expand_factor`` says how the probabilities become labels:

    * ``"exact"`` (the default here): each sample is given to ``clf`` once per class, labelled with that
      class and weighted by its probability times the sample weight; deterministic, and what eli5's
      resampling approximates;
    * an int ``n`` (eli5's way, and ``TextExplainer(clf=...)``'s, whose default is eli5's 10): each sample is
      repeated ``n`` times with labels drawn from its probabilities (seeded by ``random_state``);
    * ``None``: each sample once, labelled with its most probable class (eli5's ``expand_factor=None``).

    ``clf`` must accept ``sample_weight``. A linear classifier (``coef_``: ``LogisticRegression``,
    ``SGDClassifier(loss="log_loss")``, ...) is explained by its weights (``linear`` is True, ``weights_kind``
    ``"linear"``); any other (a decision tree, ...) has no weights: ``coef_`` is absent and explanations show
    what its prediction path does instead (:func:`path_contributions`, ``weights_kind`` ``"tree_path"``).
    ``predict_proba`` is the classifier's own, with a zero column for a class it never saw.
    """

    output_scale = "logit"

    def __init__(self, clf: Any, expand_factor: int | str | None = "exact", random_state: Any = None) -> None:
        self.clf = clf
        self.expand_factor = expand_factor
        self.random_state = random_state

    def _labelled(self, X: Matrix, y_proba: np.ndarray, w: np.ndarray) -> tuple[Matrix, np.ndarray, np.ndarray]:
        """The rows, labels and weights ``clf`` is fitted on (see ``expand_factor``)."""
        n, k = y_proba.shape
        factor = self.expand_factor
        if isinstance(factor, str):
            if factor != "exact":
                raise ValueError(f'expand_factor must be "exact", a positive whole number or None, not {factor!r}')
            rows, labels = np.tile(np.arange(n), k), np.repeat(np.arange(k), n)
            weights = (y_proba * w[:, None]).T.ravel()  # class-major, as the rows above
        elif factor is None:
            rows, labels, weights = np.arange(n), np.argmax(y_proba, axis=1), w
        else:
            if isinstance(factor, bool) or int(factor) != factor or int(factor) < 1:
                raise ValueError(f'expand_factor must be "exact", a positive whole number or None, not {factor!r}')
            rng = np.random.default_rng(self.random_state)
            cumulative = np.cumsum(y_proba / y_proba.sum(axis=1, keepdims=True), axis=1)
            draws = rng.random((n, int(factor)))
            labels = np.minimum((draws[:, :, None] > cumulative[:, None, :]).sum(axis=2), k - 1).ravel()
            rows = np.repeat(np.arange(n), int(factor))
            weights = w[rows]
        used = weights > 0
        rows, labels, weights = rows[used], labels[used], weights[used]
        picked = sp.csr_matrix(X)[rows] if sp.issparse(X) else np.asarray(X)[rows]
        return picked, labels, weights

    def fit(self, X: Matrix, y_proba: np.ndarray, sample_weight: np.ndarray) -> ClassifierSurrogate:
        from sklearn.base import clone

        n, k = y_proba.shape
        # Weights of mean 1, not sum 1: a classifier's regularisation is set against a sum of per-row losses.
        w = _check_fit_args(X, y_proba, sample_weight) * n
        rows, labels, weights = self._labelled(X, y_proba, w)
        self.clf_ = clone(self.clf).fit(rows, labels, sample_weight=weights)
        self.classes_ = np.asarray(self.clf_.classes_, dtype=int)
        self.n_classes_ = k
        coef = getattr(self.clf_, "coef_", None)
        self.linear = coef is not None
        if coef is None:
            return self
        coef = np.asarray(coef.toarray() if sp.issparse(coef) else coef, dtype=np.float64)
        intercept = np.asarray(self.clf_.intercept_, dtype=np.float64).ravel()
        if coef.shape[0] == 1 and len(self.classes_) == 2:  # binary: the log-odds of the second class
            coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
            intercept = np.array([0.0, intercept[0]])
        self.coef_ = np.zeros((k, X.shape[1]))
        self.intercept_ = np.full(k, intercept.min() - 30.0)  # a class it never saw: probability ~0
        self.coef_[self.classes_] = coef
        self.intercept_[self.classes_] = intercept
        return self

    def predict_proba(self, X: Matrix) -> np.ndarray:
        out = np.zeros((X.shape[0], self.n_classes_))
        out[:, self.classes_] = self.clf_.predict_proba(X)
        return out

    @property
    def weights_kind(self) -> str:
        """``"linear"`` for a classifier with weights, ``"tree_path"`` for one without (set by ``fit``)."""
        return "linear" if self.linear else "tree_path"

    def reported_weights(self, x: Matrix) -> tuple[np.ndarray, np.ndarray]:
        """Its weights (:func:`class_weights`), or a tree's path contributions for the sample ``x``."""
        if not self.linear:
            return path_contributions(self.clf_, x, self.n_classes_, self.classes_)
        return class_weights(self.coef_, self.intercept_, self.output_scale)


def path_contributions(tree: Any, x: Matrix, n_classes: int, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What each feature adds to each class's probability along ``x``'s path through a fitted decision tree.

    The bias is the root's class distribution; every split on the path moves the distribution from the
    parent's to the child's, and that change is credited to the split's feature, so that bias plus
    contributions is the leaf's distribution: the tree's prediction (the decomposition eli5 shows for trees,
    after Saabas' treeinterpreter). Returns ``(contributions (n_classes, n_features), bias (n_classes,))``.
    """
    t = tree.tree_
    value = t.value[:, 0, :]
    dist = value / value.sum(axis=1, keepdims=True)
    full = np.zeros((t.node_count, n_classes))
    full[:, classes] = dist
    path = tree.decision_path(x).indices
    contributions = np.zeros((n_classes, t.n_features))
    for parent, child in itertools.pairwise(path):
        contributions[:, t.feature[parent]] += full[child] - full[parent]
    return contributions, full[0].copy()
