"""Models, the shared prediction cache and the local model server, each created once per process.

``st.cache_resource`` keeps one loaded model per name for every session of the
server. A model that fails to load is not cached: its error is shown where it
is needed and the other models stay usable. Nothing here raises to a page:
failures come back as messages.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import streamlit as st

from lime_core import LimeCoreError, PredictionCache
from lime_core.model_source import open_bundled_model

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "20ng-svm"
LOCAL_SERVER_MODEL = "20ng-svm"  # what the Remote API page's built-in server serves
WARM_MODELS = ("20ng-svm",)  # loaded when the app starts; others on first use


@dataclass(frozen=True)
class ModelInfo:
    """What the sidebar shows about one bundled model."""

    name: str
    title: str
    description: str
    kind: str
    available: bool
    reason: str  # why it is (un)available, from the registry
    languages: tuple[str, ...] = ()  # ISO 639-1 codes the model reads; () when it declares none


def _registry() -> Any:
    from lime_core.models import registry  # imported late: the registry pulls in the model stack

    return registry


def user_message(exc: BaseException) -> str:
    """A one-line message for the user: lime_core's own messages as they are, anything else generic."""
    if isinstance(exc, LimeCoreError):
        text = str(exc).strip() or type(exc).__name__
    else:
        logger.exception("unexpected error", exc_info=exc)
        text = f"unexpected {type(exc).__name__}; the details are in the server log"
    return text[:1].upper() + text[1:]


@st.cache_resource(show_spinner=False)
def prediction_cache() -> PredictionCache:
    """One prediction cache for the whole process: repeated perturbations cost no model call."""
    return PredictionCache()


@st.cache_data(ttl=30, show_spinner=False)
def model_catalog() -> list[ModelInfo]:
    """Every bundled model with whether it can be used now and why (refreshed every 30 s)."""
    try:
        registry = _registry()
        specs = list(registry.available_models())
    except Exception as exc:  # a broken registry must not take the app down
        logger.exception("cannot list models")
        return [ModelInfo(DEFAULT_MODEL, DEFAULT_MODEL, "", "", False, user_message(exc))]
    out = []
    for spec in specs:
        name = str(spec.name)
        try:
            ok, reason = registry.model_status(name)
        except Exception as exc:
            ok, reason = False, user_message(exc)
        out.append(
            ModelInfo(
                name=name,
                title=str(getattr(spec, "title", name) or name),
                description=str(getattr(spec, "description", "") or ""),
                kind=str(getattr(spec, "kind", "") or ""),
                available=bool(ok),
                reason=str(reason or ""),
                languages=tuple(str(c) for c in (getattr(spec, "languages", None) or ())),
            )
        )
    return out


def model_info(name: str) -> ModelInfo | None:
    for info in model_catalog():
        if info.name == name:
            return info
    return None


def model_languages(name: str) -> tuple[str, ...]:
    info = model_info(name)
    return info.languages if info else ()


def model_title(name: str) -> str:
    info = model_info(name)
    return info.title if info else name


@st.cache_resource(show_spinner=False, max_entries=8)
def _load(name: str) -> Any:
    return open_bundled_model(name)


def get_model(name: str) -> tuple[Any | None, str | None]:
    """``(model, None)`` or ``(None, message)``; a failure is not cached, so fixing the cause and retrying works."""
    try:
        return _load(name), None
    except Exception as exc:
        return None, user_message(exc)


def warm_up() -> dict[str, str]:
    """Load the models in :data:`WARM_MODELS` that are available; return the errors by model name."""
    errors = {}
    available = {m.name for m in model_catalog() if m.available}
    for name in WARM_MODELS:
        if name in available:
            _, error = get_model(name)
            if error:
                errors[name] = error
    return errors


@st.cache_resource(show_spinner=False)
def _local_server() -> Any:
    from lime_core.serve import serve_in_thread

    model, error = get_model(LOCAL_SERVER_MODEL)
    if model is None:
        raise RuntimeError(error or "the model is unavailable")
    return serve_in_thread(model, model_name=LOCAL_SERVER_MODEL)


def local_server_url() -> tuple[str | None, str | None]:
    """URL of the built-in model server (started on first use), or ``(None, message)``."""
    try:
        handle = _local_server()
    except Exception as exc:
        return None, f"The built-in model server could not start: {exc}"
    return f"{handle.url}/models/{LOCAL_SERVER_MODEL}", None
