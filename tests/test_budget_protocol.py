"""The declared budget protocol: the black box resets and checks a budget only where a classifier declares one.

The remote model is tested against a real HTTP server on 127.0.0.1; a
custom classifier declares the protocol by inheriting from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from lime_core import explain_text
from lime_core.classifier import (
    BatchedClassifier,
    BudgetedClassifier,
    BudgetLimited,
    ClassifierAdapter,
    as_classifier,
)
from lime_core.errors import BudgetExceededError
from lime_core.models.remote import RemoteClassifier
from lime_core.predictor import BlackBox
from tests.blackboxes import SENTIMENT_BIAS, SENTIMENT_COEFS, LogisticWordModel, sentiment_model
from tests.http_fixtures import ScriptedServer, hf_responder, keyword_proba

LABELS = ["food", "sports", "tech"]
TEXT = "the striker scored a goal before the food came"


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def server():
    with ScriptedServer(default=hf_responder(LABELS)) as scripted:
        yield scripted


def remote_model(url: str, **options) -> RemoteClassifier:
    return RemoteClassifier(url, sleep=lambda _s: None, connect_timeout=2.0, read_timeout=5.0, **options)


class MeteredModel(LogisticWordModel, BudgetedClassifier):
    """A local model that charges per text and declares the per-explanation budget protocol."""

    def __init__(self, max_texts: int) -> None:
        super().__init__(SENTIMENT_COEFS, bias=SENTIMENT_BIAS)
        self.max_texts = max_texts
        self.spent = 0
        self.resets = 0
        self.checked: list[list[str]] = []

    def reset_budget(self) -> None:
        self.resets += 1
        self.spent = 0

    def check_budget(self, texts: Sequence[str]) -> int:
        self.checked.append(list(texts))
        if self.spent + len(texts) > self.max_texts:
            raise BudgetExceededError(f"{len(texts)} texts but {self.max_texts - self.spent} are left")
        return len(texts)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        self.spent += len(texts)
        return super().predict_proba(texts)


def test_the_remote_model_declares_the_protocol_without_sending_anything(server: ScriptedServer) -> None:
    remote = remote_model(server.url)  # labels unknown: reading class_names would send a probe
    assert isinstance(remote, BudgetedClassifier) and isinstance(remote, BudgetLimited)
    assert isinstance(remote, BatchedClassifier)
    assert server.request_count == 0


def test_the_label_probe_is_sent_inside_the_explanation_budget(server: ScriptedServer) -> None:
    remote = remote_model(server.url, batch_size=50, max_requests=5)  # labels unknown: one probe to learn them
    assert as_classifier(remote) is remote
    assert server.request_count == 0  # recognising the model as a classifier reads nothing
    explanation = explain_text(TEXT, remote, n_samples=200, random_state=0)
    assert explanation.class_names == tuple(LABELS)
    assert remote.requests_sent == server.request_count  # the probe counted in this explanation's budget


def test_a_black_box_resets_the_remote_budget_and_refuses_before_sending(server: ScriptedServer) -> None:
    remote = remote_model(server.url, class_names=LABELS, batch_size=4, max_requests=3)
    remote.predict_proba(["one", "two", "three", "four", "five"])
    assert remote.requests_sent == 2
    box = BlackBox(remote)  # a new explanation
    assert remote.requests_sent == 0 and box.budget is remote
    sent_before = server.request_count
    with pytest.raises(BudgetExceededError, match="allows 3 per explanation"):
        box.predict([f"text {i}" for i in range(13)])  # 13 new texts: 4 requests
    assert server.request_count == sent_before


def test_the_black_box_pays_only_for_texts_it_has_not_seen(server: ScriptedServer) -> None:
    remote = remote_model(server.url, class_names=LABELS, batch_size=4, max_requests=3)
    box = BlackBox(remote)
    texts = [f"sports text {i}" for i in range(12)]
    pred = box.predict(texts)
    assert remote.requests_sent == math.ceil(12 / 4) == server.request_count
    np.testing.assert_allclose(pred.proba, keyword_proba(texts, LABELS))
    again = box.predict(list(reversed(texts)))  # all in the black box's cache: no check, no request
    assert again.n_model_calls == 0 and server.request_count == 3


def test_an_explanation_through_the_remote_budget(server: ScriptedServer) -> None:
    remote = remote_model(server.url, class_names=LABELS, batch_size=50, max_requests=1)
    with pytest.raises(BudgetExceededError):
        explain_text(TEXT, remote, n_samples=200, random_state=0)
    assert server.request_count == 0
    roomy = remote_model(server.url, class_names=LABELS, batch_size=50, max_requests=10)
    explanation = explain_text(TEXT, roomy, n_samples=200, random_state=0)
    assert explanation.targets and 0 < roomy.requests_sent <= 10


def test_a_custom_classifier_that_declares_the_protocol() -> None:
    model = MeteredModel(max_texts=3)
    assert isinstance(model, BudgetedClassifier)
    box = BlackBox(model)
    assert model.resets == 1
    box.predict(["good", "bad", "good"])
    assert model.checked == [["good", "bad"]]
    with pytest.raises(BudgetExceededError, match="2 texts but 1 are left"):
        box.predict(["fine", "awful", "good"])
    assert model.spent == 2  # nothing was sent for the refused call
    BlackBox(model, cache=box.cache).predict(["fine", "awful"])
    assert model.resets == 2 and model.spent == 2


def test_a_custom_budget_refuses_an_explanation_before_any_prediction() -> None:
    model = MeteredModel(max_texts=10)
    with pytest.raises(BudgetExceededError):
        explain_text("a good film with a bad ending", model, n_samples=100, random_state=0)
    assert model.spent == 0 and model.n_calls == 0


def test_a_classifier_without_a_budget_is_not_asked_about_one() -> None:
    model = sentiment_model()
    assert not isinstance(model, BudgetLimited)
    box = BlackBox(ClassifierAdapter(model))
    assert box.budget is None
    assert box.predict(["good", "bad"]).n_model_calls == 2


def test_a_lifetime_cap_is_checked_but_never_reset() -> None:
    class Capped(LogisticWordModel):
        def __init__(self) -> None:
            super().__init__(SENTIMENT_COEFS, bias=SENTIMENT_BIAS)
            self.asked: list[int] = []

        def check_budget(self, texts: Sequence[str]) -> int:
            self.asked.append(len(texts))
            return len(texts)

    model = Capped()
    assert isinstance(model, BudgetLimited) and not isinstance(model, BudgetedClassifier)
    BlackBox(model).predict(["good", "bad", "good"])
    assert model.asked == [2]
