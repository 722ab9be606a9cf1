"""The four-group 20 Newsgroups data, from a local archive or from scikit-learn's download.

Both give exactly the split of ``fetch_20newsgroups(subset=..., categories=GROUPS,
remove=("headers", "footers"), shuffle=True, random_state=42)``: for a local
archive (``LIME_20NG_ARCHIVE``, for machines without internet) we build the
cache file that ``fetch_20newsgroups`` would have built after downloading
that same archive, then let scikit-learn itself select, strip and shuffle the
posts. The private scikit-learn parts this needs are in
:mod:`lime_core.models._sklearn_compat`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sklearn.datasets import fetch_20newsgroups, load_files

from ...errors import ModelUnavailableError
from ...settings import ENV_20NG_ARCHIVE, Settings, get_settings
from .._sklearn_compat import (
    NEWSGROUPS_TEST_FOLDER,
    NEWSGROUPS_TRAIN_FOLDER,
    encode_newsgroups_cache,
    newsgroups_cache_path,
)
from ._files import atomic_write_bytes, sha256_file

logger = logging.getLogger(__name__)

GROUPS: tuple[str, ...] = ("alt.atheism", "soc.religion.christian", "comp.graphics", "sci.med")
REMOVE: tuple[str, ...] = ("headers", "footers")
SHUFFLE_SEED = 42


@dataclass(frozen=True)
class NewsgroupsSplit:
    """One subset of the four-group data: texts, integer targets and the group names they index."""

    texts: list[str]
    target: np.ndarray
    target_names: list[str]

    def __len__(self) -> int:
        return len(self.texts)


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
    digest = sha256_file(archive)
    data_home = cache_dir / "data" / f"20news-{digest[:16]}"
    if not newsgroups_cache_path(data_home).is_file():
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
        train_dir, test_dir = Path(tmp, NEWSGROUPS_TRAIN_FOLDER), Path(tmp, NEWSGROUPS_TEST_FOLDER)
        if not (train_dir.is_dir() and test_dir.is_dir()):
            raise ModelUnavailableError(
                f"{ENV_20NG_ARCHIVE}={archive} is not the 20news-bydate archive "
                f"(no {NEWSGROUPS_TRAIN_FOLDER}/ and {NEWSGROUPS_TEST_FOLDER}/ folders inside)"
            )
        parsed = {
            "train": load_files(train_dir, encoding="latin1"),
            "test": load_files(test_dir, encoding="latin1"),
        }
    atomic_write_bytes(newsgroups_cache_path(data_home), encode_newsgroups_cache(parsed))
    logger.info("parsed %s into %s in %.1f s", archive, data_home, time.perf_counter() - started)


def load_newsgroups(
    subset: Literal["train", "test"],
    settings: Settings | None = None,
    categories: tuple[str, ...] | None = GROUPS,
) -> NewsgroupsSplit:
    """The four-group split with headers and footers removed, as ``fetch_20newsgroups`` gives it.

    ``categories=None`` gives all 20 groups (the 20-class linear model, :mod:`.linear`).

    With ``LIME_20NG_ARCHIVE`` set the local archive is used (parsed once into
    the cache directory); otherwise scikit-learn downloads the data.
    Raises :class:`ModelUnavailableError` when neither works.
    """
    if subset not in ("train", "test"):
        raise ValueError(f"subset must be 'train' or 'test', not {subset!r}")
    settings = settings or get_settings()
    options: dict[str, Any] = dict(
        subset=subset,
        categories=None if categories is None else list(categories),
        remove=REMOVE,
        shuffle=True,
        random_state=SHUFFLE_SEED,
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
