"""The Methods view in Chromium: LIME beside KernelSHAP and occlusion on the Explain page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_browser import WAIT, main_area, open_app, paste_text, wait_idle

pytestmark = pytest.mark.e2e

TEXT = (
    "As I recall from my bout with kidney stones, there isn't any medication that can do anything about them "
    "except relieve the pain."
)


def test_methods_view_shows_the_sentence_one_chart_and_the_tables(page: Page, app_url: str, artifacts: Path) -> None:
    open_app(page, app_url)
    paste_text(page, TEXT)
    page.get_by_role("button", name="Explain", exact=True).click()
    expect(main_area(page).locator(".lc-highlight")).to_have_count(1, timeout=WAIT)
    wait_idle(page)

    section = page.locator(".st-key-lc-methods-explain")
    expect(section.get_by_text("Would another method say the same?")).to_be_visible()
    section.get_by_role("button", name=re.compile(r"^Compare methods \(at most [\d,]+ model calls")).click()
    expect(section.get_by_text(re.compile(r"^LIME agrees with KernelSHAP on \d of the top \d words"))).to_be_visible(
        timeout=WAIT
    )
    wait_idle(page)
    # One chart (words x methods on one colour scale), drawn by Vega in the page.
    chart = section.locator("[data-testid='stVegaLiteChart']")
    expect(chart).to_have_count(1)
    expect(chart.locator("canvas, svg").first).to_be_visible()
    expect(section.get_by_text("each value as a share of its method's largest", exact=False)).to_be_visible()
    # The faithfulness and agreement tables, and no error.
    expect(section.locator("[data-testid='stDataFrame']")).to_have_count(3)
    expect(main_area(page).locator("[data-testid='stException']")).to_have_count(0)
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(artifacts / "methods_view.png"))
