"""One JSON POST to a remote model, retried on 429/5xx, with every failure as one safe message.

Built on :class:`~lime_core.net.client.BoundedTransport` (a total deadline
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
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ...errors import RemoteAuthError, RemoteModelError
from ...net.client import BoundedTransport, HttpAnswer, TransportError
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


# Bytes that open (+1) or close (-1) a level; the structural check reads the answer in slices of _SLICE bytes
# (256 KB: a few MB of index arrays at most).
_LEVEL_STEP = np.zeros(256, dtype=np.int8)
_LEVEL_STEP[[ord("["), ord("{")]] = 1
_LEVEL_STEP[[ord("]"), ord("}")]] = -1
_SLICE = 1 << 18
_QUOTE, _BACKSLASH = ord('"'), ord("\\")


def json_depth(data: bytes, *, limit: int | None = None, stop_at: float | None = None) -> int:
    """The deepest nesting of arrays/objects in a JSON text, in one linear pass (brackets inside strings skipped).

    Vectorised over 256 KB slices, so time and memory grow linearly with the answer whatever it holds (an
    unterminated string of escaped quotes took quadratic time with a regular expression). A quote ends a string
    unless an odd run of backslashes precedes it; a backslash outside a string is invalid JSON, which the parser
    refuses at that point, so the count is exact wherever the parser could get to. With ``limit`` it returns as
    soon as the depth passes it; with ``stop_at`` (a ``time.monotonic()`` value) it raises ``TimeoutError`` past it.
    """
    codes = np.frombuffer(data, dtype=np.uint8)
    depth = deepest = 0
    in_string = 0  # 1 while the slice starts inside a string
    backslashes = 0  # the run of backslashes that ended the previous slice
    positions = np.arange(min(_SLICE, codes.size), dtype=np.int32)
    for start in range(0, codes.size, _SLICE):
        if stop_at is not None and time.monotonic() > stop_at:
            raise TimeoutError("the structural check of the answer passed the deadline")
        part = codes[start : start + _SLICE]
        not_backslash = part != _BACKSLASH
        quotes = np.flatnonzero(part == _QUOTE)
        if quotes.size:
            # the last byte before each quote that is not a backslash (-1 - carried run: before the slice)
            last_other = np.maximum.accumulate(np.where(not_backslash, positions[: part.size], np.int32(-1)))
            before = np.where(quotes > 0, last_other[quotes - 1], -1)
            before = np.where(before >= 0, before, -1 - backslashes)
            quotes = quotes[(quotes - 1 - before) % 2 == 0]
        brackets = np.flatnonzero(_LEVEL_STEP[part])
        if brackets.size:
            outside = (np.searchsorted(quotes, brackets) + in_string) % 2 == 0
            steps = _LEVEL_STEP[part[brackets[outside]]].astype(np.int64)
            if steps.size:
                levels = np.cumsum(steps) + depth
                deepest = max(deepest, int(levels.max()))
                depth = int(levels[-1])
                if limit is not None and deepest > limit:
                    return deepest
        in_string = (in_string + quotes.size) % 2
        others = np.flatnonzero(not_backslash)
        backslashes = backslashes + part.size if others.size == 0 else part.size - 1 - int(others[-1])
    return deepest


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

        ``deadline`` bounds the whole call: every attempt, the waits between them and the check of each answer.
        A wait that would end past it is not started. With ``budgeted`` every attempt is checked against and
        counted in ``budget``.
        """
        attempt = 0
        data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        clock = _DeadlineClock(self.deadline)
        while True:
            if budgeted:
                budget.check_attempt(self.url)
            answer, sent_token = self._post_once(data, budget, budgeted, with_token, clock.left())
            status = answer.status
            if 200 <= status < 300:
                return self._parse_json(answer.body, clock)
            failed = _ErrorAnswer(answer, clock.stop_at())  # read once, within the deadline
            if status in RETRY_STATUSES and attempt < retries:
                delay = self._retry_delay(failed, attempt)
                if delay >= clock.left():
                    raise self._fail(
                        RemoteModelError,
                        f"{self._status_text(failed, attempt + 1, sent_token)}; a retry in {delay:.1f} s would pass "
                        f"the deadline of {self.deadline:g} s (which covers the retries and their waits)",
                    )
                logger.warning(
                    "the server at %s answered HTTP %d; retry %d/%d in %.1f s",
                    self.url,
                    status,
                    attempt + 1,
                    retries,
                    delay,
                )
                clock.wait(self._sleep, delay)
                attempt += 1
                continue
            raise self._status_error(failed, attempt + 1, sent_token)

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "lime-core"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _fail(self, cls: type[RemoteModelError], message: str) -> RemoteModelError:
        return cls(self.token.redact(message))

    def _post_once(
        self, data: bytes, budget: RequestBudget, budgeted: bool, with_token: bool, deadline: float
    ) -> tuple[HttpAnswer, bool]:
        token = self.token.for_request() if with_token else None
        sent_token = token is not None
        budget.record_attempt(budgeted)
        started = time.perf_counter()
        headers = self._headers(token)
        failure: str | None = None
        try:
            answer = self._transport.post(data, headers, deadline=deadline, max_bytes=self.max_response_bytes)
        except TransportError as exc:
            failure = self._transport_message(exc)
        finally:
            # No exception may keep the token: the transport's frames (in a traceback) hold this very dict,
            # and raising outside the except block leaves the new error without a __context__ to them.
            headers.clear()
            token = None
        if failure is not None:
            raise self._fail(RemoteModelError, failure)
        logger.debug("POST %s -> HTTP %d in %.0f ms", self.url, answer.status, (time.perf_counter() - started) * 1000.0)
        return answer, sent_token

    def _parse_json(self, body: bytes, clock: _DeadlineClock) -> Any:
        try:
            depth = json_depth(body, limit=MAX_JSON_DEPTH, stop_at=clock.stop_at())
        except TimeoutError:
            raise self._fail(
                RemoteModelError, self._transport_message(TransportError(TransportError.DEADLINE))
            ) from None
        if depth > MAX_JSON_DEPTH:
            raise self._fail(
                RemoteModelError,
                f"the answer of {self.url} is JSON nested more than {MAX_JSON_DEPTH} levels deep (the limit); "
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
                "(connecting, sending, the whole answer and any retries together); "
                "raise the deadline if the model is slow"
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

    def _retry_delay(self, answer: _ErrorAnswer, attempt: int) -> float:
        delay = parse_retry_after(answer.headers.get("Retry-After"))
        if delay is None and answer.status == 503:
            estimated = answer.field("estimated_time")
            if isinstance(estimated, (int, float)) and not isinstance(estimated, bool) and math.isfinite(estimated):
                delay = max(0.0, float(estimated))
        if delay is None:
            delay = self.backoff_base * (2**attempt)
        return min(delay, self.max_wait)

    def _status_error(self, answer: _ErrorAnswer, attempts: int, sent_token: bool) -> RemoteModelError:
        cls = RemoteAuthError if answer.status in (401, 403) else RemoteModelError
        return self._fail(cls, self._status_text(answer, attempts, sent_token))

    def _status_text(self, answer: _ErrorAnswer, attempts: int, sent_token: bool) -> str:
        """What an answer with an error status means, in one sentence (not yet redacted)."""
        status = answer.status
        said = answer.excerpt()
        said_part = f": {said}" if said else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        where = f"the server at {self.url}"
        if status in (401, 403):
            if not sent_token:
                return f"{where} needs a token (HTTP {status}): set {self.token_from}"
            return f"token rejected by {self.url} (HTTP {status}): set {self.token_from} to a valid token{said_part}"
        if status == 404:
            return f"no model at this URL (HTTP 404): {self.url}"
        if 300 <= status < 400:
            return f"{where} redirects (HTTP {status}); use the final URL (redirects are not followed)"
        if status == 429:
            return f"{where} is rate limiting (HTTP 429){tries}; try again later"
        if status == 503 and answer.field("estimated_time") is not None:
            return f"the model at {self.url} is still loading{tries}; try again shortly"
        if status >= 500:
            return f"server error at {self.url} (HTTP {status}){tries}{said_part}"
        return f"{where} rejected the request (HTTP {status}){said_part}"


class _DeadlineClock:
    """The time left of one call's deadline; a wait counts as its declared length even when ``sleep`` is a stub."""

    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds
        self._stubbed = 0.0  # declared waits the injected sleep did not really spend

    def left(self) -> float:
        return self._end - self._stubbed - time.monotonic()

    def stop_at(self) -> float:
        return self._end - self._stubbed

    def wait(self, sleep: Callable[[float], None], seconds: float) -> None:
        started = time.monotonic()
        sleep(seconds)
        self._stubbed += max(0.0, seconds - (time.monotonic() - started))


class _ErrorAnswer:
    """An answer with an error status, its JSON object read once (``None`` when it is none, or past ``stop_at``)."""

    def __init__(self, answer: HttpAnswer, stop_at: float) -> None:
        self.status, self.headers, self.body = answer.status, answer.headers, answer.body
        self._object: dict[str, Any] | None = None
        try:
            if json_depth(answer.body, limit=MAX_JSON_DEPTH, stop_at=stop_at) <= MAX_JSON_DEPTH:
                data = json.loads(answer.body)
                self._object = data if isinstance(data, dict) else None
        except (ValueError, RecursionError, TimeoutError):
            pass

    def field(self, key: str) -> Any:
        return None if self._object is None else self._object.get(key)

    def excerpt(self) -> str:
        """What the server said, as one safe line ('' for an HTML page or nothing)."""
        error = self.field("error")
        if error is not None:
            return one_line(error)
        text = self.body[: 4 * MAX_SERVER_EXCERPT].decode("utf-8", errors="replace")
        return one_line(text) if text.strip() and not text.lstrip().startswith("<") else ""
