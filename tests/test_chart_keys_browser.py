"""The chart and the event list point at each other, by mouse and by keyboard: a list item shows its event's card
on the chart, the chart steps through its events with the arrow keys, a mark points out its line in the list, and
a click on a cluster zooms to the events it holds."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from timeline.figures.chart import CLUSTER
from timeline.query.state import DAY_MS, Window
from timeline.web.app import create_app
from timeline.web.callbacks import cluster_window

from .conftest import serving
from .test_browser import open_view

# The hover card's text once the server has filled it in (dcc.Tooltip says "Loading..." while it waits); "" before.
CARD = ("() => { const tip = document.querySelector('#timeline-tooltip'); const text = tip ? tip.innerText : '';"
        " return text.startsWith('Loading') ? '' : text; }")  # fmt: skip


def cluster_click(lo: float, hi: float) -> dict:
    return {"points": [{"curveNumber": 0, "pointNumber": 0, "customdata": [CLUSTER, lo, hi]}]}


def test_a_cluster_opens_to_the_days_its_events_cover_and_nothing_else_does():
    march = Window.parse("2024-03-01..2024-03-31")
    lo, hi = march.ms()[0] + 4 * DAY_MS, march.ms()[0] + 6 * DAY_MS
    opened = cluster_window(cluster_click(lo, hi), march)
    days = Window.from_ms(lo, hi)
    assert opened is not None and opened.start <= days.start <= days.end <= opened.end
    assert 7 <= (opened.end - opened.start).days + 1 <= 9  # a quarter of March, at least a week
    for other in ({"points": [{"customdata": 12}]}, {"points": [{"customdata": [3, 7]}]},
                  cluster_click(hi, lo), cluster_click(float("nan"), hi), None, "x"):  # fmt: skip
        assert cluster_window(other, march) is None


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


def test_focusing_an_event_in_the_list_shows_its_card_on_the_chart(page, bundled_url):
    open_view(page, bundled_url + "/?from=2024-03-01&to=2024-03-31")
    on_chart = page.evaluate(
        """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
          const drawn = new Set(gd._fullData.flatMap(t => t.customdata ? Array.from(t.customdata) : []));
          const items = [...document.querySelectorAll('.event-item')];
          return items.findIndex(li => drawn.has(Number(li.dataset.position))); }"""
    )
    assert on_chart >= 0, "no event of the list is drawn as a single mark"
    link = page.locator(".event-item .event-link").nth(on_chart)
    link.focus()
    page.wait_for_function(f"(title) => ({CARD})().split('\\n')[0] === title", arg=link.inner_text())
    assert page.errors == []


def test_the_chart_steps_through_its_events_by_keyboard_and_enter_opens_one(page, bundled_url):
    open_view(page, bundled_url + "/?from=2024-03-01&to=2024-03-31")
    page.focus("figure.chart")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({CARD})().length > 0")
    first = page.evaluate(CARD).splitlines()[0]
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"(first) => {{ const t = ({CARD})(); return t !== '' && t.split('\\n')[0] !== first; }}",
                           arg=first)  # fmt: skip
    second = page.evaluate(CARD).splitlines()[0]
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('event=')")
    page.wait_for_function("(title) => { const h = document.querySelector('#detail-title');"
                           " return h !== null && h.innerText === title; }", arg=second)  # fmt: skip
    # The mark under the card points out its line in the list.
    assert page.locator(".event-item.is-pointed").count() <= 1
    assert page.errors == []


def test_pointing_at_a_mark_marks_its_line_in_the_list(page, bundled_url):
    open_view(page, bundled_url + "/?from=2024-03-01&to=2024-03-31")
    page.focus("figure.chart")
    page.keyboard.press("Home")
    page.wait_for_function(f"() => ({CARD})().length > 0")
    pointed = page.locator(".event-item.is-pointed .event-link")
    assert pointed.count() == 1 and pointed.inner_text() == page.evaluate(CARD).splitlines()[0]


def test_a_click_on_a_cluster_zooms_in_until_it_opens(page, bundled_url):
    open_view(page, bundled_url + "/")
    biggest = """() => { const gd = document.querySelector('#timeline .js-plotly-plot');
        const i = gd._fullData.findIndex(t => t.name === 'Clusters'); if (i < 0) return null;
        const t = gd._fullData[i]; let best = 0;
        Array.from(t.text).forEach((v, k) => { if (Number(v) > Number(t.text[best])) best = k; });
        const trace = gd.querySelectorAll('.scatterlayer .trace')[i];
        const r = trace.querySelectorAll('.point')[best].getBoundingClientRect();
        return {x: r.x + r.width / 2, y: r.y + r.height / 2, count: Number(t.text[best])}; }"""
    cluster = page.evaluate(biggest)
    assert cluster is not None and cluster["count"] >= 5
    page.mouse.move(cluster["x"], cluster["y"])
    page.mouse.click(cluster["x"], cluster["y"])
    page.wait_for_function("() => location.search.includes('window=')")
    window = Window.parse(parse_qs(urlparse(page.url).query)["window"][0])
    assert window is not None and (window.end - window.start).days < 120
    # Redrawn for the new window: the events of that cluster are spread over smaller ones and single marks.
    page.wait_for_function(
        f"(n) => {{ const c = ({biggest})(); return c === null || c.count < n; }}", arg=cluster["count"]
    )
    assert page.errors == []


def test_a_cluster_no_zoom_can_open_shows_just_its_days(bundled_frame):
    from timeline.query.filters import Filters
    from timeline.web import callbacks, ids

    day = Window.parse("2024-03-05..2024-03-05")
    lo, hi = day.ms()
    wide = cluster_window(cluster_click(lo, hi), None)  # the first click zooms to a week around it
    out = callbacks.update(bundled_frame, ids.GRAPH, f"?window={wide}", None, cluster_click(lo, hi),
                           tuple(callbacks.controls_from_filters(Filters())))  # fmt: skip
    query = out[-2]
    assert "from=2024-03-05" in query and "to=2024-03-05" in query and f"window={wide}" in query
    assert out[-1][3:5] == ["2024-03-05", "2024-03-05"]  # the date controls follow


def test_nothing_moves_when_the_chart_draws(chromium, bundled_url):
    """The chart's height is held while its code loads: the list below it stays where it first appeared."""
    context = chromium.new_context(viewport={"width": 1350, "height": 940})
    page = context.new_page()
    page.add_init_script("window.shifted = 0; new PerformanceObserver(list => { for (const e of list.getEntries())"
                         " if (!e.hadRecentInput) window.shifted += e.value; }).observe({type: 'layout-shift',"
                         " buffered: true});")  # fmt: skip
    try:
        open_view(page, bundled_url + "/")
        page.wait_for_function("() => document.getElementById('timeline-box').style.minHeight === ''")
        assert page.evaluate("window.shifted") < 0.01
    finally:
        context.close()
