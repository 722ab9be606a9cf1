"""Every place lime_core relies on a private part of scikit-learn, in one module.

scikit-learn is pinned (``requirements.txt``), and each entry below says why
it is needed and on which versions it was checked. ``tests/test_sklearn_compat.py``
imports every private name listed in :data:`PRIVATE_NAMES` without the
fallbacks, so an upgrade of the pin that removes or moves one fails there,
loudly, instead of silently falling back here.

Checked on scikit-learn 1.9.1 (the pin) and on no other version: whoever moves
the pin runs that test. The ``dual_coef_`` layout is libsvm's, described in the
user guide's SVM section ("Multi-class classification"); the 20 Newsgroups
names are private and may move without notice.
"""

from __future__ import annotations

import codecs
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from .svm_probability import class_pairs

# (module, name) of every private scikit-learn name used below; the test imports each one.
PRIVATE_NAMES: tuple[tuple[str, str], ...] = (
    ("sklearn.datasets._base", "_pkl_filepath"),
    ("sklearn.datasets._twenty_newsgroups", "CACHE_NAME"),
    ("sklearn.datasets._twenty_newsgroups", "TRAIN_FOLDER"),
    ("sklearn.datasets._twenty_newsgroups", "TEST_FOLDER"),
)

# Why: a local 20news-bydate.tar.gz (LIME_20NG_ARCHIVE, for machines without internet) is turned into
# the parsed copy fetch_20newsgroups keeps after a download, so that scikit-learn itself selects, strips
# and shuffles the posts exactly as for a downloaded copy. That needs the copy's file name and location
# (CACHE_NAME through _pkl_filepath, which adds "_py3") and the archive's folder names.
# Checked on: 1.9.1. The fallbacks are those values (the test checks they still are), for a scikit-learn
# that reorganised its private modules.
FALLBACK_TRAIN_FOLDER, FALLBACK_TEST_FOLDER = "20news-bydate-train", "20news-bydate-test"
FALLBACK_CACHE_FILE = "20news-bydate_py3.pkz"
try:
    from sklearn.datasets._base import _pkl_filepath
    from sklearn.datasets._twenty_newsgroups import CACHE_NAME as NEWSGROUPS_CACHE_NAME
    from sklearn.datasets._twenty_newsgroups import TEST_FOLDER as NEWSGROUPS_TEST_FOLDER
    from sklearn.datasets._twenty_newsgroups import TRAIN_FOLDER as NEWSGROUPS_TRAIN_FOLDER

    USING_FALLBACKS = False

    def newsgroups_cache_path(data_home: Path) -> Path:
        """The file ``fetch_20newsgroups(data_home=...)`` reads its parsed copy of the archive from."""
        return Path(_pkl_filepath(str(data_home), NEWSGROUPS_CACHE_NAME))

except ImportError:  # pragma: no cover - only if scikit-learn reorganises its private modules
    NEWSGROUPS_TRAIN_FOLDER, NEWSGROUPS_TEST_FOLDER = FALLBACK_TRAIN_FOLDER, FALLBACK_TEST_FOLDER
    USING_FALLBACKS = True

    def newsgroups_cache_path(data_home: Path) -> Path:
        """The file ``fetch_20newsgroups(data_home=...)`` reads its parsed copy of the archive from."""
        return data_home / FALLBACK_CACHE_FILE


def encode_newsgroups_cache(parsed: dict[str, Any]) -> bytes:
    """The bytes of that parsed copy: ``{"train": Bunch, "test": Bunch}``, pickled and zlib-compressed.

    Why: the format is private to ``fetch_20newsgroups`` (it writes it with
    ``codecs.encode(pickle.dumps(cache), "zlib_codec")`` and reads it back with
    ``codecs.decode``). Checked on: 1.9.1; the test reads a copy written here
    with ``fetch_20newsgroups`` itself.
    """
    return codecs.encode(pickle.dumps(parsed), "zlib_codec")


def ovo_decision_weights(svc: Any) -> np.ndarray:
    """(n_support, n_pairs) matrix W with ``kernel @ W + svc.intercept_`` == the SVC's one-vs-one decision values.

    Why: the fast predictor computes the RBF kernel against all support vectors
    with one BLAS product instead of libsvm's per-pair loop, which needs
    libsvm's layout of ``dual_coef_`` (public attributes, libsvm's internal
    arrangement): for the pair (i, j), i < j, class-i support vectors are
    weighted by ``dual_coef_[j - 1]`` and class-j support vectors by
    ``dual_coef_[i]``, support vectors grouped by class as ``n_support_`` says.
    Checked on: 1.9.1; the test compares with ``decision_function`` on a fitted SVC.
    """
    n_classes = len(svc.classes_)
    bounds = np.concatenate([[0], np.cumsum(svc.n_support_)])
    dual = svc.dual_coef_
    pairs = class_pairs(n_classes)
    weights = np.zeros((dual.shape[1], len(pairs)))
    for p, (i, j) in enumerate(pairs):
        weights[bounds[i] : bounds[i + 1], p] = dual[j - 1, bounds[i] : bounds[i + 1]]
        weights[bounds[j] : bounds[j + 1], p] = dual[i, bounds[j] : bounds[j + 1]]
    return weights
