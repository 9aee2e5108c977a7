"""Every page and download shows the timeline "as known on" the URL's `asof` date, with its banner."""

from __future__ import annotations

import html
import json
import re

import pytest

from timeline.data.frame import build_frame
from timeline.formats.loader import load_dataset
from timeline.web import callbacks, embed, present
from timeline.web.app import create_app

from .conftest import FIXTURES, serving
from .test_browser import open_view, wait_for_count
from .test_embed_static import figure as embed_figure
from .test_embed_static import listed

ASOF = FIXTURES / "asof.yaml"
BANNER_7_MARCH = "As known on 7 March 2024: 4 events, 2 claims."


@pytest.fixture(scope="module")
def frame():
    return build_frame(load_dataset([ASOF]))


@pytest.fixture(scope="module")
def client():
    return create_app([ASOF]).server.test_client()


def _titles(listing: str) -> list[str]:
    """The titles in the dashboard's event list (its data, as assets/dashboard.js draws it)."""
    return [row["title"] for row in json.loads(listing)["rows"]]


def test_dashboard_shows_what_was_known_with_a_banner(frame):
    shown = callbacks.render(frame, "?asof=2024-03-07")
    assert shown.banner.startswith(BANNER_7_MARCH) and "1 event and 1 claim" in shown.banner
    assert shown.banner_hidden is False
    assert shown.count == "4 of 8 events shown"
    titles = _titles(shown.events)
    assert len(titles) == 4 and "Alpha sends a reply" not in titles
    now = callbacks.render(frame, "")
    assert (now.banner, now.banner_hidden) == ("", True)


def test_dashboard_detail_panel_shows_only_claims_published_by_then(frame):
    later = callbacks.render(frame, "?event=blame").detail
    earlier = callbacks.render(frame, "?event=blame&asof=2024-03-07").detail
    assert _count(later, "claims") == 4 and _count(earlier, "claims") == 2
    assert _count(later, "sources") == 4 and _count(earlier, "sources") == 2  # undated and later pages left out


def _count(panel: list, class_name: str) -> int:
    """How many items the detail panel's block of this class holds."""
    return sum(len(part.children) for part in panel if getattr(part, "className", "") == class_name)


def test_an_event_not_yet_reported_cannot_be_selected(frame):
    shown = callbacks.render(frame, "?event=truce&asof=2024-03-07")
    assert shown.detail == [] and shown.detail_hidden is True and shown.banner.startswith(BANNER_7_MARCH)


def test_embed_puts_the_banner_first_among_its_chips_and_on_the_chart(frame):
    page = embed.render(frame, "?asof=2024-03-07")
    chips = [html.unescape(c) for c in re.findall(r'<li class="chip[^"]*">(.*?)</li>', page)]
    assert chips[0].startswith(BANNER_7_MARCH) and 'class="chip chip-asof"' in page
    assert "As known on 7 March 2024" in embed_figure(page)["layout"]["title"]["subtitle"]["text"]
    assert re.search(r'<figcaption id="embed-count"[^>]*>4 of 8 events<', page)
    titles = listed(page)
    assert len(titles) == 4 and "Alpha sends a reply" not in titles


BANNER, HIDDEN = "banner", "banner_hidden"  # present.render's outputs, by name


def test_present_applies_the_url_date_to_every_step(frame):
    first = present.render(frame, "?mode=events&asof=2024-03-07&step=1")
    assert first[BANNER].startswith("As known on 7 March 2024: 1 event, 0 claims.") and first[HIDDEN] is False
    last = present.render(frame, "?mode=events&asof=2024-03-07&step=99")
    assert last["progress"] == "Events in date order · Step 4 of 4" and last[BANNER].startswith(BANNER_7_MARCH)
    assert last["announce"].endswith(last[BANNER])  # the live region announces it too


def test_a_story_step_shows_what_was_known_on_its_own_date(frame):
    step = present.render(frame, "?step=1")
    assert step["title"] == "What was known before the deadline"
    assert step[BANNER] == (
        "As known on 7 March 2024: 2 events, 2 claims. Not shown, because their sources carry no date: 1 claim."
    )
    cards = str(step["cards"])
    assert "Each side blames the other" in cards and "(and 1 more)" in cards  # 2 of its 4 sources were out by then
    assert present.render(frame, "?step=2")[HIDDEN] is True  # the next step sets no date: no banner


def test_downloads_carry_the_date(client):
    body = client.get("/download/json?asof=2024-03-07").get_json()
    assert body["as_known_on"] == "2024-03-07" and len(body["events"]) == 4
    csv_rows = client.get("/download/csv?asof=2024-03-07").get_data(as_text=True).strip().splitlines()
    assert len(csv_rows) == 1 + 4
    timelinejs = json.loads(client.get("/download/timelinejs?asof=2024-03-07").get_data(as_text=True))
    assert "As known on 7 March 2024" in timelinejs["title"]["text"]["text"]
    page = client.get("/download/html?asof=2024-03-07").get_data(as_text=True)
    assert "As known on 7 March 2024" in page


@pytest.mark.browser
def test_the_date_control_shows_what_was_known(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    with serving(create_app([ASOF])) as base:
        open_view(page, base + "/")
        wait_for_count(page, "8 of 8")
        assert page.locator("#asof-banner").is_hidden()
        page.get_by_role("textbox", name="As known on").fill("2024-03-07")
        wait_for_count(page, "4 of 8")
        banner = page.locator("#asof-banner")
        banner.wait_for(state="visible")
        assert banner.inner_text().startswith(BANNER_7_MARCH)
        assert "asof=2024-03-07" in page.url
        assert "Alpha sends a reply" not in page.locator("#event-list").inner_text()
        # The link restores the view in a fresh tab.
        other = context.new_page()
        open_view(other, page.url)
        wait_for_count(other, "4 of 8")
        assert other.locator("#filter-asof").input_value() == "2024-03-07"
        assert other.locator("#asof-banner").inner_text().startswith(BANNER_7_MARCH)
    context.close()
