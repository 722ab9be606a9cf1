"""A deep link as the very first request of a fresh server still gets app.py's sidebar and navigation.

A folder named ``pages/`` beside app.py would make Streamlit serve such a link
as a lone page of its older directory-based multipage mode (no sidebar, no
navigation, no page set-up). The pages live in ``app_pages/``, so the link is
routed by app.py's ``st.navigation`` from the first request on; this test
starts its own server so that nothing has run on it before the link.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import streamlit_server

pytestmark = pytest.mark.e2e

WAIT = 90_000  # ms; the first run of a fresh server also loads the models


def test_a_deep_link_on_a_fresh_server_gets_the_whole_app(
    page: Page, newsgroups_archive: Path, request: pytest.FixtureRequest, tmp_path_factory
) -> None:
    saved_db = tmp_path_factory.mktemp("deep-link") / "saved.sqlite3"
    with streamlit_server(newsgroups_archive, request, tmp_path_factory, saved_db) as url:
        page.goto(f"{url}/compare")  # the server's first page request
        expect(page.get_by_role("heading", name="Compare two explanations")).to_be_visible(timeout=WAIT)
        expect(page.get_by_role("heading", name="Compare two explanations")).to_have_count(1)  # run once
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Sampling settings")).to_be_visible(timeout=WAIT)  # app.py's sidebar
        for title in ("Explain", "Compare", "Local model", "Remote API", "Dataset", "How it works", "Saved"):
            expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()  # app.py's navigation
        # The page's own widgets answer (their events reach the page through app.py's navigation).
        page.get_by_text("One text, two models", exact=True).click()
        expect(page.get_by_label("Text to explain on both models")).to_be_visible(timeout=WAIT)
        # And the navigation leads on from the deep-linked page.
        page.get_by_role("link", name="How it works", exact=True).click()
        expect(page.get_by_role("heading", name="How it works")).to_be_visible(timeout=WAIT)
        assert page.url.rstrip("/").endswith("/how_it_works")
