"""What the topic model is: the untrained pipeline, its recipe version and the libraries its pickle needs.

The classic LIME/eli5 demonstration model: TF-IDF (1-2 grams) -> 100-dim SVD
-> the classic example's ``SVC(C=150, gamma=2e-2, probability=True)``, with
libsvm's pairwise-coupled Platt probabilities computed by
:class:`~lime_core.models.svm_probability.PairwiseCoupledSVC` from the SVC's
decision values, so that the model survives scikit-learn's removal of
``probability=True`` (deprecated in 1.9).
"""

from __future__ import annotations

import joblib
import numpy as np
import scipy
import sklearn
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from ..svm_probability import PairwiseCoupledSVC

MODEL_NAME = "20ng-svm"

# Names the model recipe (build_pipeline and the probability code); a cache trained to another recipe retrains.
# Bump it whenever the trained model would change. 2: libsvm's probabilities; 1: CalibratedClassifierCV.
RECIPE_VERSION = 2


def build_pipeline() -> Pipeline:
    """The untrained pipeline: TF-IDF (1-2 grams) -> 100-dim SVD -> RBF SVM with libsvm's probabilities.

    The classic example's ``SVC(C=150, gamma=2e-2, probability=True)``, with the probabilities computed by
    :class:`PairwiseCoupledSVC` (one SVM on all training data; Platt sigmoids on 5-fold cross-validated
    pairwise decision values; Wu-Lin-Weng pairwise coupling). Every random step has a fixed seed, so training
    is deterministic.
    """
    return Pipeline(
        [
            ("tfidf", TfidfVectorizer(min_df=3, stop_words="english", ngram_range=(1, 2))),
            ("svd", TruncatedSVD(n_components=100, n_iter=7, random_state=42)),
            ("clf", PairwiseCoupledSVC(C=150, gamma=2e-2, kernel="rbf", n_folds=5, random_state=42)),
        ]
    )


def dependency_versions() -> dict[str, str]:
    """Versions a pickled pipeline depends on; a cached pipeline from other versions is retrained."""
    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }
