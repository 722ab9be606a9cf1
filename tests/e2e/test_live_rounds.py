"""Results while they compute, in Chromium: a slow model's rounds drawn in place, marked, and Stop keeps one.

The model is a real HTTP server on 127.0.0.1 that answers a noisy word model (several rounds of automatic sampling)
and sleeps before every answer, on the Remote API page (the Explain page's bundled models cannot be slowed down;
both pages draw their rounds with ui.live). The Local model page draws them too: there the sentiment stand-in's first
round takes long enough for its first look to be seen.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import go, main_area, open_app, open_remote_api, paste_text, wait_idle
from tests.e2e.test_demo_ready import choose
from tests.http_fixtures import Canned, RecordedRequest, ScriptedServer, hf_rows
from tests.test_trust_adaptive import HARD_COEFS
from tests.test_trust_uncertainty import REVIEW_TEXT, NoisyLogisticModel

pytestmark = pytest.mark.e2e

WAIT = 90_000
SECOND_TEXT = "The cast was fine and the music was good, but the story was bad and the pace was slow and long."
PRELIMINARY = "[class*='st-key-lc-preliminary']"
SHORT_REVIEW = "The soup was bland and the bread was stale."  # a first round of 200 samples, a first look at 64
VERDICT_HEADING = "Can you trust this explanation?"


class SlowNoisyReviews:
    """Answers the noisy review model (HF format) after ``delay`` seconds per request."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.model = NoisyLogisticModel(HARD_COEFS, 1.0)

    def __call__(self, request: RecordedRequest) -> Canned:
        texts = request.inputs
        return Canned(200, hf_rows(texts, self.model._proba(texts), self.model.class_names), delay=self.delay)


def start_run(page: Page, text: str) -> None:
    paste_text(page, text)
    page.get_by_role("button", name="Explain", exact=True).click()


def running(page: Page) -> bool:
    return page.locator("[data-testid='stApp'][data-test-script-state='running']").count() == 1


def test_rounds_are_shown_marked_then_replaced_and_stop_keeps_one(page: Page, app_url: str) -> None:
    slow = SlowNoisyReviews(delay=0.3)
    with ScriptedServer(default=slow) as server:
        open_app(page, app_url)
        open_remote_api(page, server.url)
        wait_idle(page)
        main = main_area(page)

        # A first run to its end: the first round appears, marked, while the run goes on; the final result replaces it.
        start_run(page, REVIEW_TEXT)
        preliminary = main.locator(PRELIMINARY)
        expect(preliminary).to_be_visible(timeout=WAIT)
        assert running(page)
        expect(preliminary).to_contain_text("Preliminary result")
        # First a first look, fitted on the first round's first answers, before the rest of the round is answered.
        expect(preliminary).to_contain_text("first look, part of round 1")
        expect(preliminary).to_contain_text("round 1:", timeout=WAIT)
        expect(preliminary).to_contain_text("Error bars")  # the intervals are drawn with it
        expect(preliminary.locator(".lc-highlight")).to_be_visible()
        expect(main.get_by_text(VERDICT_HEADING)).to_have_count(0)  # no verdict before its checks ran
        expect(page.get_by_role("button", name="Stop and keep this result")).to_be_visible()
        wait_idle(page)
        expect(preliminary).to_have_count(0)
        expect(main.get_by_text(VERDICT_HEADING)).to_be_visible()
        expect(main.get_by_text("stopped early")).to_have_count(0)
        expect(main.locator(".lc-highlight").first).to_have_text(REVIEW_TEXT)

        # A second run over that result: nothing of the older result beside its rounds, and Stop keeps a round.
        slow.delay = 0.6
        start_run(page, SECOND_TEXT)
        expect(preliminary).to_be_visible(timeout=WAIT)
        assert running(page)
        expect(main.get_by_text(VERDICT_HEADING)).to_have_count(0)
        expect(main.locator(".lc-highlight")).to_have_count(1)  # the round's text only
        expect(main.locator(".lc-highlight").first).to_have_text(SECOND_TEXT)
        stale = page.locator("[data-stale='true']")  # elements of the run before, not drawn again yet
        expect(stale.filter(has_text=re.compile(r"\S"))).to_have_count(0)  # no text of the older result left
        expect(stale.locator("[data-testid='stVegaLiteChart']")).to_have_count(0)  # nor any chart of it
        page.get_by_role("button", name="Stop and keep this result").click()
        wait_idle(page)
        expect(preliminary).to_have_count(0)
        expect(main.locator(".lc-highlight").first).to_have_text(SECOND_TEXT)
        expect(main.get_by_text(VERDICT_HEADING)).to_be_visible()
        expect(main.get_by_text("stopped early on request", exact=False).first).to_be_visible()  # the results line
        expect(main.get_by_text("was stopped early after", exact=False).first).to_be_attached()  # the verdict's check
        expect(main.get_by_text("was stopped when you left this page")).to_have_count(0)


def test_the_local_model_page_draws_its_rounds_in_place_too(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    choose(page, "Model", re.compile("Review sentiment"))
    go(page, "Local model", "The local model")
    main = main_area(page)
    paste_text(page, SHORT_REVIEW)
    page.get_by_role("button", name="Explain all classes", exact=True).click()
    preliminary = main.locator(PRELIMINARY)
    expect(preliminary).to_be_visible(timeout=WAIT)
    expect(preliminary).to_contain_text("Preliminary result")
    expect(preliminary.locator(".lc-highlight")).to_have_text(SHORT_REVIEW)
    expect(main.get_by_text("Weight of each word for each class")).to_have_count(0)  # no older or finished result
    wait_idle(page)
    expect(preliminary).to_have_count(0)
    expect(main.get_by_text("Weight of each word for each class")).to_be_visible()
    expect(main.get_by_text(re.compile("stopped early"))).to_have_count(0)
