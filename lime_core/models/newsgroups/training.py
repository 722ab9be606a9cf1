"""Training the topic model once, keeping it in the cache directory, and loading it from there.

The pipeline is trained on the 20 Newsgroups "bydate" training posts of four
groups, scored on the test posts, and stored (joblib, with a JSON sidecar of
metadata and the file's sha256) in ``<LIME_CACHE_DIR>/models``; a cached load
takes a fraction of a second, training about 5 s plus reading the data. A
cache from other library versions, another storage format or another model
recipe, or a damaged file, is retrained.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import platform
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.exceptions import InconsistentVersionWarning
from sklearn.pipeline import Pipeline

from ...settings import ENV_20NG_ARCHIVE, Settings, get_settings
from ._files import atomic_write_bytes
from .data import GROUPS, data_fingerprint, load_newsgroups
from .recipe import MODEL_NAME, RECIPE_VERSION, build_pipeline, dependency_versions

logger = logging.getLogger(__name__)

# Bump when the stored payload changes shape, so old caches retrain.
FORMAT_VERSION = 1
PIPELINE_FILE = f"{MODEL_NAME}.joblib"
META_FILE = f"{MODEL_NAME}.json"


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
    atomic_write_bytes(path, payload)
    atomic_write_bytes(_meta_path(path), json.dumps(meta, indent=2, sort_keys=True).encode())
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
