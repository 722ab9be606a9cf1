"""One bounded HTTP POST: a total deadline, a cap on the answer's size (also after decompression), no redirects.

``requests`` bounds each socket read, not a whole answer: a server that sends a
byte a second keeps a client waiting for ever, and a gzip bomb is inflated in
full before anyone looks at it. This transport is built on :mod:`http.client`
so that every step is in its hands:

* a watchdog shuts the socket down when the deadline passes, whatever phase the
  request is in (TLS handshake, sending, headers, body), so no read can outlast it;
  the name lookup, which has no time-out of its own, runs in a helper thread that
  is waited for at most the connect time-out;
* ``Content-Length`` over the cap is refused before the body is read, and a body
  without one (chunked, or read until close) is cut off at the cap;
* gzip and deflate are inflated here, in slices, under the same cap;
* redirects are never followed (the caller sees the 3xx).

Proxies from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``) are honoured, except for
loopback hosts, which are always reached directly.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import select
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import SplitResult, urlsplit

from .policy import is_loopback_host

_CHUNK = 64 * 1024


class TransportError(Exception):
    """Why a request got no complete answer; ``kind`` is one of the class constants, ``detail`` is for messages."""

    CONNECT_TIMEOUT = "connect-timeout"
    READ_TIMEOUT = "read-timeout"
    DEADLINE = "deadline"
    TOO_LARGE = "too-large"
    ENCODING = "encoding"
    TLS = "tls"
    REFUSED = "refused"
    NO_HOST = "no-host"
    CLOSED = "closed"
    OTHER = "other"

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind if not detail else f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail


@dataclass
class HttpAnswer:
    """A complete answer: status, headers (case-insensitive ``get``) and the decoded body."""

    status: int
    headers: Message
    body: bytes


class _Watchdog:
    """Shuts the connection's socket down at the deadline, which ends any blocked connect, send or read."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._conn = conn
        self._handle: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def attach(self, sock: socket.socket) -> None:
        """Keep a handle on the connected socket: http.client drops ``conn.sock`` when the answer says close."""
        with self._lock:
            if self._handle is None:
                try:  # a plain socket on a duplicate descriptor: shutdown() acts on the connection, also under TLS
                    self._handle = socket.socket(fileno=os.dup(sock.fileno()))
                except OSError:
                    self._handle = None

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._handle or getattr(self._conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None


class BoundedTransport:
    """POSTs to one URL over a kept-alive connection; not thread-safe (the caller holds a lock)."""

    def __init__(self, url: str, *, connect_timeout: float, read_timeout: float) -> None:
        self._parts: SplitResult = urlsplit(url)
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(read_timeout)
        self._conn: http.client.HTTPConnection | None = None
        self._target = ""

    # ------------------------------------------------------------------ connection

    def _new_connection(self, timeout: float) -> http.client.HTTPConnection:
        parts = self._parts
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        proxy = _proxy_for(parts)
        if proxy is None:
            self._target = path
            if parts.scheme == "https":
                return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context())
            return http.client.HTTPConnection(host, port, timeout=timeout)
        proxy_parts = urlsplit(proxy)
        proxy_host, proxy_port = proxy_parts.hostname or "", proxy_parts.port or 8080
        if parts.scheme == "https":  # a CONNECT tunnel: TLS runs end to end, the proxy sees neither token nor texts
            conn = http.client.HTTPSConnection(
                proxy_host, proxy_port, timeout=timeout, context=ssl.create_default_context()
            )
            conn.set_tunnel(host, port)
            self._target = path
            return conn
        self._target = f"http://{parts.netloc.rsplit('@', 1)[-1]}{path}"
        return http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        conn = self._conn
        if conn is not None and conn.sock is not None and not _dropped(conn.sock):
            return conn
        self.close()
        self._conn = self._new_connection(timeout)
        self._conn._create_connection = _bounded_create_connection  # type: ignore[attr-defined]
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
            self._conn = None

    # ------------------------------------------------------------------ the request

    def post(self, body: bytes, headers: dict[str, str], *, deadline: float, max_bytes: int) -> HttpAnswer:
        """Send ``body`` and read the whole answer within ``deadline`` seconds and ``max_bytes`` bytes, or raise."""
        started = time.monotonic()
        end = started + deadline
        conn = self._connection(min(self.connect_timeout, deadline))
        dog = _Watchdog(conn, deadline)
        keep = False
        try:
            if conn.sock is None:
                try:
                    conn.connect()
                except TimeoutError:
                    if dog.fired:
                        raise TransportError(TransportError.DEADLINE) from None
                    raise TransportError(TransportError.CONNECT_TIMEOUT) from None
            if conn.sock is not None:
                dog.attach(conn.sock)
            answer, keep = self._exchange(conn, body, headers, end, max_bytes, dog)
            return answer
        except TransportError:
            raise
        except ssl.SSLError as exc:
            kind = TransportError.DEADLINE if dog.fired else TransportError.TLS
            raise TransportError(kind, type(exc).__name__) from None
        except TimeoutError:
            raise TransportError(TransportError.DEADLINE if dog.fired else TransportError.READ_TIMEOUT) from None
        except socket.gaierror:
            raise TransportError(TransportError.NO_HOST) from None
        except ConnectionRefusedError:
            raise TransportError(TransportError.REFUSED) from None
        except (http.client.HTTPException, OSError) as exc:
            kind = TransportError.DEADLINE if dog.fired else TransportError.CLOSED
            if not dog.fired and isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
                kind = TransportError.OTHER
            raise TransportError(kind, type(exc).__name__) from None
        finally:
            dog.cancel()
            if not keep or dog.fired:
                self.close()

    def _exchange(
        self,
        conn: http.client.HTTPConnection,
        body: bytes,
        headers: dict[str, str],
        end: float,
        max_bytes: int,
        dog: _Watchdog,
    ) -> tuple[HttpAnswer, bool]:
        sock = conn.sock
        _set_timeout(sock, self.read_timeout, end)
        conn.putrequest("POST", self._target, skip_accept_encoding=True)
        for key, value in {**headers, "Accept-Encoding": "gzip, deflate", "Content-Length": str(len(body))}.items():
            conn.putheader(key, value)
        conn.endheaders(body)
        response = conn.getresponse()
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise TransportError(TransportError.ENCODING, encoding[:40])
        length = _content_length(response)
        if length is not None and length > max_bytes:
            raise TransportError(TransportError.TOO_LARGE, f"Content-Length {length:,}")
        inflate = _Inflater(encoding, max_bytes)
        received = 0
        while True:
            _set_timeout(conn.sock or sock, self.read_timeout, end)
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            received += len(chunk)
            if received > max_bytes:
                raise TransportError(TransportError.TOO_LARGE, "stream")
            inflate.feed(chunk)
        if dog.fired:  # the watchdog's shutdown looks like a normal end of a read-until-close body
            raise TransportError(TransportError.DEADLINE)
        body_out = inflate.finish()
        return HttpAnswer(response.status, response.headers, body_out), not response.will_close


class _Inflater:
    """gzip/deflate decoding in bounded slices: never more than ``max_bytes`` of output exists."""

    def __init__(self, encoding: str, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._parts: list[bytes] = []
        self._size = 0
        if encoding in ("gzip", "x-gzip"):
            self._decoder: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)  # zlib-wrapped, as RFC 9110 defines deflate
        else:
            self._decoder = None

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self.max_bytes:
            raise TransportError(TransportError.TOO_LARGE, "decompressed")
        self._parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self._decoder is None:
            self._keep(chunk)
            return
        data = chunk
        try:
            while data:
                out = self._decoder.decompress(data, self.max_bytes - self._size + 1)
                self._keep(out)
                data = self._decoder.unconsumed_tail
        except zlib.error:
            raise TransportError(TransportError.ENCODING, "corrupt compressed body") from None

    def finish(self) -> bytes:
        if self._decoder is not None:
            try:
                self._keep(self._decoder.flush(self.max_bytes - self._size + 1))
            except zlib.error:
                raise TransportError(TransportError.ENCODING, "corrupt compressed body") from None
        return b"".join(self._parts)


def _content_length(response: http.client.HTTPResponse) -> int | None:
    values = response.headers.get_all("Content-Length") or []
    if not values:
        return None
    if len(set(v.strip() for v in values)) != 1 or not values[0].strip().isdigit():
        raise TransportError(TransportError.OTHER, "conflicting or malformed Content-Length")
    return int(values[0].strip())


def _bounded_create_connection(
    address: tuple[str, int], timeout: float | None = None, source_address: tuple[str, int] | None = None
) -> socket.socket:
    """``socket.create_connection`` whose name lookup is bounded too (``getaddrinfo`` itself has no time-out)."""
    host, port = address
    limit = 30.0 if timeout is None else float(timeout)
    started = time.monotonic()
    found: list[Any] = []

    def resolve() -> None:
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            found.append(exc)

    worker = threading.Thread(target=resolve, name="lime-resolve", daemon=True)
    worker.start()
    worker.join(limit)
    if not found:
        raise TimeoutError(f"no address for the host within {limit:g} s")
    if isinstance(found[0], OSError):
        raise found[0]
    error: OSError | None = None
    for family, kind, proto, _, sockaddr in found[0]:
        left = limit - (time.monotonic() - started)
        if left <= 0:
            raise TimeoutError("connect time-out")
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(left)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            sock.settimeout(timeout)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError("no address to connect to")


def _set_timeout(sock: socket.socket | None, read_timeout: float, end: float) -> None:
    if sock is not None:
        # OSError: http.client closed it (the answer says close); the first timeout and the watchdog still hold.
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.001, min(read_timeout, end - time.monotonic())))


def _dropped(sock: socket.socket) -> bool:
    """True when a kept-alive connection was closed by the server (readable with nothing to read, or broken)."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _proxy_for(parts: SplitResult) -> str | None:
    if is_loopback_host(parts.hostname):  # never through a proxy: a token over plain http must stay on this machine
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme)
    # proxy_bypass_environment is CPython's (the NO_PROXY rule urllib itself applies), absent from typeshed's stubs.
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if not proxy or bypass(parts.hostname or "", proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"
