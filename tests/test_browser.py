"""The dashboard in a real headless Chromium: what a person sees, clicks and types."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe

from timeline.app import create_app
from timeline.filters import Filters, matching

from .conftest import FIXTURES, MINI, serving

pytestmark = pytest.mark.browser

# Dash 4's Dropdown keeps an aria-hidden, focusable input as a Safari tab-order workaround (dash-core-components
# Dropdown source); axe flags it as aria-hidden-focus. Only that element is excluded.
AXE_EXCLUDE = [".dash-dropdown-focus-target"]


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
    """Row positions of every event drawn as a marker in the chart, read from plotly's own data."""
    data = page.evaluate(
        "() => document.querySelector('#timeline .js-plotly-plot')._fullData"
        ".filter(t => t.customdata).map(t => [t.type, t._length, Array.from(t.customdata)])"
    )
    assert all(length == len(rows) for _, length, rows in data)
    return {int(r) for _, _, rows in data for r in rows}


def lane_labels(page) -> list[str]:
    return page.locator("#timeline .yaxislayer-above .ytick text").evaluate_all("els => els.map(e => e.textContent)")


def listed_titles(page) -> list[str]:
    return page.locator("#event-list .event-link").all_inner_texts()


def expected_titles(frame, filters: Filters) -> list[str]:
    return list(frame.events.iloc[matching(frame, filters)]["title"])


def test_page_loads_without_errors_and_draws_every_event(page, bundled_url, bundled_frame):
    open_view(page, bundled_url + "/")
    total = len(bundled_frame.events)
    assert rendered_events(page) == set(range(total))
    assert page.locator("#event-count").inner_text() == f"{total} of {total} events shown"
    assert len(listed_titles(page)) == total
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
        assert height >= 100, (actor, height)
    assert page.errors == []


def test_choosing_an_actor_filters_chart_and_list(page, mini_url, mini_frame):
    open_view(page, mini_url + "/")
    page.locator("#filter-actors").click()
    page.get_by_role("option", name="Gamma").click()
    page.keyboard.press("Escape")
    wait_for_count(page, "2 of 5")
    assert parse_qs(urlparse(page.url).query) == {"actors": ["gamma"]}
    assert page.get_by_role("link", name="Present").get_attribute("href") == "/present/?actors=gamma"
    assert page.get_by_role("link", name="Printable handout").get_attribute("href") == "/handout/?actors=gamma"
    chosen = Filters(actors=("gamma",))
    assert listed_titles(page) == expected_titles(mini_frame, chosen)
    assert rendered_events(page) == set(matching(mini_frame, chosen).tolist())
    lanes = lane_labels(page)
    assert "Gamma" in lanes and "Beta Movement" not in lanes
    assert page.errors == []


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
    assert page.evaluate("document.activeElement.id") == "filter-actors"
    page.keyboard.press("Enter")
    page.get_by_role("listbox").wait_for()
    page.keyboard.type("gam")
    page.get_by_role("option", name="Alpha State").wait_for(state="detached")  # the search has narrowed the list
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_for_count(page, "2 of 5")
    page.locator("#event-list .event-link").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'detail-title'")
    assert page.locator("#event-detail h2").inner_text() == "Talks open in Gamma City"


def test_deep_link_restores_its_filters(page, mini_url, mini_frame):
    open_view(page, mini_url + "/?actors=beta,nobody&issues=exchange&from=2024-03-01&to=2024-03-31&q=<script>")
    assert page.locator("#filter-actors").inner_text().strip() == "Beta Movement"
    assert page.locator("#filter-issues").inner_text().strip() == "Prisoner exchange"
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
        assert "<a href='javascript:window.__pwned=2'>" in page.locator("#event-detail .detail-summary").inner_text()
        lanes = lane_labels(page)
        assert "<b onmouseover=window.__pwned=3>Evil</b>" in lanes
        assert page.evaluate("window.__pwned") is None


def test_axe_finds_no_violations_with_details_open(page, bundled_url, bundled_frame):
    first = bundled_frame.events.iloc[0]["id"]
    open_view(page, bundled_url + f"/?event={first}")
    page.wait_for_selector("#event-detail h2")
    results = Axe().run(page, context={"exclude": [[s] for s in AXE_EXCLUDE]})
    assert results.violations_count == 0, results.generate_report()


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


def test_large_datasets_draw_with_webgl_under_the_csp(page):
    from timeline.frame import build_frame
    from timeline.synthetic import synthetic_dataset

    frame = build_frame(synthetic_dataset(2_500))
    with serving(create_app(frame=frame)) as url:
        response = page.goto(url + "/")
        assert "'unsafe-eval'" in response.headers["content-security-policy"]
        wait_for_count(page, "")
        page.wait_for_function("() => { const gd = document.querySelector('#timeline .js-plotly-plot');"
                               " return gd && gd._fullData && gd._fullData.length > 0; }")  # fmt: skip
        types = page.evaluate("() => document.querySelector('#timeline .js-plotly-plot')._fullData.map(t => t.type)")
        assert set(types) == {"scattergl"}
        assert len(rendered_events(page)) == 2_500
        assert "WebGL is not supported" not in page.content()
        assert page.errors == []
