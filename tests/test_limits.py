"""Bounded work and refused ambiguity: sample limits, a byte-bounded cache, duplicate classes, the URL allow-list."""

from __future__ import annotations

import numpy as np
import pytest

from lime_core import TextExplainer
from lime_core import cli as cli_module
from lime_core.classifier import ClassifierAdapter, validate_class_names
from lime_core.cli.explain import resolve_targets
from lime_core.errors import ModelOutputError, WorkLimitError
from lime_core.limits import MAX_SAMPLE_CHARS, MAX_SAMPLES
from lime_core.net.policy import is_loopback_host, url_refusal
from lime_core.predictor import PredictionCache, entry_bytes
from tests.http_fixtures import Canned, ScriptedServer, hf_responder

LABELS = ["food", "sports", "tech"]


class Uniform:
    class_names = ("neg", "pos")

    def __init__(self):
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        return np.full((len(texts), 2), 0.5)


# --------------------------------------------------------------------------- sample limits


def test_more_samples_than_the_limit_are_refused_before_any_model_call():
    model = Uniform()
    with pytest.raises(WorkLimitError, match=r"n_samples is 100,001, over the limit of 100,000 samples"):
        TextExplainer(n_samples=MAX_SAMPLES + 1).fit("a short text", model)
    with pytest.raises(WorkLimitError, match="max_samples is 1,000,000,000"):
        TextExplainer(n_samples="auto", max_samples=10**9).fit("a short text", model)
    assert model.calls == 0
    assert isinstance(WorkLimitError("x"), ValueError)  # callers that catch ValueError keep working


def test_samples_times_text_length_is_bounded_and_the_message_says_how_many_fit():
    model = Uniform()
    text = ("word " * 4000)[:20_000]
    allowed = MAX_SAMPLE_CHARS // len(text)
    with pytest.raises(WorkLimitError, match=rf"use at most {allowed:,} samples for this text"):
        TextExplainer(n_samples=allowed + 1, max_chars=None).fit(text, model)
    assert model.calls == 0


def test_the_dashboard_bounds_fit_inside_the_library_limits():
    from dashboard import results
    from lime_core.limits import MAX_TEXT_CHARS

    # The dashboard's longest text is the library's. The sidebar's largest sample count (20,000) fits
    # texts up to 20,000 characters; on longer ones auto's cap shrinks to fit and a fixed count over the bound is
    # refused with the count allowed (tests/test_long_documents.py, and the test above).
    assert results.MAX_TEXT_CHARS == MAX_TEXT_CHARS
    assert MAX_SAMPLES >= 20_000 and MAX_SAMPLE_CHARS >= 20_000 * 20_000


def test_cli_refuses_too_many_samples_with_one_line(capsys):
    status = cli_module.main(["explain", "--model", "20ng-svm", "--text", "hello", "--samples", str(MAX_SAMPLES + 1)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: argument --samples: must be at most 100000") and err.count("\n") == 1


# --------------------------------------------------------------------------- the cache


def test_the_prediction_cache_is_bounded_in_bytes():
    row = np.array([0.5, 0.5])
    text = "x" * 10_000
    one = entry_bytes(text + "0", row)
    cache = PredictionCache(max_entries=10**6, max_bytes=5 * one)
    texts = [text + str(i) for i in range(10)]
    cache.store("m", texts, np.tile(row, (10, 1)))
    assert len(cache) == 5 and cache.nbytes <= 5 * one
    assert cache.lookup("m", texts[:5]) == [None] * 5  # the oldest went first
    assert all(r is not None for r in cache.lookup("m", texts[5:]))
    cache.store("m", texts[5:6], np.array([[0.2, 0.8]]))  # replacing a row does not count it twice
    assert len(cache) == 5 and cache.nbytes <= 5 * one
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0


def test_the_cache_holds_models_without_a_key_only_while_their_rows_live():
    cache = PredictionCache(max_entries=2)
    first, second = Uniform(), Uniform()
    key = f"x@{id(first):x}"
    cache.store(key, ["a", "b"], np.full((2, 2), 0.5), owner=first)
    assert cache._owners == {key: first}
    cache.store("keyed-model", ["c", "d"], np.full((2, 2), 0.5), owner=second)
    assert cache._owners == {}  # first's rows are gone; a model with its own cache key is never held


# --------------------------------------------------------------------------- ambiguity


def test_duplicate_class_names_are_an_error_that_names_them():
    model = ClassifierAdapter(Uniform(), class_names=["neg", "pos", "neg", "pos", "mid"])
    with pytest.raises(ModelOutputError, match=r"duplicate class names: 'neg' \(2 times\), 'pos' \(2 times\)"):
        validate_class_names(model)
    with pytest.raises(ModelOutputError, match="duplicate class names"):
        TextExplainer(n_samples=50).fit("a short text", model)
    with pytest.raises(ModelOutputError, match="duplicate class names: 'a'"):
        resolve_targets(["a"], ClassifierAdapter(Uniform(), class_names=["a", "a"]))


def test_duplicate_labels_in_a_remote_answer_are_refused():
    body = [[{"label": "a", "score": 0.5}, {"label": "a", "score": 0.5}]]
    with ScriptedServer([Canned(200, body)]) as server:
        from lime_core.models.remote import RemoteClassifier

        with pytest.raises(Exception, match="lists label 'a' twice"):
            RemoteClassifier(server.url, max_retries=0).predict_proba(["x"])


def test_cli_warnings_are_warning_lines(capsys, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("LIME_API_TOKEN", raising=False)
    with ScriptedServer([Canned(503, {"error": "busy"}, headers={"Retry-After": "0"})]) as server:
        server.default = hf_responder(LABELS)
        status = cli_module.main(["explain", "--url", server.url, "--text", "food and tech", "--samples", "40"])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines and all(line.startswith(("warning: ", "error: ")) for line in lines), lines
    assert any("answered HTTP 503; retry 1/3" in line for line in lines)


# --------------------------------------------------------------------------- the allow-list

SETTING = "LIME_REMOTE_ALLOW"


@pytest.mark.parametrize(
    ("url", "allow", "refused"),
    [
        ("http://127.0.0.1:8000/models/x", None, None),
        ("https://localhost/", None, None),
        ("http://[::1]:9/", None, None),
        ("https://api.example.com/models/x", None, "api.example.com is not in LIME_REMOTE_ALLOW"),
        ("http://127.0.0.1.evil.example/", None, "127.0.0.1.evil.example is not in LIME_REMOTE_ALLOW"),
        ("http://169.254.169.254/latest/meta-data", None, "is not in LIME_REMOTE_ALLOW"),
        ("https://api.example.com/models/x", "api.example.com", None),
        ("https://API.Example.com./x", "api.example.com", None),
        ("http://api.example.com/models/x", "api.example.com", "over https only"),
        ("https://evil.api.example.com/", "api.example.com", "is not in"),
        ("http://127.0.0.1:8000/", "api.example.com", "loopback addresses are not in LIME_REMOTE_ALLOW"),
        ("http://127.0.0.1:8000/", "loopback, api.example.com", None),
        ("http://127.0.0.1:8000/", "none", "loopback addresses are not in"),
        ("http://127.0.0.1:99999/", None, "not a valid http(s) URL"),
    ],
)
def test_the_allow_list_admits_loopback_and_named_https_hosts(url, allow, refused):
    reason = url_refusal(url, allow, SETTING)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


def test_loopback_is_decided_on_the_parsed_address():
    assert all(is_loopback_host(h) for h in ("127.0.0.1", "127.1.2.3", "::1", "localhost", "LocalHost"))
    assert not any(
        is_loopback_host(h)
        for h in ("127.0.0.1.evil.example", "127.evil", "::ffff:127.0.0.1", "0x7f000001", "2130706433", "127.1", "")
    )


def test_the_policy_module_imports_no_streamlit():
    import lime_core.net.policy as policy

    assert "streamlit" not in policy.__dict__ and "st" not in policy.__dict__
