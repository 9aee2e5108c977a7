"""`/embed/` is a static page: one response holds the chart, plotly.js and the page's script are files cached for a
year, the page has an ETag, and its event list shows one page at a time with links to every other page."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from timeline.data.frame import build_frame
from timeline.data.synthetic import synthetic_dataset
from timeline.formats.loader import load_dataset
from timeline.query.filters import Filters, matching
from timeline.render.bundles import BASIC_BUNDLE_URL, COMPILE_HINT, PLOTLY_JS_VERSION
from timeline.render.standalone import PAGE_SIZE
from timeline.web.app import create_app
from timeline.web.embed import PAGE_CACHE

from .conftest import FIXTURES, MINI, serving
from .test_browser import DESKTOP, PHONE, axe_violations
from .test_fuzz import integer, queries, raw_query
from .test_injection import PAYLOADS, Tags, assert_no_markup_from_data

IMMUTABLE = "public, max-age=31536000, immutable"
LONG = 2 * PAGE_SIZE + 20  # events: three pages, the last one short


@pytest.fixture(scope="module")
def client():
    return create_app([MINI]).server.test_client()


@pytest.fixture(scope="module")
def long_frame():
    return build_frame(synthetic_dataset(LONG, seed=3))


@pytest.fixture(scope="module")
def long_client(long_frame):
    return create_app(frame=long_frame).server.test_client()


def scripts(page: str) -> list[dict]:
    return [attrs for tag, attrs in Tags(page).tags if tag == "script"]


def figure(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="timeline-figure">(.*?)</script>', page, re.S)[1])


def listed(page: str) -> list[str]:
    """The titles in the page's event list, as text."""
    block = re.search(r'<ol id="embed-list"[^>]*>(.*?)</ol>', page, re.S)[1]
    return [unescape(t) for t in re.findall(r"<strong>(.*?)</strong>", block)]


def links(page: str) -> dict[str, str]:
    return {unescape(label): unescape(href) for href, label in re.findall(r'<a href="([^"]*)">([^<]*)</a>', page)}


def test_the_embed_is_one_page_that_runs_only_script_files(client, mini_frame):
    response = client.get("/embed/?actors=gamma")
    page = response.get_data(as_text=True)
    script_url = scripts(page)[1]["src"]
    assert [(s.get("src"), s.get("type")) for s in scripts(page)] == [
        (BASIC_BUNDLE_URL, None), (script_url, None), (None, "application/json")]  # fmt: skip
    assert re.fullmatch(r"/embed/embed\.js\?v=[0-9a-f]{16}", script_url)
    assert "_dash" not in page and "react" not in page
    policy = dict(d.strip().split(" ", 1) for d in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["frame-ancestors"] == "*"
    assert "X-Frame-Options" not in response.headers
    shown = {int(r) for trace in figure(page)["data"] for r in trace.get("customdata") or []}
    assert shown == set(matching(mini_frame, Filters(actors=("gamma",))).tolist())
    assert figure(page)["config"]["displayModeBar"] == "hover"
    assert listed(page) == list(mini_frame.events.iloc[matching(mini_frame, Filters(actors=("gamma",)))]["title"])


def test_the_page_is_cacheable_and_revalidates_by_its_etag(client):
    first = client.get("/embed/?actors=gamma&theme=dark")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == PAGE_CACHE and re.fullmatch(r'"[0-9a-f]{32}"', etag)
    again = client.get("/embed/?actors=gamma&theme=dark", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    # Compressed, the body's tag says so; that tag revalidates too.
    gzipped = client.get("/embed/?actors=gamma&theme=dark", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzipped.headers["ETag"] == etag[:-1] + ':gzip"'
    revalidated = client.get("/embed/?actors=gamma&theme=dark",
                             headers={"Accept-Encoding": "gzip", "If-None-Match": gzipped.headers["ETag"]})  # fmt: skip
    assert revalidated.status_code == 304
    # The tag names what the page shows: the same view written otherwise has it, another view has another.
    assert client.get("/embed/?theme=dark&utm_source=x&actors=gamma").headers["ETag"] == etag
    others = {client.get(f"/embed/?{q}").headers["ETag"] for q in ("actors=gamma", "actors=beta&theme=dark",
                                                                    "actors=gamma&theme=dark&page=2")}  # fmt: skip
    assert etag not in others and len(others) == 3
    assert client.get("/embed/?actors=beta", headers={"If-None-Match": etag}).status_code == 200


def test_plotly_and_the_page_script_are_cached_for_a_year(client):
    page = client.get("/embed/").get_data(as_text=True)
    for url in (BASIC_BUNDLE_URL, scripts(page)[1]["src"]):
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE
        assert response.mimetype == "text/javascript"
    for stale_url in ("/embed/embed.js?v=0000000000000000", "/embed/plotly-basic.min.js?v=0.0.1"):
        stale = client.get(stale_url)
        assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"


def test_plotly_is_served_as_vendored_with_v8s_compile_hint_on_its_first_line(client):
    """Chromium compiles the bundle off the main thread only when the hint is the file's first line; an updated
    vendored file must keep it."""
    lines = client.get(BASIC_BUNDLE_URL).get_data(as_text=True).splitlines()
    assert lines[0] == COMPILE_HINT
    assert lines[2] == f"* plotly.js (basic - minified) v{PLOTLY_JS_VERSION}"  # plotly's own header follows


def test_the_list_shows_one_page_and_its_links_reach_every_event(long_client, long_frame):
    every = list(long_frame.events["title"])
    url, seen, pages = "/embed/?theme=dark", [], []
    while url:
        page = long_client.get(url).get_data(as_text=True)
        titles = listed(page)
        assert 0 < len(titles) <= PAGE_SIZE
        seen += titles
        pages.append(page)
        next_href = links(page).get("Next page")
        if next_href:
            parts = urlsplit(next_href)
            assert parts.fragment == "embed-list-section" and parse_qs(parts.query)["theme"] == ["dark"]
        url = "/embed/" + next_href.split("#")[0] if next_href else ""
    assert seen == every and len(pages) == 3
    assert set(links(pages[0])) == {"Next page", "Last page"}
    assert set(links(pages[1])) == {"Previous page", "Next page"}
    assert set(links(pages[2])) == {"First page", "Previous page"}
    assert f"Events 101–{LONG} of {LONG}, page 3 of 3" in pages[2] and 'start="101"' in pages[2]
    # The first load keeps the list behind its button; a page link opens it.
    assert 'aria-expanded="false"' in pages[0] and 'aria-expanded="true"' in pages[1]
    # Past the last page: the last page.
    assert listed(long_client.get("/embed/?page=99").get_data(as_text=True)) == every[2 * PAGE_SIZE :]


def test_the_embed_writes_data_as_text(every_payload_page):
    page, title, first_title = every_payload_page
    assert f"<title>{escape(title)}</title>" in page
    tags = assert_no_markup_from_data(page, scripts=3)
    text = "".join(tags.text)
    assert title in text and first_title in text
    assert [a["href"] for t, a in tags.tags if t == "a"] == []  # the list has no links from the data


@pytest.fixture(scope="module")
def every_payload_page():
    frame = build_frame(load_dataset([PAYLOADS]))
    client = create_app(frame=frame).server.test_client()
    return client.get("/embed/").get_data(as_text=True), frame.dataset.title, frame.dataset.events[0].title


def test_a_search_chip_is_text(client):
    page = client.get("/embed/?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E").get_data(as_text=True)
    assert "<img" not in page and "Search: &lt;img src=x onerror=alert(1)&gt;" in page


def test_the_as_of_banner_comes_first_among_the_chips_and_is_on_the_chart():
    client = create_app([FIXTURES / "asof.yaml"]).server.test_client()
    page = client.get("/embed/?asof=2024-03-07").get_data(as_text=True)
    chips = re.findall(r'<li class="chip[^"]*">(.*?)</li>', page)
    assert chips[0].startswith("As known on 7 March 2024: 4 events, 2 claims.")
    assert 'class="chip chip-asof"' in page
    assert "As known on 7 March 2024" in figure(page)["layout"]["title"]["subtitle"]["text"]
    assert ">4 of 8 events<" in page and len(listed(page)) == 4


def test_the_window_of_the_dashboard_is_the_chart_range_and_filters_nothing(client, long_client, long_frame):
    page = client.get("/embed/?window=2024-03-01..2024-03-10").get_data(as_text=True)
    start, end = (dt.datetime(2024, 3, day, tzinfo=dt.UTC).timestamp() * 1000 for day in (1, 11))
    assert figure(page)["layout"]["xaxis"]["range"] == [start, end]
    assert ">5 of 5 events<" in page
    window = "2022-06-01..2022-06-30"
    page = long_client.get(f"/embed/?window={window}").get_data(as_text=True)
    assert parse_qs(urlsplit(links(page)["Next page"]).query)["window"] == [window]
    assert len(listed(page)) == PAGE_SIZE and f">{LONG} of {LONG} events<" in page


def test_digits_python_accepts_but_int_does_not_fall_back_to_the_default(client, long_client):
    heights = {v: figure(client.get(f"/embed/?height={v}").get_data(as_text=True))["layout"].get("height")
               for v in ("²", "٣٠٠", "300", "")}  # fmt: skip
    assert heights["300"] == 300 and heights["²"] == heights["٣٠٠"] == heights[""] != 300
    pages = {v: listed(long_client.get(f"/embed/?page={v}").get_data(as_text=True))[0] for v in ("²", "٣", "3", "")}
    assert pages["3"] != pages["²"] == pages["٣"] == pages[""]


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries, page=st.one_of(st.just(None), integer))
def test_any_query_gets_a_page_or_a_short_refusal(client, query, page):
    if page is not None:
        query += f"&page={page}"
    response = client.get("/embed/", environ_overrides=raw_query(query))
    # 404: the query names a dataset this server does not have
    assert response.status_code in (200, 400, 404) and b"Traceback" not in response.data
    if response.status_code == 200:
        assert 'id="timeline-figure"' in response.get_data(as_text=True)


@pytest.mark.browser
def test_a_keyboard_reaches_the_other_pages_of_the_list(chromium, long_frame):
    with serving(create_app(frame=long_frame)) as url:
        context = chromium.new_context(viewport=DESKTOP)
        tab = context.new_page()
        errors = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        requests = []
        tab.on("request", lambda r: requests.append(urlsplit(r.url).path))
        try:
            tab.goto(url + "/embed/")
            tab.wait_for_function("() => { const gd = document.querySelector('#embed-graph .js-plotly-plot');"
                                  " return gd && gd._fullData && gd._fullData.length > 0; }")  # fmt: skip
            assert requests == ["/embed/", "/embed/plotly-basic.min.js", "/embed/embed.js"]  # no callback
            toggle = tab.get_by_role("button", name="View as list")
            toggle.focus()
            tab.keyboard.press("Tab")  # past the button, into the list: its first page link
            assert tab.evaluate("document.activeElement.textContent") == "Next page"
            tab.locator("#embed-list").wait_for(state="visible")
            assert tab.get_by_role("button", name="Hide the list").get_attribute("aria-expanded") == "true"
            tab.keyboard.press("Enter")
            tab.wait_for_url("**/embed/?page=2#embed-list-section")
            tab.locator("#embed-list li").first.wait_for(state="visible")
            assert tab.locator("#embed-list li").count() == PAGE_SIZE
            count, report = axe_violations(tab)
            assert count == 0, report
            tab.set_viewport_size(PHONE)
            tab.get_by_role("link", name="Next page").wait_for(state="visible")
            count, report = axe_violations(tab)
            assert count == 0, report
            assert errors == []
        finally:
            context.close()
