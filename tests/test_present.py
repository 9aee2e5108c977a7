"""Educators: the presentation mode and the printable handout."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from urllib.parse import parse_qs, urlparse

import pytest
from pypdf import PdfReader

from timeline.query.filters import Filters, matching
from timeline.query.story import EventSteps, revealed, steps
from timeline.render.export import ImageOptions, export_events
from timeline.render.handout import handout_html
from timeline.web.app import create_app
from timeline.web.present import step_number

from .conftest import MINI, serving
from .test_browser import DESKTOP, PHONE, axe_violations

PRESENT_GRAPH = "() => { const gd = document.querySelector('#present-graph .js-plotly-plot');"


@pytest.fixture(scope="module")
def app_url():
    with serving(create_app([MINI])) as url:
        yield url


def test_story_is_the_default_and_filters_give_events_in_date_order(mini_frame):
    story = steps(mini_frame, Filters())
    assert [s.title for s in story] == ["The talks open", "Beta leaves as a holiday nears", "A truce"]
    assert story[1].positions == (mini_frame.position("beta-leaves"), mini_frame.position("holiday-deadline"))
    by_date = steps(mini_frame, Filters(actors=("beta",)))
    assert [s.positions[0] for s in by_date] == matching(mini_frame, Filters(actors=("beta",))).tolist()
    assert len(steps(mini_frame, Filters(), "events")) == 5
    assert revealed(story, 1) == tuple(sorted(story[0].positions + story[1].positions))


@pytest.mark.parametrize(("query", "count", "expected"), [
    ("", 3, 1), ("?step=2", 3, 2), ("?step=99", 3, 3), ("?step=0", 3, 1), ("?step=-1", 3, 1), ("?step=x", 3, 1),
])  # fmt: skip
def test_step_number_is_clamped(query, count, expected):
    assert step_number(query, count) == expected


def open_present(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(PRESENT_GRAPH + " return gd && gd._fullData && gd._fullData.length > 0; }")


def wait_for_step(page, number: int) -> None:
    page.wait_for_function(
        f"() => document.querySelector('#present-progress').textContent.endsWith('Step {number} of 3')"
    )


@pytest.mark.browser
def test_keys_step_forward_and_back(page, app_url):
    open_present(page, app_url + "/present/")
    wait_for_step(page, 1)
    assert page.locator("#present-title").inner_text() == "The talks open"
    for key, number, title in [("ArrowRight", 2, "Beta leaves as a holiday nears"), ("PageDown", 3, "A truce"),
                               ("ArrowLeft", 2, "Beta leaves as a holiday nears"), ("Home", 1, "The talks open"),
                               (" ", 2, "Beta leaves as a holiday nears"), ("PageUp", 1, "The talks open"),
                               ("End", 3, "A truce")]:  # fmt: skip
        page.keyboard.press(key)
        wait_for_step(page, number)
        assert page.locator("#present-title").inner_text() == title
        assert parse_qs(urlparse(page.url).query)["step"] == [str(number)]
        assert page.locator("#present-live").inner_text() == f"Step {number} of 3: {title}"
    page.get_by_role("link", name="◀ Previous").click()
    wait_for_step(page, 2)
    assert "Beta said its delegation left" in page.locator("#present-cards").inner_text()


@pytest.mark.browser
def test_deep_link_reveal_and_zoom_window(page, app_url, mini_frame):
    open_present(page, app_url + "/present/?step=2")
    wait_for_step(page, 2)
    shown = page.evaluate(PRESENT_GRAPH + " return gd._fullData.filter(t => t.customdata && t.name !== 'Selected')"
                          ".flatMap(t => Array.from(t.customdata)); }")  # fmt: skip
    story = steps(mini_frame, Filters())
    first, last = story[1].window
    dates = mini_frame.events["lo"].dt.date
    in_window = {p for p in story[0].positions + story[1].positions if first <= dates.iloc[p] <= last}
    # the events revealed so far that fall in the step's window; step 3's truce is still hidden
    assert in_window and set(shown) == in_window
    ringed = page.evaluate(PRESENT_GRAPH + " return gd._fullData.filter(t => t.name === 'Selected')[0]._length; }")
    assert ringed == 2  # the two events of this step, one lane each
    x_range = page.evaluate(PRESENT_GRAPH + " return gd._fullLayout.xaxis.range; }")
    assert x_range[0].startswith("2024-03-05") and x_range[1].startswith("2024-03-14")


@pytest.mark.browser
def test_large_type_notes_and_filters(page, app_url):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_present(page, app_url + "/present/?actors=gamma&step=2")
    page.wait_for_function("() => document.querySelector('#present-progress').textContent.endsWith('Step 2 of 2')")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.card-summary')).fontSize)")
    assert size >= 28
    assert page.locator("#present-title").inner_text() == "Talks expected to resume"
    assert page.locator("#present-notes").is_hidden()
    page.keyboard.press("n")
    page.locator("#present-notes").wait_for(state="visible")
    assert page.get_by_role("button", name="Notes (N)").get_attribute("aria-expanded") == "true"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
def test_the_chart_is_made_for_the_width_it_is_drawn_at(page, app_url, viewport):
    # Made for a 1366 px projector's chart (700 px) until the page says: a 1920 px projector's is about 1,000 px
    # wide, a phone's about 330, and each is made again for its own width, as the step is taken again.
    page.set_viewport_size(viewport)
    open_present(page, app_url + "/present/?step=2")
    made = PRESENT_GRAPH + " return [gd.clientWidth, gd.layout.meta.width]; }"
    page.wait_for_function(PRESENT_GRAPH + " return gd.layout.meta.width !== 700; }")
    drawn, made_for = page.evaluate(made)
    assert made_for == drawn
    page.keyboard.press("ArrowRight")
    wait_for_step(page, 3)
    assert page.evaluate(made) == [drawn, drawn]  # the next step keeps the width it was told


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


PRESENT_VIEWS = {
    "default": "/present/?step=2",
    "filters applied": "/present/?actors=hamas&types=proposal,statement&step=2",
    "event selected": "/present/?mode=events&step=5",
}
HANDOUT_VIEWS = {
    "default": "/handout/",
    "filters applied": "/handout/?actors=hamas&types=proposal,statement",
    "event selected": "/handout/?event={first}",
}


def axe_page(chromium, viewport: dict):
    """A tab at `viewport` that records page errors in `errors`."""
    tab = chromium.new_context(viewport=viewport).new_page()
    tab.errors = []
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    return tab


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
@pytest.mark.parametrize("state", list(PRESENT_VIEWS))
def test_axe_finds_no_violations_on_present(chromium, bundled_url, state, viewport):
    tab = axe_page(chromium, viewport)
    try:
        open_present(tab, bundled_url + PRESENT_VIEWS[state])
        tab.keyboard.press("n")  # with the presenter notes showing too
        tab.locator("#present-notes").wait_for(state="visible")
        count, report = axe_violations(tab)
        assert count == 0, report
        assert tab.errors == []
    finally:
        tab.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
@pytest.mark.parametrize("state", list(HANDOUT_VIEWS))
def test_axe_finds_no_violations_on_the_handout(chromium, bundled_url, bundled_frame, state, viewport):
    tab = axe_page(chromium, viewport)
    try:
        tab.goto(bundled_url + HANDOUT_VIEWS[state].format(first=bundled_frame.events.iloc[0]["id"]))
        tab.wait_for_selector("html[data-chart=drawn]")  # with the chart the browser draws in place
        count, report = axe_violations(tab)
        assert count == 0, report
        assert tab.errors == []
    finally:
        tab.context.close()


@pytest.mark.browser
def test_the_handout_page_draws_its_chart_in_the_browser(chromium, bundled_url):
    tab = axe_page(chromium, DESKTOP)
    try:
        response = tab.goto(bundled_url + "/handout/?actors=hamas")
        assert response.ok and "render slot" not in response.text()
        tab.wait_for_selector("html[data-chart=drawn]")
        chart = tab.locator("#handout-chart")
        assert chart.is_visible() and chart.get_attribute("src").startswith("data:image/svg+xml")
        assert chart.evaluate("img => img.naturalWidth") == 1100 and chart.bounding_box()["width"] > 600
        assert tab.locator("#handout-chart-waiting").count() == 0
        # The drawing is the chart the server laid out: the lanes of the chosen view, named in the SVG.
        svg = tab.evaluate("() => decodeURIComponent(document.querySelector('#handout-chart').src.split(',')[1])")
        assert ">Hamas<" in svg and "Curated by" in svg
        assert tab.errors == []
        tab.emulate_media(media="print")
        assert chart.is_visible() and chart.bounding_box()["width"] > 600
    finally:
        tab.context.close()


@pytest.mark.browser
def test_the_phases_and_deadlines_are_named_in_large_type_inside_the_chart(chromium, bundled_url):
    # Step 12 of the bundled story: two deadlines on 10 March, near the left of its window, under two phases.
    tab = axe_page(chromium, {"width": 1366, "height": 768})
    try:
        open_present(tab, bundled_url + "/present/?step=12")
        labels = tab.evaluate("""() => {
            const svg = document.querySelector('#present-graph .main-svg').getBoundingClientRect();
            return Array.from(document.querySelectorAll('#present-graph .annotation-text')).map(t => {
                const box = t.getBoundingClientRect();
                return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
                        inside: box.left >= svg.left && box.right <= svg.right};
            });
        }""")
        deadlines = [label for label in labels if label["text"].startswith("Deadline:")]
        assert len(deadlines) == 2 and len(labels) >= 4
        assert all(label["inside"] and label["size"] >= 18 for label in labels), labels
    finally:
        tab.context.close()


@pytest.mark.browser
def test_the_cards_scroll_by_keyboard(chromium, bundled_url):
    tab = axe_page(chromium, {"width": 1400, "height": 1000})
    try:
        open_present(tab, bundled_url + "/present/")
        cards = tab.locator("#present-cards")
        assert cards.evaluate("el => el.scrollHeight > el.clientHeight"), "this step's cards overflow their region"
        # Chromium lets Tab reach any scroller by itself; Safari only one that is focusable, as axe checks.
        assert cards.get_attribute("tabindex") == "0"
        title = tab.locator("#present-title").inner_text()
        for _ in range(20):
            tab.keyboard.press("Tab")
            if tab.evaluate("document.activeElement.id") == "present-cards":
                break
        assert tab.evaluate("document.activeElement.id") == "present-cards"
        tab.keyboard.press("ArrowDown")
        tab.wait_for_function("() => document.querySelector('#present-cards').scrollTop > 0")
        assert tab.locator("#present-title").inner_text() == title  # ↓ scrolls; it does not change the step
    finally:
        tab.context.close()


def test_handout_page_has_everything_a_class_needs(mini_frame):
    positions = matching(mini_frame, Filters())
    page = handout_html(mini_frame, positions, chart_svg=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert "<h1>Mini talks</h1>" in page and "Curated by Test curator" in page
    assert page.count('<li class="event"') == 5 and "data:image/svg+xml;base64," in page
    assert "Beta says:" in page and "Alpha says:" in page and "https://example.net/c" in page
    assert "Glossary of actors" in page and "Gamma (mediator state)" in page and "Prisoner exchange" in page
    assert "size: A4" in page and "size: letter" in handout_html(mini_frame, positions, paper="letter")
    assert "break-inside: avoid" in page


@pytest.mark.browser
@pytest.mark.parametrize(("paper", "width"), [("a4", 595), ("letter", 612)])
def test_pdf_handout_holds_every_title_and_source_whole(bundled_frame, paper, width):
    filters = Filters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 15))
    positions = matching(bundled_frame, filters)
    pdf = PdfReader(io.BytesIO(export_events(bundled_frame, positions, "handout", filters=filters,
                                             image=ImageOptions(paper=paper))))  # fmt: skip
    assert 8 <= len(pdf.pages) <= 30
    assert round(float(pdf.pages[0].mediabox.width)) == width
    # NFKC undoes the typographic ligatures (ﬁ) that the PDF's fonts use.
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pdf.pages)))
    for position in positions:
        event = bundled_frame.event(position)
        assert re.sub(r"\s+", " ", event.title) in text, event.title
        for source in event.sources:
            assert source.publisher in text
    assert "Glossary of actors" in text


def test_an_event_a_step_is_made_when_asked_for_and_reveals_the_events_so_far(mini_frame):
    """Without a story, a step per event: a million events must not make a million steps before the first shows."""
    by_date = steps(mini_frame, Filters(), "events")
    expected = matching(mini_frame, Filters())
    assert isinstance(by_date, EventSteps) and len(by_date) == len(expected)
    assert [s.positions for s in by_date[1:3]] == [(int(expected[1]),), (int(expected[2]),)]
    assert by_date[-1].title == mini_frame.events.iloc[int(expected[-1])]["title"]
    assert list(revealed(by_date, 2)) == sorted(expected[:3].tolist())
