"""The models the product offers by name, and whether each can be used right now.

The app and the CLI list :func:`available_models`, show :func:`model_status`
next to each (a cheap check: no weights are loaded, no data read, no network
used) and call :func:`load_model` for the one the user picks. Loading is not
cached here: a caller that wants to keep a model (e.g. the app's resource
cache) keeps the returned object.

Other model kinds plug in with :func:`register_model`; the remote HTTP model
is used directly through its URL (``--url`` in the CLI) and may be registered
the same way, e.g. ``register_model("remote", spec, loader=lambda s: RemoteClassifier(s.api_url,
token=s.api_token), status=...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..classifier import TextClassifier
from ..errors import ModelUnavailableError
from ..settings import DEFAULT_SENTIMENT_MODEL, ENV_SENTIMENT_MODEL, Settings, get_settings
from . import newsgroups
from .newsgroups import crosspost
from .transformer import WEIGHT_FILES, TransformerClassifier, check_local_model_dir, hub_offline, is_local_reference

SENTIMENT_MODEL_NAME = "sentiment"

ModelKind = Literal["sklearn", "transformer", "remote"]


@dataclass(frozen=True)
class ModelSpec:
    """What the app shows about a model before loading it."""

    name: str
    """Registry key, used in URLs and on the command line (e.g. ``20ng-svm``)."""
    title: str
    """Short human-readable name."""
    description: str
    """One or two sentences: what the model does and where it comes from."""
    kind: ModelKind
    """``sklearn``, ``transformer`` or ``remote``; decides e.g. whether a mask token is available."""
    languages: tuple[str, ...]
    """ISO 639-1 codes of the languages it was trained for; empty when unknown."""
    example_note: str
    """A hint on what kind of text to try."""
    multi_label: bool = False
    """One independent probability per label (rows need not sum to 1): each label is explained as its own
    yes/no question (``TextExplainer(multi_label=True)``)."""


Loader = Callable[[Settings], TextClassifier]
StatusCheck = Callable[[Settings], tuple[bool, str]]
SpecFactory = Callable[[Settings], ModelSpec]


@dataclass(frozen=True)
class _Entry:
    spec: SpecFactory
    loader: Loader
    status: StatusCheck


_REGISTRY: dict[str, _Entry] = {}


def register_model(name: str, spec: ModelSpec | SpecFactory, loader: Loader, status: StatusCheck) -> None:
    """Add (or replace) the model called ``name``.

    ``spec`` is a :class:`ModelSpec` or a function of the settings returning
    one (for descriptions that depend on configuration); ``loader`` builds the
    classifier and raises :class:`ModelUnavailableError` when it cannot;
    ``status`` is a cheap ``(available, message)`` check.
    """
    factory: SpecFactory = (lambda _settings: spec) if isinstance(spec, ModelSpec) else spec
    _REGISTRY[name] = _Entry(factory, loader, status)


def _entry(name: str) -> _Entry:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY) or "none"
        raise ModelUnavailableError(f"unknown model {name!r}; known models: {known}") from None


def available_models(settings: Settings | None = None) -> list[ModelSpec]:
    """Every registered model, in registration order (whether or not it is usable now: see model_status)."""
    settings = settings or get_settings()
    return [entry.spec(settings) for entry in _REGISTRY.values()]


def get_spec(name: str, settings: Settings | None = None) -> ModelSpec:
    """The spec of one model; ModelUnavailableError for an unknown name."""
    return _entry(name).spec(settings or get_settings())


def load_model(name: str, settings: Settings | None = None) -> TextClassifier:
    """Load a model by name. Raises ModelUnavailableError for an unknown name or missing weights/data."""
    entry = _entry(name)
    return entry.loader(settings or get_settings())


def model_status(name: str, settings: Settings | None = None) -> tuple[bool, str]:
    """``(available, message)`` without loading weights or data; unknown names are reported, not raised."""
    try:
        entry = _entry(name)
    except ModelUnavailableError as exc:
        return False, str(exc)
    return entry.status(settings or get_settings())


# --------------------------------------------------------------------------- bundled models


def _newsgroups_spec(_settings: Settings) -> ModelSpec:
    return ModelSpec(
        name=newsgroups.MODEL_NAME,
        title="20 Newsgroups topic classifier",
        description=(
            "TF-IDF, SVD and an RBF support-vector machine trained on four 20 Newsgroups groups "
            "(atheism, Christianity, computer graphics, medicine); the classic LIME demonstration model."
        ),
        kind="sklearn",
        languages=("en",),
        example_note="Paste a Usenet-style post about religion, computer graphics or medicine; it knows only those.",
    )


def _crosspost_spec(_settings: Settings) -> ModelSpec:
    return ModelSpec(
        name=crosspost.MODEL_NAME,
        title="20 Newsgroups cross-posted topics (multi-label)",
        description=(
            "TF-IDF and one logistic regression per group, over all 20 groups, trained with the groups each "
            "discussion was posted to: every group gets its own probability, and a post may belong to several."
        ),
        kind="sklearn",
        languages=("en",),
        example_note="Paste a Usenet-style post, e.g. on religion and politics at once.",
        multi_label=True,
    )


def _sentiment_spec(settings: Settings) -> ModelSpec:
    model = settings.sentiment_model
    if model == DEFAULT_SENTIMENT_MODEL:
        return ModelSpec(
            name=SENTIMENT_MODEL_NAME,
            title="Review sentiment (1-5 stars)",
            description=f"Multilingual BERT fine-tuned on product reviews ({model}); predicts 1 to 5 stars.",
            kind="transformer",
            languages=("en", "nl", "de", "fr", "es", "it"),
            example_note="Paste a product review in English, Dutch, German, French, Spanish or Italian.",
        )
    return ModelSpec(
        name=SENTIMENT_MODEL_NAME,
        title="Review sentiment",
        # A local checkpoint is named by its folder, not its full path, and no setting is named: the description is
        # shown to stakeholders in demos (the setting is in docs/models.md and in the message of a missing model).
        description=f"Review-sentiment transformer '{Path(model).name or model}'; its labels come from the checkpoint.",
        kind="transformer",
        languages=settings.sentiment_languages,
        example_note="Paste a short review, e.g. of a film or a product.",
    )


def _load_sentiment(settings: Settings) -> TextClassifier:
    return TransformerClassifier(settings.sentiment_model, env_var=ENV_SENTIMENT_MODEL)


def _hub_cached(repo_id: str) -> bool:
    """Is the checkpoint's config and some weight file in the local Hugging Face cache? (no network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover
        return False

    def cached(filename: str) -> bool:
        try:
            return isinstance(try_to_load_from_cache(repo_id, filename), str)
        except Exception:  # invalid repo id etc.
            return False

    return cached("config.json") and any(cached(name) for name in WEIGHT_FILES)


def _sentiment_status(settings: Settings) -> tuple[bool, str]:
    model = settings.sentiment_model
    if is_local_reference(model):
        problem = check_local_model_dir(Path(model))
        if problem:
            return False, f"{problem}; set {ENV_SENTIMENT_MODEL} to a local model directory"
        return True, f"local model directory {model}"
    if _hub_cached(model):
        return True, f"{model} is in the local Hugging Face cache"
    if hub_offline():
        return False, (
            f"{model} is not in the local Hugging Face cache and HF_HUB_OFFLINE is set; "
            f"set {ENV_SENTIMENT_MODEL} to a local model directory"
        )
    return True, f"{model} will be downloaded from the Hugging Face hub on first use (needs the internet)"


register_model(
    newsgroups.MODEL_NAME,
    _newsgroups_spec,
    loader=newsgroups.NewsgroupsClassifier.load,
    status=newsgroups.pipeline_status,
)
register_model(SENTIMENT_MODEL_NAME, _sentiment_spec, loader=_load_sentiment, status=_sentiment_status)
register_model(
    crosspost.MODEL_NAME, _crosspost_spec, loader=crosspost.CrosspostClassifier.load, status=crosspost.model_status
)
