"""The demo in a real browser: state that stays, inputs that follow the model, languages, the Compare story,
saved links across a restart, labels and URLs from outside, nothing fetched from elsewhere, narrow windows.

Screenshots of every page at 1400 px and 800 px wide go to ``artifacts/`` (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.examples import COMPARE_CLASS, GERMAN_REVIEW, get_example
from tests.e2e.conftest import streamlit_server
from tests.e2e.test_browser import (
    WAIT,
    click_and_wait_run,
    go,
    main_area,
    open_app,
    open_remote_api,
    paste_text,
    wait_idle,
)
from tests.http_fixtures import Canned, RecordedRequest, ScriptedServer, hf_rows

pytestmark = pytest.mark.e2e

OWN_TEXT = "My graphics card renders every image in OpenGL far too slowly, and the screen flickers."
URL_TEXT = (
    "Doctors treat kidney stones, see https://evil.example/phish and www.evil.example or write to "
    "help@evil.example about the pain."
)
ARABIC = "هذا المطعم رائع والطعام لذيذ جدا والخدمة ممتازة"
PAGES = [  # link title, heading, file name
    ("Explain", "Explain a prediction", "explain"),
    ("Compare", "Compare two explanations", "compare"),
    ("Local model", "The local model", "local_model"),
    ("Remote API", "Explain a model behind an API", "remote_api"),
    ("Dataset", "Explain a dataset", "dataset"),
    ("How it works", "How it works", "how_it_works"),
    ("Saved", "Saved explanations", "saved"),
]

# Text that does not fit: an element whose own text overflows a box that hides it ("Exp…", "O" for Open), or a word
# broken across lines (more line boxes than words).
CUT_WORDS_JS = """(root) => {
  const out = [];
  for (const el of root.querySelectorAll("p, h1, h2, h3, h4, h5, li, button, label, span, div")) {
    if (!el.offsetParent) continue;
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3 && n.textContent.trim());
    if (!own.length) continue;
    const style = getComputedStyle(el);
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== "visible") {
      out.push("cut: " + el.innerText.slice(0, 60));
      continue;
    }
    for (const node of own) {
      const words = node.textContent.trim().split(/\\s+/).length;
      const range = document.createRange();
      range.selectNodeContents(node);
      const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > words) out.push("broken: " + node.textContent.slice(0, 60));
    }
  }
  return out;
}"""


def explain(page: Page, text: str | None = None) -> None:
    """Press Explain and wait for the result (of ``text`` when given: an earlier result may be on screen)."""
    click_and_wait_run(page, page.get_by_role("button", name="Explain", exact=True))
    highlight = main_area(page).locator(".lc-highlight").first
    expect(highlight).to_be_visible(timeout=WAIT)
    if text is not None:
        expect(highlight).to_have_text(text, timeout=WAIT)


def choose(page: Page, label: str, option: str | re.Pattern) -> None:
    """Pick an option of a Streamlit selectbox by its label and the option's text."""
    page.get_by_role("combobox", name=label, exact=True).first.click()
    click_and_wait_run(page, page.get_by_role("option", name=option).first)


def options_of(page: Page, label: str) -> list[str]:
    box = page.get_by_role("combobox", name=label, exact=True).first
    for _ in range(3):  # a click can land while the page redraws; the list then stays shut
        box.click()
        try:
            expect(page.get_by_role("option").first).to_be_visible(timeout=3000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    # Read in one go: a redraw between listing the options and reading each one left a detached option to wait on.
    names = [name.strip() for name in page.get_by_role("option").all_inner_texts()]
    page.keyboard.press("Escape")
    return names


def fixed_samples(page: Page, n: int) -> None:
    """Sidebar: a fixed number of samples (a transformer on a busy 2-core machine is slow at the default cap)."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Sampling settings").click()
    sidebar.get_by_text("Fixed number").click()
    wait_idle(page)
    samples = sidebar.get_by_role("spinbutton", name="Number of samples", exact=True)
    samples.fill(str(n))
    samples.press("Enter")
    wait_idle(page)


def test_own_text_and_result_survive_a_trip_to_other_pages(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    paste_text(page, OWN_TEXT)
    explain(page)
    go(page, "Compare", "Compare two explanations")
    paste_text(page, "My own left text about pain and medication.", label="Left text")
    go(page, "How it works", "How it works")
    go(page, "Explain", "Explain a prediction")
    expect(page.get_by_label("Text to explain")).to_have_value(OWN_TEXT)
    expect(main_area(page).locator(".lc-highlight")).to_have_text(OWN_TEXT)
    expect(main_area(page).get_by_text(re.compile("changed since this explanation"))).to_have_count(0)
    go(page, "Compare", "Compare two explanations")
    expect(page.get_by_label("Left text")).to_have_value("My own left text about pain and medication.")


def test_switching_models_rebuilds_the_class_picker_and_says_so(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    explain(page)
    assert "sci.med" in options_of(page, "Class to explain")
    choose(page, "Ready examples", "Restaurant review (English)")
    expect(main_area(page).get_by_text(re.compile("Switched to Review sentiment"))).to_be_visible()
    explain(page, get_example("restaurant-review").text)
    names = options_of(page, "Class to explain")
    assert "sci.med" not in names and "positive" in names and names[0] == "Predicted class"
    main = main_area(page)
    expect(main.get_by_text("The model predicts positive for the text of the result below.")).to_be_visible()
    negative = "Awful food, rude staff and a terrible, boring evening. A waste of money."  # another review
    paste_text(page, negative)
    explain(page, negative)
    expect(main.get_by_text("The model predicts negative for the text of the result below.")).to_be_visible()
    expect(main.get_by_text(re.compile(r"Review sentiment predicts negative"))).to_be_visible()


def test_german_text_on_the_english_stand_in_shows_the_warning(page: Page, app_url: str, artifacts: Path) -> None:
    open_app(page, app_url)
    expect(page.get_by_test_id("stSidebar").get_by_text(re.compile("Languages:"))).to_be_visible()
    names = options_of(page, "Ready examples")
    assert "Restaurant review (German) \u00b7 German: not read by this model" in names  # marked before a run
    fixed_samples(page, 300)
    choose(page, "Ready examples", re.compile("Restaurant review \\(German\\)"))
    expect(page.get_by_label("Text to explain")).to_have_value(GERMAN_REVIEW)
    explain(page, GERMAN_REVIEW)
    warning = main_area(page).get_by_text(re.compile("looks German .* reads English only"))
    expect(warning.first).to_be_visible()
    alerts = main_area(page).locator("[data-testid='stAlert']")
    verdict = alerts.filter(has_text=re.compile(r"(Check it|Do not trust)\."))
    expect(verdict.filter(has_text="looks German")).to_have_count(1)  # among the verdict's reasons
    page.screenshot(path=str(artifacts / "language_warning.png"), full_page=True)


def test_compare_default_story_shows_the_same_class_on_both_sides(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    go(page, "Compare", "Compare two explanations")
    page.get_by_role("button", name="Explain both").click()
    main = main_area(page)
    expect(main.locator(".lc-highlight")).to_have_count(2, timeout=WAIT)
    wait_idle(page)
    picker = main.get_by_role("combobox", name="Class to explain on both sides", exact=True)
    expect(picker).to_have_value(COMPARE_CLASS)  # one class for both sides, from the start
    expect(main.get_by_text(re.compile(f"Explaining {re.escape(COMPARE_CLASS)}"))).to_have_count(1)  # the right side
    for side in ("Left", "Right"):
        expect(main.get_by_role("heading", name=side, exact=True)).to_be_visible()
    weights = main.get_by_role("heading", name="Words in both texts")
    expect(weights).to_be_visible()
    expect(main.get_by_text(re.compile("Left weights are for"))).to_have_count(0)  # like with like


def test_save_restart_and_open_the_link_in_a_fresh_browser(
    page: Page, browser: Browser, newsgroups_archive: Path, request: pytest.FixtureRequest, tmp_path_factory
) -> None:
    saved_db = tmp_path_factory.mktemp("restart") / "saved.sqlite3"
    with streamlit_server(newsgroups_archive, request, tmp_path_factory, saved_db) as url:
        open_app(page, url)
        explain(page)
        main = main_area(page)
        wait_idle(page)  # the result's panels are drawn last; a click on a stale one is lost
        main.get_by_text("Save this explanation").click()
        title = main.get_by_role("textbox", name="Title", exact=True)
        title.fill("Kidney post, prepared for Monday")
        main.get_by_role("button", name="Save", exact=True).click()
        link = main.locator("[data-testid='stCode']").filter(has_text="saved?id=")
        expect(link).to_be_visible(timeout=WAIT)
        address = link.inner_text().strip()
    assert saved_db.is_file()
    with streamlit_server(newsgroups_archive, request, tmp_path_factory, saved_db) as url:  # a restarted app
        parts = urlsplit(address)
        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})  # a fresh browser session
        try:
            other = fresh.new_page()
            other.goto(f"{url}{parts.path}?{parts.query}")
            expect(other.get_by_role("heading", name="Saved explanations")).to_be_visible(timeout=WAIT)
            main = main_area(other)
            expect(main.locator(".lc-highlight")).to_have_count(1, timeout=WAIT)
            expect(main.get_by_text("Kidney post, prepared for Monday").first).to_be_visible()
            expect(main.get_by_text(re.compile("no model calls now"))).to_be_visible()
            click_and_wait_run(other, main.get_by_role("button", name="Delete"))
            expect(main.get_by_role("button", name="Delete for good")).to_be_visible(timeout=WAIT)
            main.get_by_role("button", name="Delete for good").click()  # Delete asks first
            expect(main.get_by_text(re.compile("Nothing is saved yet"))).to_be_visible(timeout=WAIT)
        finally:
            fresh.close()


def test_labels_with_line_breaks_render_in_every_chart(page: Page, app_url: str, artifacts: Path) -> None:
    labels = ["good\rnews", "bad\u2028news https://evil.example"]

    def by_plain_words(request: RecordedRequest) -> Canned:
        # The labels' own names cannot be typed into the text box, so the words "good" and "bad" move the answer:
        # a model whose answer never moves gets "nothing to explain" and no charts.
        counts = np.array([[1.0 + t.count("good"), 1.0 + t.count("bad")] for t in request.inputs])
        return Canned(200, hf_rows(request.inputs, counts / counts.sum(axis=1, keepdims=True), labels, "score", 0))

    with ScriptedServer(default=by_plain_words) as server:
        open_app(page, app_url)
        open_remote_api(page, server.url)
        paste_text(page, "good news and more good news, then bad news for everyone", label="Text to explain")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        explain(page)
        main = main_area(page)
        charts = main.locator("[data-testid='stVegaLiteChart']")
        expect(charts.first).to_be_visible(timeout=WAIT)
        count = charts.count()
        assert count >= 2
        for i in range(count):
            box = charts.nth(i).locator("svg, canvas").first.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50, f"chart {i} did not draw"
        assert not [e for e in errors if "Expression" in e or "Unterminated" in e or "vega" in e.lower()], errors
        links = main.locator("a[href*='evil']:not([href^='#'])")
        found = [links.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(links.count())]
        assert not found, found
        page.screenshot(path=str(artifacts / "labels_with_breaks.png"), full_page=True)


def test_a_url_in_the_text_stays_plain_text_everywhere(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    paste_text(page, URL_TEXT)
    explain(page)
    main = main_area(page)
    expect(main.locator(".lc-highlight")).to_have_text(URL_TEXT)
    assert main.locator("a[href*='evil']:not([href^='#']), a[href^='mailto:']").count() == 0
    go(page, "How it works", "How it works")
    expect(main.get_by_text(re.compile("evil"))).not_to_have_count(0)  # the text is quoted here
    links = main.locator("a[href*='evil']:not([href^='#']), a[href^='mailto:']")
    found = [links.nth(i).evaluate("e => e.parentElement.outerHTML") for i in range(links.count())]
    assert not found, found


def test_highlighted_text_carries_its_direction(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    # Words the topic model knows follow the Arabic: a text it cannot read at all is refused as having nothing to
    # explain, and the first strong character (Arabic) still sets the direction.
    paste_text(page, f"{ARABIC} god church doctor medicine")
    explain(page)
    highlight = main_area(page).locator(".lc-highlight")
    expect(highlight).to_have_attribute("dir", "auto")
    assert highlight.evaluate("e => getComputedStyle(e).direction") == "rtl"


def test_nothing_is_fetched_from_another_host_at_page_load(page: Page, app_url: str) -> None:
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname or r.url.split(":", 1)[0]))
    open_app(page, app_url)
    wait_idle(page)
    page.wait_for_timeout(1500)
    assert hosts <= {"127.0.0.1", "data", "blob"}, hosts
    icon = page.locator("link[rel*='icon']").first.get_attribute("href") or ""
    assert not icon.startswith("http") or urlsplit(icon).hostname == "127.0.0.1", icon


def test_a_run_stopped_by_leaving_the_page_says_so(page: Page, app_url: str) -> None:
    open_app(page, app_url)
    fixed_samples(page, 20000)
    paste_text(page, OWN_TEXT * 6)
    page.get_by_role("button", name="Explain", exact=True).click()
    expect(main_area(page).locator("[data-testid='stProgress']")).to_be_visible(timeout=WAIT)
    go(page, "How it works", "How it works")
    go(page, "Explain", "Explain a prediction")
    expect(main_area(page).get_by_text(re.compile("was stopped when you left this page"))).to_be_visible()


def test_the_sidebar_collapses_on_narrow_windows(page: Page, app_url: str) -> None:
    """Streamlit starts it collapsed up to its 768 px breakpoint ("auto"); wider, the user can collapse it."""
    page.set_viewport_size({"width": 760, "height": 1000})
    open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    page.set_viewport_size({"width": 800, "height": 1000})
    page.reload()
    expect(page.get_by_role("heading", name="Explain a prediction")).to_be_visible(timeout=WAIT)
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.hover()
    page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
    expect(sidebar).to_have_attribute("data-collapsed", "true")


@pytest.mark.parametrize("width", [1400, 800])
def test_screenshots_of_every_page(page: Page, app_url: str, artifacts: Path, width: int) -> None:
    """Every page at 1,400 and 800 px: a screenshot each, and no word cut ("Exp…", "O" for Open) or broken mid-word.

    One app visit per width for all of it: the result comes into view after Explain on a laptop-high window, a
    second explanation redraws the panels, the result is saved (so Saved has a row to open), Compare explains both.
    """
    page.set_viewport_size({"width": width, "height": 768})
    open_app(page, app_url)
    explain(page)
    page.wait_for_timeout(1200)  # the smooth scroll
    main = main_area(page)
    box = main.locator(".lc-highlight").bounding_box()
    assert box is not None and 0 <= box["y"] < 768, box  # the result came into view
    page.set_viewport_size({"width": width, "height": 1000})
    explain(page)  # a second explanation: the panels redraw for it
    main.get_by_text("Save this explanation").click()
    main.get_by_role("textbox", name="Title", exact=True).fill(f"Kidney post at {width} px")
    main.get_by_role("button", name="Save", exact=True).click()
    expect(main.locator("[data-testid='stCode']").filter(has_text="saved?id=")).to_be_visible(timeout=WAIT)
    problems = {}
    for title, heading, name in PAGES:
        if name != "explain":
            link = page.get_by_role("link", name=title, exact=True)
            if link.is_visible():
                go(page, title, heading)
            else:  # a narrow top bar folds pages into "N more"
                page.get_by_text(re.compile(r"^\d+ more$")).click()
                page.get_by_text(title, exact=True).last.click()
                expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=WAIT)
                wait_idle(page)
        if name == "saved":  # the list's Open and Delete first, then the opened explanation
            problems.update({"Saved (list)": found} if (found := main.evaluate(CUT_WORDS_JS)) else {})
            main.get_by_role("button", name="Open").first.click()
            expect(main.locator(".lc-highlight")).to_have_count(1, timeout=WAIT)
            wait_idle(page)
        if name == "compare":
            page.get_by_role("button", name="Explain both").click()
            expect(main_area(page).locator(".lc-highlight")).to_have_count(2, timeout=WAIT)
            wait_idle(page)
        page.set_viewport_size({"width": width, "height": 2600})  # Streamlit scrolls its main area, not the page
        page.wait_for_timeout(900)
        problems.update({title: found} if (found := main.evaluate(CUT_WORDS_JS)) else {})
        if name == "local_model":  # its tables are drawn on a canvas, which CUT_WORDS_JS cannot read
            problems.update({f"{title} (table)": cut} if (cut := _cut_tables(main)) else {})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": width, "height": 1000})
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert not problems, problems


def _cut_tables(main) -> list[dict]:
    """Tables (drawn on a canvas) whose columns do not all fit in their box, or whose box runs past the main area."""
    return main.evaluate(
        """m => { const right = m.getBoundingClientRect().right;
                  return [...m.querySelectorAll("[data-testid='stDataFrame']")].map(t => {
                    const box = t.getBoundingClientRect(), grid = t.querySelector('.dvn-scroller');
                    return {right: Math.round(box.right), main: Math.round(right),
                            hidden: grid ? grid.scrollWidth - grid.clientWidth : 0};
                  }).filter(t => t.right > t.main + 1 || t.hidden > 1); }"""
    )
