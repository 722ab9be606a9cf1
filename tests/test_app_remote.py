"""The Remote API page's safety rules through AppTest: the URL allow-list, messages, the token.

The page makes the *server* send requests, so everything here is about what a
visitor can make it do. Name lookups for anything but loopback are refused in
this process for the whole module, so a rule that failed could not reach out.
"""

from __future__ import annotations

import re
import socket

import pytest

pytest.importorskip("streamlit")

from tests.http_fixtures import Canned, RawServer, ScriptedServer, hf_responder, http_head
from tests.reach import reachable, reachable_strings
from tests.test_app_pages import SECRET, app_env, errors, free_port, goto, press, start, visible_text  # noqa: F401

LABELS = ["food", "sports", "tech"]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise OSError(f"test: no lookups of {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


def infos(at) -> list[str]:
    return [i.value for i in at.info]


def test_a_url_outside_the_allow_list_is_refused_with_the_setting_named():
    at = goto(start(), "remote_api")
    at.text_input(key="remote.url").set_value("https://api.example.com/models/x").run()
    press(at, "Test connection")
    assert "LIME_REMOTE_ALLOW" in errors(at)[0] and "api.example.com is not in" in errors(at)[0]
    press(at, "Explain", key="remote.explain")
    assert "LIME_REMOTE_ALLOW" in errors(at)[-1]
    at.text_input(key="remote.url").set_value("http://127.0.0.1.evil.example/").run()
    press(at, "Explain", key="remote.explain")
    assert "127.0.0.1.evil.example is not in LIME_REMOTE_ALLOW" in errors(at)[-1]
    assert at.session_state["remote.result"] is None if "remote.result" in at.session_state else True


def test_an_operator_list_without_loopback_refuses_the_builtin_server(monkeypatch):
    monkeypatch.setenv("LIME_REMOTE_ALLOW", "api.example.com")
    at = goto(start(), "remote_api")
    press(at, "Test connection")
    assert "loopback addresses are not in LIME_REMOTE_ALLOW" in errors(at)[0]


def test_a_new_attempt_clears_the_old_messages():
    at = goto(start(), "remote_api")
    builtin = at.text_input(key="remote.url").value
    at.text_input(key="remote.url").set_value(f"http://127.0.0.1:{free_port()}/").run()
    press(at, "Explain", key="remote.explain")
    assert len(errors(at)) == 1 and "cannot reach" in errors(at)[0].lower()
    at.text_input(key="remote.url").set_value(builtin).run()
    press(at, "Test connection")
    assert at.success and errors(at) == []  # the failed explanation's message went
    at.text_input(key="remote.url").set_value(f"http://127.0.0.1:{free_port()}/").run()
    press(at, "Test connection")
    assert len(errors(at)) == 1
    at.text_input(key="remote.url").set_value(builtin).run()
    press(at, "Explain", key="remote.explain")
    assert errors(at) == [] and not at.success  # the failed test's message went too


def test_a_401_names_the_token_field_and_urls_keep_their_case():
    with ScriptedServer() as server:
        server.default = lambda request: Canned(401, {"error": "unauthorised"})
        at = goto(start(), "remote_api")
        at.text_input(key="remote.url").set_value(server.url + "/").run()
        press(at, "Test connection")
        assert "needs a token (HTTP 401): set the API token field (or LIME_API_TOKEN)" in errors(at)[0]
        at.text_input(key="remote.token").set_value(SECRET).run()
        press(at, "Explain", key="remote.explain")
        message = errors(at)[-1]
        assert "Token rejected" in message and "set the API token field (or LIME_API_TOKEN) to a valid token" in message
        assert SECRET not in visible_text(at)
        server.default = lambda request: Canned(302, b"", headers={"Location": "http://127.0.0.1:1/"})
        press(at, "Explain", key="remote.explain")
    assert "redirects" in errors(at)[-1]
    assert not re.search(r"Http(s)?://", visible_text(at))


def test_a_token_sent_to_a_server_that_does_not_check_tokens_gets_a_note():
    with ScriptedServer() as server:
        server.default = hf_responder(LABELS)
        at = goto(start(), "remote_api")
        at.text_input(key="remote.url").set_value(server.url + "/").run()
        at.text_input(key="remote.token").set_value(SECRET).run()
        press(at, "Test connection")
        assert "does not check tokens" in at.success[0].value
        assert "Authorization" in server.requests[0].headers and "Authorization" not in server.requests[1].headers
    at = goto(start(), "remote_api")  # the built-in server does not check tokens either
    at.text_input(key="remote.token").set_value(SECRET).run()
    press(at, "Explain", key="remote.explain")
    assert errors(at) == [] and any("does not check tokens" in i for i in infos(at))


def test_no_session_result_or_cache_holds_the_token():
    from ui import models

    at = goto(start(), "remote_api")
    at.text_input(key="remote.token").set_value(SECRET).run()
    press(at, "Explain", key="remote.explain")
    result = at.session_state["remote.result"]
    # The result keeps the fit as data and the connection settings: no classifier (and so no token reader).
    from lime_core.models.remote import RemoteClassifier

    assert result is not None and not [o for o in reachable(result) if isinstance(o, RemoteClassifier)]
    for root in (result, models.prediction_cache()):
        assert not [s for s in reachable_strings(root) if SECRET in s]


def test_a_later_faithfulness_check_builds_a_new_classifier_that_reads_the_token_then():
    labels = ["sport", "food", "tech"]
    with ScriptedServer(default=hf_responder(labels)) as server:
        at = goto(start(), "remote_api")
        at.text_input(key="remote.url").set_value(server.url + "/").run()
        at.text_input(key="remote.token").set_value(SECRET).run()
        at.text_area(key="remote.text").set_value("sport food and tech: the sport team ate food").run()
        press(at, "Explain", key="remote.explain")
        assert errors(at) == []
        result = at.session_state["remote.result"]
        other = next(c for c in result.class_names if c != result.predicted_class)
        at.selectbox(key="remote.class").set_value(other).run()
        assert result.explanation(other).faithfulness is None
        sent = server.request_count
        at.text_input(key="remote.token").set_value(SECRET + "-now").run()  # the field as it is at the check
        press(at, f"Check faithfulness for \u201c{other}\u201d")
        assert errors(at) == []
        later = server.requests[sent:]
        assert later and all(r.headers.get("Authorization") == f"Bearer {SECRET}-now" for r in later)
        assert result.explanation(other).faithfulness is not None
        assert not [s for s in reachable_strings(result) if SECRET in s]


def test_the_deadline_applies_on_the_page():
    def trickle(sock, stopping):
        sock.sendall(http_head(200, {"Content-Length": "100000"}))
        while not stopping.wait(0.05):
            sock.sendall(b" ")

    with RawServer(trickle) as server:
        at = goto(start(), "remote_api")
        at.text_input(key="remote.url").set_value(server.url + "/").run()
        at.number_input(key="remote.deadline").set_value(1).run()
        press(at, "Test connection")
    assert "did not send a complete answer within the deadline of 1 s" in errors(at)[0]
