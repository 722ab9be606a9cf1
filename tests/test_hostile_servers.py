"""The remote client against servers that misbehave on purpose, and the token guard against look-alike hosts.

Every server here is started by the test on 127.0.0.1; no test sends anything to
any other address (the guard tests prove that nothing is even looked up). Each
hostile answer must end in a clear error within the deadline, with peak memory
measured by tracemalloc (the servers run in this process too, so the figure
includes their side: it is an upper bound on the client's).
"""

from __future__ import annotations

import gc
import secrets
import socket
import threading
import time
import tracemalloc
import warnings
import weakref
import zlib

import pytest

from lime_core import PredictionCache, TextExplainer, explain_text
from lime_core.classifier import ClassifierAdapter
from lime_core.errors import RemoteModelError
from lime_core.models.remote import RemoteClassifier, json_depth
from lime_core.serve import serve_in_thread
from tests.http_fixtures import Canned, RawServer, ScriptedServer, hf_responder, http_head, tiny_text_pipeline

LABELS = ["food", "sports", "tech"]
MB = 1024 * 1024
GOOD_ANSWER = b'[[{"label": "food", "score": 0.5}, {"label": "sports", "score": 0.3}, {"label": "tech", "score": 0.2}]]'


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)


def client(url: str, **kwargs) -> RemoteClassifier:
    options = {"class_names": LABELS, "max_retries": 0, "connect_timeout": 2.0, "read_timeout": 5.0, "deadline": 1.0}
    options.update(kwargs)
    return RemoteClassifier(url, **options)


def measured(call):
    """Run ``call`` expecting a RemoteModelError; return (message, seconds, peak traced MB)."""
    gc.collect()
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(RemoteModelError) as info:
            call()
        seconds = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    print(f"\n  {seconds:.2f} s, peak {peak:.1f} MB: {info.value}")
    return str(info.value), seconds, peak


# --------------------------------------------------------------------------- slow answers


def _trickle_body(server: RawServer):
    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Type": "application/json", "Content-Length": "100000"}))
        while not stopping.wait(0.05):
            server.send(sock, b" ")

    return handler


def _trickle_headers(server: RawServer):
    def handler(sock, stopping):
        server.send(sock, b"HTTP/1.1 200 OK\r\n")
        while not stopping.wait(0.05):
            server.send(sock, b"X-Slow: 1\r\n")

    return handler


@pytest.mark.parametrize("make_handler", [_trickle_body, _trickle_headers], ids=["body", "headers"])
def test_an_answer_that_trickles_ends_at_the_total_deadline(make_handler):
    server = RawServer(lambda sock, stopping: None)
    server.handler = make_handler(server)
    with server:
        # Each byte comes well within the 5 s read time-out: only the total deadline can end this.
        message, seconds, peak = measured(lambda: client(server.url, deadline=1.0).predict_proba(["x"]))
    assert "did not send a complete answer within the deadline of 1 s" in message
    assert 0.9 < seconds < 3.0  # the deadline, far below the 5 s read time-out that each byte resets
    assert peak < 5


def test_a_silent_server_hits_the_read_timeout_or_the_deadline():
    with RawServer(lambda sock, stopping: stopping.wait(10)) as server:
        message, seconds, _ = measured(lambda: client(server.url, read_timeout=0.5, deadline=5).predict_proba(["x"]))
    assert "did not answer within 0.5 s (read time-out)" in message and seconds < 4


def test_a_name_lookup_that_hangs_is_bounded_by_the_connect_timeout(monkeypatch):
    release = threading.Event()

    def slow_lookup(host, *args, **kwargs):  # nothing is looked up: the lookup just never answers
        release.wait(10)
        raise OSError("test: no lookups")

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    try:
        message, seconds, _ = measured(
            lambda: client("http://slow-dns.invalid/", connect_timeout=0.5, deadline=5).predict_proba(["x"])
        )
    finally:
        release.set()
    assert "could not connect to http://slow-dns.invalid/ within 0.5 s" in message and seconds < 3


# --------------------------------------------------------------------------- big answers


def test_an_over_long_content_length_is_refused_before_the_body_is_read():
    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Length": str(600 * MB)}))
        block = b"[" * 65536
        while not stopping.is_set():
            server.send(sock, block)

    with RawServer(handler) as server:
        message, seconds, peak = measured(lambda: client(server.url, max_response_bytes=MB).predict_proba(["x"]))
        sent = server.bytes_sent
    assert "larger than the limit of 1,048,576 bytes (max_response_bytes)" in message
    assert "it declares Content-Length 629,145,600, so it was not read" in message
    assert seconds < 4 and peak < 5
    assert sent < 64 * MB  # the client hung up instead of reading (the rest is the socket buffers)


def test_a_flood_without_length_is_cut_off_at_the_cap():
    block = b" " * 65536

    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Type": "application/json", "Connection": "close"}))
        while not stopping.is_set():
            server.send(sock, block)

    with RawServer(handler) as server:
        message, seconds, peak = measured(
            lambda: client(server.url, max_response_bytes=2 * MB, deadline=10).predict_proba(["x"])
        )
    assert "larger than the limit of 2,097,152 bytes (max_response_bytes); stopped reading at the limit" in message
    assert seconds < 4 and peak < 12


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """100 MB of JSON whitespace in about 100 KB of gzip."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b" " * MB
    return b"".join(packer.compress(zeros) for _ in range(100)) + packer.flush()


@pytest.mark.parametrize("framing", ["content-length", "close"])
def test_a_gzip_bomb_is_inflated_only_up_to_the_cap(gzip_bomb, framing):
    assert len(gzip_bomb) < 200_000

    def handler(sock, stopping):
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        framed = {"Content-Length": str(len(gzip_bomb))} if framing == "content-length" else {"Connection": "close"}
        headers.update(framed)
        server.send(sock, http_head(200, headers) + gzip_bomb)

    with RawServer(handler) as server:
        message, seconds, peak = measured(lambda: client(server.url, max_response_bytes=MB).predict_proba(["x"]))
    assert "larger than the limit of 1,048,576 bytes (max_response_bytes) once decompressed" in message
    assert seconds < 4 and peak < 8


def test_a_gzip_answer_within_the_cap_is_read():
    body = zlib.compress(GOOD_ANSWER, 9, wbits=16 + zlib.MAX_WBITS)

    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Encoding": "gzip", "Content-Length": str(len(body))}) + body)

    with RawServer(handler) as server:
        proba = client(server.url).predict_proba(["x"])
    assert proba.tolist() == [[0.5, 0.3, 0.2]]


def test_an_unknown_content_encoding_is_refused():
    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Encoding": "br", "Content-Length": "4"}) + b"abcd")

    with RawServer(handler) as server:
        message, _, _ = measured(lambda: client(server.url).predict_proba(["x"]))
    assert "cannot be decoded (br); only gzip and deflate are read" in message


# --------------------------------------------------------------------------- odd JSON, redirects


def test_deeply_nested_json_is_refused_before_parsing():
    body = b"[" * 200_000 + b"]" * 200_000

    def handler(sock, stopping):
        server.send(sock, http_head(200, {"Content-Length": str(len(body))}) + body)

    with RawServer(handler) as server:
        message, seconds, peak = measured(lambda: client(server.url).predict_proba(["x"]))
    assert "is JSON nested more than 32 levels deep (the limit)" in message
    assert seconds < 4 and peak < 10


def test_json_depth_ignores_brackets_inside_strings():
    assert json_depth(b'[[{"label": "[[[[{{{{", "score": 1}]]') == 3
    assert json_depth(b'["\\"[[[[", 1]') == 1
    assert json_depth(b"") == 0


def _quote_bomb(size: int) -> bytes:
    """An unterminated string of escaped quotes: a regular expression that skips strings takes quadratic time."""
    return b'"' + b'\\"' * ((size - 1) // 2)


@pytest.mark.parametrize("status", [200, 503])
def test_a_quote_bomb_at_the_cap_ends_within_the_deadline(status):
    # 8 MB, the default cap: the old check took about a day on it, and ran again on each retry of a 503.
    body = _quote_bomb(8 * MB)

    def handler(sock, stopping):
        server.send(sock, http_head(status, {"Content-Length": str(len(body))}) + body)

    with RawServer(handler) as server:
        model = client(server.url, deadline=3.0, max_retries=2, backoff_base=0.2, read_timeout=3.0)
        message, seconds, peak = measured(lambda: model.predict_proba(["x"]))
    assert ("not valid JSON" if status == 200 else "server error") in message
    assert seconds < 3.0 + 1.0
    assert peak < 3 * 8 + 20  # the answer (held by server and client) and 256 KB slices of the check


def test_json_depth_is_linear_and_exact_across_its_slices(monkeypatch):
    import lime_core.models.remote.transport as transport

    started = time.perf_counter()
    assert json_depth(_quote_bomb(4 * MB)) == 0
    assert json_depth(b'"' * (4 * MB)) == 0
    assert 32 < json_depth(b"[" * (4 * MB), limit=32) < 4 * MB  # stops in the slice that passes the limit
    assert time.perf_counter() - started < 5  # linear: the regular expression took 12.5 s on 64 KB
    texts = [b'["\\\\", [1, {"a": "]]\\"[["}]]', b'"\\\\\\\"[" [[', b'[["\\', b"[\\]"]
    expected = [json_depth(text) for text in texts]
    monkeypatch.setattr(transport, "_SLICE", 3)  # backslash runs and strings that cross a slice's edge
    assert [json_depth(text) for text in texts] == expected == [3, 2, 2, 1]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"inputs": 3}', "JSON object; expected a list"),
        (b'[["food", 0.5]]', "without a string 'label'"),
        (b'"just a string"', "JSON str; expected a list"),
        (b"[[]]", "label set changed"),
    ],
)
def test_json_of_the_wrong_shape_gets_a_specific_error(body, fragment):
    with ScriptedServer([Canned(200, body)]) as server:
        message, _, _ = measured(lambda: client(server.url).predict_proba(["x"]))
    assert fragment in message


def test_a_redirect_is_not_followed():
    with RawServer(lambda sock, stopping: None) as target:
        with ScriptedServer([Canned(307, b"", headers={"Location": target.url + "/steal"})]) as server:
            message, _, _ = measured(lambda: client(server.url, token="tok-123").predict_proba(["x"]))
        time.sleep(0.1)
        assert target.connections == 0
    assert "redirects (HTTP 307); use the final URL (redirects are not followed)" in message


def test_a_kept_alive_connection_is_reused_and_a_closed_one_reopened():
    with ScriptedServer() as server:
        server.default = hf_responder(LABELS)
        remote = client(server.url, batch_size=2)
        remote.predict_proba([f"t{i}" for i in range(6)])
        remote.close()
        remote.predict_proba(["again"])
    assert server.request_count == 4


# --------------------------------------------------------------------------- over TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 (made with the openssl command; skipped without it)."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _tls_server(tls_files, handler) -> RawServer:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_files)
    return RawServer(handler, tls=context)


def test_https_is_verified_read_and_bounded(tls_files, monkeypatch):
    def answer(sock, stopping):
        sock.sendall(http_head(200, {"Content-Length": str(len(GOOD_ANSWER))}) + GOOD_ANSWER)

    with _tls_server(tls_files, answer) as server:
        message, _, _ = measured(lambda: client(server.url, token="tok-123").predict_proba(["x"]))
        assert "TLS error talking to" in message  # self-signed: not trusted by default
        monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
        assert client(server.url, token="tok-123").predict_proba(["x"]).tolist() == [[0.5, 0.3, 0.2]]

    def trickle(sock, stopping):
        sock.sendall(http_head(200, {"Content-Length": "100000"}))
        while not stopping.wait(0.05):
            sock.sendall(b" ")

    with _tls_server(tls_files, trickle) as server:
        message, seconds, _ = measured(lambda: client(server.url, deadline=1.0).predict_proba(["x"]))
    assert "within the deadline of 1 s" in message and seconds < 3.0


# --------------------------------------------------------------------------- proxies


def test_an_http_proxy_from_the_environment_is_used_but_never_for_loopback(monkeypatch):
    seen: list[bytes] = []

    def proxy(sock, stopping):
        seen.append(b"request")
        sock.sendall(http_head(200, {"Content-Length": str(len(GOOD_ANSWER))}) + GOOD_ANSWER)

    with RawServer(proxy) as server:
        recorded = []
        original = server._serve

        def record(sock):  # keep the request line the proxy got
            recorded.append(sock.recv(200, socket.MSG_PEEK))
            original(sock)

        server._serve = record
        monkeypatch.setenv("HTTP_PROXY", server.url)
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("no_proxy", "")
        # .invalid never resolves: the only connection is to the proxy on 127.0.0.1
        assert client("http://model.invalid/models/x").predict_proba(["x"]).tolist() == [[0.5, 0.3, 0.2]]
        assert recorded and recorded[0].startswith(b"POST http://model.invalid/models/x HTTP/1.1")
        with ScriptedServer() as target:
            target.default = hf_responder(LABELS)
            client(target.url, token="tok-123").predict_proba(["x"])  # loopback: straight to the target
            assert target.request_count == 1
        assert len(seen) == 1


# --------------------------------------------------------------------------- the token guard

LOOK_ALIKES = [
    "http://127.0.0.1.evil.example/",
    "http://127.evil.example/",
    "http://localhost.evil.example/",
    "http://evil.example/127.0.0.1",
    "http://127.0.0.1@evil.example/",
    "http://localhost:80@evil.example/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::2]/",
    "http://0x7f000001/",
    "http://2130706433/",
    "http://127.1/",
    "http://0177.0.0.1/",
    "http://127.0.0.1%2eevil.example/",
    "http://localhost./",
    "http://10.0.0.1/",
]


@pytest.fixture
def no_network(monkeypatch):
    """Record (and refuse) every DNS lookup and connection attempt."""
    attempts: list[tuple[str, object]] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append((name, args[:1]))
            raise OSError(f"test: {name} is not allowed")

        return blocked

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


@pytest.mark.parametrize("url", LOOK_ALIKES)
def test_a_token_never_goes_over_plain_http_to_a_look_alike_host(url, no_network, monkeypatch):
    with pytest.raises(RemoteModelError, match=r"refusing to send the API token over plain http.*use an https URL"):
        RemoteClassifier(url, token="tok-123")
    monkeypatch.setenv("LIME_API_TOKEN", "tok-from-env")
    with pytest.raises(RemoteModelError, match="refusing to send the API token"):
        RemoteClassifier(url)
    assert no_network == []


def test_a_token_that_appears_later_is_refused_at_the_request(no_network, monkeypatch):
    monkeypatch.delenv("LIME_API_TOKEN", raising=False)
    holder: dict[str, str] = {}
    remote = RemoteClassifier("http://127.0.0.1.evil.example/", token=lambda: holder.get("t"), class_names=LABELS)
    holder["t"] = "typed-later"
    with pytest.raises(RemoteModelError, match="refusing to send the API token"):
        remote.predict_proba(["x"])
    assert no_network == []


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/", "http://127.255.0.7:9/", "http://[::1]:9/", "http://localhost:9/", "http://LOCALHOST:9/"],
)
def test_loopback_addresses_may_get_a_token_over_http(url, no_network):
    assert RemoteClassifier(url, token="tok-123").has_token
    assert no_network == []


def test_https_may_get_a_token_anywhere_and_nothing_is_sent_early(no_network):
    RemoteClassifier("https://api.example.com/models/x", token="tok-123")
    assert no_network == []


# --------------------------------------------------------------------------- secrets kept short-lived


def _mask(secret: str) -> bytes:
    """The secret in a form no scan can mistake for it (so the test itself holds no copy while it looks)."""
    return bytes(b ^ 0x5A for b in secret.encode())


def _objects_holding(masked: bytes) -> list[str]:
    """The types of all gc-tracked objects that refer to a str or bytes containing the (masked) secret."""
    for _ in range(3):
        gc.collect()
    secret = bytes(b ^ 0x5A for b in masked).decode()
    raw = secret.encode()
    found = []
    # CPython stops tracking dicts and tuples that hold only atoms (a {"header": "Bearer ..."} dict is not in
    # gc.get_objects()), so containers reached from tracked objects are walked too.
    stack = gc.get_objects()
    seen: set[int] = set()
    with warnings.catch_warnings():  # touching some library objects (torch's deprecated aliases) warns
        warnings.simplefilter("ignore")
        _walk(stack, seen, secret, raw, found)
    return found


def _walk(stack: list, seen: set[int], secret: str, raw: bytes, found: list[str]) -> None:
    while stack:
        obj = stack.pop()
        for ref in gc.get_referents(obj):
            if isinstance(ref, str):
                if secret in ref:
                    found.append(type(obj).__name__)
            elif isinstance(ref, bytes | bytearray):
                if raw in ref:
                    found.append(type(obj).__name__)
            elif (
                isinstance(ref, dict | list | tuple | set | frozenset)
                and not gc.is_tracked(ref)
                and id(ref) not in seen
            ):
                seen.add(id(ref))
                stack.append(ref)


def _serve_tiny(token: str):
    return serve_in_thread(ClassifierAdapter(tiny_text_pipeline(), name="tiny"), token=token, model_name="tiny")


def _forget_server_copies(handle) -> None:
    """The in-process server's own copies (its setting, its handlers' headers) are not the client's business."""
    handle.shutdown()
    handle.server._token = None
    time.sleep(0.3)  # handler threads end once their client's connection is closed


def test_after_an_explanation_no_reachable_object_holds_the_token():
    token = "tok-" + secrets.token_hex(16)
    masked = _mask(token)
    cache = PredictionCache()  # long-lived, like the dashboard's
    handle = _serve_tiny(token)
    remote = RemoteClassifier(handle.url, token=token, max_requests=40)
    del token
    alive = weakref.ref(remote)
    explanation = explain_text("the striker scored a goal", remote, n_samples=200, random_state=0, cache=cache)
    remote.close()
    del remote
    assert alive() is None  # neither the shared cache nor anything else keeps the classifier
    _forget_server_copies(handle)
    assert _objects_holding(masked) == []
    assert len(cache) > 0 and explanation.class_names == tuple(LABELS)


def test_a_kept_explainer_with_a_token_field_holds_no_token():
    """The dashboard's case: the fitted explainer stays in the session; the token lives in its field only."""
    token = "tok-" + secrets.token_hex(16)
    masked = _mask(token)
    field = {"token": token}
    del token
    cache = PredictionCache()
    handle = _serve_tiny(field["token"])
    explainer = TextExplainer(n_samples=200, random_state=0, cache=cache)
    explainer.fit("the striker scored a goal", RemoteClassifier(handle.url, token=lambda: field.get("token")))
    explanation = explainer.explanation()
    explainer.model_.close()
    field.clear()  # the user empties the field, or the session ends
    _forget_server_copies(handle)
    assert _objects_holding(masked) == []
    assert explanation.class_names == tuple(LABELS) and explainer.model_ is not None


class _Session:
    """Stands for any long-lived object (a session, a cache entry) that might keep a secret by mistake."""


def test_the_token_scan_would_see_a_leak():
    token = "tok-" + secrets.token_hex(16)
    masked = _mask(token)
    session = _Session()
    session.headers = {"Authorization": f"Bearer {token}"}  # a dict of atoms: not tracked by the gc itself
    session.raw = f"Bearer {token}".encode()
    del token
    assert sorted(_objects_holding(masked)) == ["_Session", "dict"]
