"""The one contract lime_core has with a model.

A text classifier is anything with ``class_names`` and
``predict_proba(list[str]) -> ndarray (n_texts, n_classes)``. Adapters for the
bundled models live in :mod:`lime_core.models`; :func:`as_classifier` wraps a
plain object such as a fitted scikit-learn pipeline.

Optional parts a classifier may declare, read by the black box
(:class:`lime_core.predictor.BlackBox`): a request budget (:class:`BudgetLimited`;
:class:`BudgetedClassifier` when it is per explanation, as a paid API's is) and a
preferred batch size (:class:`BatchedClassifier`). A classifier without them works as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from .errors import ModelOutputError

# Rows must sum to 1 within this tolerance; generous because float32 softmax
# outputs of transformers drift by ~1e-6 per class.
PROBA_SUM_TOLERANCE = 1e-3
# The explainer's option and the CLI's flag for models with one independent probability per label.
MULTI_LABEL_OPTION = (
    "multi_label=True (--multi-label on the command line, 'Multi-label model' on the dashboard's Remote API page)"
)


@runtime_checkable
class TextClassifier(Protocol):
    """What the explainer needs from a model."""

    @property
    def class_names(self) -> Sequence[str]: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class BudgetLimited(Protocol):
    """A classifier whose predictions a budget limits (a metered API): it refuses what it cannot pay for.

    The black box calls :meth:`check_budget` before it sends texts that are not in its cache, so that a
    prediction the budget cannot pay for is refused before any request is sent. A budget that is not per
    explanation (a cap for the model's lifetime) needs only this; one per explanation is a
    :class:`BudgetedClassifier`. Declare it by inheriting from the class, or just define the method (the
    check is structural, ``isinstance(model, BudgetLimited)``: it looks for the method, not its signature).
    """

    def check_budget(self, texts: Sequence[str]) -> int:
        """Refuse, before anything is sent, a prediction of ``texts`` that the rest of the budget cannot pay for.

        Raises :class:`~lime_core.errors.BudgetExceededError` with a message that says what it would
        cost; otherwise returns the number of requests ``texts`` need (texts the model has answered
        already cost nothing). Sends nothing and spends nothing.
        """
        ...


@runtime_checkable
class BudgetedClassifier(BudgetLimited, Protocol):
    """A :class:`BudgetLimited` classifier whose budget is per explanation.

    The black box calls :meth:`reset_budget` once when an explanation starts (one
    :class:`~lime_core.predictor.BlackBox` serves one explanation), then :meth:`check_budget`
    before each prediction that sends texts. :class:`~lime_core.models.remote.RemoteClassifier`
    implements it.

    Only the budget is declared here, not ``class_names``: on Python 3.11 an ``isinstance`` check
    reads every member, and a remote model's ``class_names`` may send a request to learn its labels.
    """

    def reset_budget(self) -> None:
        """Start a new explanation: what it has spent goes back to 0 (answers already cached are kept)."""
        ...


@runtime_checkable
class BatchedClassifier(Protocol):
    """A classifier that says how many texts it wants per call (a transformer's batch, an API's request)."""

    batch_size: int
    """Texts per ``predict_proba`` call the model handles best; the black box reports progress per at least
    a few hundred texts whatever it is."""


class ClassifierAdapter:
    """Gives any object with ``predict_proba``, or a plain function ``f(list[str]) -> (n, k)``, the
    :class:`TextClassifier` shape.

    A function is called as its own ``predict_proba`` (as eli5 and lime take ``pipe.predict_proba`` or a
    ``model_adapter(texts)``). Without ``class_names`` the classes are "class 0", "class 1", ... from the width of
    the first answer.
    """

    def __init__(self, model: Any, class_names: Sequence[str] | None = None, name: str | None = None):
        predict = getattr(model, "predict_proba", None)
        if not callable(predict):
            if not callable(model):
                raise TypeError(
                    f"{type(model).__name__} has no predict_proba method; it cannot be explained (pass a model "
                    "with predict_proba, or a function f(list of texts) -> probabilities)"
                )
            predict = model
        self._predict: Callable[[list[str]], Any] = predict
        self.model = model
        if class_names is None:
            # A bound method such as ``pipe.predict_proba`` knows its classes through its object.
            source = model.__self__ if inspect.ismethod(model) else model
            classes = getattr(source, "class_names", None)
            if classes is None:
                classes = getattr(source, "classes_", None)
            class_names = [str(c) for c in classes] if classes is not None else None
        self._class_names = list(class_names) if class_names is not None else None
        self.name = name or (callable_name(model) if self._predict is model else type(model).__name__)

    @property
    def class_names(self) -> list[str]:
        if self._class_names is None:
            raise AttributeError("class names are not known until the first prediction")
        return self._class_names

    @property
    def cache_key(self) -> str:
        """The wrapped model's identity, so that a new adapter around the same model shares its cache rows."""
        return model_identity(self.model)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        proba = np.asarray(self._predict(list(texts)))
        if self._class_names is None and proba.ndim == 2:
            self._class_names = [f"class {i}" for i in range(proba.shape[1])]
        return proba


def as_classifier(model: Any, class_names: Sequence[str] | None = None) -> TextClassifier:
    """Return ``model`` itself if it already is a TextClassifier, else an adapter."""
    if class_names is None and is_text_classifier(model):
        return model
    return ClassifierAdapter(model, class_names=class_names)


def is_text_classifier(model: Any) -> bool:
    """Whether ``model`` has the :class:`TextClassifier` members, found without reading them.

    ``isinstance(model, TextClassifier)`` reads every member on Python 3.11, and reading a remote model's
    ``class_names`` sends a label probe before any budget has been reset for the explanation; looking the
    members up statically sends nothing.
    """
    missing = object()
    if inspect.getattr_static(model, "class_names", missing) is missing:
        return False
    return callable(inspect.getattr_static(model, "predict_proba", None))


def model_identity(model: Any) -> str:
    """A key that tells models apart in the prediction cache.

    Adapters may define ``cache_key`` (e.g. a checkpoint path plus its
    revision); otherwise the object's identity is used, which is right for the
    lifetime of one loaded model.
    """
    key = getattr(model, "cache_key", None)
    if isinstance(key, str) and key:
        return key
    if inspect.ismethod(model):
        # ``pipe.predict_proba`` is a new bound-method object at every access; its identity is its object's.
        return f"{callable_name(model)}@{id(model.__self__):x}"
    if inspect.isfunction(model) or inspect.isbuiltin(model):
        # Functions have no identity that survives the process: the key, like the cache, lives in memory only.
        return f"{callable_name(model)}@{id(model):x}"
    return f"{type(model).__module__}.{type(model).__qualname__}@{id(model):x}"


def callable_name(function: Any) -> str:
    """``module.qualname`` of a function or bound method, for cache keys and explanation headers."""
    module = getattr(function, "__module__", None) or ""
    qualname = getattr(function, "__qualname__", None) or type(function).__qualname__
    return f"{module}.{qualname}" if module else qualname


def as_text_list(texts: Sequence[str]) -> list[str]:
    """The texts as a list of str; rejects the classic mistake of passing one string (read as its characters)."""
    if isinstance(texts, str | bytes):
        raise TypeError("predict_proba expects a list of texts, not a single string")
    texts = list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"text {i} is a {type(text).__name__}, not a str")
    return texts


def validate_class_names(model: Any) -> list[str]:
    """The model's class names as strings, refusing duplicates (a target named "a" must mean one class).

    A model that only knows its classes after a first prediction passes for now (an empty list); it is
    checked again when the explanation is built.
    """
    try:
        names = [str(c) for c in model.class_names]
    except AttributeError:
        return []
    seen: dict[str, int] = {}
    for name in names:
        seen[name] = seen.get(name, 0) + 1
    duplicates = [name for name, count in seen.items() if count > 1]
    if duplicates:
        shown = ", ".join(f"{name!r} ({seen[name]} times)" for name in duplicates[:8])
        raise ModelOutputError(
            f"the model has duplicate class names: {shown}; each class needs its own name, or a target "
            "such as --target would be ambiguous"
        )
    return names


def _ragged_rows(proba: Any) -> str | None:
    """A message when ``proba`` is a list of rows of different lengths (numpy's own message is opaque)."""
    if isinstance(proba, np.ndarray) or not isinstance(proba, Sequence) or isinstance(proba, str | bytes):
        return None
    lengths = []
    for row in proba:
        try:
            lengths.append(len(row))
        except TypeError:
            return "the model returned a mixture of rows and single numbers; expected one row per text"
    if len(set(lengths)) > 1:
        first = lengths[0]
        other = next(i for i, n in enumerate(lengths) if n != first)
        return (
            f"the model returned rows of different lengths (row 0 has {first} values, row {other} has "
            f"{lengths[other]}); every row needs one probability per class"
        )
    return None


def declares_multi_label(model: Any) -> bool:
    """Whether ``model`` says it is multi-label (an attribute ``multi_label = True``: one independent
    probability per label, rows need not sum to 1). Read statically, so a remote model sends nothing."""
    declared = inspect.getattr_static(model, "multi_label", False)
    return declared is True


def validate_probabilities(
    proba: Any, n_texts: int, n_classes: int | None = None, *, multi_label: bool = False
) -> np.ndarray:
    """Check a black box's answer and return it as a float64 matrix.

    Raises :class:`ModelOutputError` with a specific message when the answer
    has the wrong shape, non-finite values, negative values or rows that do not
    sum to 1. With ``multi_label`` every entry is its own label's probability:
    rows need not sum to 1, one label is enough, and every value must lie in [0, 1].
    """
    ragged = _ragged_rows(proba)
    if ragged:
        raise ModelOutputError(ragged)
    try:
        arr = np.asarray(proba, dtype=np.float64)
    except (TypeError, ValueError):
        raise ModelOutputError(
            f"the model returned a {type(proba).__name__} that is not a numeric array; expected "
            "(n_texts, n_classes) probabilities"
        ) from None
    if arr.ndim != 2:
        raise ModelOutputError(f"the model returned an array of shape {arr.shape}; expected (n_texts, n_classes)")
    if arr.shape[0] != n_texts:
        raise ModelOutputError(f"the model returned {arr.shape[0]} rows for {n_texts} texts")
    if n_classes is not None and arr.shape[1] != n_classes:
        raise ModelOutputError(f"the model returned {arr.shape[1]} classes; expected {n_classes}")
    if multi_label and arr.shape[1] < 1:
        raise ModelOutputError("the multi-label model returned no label probabilities")
    if not multi_label and arr.shape[1] < 2:
        raise ModelOutputError("the model returned fewer than 2 class probabilities per text")
    if not np.all(np.isfinite(arr)):
        raise ModelOutputError("the model returned NaN or infinite probabilities")
    if np.any(arr < -PROBA_SUM_TOLERANCE):
        raise ModelOutputError("the model returned negative probabilities")
    if multi_label:
        if np.any(arr > 1.0 + PROBA_SUM_TOLERANCE):
            row, col = (int(i) for i in np.argwhere(arr > 1.0 + PROBA_SUM_TOLERANCE)[0])
            raise ModelOutputError(
                f"the multi-label model returned a score above 1 ({arr[row, col]:.4g} for label {col} of row "
                f"{row}); every label needs a probability in [0, 1] (apply a sigmoid to logits)"
            )
        return np.clip(arr, 0.0, 1.0)
    sums = arr.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > PROBA_SUM_TOLERANCE:
        raise ModelOutputError(
            f"the model's probabilities do not sum to 1 (row {worst} sums to {sums[worst]:.4g}); "
            "pass probabilities, not scores or logits; if the model is multi-label (one independent "
            f"probability per label), explain it with {MULTI_LABEL_OPTION}"
        )
    return np.clip(arr, 0.0, 1.0)
