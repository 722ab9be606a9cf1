"""The local model server: HF-shaped answers, bad requests, tokens, health, CLI."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import types

import numpy as np
import pytest
import requests

from lime_core import serve
from lime_core.classifier import ClassifierAdapter
from lime_core.serve import ModelServer, make_server, serve_in_thread
from tests.http_fixtures import keyword_proba, tiny_text_pipeline

TOKEN = "serve-SECRET-0123456789"
LABELS = ["food", "sports", "tech"]


class KeywordModel:
    """Deterministic toy classifier; records how many calls overlap (the server must serialize them)."""

    name = "keywords"
    class_names = LABELS

    def __init__(self):
        self.active = 0
        self.max_active = 0
        self.calls = 0
        self._lock = threading.Lock()

    def predict_proba(self, texts):
        with self._lock:
            self.active += 1
            self.calls += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if any("boom" in t for t in texts):
                raise RuntimeError("model exploded")
            time.sleep(0.002)
            return keyword_proba(texts, LABELS)
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch):
    """A developer's HTTP(S)_PROXY must not route the tests' 127.0.0.1 traffic through a proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def model():
    return KeywordModel()


@pytest.fixture(scope="module")
def server(model):
    handle = serve_in_thread(model, token=TOKEN, model_name="keywords", max_texts=20, max_body_bytes=50_000)
    yield handle
    handle.shutdown()


def post(url, body=None, *, token=TOKEN, raw=None, headers=None, method="POST"):
    all_headers = {"Content-Type": "application/json"}
    if token is not None:
        all_headers["Authorization"] = f"Bearer {token}"
    all_headers.update(headers or {})
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    return requests.request(method, url, data=data, headers=all_headers, timeout=5)


def assert_good_request_works(url):
    response = post(url + "/", {"inputs": ["food tech"]})
    assert response.status_code == 200, response.text
    assert response.json()[0][0]["label"] in ("food", "tech")


def test_classifies_in_hf_format_sorted_by_score(server):
    texts = ["food food sports", "tech", "sports sports sports tech"]
    response = post(server.url + "/", {"inputs": texts})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    rows = response.json()
    expected = keyword_proba(texts, LABELS)
    assert len(rows) == 3
    for i, row in enumerate(rows):
        scores = [item["score"] for item in row]
        assert scores == sorted(scores, reverse=True)
        assert {item["label"]: item["score"] for item in row} == pytest.approx(
            dict(zip(LABELS, expected[i], strict=True))
        )


def test_models_path_and_single_string_input(server):
    response = post(server.url + "/models/keywords", {"inputs": "sports"})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1 and rows[0][0]["label"] == "sports"


def test_health(server):
    response = requests.get(server.url + "/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "model": "keywords", "labels": LABELS}


BAD_REQUESTS = [
    pytest.param({"raw": b"{not json"}, 400, "not valid JSON", id="wrong-json"),
    pytest.param({"raw": b"[" * 100_000 + b"]" * 100_000}, 413, "larger than", id="oversized-nested"),
    pytest.param({"raw": b"[" * 20_000 + b"]" * 20_000}, 400, "not valid JSON", id="deeply-nested-json"),
    pytest.param({"raw": b"\xff\xfe garbage"}, 400, "not valid JSON", id="not-utf8"),
    pytest.param({"body": ["a", "b"]}, 400, "JSON object", id="not-an-object"),
    pytest.param({"body": {"text": "hello"}}, 400, 'no "inputs"', id="no-inputs"),
    pytest.param({"body": {"inputs": [1, 2]}}, 400, "list of strings", id="inputs-not-strings"),
    pytest.param({"body": {"inputs": {"a": 1}}}, 400, "list of strings", id="inputs-an-object"),
    pytest.param({"body": {"inputs": 5}}, 400, "list of strings", id="inputs-a-number"),
    pytest.param({"body": {"inputs": []}}, 400, "empty", id="inputs-empty"),
    pytest.param({"body": {"inputs": ["x" * 60_000]}}, 413, "larger than the limit", id="oversized-body"),
    pytest.param({"body": {"inputs": ["t"] * 21}}, 413, "limit is 20", id="too-many-texts"),
    pytest.param({"body": {"inputs": ["x"]}, "token": None}, 401, "token", id="missing-token"),
    pytest.param({"body": {"inputs": ["x"]}, "token": "wrong"}, 401, "token", id="wrong-token"),
    pytest.param(
        {"body": {"inputs": ["x"]}, "token": None, "headers": {"Authorization": f"Basic {TOKEN}"}},
        401,
        "token",
        id="basic-auth",
    ),
    pytest.param({"body": {"inputs": ["x"]}, "path": "/nowhere"}, 404, "unknown path", id="unknown-path"),
    pytest.param({"body": {"inputs": ["x"]}, "path": "/models/other"}, 404, "no model named", id="unknown-model"),
    pytest.param({"method": "GET"}, 405, "POST", id="get-on-predict"),
    pytest.param({"method": "DELETE", "body": {"inputs": ["x"]}}, 405, "POST", id="delete"),
    pytest.param({"method": "POST", "path": "/health", "body": {}}, 405, "GET", id="post-on-health"),
    pytest.param({"method": "BREW"}, 405, "not allowed", id="unknown-method"),
    pytest.param({"body": {"inputs": ["boom"]}}, 500, "model failed", id="model-raises"),
]


@pytest.mark.parametrize(("request_kwargs", "status", "fragment"), BAD_REQUESTS)
def test_bad_requests_get_json_errors_and_the_server_keeps_serving(server, request_kwargs, status, fragment):
    kwargs = dict(request_kwargs)
    path = kwargs.pop("path", "/")
    response = post(server.url + path, **kwargs)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert isinstance(error, str) and fragment in error
    assert TOKEN not in error
    if status == 401:
        assert response.headers.get("WWW-Authenticate") == "Bearer"
    if status == 405:
        assert "Allow" in response.headers or request_kwargs.get("method") == "BREW"
    assert_good_request_works(server.url)


def test_keep_alive_session_survives_errors(server):
    with requests.Session() as session:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(3):
            assert session.post(server.url, json={"inputs": ["a"]}, headers=headers, timeout=5).status_code == 200
            assert session.post(server.url, data=b"nope", headers=headers, timeout=5).status_code == 400
            assert session.post(server.url, json={"inputs": ["b"]}, headers={}, timeout=5).status_code == 401


def test_model_calls_are_serialized(server, model):
    errors = []

    def worker(i):
        try:
            texts = [f"food {i} tech {j}" for j in range(5)]
            response = post(server.url, {"inputs": texts})
            assert response.status_code == 200
            got = np.array(
                [[dict((d["label"], d["score"]) for d in row)[label] for label in LABELS] for row in response.json()]
            )
            np.testing.assert_allclose(got, keyword_proba(texts, LABELS))
        except Exception as exc:  # collected: assertion errors in threads would be lost otherwise
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert model.max_active == 1


def test_logs_have_no_bodies_or_tokens(server, caplog):
    caplog.set_level(logging.DEBUG, logger="lime_core.serve")
    post(server.url + "/?api_key=querysecret", {"inputs": ["confidential text"]})
    post(server.url + "/", {"inputs": ["confidential text"]}, token="wrong-" + TOKEN)
    time.sleep(0.05)  # the log line is written after the answer is sent
    assert "POST /" in caplog.text
    for secret in (TOKEN, "confidential", "querysecret"):
        assert secret not in caplog.text


def test_port_zero_and_no_token():
    model = KeywordModel()
    with serve_in_thread(model) as first, serve_in_thread(model) as second:
        assert first.port != second.port and first.port > 0
        assert first.url == f"http://127.0.0.1:{first.port}"
        response = post(first.url, {"inputs": ["food"]}, token=None)
        assert response.status_code == 200
    first.shutdown()  # idempotent


def test_real_sklearn_pipeline_served():
    pipe = tiny_text_pipeline()
    with serve_in_thread(ClassifierAdapter(pipe)) as handle:
        health = requests.get(handle.url + "/health", timeout=5).json()
        assert health["labels"] == list(pipe.classes_)
        rows = post(handle.url, {"inputs": ["the goal keeper"]}, token=None).json()
        got = {item["label"]: item["score"] for item in rows[0]}
        expected = dict(zip(pipe.classes_, pipe.predict_proba(["the goal keeper"])[0], strict=True))
        assert got == pytest.approx(expected, abs=1e-12)


def test_make_server_binds_without_serving():
    server = make_server(KeywordModel(), port=0, token=TOKEN)
    try:
        assert isinstance(server, ModelServer)
        assert server.server_address[0] == "127.0.0.1" and server.server_address[1] > 0
        assert server.token_required
        assert server.check_token(f"Bearer {TOKEN}") and not server.check_token(f"Bearer {TOKEN}x")
        assert not server.check_token(None) and not server.check_token(TOKEN)
    finally:
        server.server_close()


def test_cli_serves_a_registry_model(monkeypatch, capsys):
    fake_registry = types.ModuleType("lime_core.models.registry")
    fake_registry.load_model = lambda name: KeywordModel()
    monkeypatch.setitem(sys.modules, "lime_core.models.registry", fake_registry)
    monkeypatch.setenv("LIME_SERVE_TOKEN", TOKEN)
    seen = {}

    def fake_serve_forever(self, poll_interval=0.5):
        seen["server"] = self
        raise KeyboardInterrupt

    monkeypatch.setattr(ModelServer, "serve_forever", fake_serve_forever)
    assert serve.main(["--model", "keywords", "--port", "0"]) == 0
    out = capsys.readouterr().out
    assert "serving keywords at http://127.0.0.1:" in out and "token required" in out
    assert TOKEN not in out
    assert seen["server"].model_name == "keywords" and seen["server"].token_required


def test_serve_bundled_in_thread_uses_the_registry(monkeypatch):
    fake_registry = types.ModuleType("lime_core.models.registry")
    fake_registry.load_model = lambda name: KeywordModel()
    monkeypatch.setitem(sys.modules, "lime_core.models.registry", fake_registry)
    with serve.serve_bundled_in_thread("keywords") as handle:
        assert requests.get(handle.url + "/health", timeout=5).json()["model"] == "keywords"
        assert post(handle.url + "/models/keywords", {"inputs": ["tech"]}, token=None).status_code == 200
