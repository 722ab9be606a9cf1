"""Which model to explain, and opening it: the one definition every front end uses.

A model is named in one of three ways (:data:`KINDS`): a bundled model by its
registry ``name``; a joblib ``pipeline`` file (any object with
``predict_proba``); or the ``url`` of an HTTP API in the Hugging Face Inference
format, with the client's options (``max_requests``, ``deadline``). The command
line (``--model`` / ``--pipeline`` / ``--url``), the batch workers, the
dashboard and the library all open models through :func:`open_model`,
:func:`load_pipeline` and :func:`open_remote_model`, so each way fails with the
same message everywhere.

A :class:`ModelSource` is plain, picklable data holding no secret: a remote
model's token is read from ``LIME_API_TOKEN`` (or the token source the caller
passes) at each request, in whichever process sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ModelUnavailableError

BUNDLED, PIPELINE, URL = "name", "pipeline", "url"
KINDS = (BUNDLED, PIPELINE, URL)


@dataclass(frozen=True)
class ModelSource:
    """Which model to open: a bundled ``name``, a joblib ``pipeline`` file, or a remote ``url``.

    ``max_requests`` (HTTP requests one explanation may send) and ``deadline`` (seconds per HTTP request) apply
    to a remote model; None leaves the client's defaults.
    """

    kind: str  # "name" | "pipeline" | "url"
    value: str
    max_requests: int | None = None
    deadline: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"model source kind must be 'name', 'pipeline' or 'url', not {self.kind!r}")

    @property
    def shown_value(self) -> str:
        """``value`` as it may be stored and shown: a URL without its user info or secret query parameters."""
        if self.kind != URL:
            return self.value
        from .models.remote.display import redact_url

        return redact_url(self.value)

    @property
    def label(self) -> str:
        """How the model is named in the output (a file's name, not its path)."""
        return Path(self.value).name if self.kind == PIPELINE else self.value

    def is_transformer(self) -> bool:
        """Whether the model is a local transformer (worth a GPU)."""
        if self.kind != BUNDLED:
            return False
        from .errors import LimeCoreError

        try:
            return import_registry().get_spec(self.value).kind == "transformer"
        except LimeCoreError:
            return False

    def open(self, *, multi_label: bool = False) -> Any:
        """The model, ready for ``predict_proba`` (:func:`open_model`)."""
        return open_model(self, multi_label=multi_label)

    def load(self) -> Any:
        """The model (:meth:`open` with the defaults)."""
        return self.open()


def open_model(source: ModelSource, *, multi_label: bool = False) -> Any:
    """Open the model ``source`` names; ``multi_label`` tells a remote client that each label has its own
    probability (a bundled model or a pipeline declares that itself)."""
    if source.kind == BUNDLED:
        return open_bundled_model(source.value)
    if source.kind == PIPELINE:
        return load_pipeline(source.value)
    return open_remote_model(
        source.value, max_requests=source.max_requests, deadline=source.deadline, multi_label=multi_label
    )


def import_registry() -> Any:
    """The bundled-model registry, imported late because it pulls in the model stack."""
    import importlib
    import importlib.util
    import sys

    name = "lime_core.models.registry"
    if name not in sys.modules and importlib.util.find_spec(name) is None:
        raise ModelUnavailableError(
            "bundled models are not available in this installation (no lime_core.models.registry)"
        )
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ModelUnavailableError(f"bundled models cannot be loaded: {exc}") from None


def open_bundled_model(name: str) -> Any:
    """A bundled model by its registry name (``python -m lime_core models`` lists them)."""
    return import_registry().load_model(name)


def open_remote_model(
    url: str,
    *,
    max_requests: int | None = None,
    deadline: float | None = None,
    multi_label: bool = False,
    **client_options: Any,
) -> Any:
    """The client of a remote model in the Hugging Face Inference format.

    ``max_requests`` and ``deadline`` are left to the client's defaults when None; ``client_options`` go to
    :class:`~lime_core.models.remote.RemoteClassifier` as they are (e.g. ``token``, ``batch_size``). Without a
    ``token`` the client reads ``$LIME_API_TOKEN`` at each request and keeps no copy of it.
    """
    from .models.remote import RemoteClassifier

    options: dict[str, Any] = {"multi_label": multi_label, **client_options}
    if max_requests is not None:
        options["max_requests"] = max_requests
    if deadline is not None:
        options["deadline"] = deadline
    return RemoteClassifier(url, **options)


def load_pipeline(path: str | Path) -> Any:
    """A joblib pickle of an object with ``predict_proba``, wrapped with its class names and the file's name.

    A pickle runs code when it is loaded: only load files you trust. Raises :class:`ModelUnavailableError`
    saying why a file cannot be used (missing, not a file, unreadable, not a pickle, no ``predict_proba``).
    """
    import joblib

    from .classifier import ClassifierAdapter

    file = Path(path)
    if not file.is_file():
        reason = "no such file" if not file.exists() else "not a file"
        raise ModelUnavailableError(f"cannot read {path}: {reason}")
    try:
        obj = joblib.load(file)
    except OSError as exc:
        raise ModelUnavailableError(f"cannot read {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # unpickling fails in many ways (bad opcode, EOF, missing module...)
        raise ModelUnavailableError(f"{path} is not a loadable joblib pickle ({type(exc).__name__}: {exc})") from None
    if not callable(getattr(obj, "predict_proba", None)):
        raise ModelUnavailableError(
            f"the {type(obj).__name__} in {path} has no predict_proba method, so it cannot be explained"
        )
    return ClassifierAdapter(obj, class_names=class_names_of(obj), name=file.name)


def class_names_of(obj: Any) -> list[str] | None:
    """A fitted model's class names (``class_names`` or scikit-learn's ``classes_``), or None when it has none."""
    for attr in ("class_names", "classes_"):
        try:
            names = getattr(obj, attr, None)
        except Exception:  # e.g. a Pipeline whose last step is not fitted
            names = None
        if names is not None and len(names) > 0:
            return [str(c) for c in names]
    return None
