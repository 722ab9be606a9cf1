"""A long document in the browser: 50,000 characters explained by sentences, then one sentence opened."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import WAIT, main_area, open_app, paste_text, wait_idle
from tests.e2e.test_live_rounds import PRELIMINARY

pytestmark = pytest.mark.e2e

MEDICAL = (
    "Patient {i} reported kidney pain after the stones moved, and doctor{i} prescribed medication for the pain "
    "while the clinic recorded dose{i} in the chart."
)
OTHER = (
    "The committee{i} met on day{i} to discuss budget{i} and the schedule of meeting{i} for the next year, and "
    "everyone agreed that plan{i} was clear enough to follow without delay."
)


def _long_document(chars: int = 50_000) -> str:
    """About 300 sentences with many distinct words (auto takes the sentence level), a few of them medical."""
    sentences = [(MEDICAL if i % 25 == 0 else OTHER).format(i=i) for i in range(2_000)]
    text = " ".join(sentences)
    return text[: text.rfind(".", 0, chars) + 1]


def test_long_document_by_sentences_then_one_sentence_opened(page: Page, app_url: str, artifacts: Path) -> None:
    text = _long_document()
    assert 49_000 < len(text) <= 50_000
    open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sampling settings").click()
    sidebar.get_by_text("Fixed number", exact=True).click()
    samples = sidebar.get_by_role("spinbutton", name="Number of samples", exact=True)
    samples.fill("300")
    samples.press("Enter")
    paste_text(page, text)
    page.get_by_role("button", name="Explain", exact=True).click()

    main = main_area(page)
    expect(main.get_by_role("heading", name=re.compile("The text, sentence by sentence"))).to_be_visible(timeout=WAIT)
    expect(main.get_by_text(re.compile(r"Level: sentences \(.*distinct words"))).to_be_visible()
    expect(main.get_by_role("heading", name="Top sentences for and against")).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)

    main.get_by_role("button", name="Explain this sentence's words").click()
    expect(main.get_by_role("heading", name=re.compile("The words of characters"))).to_be_visible(timeout=WAIT)
    expect(main.get_by_text(re.compile("Level: words of characters .* drill-down"))).to_be_visible()
    expect(main.get_by_role("heading", name=re.compile("The text, word by word"))).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    page.screenshot(path=str(artifacts / "long_document.png"), full_page=True)


def test_a_sentence_opened_with_automatic_sampling_draws_its_rounds_in_place(page: Page, app_url: str) -> None:
    """The drill-down draws its rounds as the Explain page does (ui.live): marked preliminary, then the result."""
    text = _long_document()
    open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sampling settings").click()
    cap = sidebar.get_by_role("spinbutton", name="At most (samples)", exact=True)  # automatic sampling, the default
    cap.fill("700")  # both passes stay short: the document's model calls each read 50,000 characters
    cap.press("Enter")
    paste_text(page, text)
    page.get_by_role("button", name="Explain", exact=True).click()

    main = main_area(page)
    expect(main.get_by_role("heading", name=re.compile("The text, sentence by sentence"))).to_be_visible(timeout=WAIT)
    wait_idle(page)
    main.get_by_role("button", name="Explain this sentence's words").click()
    preliminary = main.locator(PRELIMINARY)
    expect(preliminary).to_be_visible(timeout=WAIT)
    expect(preliminary).to_contain_text("Preliminary result")
    expect(preliminary.locator(".lc-highlight")).to_be_visible()
    expect(main.get_by_role("heading", name=re.compile("The words of characters"))).to_be_visible(timeout=WAIT)
    wait_idle(page)
    expect(preliminary).to_have_count(0)
    expect(main.get_by_text(re.compile("Level: words of characters .* drill-down"))).to_be_visible()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
