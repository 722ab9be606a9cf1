"""The Compare page while its pair computes, in Chromium: each side's rounds drawn in place, marked preliminary,
beside the other side; the finished pair replaces them; one Stop keeps what is on screen.

The slow model is the sentiment stand-in (a real transformer; the Compare page explains bundled models only, which
cannot be slowed down): on this 2-core machine a review of 20-40 words takes 5-40 s in 2-4 rounds, its first round
drawn after 1-10 s (a review of 900 characters took 90 s to its first round at load 10: too slow to wait for). The
texts are this file's own, so no answer is in the server's prediction cache from another test. Every read of a final
state waits for it explicitly: the live view gone, the finished pair's own container there, the run over (the page
is never read while a run may still redraw it).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import WAIT, go, main_area, open_app, paste_text, wait_idle
from tests.e2e.test_demo_ready import choose
from tests.e2e.test_live_rounds import PRELIMINARY, running
from ui.compare import LIVE_SIDE, STOP_LABEL

pytestmark = pytest.mark.e2e

SENTIMENT = re.compile("Review sentiment")
LIVE = "[class*='st-key-lc-stack-compare-live']"  # the pair's live view (ui.compare.live_view)
FINAL = "[class*='st-key-lc-stack-compare-sides']"  # the finished (or kept) pair (ui.compare.show_pair)
LEFT, RIGHT = (f"[class*='st-key-{LIVE_SIDE}-{side}-']" for side in ("left", "right"))  # each side in the live view
VERDICT = re.compile(r"^(Trustworthy|Check it|Do not trust)\.")  # a verdict box's first words
SHORT_LEFT = (
    "The waiter forgot our drinks twice, the pasta arrived cold and salty, and the bill had a dish we never ordered."
)
SHORT_RIGHT = (
    "Lovely little place: the bread was warm, the soup tasted of real tomatoes and the staff smiled all evening long."
)
MEDIUM_RIGHT = (
    "The room was smaller than promised and the window faced a wall, but breakfast was the best part: fresh fruit, "
    "good coffee and eggs cooked to order. The pool was closed all week and nobody told us."
)


def open_compare_on_sentiment(page: Page, app_url: str, left: str, right: str) -> None:
    open_app(page, app_url)
    go(page, "Compare", "Compare two explanations")
    choose(page, "Model for both texts", SENTIMENT)
    paste_text(page, left, label="Left text")
    paste_text(page, right, label="Right text")
    wait_idle(page)


def wait_final(page: Page) -> None:
    """Until the pair on screen is the finished (or kept) one: the live view gone, the run over, the pair drawn."""
    main = main_area(page)
    expect(main.locator(LIVE)).to_have_count(0, timeout=WAIT)
    expect(main.locator(FINAL)).to_have_count(1, timeout=WAIT)
    wait_idle(page)
    expect(main.locator(LIVE)).to_have_count(0)
    expect(main.locator(PRELIMINARY)).to_have_count(0)
    expect(main.locator(FINAL)).to_have_count(1)


def test_each_side_is_drawn_marked_preliminary_before_the_finished_pair(page: Page, app_url: str) -> None:
    open_compare_on_sentiment(page, app_url, SHORT_LEFT, SHORT_RIGHT)
    main = main_area(page)
    page.get_by_role("button", name="Explain both").click()

    left, right = main.locator(LEFT), main.locator(RIGHT)
    left_round = left.locator(PRELIMINARY)
    expect(left_round).to_be_visible(timeout=WAIT)  # the left side's first round, while it computes
    assert running(page)
    expect(left_round).to_contain_text("Preliminary result")
    expect(left_round).to_contain_text("Error bars")  # with its intervals, as on the Explain page
    expect(left_round.locator(".lc-highlight")).to_have_text(SHORT_LEFT)
    expect(right).to_contain_text("Waiting")  # the right side's turn comes next
    expect(left_round.get_by_text(VERDICT)).to_have_count(0)  # no verdict before its checks ran
    expect(main.get_by_role("button", name=STOP_LABEL)).to_be_visible()

    right_round = right.locator(PRELIMINARY)
    expect(right_round).to_be_visible(timeout=WAIT)  # then the right side's rounds, beside the finished left side
    expect(right_round.locator(".lc-highlight")).to_have_text(SHORT_RIGHT)
    expect(left).to_contain_text("Finished")
    expect(left.locator(PRELIMINARY)).to_have_count(0)

    wait_final(page)
    final = main.locator(FINAL)
    highlights = final.locator(".lc-highlight")
    expect(highlights).to_have_count(2)
    expect(highlights.nth(0)).to_have_text(SHORT_LEFT)
    expect(highlights.nth(1)).to_have_text(SHORT_RIGHT)
    for side in ("Left", "Right"):  # both finished: no mark
        expect(final.get_by_role("heading", name=side, exact=True)).to_be_visible()
    expect(main.get_by_text(re.compile("stopped early"))).to_have_count(0)
    expect(final.get_by_text(VERDICT).first).to_be_visible()  # the verdicts, now that the checks ran
    legends = final.locator(".lime-legend")  # one colour scale for both sides
    expect(legends).to_have_count(2)
    assert legends.nth(0).inner_text() == legends.nth(1).inner_text()
    expect(main.get_by_role("button", name=STOP_LABEL)).to_have_count(0)


def test_stop_keeps_the_finished_side_and_the_running_sides_latest_round(page: Page, app_url: str) -> None:
    open_compare_on_sentiment(page, app_url, SHORT_LEFT.replace("twice", "three times"), MEDIUM_RIGHT)
    main = main_area(page)
    page.get_by_role("button", name="Explain both").click()

    expect(main.locator(RIGHT).locator(PRELIMINARY)).to_be_visible(timeout=WAIT)  # the right side's first round
    assert running(page)
    main.get_by_role("button", name=STOP_LABEL).click()

    wait_final(page)
    final = main.locator(FINAL)
    expect(final.get_by_role("heading", name="Left", exact=True)).to_be_visible()  # finished: kept as it was
    expect(final.get_by_role("heading", name="Right (stopped early)", exact=True)).to_be_visible()
    expect(main.get_by_text("The comparison was stopped early.", exact=False)).to_be_visible()
    expect(final.get_by_text("stopped early on request", exact=False).first).to_be_visible()  # its results line
    highlights = final.locator(".lc-highlight")
    expect(highlights).to_have_count(2)
    expect(highlights.nth(1)).to_have_text(MEDIUM_RIGHT)
    legends = final.locator(".lime-legend")
    assert legends.nth(0).inner_text() == legends.nth(1).inner_text()  # the scale of what is shown, on both sides
    expect(main.get_by_role("heading", name="Words in both texts")).to_be_visible()
    expect(main.get_by_text("was stopped when you left this page")).to_have_count(0)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
