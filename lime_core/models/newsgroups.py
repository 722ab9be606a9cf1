"""The bundled topic classifier: four 20 Newsgroups groups, TF-IDF -> SVD -> RBF SVM.

This is the classic LIME/eli5 demonstration model. It is trained once on the
20 Newsgroups "bydate" training posts of four groups, stored in the cache
directory and loaded from there afterwards (a cached load takes a fraction of
a second; training about 5 s plus reading the data).

Data comes either from a local ``20news-bydate.tar.gz`` (``LIME_20NG_ARCHIVE``,
for machines without internet) or from scikit-learn's own download. Both give
exactly the split of ``fetch_20newsgroups(subset=..., categories=GROUPS,
remove=("headers", "footers"), shuffle=True, random_state=42)``: for a local
archive we build the cache file that ``fetch_20newsgroups`` would have built
after downloading that same archive, then let scikit-learn itself select,
strip and shuffle the posts.

Probabilities: those of the classic example's ``SVC(C=150, gamma=2e-2,
probability=True)``, libsvm's pairwise-coupled Platt estimate, computed by
:class:`~lime_core.models.svm_probability.PairwiseCoupledSVC` from the SVC's
decision values, so that the model survives scikit-learn's removal of
``probability=True`` (deprecated in 1.9). Prediction on the thousands of
perturbed texts LIME asks for goes through :class:`_FastPredictor`, which
computes the same numbers as the pipeline with one BLAS product for the RBF
kernel instead of libsvm's per-pair loop.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import json
import logging
import os
import pickle
import platform
import tarfile
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
import scipy
import scipy.sparse as sp
import sklearn
from sklearn.datasets import fetch_20newsgroups, load_files
from sklearn.decomposition import TruncatedSVD
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import normalize
from sklearn.svm import SVC

from ..classifier import as_text_list
from ..errors import ModelUnavailableError
from ..settings import ENV_20NG_ARCHIVE, Settings, get_settings
from .svm_probability import PairwiseCoupledSVC

logger = logging.getLogger(__name__)

MODEL_NAME = "20ng-svm"
GROUPS: tuple[str, ...] = ("alt.atheism", "soc.religion.christian", "comp.graphics", "sci.med")
REMOVE: tuple[str, ...] = ("headers", "footers")
SHUFFLE_SEED = 42

# Bump when the stored payload changes shape, so old caches retrain.
FORMAT_VERSION = 1
# Names the model recipe (build_pipeline and the probability code); a cache trained to another recipe retrains.
# Bump it whenever the trained model would change. 2: libsvm's probabilities (issue 8); 1: CalibratedClassifierCV.
RECIPE_VERSION = 2
PIPELINE_FILE = f"{MODEL_NAME}.joblib"
META_FILE = f"{MODEL_NAME}.json"

# Rows per chunk in predict_proba: bounds the kernel matrix (chunk x support vectors) in memory.
_CHUNK = 4096

try:  # the name and location fetch_20newsgroups reads its parsed copy of the archive from
    from sklearn.datasets._base import _pkl_filepath
    from sklearn.datasets._twenty_newsgroups import CACHE_NAME as _SK_CACHE_NAME
    from sklearn.datasets._twenty_newsgroups import TEST_FOLDER as _SK_TEST_FOLDER
    from sklearn.datasets._twenty_newsgroups import TRAIN_FOLDER as _SK_TRAIN_FOLDER

    def _sk_cache_path(data_home: Path) -> Path:
        return Path(_pkl_filepath(str(data_home), _SK_CACHE_NAME))

except ImportError:  # pragma: no cover - only if scikit-learn reorganises its private modules
    _SK_TRAIN_FOLDER, _SK_TEST_FOLDER = "20news-bydate-train", "20news-bydate-test"

    def _sk_cache_path(data_home: Path) -> Path:
        return data_home / "20news-bydate_py3.pkz"


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class NewsgroupsSplit:
    """One subset of the four-group data: texts, integer targets and the group names they index."""

    texts: list[str]
    target: np.ndarray
    target_names: list[str]

    def __len__(self) -> int:
        return len(self.texts)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write via a temp file in the same directory and os.replace, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _archive_data_home(archive: Path, cache_dir: Path) -> Path:
    """A scikit-learn ``data_home`` holding the parsed copy of ``archive``; built on first use.

    Keyed by the archive's sha256 so that pointing LIME_20NG_ARCHIVE at a
    different archive never reuses a stale parse.
    """
    if not archive.is_file():
        raise ModelUnavailableError(
            f"{ENV_20NG_ARCHIVE} points to {archive}, which is not a file; "
            "set it to a local 20news-bydate.tar.gz or unset it to download the data"
        )
    digest = _sha256_file(archive)
    data_home = cache_dir / "data" / f"20news-{digest[:16]}"
    if not _sk_cache_path(data_home).is_file():
        _build_sklearn_cache(archive, data_home)
    return data_home


def _build_sklearn_cache(archive: Path, data_home: Path) -> None:
    """Parse the archive into the file ``fetch_20newsgroups`` keeps after a download.

    The steps are the ones scikit-learn takes after downloading the same
    archive (extract, ``load_files(..., encoding="latin1")`` per subset, zlib
    pickle), so the posts and their order are those of a downloaded copy.
    """
    started = time.perf_counter()
    data_home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=data_home, prefix=".extract-") as tmp:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise ModelUnavailableError(
                f"{ENV_20NG_ARCHIVE}={archive} cannot be read as a 20news-bydate.tar.gz ({exc})"
            ) from exc
        train_dir, test_dir = Path(tmp, _SK_TRAIN_FOLDER), Path(tmp, _SK_TEST_FOLDER)
        if not (train_dir.is_dir() and test_dir.is_dir()):
            raise ModelUnavailableError(
                f"{ENV_20NG_ARCHIVE}={archive} is not the 20news-bydate archive "
                f"(no {_SK_TRAIN_FOLDER}/ and {_SK_TEST_FOLDER}/ folders inside)"
            )
        parsed = {
            "train": load_files(train_dir, encoding="latin1"),
            "test": load_files(test_dir, encoding="latin1"),
        }
    _atomic_write_bytes(_sk_cache_path(data_home), codecs.encode(pickle.dumps(parsed), "zlib_codec"))
    logger.info("parsed %s into %s in %.1f s", archive, data_home, time.perf_counter() - started)


def load_newsgroups(subset: Literal["train", "test"], settings: Settings | None = None) -> NewsgroupsSplit:
    """The four-group split with headers and footers removed, as ``fetch_20newsgroups`` gives it.

    With ``LIME_20NG_ARCHIVE`` set the local archive is used (parsed once into
    the cache directory); otherwise scikit-learn downloads the data.
    Raises :class:`ModelUnavailableError` when neither works.
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', not {subset!r}")
    settings = settings or get_settings()
    options: dict[str, Any] = dict(
        subset=subset, categories=list(GROUPS), remove=REMOVE, shuffle=True, random_state=SHUFFLE_SEED
    )
    if settings.newsgroups_archive is not None:
        data_home = _archive_data_home(settings.newsgroups_archive, settings.cache_dir)
        try:
            bunch = fetch_20newsgroups(data_home=str(data_home), download_if_missing=False, **options)
        except OSError:
            # Our parsed copy is unreadable (scikit-learn prints why); rebuild it once from the archive.
            logger.warning("parsed 20 Newsgroups copy in %s is unreadable; rebuilding it", data_home)
            _build_sklearn_cache(settings.newsgroups_archive, data_home)
            bunch = fetch_20newsgroups(data_home=str(data_home), download_if_missing=False, **options)
    else:
        try:
            bunch = fetch_20newsgroups(**options)
        except Exception as exc:  # URLError, HTTPError, OSError, ... : all mean "could not get the data"
            raise ModelUnavailableError(
                f"could not download the 20 Newsgroups data ({type(exc).__name__}: {exc}); "
                f"connect to the internet or set {ENV_20NG_ARCHIVE} to a local 20news-bydate.tar.gz"
            ) from exc
    return NewsgroupsSplit(
        texts=list(bunch.data), target=np.asarray(bunch.target), target_names=list(bunch.target_names)
    )


def data_fingerprint(*splits: NewsgroupsSplit) -> str:
    """sha256 over texts and labels: identifies the data a pipeline was trained and scored on."""
    digest = hashlib.sha256()
    for split in splits:
        digest.update(json.dumps(split.target_names).encode())
        digest.update(np.asarray(split.target, dtype=np.int64).tobytes())
        for text in split.texts:
            encoded = text.encode("utf-8", "surrogatepass")
            digest.update(len(encoded).to_bytes(8, "little"))
            digest.update(encoded)
    return digest.hexdigest()


# --------------------------------------------------------------------------- pipeline


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


@dataclass(frozen=True)
class TrainedPipeline:
    """A fitted pipeline with its metadata and how it was obtained (trained now or read from the cache)."""

    pipeline: Pipeline
    meta: dict[str, Any]
    path: Path
    trained: bool
    reason: str = ""
    load_seconds: float = field(default=0.0, compare=False)


def pipeline_path(settings: Settings | None = None) -> Path:
    """Where the trained pipeline is (or will be) stored: ``<LIME_CACHE_DIR>/models/20ng-svm.joblib``."""
    settings = settings or get_settings()
    return settings.cache_dir / "models" / PIPELINE_FILE


def _meta_path(path: Path) -> Path:
    return path.with_name(META_FILE)


def train_pipeline(settings: Settings | None = None) -> tuple[Pipeline, dict[str, Any]]:
    """Load the data, fit the pipeline and score it on the test posts. Does not save."""
    settings = settings or get_settings()
    train = load_newsgroups("train", settings)
    test = load_newsgroups("test", settings)
    started = time.perf_counter()
    pipeline = build_pipeline().fit(train.texts, train.target)
    train_seconds = time.perf_counter() - started
    proba = pipeline.predict_proba(test.texts)
    accuracy = float(np.mean(np.argmax(proba, axis=1) == test.target))
    source = (
        f"archive {settings.newsgroups_archive}" if settings.newsgroups_archive else "scikit-learn fetch_20newsgroups"
    )
    meta: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "recipe": RECIPE_VERSION,
        "model": MODEL_NAME,
        "versions": dependency_versions(),
        "python": platform.python_version(),
        "target_names": list(train.target_names),
        "groups": list(GROUPS),
        "n_train": len(train),
        "n_test": len(test),
        "data_fingerprint": data_fingerprint(train, test),
        "data_source": source,
        "test_accuracy": accuracy,
        "train_seconds": round(train_seconds, 3),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    logger.info("trained %s in %.1f s, test accuracy %.4f", MODEL_NAME, train_seconds, accuracy)
    return pipeline, meta


def save_pipeline(pipeline: Pipeline, meta: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """Store the pipeline (joblib) and its metadata (JSON) atomically; return the metadata as written.

    The JSON sidecar records the joblib file's sha256, so a damaged or
    swapped file is noticed before it is unpickled.
    """
    buffer = io.BytesIO()
    joblib.dump({"format": FORMAT_VERSION, "pipeline": pipeline, "target_names": meta["target_names"]}, buffer)
    payload = buffer.getvalue()
    meta = {**meta, "file_sha256": hashlib.sha256(payload).hexdigest(), "file_bytes": len(payload)}
    _atomic_write_bytes(path, payload)
    _atomic_write_bytes(_meta_path(path), json.dumps(meta, indent=2, sort_keys=True).encode())
    return meta


class _StaleCache(Exception):
    """The cached pipeline cannot be used; the message says why (logged, then we retrain)."""


def _read_meta(path: Path) -> dict[str, Any]:
    meta_path = _meta_path(path)
    if not path.is_file():
        raise _StaleCache("no cached pipeline")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _StaleCache(f"metadata file {meta_path.name} is missing") from None
    except (OSError, ValueError) as exc:
        raise _StaleCache(f"metadata file {meta_path.name} is unreadable ({exc})") from None
    if not isinstance(meta, dict):
        raise _StaleCache(f"metadata file {meta_path.name} is not a JSON object")
    if meta.get("format") != FORMAT_VERSION:
        raise _StaleCache(f"cached pipeline has storage format {meta.get('format')}, expected {FORMAT_VERSION}")
    if meta.get("recipe") != RECIPE_VERSION:
        raise _StaleCache(f"cached pipeline follows model recipe {meta.get('recipe')}, expected {RECIPE_VERSION}")
    stored, current = meta.get("versions") or {}, dependency_versions()
    changed = [
        f"{lib} {stored.get(lib)} -> {version}" for lib, version in current.items() if stored.get(lib) != version
    ]
    if changed:
        raise _StaleCache("library versions differ: " + ", ".join(changed))
    return meta


def _read_cached(path: Path) -> tuple[Pipeline, dict[str, Any]]:
    meta = _read_meta(path)
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise _StaleCache(f"cannot read {path.name} ({exc})") from None
    if hashlib.sha256(payload).hexdigest() != meta.get("file_sha256"):
        raise _StaleCache(f"{path.name} is damaged (checksum differs from its metadata)")
    try:
        with warnings.catch_warnings():
            # a pickle from another scikit-learn is unusable even if the metadata claimed otherwise
            warnings.simplefilter("error", InconsistentVersionWarning)
            obj = joblib.load(io.BytesIO(payload))
    except Exception as exc:  # unpickling errors come in many types
        raise _StaleCache(f"{path.name} is unreadable ({type(exc).__name__}: {exc})") from None
    pipeline = obj.get("pipeline") if isinstance(obj, dict) else None
    if not isinstance(pipeline, Pipeline) or not hasattr(pipeline, "predict_proba"):
        raise _StaleCache(f"{path.name} does not hold a fitted pipeline")
    return pipeline, meta


def load_or_train(settings: Settings | None = None, *, force_retrain: bool = False) -> TrainedPipeline:
    """Return the cached pipeline, training and caching it first when needed.

    Retrains when there is no cache, when it was written by other versions of
    scikit-learn/numpy/scipy/joblib or another storage format, or when the file
    is damaged or unreadable. A change of data source alone does not retrain
    (the cache is meant to spare the data); pass ``force_retrain=True`` for that.
    """
    settings = settings or get_settings()
    path = pipeline_path(settings)
    started = time.perf_counter()
    if force_retrain:
        reason = "retraining was requested"
    else:
        try:
            pipeline, meta = _read_cached(path)
            return TrainedPipeline(pipeline, meta, path, trained=False, load_seconds=time.perf_counter() - started)
        except _StaleCache as stale:
            reason = str(stale)
    logger.info("training %s: %s", MODEL_NAME, reason)
    pipeline, meta = train_pipeline(settings)
    meta = save_pipeline(pipeline, meta, path)
    return TrainedPipeline(
        pipeline, meta, path, trained=True, reason=reason, load_seconds=time.perf_counter() - started
    )


def pipeline_status(settings: Settings | None = None) -> tuple[bool, str]:
    """Cheap check (no unpickling, no data): can the topic model be used, and how?"""
    settings = settings or get_settings()
    path = pipeline_path(settings)
    try:
        meta = _read_meta(path)
        return True, f"trained pipeline cached (test accuracy {meta.get('test_accuracy', float('nan')):.3f})"
    except _StaleCache as stale:
        why = str(stale)
    archive = settings.newsgroups_archive
    if archive is not None:
        if not archive.is_file():
            return False, (
                f"{why}, and {ENV_20NG_ARCHIVE} points to {archive}, which is not a file; "
                "set it to a local 20news-bydate.tar.gz"
            )
        return True, f"{why}; it will be trained from {ENV_20NG_ARCHIVE} on first use (about 15 s)"
    return True, (
        f"{why}; first use downloads 20 Newsgroups (14 MB, needs the internet) and trains, "
        f"or set {ENV_20NG_ARCHIVE} to a local 20news-bydate.tar.gz"
    )


# --------------------------------------------------------------------------- fast prediction


class _FastPredictor:
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
        self._pair_weights = self._ovo_weights(svc)

    @staticmethod
    def _ovo_weights(svc: SVC) -> np.ndarray:
        """(n_support, n_pairs) matrix W with kernel @ W + intercept_ == libsvm's OvO decision values.

        For the pair (i, j), i < j, libsvm weights class-i support vectors by
        dual_coef_[j - 1] and class-j support vectors by dual_coef_[i].
        """
        n_classes = len(svc.classes_)
        bounds = np.concatenate([[0], np.cumsum(svc.n_support_)])
        dual = svc.dual_coef_
        pairs = [(i, j) for i in range(n_classes) for j in range(i + 1, n_classes)]
        weights = np.zeros((dual.shape[1], len(pairs)))
        for p, (i, j) in enumerate(pairs):
            weights[bounds[i] : bounds[i + 1], p] = dual[j - 1, bounds[i] : bounds[i + 1]]
            weights[bounds[j] : bounds[j + 1], p] = dual[i, bounds[j] : bounds[j + 1]]
        return weights

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> _FastPredictor | None:
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
        z = self._features(texts)
        sq_dist = np.einsum("ij,ij->i", z, z)[:, None] + self._support_sq[None, :] - 2.0 * (z @ self._support.T)
        kernel = np.exp(-self._gamma * np.maximum(sq_dist, 0.0))
        ovo = kernel @ self._pair_weights + self._intercept
        return self._clf.proba_from_decision(ovo)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._n_classes))
        return np.vstack([self._proba_chunk(texts[i : i + _CHUNK]) for i in range(0, len(texts), _CHUNK)])


# --------------------------------------------------------------------------- adapter


class NewsgroupsClassifier:
    """The 20 Newsgroups topic model as a :class:`~lime_core.classifier.TextClassifier`.

    Any string is accepted, including the empty string (it gets the
    pipeline's answer for "no known words").
    """

    name = MODEL_NAME

    def __init__(self, pipeline: Pipeline, meta: Mapping[str, Any] | None = None):
        self.pipeline = pipeline
        self.meta: dict[str, Any] = dict(meta or {})
        names = self.meta.get("target_names")
        if names is None:
            names = [str(c) for c in pipeline.classes_]
        self._class_names = [str(n) for n in names]
        self._fast = _FastPredictor.from_pipeline(pipeline)
        if self._fast is None:
            logger.info("pipeline structure not recognised; predict_proba uses the plain pipeline")

    @classmethod
    def load(cls, settings: Settings | None = None, *, force_retrain: bool = False) -> NewsgroupsClassifier:
        """Load the cached pipeline (training it first if needed); see :func:`load_or_train`."""
        result = load_or_train(settings, force_retrain=force_retrain)
        return cls(result.pipeline, result.meta)

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def test_accuracy(self) -> float | None:
        """Accuracy on the 1,502 bydate test posts, measured when the pipeline was trained."""
        value = self.meta.get("test_accuracy")
        return float(value) if value is not None else None

    @property
    def cache_key(self) -> str:
        """Identifies this trained pipeline (its file's hash), so predictions cached for another one are not reused."""
        digest = self.meta.get("file_sha256")
        if digest:
            return f"{MODEL_NAME}:{digest[:16]}"
        return f"{MODEL_NAME}:unsaved@{id(self):x}"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, shape (len(texts), 4), float64, columns in ``class_names`` order."""
        texts = as_text_list(texts)
        if not texts:
            return np.zeros((0, len(self._class_names)))
        if self._fast is not None:
            return self._fast.predict_proba(texts)
        return np.asarray(self.pipeline.predict_proba(texts), dtype=np.float64)

    def __repr__(self) -> str:
        accuracy = self.test_accuracy
        shown = f"{accuracy:.3f}" if accuracy is not None else "?"
        return f"NewsgroupsClassifier(classes={self._class_names}, test_accuracy={shown})"
