""":class:`RemoteClassifier`: a text classifier behind an HTTP API, with a budget, a cache and a fixed class order.

The parts it is made of live beside it: the wire format (:mod:`.wire`), the
class order and alignment (:mod:`.labels`), the token (:mod:`.credentials`),
the retrying transport (:mod:`.transport`), the request budget
(:mod:`.budget`) and the connection test (:mod:`.connection`). This module
puts them together and keeps the answers.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from ...classifier import BudgetedClassifier
from ...errors import RemoteModelError
from ...predictor import PredictionCache
from .._naming import shown_as
from .budget import RequestBudget
from .connection import PROBE_TEXT, ConnectionReport, check_connection
from .credentials import TOKEN_ENV_VAR, BearerToken, TokenSource
from .display import printable, safe_url
from .labels import align_scores, learn_labels
from .transport import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES, RetryingClient
from .wire import HFInferenceFormat, ResponseFormat, format_name

logger = logging.getLogger(__name__)

# The answers of one model only, bounded in entries (the texts of an explanation are short-lived).
_ANSWERS = "answers"


def _client_setting(name: str, doc: str) -> property:
    return property(lambda self: getattr(self._client, name), doc=doc)


@shown_as("lime_core.models.remote")
class RemoteClassifier(BudgetedClassifier):
    """A :class:`~lime_core.classifier.TextClassifier` served over HTTP.

    Class order: either ``class_names`` is given, or it is learned from the
    first answer and sorted by label name (natural order). Sorting, rather than
    keeping the server's order, matters because servers list labels by score,
    which differs per text; a name order is the same on every run. Every later
    answer is aligned to that order by label name.

    ``class_names`` is a property that, when the labels are not known yet,
    sends one short probe request (counted against the budget) to learn them.

    Budget (:class:`~lime_core.classifier.BudgetedClassifier`): ``requests_sent``
    counts every HTTP attempt (retries included) since :meth:`reset_budget`;
    call ``reset_budget()`` at the start of each explanation. A prediction that
    would need more than ``max_requests`` in total raises
    :class:`~lime_core.errors.BudgetExceededError` before sending anything.

    Not retried: time-outs (the server may have done -- and billed -- the work)
    and unreachable hosts (rarely transient; the user should see it at once).

    ``multi_label``: the server scores every label independently (a Hugging Face multi-label checkpoint, whose
    scores are sigmoids that need not sum to 1); the explainer then explains each label as its own yes/no
    question (``TextExplainer(multi_label=None)`` reads this).
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
        multi_label: bool = False,
    ):
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            raise RemoteModelError(f"not an http(s) URL: {printable(url)[:80] or 'empty'}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RemoteModelError(f"not an http(s) URL: {safe_url(url) or 'empty'}")
        if not float(deadline) > 0 or not math.isfinite(float(deadline)):
            raise ValueError("deadline must be a positive number of seconds")
        if int(max_response_bytes) < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self._token = BearerToken(token, scheme=parts.scheme, host=parts.hostname, allow_insecure=allow_insecure)
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self._budget = RequestBudget(max_requests)
        if max_retries < 0:
            raise ValueError("max_retries cannot be negative")
        self._url = url
        self.url = safe_url(url)
        self.name = name or self._default_name()
        self.response_format: ResponseFormat = response_format or HFInferenceFormat()
        self.batch_size = int(batch_size)
        self.max_retries = int(max_retries)
        self.multi_label = bool(multi_label)
        self._client = RetryingClient(
            url,
            shown_url=self.url,
            token=self._token,
            token_from=token_from,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            deadline=deadline,
            max_response_bytes=max_response_bytes,
            backoff_base=backoff_base,
            max_wait=max_wait,
            sleep=sleep,
        )
        self._class_names: list[str] | None = list(class_names) if class_names is not None else None
        if self._class_names is not None and (
            len(self._class_names) < 2 or len(set(self._class_names)) != len(self._class_names)
        ):
            raise ValueError("class_names must hold at least 2 distinct labels")
        # Bounded in entries only, as a user would count them; bytes are the explanation cache's concern.
        self._cache = PredictionCache(max_entries=int(max_cache_entries), max_bytes=sys.maxsize)
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ settings (read-only after construction)

    connect_timeout = _client_setting("connect_timeout", "Seconds to wait for a connection, per attempt.")
    read_timeout = _client_setting("read_timeout", "Seconds to wait for each read of the answer, per attempt.")
    deadline = _client_setting(
        "deadline", "Seconds for one whole request: every attempt (connect, send, the answer) and the waits between."
    )
    max_response_bytes = _client_setting("max_response_bytes", "The largest answer read (also once decompressed).")
    backoff_base = _client_setting("backoff_base", "First back-off in seconds when the server gives no Retry-After.")
    max_wait = _client_setting("max_wait", "The longest wait before a retry, in seconds.")
    token_from = _client_setting("token_from", "Where the user puts the token, named in 401/403 messages.")

    @property
    def allow_insecure(self) -> bool:
        """Whether a token may go over plain http to a host that is not loopback."""
        return self._token.allow_insecure

    @property
    def max_requests(self) -> int | None:
        """Requests allowed per explanation, retries included (None: no limit)."""
        return self._budget.max_requests

    @property
    def requests_sent(self) -> int:
        """HTTP attempts of the current explanation (since :meth:`reset_budget`), retries included."""
        return self._budget.sent

    @property
    def requests_total(self) -> int:
        """Every HTTP attempt since this model was created, connection tests included."""
        return self._budget.total

    @property
    def max_cache_entries(self) -> int:
        """How many answers (one per distinct text) are kept."""
        return self._cache.max_entries

    # ------------------------------------------------------------------ identity

    def _default_name(self) -> str:
        parts = urlsplit(self._url)
        tail = parts.path.rstrip("/")
        if tail.startswith("/models/"):
            return tail[len("/models/") :]
        return f"remote:{parts.hostname}" + (f":{parts.port}" if parts.port else "")

    @property
    def has_token(self) -> bool:
        """Whether a token will be sent (the token itself is never exposed)."""
        return self._token.present

    @property
    def cache_key(self) -> str:
        """URL without secrets + format + class names: tells remote models apart, holds nothing secret.

        Like ``class_names``, this learns the labels (one request) if they are not
        known yet: a key that changed after discovery would split a prediction
        cache, and one without labels could mix answers of differently labelled models.
        """
        return f"remote:{self.url}|{format_name(self.response_format)}|{','.join(self.class_names)}"

    def __repr__(self) -> str:
        return (
            f"RemoteClassifier(url={self.url!r}, name={self.name!r}, token={'set' if self.has_token else 'none'}, "
            f"batch_size={self.batch_size}, max_requests={self.max_requests})"
        )

    __str__ = __repr__

    def __getstate__(self) -> dict[str, Any]:
        # A pickled classifier may end up in a cache on disk: the token and the live connection stay
        # behind (BearerToken and RetryingClient drop them); the copy reads the token from the environment.
        return {**self.__dict__, "_lock": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the kept-alive connection (a later request opens a new one)."""
        with self._lock:
            self._client.close()

    # ------------------------------------------------------------------ budget (the BudgetedClassifier protocol)

    def requests_needed(self, n_texts: int | Sequence[str]) -> int:
        """Requests a prediction of ``n_texts`` would send.

        Given a count, the worst case (nothing cached); given the texts, only
        the distinct ones not cached yet are counted. Retries are not included.
        """
        if isinstance(n_texts, int):
            if n_texts < 0:
                raise ValueError("n_texts cannot be negative")
            return self._budget.requests_for(n_texts, self.batch_size)
        with self._lock:
            return self._budget.requests_for(len(self._uncached(n_texts)), self.batch_size)

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
            self._budget.reset()

    def clear_cache(self) -> None:
        """Forget cached answers (e.g. after the remote model was updated)."""
        with self._lock:
            self._cache.clear()

    def _check_room(self, needed: int, n_texts: int, what: str | None = None) -> None:
        self._budget.check_room(needed, n_texts, url=self.url, batch_size=self.batch_size, what=what)

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
            # Rows looked up before sending: a call larger than the cache may evict some while it stores.
            known = self._known(texts)
            todo = [t for t, row in known.items() if row is None]
            if todo:
                self._check_room(self._budget.requests_for(len(todo), self.batch_size), len(todo))
                known.update(self._predict_uncached(todo))
            if self._class_names is None:  # nothing to send and nothing learned yet
                return np.empty((0, 0), dtype=np.float64)
            out = np.empty((len(texts), len(self._class_names)), dtype=np.float64)
            for i, t in enumerate(texts):
                out[i] = known[t]
            return out

    def _known(self, texts: Sequence[str]) -> dict[str, np.ndarray | None]:
        """Each distinct text's cached answer, or None."""
        distinct = list(dict.fromkeys(texts))
        return dict(zip(distinct, self._cache.lookup(_ANSWERS, distinct), strict=True))

    def _uncached(self, texts: Sequence[str]) -> list[str]:
        return [t for t, row in self._known(texts).items() if row is None]

    def _predict_uncached(self, texts: list[str]) -> dict[str, np.ndarray]:
        rows: dict[str, np.ndarray] = {}
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            payload = self._post(self.response_format.encode(batch), retries=self.max_retries, budgeted=True)
            matrix = self._decode(payload, len(batch))
            # Cache batch by batch: a later failure must not make the user pay twice for this one.
            self._cache.store(_ANSWERS, batch, matrix)
            rows.update(zip(batch, matrix, strict=True))
        return rows

    def _post(self, body: Any, *, retries: int, budgeted: bool, with_token: bool = True) -> Any:
        return self._client.post_json(
            body, retries=retries, budget=self._budget, budgeted=budgeted, with_token=with_token
        )

    def _redacted_labels(self, rows: list[dict[str, float]]) -> list[dict[str, float]]:
        """The answer with the token taken out of every label: a server that echoes it into a label would
        otherwise put it in every output (reports, Parquet, the dashboard, a download's file name)."""
        redact = self._token.redactor()
        out = []
        for row in rows:
            clean = {redact(label): score for label, score in row.items()}
            if len(clean) != len(row):
                raise RemoteModelError("the server's labels differ only by a secret it echoed back")
            out.append(clean)
        return out

    def _decode(self, payload: Any, n_texts: int) -> np.ndarray:
        try:
            rows = self._redacted_labels(self.response_format.decode(payload, n_texts))
            if len(rows) != n_texts:
                raise RemoteModelError(f"the server returned {len(rows)} results for {n_texts} texts")
            if self._class_names is None:
                learned = learn_labels(rows)
                matrix = align_scores(rows, learned)
                self._class_names = learned
                logger.info("learned %d labels from %s", len(learned), self.url)
                return matrix
            return align_scores(rows, self._class_names)
        except RemoteModelError as exc:
            raise type(exc)(self._token.redact(str(exc))) from None
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            # A custom format that trips over an unexpected answer still gives a one-line remote error.
            raise RemoteModelError(
                f"the answer of {self.url} does not match the {format_name(self.response_format)} format "
                f"({type(exc).__name__})"
            ) from None

    # ------------------------------------------------------------------ connection test

    def test_connection(self) -> ConnectionReport:
        """Send exactly one short request and report whether the model answers sensibly.

        Never raises for a remote problem (the report says what went wrong); it
        is not retried and not counted against the per-explanation budget.
        When the labels are not known yet, this learns them.
        """

        def send(with_token: bool) -> Any:
            body = self.response_format.encode([PROBE_TEXT])
            return self._post(body, retries=0, budgeted=False, with_token=with_token)

        def accept(payload: Any) -> None:
            self._cache.store(_ANSWERS, [PROBE_TEXT], self._decode(payload, 1))

        with self._lock:
            return check_connection(
                send=send,
                accept=accept,
                labels=lambda: list(self._class_names or []),
                has_token=lambda: self.has_token,
                redact=self._token.redact,
                url=self.url,
            )
