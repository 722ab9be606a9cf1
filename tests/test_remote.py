"""RemoteClassifier against a real local server and against scripted misbehaving ones.

Every server here listens on 127.0.0.1 with an ephemeral port; waits are
injected (``sleep``) so no test really waits for a back-off.
"""

from __future__ import annotations

import logging
import math
import pickle
import socket
import traceback

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lime_core.classifier import ClassifierAdapter, TextClassifier, model_identity
from lime_core.errors import BudgetExceededError, RemoteAuthError, RemoteModelError
from lime_core.models.remote import (
    ConnectionReport,
    HFInferenceFormat,
    RemoteClassifier,
    ResponseFormat,
    align_scores,
    label_sort_key,
)
from lime_core.serve import serve_in_thread
from tests.http_fixtures import Canned, ScriptedServer, hf_responder, keyword_proba, tiny_text_pipeline

TOKEN = "hf_SECRETtoken1234567890"
LABELS = ["food", "sports", "tech"]
TEXTS = [
    "the striker scored a goal",
    "my laptop needs a software update",
    "garlic bread with olive oil",
    "the team played a great game",
    "install the app on the phone",
    "a cake with berries",
    "the coach and the players",
]


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch):
    """A developer's HTTP(S)_PROXY must not route the tests' 127.0.0.1 traffic through a proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def pipeline():
    return tiny_text_pipeline()


@pytest.fixture(scope="module")
def local_server(pipeline):
    handle = serve_in_thread(ClassifierAdapter(pipeline, name="tiny"), token=TOKEN, model_name="tiny")
    yield handle
    handle.shutdown()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def scripted():
    server = ScriptedServer()
    yield server
    server.close()


def make_remote(url: str, sleeps: list[float], **kwargs) -> RemoteClassifier:
    options = {"token": TOKEN, "sleep": sleeps.append, "connect_timeout": 2.0, "read_timeout": 5.0}
    options.update(kwargs)
    return RemoteClassifier(url, **options)


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text


# --------------------------------------------------------------------------- against the real local server


def test_probabilities_equal_the_served_classifier(local_server, pipeline, sleeps):
    remote = make_remote(local_server.url, sleeps, batch_size=3)
    proba = remote.predict_proba(TEXTS)
    assert remote.class_names == sorted(pipeline.classes_) == LABELS
    np.testing.assert_allclose(proba, pipeline.predict_proba(TEXTS), rtol=0, atol=1e-12)
    assert remote.requests_sent == math.ceil(len(TEXTS) / 3)
    assert isinstance(remote, TextClassifier)


def test_given_class_order_is_respected(local_server, pipeline, sleeps):
    order = ["tech", "food", "sports"]
    remote = make_remote(local_server.url + "/models/tiny", sleeps, class_names=order)
    proba = remote.predict_proba(TEXTS[:4])
    expected = pipeline.predict_proba(TEXTS[:4])[:, [list(pipeline.classes_).index(c) for c in order]]
    np.testing.assert_allclose(proba, expected, rtol=0, atol=1e-12)
    assert remote.name == "tiny"


def test_test_connection_against_real_server(local_server, sleeps):
    remote = make_remote(local_server.url, sleeps)
    before = local_server.requests_handled
    report = remote.test_connection()
    assert isinstance(report, ConnectionReport)
    assert report.ok and report.class_names == LABELS and report.latency_ms is not None and report.latency_ms >= 0
    # with a token, one more probe without it: this server checks tokens (401), so there is nothing to note
    assert local_server.requests_handled == before + 2
    assert report.token_checked is None
    assert remote.requests_sent == 0  # a connection test is not part of an explanation's budget


def test_wrong_token_against_real_server(local_server, sleeps):
    remote = make_remote(local_server.url, sleeps, token="hf_wrong_token_value")
    with pytest.raises(RemoteAuthError, match=r"token rejected.*LIME_API_TOKEN") as info:
        remote.predict_proba(["hello"])
    assert "hf_wrong_token_value" not in str(info.value)


def test_missing_token_against_real_server(local_server, sleeps, monkeypatch):
    monkeypatch.delenv("LIME_API_TOKEN", raising=False)
    remote = RemoteClassifier(local_server.url, sleep=sleeps.append)
    assert not remote.has_token
    with pytest.raises(RemoteAuthError, match="needs a token"):
        remote.predict_proba(["hello"])


def test_unknown_model_path_is_a_clear_404(local_server, sleeps):
    remote = make_remote(local_server.url + "/models/nope", sleeps)
    with pytest.raises(RemoteModelError, match="no model at this URL"):
        remote.predict_proba(["hello"])


def test_budget_blocks_before_any_request_on_real_server(local_server, sleeps):
    remote = make_remote(local_server.url, sleeps, batch_size=2, max_requests=3)
    before = local_server.requests_handled
    with pytest.raises(BudgetExceededError, match=r"7 texts need 4 requests.*allows 3"):
        remote.predict_proba(TEXTS)
    assert local_server.requests_handled == before


def test_explain_text_end_to_end_through_the_local_server(local_server, pipeline, sleeps):
    from lime_core import explain_text

    remote = make_remote(local_server.url, sleeps, batch_size=16, max_requests=40)
    remote_exp = explain_text("the striker scored a goal", remote, n_samples=300, random_state=0)
    local_exp = explain_text("the striker scored a goal", ClassifierAdapter(pipeline), n_samples=300, random_state=0)
    assert remote_exp.class_names == local_exp.class_names
    assert remote.requests_sent <= 40
    for remote_target, local_target in zip(remote_exp.targets, local_exp.targets, strict=True):
        assert remote_target.class_name == local_target.class_name
        assert [w.feature for w in remote_target.weights] == [w.feature for w in local_target.weights]
        np.testing.assert_allclose([w.weight for w in remote_target.weights], [w.weight for w in local_target.weights])


def test_budget_too_small_for_an_explanation_fails_before_sending(local_server, sleeps):
    from lime_core import explain_text

    remote = make_remote(local_server.url, sleeps, class_names=LABELS, batch_size=16, max_requests=5)
    before = local_server.requests_handled
    with pytest.raises(BudgetExceededError, match="allows 5"):
        explain_text("the striker scored a goal against the keeper", remote, n_samples=1000, random_state=0)
    assert local_server.requests_handled == before


# --------------------------------------------------------------------------- batching, cache, budget


def test_batching_sends_ceil_n_over_batch_requests(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, batch_size=8, class_names=LABELS)
    texts = [f"text number {i} about food" for i in range(37)]
    proba = remote.predict_proba(texts)
    assert scripted.request_count == math.ceil(37 / 8) == remote.requests_sent
    assert [len(r.inputs) for r in scripted.requests] == [8, 8, 8, 8, 5]
    assert [t for r in scripted.requests for t in r.inputs] == texts
    np.testing.assert_allclose(proba, keyword_proba(texts, LABELS))


def test_repeated_texts_cost_no_requests(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, batch_size=4, class_names=LABELS)
    texts = ["a", "b", "a", "c", "b", "a"]
    first = remote.predict_proba(texts)
    assert scripted.request_count == 1 and scripted.requests[0].inputs == ["a", "b", "c"]
    again = remote.predict_proba(list(reversed(texts)))
    assert scripted.request_count == 1
    np.testing.assert_array_equal(again, first[::-1])
    remote.predict_proba(["a", "d"])
    assert scripted.request_count == 2 and scripted.requests[1].inputs == ["d"]
    assert remote.requests_needed(["a", "b", "e", "f"]) == 1


def test_budget_is_checked_before_sending(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, batch_size=4, max_requests=2, class_names=LABELS)
    assert remote.requests_needed(9) == 3
    with pytest.raises(BudgetExceededError) as info:
        remote.check_budget(9)
    message = str(info.value)
    assert "3 requests" in message and "allows 2" in message
    with pytest.raises(BudgetExceededError):
        remote.predict_proba([f"t{i}" for i in range(9)])
    assert scripted.request_count == 0
    assert remote.check_budget(8) == 2


def test_budget_counts_per_explanation_until_reset(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, batch_size=2, max_requests=2, class_names=LABELS)
    remote.predict_proba(["a", "b", "c", "d"])
    assert remote.requests_sent == 2
    with pytest.raises(BudgetExceededError, match="2 already sent"):
        remote.predict_proba(["e"])
    assert scripted.request_count == 2
    remote.reset_budget()
    remote.predict_proba(["e"])
    assert scripted.request_count == 3


def test_retries_count_against_the_budget(scripted, sleeps):
    scripted.add(Canned(500, {"error": "boom"}), Canned(500, {"error": "boom"}))
    remote = make_remote(scripted.url, sleeps, max_requests=2, max_retries=5, class_names=LABELS)
    with pytest.raises(BudgetExceededError, match="ran out"):
        remote.predict_proba(["a"])
    assert scripted.request_count == 2


def test_no_partial_matrix_when_a_batch_fails(scripted, sleeps):
    scripted.add(hf_responder(LABELS), Canned(500, {"error": "boom"}))
    remote = make_remote(scripted.url, sleeps, batch_size=2, max_retries=0, class_names=LABELS)
    with pytest.raises(RemoteModelError, match="HTTP 500"):
        remote.predict_proba(["a", "b", "c"])
    # the batch that succeeded was paid for and is cached; only the failed one is sent again
    scripted.default = hf_responder(LABELS)
    remote.predict_proba(["a", "b", "c"])
    assert scripted.requests[-1].inputs == ["c"]


# --------------------------------------------------------------------------- the token


def test_token_is_sent_as_bearer_and_never_shown(scripted, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps)
    remote.predict_proba(["hello there"])
    assert scripted.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert_no_token(repr(remote), str(remote), remote.cache_key, remote.name, str(vars(remote)), caplog.text)
    assert TOKEN.encode() not in pickle.dumps(remote)


def test_token_from_environment(scripted, sleeps, monkeypatch):
    monkeypatch.setenv("LIME_API_TOKEN", TOKEN)
    scripted.default = hf_responder(LABELS)
    remote = RemoteClassifier(scripted.url, sleep=sleeps.append)
    remote.predict_proba(["x"])
    assert scripted.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    copy = pickle.loads(pickle.dumps(remote))  # the copy re-reads the token from the environment
    assert copy.has_token and copy.class_names == LABELS


def test_token_echoed_by_server_is_redacted(scripted, sleeps, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.add(Canned(401, {"error": f"Authorization header is invalid: Bearer {TOKEN} is not a valid token"}))
    remote = make_remote(scripted.url, sleeps)
    with pytest.raises(RemoteAuthError) as info:
        remote.predict_proba(["hello"])
    message = str(info.value)
    assert "token rejected" in message and "LIME_API_TOKEN" in message
    assert scripted.request_count == 1  # 401 is not retried
    assert_no_token(message, "".join(traceback.format_exception(info.value)), caplog.text)


def test_403_is_an_auth_error(scripted, sleeps):
    scripted.add(Canned(403, {"error": f"token {TOKEN} has no access to this model"}))
    with pytest.raises(RemoteAuthError) as info:
        make_remote(scripted.url, sleeps).predict_proba(["hello"])
    assert "HTTP 403" in str(info.value)
    assert_no_token(str(info.value))


def test_5xx_body_echoing_token_is_redacted(scripted, sleeps):
    scripted.add(Canned(500, f"internal error while handling header Authorization: Bearer {TOKEN}"))
    with pytest.raises(RemoteModelError) as info:
        make_remote(scripted.url, sleeps, max_retries=0).predict_proba(["hello"])
    assert "HTTP 500" in str(info.value)
    assert_no_token(str(info.value))


def test_plain_http_to_a_remote_host_with_a_token_is_refused():
    with pytest.raises(RemoteModelError, match="https"):
        RemoteClassifier("http://api.example.com/models/x", token=TOKEN)
    RemoteClassifier("https://api.example.com/models/x", token=TOKEN)  # fine: nothing is sent yet


def test_cache_key_and_name_hold_no_query_secrets():
    remote = RemoteClassifier(
        "https://user:pw@api.example.com/models/org/model?api_key=QUERYSECRET", token=TOKEN, class_names=["neg", "pos"]
    )
    assert remote.cache_key == "remote:https://api.example.com/models/org/model|hf-inference|neg,pos"
    assert model_identity(remote) == remote.cache_key
    assert remote.name == "org/model"
    for text in (remote.cache_key, repr(remote), remote.url):
        assert "QUERYSECRET" not in text and "pw" not in text


def test_cache_key_learns_the_labels_once(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url + "/?key=QUERYSECRET", sleeps)
    assert remote.cache_key == f"remote:{scripted.url}/|hf-inference|food,sports,tech"
    assert model_identity(remote) == remote.cache_key
    assert scripted.request_count == 1


# --------------------------------------------------------------------------- retries


def test_503_model_loading_waits_estimated_time(scripted, sleeps):
    scripted.add(
        Canned(503, {"error": "Model org/x is currently loading", "estimated_time": 20.0}), hf_responder(LABELS)
    )
    proba = make_remote(scripted.url, sleeps).predict_proba(["food food"])
    assert sleeps == [20.0]
    assert scripted.request_count == 2
    np.testing.assert_allclose(proba, keyword_proba(["food food"], LABELS))


def test_estimated_time_is_capped_by_max_wait(scripted, sleeps):
    scripted.add(Canned(503, {"error": "Model is currently loading", "estimated_time": 600}), hf_responder(LABELS))
    make_remote(scripted.url, sleeps, max_wait=12.0).predict_proba(["x"])
    assert sleeps == [12.0]


def test_429_honours_retry_after(scripted, sleeps):
    scripted.add(Canned(429, {"error": "rate limited"}, headers={"Retry-After": "7"}), hf_responder(LABELS))
    make_remote(scripted.url, sleeps).predict_proba(["x"])
    assert sleeps == [7.0]


def test_repeated_500_gives_up_after_max_retries(scripted, sleeps):
    scripted.default = lambda request: Canned(500, {"error": "internal failure"})
    remote = make_remote(scripted.url, sleeps, max_retries=3, backoff_base=0.5)
    with pytest.raises(RemoteModelError, match=r"HTTP 500\) after 4 attempts: internal failure"):
        remote.predict_proba(["x"])
    assert scripted.request_count == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_still_loading_after_retries_says_so(scripted, sleeps):
    scripted.default = lambda request: Canned(503, {"error": "Model is currently loading", "estimated_time": 1.0})
    with pytest.raises(RemoteModelError, match="still loading after 2 attempts"):
        make_remote(scripted.url, sleeps, max_retries=1).predict_proba(["x"])


def test_other_4xx_is_not_retried(scripted, sleeps):
    scripted.add(Canned(422, {"error": "inputs too long"}))
    with pytest.raises(RemoteModelError, match=r"rejected the request \(HTTP 422\): inputs too long"):
        make_remote(scripted.url, sleeps).predict_proba(["x"])
    assert scripted.request_count == 1 and sleeps == []


def test_redirects_are_not_followed(scripted, sleeps):
    scripted.add(Canned(302, b"", headers={"Location": "http://127.0.0.1:1/elsewhere"}))
    with pytest.raises(RemoteModelError, match="redirects"):
        make_remote(scripted.url, sleeps).predict_proba(["x"])


# --------------------------------------------------------------------------- bad answers


def test_garbage_answer_is_malformed_json(scripted, sleeps):
    scripted.add(Canned(200, b"<html>proxy error</html>"))
    with pytest.raises(RemoteModelError, match="not valid JSON"):
        make_remote(scripted.url, sleeps).predict_proba(["x"])


def test_non_finite_score_is_rejected(scripted, sleeps):
    scripted.add(Canned(200, b'[[{"label": "food", "score": NaN}, {"label": "tech", "score": 0.5}]]'))
    with pytest.raises(RemoteModelError, match="non-finite"):
        make_remote(scripted.url, sleeps).predict_proba(["x"])


def test_shuffled_label_order_is_aligned_by_name(scripted, sleeps):
    scripted.default = hf_responder(LABELS, order="shuffled", seed=3)
    texts = ["food food tech", "sports", "tech tech tech food", "nothing"]
    remote = make_remote(scripted.url, sleeps)
    np.testing.assert_allclose(remote.predict_proba(texts), keyword_proba(texts, LABELS))
    assert remote.class_names == LABELS


def test_changed_label_set_is_an_error(scripted, sleeps):
    scripted.add(hf_responder(LABELS), hf_responder(LABELS, label_map={"tech": "technology"}))
    remote = make_remote(scripted.url, sleeps)
    remote.predict_proba(["first"])
    with pytest.raises(RemoteModelError, match=r"label set changed: missing 'tech'; unexpected 'technology'"):
        remote.predict_proba(["second"])


def test_given_class_names_must_match_the_server(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, class_names=["neg", "pos"])
    with pytest.raises(RemoteModelError, match="label set changed"):
        remote.predict_proba(["x"])


def test_wrong_number_of_results(scripted, sleeps):
    scripted.add(hf_responder(LABELS, drop=1), hf_responder(LABELS, extra=2))
    remote = make_remote(scripted.url, sleeps, class_names=LABELS)
    with pytest.raises(RemoteModelError, match="returned 3 results for 4 texts"):
        remote.predict_proba(["a", "b", "c", "d"])
    with pytest.raises(RemoteModelError, match="returned 4 results for 2 texts"):
        remote.predict_proba(["a", "b"])


def test_flat_list_for_a_single_input_is_accepted(scripted, sleeps):
    scripted.add(Canned(200, [{"label": "pos", "score": 0.75}, {"label": "neg", "score": 0.25}]))
    remote = make_remote(scripted.url, sleeps)
    np.testing.assert_allclose(remote.predict_proba(["great"]), [[0.25, 0.75]])
    assert remote.class_names == ["neg", "pos"]


def test_top_label_only_answers_are_explained(scripted, sleeps):
    scripted.add(Canned(200, [{"label": "pos", "score": 0.9}, {"label": "neg", "score": 0.8}]))
    with pytest.raises(RemoteModelError, match=r"one label per text.*top_k"):
        make_remote(scripted.url, sleeps).predict_proba(["good", "bad"])


def test_error_object_with_status_200(scripted, sleeps):
    scripted.add(Canned(200, {"error": "Input is too long for this model"}))
    with pytest.raises(RemoteModelError, match="too long"):
        make_remote(scripted.url, sleeps).predict_proba(["x"])


def test_top_k_parameter_is_sent_when_asked(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    make_remote(scripted.url, sleeps, response_format=HFInferenceFormat(top_k=3)).predict_proba(["x"])
    assert scripted.requests[0].json() == {"inputs": ["x"], "parameters": {"top_k": 3}}


# --------------------------------------------------------------------------- network failures


def test_silent_server_times_out(scripted, sleeps):
    scripted.add(Canned(200, [], delay=3.0))
    remote = make_remote(scripted.url, sleeps, read_timeout=0.2)
    with pytest.raises(RemoteModelError, match=r"did not answer within 0.2 s"):
        remote.predict_proba(["x"])
    assert scripted.request_count == 1  # a time-out is not retried: the work may have been done and billed


def test_unreachable_host(sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    remote = make_remote(f"http://127.0.0.1:{port}", sleeps)
    with pytest.raises(RemoteModelError, match=r"cannot reach .*connection refused"):
        remote.predict_proba(["x"])
    report = remote.test_connection()
    assert not report.ok and "cannot reach" in report.message


# --------------------------------------------------------------------------- discovery and connection test


def test_class_names_property_discovers_with_one_request(scripted, sleeps):
    scripted.default = hf_responder(["LABEL_10", "LABEL_2", "LABEL_1"])
    remote = make_remote(scripted.url, sleeps)
    assert remote.class_names == ["LABEL_1", "LABEL_2", "LABEL_10"]
    assert remote.class_names == ["LABEL_1", "LABEL_2", "LABEL_10"]
    assert scripted.request_count == 1


def test_test_connection_sends_exactly_one_request(scripted, sleeps):
    scripted.add(Canned(503, {"error": "Model is currently loading", "estimated_time": 5.0}), hf_responder(LABELS))
    remote = make_remote(scripted.url, sleeps)
    report = remote.test_connection()
    assert not report.ok and "loading" in report.message and scripted.request_count == 1 and sleeps == []
    report = remote.test_connection()
    # the token was sent and the server answered; the probe without the token (script exhausted: 500) failed
    assert report.ok and report.class_names == LABELS and scripted.request_count == 3
    assert report.token_checked is None


def test_test_connection_notes_a_server_that_does_not_check_tokens(scripted, sleeps, monkeypatch):
    scripted.default = hf_responder(LABELS)
    report = make_remote(scripted.url, sleeps).test_connection()
    assert report.ok and report.token_checked is False
    assert scripted.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in scripted.requests[1].headers
    monkeypatch.delenv("LIME_API_TOKEN", raising=False)
    no_token = RemoteClassifier(scripted.url, sleep=sleeps.append).test_connection()
    assert no_token.ok and no_token.token_checked is None and scripted.request_count == 3


def test_test_connection_reports_auth_failure_without_token(scripted, sleeps):
    scripted.add(Canned(401, {"error": f"bad token {TOKEN}"}))
    report = make_remote(scripted.url, sleeps).test_connection()
    assert not report.ok and "token rejected" in report.message
    assert_no_token(report.message, repr(report))


# --------------------------------------------------------------------------- the format protocol


class _PositionalFormat:
    """A second wire format: ``{"texts": [...]}`` -> ``{"probabilities": [[...]]}`` in a fixed label order."""

    name = "positional"

    def __init__(self, labels):
        self.labels = labels

    def encode(self, texts):
        return {"texts": list(texts)}

    def decode(self, payload, n_texts):
        return [dict(zip(self.labels, row, strict=True)) for row in payload["probabilities"]]


def test_a_custom_format_plugs_in(scripted, sleeps):
    fmt = _PositionalFormat(["pos", "neg"])
    assert isinstance(fmt, ResponseFormat)
    scripted.add(Canned(200, {"probabilities": [[0.9, 0.1], [0.3, 0.7]]}))
    remote = make_remote(scripted.url, sleeps, response_format=fmt)
    np.testing.assert_allclose(remote.predict_proba(["a", "b"]), [[0.1, 0.9], [0.7, 0.3]])
    assert scripted.requests[0].json() == {"texts": ["a", "b"]}
    assert "|positional|" in remote.cache_key


def test_a_custom_format_that_cannot_read_the_answer_gives_a_remote_error(scripted, sleeps):
    scripted.add(Canned(200, {"unexpected": True}))
    remote = make_remote(scripted.url, sleeps, response_format=_PositionalFormat(["pos", "neg"]))
    with pytest.raises(RemoteModelError, match=r"does not match the positional format \(KeyError\)"):
        remote.predict_proba(["a"])


def test_a_call_larger_than_the_cache_returns_every_row(scripted, sleeps):
    scripted.default = hf_responder(LABELS)
    remote = make_remote(scripted.url, sleeps, batch_size=4, max_cache_entries=3, class_names=LABELS)
    texts = [f"food {i}" for i in range(10)]
    np.testing.assert_allclose(remote.predict_proba(texts), keyword_proba(texts, LABELS))
    assert scripted.request_count == 3


@given(st.lists(st.text(min_size=1, max_size=6), min_size=2, max_size=6, unique=True), st.randoms())
def test_align_scores_follows_class_order_whatever_the_row_order(labels, rnd):
    scores = {label: float(i) for i, label in enumerate(labels)}
    items = list(scores.items())
    rnd.shuffle(items)
    order = sorted(labels, key=label_sort_key)
    row = align_scores([dict(items)], order)
    assert row.tolist() == [[scores[label] for label in order]]
