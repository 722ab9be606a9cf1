"""The bundled topic classifier: four 20 Newsgroups groups, TF-IDF -> SVD -> RBF SVM.

This is the classic LIME/eli5 demonstration model. It is trained once on the
20 Newsgroups "bydate" training posts of four groups, stored in the cache
directory and loaded from there afterwards (a cached load takes a fraction of
a second; training about 5 s plus reading the data).

One job per module:

* :mod:`.data` -- the posts, from a local ``20news-bydate.tar.gz``
  (``LIME_20NG_ARCHIVE``) or scikit-learn's download, split exactly as
  ``fetch_20newsgroups(..., remove=("headers", "footers"), shuffle=True, random_state=42)``;
* :mod:`.recipe` -- the untrained pipeline and ``RECIPE_VERSION`` (libsvm's
  pairwise-coupled Platt probabilities, computed by
  :class:`~lime_core.models.svm_probability.PairwiseCoupledSVC` without
  ``probability=True``, deprecated in scikit-learn 1.9);
* :mod:`.training` -- training once, the cache on disk and its checks;
* :mod:`.fast` -- the same probabilities with one BLAS product for the RBF
  kernel instead of libsvm's per-pair loop;
* :mod:`.classifier` -- :class:`NewsgroupsClassifier`, the ``TextClassifier``.

Private scikit-learn parts (the parsed archive's file, libsvm's ``dual_coef_``
layout) are in :mod:`lime_core.models._sklearn_compat`. This package needs
scikit-learn whichever part is used, so it imports its modules at once.
"""

from __future__ import annotations

from .classifier import NewsgroupsClassifier
from .data import GROUPS, REMOVE, SHUFFLE_SEED, NewsgroupsSplit, data_fingerprint, load_newsgroups
from .recipe import MODEL_NAME, RECIPE_VERSION, build_pipeline, dependency_versions
from .training import (
    FORMAT_VERSION,
    META_FILE,
    PIPELINE_FILE,
    TrainedPipeline,
    load_or_train,
    pipeline_path,
    pipeline_status,
    save_pipeline,
    train_pipeline,
)

__all__ = [
    "FORMAT_VERSION",
    "GROUPS",
    "META_FILE",
    "MODEL_NAME",
    "PIPELINE_FILE",
    "RECIPE_VERSION",
    "REMOVE",
    "SHUFFLE_SEED",
    "NewsgroupsClassifier",
    "NewsgroupsSplit",
    "TrainedPipeline",
    "build_pipeline",
    "data_fingerprint",
    "dependency_versions",
    "load_newsgroups",
    "load_or_train",
    "pipeline_path",
    "pipeline_status",
    "save_pipeline",
    "train_pipeline",
]
