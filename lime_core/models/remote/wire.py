"""The wire format: how texts are put in a request body and how an answer is read back.

A format only translates; label alignment, budget, retries and caching are
done by :class:`~lime_core.models.remote.RemoteClassifier`, so that every
format gets the same checks. The default is the Hugging Face Inference API
text-classification format, which :mod:`lime_core.net.server` also speaks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ...errors import RemoteModelError
from .display import one_line


@runtime_checkable
class ResponseFormat(Protocol):
    """How texts are put on the wire and how an answer is read back.

    A format only translates; label alignment, budget, retries and caching are
    done by :class:`RemoteClassifier` so that every format gets the same checks.
    ``decode`` returns one ``{label: score}`` mapping per text and raises
    :class:`RemoteModelError` when the answer does not have the expected shape.
    """

    @property
    def name(self) -> str:
        """The format's name, in cache keys and messages."""
        ...

    def encode(self, texts: Sequence[str]) -> Any:
        """Return the JSON-serialisable request body for ``texts``."""
        ...

    def decode(self, payload: Any, n_texts: int) -> list[dict[str, float]]:
        """Turn the parsed JSON answer into one label->score mapping per text."""
        ...


def format_name(response_format: Any) -> str:
    """The format's ``name``, or its class name for a format that has none (for keys and messages)."""
    return getattr(response_format, "name", type(response_format).__name__)


@dataclass(frozen=True)
class HFInferenceFormat:
    """The Hugging Face Inference API text-classification format.

    Request: ``{"inputs": [text, ...]}`` (plus ``{"parameters": {"top_k": k}}``
    when ``top_k`` is set -- some endpoints return only the best label unless
    asked for all of them). Answer: per text, a list of
    ``{"label": str, "score": float}``. For a single input HF sometimes answers
    with the flat list instead of a list holding one list; both are accepted.
    """

    top_k: int | None = None
    name: str = "hf-inference"

    def encode(self, texts: Sequence[str]) -> dict[str, Any]:
        body: dict[str, Any] = {"inputs": list(texts)}
        if self.top_k is not None:
            body["parameters"] = {"top_k": int(self.top_k)}
        return body

    def decode(self, payload: Any, n_texts: int) -> list[dict[str, float]]:
        if isinstance(payload, dict):
            if "error" in payload:
                raise RemoteModelError(f"the server answered with an error: {one_line(payload['error'])}")
            raise RemoteModelError("the server's answer is a JSON object; expected a list of label/score lists")
        if not isinstance(payload, list):
            raise RemoteModelError(f"the server's answer is a JSON {type(payload).__name__}; expected a list")
        if payload and all(isinstance(item, dict) for item in payload):
            if n_texts == 1:
                payload = [payload]  # the flat single-input shape
            else:
                raise RemoteModelError(
                    f"the server returned one label per text for {n_texts} texts; it must return the scores of "
                    "all labels (for HF endpoints set top_k to the number of labels)"
                )
        if len(payload) != n_texts:
            raise RemoteModelError(f"the server returned {len(payload)} results for {n_texts} texts")
        return [_decode_hf_row(row, i) for i, row in enumerate(payload)]


def _decode_hf_row(row: Any, index: int) -> dict[str, float]:
    if not isinstance(row, list):
        raise RemoteModelError(f"result {index} is a JSON {type(row).__name__}; expected a list of label/score pairs")
    scores: dict[str, float] = {}
    for item in row:
        if not isinstance(item, dict) or not isinstance(item.get("label"), str) or "score" not in item:
            raise RemoteModelError(f"result {index} holds an entry without a string 'label' and a 'score'")
        label, score = item["label"], item["score"]
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise RemoteModelError(f"the score of label {label!r} in result {index} is not a number")
        if not math.isfinite(score):
            raise RemoteModelError(f"the server returned a non-finite score ({score}) for label {label!r}")
        if label in scores:
            raise RemoteModelError(f"result {index} lists label {label!r} twice")
        scores[label] = float(score)
    return scores
