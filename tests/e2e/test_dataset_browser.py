"""The Dataset page in Chromium: run a small batch, click a confusion cell, open one stored explanation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

WAIT = 60_000
RUN_WAIT = 240_000
POSTS = 6


def test_dataset_page_runs_a_batch_and_opens_a_stored_explanation(page: Page, app_url: str, artifacts: Path) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Explain a prediction")).to_be_visible(timeout=WAIT)
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sampling settings").click()
    sidebar.get_by_text("Fixed number", exact=True).click()
    samples = sidebar.get_by_role("spinbutton", name="Number of samples")
    samples.fill("300")
    samples.press("Enter")
    page.get_by_role("link", name="Dataset", exact=True).click()
    expect(page.get_by_role("heading", name="Explain a dataset")).to_be_visible(timeout=WAIT)
    posts = page.get_by_role("spinbutton", name=re.compile("How many posts"))
    posts.fill(str(POSTS))
    posts.press("Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Run batch").click()

    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Texts explained")).to_be_visible(timeout=RUN_WAIT)
    expect(main.get_by_test_id("stMetricValue").first).to_have_text(str(POSTS))
    expect(main.get_by_text(re.compile("not the model's global logic"))).to_be_visible()
    page.screenshot(path=str(artifacts / "dataset.png"), full_page=True)

    # Click the first non-empty diagonal cell of the confusion matrix: the list keeps only its texts.
    for i in range(4):
        cell = main.locator(f".st-key-dataset-cell-{i}-{i} button")
        count = int(cell.inner_text().replace(",", ""))
        if count:
            break
    cell.click()
    expect(main.get_by_text(re.compile(rf"^{count} of {POSTS} texts in the cell"))).to_be_visible(timeout=WAIT)

    # Open one of them in the full explanation view (from the stored JSON).
    options = page.get_by_role("option")
    for _ in range(5):  # a click that lands during a rerun does not open the list: try again
        main.locator(".st-key-dataset-open_pick input").click()
        try:
            expect(options.nth(1)).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    expect(options.nth(1)).to_be_visible(timeout=WAIT)
    page.get_by_role("option").nth(1).click()
    expect(main.get_by_role("heading", name="Top words for and against")).to_be_visible(timeout=WAIT)
    expect(main.locator(".lc-highlight").first).to_be_visible()
    page.screenshot(path=str(artifacts / "dataset-explanation.png"), full_page=True)
