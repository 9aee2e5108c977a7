"""The dashboard in a real headless Chromium: what a person sees, clicks and types."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe

from timeline.figures.chart import LABEL_PX, MARK_PX, SWATCH
from timeline.figures.labels import lane_height
from timeline.query.filters import Filters, matching
from timeline.query.lod import marks
from timeline.query.state import filters_from_query
from timeline.web.app import create_app
from timeline.web.layout import PICKERS, picker_summary
from timeline.web.views import PAGE_SIZE

from .conftest import FIXTURES, MINI, serving

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1920, "height": 1080}
GRAPH = "() => { const gd = document.querySelector('#timeline .js-plotly-plot');"


@pytest.fixture(scope="module")
def mini_url():
    with serving(create_app([MINI])) as url:
        yield url


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


def open_view(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#timeline .main-svg", state="attached", timeout=30_000)
    wait_for_count(page, "")


def wait_for_count(page, prefix: str) -> None:
    """Wait until the "N of M events shown" line starts with `prefix`."""
    page.wait_for_function(
        "(prefix) => { const el = document.querySelector('#event-count');"
        " return el !== null && el.textContent.includes('events shown') && el.textContent.startsWith(prefix); }",
        arg=prefix,
    )


def rendered_events(page) -> set[int]:
    """Row positions of every event drawn as a single marker in the chart, read from plotly's own data (a cluster's
    `customdata`, if any, is no event row)."""
    data = page.evaluate(
        "() => document.querySelector('#timeline .js-plotly-plot')._fullData"
        ".filter(t => t.customdata && t.name !== 'Clusters').map(t => [t.type, t._length, Array.from(t.customdata)])"
    )
    assert all(length == len(rows) for _, length, rows in data)
    return {int(r) for _, _, rows in data for r in rows}


def drawn_marks(page) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """The chart's marks by lane row, read from plotly's own data: the event rows of its single marks, and the
    counts of its cluster marks (the "Clusters" trace's text; a cluster's `customdata`, if any, is no event row)."""
    traces = page.evaluate(
        GRAPH + " return gd._fullData"
        ".filter(t => t.type.startsWith('scatter') && t.name !== 'Counts per bin'"
        " && (t.customdata || t.name === 'Clusters'))"
        ".map(t => ({name: t.name, length: t._length, y: Array.from(t.y), rows: Array.from(t.customdata || []),"
        " text: Array.from(t.text || [])})); }"
    )
    singles: dict[int, list[int]] = {}
    clusters: dict[int, list[int]] = {}
    for trace in traces:
        clustered = trace["name"] == "Clusters"
        values = [int(t) for t in trace["text"]] if clustered else trace["rows"]
        assert trace["length"] == len(values) == len(trace["y"]), trace["name"]
        for row, value in zip(trace["y"], values, strict=True):
            (clusters if clustered else singles).setdefault(int(row), []).append(int(value))
    return singles, clusters


def assert_every_event_drawn(page, frame, query: str = "") -> None:
    """Every event of the view at `query` is drawn once in each of its lanes: as a single mark, or counted in a
    cluster of that lane."""
    filters = filters_from_query(query, frame)
    expected = marks(frame, matching(frame, filters), filters.actors)
    lanes = np.unique(expected.lane)  # the lanes in use, top to bottom: a mark's y is its index here
    singles, clusters = drawn_marks(page)
    assert set(singles) | set(clusters) <= set(range(len(lanes))), (query, sorted(singles), sorted(clusters))
    for row, lane in enumerate(lanes):
        own = expected.event[expected.lane == lane]
        events, counts = singles.get(row, []), clusters.get(row, [])
        assert len(set(events)) == len(events) and set(events) <= set(own.tolist()), (query, lane)  # once, here
        assert all(count >= 2 for count in counts), (query, lane, counts)  # one mark alone is never a cluster
        assert len(events) + sum(counts) == len(own), (query, lane, len(events), counts, len(own))


def tick(page, control: str, name: str) -> None:
    """Open a list filter's disclosure (unless it is open) and click the checkbox called `name`."""
    picker = page.locator(f"#{control}-picker")
    if picker.get_attribute("open") is None:
        picker.locator("summary").click()
    picker.get_by_role("checkbox", name=name, exact=True).click()


def checked(page, control: str) -> list[str]:
    """The names of the ticked checkboxes of a list filter."""
    boxes = page.locator(f"#{control}-picker [role=checkbox][aria-checked=true]")
    return boxes.evaluate_all("els => els.map(e => e.textContent)")  # also while the disclosure is closed


def axe_violations(page) -> tuple[int, str]:
    """axe's whole rule set on the page as it is, nothing excluded."""
    results = Axe().run(page)
    return results.violations_count, results.generate_report()


def lane_labels(page) -> list[str]:
    """The lane names as drawn, without the swatch of colour before an actor that has one."""
    texts = page.locator("#timeline .yaxislayer-above .ytick text").evaluate_all("els => els.map(e => e.textContent)")
    return [text.removeprefix(SWATCH) for text in texts]


def listed_titles(page) -> list[str]:
    return page.locator("#event-list .event-link").all_inner_texts()


def expected_titles(frame, filters: Filters) -> list[str]:
    return list(frame.events.iloc[matching(frame, filters)]["title"])


def test_page_loads_without_errors_and_draws_every_event(page, bundled_url, bundled_frame):
    callbacks, layouts = [], []
    page.on("request", lambda r: "_dash-update-component" in r.url and callbacks.append(r.post_data))
    page.on("request", lambda r: r.url.endswith("/_dash-layout") and layouts.append(r.headers.get("referer")))
    open_view(page, bundled_url + "/")
    total = len(bundled_frame.events)
    assert_every_event_drawn(page, bundled_frame)
    assert page.locator("#event-count").inner_text() == f"{total} of {total} events shown"
    assert listed_titles(page) == list(bundled_frame.events["title"][:PAGE_SIZE])
    assert page.locator(".list-status").inner_text() == f"Events 1–{PAGE_SIZE} of {total}, page 1 of 2"
    page.wait_for_timeout(500)
    assert callbacks == []  # the chart, list and count came with the page: no callback before or after it
    assert layouts == [bundled_url + "/"]  # preloaded with the page, fetched once, for the page's own URL
    assert page.locator("html").get_attribute("lang") == "en"
    assert "WebGL is not supported" not in page.content()
    assert page.locator("[data-title*='Share'], [data-title*='Chart Studio']").count() == 0
    lanes = lane_labels(page)
    assert "Hamas" in lanes and "Qatar" in lanes
    assert page.errors == []


def test_one_lane_still_gets_a_readable_plot_area(page, bundled_url):
    # A tall legend once squeezed the plot of a single lane to nothing (plotly: "axis scaling" error).
    for actor in ("hamas", "egypt", "icrc"):
        open_view(page, bundled_url + f"/?actors={actor}")
        page.wait_for_function(
            "() => { const gd = document.querySelector('#timeline .js-plotly-plot');"
            " return gd && gd._fullLayout && gd._fullLayout.yaxis.ticktext.length === 1; }"
        )
        height = page.evaluate("() => document.querySelector('#timeline .js-plotly-plot')._fullLayout._size.h")
        assert height >= lane_height(LABEL_PX, 4, MARK_PX), (actor, height)  # the whole band a lane alone gets
    assert page.errors == []


def test_ticking_an_actor_filters_chart_list_and_url(page, mini_url, mini_frame):
    open_view(page, mini_url + "/")
    summary = page.locator("#filter-actors-summary")
    assert summary.inner_text() == "Actors: all"
    assert not page.get_by_role("checkbox", name="Gamma").is_visible()  # closed until the summary is clicked
    tick(page, "filter-actors", "Gamma")
    wait_for_count(page, "2 of 5")
    assert summary.inner_text() == "Actors: Gamma"
    assert checked(page, "filter-actors") == ["Gamma"]
    assert parse_qs(urlparse(page.url).query) == {"actors": ["gamma"]}
    assert page.get_by_role("link", name="Present").get_attribute("href") == "/present/?actors=gamma"
    assert page.get_by_role("link", name="Printable handout").get_attribute("href") == "/handout/?actors=gamma"
    chosen = Filters(actors=("gamma",))
    assert listed_titles(page) == expected_titles(mini_frame, chosen)
    assert rendered_events(page) == set(matching(mini_frame, chosen).tolist())
    lanes = lane_labels(page)
    assert "Gamma" in lanes and "Beta Movement" not in lanes
    tick(page, "filter-actors", "Beta Movement")
    page.wait_for_function("() => location.search === '?actors=gamma,beta'")
    assert summary.inner_text() == "Actors: Beta Movement, Gamma"  # in the list's order, not the order of ticking
    tick(page, "filter-actors", "Alpha State")
    page.wait_for_function("() => location.search === '?actors=gamma,beta,alpha'")
    assert summary.inner_text() == "Actors: 3 chosen"
    for name in ("Gamma", "Beta Movement", "Alpha State"):
        tick(page, "filter-actors", name)
    wait_for_count(page, "5 of 5")
    assert summary.inner_text() == "Actors: all" and checked(page, "filter-actors") == []
    assert urlparse(page.url).query == ""
    assert page.errors == []


def test_a_filter_draws_the_chart_once_and_a_new_width_draws_it_again(page, bundled_url):
    """Fewer lanes make a shorter chart: that redraw is the filter's own, not a second one for the graph's new
    height. A new width still redraws it to fit."""
    open_view(page, bundled_url + "/")
    page.evaluate(GRAPH + " window.drawings = 0; gd.on('plotly_afterplot', () => { window.drawings += 1; }); }")
    height = page.evaluate(GRAPH + " return gd._fullLayout.height; }")
    tick(page, "filter-actors", "Egypt")
    wait_for_count(page, "")
    page.wait_for_function(GRAPH + f" return gd._fullLayout.height < {height}; }}")
    page.wait_for_timeout(1500)  # time for a second drawing, were there one
    assert page.evaluate("window.drawings") == 1
    width = page.evaluate(GRAPH + " return gd._fullLayout.width; }")
    page.set_viewport_size({"width": page.viewport_size["width"] - 200, "height": page.viewport_size["height"]})
    page.wait_for_function(GRAPH + f" return gd._fullLayout.width < {width} - 150; }}")
    assert page.errors == []


def test_type_and_issue_filters_combine(page, mini_url, mini_frame):
    open_view(page, mini_url + "/")
    tick(page, "filter-issues", "Prisoner exchange")
    wait_for_count(page, "2 of 5")
    tick(page, "filter-types", "Talks begin")
    chosen = Filters(types=("talks_start",), issues=("exchange",))
    wait_for_count(page, f"{len(matching(mini_frame, chosen))} of 5")
    assert parse_qs(urlparse(page.url).query) == {"types": ["talks_start"], "issues": ["exchange"]}
    assert page.locator("#filter-types-summary").inner_text() == "Event types: Talks begin"
    assert page.locator("#filter-issues-summary").inner_text() == "Issues: Prisoner exchange"
    assert listed_titles(page) == expected_titles(mini_frame, chosen)
    page.get_by_role("link", name="Reset filters").click()
    wait_for_count(page, "5 of 5")
    for control, label in PICKERS:
        assert page.locator(f"#{control}-summary").inner_text() == f"{label}: all"
        assert checked(page, control) == []


@pytest.mark.parametrize(("chosen", "expected"), [
    ((), "Actors: all"),
    (("gamma",), "Actors: Gamma"),
    (("gamma", "alpha"), "Actors: Alpha State, Gamma"),
    (("alpha", "beta", "gamma"), "Actors: 3 chosen"),
    (("nobody",), "Actors: 1 chosen"),
])  # fmt: skip
def test_picker_summary_says_what_is_chosen(chosen, expected):
    names = {"alpha": "Alpha State", "beta": "Beta Movement", "gamma": "Gamma"}
    assert picker_summary("Actors", chosen, names) == expected


def test_typing_a_search_and_a_date_updates_the_url_and_list(page, mini_url, mini_frame):
    open_view(page, mini_url + "/")
    page.locator("#filter-search").fill("talks")
    wait_for_count(page, "2 of 5")
    page.locator("#filter-from").fill("2024-03-05")
    wait_for_count(page, "1 of 5")
    assert parse_qs(urlparse(page.url).query) == {"q": ["talks"], "from": ["2024-03-05"]}
    assert listed_titles(page) == ["Talks expected to resume"]


def test_keyboard_alone_filters_and_opens_an_event(page, mini_url):
    open_view(page, mini_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Open your data"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-actors-summary"
    picker = page.locator("#filter-actors-picker")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#filter-actors-picker').open")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    gamma = picker.get_by_role("checkbox", name="Gamma")
    assert page.evaluate("document.activeElement.textContent") == "Gamma"
    page.keyboard.press("Space")
    wait_for_count(page, "2 of 5")
    assert gamma.get_attribute("aria-checked") == "true"
    assert page.evaluate("document.activeElement.textContent") == "Gamma"  # the update keeps focus where it was
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # Beta Movement
    page.wait_for_function("() => location.search === '?actors=gamma,beta'")
    page.keyboard.press("Space")
    page.wait_for_function("() => location.search === '?actors=gamma'")
    page.locator("#filter-actors-summary").focus()
    page.keyboard.press("Space")  # Space on the summary closes the disclosure again
    page.wait_for_function("() => !document.querySelector('#filter-actors-picker').open")
    assert not gamma.is_visible()
    page.keyboard.press("Tab")  # the closed list is skipped: the next stop is the next filter
    assert page.evaluate("document.activeElement.id") == "filter-types-summary"
    page.locator("#event-list .event-link").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'detail-title'")
    assert page.locator("#event-detail h2").inner_text() == "Talks open in Gamma City"


def test_a_long_list_scrolls_inside_its_disclosure_and_tab_leaves_it(page, bundled_url, bundled_frame):
    open_view(page, bundled_url + "/")
    page.locator("#filter-types-summary").click()
    boxes = page.locator("#filter-types-picker [role=checkbox]")
    count = boxes.count()
    assert count == bundled_frame.events["type"].nunique()
    options = page.locator("#filter-types-picker .picker-options")
    assert options.evaluate("el => el.scrollHeight > el.clientHeight + 100")  # it scrolls: the page does not grow
    boxes.first.focus()
    for _ in range(count - 1):
        page.keyboard.press("Tab")
    last = boxes.nth(count - 1)
    assert page.evaluate("document.activeElement.textContent") == last.inner_text()
    inside = options.evaluate("""el => { const box = el.getBoundingClientRect();
        const r = document.activeElement.getBoundingClientRect();
        return r.top >= box.top && r.bottom <= box.bottom; }""")
    assert inside, "the focused checkbox is scrolled into view"
    page.keyboard.press("Space")
    page.wait_for_function("() => new URLSearchParams(location.search).has('types')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filter-issues-summary"  # no focus trap


@pytest.mark.parametrize("width", [1400, 800])
def test_a_focused_filter_stays_in_the_window_with_the_lists_open(page, bundled_url, width):
    # The sticky filter panel, once taller than the window, kept its lower filters below the window's edge; at
    # one column it also slid over the chart.
    page.set_viewport_size({"width": width, "height": 800})
    open_view(page, bundled_url + "/")
    for control, _ in PICKERS:
        page.locator(f"#{control}-summary").click()
    page.evaluate("window.scrollTo(0, 400)")
    for control in ("filter-search", "filter-asof", "filter-types-summary", "filter-search"):
        page.locator(f"#{control}").focus()
        top, bottom = page.evaluate("() => { const r = document.activeElement.getBoundingClientRect();"
                                    " return [r.top, r.bottom]; }")  # fmt: skip
        assert top >= 0 and bottom <= 800, (control, top, bottom)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    panel, chart = (page.locator(s).bounding_box() for s in (".filters", "#timeline"))
    assert panel["y"] + panel["height"] <= chart["y"] or panel["x"] + panel["width"] <= chart["x"]  # never over it


def test_deep_link_restores_its_filters(page, mini_url, mini_frame):
    open_view(page, mini_url + "/?actors=beta,nobody&issues=exchange&from=2024-03-01&to=2024-03-31&q=<script>")
    page.wait_for_function("() => document.querySelector('#filter-actors-summary').textContent !== 'Actors: all'")
    names = {a.id: a.name for a in mini_frame.dataset.actors}
    assert page.locator("#filter-actors-summary").inner_text() == picker_summary("Actors", ["beta"], names)
    assert page.locator("#filter-actors-summary").inner_text() == "Actors: Beta Movement"
    assert page.locator("#filter-issues-summary").inner_text() == "Issues: Prisoner exchange"
    assert page.locator("#filter-types-summary").inner_text() == "Event types: all"
    assert checked(page, "filter-actors") == ["Beta Movement"]
    assert checked(page, "filter-issues") == ["Prisoner exchange"]
    assert page.locator("#filter-from").input_value() == "2024-03-01"
    assert page.locator("#filter-to").input_value() == "2024-03-31"
    assert page.locator("#filter-search").input_value() == "<script>"
    assert page.locator("#event-count").inner_text() == "0 of 5 events shown"
    page.goto(mini_url + "/?actors=beta&issues=exchange&from=2024-03-01&to=2024-03-31")
    wait_for_count(page, "2 of 5")
    filters = Filters(actors=("beta",), issues=("exchange",))
    assert listed_titles(page) == expected_titles(mini_frame, filters)
    assert page.errors == []


def test_clicking_an_event_in_the_list_shows_its_sources_and_claims(page, mini_url):
    open_view(page, mini_url + "/")
    page.get_by_role("link", name="Beta delegation leaves to consult").click()
    detail = page.locator("#event-detail")
    detail.wait_for(state="visible")
    assert "event=beta-leaves" in page.url
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'detail-title'")
    assert detail.locator("h2").inner_text() == "Beta delegation leaves to consult"
    assert "7 Mar 2024 (date known to: exact day)" in detail.inner_text()
    links = detail.locator(".sources a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        "https://example.org/b", "https://example.net/c"]  # fmt: skip
    claims = detail.locator(".claim").all_inner_texts()
    assert len(claims) == 2 and claims[0].startswith("Beta says:") and claims[1].startswith("Alpha says:")
    assert "We will return next week." in detail.locator("blockquote").inner_text()
    detail.get_by_role("link", name="Beta Movement").click()  # actor names lead to the glossary
    page.wait_for_function("() => location.hash === '#actor-beta'")
    glossary_entry = page.locator("#actor-beta")
    assert glossary_entry.is_visible() and "armed group" in glossary_entry.inner_text()
    assert "The other party." in page.locator("#actor-beta + dd").inner_text()
    detail.get_by_role("link", name="Close details").click()
    detail.wait_for(state="hidden")
    assert "event=" not in page.url


def test_clicking_a_marker_in_the_chart_opens_its_details(page, mini_url, mini_frame):
    open_view(page, mini_url + "/")
    truce = mini_frame.position("truce")
    point = page.evaluate(
        """(row) => { const gd = document.querySelector('#timeline .js-plotly-plot');
           const i = gd._fullData.findIndex(t => t.customdata && Array.from(t.customdata).includes(row));
           const j = Array.from(gd._fullData[i].customdata).indexOf(row);
           const layer = gd.querySelectorAll('.scatterlayer .trace')[i];
           const r = layer.querySelectorAll('path.point')[j].getBoundingClientRect();
           return [r.x + r.width / 2, r.y + r.height / 2]; }""",
        truce,
    )
    page.mouse.move(*point)
    page.locator("#timeline-tooltip").get_by_text("Truce holds").wait_for()
    assert "20–27 Mar 2024 · date known to: exact day" in page.locator("#timeline-tooltip").inner_text()
    page.mouse.click(*point)
    page.locator("#event-detail h2", has_text="Truce holds").wait_for()
    assert page.locator("#event-detail .sources a").get_attribute("href") == "https://example.org/e"


def test_hostile_text_in_a_dataset_renders_inert(page):
    app = create_app([FIXTURES / "hostile.yaml"])
    with serving(app) as url:
        open_view(page, url + "/?event=hostile")
        page.wait_for_selector("#event-detail h2")
        assert page.evaluate("window.__pwned") is None
        assert page.locator("#event-detail img, #event-list img, .page-head img").count() == 0
        assert page.locator("a[href^='javascript:' i]").count() == 0
        assert "<img src=x onerror=window.__pwned=1>" in page.locator("#event-detail h2").inner_text()
        listed = page.locator("#event-list .event-link").all_inner_texts()  # drawn by assets/dashboard.js
        assert "<img src=x onerror=window.__pwned=1>" in listed and "<img src=x onerror=window.__pwned=11>" in listed
        assert "<b onmouseover=window.__pwned=3>Evil</b>" in page.locator("#event-list .event-meta").first.inner_text()
        assert "<a href='javascript:window.__pwned=2'>" in page.locator("#event-detail .detail-summary").inner_text()
        lanes = lane_labels(page)  # as text, shortened to the lane names' margin
        assert any(lane.startswith("<b onmouseover=window.__pwned=3>Evi") for lane in lanes), lanes
        evil = "<b onmouseover=window.__pwned=3>Evil</b>"
        tick(page, "filter-actors", evil)  # the filter's checkboxes are drawn by assets/dashboard.js
        page.wait_for_function(
            "s => document.querySelector('#filter-actors-summary').textContent === s", arg="Actors: " + evil
        )
        assert checked(page, "filter-actors") == [evil]
        assert page.locator("#filter-actors-picker b").count() == 0
        assert page.evaluate("window.__pwned") is None


def test_phone_width_draws_the_chart_without_errors(chromium, bundled_url, bundled_frame):
    # At 375 px the chart is first drawn with a legend one entry a row; hiding it then shortened the chart below
    # the margin plotly still kept for it, and plotly threw "Something went wrong with axis scaling".
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        for query, lanes in [("", 10), ("?actors=hamas", 1), ("?actors=hamas,egypt&types=proposal", 2)]:
            open_view(page, bundled_url + "/" + query)
            page.wait_for_function(GRAPH + " return gd && gd._fullLayout && gd._fullLayout.showlegend === false; }")
            layout = page.evaluate(
                GRAPH + " const l = gd._fullLayout; return {size: l._size, ticks: l.yaxis.ticktext,"
                " labels: gd._fullData.filter(t => t.name === 'Event labels').length}; }"
            )
            assert len(layout["ticks"]) == lanes and all(len(t) <= 16 for t in layout["ticks"])
            assert layout["size"]["h"] >= min(100, 40 * lanes), (query, layout)  # a readable plot area
            assert layout["size"]["b"] < 160, (query, layout)  # no room kept for the hidden legend
            assert layout["labels"] == 0, query  # no room for the events' labels either
            assert layout["size"]["w"] >= 150, (query, layout)
            assert_every_event_drawn(page, bundled_frame, query)
        open_view(page, bundled_url + "/?actors=hamas")
        page.wait_for_function(GRAPH + " return gd._fullLayout.yaxis.ticktext.length === 1; }")
        tick(page, "filter-actors", "Israel")  # a filter chosen on the phone redraws the chart as well
        page.wait_for_function(GRAPH + " return gd._fullLayout.yaxis.ticktext.length === 2; }")
        assert page.evaluate(GRAPH + " return gd._fullLayout._size.h; }") >= 80
        assert errors == []
    finally:
        context.close()


VIEWS = {
    "default": "/",
    "filters applied": "/?types=proposal,statement&from=2024-02-01",
    "event selected": "/?event={first}",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
@pytest.mark.parametrize("state", list(VIEWS))
def test_axe_finds_no_violations_on_the_dashboard(chromium, bundled_url, bundled_frame, state, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_view(page, bundled_url + VIEWS[state].format(first=bundled_frame.events.iloc[0]["id"]))
        if state == "filters applied":  # and one more through the control, left open for axe to see
            tick(page, "filter-actors", "Hamas")
            page.wait_for_function("() => location.search.includes('actors=hamas')")
            wait_for_count(page, "")
        if state == "event selected":
            page.wait_for_selector("#event-detail h2")
        count, report = axe_violations(page)
        assert count == 0, report
        assert errors == []
    finally:
        context.close()


def test_headers_and_no_third_party_requests(page, bundled_url):
    hosts = set()
    page.on("request", lambda r: hosts.add(urlparse(r.url).netloc))
    response = page.goto(bundled_url + "/")
    page.wait_for_selector("#timeline .main-svg .scatterlayer .trace", state="attached")
    headers = response.headers
    assert re.search(r"frame-ancestors 'none'", headers["content-security-policy"])
    assert headers["x-content-type-options"] == "nosniff"
    assert hosts == {urlparse(bundled_url).netloc}


def test_small_datasets_load_plotlys_basic_bundle(page, mini_url):
    scripts = []
    page.on("response", lambda r: "plotly" in r.url and scripts.append(urlparse(r.url).path))
    open_view(page, mini_url + "/")
    assert scripts == ["/embed/plotly-basic.min.js"]


def test_the_dashboard_keeps_the_browsers_own_string_functions(page, mini_url):
    """Dash's `@babel/polyfill` is replaced by regenerator-runtime, the one part of it the pages use: its core-js
    swapped in a slower String.prototype.trim of its own, which also strips U+180E, as Unicode no longer does."""
    scripts = []
    page.on("response", lambda r: urlparse(r.url).path.endswith(".js") and scripts.append(urlparse(r.url).path))
    open_view(page, mini_url + "/")
    assert "/embed/regenerator-runtime.js" in scripts and not any("polyfill" in s for s in scripts), scripts
    assert page.evaluate("typeof regeneratorRuntime.mark === 'function' && '\u180e'.trim().length === 1")


# The marks that only a zoomed-in chart draws: markers of single events and clusters, not the ticks under the
# labels of a zoomed-out one, nor the labels' own points.
MARKERS = (
    "t => t.type === 'scatter' && !['lines', 'none'].includes(t.mode)"
    " && !['Labelled events', 'Event labels'].includes(t.name)"
)


def drawn(page) -> dict[str, int]:
    """How many marks of each kind the chart holds: bars ("bars", counted by their hover points; their outline is
    "outline"), markers ("scatter"), spans ("lines", 3 points each), the ticks of labelled events on a zoomed-out
    chart ("ticks") and the labels' points ("labels")."""
    counts = page.evaluate(GRAPH + " const n = {}; for (const t of gd._fullData) { const k ="
                                   " t.name === 'Counts per bin' ? 'bars' : t.fill === 'toself' ? 'outline' :"
                                   " t.mode === 'lines' ? 'lines' : t.name === 'Labelled events' ? 'ticks' :"
                                   " t.name === 'Event labels' ? 'labels' : t.type;"
                                   " n[k] = (n[k] || 0) + t._length; } return n; }")  # fmt: skip
    return {k: int(v) for k, v in counts.items()}


def x_range(page) -> list[str]:
    return page.evaluate(GRAPH + " return gd._fullLayout.xaxis.range; }")


def test_large_datasets_draw_counts_then_single_events_as_you_zoom(page):
    from timeline.data.frame import build_frame
    from timeline.data.synthetic import synthetic_dataset
    from timeline.query.lod import MAX_MARKS

    frame = build_frame(synthetic_dataset(20_000, seed=2))
    with serving(create_app(frame=frame)) as url:
        scripts, zooms = [], []
        page.on("response", lambda r: "plotly" in r.url and scripts.append(urlparse(r.url).path))
        page.on("request", lambda r: "timeline-zoom.data" in (r.post_data or "") and zooms.append(r.post_data))
        page.set_default_timeout(60_000)  # 20,000 events, on a machine that may be busy
        response = page.goto(url + "/")
        assert "'unsafe-eval'" not in response.headers["content-security-policy"]
        page.wait_for_selector("#timeline .scatterlayer .js-fill", state="attached")  # the bars' outline
        assert scripts == ["/embed/plotly-basic.min.js"]
        zoomed_out = drawn(page)
        assert set(zoomed_out) <= {"bars", "outline", "ticks", "labels"}
        assert zoomed_out["bars"] + zoomed_out.get("ticks", 0) <= MAX_MARKS
        assert "20,000 of 20,000 events shown" in page.locator("#event-count").inner_text()
        # Pointing at a bar gives its count in plotly's label, and asks the server nothing: only events have cards.
        asked = []
        page.on("request", lambda r: "timeline-tooltip" in (r.post_data or "") and asked.append(r.post_data))
        bar = page.evaluate(GRAPH + " const t = gd._fullData.find(t => t.name === 'Counts per bin');"
                                    " const box = gd.querySelector('.nsewdrag').getBoundingClientRect();"
                                    " return [box.x + gd._fullLayout.xaxis.l2p(t.x[3]),"
                                    " box.y + gd._fullLayout.yaxis.l2p(t.y[3])]; }")  # fmt: skip
        page.mouse.move(*bar)
        page.locator("#timeline .hovertext").filter(has_text=" events ").wait_for()
        page.wait_for_timeout(500)
        assert asked == []
        page.mouse.move(0, 0)
        # Drag across a few days of the plot, as a reader zooms in. The detail is asked for before plotly.js draws
        # the new range with what it has (which it then only does if the detail is slow): note the range drawn
        # when the zoom is sent.
        page.evaluate("""() => { const set = window.dash_clientside.set_props; window.rangesWhenSent = [];
            window.dash_clientside.set_props = function (id, props) {
              const gd = document.querySelector('#timeline .js-plotly-plot');
              if (id === 'timeline-zoom') window.rangesWhenSent.push(gd._fullLayout.xaxis.range.slice());
              return set.apply(this, arguments); }; }""")
        before = x_range(page)
        box = page.locator("#timeline .nsewdrag").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.5, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.5 + 30, y, steps=6)  # wider than plotly's 20 px minimum
        page.mouse.up()
        page.wait_for_function("() => new URLSearchParams(location.search).has('window')")
        page.wait_for_function(GRAPH + f" return gd._fullData.some({MARKERS}); }}")
        zoomed_in = drawn(page)
        assert 0 < zoomed_in["scatter"] <= MAX_MARKS and "bars" not in zoomed_in  # nothing outside the window
        assert len(zooms) == 1  # asked for as the drag ended (assets/dashboard.js, askBeforeDrawing), and only once
        assert page.evaluate("window.rangesWhenSent") == [before]
        window = parse_qs(urlparse(page.url).query)["window"][0]
        start, end = window.split("..")
        assert x_range(page)[0].startswith(start)
        assert "double-click the chart" in page.locator("#timeline-caption").inner_text()
        page.reload()  # the URL alone draws the same window
        page.wait_for_function(GRAPH + f" return gd && gd._fullData && gd._fullData.some({MARKERS}); }}")
        assert x_range(page)[0].startswith(start) and drawn(page) == zoomed_in
        page.locator("#timeline .nsewdrag").dblclick()  # plotly's reset: all of it again
        page.wait_for_function("() => !new URLSearchParams(location.search).has('window')")
        page.wait_for_function(GRAPH + f" return !gd._fullData.some({MARKERS}); }}")
        assert drawn(page) == zoomed_out and len(zooms) == 2
        assert page.errors == []


def test_the_list_pages_by_keyboard_and_keeps_the_window(page, bundled_url, bundled_frame):
    total = len(bundled_frame.events)
    open_view(page, bundled_url + "/?window=2024-03-01..2024-03-31")
    assert x_range(page)[0].startswith("2024-03-01") and x_range(page)[1].startswith("2024-04-01")
    pager = page.get_by_role("navigation", name="Pages of the event list")
    pager.get_by_role("link", name="Next ›").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('page') === '2'")
    status = page.locator(".list-status")
    page.wait_for_function("() => document.querySelector('.list-status').textContent.startsWith('Events 51')")
    assert status.inner_text() == f"Events {PAGE_SIZE + 1}–{total} of {total}, page 2 of 2"
    assert status.get_attribute("aria-live") == "polite"
    assert listed_titles(page) == list(bundled_frame.events["title"][PAGE_SIZE:])
    assert parse_qs(urlparse(page.url).query)["window"] == ["2024-03-01..2024-03-31"]
    assert pager.get_by_role("link", name="Next ›").count() == 0  # the last page: nowhere to go
    page.locator("#event-list .event-link").first.click()  # opening an event keeps the page
    page.locator("#event-detail h2").wait_for()
    assert page.locator(".list-status").inner_text().startswith(f"Events {PAGE_SIZE + 1}")
    page.get_by_role("link", name="Close details").click()
    page.locator("#event-detail").wait_for(state="hidden")
    assert page.locator(".list-status").inner_text().startswith(f"Events {PAGE_SIZE + 1}")
    page.get_by_role("link", name="« First").click()
    page.wait_for_function("() => document.querySelector('.list-status').textContent.startsWith('Events 1–')")
    assert page.errors == []


def test_a_search_with_no_match_says_so_in_the_list_and_clearing_it_brings_the_list_back(page, mini_url, mini_frame):
    open_view(page, mini_url + "/?q=nosuchwordanywhere")
    status = page.locator("#event-list [role=status]")
    assert status.inner_text() == "No events match these filters."
    assert page.locator("#event-list ol.events").is_hidden() and page.locator("#event-list nav").is_hidden()
    assert listed_titles(page) == []
    status.evaluate("element => { window.__status = element; }")
    page.locator("#filter-search").fill("")
    page.locator("#filter-search").press("Enter")
    total = len(mini_frame.events)
    page.wait_for_function(f"() => document.querySelector('#event-list [role=status]').textContent === "
                           f"'Events 1–{total} of {total}'")  # fmt: skip
    assert listed_titles(page) == list(mini_frame.events["title"])
    # the same live region, updated in place, so that screen readers announce the new list
    assert page.evaluate("() => document.querySelector('#event-list [role=status]') === window.__status")
    assert status.get_attribute("aria-live") == "polite" and page.locator("#event-list nav").is_hidden()
    assert page.errors == []


def test_a_page_whose_referrer_is_stripped_still_shows_its_own_view(chromium, mini_url, mini_frame):
    # Some browsers and proxies send no Referer: the layout is built for the unfiltered view, then put right. The
    # cookie that remembers the page's query is left out too, as a browser that blocks cookies would.
    context = chromium.new_context(extra_http_headers={"Referer": ""}, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    context.route("**/_dash-layout", lambda route: route.continue_(headers={
        k: v for k, v in route.request.headers.items() if k.lower() != "referer"}))  # fmt: skip

    def without_cookies(route):
        response = route.fetch()  # which keeps the page's cookie in the context's jar: drop it
        context.clear_cookies()
        route.fulfill(response=response, headers={k: v for k, v in response.headers.items() if k != "set-cookie"})

    context.route("**/?actors=*", without_cookies)
    try:
        page.goto(mini_url + "/?actors=gamma")
        assert page.context.cookies() == []
        assert page.locator(".page").get_attribute("data-search") == ""  # the layout was built for another view
        wait_for_count(page, "2 of 5")
        # the controls follow the view a moment later (callbacks.update, then timeline.setControls)
        page.wait_for_function("() => document.querySelector('#filter-actors-summary').textContent === 'Actors: Gamma'")
        assert rendered_events(page) == set(matching(mini_frame, Filters(actors=("gamma",))).tolist())
    finally:
        context.close()
