"""Journalists' embeds, in headless Chromium: framed on another origin, refused elsewhere, offline HTML, sharing."""

from __future__ import annotations

import http.server
import threading
from urllib.parse import parse_qs, urlparse

import pytest

from timeline.query.filters import Filters, matching
from timeline.render.standalone import standalone_html
from timeline.web.app import create_app
from timeline.web.share import RESIZE_SNIPPET

from .conftest import MINI, serving
from .test_browser import DESKTOP, PHONE, axe_violations, listed_titles, open_view, rendered_events, wait_for_count

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url():
    with serving(create_app([MINI])) as url:
        yield url


@pytest.fixture
def host_page():
    """Serve one HTML page from another loopback origin (another port); returns a function setting its body."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = pages.get("/", "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def publish(html: str) -> str:
        pages["/"] = html
        return f"http://127.0.0.1:{server.server_port}/"

    yield publish
    server.shutdown()


def iframe_page(src: str) -> str:
    return (f'<!doctype html><html lang="en"><title>Article</title><body><h1>Article</h1>'
            f'<iframe id="chart" src="{src}" title="Timeline" style="width:100%;border:0" height="150"></iframe>'
            f"<script>window.heights=[];window.addEventListener('message',e=>window.heights.push(e.data.height));"
            f"</script>{RESIZE_SNIPPET}</body></html>")  # fmt: skip


def test_embed_renders_in_an_iframe_on_another_origin_and_reports_its_height(page, app_url, host_page, mini_frame):
    page.goto(host_page(iframe_page(app_url + "/embed/?actors=gamma")))
    frame = page.frame_locator("#chart")
    frame.locator("#embed-graph .main-svg").first.wait_for(state="attached", timeout=30_000)
    page.wait_for_function("() => window.heights.length > 0 && Math.max(...window.heights) > 300")
    height = max(page.evaluate("window.heights"))
    page.wait_for_function(f"() => document.getElementById('chart').style.height === '{height}px'")
    assert frame.locator(".chip").all_inner_texts() == ["Actors: Gamma"]
    inner = page.frames[1]
    shown = inner.evaluate("() => document.querySelector('#embed-graph .js-plotly-plot')._fullData"
                           ".filter(t => t.customdata).flatMap(t => Array.from(t.customdata))")  # fmt: skip
    assert set(shown) == set(matching(mini_frame, Filters(actors=("gamma",))).tolist())
    svg_text = inner.evaluate("() => Array.from(document.querySelectorAll('#embed-graph .main-svg'))"
                              ".map(s => s.textContent).join(' ')")  # fmt: skip
    assert "Mini talks" in svg_text and "Curated by Test curator" in svg_text


def test_dashboard_refuses_to_be_framed(page, app_url, host_page):
    blocked = []
    page.on("console", lambda m: "frame-ancestors" in m.text and blocked.append(m.text))
    page.goto(host_page(iframe_page(app_url + "/?actors=gamma")))
    page.wait_for_timeout(1500)
    inner = page.frames[1]
    assert inner.evaluate("() => document.querySelector('#timeline') === null")
    assert blocked, "Chromium reports the frame-ancestors refusal"


def test_embed_theme_title_height_and_narrow_list(page, app_url):
    page.goto(app_url + "/embed/?theme=dark&title=0&height=480")
    page.wait_for_selector("#embed-graph .main-svg", state="attached")
    page.wait_for_function("() => document.querySelector('#embed-page').className.includes('theme-dark')")
    layout = page.evaluate("() => document.querySelector('#embed-graph .js-plotly-plot')._fullLayout")
    assert layout["height"] == 480 and layout["paper_bgcolor"] == "#16181d" and layout["title"]["text"] == ""
    page.set_viewport_size({"width": 320, "height": 700})
    page.locator("#embed-list").wait_for(state="visible")
    assert not page.locator("#embed-graph").is_visible()
    assert len(page.locator("#embed-list li").all_inner_texts()) == 5


def test_embed_list_toggle_is_the_text_alternative(page, app_url):
    page.goto(app_url + "/embed/?issues=exchange")
    page.wait_for_selector("#embed-graph .main-svg", state="attached")
    toggle = page.get_by_role("button", name="View as list")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator("#embed-list").wait_for(state="visible")
    assert page.get_by_role("button", name="Hide the list").get_attribute("aria-expanded") == "true"
    assert len(page.locator("#embed-list li").all_inner_texts()) == 2


def test_standalone_html_works_from_disk_with_no_network(chromium, tmp_path, bundled_frame):
    positions = matching(bundled_frame, Filters())
    path = tmp_path / "timeline.html"
    path.write_text(standalone_html(bundled_frame, positions), encoding="utf-8")
    context = chromium.new_context(offline=True)
    requests = []
    context.route(
        "**/*",
        lambda route: (
            requests.append(route.request.url),
            route.continue_() if route.request.url.startswith("file:") else route.abort(),
        ),
    )
    tab = context.new_page()
    tab.goto(path.as_uri())
    tab.wait_for_function("() => { const gd = document.querySelector('#timeline');"
                          " return gd && gd._fullData && gd._fullData.length > 0; }")  # fmt: skip
    shown = tab.evaluate("() => document.querySelector('#timeline')._fullData"
                         ".filter(t => t.customdata).flatMap(t => Array.from(t.customdata))")  # fmt: skip
    assert set(shown) == set(positions.tolist())
    assert tab.locator("ol.events > li").count() == len(positions)
    assert all(url.startswith("file:") for url in requests)
    context.close()


def test_share_dialog_link_restores_the_same_view(page, app_url, mini_frame):
    open_view(page, app_url + "/?actors=beta&issues=ceasefire")
    page.get_by_role("button", name="Share & embed").click()
    dialog = page.get_by_role("dialog", name="Share & embed")
    dialog.wait_for(state="visible")
    link = page.locator("#share-link").input_value()
    assert parse_qs(urlparse(link).query) == {"actors": ["beta"], "issues": ["ceasefire"]}
    assert "/embed/?actors=beta&amp;issues=ceasefire" in page.locator("#share-embed").input_value()
    hrefs = page.locator(".share-downloads a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "/download/png?actors=beta&issues=ceasefire" in hrefs and len(hrefs) == 7
    count, report = axe_violations(page)
    assert count == 0, report
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    other = page.context.new_page()
    open_view(other, link)
    wait_for_count(other, "2 of 5")
    assert listed_titles(other) == list(mini_frame.events.iloc[matching(mini_frame, Filters(
        actors=("beta",), issues=("ceasefire",)))]["title"])  # fmt: skip
    assert rendered_events(other) == set(matching(mini_frame, Filters(actors=("beta",), issues=("ceasefire",))))


def test_embed_loads_only_the_basic_plotly_bundle(page, app_url):
    scripts = []
    page.on("response", lambda r: "plotly" in r.url and scripts.append(urlparse(r.url).path))
    page.goto(app_url + "/embed/")
    page.wait_for_function("() => { const gd = document.querySelector('#embed-graph .js-plotly-plot');"
                           " return gd && gd._fullData && gd._fullData.length > 0; }")  # fmt: skip
    assert scripts == ["/embed/plotly-basic.min.js"]


@pytest.fixture(scope="module")
def bundled_url():
    with serving(create_app()) as url:
        yield url


EMBED_VIEWS = {
    "default": "/embed/",
    "filters applied": "/embed/?actors=hamas,egypt&types=proposal,statement&from=2024-02-01",
    "event selected": "/embed/?event={first}",
}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
@pytest.mark.parametrize("state", list(EMBED_VIEWS))
def test_axe_finds_no_violations_on_the_embed(chromium, bundled_url, bundled_frame, state, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(bundled_url + EMBED_VIEWS[state].format(first=bundled_frame.events.iloc[0]["id"]))
        page.wait_for_function("() => { const gd = document.querySelector('#embed-graph .js-plotly-plot');"
                               " return gd && gd._fullData && gd._fullData.length > 0; }")  # fmt: skip
        page.locator("#embed-list li").first.wait_for(state="attached")
        count, report = axe_violations(page)
        assert count == 0, report
        assert errors == []
    finally:
        context.close()
