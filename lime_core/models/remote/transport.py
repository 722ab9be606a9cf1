"""One JSON POST to a remote model, retried on 429/5xx, with every failure as one safe message.

Built on :class:`~lime_core.models._http.BoundedTransport` (a total deadline
per attempt, a cap on the answer's size, no redirects). Here: the retry rule
(which statuses, how long to wait), the check of the JSON before it is parsed,
the request budget charged per attempt, and the wording of every error, with
the token redacted from it.

Not retried: time-outs (the server may have done -- and billed -- the work)
and unreachable hosts (rarely transient; the user should see it at once).
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import RemoteAuthError, RemoteModelError
from .._http import BoundedTransport, HttpAnswer, TransportError
from .budget import RequestBudget
from .credentials import BearerToken
from .display import MAX_SERVER_EXCERPT, one_line

logger = logging.getLogger(__name__)

# Statuses worth another try: rate limiting and server-side trouble. Everything
# else (4xx) will fail the same way again, and a retry may cost money.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# Per-request limits (each attempt, retries included). An HF answer is ~50 bytes per label and text:
# 256 texts x 100 labels is 1.3 MB, so 8 MB leaves room while a flood or a bomb stops early.
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_JSON_DEPTH = 32  # the HF format needs 3; json.loads would recurse on deeper input


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays/objects in a JSON text, found without recursion (strings skipped)."""
    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', data)
    codes = np.frombuffer(stripped, dtype=np.uint8)
    if codes.size == 0:
        return 0
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int32) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.max(np.cumsum(step), initial=0))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


class RetryingClient:
    """POSTs JSON to one URL and returns the parsed JSON answer, or raises a redacted :class:`RemoteModelError`.

    ``url`` is the full URL (it may hold user info); ``shown_url`` is what
    messages and logs name. The limits apply to each attempt; ``sleep`` is
    injectable so tests never really wait for a back-off.
    """

    def __init__(
        self,
        url: str,
        *,
        shown_url: str,
        token: BearerToken,
        token_from: str,
        connect_timeout: float,
        read_timeout: float,
        deadline: float,
        max_response_bytes: int,
        backoff_base: float,
        max_wait: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = url
        self.url = shown_url
        self.token = token
        self.token_from = token_from  # where the user puts the token, for 401/403 messages
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.deadline = float(deadline)
        self.max_response_bytes = int(max_response_bytes)
        self.backoff_base = float(backoff_base)
        self.max_wait = float(max_wait)
        self._sleep = sleep
        self._transport = self._new_transport()

    def _new_transport(self) -> BoundedTransport:
        return BoundedTransport(self._url, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_transport": None}  # no live connection in a pickle

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._transport = self._new_transport()

    def close(self) -> None:
        """Close the kept-alive connection (a later request opens a new one)."""
        self._transport.close()

    def post_json(
        self, body: Any, *, retries: int, budget: RequestBudget, budgeted: bool, with_token: bool = True
    ) -> Any:
        """POST ``body``, retrying 429/5xx up to ``retries`` times; return the parsed JSON answer or raise.

        With ``budgeted`` every attempt is checked against and counted in ``budget``.
        """
        attempt = 0
        data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        while True:
            if budgeted:
                budget.check_attempt(self.url)
            answer, sent_token = self._post_once(data, budget, budgeted, with_token)
            status = answer.status
            if 200 <= status < 300:
                return self._parse_json(answer.body)
            if status in RETRY_STATUSES and attempt < retries:
                delay = self._retry_delay(answer, attempt)
                logger.warning(
                    "the server at %s answered HTTP %d; retry %d/%d in %.1f s",
                    self.url,
                    status,
                    attempt + 1,
                    retries,
                    delay,
                )
                self._sleep(delay)
                attempt += 1
                continue
            raise self._status_error(answer, attempt + 1, sent_token)

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "lime-core"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _fail(self, cls: type[RemoteModelError], message: str) -> RemoteModelError:
        return cls(self.token.redact(message))

    def _post_once(
        self, data: bytes, budget: RequestBudget, budgeted: bool, with_token: bool
    ) -> tuple[HttpAnswer, bool]:
        token = self.token.for_request() if with_token else None
        sent_token = token is not None
        budget.record_attempt(budgeted)
        started = time.perf_counter()
        try:
            answer = self._transport.post(
                data, self._headers(token), deadline=self.deadline, max_bytes=self.max_response_bytes
            )
        except TransportError as exc:
            raise self._fail(RemoteModelError, self._transport_message(exc)) from None
        finally:
            token = None
        logger.debug("POST %s -> HTTP %d in %.0f ms", self.url, answer.status, (time.perf_counter() - started) * 1000.0)
        return answer, sent_token

    def _parse_json(self, body: bytes) -> Any:
        depth = json_depth(body)
        if depth > MAX_JSON_DEPTH:
            raise self._fail(
                RemoteModelError,
                f"the answer of {self.url} is JSON nested {depth} levels deep (the limit is {MAX_JSON_DEPTH}); "
                "it is not a text-classification answer",
            )
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise self._fail(RemoteModelError, f"the answer of {self.url} is not valid JSON") from None

    def _transport_message(self, exc: TransportError) -> str:
        kind = exc.kind
        if kind == TransportError.CONNECT_TIMEOUT:
            return f"could not connect to {self.url} within {self.connect_timeout:g} s"
        if kind == TransportError.READ_TIMEOUT:
            return f"the server at {self.url} did not answer within {self.read_timeout:g} s (read time-out)"
        if kind == TransportError.DEADLINE:
            return (
                f"the server at {self.url} did not send a complete answer within the deadline of {self.deadline:g} s "
                "(connecting, sending and the whole answer together); raise the deadline if the model is slow"
            )
        if kind == TransportError.TOO_LARGE:
            where = {
                "stream": "; stopped reading at the limit",
                "decompressed": " once decompressed; stopped inflating at the limit",
            }.get(exc.detail, f": it declares {exc.detail}, so it was not read" if exc.detail else "")
            return (
                f"the answer of {self.url} is larger than the limit of {self.max_response_bytes:,} bytes "
                f"(max_response_bytes){where}"
            )
        if kind == TransportError.ENCODING:
            return f"the answer of {self.url} cannot be decoded ({exc.detail}); only gzip and deflate are read"
        if kind == TransportError.TLS:
            return f"TLS error talking to {self.url} (certificate or protocol)"
        if kind == TransportError.REFUSED:
            return f"cannot reach {self.url}: connection refused (is the server running?)"
        if kind == TransportError.NO_HOST:
            return f"cannot reach {self.url}: host name not found"
        if kind == TransportError.CLOSED:
            return f"cannot reach {self.url}: the connection was closed by the server"
        return f"request to {self.url} failed ({exc.detail or 'connection failed'})"

    def _retry_delay(self, answer: HttpAnswer, attempt: int) -> float:
        delay = parse_retry_after(answer.headers.get("Retry-After"))
        if delay is None and answer.status == 503:
            estimated = _json_field(answer, "estimated_time")
            if isinstance(estimated, (int, float)) and not isinstance(estimated, bool) and math.isfinite(estimated):
                delay = max(0.0, float(estimated))
        if delay is None:
            delay = self.backoff_base * (2**attempt)
        return min(delay, self.max_wait)

    def _status_error(self, answer: HttpAnswer, attempts: int, sent_token: bool) -> RemoteModelError:
        status = answer.status
        said = _server_excerpt(answer)
        said_part = f": {said}" if said else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        where = f"the server at {self.url}"
        if status in (401, 403):
            if not sent_token:
                return self._fail(RemoteAuthError, f"{where} needs a token (HTTP {status}): set {self.token_from}")
            return self._fail(
                RemoteAuthError,
                f"token rejected by {self.url} (HTTP {status}): set {self.token_from} to a valid token{said_part}",
            )
        if status == 404:
            return self._fail(RemoteModelError, f"no model at this URL (HTTP 404): {self.url}")
        if 300 <= status < 400:
            return self._fail(
                RemoteModelError,
                f"{where} redirects (HTTP {status}); use the final URL (redirects are not followed)",
            )
        if status == 429:
            return self._fail(RemoteModelError, f"{where} is rate limiting (HTTP 429){tries}; try again later")
        if status == 503 and _json_field(answer, "estimated_time") is not None:
            return self._fail(RemoteModelError, f"the model at {self.url} is still loading{tries}; try again shortly")
        if status >= 500:
            return self._fail(RemoteModelError, f"server error at {self.url} (HTTP {status}){tries}{said_part}")
        return self._fail(RemoteModelError, f"{where} rejected the request (HTTP {status}){said_part}")


def _json_field(answer: HttpAnswer, key: str) -> Any:
    if json_depth(answer.body) > MAX_JSON_DEPTH:
        return None
    try:
        data = json.loads(answer.body)
    except (ValueError, RecursionError):
        return None
    return data.get(key) if isinstance(data, dict) else None


def _server_excerpt(answer: HttpAnswer) -> str:
    error = _json_field(answer, "error")
    if error is not None:
        return one_line(error)
    text = answer.body[: 4 * MAX_SERVER_EXCERPT].decode("utf-8", errors="replace")
    return one_line(text) if text.strip() and not text.lstrip().startswith("<") else ""
