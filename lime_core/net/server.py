"""Serve a bundled model over HTTP in the Hugging Face Inference API format.

``python -m lime_core.serve --model 20ng-svm --port 8080`` (:mod:`lime_core.serve`) gives a local
stand-in for a hosted text-classification endpoint, so the remote adapter
(:class:`lime_core.models.remote.RemoteClassifier`) and the dashboard's Remote
API page can be tried end to end without a paid account.

Endpoints:

* ``POST /`` and ``POST /models/<name>`` -- body ``{"inputs": str | [str, ...]}``
  (other keys such as ``parameters`` are ignored) or a bare JSON string
  (``data=json.dumps(text)``), the forms the HF Inference API accepts for text
  classification; answer: per text, all labels as ``{"label", "score"}`` sorted
  by score descending (HF's shape; a single string input also gets a list of one list).
* ``GET /health`` (and ``HEAD /health``) -- ``{"status": "ok", "model": name,
  "labels": [...]}``; open without a token so probes work.

Bad requests get a 4xx with ``{"error": "..."}`` and the server keeps serving.
Hostile clients are bounded: at most ``max_connections`` connections at once,
at most ``max_client_connections`` of them from one address, and a kept-alive
connection waiting for its next request is closed after ``keepalive_idle``
seconds, or at once when a new connection needs its slot (so clients that poll
``/health`` cannot starve real requests); past the caps a client gets a 503 and
is closed. Each request must arrive whole
(request line, headers and body) within ``request_deadline`` seconds or the
connection is dropped, a duplicate or conflicting ``Content-Length`` is refused
(400), and control characters in logged paths are escaped.
It binds to loopback unless told otherwise; with ``--token`` (or env
``LIME_SERVE_TOKEN``) every POST needs ``Authorization: Bearer <token>``.
Request bodies and tokens are never logged.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from ..classifier import TextClassifier, declares_multi_label, validate_probabilities

logger = logging.getLogger("lime_core.serve")  # the name operators know from `python -m lime_core.serve`'s log

TOKEN_ENV_VAR = "LIME_SERVE_TOKEN"
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_TEXTS = 256
DEFAULT_MAX_CONNECTIONS = 32  # each connection is a thread; beyond this a client gets 503 at once
DEFAULT_REQUEST_DEADLINE = 15.0  # seconds for one whole request to arrive (slowloris clients are dropped)
DEFAULT_MAX_CLIENT_CONNECTIONS = 16  # one address holds at most half the slots
DEFAULT_KEEPALIVE_IDLE = 5.0  # seconds a kept-alive connection may wait for its next request
_EVICTION_WAIT = 1.0  # seconds a new connection waits for the slot of an idle one it closed
_CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")
# Bytes of an oversized body we still read (and discard) so the client can
# read our 413 instead of seeing a reset connection; beyond this we just close.
_DRAIN_LIMIT = 16 * 1024 * 1024


class _RequestError(Exception):
    """A client mistake: becomes a JSON error response with ``status``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class ModelServer(ThreadingHTTPServer):
    """A threading HTTP server holding one loaded model, shared by all request threads.

    Model calls are serialized with a lock: scikit-learn and torch models are
    not guaranteed thread-safe, and parallel calls would only compete for the
    same cores anyway.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        classifier: TextClassifier,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        *,
        model_name: str | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_texts: int = DEFAULT_MAX_TEXTS,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        max_client_connections: int | None = DEFAULT_MAX_CLIENT_CONNECTIONS,
        keepalive_idle: float = DEFAULT_KEEPALIVE_IDLE,
    ):
        if max_connections < 1 or not request_deadline > 0 or not keepalive_idle > 0:
            raise ValueError("max_connections must be at least 1, request_deadline and keepalive_idle positive")
        if max_client_connections is not None and max_client_connections < 1:
            raise ValueError("max_client_connections must be at least 1 (or None for no per-address cap)")
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.classifier = classifier
        self.model_name = model_name or str(getattr(classifier, "name", None) or type(classifier).__name__)
        self._token = token.encode("utf-8") if token else None
        self.max_body_bytes = int(max_body_bytes)
        self.max_texts = int(max_texts)
        self.model_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.requests_handled = 0
        self.texts_classified = 0
        self.max_connections = int(max_connections)
        self.request_deadline = float(request_deadline)
        self._slots = threading.BoundedSemaphore(self.max_connections)
        self.max_client_connections = min(int(max_client_connections or max_connections), self.max_connections)
        self.keepalive_idle = float(keepalive_idle)
        self._per_client: dict[str, int] = {}
        self._idle: dict[Any, float] = {}  # handler -> when it started waiting for its next request
        self.connections_refused = 0
        self.clients_dropped = 0
        self.idle_closed = 0
        super().__init__((host, port), _Handler)

    # ---------------------------------------------------------------- connection cap

    def process_request(self, request: Any, client_address: Any) -> None:
        """Start a thread for the connection if a slot is free (closing an idle kept-alive one for it if need be);
        else answer 503 from here and close it. One address holds at most ``max_client_connections`` slots."""
        address = str(client_address[0])
        if not self._take_client_slot(address):
            self._refuse(request, address, f"{self.max_client_connections} connections already open from it")
            return
        if not self._slots.acquire(blocking=False) and not (
            self._close_idle() and self._slots.acquire(timeout=_EVICTION_WAIT)
        ):
            self._release_client(address)
            self._refuse(request, address, f"{self.max_connections} connections already open")
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self._slots.release()
            self._release_client(address)
            raise

    def _refuse(self, request: Any, address: str, why: str) -> None:
        with self._stats_lock:
            self.connections_refused += 1
        logger.warning("%s: refused, %s", address, why)
        body = b'{"error": "the server is busy (too many connections); try again shortly"}'
        try:
            request.settimeout(1.0)
            request.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
        except OSError:
            pass
        self.shutdown_request(request)

    def _take_client_slot(self, address: str) -> bool:
        """Count one more connection from ``address``; at its cap, close its longest-idle one and wait for it."""
        give_up = time.monotonic() + _EVICTION_WAIT
        closed = False
        while True:
            with self._stats_lock:
                held = self._per_client.get(address, 0)
                if held < self.max_client_connections:
                    self._per_client[address] = held + 1
                    return True
            if not closed:
                closed = self._close_idle(address)
                if not closed:
                    return False
            if time.monotonic() > give_up:
                return False
            time.sleep(0.01)

    def _release_client(self, address: str) -> None:
        with self._stats_lock:
            left = self._per_client.get(address, 1) - 1
            if left > 0:
                self._per_client[address] = left
            else:
                self._per_client.pop(address, None)

    def _close_idle(self, address: str | None = None) -> bool:
        """Close the kept-alive connection (from ``address`` if given) that has waited longest for its next
        request; False when none waits."""
        with self._stats_lock:
            waiting = [h for h in self._idle if address is None or str(h.client_address[0]) == address]
            if not waiting:
                return False
            handler = min(waiting, key=self._idle.__getitem__)
            del self._idle[handler]
            self.idle_closed += 1
        with contextlib.suppress(OSError):
            handler.connection.shutdown(socket.SHUT_RDWR)
        return True

    def mark_idle(self, handler: Any, idle: bool) -> None:
        with self._stats_lock:
            if idle:
                self._idle[handler] = time.monotonic()
            else:
                self._idle.pop(handler, None)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()
            self._release_client(str(client_address[0]))

    def count_dropped(self) -> None:
        with self._stats_lock:
            self.clients_dropped += 1

    @property
    def token_required(self) -> bool:
        return self._token is not None

    def check_token(self, header: str | None) -> bool:
        """Constant-time comparison of ``Authorization: Bearer <token>`` with the configured token.

        The scheme is case-insensitive (RFC 9110 11.1: ``bearer`` and ``BEARER`` are ``Bearer``)."""
        if self._token is None:
            return True
        scheme, _, credentials = (header or "").strip().partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(credentials.strip().encode("utf-8"), self._token)

    def labels(self) -> list[str] | None:
        try:
            return [str(c) for c in self.classifier.class_names]
        except AttributeError:  # some adapters only know their labels after a first prediction
            return None

    def classify(self, texts: list[str]) -> list[list[dict[str, Any]]]:
        """Run the model on ``texts`` and return HF-shaped rows, best label first."""
        with self.model_lock:
            raw = self.classifier.predict_proba(texts)
            labels = self.labels()
        n_labels = len(labels) if labels else None
        proba = validate_probabilities(raw, len(texts), n_labels, multi_label=declares_multi_label(self.classifier))
        if labels is None:
            labels = [f"class {j}" for j in range(proba.shape[1])]
        order = np.argsort(-proba, axis=1, kind="stable")
        with self._stats_lock:
            self.texts_classified += len(texts)
        return [[{"label": labels[j], "score": float(proba[i, j])} for j in order[i]] for i in range(len(texts))]

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-request is routine; anything else is logged once, without a body."""
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, TimeoutError)):
            logger.debug("%s: connection dropped (%s)", client_address[0], type(exc).__name__)
            return
        logger.error("error while serving %s: %s", client_address[0], type(exc).__name__, exc_info=True)

    def count_request(self) -> None:
        with self._stats_lock:
            self.requests_handled += 1

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # only a Unix socket's address is bytes; this server listens on TCP
            host = host.decode()
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1" if host == "0.0.0.0" else "::1"
        if ":" in str(host):
            host = f"[{host}]"
        return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"  # keep-alive: a requests.Session reuses one connection per batch run
    server_version = "lime-core-serve"
    sys_version = ""
    timeout = 30  # seconds a client may stay silent (setup() lowers it to the request deadline: client_timeout)
    # Headers and body go out in two writes; with Nagle on, a keep-alive client waits for the
    # delayed ACK (~40 ms) on every request, which caps a session at ~25 requests/s.
    disable_nagle_algorithm = True

    def setup(self) -> None:
        self.client_timeout = min(float(type(self).timeout), self.server.request_deadline)
        self._served = 0
        super().setup()
        self.connection.settimeout(self.client_timeout)

    def handle_one_request(self) -> None:
        """One request, which must arrive whole within the server's deadline or the connection is dropped.

        After the first, a kept-alive connection waits at most ``keepalive_idle`` seconds for the next request,
        and counts as idle (a new connection may close it for its slot) until the request line arrives.
        """
        self._deadline = threading.Timer(self.server.request_deadline, self._drop_slow_client)
        self._deadline.daemon = True
        self._dropped = False
        waiting = self._served > 0
        if waiting:
            self.connection.settimeout(min(self.client_timeout, self.server.keepalive_idle))
            self.server.mark_idle(self, True)
        self._deadline.start()
        try:
            super().handle_one_request()
        except OSError:
            if not self._dropped:
                raise
            self.close_connection = True
        finally:
            self._deadline.cancel()
            self.server.mark_idle(self, False)
            self._served += 1

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out") and self._served > 0:  # an idle kept-alive connection: routine
            logger.debug("%s: kept-alive connection idle for %g s, closed", self.client_address[0],
                         self.server.keepalive_idle)
            return
        super().log_error(format, *args)

    def parse_request(self) -> bool:
        self.server.mark_idle(self, False)  # the request line is here: no longer idle
        self.connection.settimeout(self.client_timeout)
        return super().parse_request()

    def _request_arrived(self) -> None:
        """The request is read: the model's own time does not count against the client's deadline."""
        self._deadline.cancel()

    def _drop_slow_client(self) -> None:
        self._dropped = True
        self.close_connection = True
        self.server.count_dropped()
        logger.warning(
            "%s: dropped, the request did not arrive within %g s", self.client_address[0], self.server.request_deadline
        )
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # ---------------------------------------------------------------- routing

    def _route(self, method: str) -> None:
        started = time.perf_counter()
        self._status = 0
        self.server.count_request()  # counted on arrival, so a client that got its answer sees the count
        self._body_read = False
        try:
            path = self.path.split("?", 1)[0]
            if method != "POST":
                if self._check_framing():  # a body nobody reads would be taken for the next request
                    self.close_connection = True
                self._request_arrived()
            if path == "/health":
                if method not in ("GET", "HEAD"):
                    raise _RequestError(405, "use GET for /health", {"Allow": "GET, HEAD"})
                self._send_json(200, {"status": "ok", "model": self.server.model_name, "labels": self.server.labels()})
            elif path in ("/", "") or path.startswith("/models/"):
                if path.startswith("/models/") and path[len("/models/") :].strip("/") != self.server.model_name:
                    raise _RequestError(
                        404,
                        f"no model named {path[len('/models/') :][:80]!r}; this server serves "
                        f"{self.server.model_name!r}",
                    )
                if method != "POST":
                    raise _RequestError(405, "use POST to classify texts", {"Allow": "POST"})
                if not self.server.check_token(self.headers.get("Authorization")):
                    raise _RequestError(
                        401,
                        "missing or wrong token: send Authorization: Bearer <token>",
                        {"WWW-Authenticate": "Bearer"},
                    )
                texts = self._read_inputs()
                try:
                    answer = self.server.classify(texts)
                except Exception as exc:  # any model failure is a 500, and the server keeps serving
                    logger.error("model failed on a batch of %d texts: %s", len(texts), type(exc).__name__)
                    raise _RequestError(500, "the model failed on this input") from None
                self._send_json(200, answer)
            else:
                raise _RequestError(404, "unknown path; POST / or /models/<name>, GET /health")
        except _RequestError as exc:
            self._send_error_json(exc.status, exc.message, exc.headers)
        finally:
            logger.info(
                "%s %s %s -> %d in %.1f ms",
                self.client_address[0],
                method,
                printable(self.path.split("?", 1)[0][:200]),
                self._status,
                (time.perf_counter() - started) * 1000.0,
            )

    def do_GET(self) -> None:
        self._route("GET")

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def do_PATCH(self) -> None:
        self._route("PATCH")

    def do_OPTIONS(self) -> None:
        self._route("OPTIONS")

    # ---------------------------------------------------------------- body

    def _check_framing(self) -> int | None:
        """The body's length from the headers (None: no body); refuses what could desynchronise the stream."""
        return parse_content_length(
            self.headers.get_all("Content-Length") or [], self.headers.get_all("Transfer-Encoding") or []
        )

    def _content_length(self) -> int:
        length = self._check_framing()
        if length is None:
            raise _RequestError(411, "Content-Length is required")
        return length

    def _read_inputs(self) -> list[str]:
        length = self._content_length()
        if length > self.server.max_body_bytes:
            raise _RequestError(
                413, f"body of {length} bytes is larger than the limit of {self.server.max_body_bytes} bytes"
            )
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            raise _RequestError(400, f"the body ended after {len(body)} of {length} bytes")
        self._body_read = True
        self._request_arrived()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            raise _RequestError(400, "the body is not valid JSON") from None
        if isinstance(data, str):
            inputs: Any = data  # a bare JSON string: the HF Inference API's shortest form (json.dumps(text))
        elif isinstance(data, dict):
            if "inputs" not in data:
                raise _RequestError(400, 'the body has no "inputs"')
            inputs = data["inputs"]  # "parameters" and "options" are accepted and ignored, as HF's serverless API
        else:
            raise _RequestError(
                400, 'the body must be a JSON string or a JSON object like {"inputs": "text"} or {"inputs": [...]}'
            )
        if isinstance(inputs, str):
            inputs = [inputs]
        if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
            raise _RequestError(400, '"inputs" must be a string or a list of strings')
        if not inputs:
            raise _RequestError(400, '"inputs" is empty')
        if len(inputs) > self.server.max_texts:
            raise _RequestError(413, f"{len(inputs)} texts in one request; the limit is {self.server.max_texts}")
        return inputs

    def _discard_body(self) -> bool:
        """Read and drop an unread body so the client can read our answer; False if it was too big to bother."""
        if self._body_read:
            return True
        try:
            length = self._check_framing() or 0
        except _RequestError:
            return False
        if length > _DRAIN_LIMIT:
            return False
        try:
            while length > 0:
                chunk = self.rfile.read(min(length, 65536))
                if not chunk:
                    return False
                length -= len(chunk)
        except OSError:
            return False
        self._body_read = True
        return True

    # ---------------------------------------------------------------- responses

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None, close: bool = False) -> None:
        data = json.dumps(payload, allow_nan=False).encode("utf-8")
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _send_error_json(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        # Errors close the connection: after a bad request the stream may be out of sync.
        self._discard_body()
        self._send_json(status, {"error": message}, headers, close=True)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """JSON errors also for what http.server rejects itself (bad request line, unknown method)."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        if code == 501:  # http.server's "unsupported method": for this API that is a wrong method
            code, message = 405, f"method {self.command} is not allowed"
        self._status = code
        if code < 200 or code in (204, 304):
            super().send_error(code, message, explain)
            return
        self._send_json(code, {"error": message or phrase}, close=True)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        pass  # logged once per request by _route, without the query string

    def log_message(self, format: str, *args: Any) -> None:
        logger.warning("%s: %s", self.client_address[0], printable((format % args)[:200]))


def printable(text: str) -> str:
    """``text`` with control characters (terminal escapes, CR/LF, U+2028, ...) as visible escapes, for logs."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def parse_content_length(lengths: Sequence[str], transfer_encodings: Sequence[str] = ()) -> int | None:
    """The body length a request declares, or None when it declares none.

    Raises a 4xx :class:`_RequestError` for what two parsers could read differently (the root of request
    smuggling): chunked or any other transfer coding (411), ``Content-Length`` given more than once --
    even with equal values -- or beside a transfer coding, and anything but plain ASCII digits (400).
    """
    if transfer_encodings:
        if lengths:
            raise _RequestError(400, "Content-Length together with Transfer-Encoding is refused")
        raise _RequestError(411, "chunked bodies are not accepted; send Content-Length")
    if not lengths:
        return None
    if len(lengths) > 1:
        raise _RequestError(400, f"Content-Length is given {len(lengths)} times; send it once")
    raw = lengths[0].strip(" \t")
    if raw.startswith("-") and _CONTENT_LENGTH.fullmatch(raw[1:]):
        raise _RequestError(400, "Content-Length is negative")
    if not _CONTENT_LENGTH.fullmatch(raw):
        raise _RequestError(400, "Content-Length is not a number")
    return int(raw)


class ServerHandle:
    """A server running in a background thread: ``.url`` to talk to it, ``.shutdown()`` to stop it."""

    def __init__(self, server: ModelServer):
        self.server = server
        self.thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"lime-serve-{server.server_address[1]}",
            daemon=True,
        )
        self._stopped = False
        self.thread.start()

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def requests_handled(self) -> int:
        return self.server.requests_handled

    def shutdown(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"ServerHandle(url={self.url!r}, model={self.server.model_name!r})"


def make_server(
    classifier: TextClassifier,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    *,
    model_name: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_texts: int = DEFAULT_MAX_TEXTS,
    max_connections: int = DEFAULT_MAX_CONNECTIONS,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    max_client_connections: int | None = DEFAULT_MAX_CLIENT_CONNECTIONS,
    keepalive_idle: float = DEFAULT_KEEPALIVE_IDLE,
) -> ModelServer:
    """Bind (port 0 = any free port) but do not start serving; call ``serve_forever()`` yourself."""
    return ModelServer(
        classifier,
        host,
        port,
        token,
        model_name=model_name,
        max_body_bytes=max_body_bytes,
        max_texts=max_texts,
        max_connections=max_connections,
        request_deadline=request_deadline,
        max_client_connections=max_client_connections,
        keepalive_idle=keepalive_idle,
    )


def serve_in_thread(
    classifier: TextClassifier,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    **kwargs: Any,
) -> ServerHandle:
    """Start a server in a daemon thread, for tests and the dashboard's default local endpoint."""
    return ServerHandle(make_server(classifier, host, port, token, **kwargs))


def serve_bundled_in_thread(
    name: str,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    **kwargs: Any,
) -> ServerHandle:
    """Load a bundled model by registry name and serve it in a daemon thread (the dashboard's local endpoint).

    The model answers at ``handle.url`` and at ``handle.url + "/models/" + name``.
    """
    from ..models.registry import load_model  # imported late: the registry pulls in the model stack

    return serve_in_thread(load_model(name), host, port, token, model_name=name, **kwargs)
