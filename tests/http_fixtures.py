"""A scripted HTTP server for testing clients against servers that misbehave.

:class:`ScriptedServer` listens on 127.0.0.1 (ephemeral port), records every
request it gets, and answers each one with the next entry of a script: a
:class:`Canned` response or a function of the recorded request returning one
(for answers that depend on the texts sent). When the script runs out, the
``default`` responder answers (by default a 500 saying so, which makes a test
that sent more requests than expected fail loudly).
"""

from __future__ import annotations

import json
import random
import socket
import ssl
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np


@dataclass
class Canned:
    """One scripted answer. ``body`` may be bytes, str, or anything JSON-serialisable.

    ``delay`` makes the server stay silent that long before answering (to
    trigger client read time-outs); ``allow_nan`` lets a body contain NaN.
    """

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def inputs(self) -> list[str]:
        data = self.json()["inputs"]
        return [data] if isinstance(data, str) else list(data)


Responder = Callable[[RecordedRequest], Canned]
ScriptEntry = Canned | Responder


def _script_exhausted(_: RecordedRequest) -> Canned:
    return Canned(500, {"error": "test script exhausted: the client sent more requests than expected"})


class ScriptedServer:
    """Replays a queue of responses and records requests; use as a context manager."""

    def __init__(self, script: Iterable[ScriptEntry] = (), default: Responder = _script_exhausted):
        self.script: deque[ScriptEntry] = deque(script)
        self.default = default
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def add(self, *entries: ScriptEntry) -> None:
        with self._lock:
            self.script.extend(entries)

    def _next(self, request: RecordedRequest) -> Canned:
        with self._lock:
            self.requests.append(request)
            entry = self.script.popleft() if self.script else self.default
        return entry if isinstance(entry, Canned) else entry(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # keep-alive clients would otherwise wait ~40 ms per answer

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
                canned = owner._next(recorded)
                if canned.delay and owner._stopping.wait(canned.delay):
                    return
                data = canned.encoded()
                try:
                    self.send_response(canned.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in canned.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (e.g. its read time-out); nothing to do
                    self.close_connection = True

            do_POST = _answer
            do_GET = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def close(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ScriptedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- responders


def hf_rows(
    texts: Sequence[str], proba: np.ndarray, labels: Sequence[str], order: str = "score", seed: int = 0
) -> list[list[dict[str, Any]]]:
    """HF-shaped rows for ``proba``; ``order`` is "score" (HF's), "given" or "shuffled"."""
    rng = random.Random(seed)
    rows = []
    for i in range(len(texts)):
        items = [{"label": label, "score": float(proba[i, j])} for j, label in enumerate(labels)]
        if order == "score":
            items.sort(key=lambda item: -item["score"])
        elif order == "shuffled":
            rng.shuffle(items)
        rows.append(items)
    return rows


def keyword_proba(
    texts: Sequence[str], labels: Sequence[str], keywords: Mapping[str, str] | None = None
) -> np.ndarray:
    """A deterministic toy model: each label gains weight per occurrence of its keyword in the text (by default
    its own name; ``keywords`` maps a label to another word, for labels no text contains)."""
    words = [(keywords or {}).get(label, label).lower() for label in labels]
    counts = np.array([[1.0 + t.lower().count(word) for word in words] for t in texts])
    return counts / counts.sum(axis=1, keepdims=True)


def hf_responder(
    labels: Sequence[str],
    order: str = "score",
    *,
    drop: int = 0,
    extra: int = 0,
    label_map: dict[str, str] | None = None,
    seed: int = 0,
    keywords: Mapping[str, str] | None = None,
) -> Responder:
    """A well-formed (or deliberately wrong) HF answer computed from the texts of the request.

    ``drop``/``extra`` remove/duplicate results to get a wrong count;
    ``label_map`` renames labels to simulate a changed label set; ``keywords`` as for :func:`keyword_proba`.
    """

    def respond(request: RecordedRequest) -> Canned:
        texts = request.inputs
        rows = hf_rows(texts, keyword_proba(texts, labels, keywords), labels, order, seed)
        if label_map:
            rows = [[{**item, "label": label_map.get(item["label"], item["label"])} for item in row] for row in rows]
        if drop:
            rows = rows[:-drop]
        rows += rows[:extra]
        return Canned(200, rows)

    return respond


# --------------------------------------------------------------------------- a tiny real model

TINY_CORPUS = [
    ("the team won the match with a late goal", "sports"),
    ("the striker scored twice in the final", "sports"),
    ("fans cheered as the keeper saved a penalty", "sports"),
    ("the coach praised the players after the game", "sports"),
    ("the new laptop has a faster processor", "tech"),
    ("install the software update on your phone", "tech"),
    ("the server crashed after the database upgrade", "tech"),
    ("this app uses machine learning on the device", "tech"),
    ("bake the bread for forty minutes", "food"),
    ("add garlic and olive oil to the pasta", "food"),
    ("the soup needs more salt and pepper", "food"),
    ("a chocolate cake with fresh berries", "food"),
]


def tiny_text_pipeline() -> Any:
    """A real, fitted scikit-learn text classifier (3 classes) that trains in milliseconds."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = zip(*TINY_CORPUS, strict=True)
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=500)).fit(list(texts), list(labels))


# --------------------------------------------------------------------------- a raw server for hostile answers


RawHandler = Callable[["socket.socket", threading.Event], None]


class RawServer:
    """A TCP server on 127.0.0.1 that reads one HTTP request per connection and hands the socket to ``handler``.

    ``handler(sock, stopping)`` writes whatever bytes it likes (a trickle, a flood, a bomb) and should return
    when ``stopping`` is set or the client has gone. ``connections`` counts accepted connections.
    """

    def __init__(self, handler: RawHandler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.connections = 0
        self.bytes_sent = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        try:
            if self.tls is not None:
                sock = self.tls.wrap_socket(sock, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                rest += chunk
            self.handler(sock, self._stopping)
        except OSError:
            pass
        finally:
            sock.close()

    def send(self, sock: socket.socket, data: bytes) -> None:
        """``sock.sendall`` that counts the bytes (so a test can see how much the client let through)."""
        sock.sendall(data)
        with self._lock:
            self.bytes_sent += len(data)

    def close(self) -> None:
        self._stopping.set()
        self._listener.close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def http_head(status: int = 200, headers: dict[str, str] | None = None) -> bytes:
    """A status line and headers, ready to be followed by a body."""
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def poll_health_keepalive(port: int, stop: threading.Event, every: float) -> None:
    """A client that holds a keep-alive connection: GET /health, then silence until the next poll, until ``stop``."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                while not stop.is_set():
                    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                    if not sock.recv(65536):
                        break
                    stop.wait(every)
        except OSError:
            stop.wait(0.1)
