"""Where lime_core finds its data, models and remote service.

Everything that differs between a developer laptop, an offline CI machine and
a deployment comes from environment variables, read by :func:`get_settings`
at every call, so a test or a long-running app that changes the environment
sees the change without a restart. No path to a particular machine is written
into the package: offline machines point these variables at local copies.

Variables
---------
``LIME_20NG_ARCHIVE``
    Path to a local ``20news-bydate.tar.gz``. Unset: the 20 Newsgroups data is
    downloaded by scikit-learn's ``fetch_20newsgroups`` (needs the internet
    once; scikit-learn keeps its own copy afterwards).
``LIME_SENTIMENT_MODEL``
    Hugging Face hub name or local directory of the review-sentiment model.
    Default ``nlptown/bert-base-multilingual-uncased-sentiment``.
``LIME_SENTIMENT_LANGUAGES``
    Comma-separated ISO 639-1 codes of the languages a custom sentiment
    checkpoint reads (e.g. ``en`` for the English stand-in). The default hub
    model declares its own six; a custom one without this declares none.
``LIME_SAVED_DB``
    The SQLite file where the dashboard keeps saved explanations. Default
    ``saved.sqlite3`` in ``LIME_CACHE_DIR``.
``LIME_CACHE_DIR``
    Where the trained 20 Newsgroups pipeline (and the parsed archive) are
    kept between runs. Default ``~/.cache/lime_core``.
``LIME_API_TOKEN``
    Bearer token for the remote model service. Secret: it is kept out of the
    settings' ``repr`` and must never be logged or printed.
``LIME_API_URL``
    Default URL of a remote model service, offered by the app and CLI when no
    URL is given. Optional.
``LIME_REMOTE_ALLOW``
    Which URLs the dashboard's Remote API page may call (the server makes the
    request, so this is what stops it from being used against other hosts):
    comma-separated https host names, plus ``loopback`` for 127.0.0.0/8, ::1
    and localhost. Default ``loopback``. See :mod:`lime_core.net.policy`.
``LIME_BATCH_DIR``
    Where the dashboard's Dataset page writes its batch runs (and lists
    earlier ones). Default ``LIME_CACHE_DIR/batches``. See docs/batch.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SENTIMENT_MODEL = "nlptown/bert-base-multilingual-uncased-sentiment"
DEFAULT_CACHE_DIR = "~/.cache/lime_core"

ENV_20NG_ARCHIVE = "LIME_20NG_ARCHIVE"
ENV_SENTIMENT_MODEL = "LIME_SENTIMENT_MODEL"
ENV_CACHE_DIR = "LIME_CACHE_DIR"
ENV_SENTIMENT_LANGUAGES = "LIME_SENTIMENT_LANGUAGES"
ENV_SAVED_DB = "LIME_SAVED_DB"
ENV_API_TOKEN = "LIME_API_TOKEN"
ENV_API_URL = "LIME_API_URL"
ENV_REMOTE_ALLOW = "LIME_REMOTE_ALLOW"
ENV_BATCH_DIR = "LIME_BATCH_DIR"


@dataclass(frozen=True)
class Settings:
    """A snapshot of lime_core's configuration.

    Frozen so that a loaded model can keep the settings it was built with;
    call :func:`get_settings` again (or :func:`dataclasses.replace`) for a new
    snapshot.
    """

    newsgroups_archive: Path | None = None
    """Local ``20news-bydate.tar.gz`` (``LIME_20NG_ARCHIVE``); None means download with scikit-learn."""

    sentiment_model: str = DEFAULT_SENTIMENT_MODEL
    """Hub name or local directory of the sentiment model (``LIME_SENTIMENT_MODEL``)."""

    cache_dir: Path = field(default_factory=lambda: Path(DEFAULT_CACHE_DIR).expanduser())
    """Directory for the trained 20 Newsgroups pipeline and parsed data (``LIME_CACHE_DIR``)."""

    api_token: str | None = field(default=None, repr=False)
    """Remote-service token (``LIME_API_TOKEN``); excluded from repr, never log it."""

    api_url: str | None = None
    """Default remote model URL (``LIME_API_URL``), or None."""

    remote_allow: str | None = None
    """The Remote API page's allow-list (``LIME_REMOTE_ALLOW``); None means the default, loopback only."""

    sentiment_languages: tuple[str, ...] = ()
    """Languages a custom sentiment checkpoint reads (``LIME_SENTIMENT_LANGUAGES``); empty: not declared."""

    saved_db: Path | None = None
    """SQLite file of saved explanations (``LIME_SAVED_DB``); None: ``saved.sqlite3`` in the cache directory."""

    @property
    def saved_db_path(self) -> Path:
        return self.saved_db if self.saved_db is not None else self.cache_dir / "saved.sqlite3"
    batch_dir: Path | None = None
    """The Dataset page's runs (``LIME_BATCH_DIR``); None means ``cache_dir / "batches"``."""

    @property
    def batches_dir(self) -> Path:
        """Where the Dataset page writes its runs: ``LIME_BATCH_DIR``, else ``LIME_CACHE_DIR/batches``."""
        return self.batch_dir if self.batch_dir is not None else self.cache_dir / "batches"


def _clean(value: str | None) -> str | None:
    """Treat unset, empty and whitespace-only variables alike: a blank `export X=` means "not set"."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from ``environ`` (default: the process environment) now.

    Nothing is cached, so each call reflects the current environment.
    """
    env = os.environ if environ is None else environ
    archive = _clean(env.get(ENV_20NG_ARCHIVE))
    cache_dir = _clean(env.get(ENV_CACHE_DIR)) or DEFAULT_CACHE_DIR
    sentiment = _clean(env.get(ENV_SENTIMENT_MODEL)) or DEFAULT_SENTIMENT_MODEL
    batch_dir = _clean(env.get(ENV_BATCH_DIR))
    return Settings(
        newsgroups_archive=Path(archive).expanduser() if archive else None,
        sentiment_model=os.path.expanduser(sentiment),
        cache_dir=Path(cache_dir).expanduser(),
        api_token=_clean(env.get(ENV_API_TOKEN)),
        api_url=_clean(env.get(ENV_API_URL)),
        remote_allow=_clean(env.get(ENV_REMOTE_ALLOW)),
        sentiment_languages=tuple(
            c.strip().lower() for c in (_clean(env.get(ENV_SENTIMENT_LANGUAGES)) or "").split(",") if c.strip()
        ),
        saved_db=Path(saved).expanduser() if (saved := _clean(env.get(ENV_SAVED_DB))) else None,
        batch_dir=Path(batch_dir).expanduser() if batch_dir else None,
    )
