"""The dashboard's "test connection": one short request, and a report of what came back.

It never raises for a remote problem (the report says what went wrong), is not
retried and is not counted against an explanation's budget. With a token it
sends one more probe without it: a server that answers anyway does not check
tokens, and the user should know.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...errors import RemoteModelError

# The text sent by discovery / test_connection: short, so the request is cheap.
PROBE_TEXT = "hello"


@dataclass
class ConnectionReport:
    """The outcome of :meth:`RemoteClassifier.test_connection`, ready to show in the dashboard."""

    ok: bool
    class_names: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    message: str = ""
    token_checked: bool | None = None
    """With a token: False when the server also answered without it (it does not check tokens); else None."""


def check_connection(
    *,
    send: Callable[[bool], Any],
    accept: Callable[[Any], None],
    labels: Callable[[], list[str]],
    has_token: Callable[[], bool],
    redact: Callable[[str], str],
    url: str,
) -> ConnectionReport:
    """Probe a model and report; the parts are the remote model's own.

    ``send(with_token)`` posts :data:`PROBE_TEXT` once (no retry, no budget) and
    returns the parsed answer; ``accept(answer)`` decodes it (learning the labels
    if they are not known) and keeps it; ``labels()`` gives the class names known
    so far; ``redact`` takes the token out of a message.
    """
    started = time.perf_counter()
    try:
        payload = send(True)
        latency = (time.perf_counter() - started) * 1000.0
        accept(payload)
    except RemoteModelError as exc:
        latency = (time.perf_counter() - started) * 1000.0
        return ConnectionReport(ok=False, class_names=labels(), latency_ms=latency, message=redact(str(exc)))
    found = labels()
    return ConnectionReport(
        ok=True,
        class_names=found,
        latency_ms=latency,
        message=f"the server at {url} answered in {latency:.0f} ms with {len(found)} labels",
        token_checked=_token_checked(send, has_token),
    )


def _token_checked(send: Callable[[bool], Any], has_token: Callable[[], bool]) -> bool | None:
    """With a token, one more probe without it: a server that answers anyway does not check tokens."""
    if not has_token():
        return None
    try:
        send(False)
    except RemoteModelError:
        return None  # refused without the token (or failed): nothing to say
    return False
