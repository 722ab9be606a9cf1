"""A multi-label topic model: one-vs-rest over all 20 groups, trained with the groups a discussion was posted to.

The "bydate" archive keeps each post in one group's folder and drops the ``Newsgroups:`` and ``Xref:`` headers
(its README: "duplicates removed and some headers removed"; measured here: no post has a ``Newsgroups:`` line,
and only 11 bodies appear in two folders). What survives of cross-posting is the thread: a ``Subject:``
(without its ``Re:``) whose posts sit in several groups is a discussion posted to all of them. So a post's
labels are the groups of its thread (threads of at least ``MIN_SUBJECT_WORDS`` words, so that "help" or "test"
do not join unrelated posts), or its own group alone. Over the whole archive this marks 379 posts as
cross-posted (217 training, 162 test; most in religion, politics and cryptography threads).

The model is TF-IDF (1-grams, English stop words, min_df 3, sublinear tf) -> one logistic regression per group
(``OneVsRestClassifier``, liblinear): its ``predict_proba`` rows are 20 independent probabilities that need not
sum to 1, so it is explained with ``multi_label=True`` (:class:`CrosspostClassifier` declares it). Test micro-F1 at 0.5:
0.66 on all 7,532 test posts, 0.46 on the 162 cross-posted ones. It is trained once
(about 40 s of CPU) and kept in ``LIME_CACHE_DIR`` like the topic SVM, retrained when library versions
or :data:`RECIPE_VERSION` change or the file is damaged.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import joblib
import numpy as np
from sklearn.datasets import fetch_20newsgroups
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from ...classifier import as_text_list
from ...errors import ModelUnavailableError
from ...settings import ENV_20NG_ARCHIVE, Settings, get_settings
from .._naming import shown_as
from ._files import atomic_write_bytes
from .data import _archive_data_home
from .recipe import dependency_versions

logger = logging.getLogger(__name__)

MODEL_NAME = "20ng-crosspost"
RECIPE_VERSION = 1
FORMAT_VERSION = 1
# A thread's subject needs this many words to join posts of several groups ("help", "test", "(none)" do not).
MIN_SUBJECT_WORDS = 3
_REPLY_PREFIX = re.compile(r"^(\s*(re|fwd?|fw)\s*(\^\d+|\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class CrosspostSplit:
    """One subset of all 20 groups: bodies (headers and signature removed), each post's labels and its group."""

    texts: list[str]
    labels: list[tuple[str, ...]]
    groups: list[str]
    label_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def crossposted(self) -> np.ndarray:
        """Indices of the posts with more than one label (their discussion went to several groups)."""
        return np.flatnonzero([len(labels) > 1 for labels in self.labels])


def thread_key(subject: str) -> str | None:
    """The thread a ``Subject:`` belongs to (lower case, ``Re:`` removed), or None when too short to join posts."""
    key = re.sub(r"\s+", " ", _REPLY_PREFIX.sub("", subject).strip().lower())
    return key if len(key.split(" ")) >= MIN_SUBJECT_WORDS else None


def split_post(raw: str) -> tuple[str, str]:
    """``(subject, body)`` of a raw post: the body without the header block and without a ``--`` signature."""
    header, _, body = raw.partition("\n\n")
    match = re.search(r"^Subject:(.*)$", header, re.MULTILINE | re.IGNORECASE)
    lines = body.rstrip().split("\n")
    for i in range(len(lines) - 1, 0, -1):
        if lines[i].rstrip() in ("--", "-- "):
            lines = lines[:i]
            break
    return (match.group(1) if match else ""), "\n".join(lines).strip()


@lru_cache(maxsize=2)
def _raw_subsets(data_home: str | None) -> dict[str, Any]:
    options: dict[str, Any] = dict(remove=(), shuffle=False)
    if data_home is not None:
        options.update(data_home=data_home, download_if_missing=False)
    try:
        return {subset: fetch_20newsgroups(subset=subset, **options) for subset in ("train", "test")}
    except OSError as exc:
        raise ModelUnavailableError(
            f"could not read or download the 20 Newsgroups data ({type(exc).__name__}: {exc}); "
            f"connect to the internet or set {ENV_20NG_ARCHIVE} to a local 20news-bydate.tar.gz"
        ) from exc


def load_crosspost(subset: Literal["train", "test"], settings: Settings | None = None) -> CrosspostSplit:
    """The posts of one subset with their labels (the groups of their thread across the whole archive).

    Raises :class:`ModelUnavailableError` when the data can neither be read (``LIME_20NG_ARCHIVE``) nor
    downloaded.
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', not {subset!r}")
    settings = settings or get_settings()
    archive = settings.newsgroups_archive
    home = None if archive is None else str(_archive_data_home(archive, settings.cache_dir))
    raw = _raw_subsets(home)
    names = tuple(raw["train"].target_names)
    parsed: dict[str, list[tuple[str | None, str, str]]] = {}
    threads: dict[str, set[str]] = {}
    for name, bunch in raw.items():
        rows = []
        for text, target in zip(bunch.data, bunch.target, strict=True):
            subject, body = split_post(text)
            key, group = thread_key(subject), names[int(target)]
            if key is not None:
                threads.setdefault(key, set()).add(group)
            rows.append((key, group, body))
        parsed[name] = rows
    rows = parsed[subset]
    labels = [tuple(sorted(threads[key])) if key is not None else (group,) for key, group, _ in rows]
    return CrosspostSplit(
        texts=[body for _, _, body in rows], labels=labels, groups=[g for _, g, _ in rows], label_names=names
    )


def build_pipeline() -> Pipeline:
    """The untrained recipe: TF-IDF -> one-vs-rest logistic regression (independent probability per group)."""
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=3, max_df=0.5, stop_words="english")
    return make_pipeline(vectorizer, OneVsRestClassifier(LogisticRegression(C=10.0, solver="liblinear")))


def train(settings: Settings | None = None) -> tuple[Pipeline, dict[str, Any]]:
    """Fit the recipe on the training posts and score it on the test posts (micro-F1 at 0.5, all and cross-posted)."""
    settings = settings or get_settings()
    train_split, test_split = load_crosspost("train", settings), load_crosspost("test", settings)
    binarizer = MultiLabelBinarizer(classes=list(train_split.label_names))
    started = time.perf_counter()
    pipeline = build_pipeline().fit(train_split.texts, binarizer.fit_transform(train_split.labels))
    seconds = time.perf_counter() - started
    truth = binarizer.transform(test_split.labels).astype(bool)
    predicted = np.asarray(pipeline.predict_proba(test_split.texts)) >= 0.5
    cross = test_split.crossposted
    meta = {
        "format": FORMAT_VERSION,
        "recipe": RECIPE_VERSION,
        "model": MODEL_NAME,
        "versions": dependency_versions(),
        "label_names": list(train_split.label_names),
        "n_train": len(train_split),
        "n_test": len(test_split),
        "n_train_crossposted": len(train_split.crossposted),
        "n_test_crossposted": len(cross),
        "test_micro_f1": _micro_f1(truth, predicted),
        "test_crossposted_micro_f1": _micro_f1(truth[cross], predicted[cross]),
        "train_seconds": round(seconds, 3),
    }
    logger.info("trained %s in %.1f s, test micro-F1 %.3f", MODEL_NAME, seconds, meta["test_micro_f1"])
    return pipeline, meta


def _micro_f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    hits = float(np.sum(truth & predicted))
    return 2 * hits / max(float(truth.sum() + predicted.sum()), 1.0)


def model_path(settings: Settings | None = None) -> Path:
    """``<LIME_CACHE_DIR>/models/20ng-crosspost.joblib`` (its metadata beside it, ``.json``)."""
    return (settings or get_settings()).cache_dir / "models" / f"{MODEL_NAME}.joblib"


def _stale(meta: Any) -> str | None:
    """Why a cached model's metadata rules it out, or None."""
    if not isinstance(meta, dict):
        return "its metadata is not a JSON object"
    if (meta.get("format"), meta.get("recipe")) != (FORMAT_VERSION, RECIPE_VERSION):
        return f"it has format/recipe {meta.get('format')}/{meta.get('recipe')}"
    if meta.get("versions") != dependency_versions():
        return "library versions differ"
    return None


def _read_cached(path: Path) -> tuple[Pipeline, dict[str, Any]] | str:
    """The cached pipeline and metadata, or why it cannot be used."""
    try:
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        payload = path.read_bytes()
    except (OSError, ValueError) as exc:
        return f"no usable cache ({type(exc).__name__})"
    why = _stale(meta)
    if why:
        return why
    if hashlib.sha256(payload).hexdigest() != meta.get("file_sha256"):
        return "the file is damaged"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", InconsistentVersionWarning)
            pipeline = joblib.load(io.BytesIO(payload))
    except Exception as exc:  # unpickling fails in many ways
        return f"the file is unreadable ({type(exc).__name__})"
    return pipeline, meta


def load_or_train(settings: Settings | None = None) -> tuple[Pipeline, dict[str, Any]]:
    """The cached pipeline, trained and stored first when missing, stale or damaged."""
    path = model_path(settings)
    cached = _read_cached(path)
    if not isinstance(cached, str):
        return cached
    logger.info("training %s: %s", MODEL_NAME, cached)
    pipeline, meta = train(settings)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    payload = buffer.getvalue()
    meta["file_sha256"] = hashlib.sha256(payload).hexdigest()
    atomic_write_bytes(path, payload)
    atomic_write_bytes(path.with_suffix(".json"), json.dumps(meta, indent=2, sort_keys=True).encode())
    return pipeline, meta


def model_status(settings: Settings | None = None) -> tuple[bool, str]:
    """Cheap check (no unpickling, no data): is the model cached, or can it be trained?"""
    settings = settings or get_settings()
    try:
        meta = json.loads(model_path(settings).with_suffix(".json").read_text(encoding="utf-8"))
        why = _stale(meta)
    except (OSError, ValueError):
        why = "not trained yet"
    if why is None:
        return True, f"trained model cached (test micro-F1 {meta.get('test_micro_f1', float('nan')):.3f})"
    archive = settings.newsgroups_archive
    if archive is not None and not archive.is_file():
        return False, f"{why}, and {ENV_20NG_ARCHIVE} points to {archive}, which is not a file"
    return True, f"{why}; it will be trained on first use (about 20 s)"


@shown_as("lime_core.models.newsgroups")
class CrosspostClassifier:
    """The cross-posted topic model as a multi-label :class:`~lime_core.classifier.TextClassifier`."""

    name = MODEL_NAME
    multi_label = True  # one independent probability per group: explained with multi_label=True

    def __init__(self, pipeline: Pipeline, meta: dict[str, Any] | None = None) -> None:
        self.pipeline = pipeline
        self.meta = dict(meta or {})
        self._class_names = [str(n) for n in self.meta.get("label_names") or range(len(pipeline.classes_))]

    @classmethod
    def load(cls, settings: Settings | None = None) -> CrosspostClassifier:
        """Load the cached model, training it first if needed (:func:`load_or_train`)."""
        return cls(*load_or_train(settings))

    @property
    def class_names(self) -> list[str]:
        return list(self._class_names)

    @property
    def cache_key(self) -> str:
        digest = self.meta.get("file_sha256")
        return f"{MODEL_NAME}:{digest[:16]}" if digest else f"{MODEL_NAME}:unsaved@{id(self):x}"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), 20): each group's own probability; rows need not sum to 1."""
        texts = as_text_list(texts)
        if not texts:
            return np.zeros((0, len(self._class_names)))
        return np.asarray(self.pipeline.predict_proba(texts), dtype=np.float64)

    def __repr__(self) -> str:
        return f"CrosspostClassifier(labels={len(self._class_names)}, multi_label=True)"
