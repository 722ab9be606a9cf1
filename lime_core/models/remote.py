"""A text classifier that lives behind an HTTP API (possibly a paid one).

:class:`RemoteClassifier` satisfies the :class:`~lime_core.classifier.TextClassifier`
contract by POSTing texts to a URL. LIME asks a model for thousands of
predictions per explanation, so pointing it at a metered API is a way to spend
money by accident; everything here is built so that cannot happen silently:

* texts are sent in batches (``batch_size`` per request) and every answer is
  cached in memory by text, so a repeated perturbation costs nothing;
* a per-explanation request budget (``max_requests``) is checked *before*
  anything is sent (:meth:`RemoteClassifier.check_budget`) and enforced on every
  single HTTP attempt, retries included;
* the API token is never logged, never part of ``repr``/``str``/``cache_key``,
  never pickled, and redacted from every error message even when the server
  echoes it back;
* either every batch succeeds and a full matrix is returned, or an exception is
  raised -- never a partial matrix;
* every request has a total ``deadline`` (connect, send and the whole answer) and
  its answer a size cap (``max_response_bytes``, also after decompression), and the
  JSON is checked for depth before it is parsed (:mod:`lime_core.models._http`);
* a token goes over plain http only to a literal loopback address (``127.0.0.0/8``,
  ``::1``) or ``localhost``: the host is parsed, not matched as a string, and a
  refusal comes before any connection or DNS lookup;
* the token may be a callable read at each request (the dashboard's password
  field), so that no long-lived object has to hold it.

The wire format is pluggable (:class:`ResponseFormat`); the default is the
Hugging Face Inference API text-classification format
(:class:`HFInferenceFormat`), which :mod:`lime_core.serve` also speaks.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote, urlsplit, urlunsplit

import numpy as np

from ..errors import BudgetExceededError, RemoteAuthError, RemoteModelError
from ..netpolicy import is_loopback_host
from ..settings import get_settings
from ._http import BoundedTransport, HttpAnswer, TransportError

logger = logging.getLogger(__name__)

TOKEN_ENV_VAR = "LIME_API_TOKEN"  # read through lime_core.settings; named here for messages

# Statuses worth another try: rate limiting and server-side trouble. Everything
# else (4xx) will fail the same way again, and a retry may cost money.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# The text sent by discovery / test_connection: short, so the request is cheap.
PROBE_TEXT = "hello"

# Per-request limits (each attempt, retries included). An HF answer is ~50 bytes per label and text:
# 256 texts x 100 labels is 1.3 MB, so 8 MB leaves room while a flood or a bomb stops early.
DEFAULT_DEADLINE = 60.0
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_JSON_DEPTH = 32  # the HF format needs 3; json.loads would recurse on deeper input
TokenSource = str | Callable[[], "str | None"] | None

_MAX_SERVER_EXCERPT = 200
_MAX_LABELS_SHOWN = 8


# --------------------------------------------------------------------------- formats


@runtime_checkable
class ResponseFormat(Protocol):
    """How texts are put on the wire and how an answer is read back.

    A format only translates; label alignment, budget, retries and caching are
    done by :class:`RemoteClassifier` so that every format gets the same checks.
    ``decode`` returns one ``{label: score}`` mapping per text and raises
    :class:`RemoteModelError` when the answer does not have the expected shape.
    """

    name: str

    def encode(self, texts: Sequence[str]) -> Any:
        """Return the JSON-serialisable request body for ``texts``."""
        ...

    def decode(self, payload: Any, n_texts: int) -> list[dict[str, float]]:
        """Turn the parsed JSON answer into one label->score mapping per text."""
        ...


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
                raise RemoteModelError(f"the server answered with an error: {_one_line(payload['error'])}")
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


def label_sort_key(label: str) -> tuple[list[Any], str]:
    """Natural order ("LABEL_2" before "LABEL_10"), so discovered classes read as people expect."""
    # ASCII digits only: str.isdigit() accepts characters such as "²" that int() refuses.
    # re.split with a capture group alternates text/number, so parts always compare like with like.
    pieces = re.split(r"([0-9]+)", label)
    parts: list[Any] = [int(p) if i % 2 else p.lower() for i, p in enumerate(pieces)]
    return parts, label


def align_scores(rows: Sequence[Mapping[str, float]], class_names: Sequence[str]) -> np.ndarray:
    """Put decoded rows into an (n, k) matrix whose columns follow ``class_names``.

    Alignment is by label *name*, because servers order labels by score; a row
    whose label set differs from ``class_names`` is an error, not a guess.
    """
    expected = set(class_names)
    column = {name: j for j, name in enumerate(class_names)}
    out = np.empty((len(rows), len(class_names)), dtype=np.float64)
    for i, row in enumerate(rows):
        if set(row) != expected:
            missing = sorted(expected - set(row), key=label_sort_key)
            unexpected = sorted(set(row) - expected, key=label_sort_key)
            raise RemoteModelError(
                "the server's label set changed: "
                + "; ".join(
                    part
                    for part in (
                        f"missing {_show_labels(missing)}" if missing else "",
                        f"unexpected {_show_labels(unexpected)}" if unexpected else "",
                    )
                    if part
                )
                + f" (expected {len(class_names)} labels: {_show_labels(class_names)})"
            )
        for label, score in row.items():
            out[i, column[label]] = score
    return out


# --------------------------------------------------------------------------- helpers


class _Secret:
    """Holds the token so that an accidental print, repr or f-string shows nothing."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an API token cannot be pickled")


def _one_line(value: Any, limit: int = _MAX_SERVER_EXCERPT) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = " ".join(_printable(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _printable(text: str) -> str:
    """Control characters (terminal escapes, CR, U+2028) as visible escapes: server text goes into messages."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in text)


def _show_labels(labels: Sequence[str]) -> str:
    shown = ", ".join(repr(label) for label in list(labels)[:_MAX_LABELS_SHOWN])
    return shown + (f", ... ({len(labels)} in all)" if len(labels) > _MAX_LABELS_SHOWN else "")


def safe_url(url: str) -> str:
    """The URL without user info, query or fragment: what may be shown, logged and used as a cache key."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays/objects in a JSON text, found without recursion (strings skipped)."""
    stripped = re.sub(rb'"(?:[^"\\]|\\.)*"', b'""', data)
    codes = np.frombuffer(stripped, dtype=np.uint8)
    if codes.size == 0:
        return 0
    step = np.isin(codes, (ord("["), ord("{"))).astype(np.int32) - np.isin(codes, (ord("]"), ord("}")))
    return int(np.max(np.cumsum(step), initial=0))


def _parse_retry_after(value: str | None) -> float | None:
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


@dataclass
class ConnectionReport:
    """The outcome of :meth:`RemoteClassifier.test_connection`, ready to show in the dashboard."""

    ok: bool
    class_names: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    message: str = ""
    token_checked: bool | None = None
    """With a token: False when the server also answered without it (it does not check tokens); else None."""


# --------------------------------------------------------------------------- classifier


class RemoteClassifier:
    """A :class:`~lime_core.classifier.TextClassifier` served over HTTP.

    Class order: either ``class_names`` is given, or it is learned from the
    first answer and sorted by label name (natural order). Sorting, rather than
    keeping the server's order, matters because servers list labels by score,
    which differs per text; a name order is the same on every run. Every later
    answer is aligned to that order by label name.

    ``class_names`` is a property that, when the labels are not known yet,
    sends one short probe request (counted against the budget) to learn them.

    Budget: ``requests_sent`` counts every HTTP attempt (retries included)
    since :meth:`reset_budget`; call ``reset_budget()`` at the start of each
    explanation. A prediction that would need more than ``max_requests`` in
    total raises :class:`BudgetExceededError` before sending anything.

    Not retried: time-outs (the server may have done -- and billed -- the work)
    and unreachable hosts (rarely transient; the user should see it at once).
    """

    def __init__(
        self,
        url: str,
        *,
        token: TokenSource = None,
        class_names: Sequence[str] | None = None,
        name: str | None = None,
        response_format: ResponseFormat | None = None,
        batch_size: int = 16,
        max_requests: int | None = 50,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_wait: float = 30.0,
        max_cache_entries: int = 100_000,
        sleep: Callable[[float], None] = time.sleep,
        allow_insecure: bool = False,
        token_from: str = TOKEN_ENV_VAR,
    ):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise RemoteModelError(f"not an http(s) URL: {_printable(url)[:80] or 'empty'}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteModelError(f"not an http(s) URL: {safe_url(url) or 'empty'}")
        if not float(deadline) > 0 or not math.isfinite(float(deadline)):
            raise ValueError("deadline must be a positive number of seconds")
        if int(max_response_bytes) < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self.allow_insecure = bool(allow_insecure)
        self._scheme, self._host = parts.scheme, parts.hostname
        # A string is kept (the caller chose to hand it over); a callable is asked at each request;
        # None reads LIME_API_TOKEN at each request. Either way the guard runs now, before anything is sent.
        self._token_source: _Secret | Callable[[], str | None] | None
        if isinstance(token, str):
            self._token_source = _Secret(token.strip()) if token.strip() else None
        elif token is None or callable(token):
            self._token_source = token
        else:
            raise TypeError("token must be a string, a callable returning one, or None")
        self._guard(self._current_token())
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if max_requests is not None and max_requests < 1:
            raise ValueError("max_requests must be at least 1 (or None for no limit)")
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self._url = url
        self.token_from = token_from  # where the user puts the token, for 401/403 messages
        self.url = safe_url(url)
        self.name = name or self._default_name()
        self.response_format: ResponseFormat = response_format or HFInferenceFormat()
        self.batch_size = int(batch_size)
        self.max_requests = max_requests
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self.deadline = float(deadline)
        self.max_response_bytes = int(max_response_bytes)
        self.max_retries = int(max_retries)
        self.backoff_base = float(backoff_base)
        self.max_wait = float(max_wait)
        self.max_cache_entries = int(max_cache_entries)
        self._sleep = sleep
        self._transport = self._new_transport()
        self._class_names: list[str] | None = list(class_names) if class_names is not None else None
        if self._class_names is not None and (
            len(self._class_names) < 2 or len(set(self._class_names)) != len(self._class_names)
        ):
            raise ValueError("class_names must hold at least 2 distinct labels")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.RLock()
        self.requests_sent = 0
        self.requests_total = 0

    # ------------------------------------------------------------------ identity

    def _default_name(self) -> str:
        parts = urlsplit(self._url)
        tail = parts.path.rstrip("/")
        if tail.startswith("/models/"):
            return tail[len("/models/") :]
        return f"remote:{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    def _new_transport(self) -> BoundedTransport:
        return BoundedTransport(self._url, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout)

    def _current_token(self) -> str | None:
        source = self._token_source
        if isinstance(source, _Secret):
            return source.reveal()
        value = get_settings().api_token if source is None else source()
        return value.strip() or None if isinstance(value, str) else None

    def _guard(self, token: str | None) -> None:
        """Refuse (before any connection or DNS lookup) to send a token over plain http to a non-loopback host."""
        if token and self._scheme == "http" and not is_loopback_host(self._host) and not self.allow_insecure:
            raise RemoteModelError(
                f"refusing to send the API token over plain http to {_printable(self._host)[:80]}: without TLS "
                "only a loopback address (127.0.0.0/8, ::1, localhost) may receive it; use an https URL"
            )

    @property
    def has_token(self) -> bool:
        """Whether a token will be sent (the token itself is never exposed)."""
        return self._current_token() is not None

    @property
    def cache_key(self) -> str:
        """URL without secrets + format + class names: tells remote models apart, holds nothing secret.

        Like ``class_names``, this learns the labels (one request) if they are not
        known yet: a key that changed after discovery would split a prediction
        cache, and one without labels could mix answers of differently labelled models.
        """
        fmt = getattr(self.response_format, "name", type(self.response_format).__name__)
        return f"remote:{self.url}|{fmt}|{','.join(self.class_names)}"

    def __repr__(self) -> str:
        return (
            f"RemoteClassifier(url={self.url!r}, name={self.name!r}, token={'set' if self.has_token else 'none'}, "
            f"batch_size={self.batch_size}, max_requests={self.max_requests})"
        )

    __str__ = __repr__

    def __getstate__(self) -> dict[str, Any]:
        # A pickled classifier may end up in a cache on disk: drop the token and
        # the live connection; the unpickled copy reads the token from the environment.
        state = self.__dict__.copy()
        state["_token_source"] = None
        state["_transport"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._transport = self._new_transport()
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the kept-alive connection (a later request opens a new one)."""
        with self._lock:
            self._transport.close()

    # ------------------------------------------------------------------ budget

    def requests_needed(self, n_texts: int | Sequence[str]) -> int:
        """Requests a prediction of ``n_texts`` would send.

        Given a count, the worst case (nothing cached); given the texts, only
        the distinct ones not cached yet are counted. Retries are not included.
        """
        if isinstance(n_texts, int):
            if n_texts < 0:
                raise ValueError("n_texts cannot be negative")
            return math.ceil(n_texts / self.batch_size)
        with self._lock:
            return math.ceil(len(self._uncached(n_texts)) / self.batch_size)

    def check_budget(self, n_texts: int | Sequence[str]) -> int:
        """Raise :class:`BudgetExceededError` if predicting ``n_texts`` would exceed the budget.

        Call it before starting an explanation so the user learns the cost
        before any request is sent. Returns the number of requests needed.
        """
        needed = self.requests_needed(n_texts)
        count = n_texts if isinstance(n_texts, int) else len(n_texts)
        self._check_room(needed, count)
        return needed

    def reset_budget(self) -> None:
        """Start a new explanation: the request counter goes back to 0 (the cache is kept)."""
        with self._lock:
            self.requests_sent = 0

    def clear_cache(self) -> None:
        """Forget cached answers (e.g. after the remote model was updated)."""
        with self._lock:
            self._cache.clear()

    def _check_room(self, needed: int, n_texts: int, what: str | None = None) -> None:
        if self.max_requests is None:
            return
        if self.requests_sent + needed > self.max_requests:
            already = f", {self.requests_sent} already sent" if self.requests_sent else ""
            cost = (
                f"{what} needs {needed} request" + ("s" if needed != 1 else "")
                if what
                else f"{n_texts} texts need {needed} requests to {self.url} ({self.batch_size} texts per request)"
            )
            raise BudgetExceededError(
                f"{cost} but the budget allows {self.max_requests} per explanation{already}; "
                "use fewer samples or raise max_requests"
            )

    # ------------------------------------------------------------------ prediction

    @property
    def class_names(self) -> list[str]:
        """The fixed class order; learned with one probe request if it was not given."""
        if self._class_names is None:
            with self._lock:
                if self._class_names is None:
                    self._check_room(1, 1, what="learning the labels")
                    self._predict_uncached([PROBE_TEXT])
        assert self._class_names is not None
        return list(self._class_names)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Scores for ``texts`` as an (n, k) matrix in ``class_names`` order.

        Raises before sending anything when the budget is too small, and raises
        (returning nothing) if any batch fails after its retries.
        """
        texts = list(texts)
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"texts must be strings, not {type(t).__name__}")
        with self._lock:
            todo = self._uncached(texts)
            fresh: dict[str, np.ndarray] = {}
            if todo:
                self._check_room(math.ceil(len(todo) / self.batch_size), len(todo))
                fresh = self._predict_uncached(todo)
            if self._class_names is None:  # nothing to send and nothing learned yet
                return np.empty((0, 0), dtype=np.float64)
            # Fresh rows first: a call larger than the cache may already have evicted some of them.
            known = {t: fresh[t] if t in fresh else self._cache[t] for t in dict.fromkeys(texts)}
            out = np.empty((len(texts), len(self._class_names)), dtype=np.float64)
            for i, t in enumerate(texts):
                out[i] = known[t]
            return out

    def _uncached(self, texts: Sequence[str]) -> list[str]:
        return [t for t in dict.fromkeys(texts) if t not in self._cache]

    def _predict_uncached(self, texts: list[str]) -> dict[str, np.ndarray]:
        rows: dict[str, np.ndarray] = {}
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            payload = self._send(self.response_format.encode(batch), retries=self.max_retries, budgeted=True)
            matrix = self._decode(payload, len(batch))
            # Cache batch by batch: a later failure must not make the user pay twice for this one.
            for t, row in zip(batch, matrix, strict=True):
                self._remember(t, row)
                rows[t] = row
        return rows

    def _decode(self, payload: Any, n_texts: int) -> np.ndarray:
        try:
            rows = self.response_format.decode(payload, n_texts)
            if len(rows) != n_texts:
                raise RemoteModelError(f"the server returned {len(rows)} results for {n_texts} texts")
            if self._class_names is None:
                if not rows:
                    raise RemoteModelError("the server returned no results")
                learned = sorted(rows[0], key=label_sort_key)
                if len(learned) < 2:
                    raise RemoteModelError(
                        f"the server returned {len(learned)} label(s) per text; at least 2 class scores are needed "
                        "(for HF endpoints set top_k to the number of labels)"
                    )
                matrix = align_scores(rows, learned)
                self._class_names = learned
                logger.info("learned %d labels from %s", len(learned), self.url)
                return matrix
            return align_scores(rows, self._class_names)
        except RemoteModelError as exc:
            raise type(exc)(self._redact(str(exc))) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # A custom format that trips over an unexpected answer still gives a one-line remote error.
            fmt = getattr(self.response_format, "name", type(self.response_format).__name__)
            raise RemoteModelError(
                f"the answer of {self.url} does not match the {fmt} format ({type(exc).__name__})"
            ) from None

    def _remember(self, text: str, row: np.ndarray) -> None:
        self._cache[text] = row
        self._cache.move_to_end(text)
        while len(self._cache) > self.max_cache_entries:
            self._cache.popitem(last=False)

    # ------------------------------------------------------------------ connection test

    def test_connection(self) -> ConnectionReport:
        """Send exactly one short request and report whether the model answers sensibly.

        Never raises for a remote problem (the report says what went wrong); it
        is not retried and not counted against the per-explanation budget.
        When the labels are not known yet, this learns them.
        """
        started = time.perf_counter()
        with self._lock:
            try:
                payload = self._send(self.response_format.encode([PROBE_TEXT]), retries=0, budgeted=False)
                latency = (time.perf_counter() - started) * 1000.0
                matrix = self._decode(payload, 1)
                self._remember(PROBE_TEXT, matrix[0])
            except RemoteModelError as exc:
                latency = (time.perf_counter() - started) * 1000.0
                return ConnectionReport(
                    ok=False,
                    class_names=list(self._class_names or []),
                    latency_ms=latency,
                    message=self._redact(str(exc)),
                )
            labels = list(self._class_names or [])
            return ConnectionReport(
                ok=True,
                class_names=labels,
                latency_ms=latency,
                message=f"the server at {self.url} answered in {latency:.0f} ms with {len(labels)} labels",
                token_checked=self._token_checked(),
            )

    def _token_checked(self) -> bool | None:
        """With a token, one more probe without it: a server that answers anyway does not check tokens."""
        if not self.has_token:
            return None
        try:
            self._send(self.response_format.encode([PROBE_TEXT]), retries=0, budgeted=False, with_token=False)
        except RemoteModelError:
            return None  # refused without the token (or failed): nothing to say
        return False

    # ------------------------------------------------------------------ HTTP

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "lime-core"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _redact(self, text: str) -> str:
        secret = self._current_token()
        if secret:
            for form in {secret, quote(secret, safe="")}:
                text = text.replace(form, "***")
        return re.sub(r"(?i)(bearer)\s+[^\s\"',;]+", r"\1 ***", text)

    def _fail(self, cls: type[RemoteModelError], message: str) -> RemoteModelError:
        return cls(self._redact(message))

    def _send(self, body: Any, *, retries: int, budgeted: bool, with_token: bool = True) -> Any:
        """POST ``body``, retrying 429/5xx; return the parsed JSON answer or raise."""
        attempt = 0
        data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        while True:
            if budgeted and self.max_requests is not None and self.requests_sent >= self.max_requests:
                raise BudgetExceededError(
                    f"the budget of {self.max_requests} requests to {self.url} ran out (retries count too); "
                    "try again later or raise max_requests"
                )
            answer = self._post_once(data, budgeted, with_token)
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
            raise self._status_error(answer, attempt + 1, with_token)

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

    def _post_once(self, data: bytes, budgeted: bool, with_token: bool = True) -> HttpAnswer:
        token = self._current_token() if with_token else None
        self._guard(token)  # again at every request: a callable or the environment may have a token by now
        if budgeted:
            self.requests_sent += 1
        self.requests_total += 1
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
        return answer

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
        delay = _parse_retry_after(answer.headers.get("Retry-After"))
        if delay is None and answer.status == 503:
            estimated = self._json_field(answer, "estimated_time")
            if isinstance(estimated, (int, float)) and not isinstance(estimated, bool) and math.isfinite(estimated):
                delay = max(0.0, float(estimated))
        if delay is None:
            delay = self.backoff_base * (2**attempt)
        return min(delay, self.max_wait)

    def _status_error(self, answer: HttpAnswer, attempts: int, with_token: bool = True) -> RemoteModelError:
        status = answer.status
        said = self._server_excerpt(answer)
        said_part = f": {said}" if said else ""
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        where = f"the server at {self.url}"
        if status in (401, 403):
            if not with_token or not self.has_token:
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
        if status == 503 and self._json_field(answer, "estimated_time") is not None:
            return self._fail(RemoteModelError, f"the model at {self.url} is still loading{tries}; try again shortly")
        if status >= 500:
            return self._fail(RemoteModelError, f"server error at {self.url} (HTTP {status}){tries}{said_part}")
        return self._fail(RemoteModelError, f"{where} rejected the request (HTTP {status}){said_part}")

    @staticmethod
    def _json_field(answer: HttpAnswer, key: str) -> Any:
        if json_depth(answer.body) > MAX_JSON_DEPTH:
            return None
        try:
            data = json.loads(answer.body)
        except (ValueError, RecursionError):
            return None
        return data.get(key) if isinstance(data, dict) else None

    def _server_excerpt(self, answer: HttpAnswer) -> str:
        error = self._json_field(answer, "error")
        if error is not None:
            return _one_line(error)
        text = answer.body[: 4 * _MAX_SERVER_EXCERPT].decode("utf-8", errors="replace")
        return _one_line(text) if text.strip() and not text.lstrip().startswith("<") else ""
