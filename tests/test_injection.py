"""No dataset text becomes markup: every route, export and inline JSON, with the CSP out of the way.

The CSP is the second layer; these tests switch it off (`bypass_csp=True`) to prove the first one, escaping, holds
on its own. `fixtures/payloads.yaml` puts markup, script and template-injection payloads in every text field.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlparse

import pytest
from markupsafe import escape

from timeline.data.frame import build_frame
from timeline.formats.loader import load_dataset
from timeline.formats.timelinejs import to_timelinejs
from timeline.query.filters import Filters, matching
from timeline.render.handout import handout_html
from timeline.render.standalone import standalone_html
from timeline.web.app import create_app

from .conftest import FIXTURES, MINI, serving

PAYLOADS = FIXTURES / "payloads.yaml"
PRESENT_GRAPH = "() => { const gd = document.querySelector('#present-graph .js-plotly-plot');"
DRAWN = "(sel) => { const gd = document.querySelector(sel); return !!gd && !!gd._fullData && gd._fullData.length > 0; }"


@pytest.fixture(scope="module")
def payload_frame():
    return build_frame(load_dataset([PAYLOADS]))


@pytest.fixture(scope="module")
def every_payload(payload_frame) -> str:
    """The dataset title holds every payload at once."""
    return payload_frame.dataset.title


@pytest.fixture(scope="module")
def short_payload(payload_frame) -> str:
    """The first event's title: `</title><img …><!--<script><svg onload=…>{{7*7}}{%raw%}"'&amp;`."""
    return payload_frame.dataset.events[0].title


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, of an HTML document as a browser's tokenizer sees it."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]

    def handler_attributes(self) -> list[str]:
        return [name for _, attrs in self.tags for name in attrs if name.startswith("on")]


def assert_no_markup_from_data(page: str, *, scripts: int) -> Tags:
    """No tag or handler that a payload would create, and exactly `scripts` script elements."""
    tags = Tags(page)
    names = tags.names()
    assert "img" not in names or all(a.get("src") != "x" for t, a in tags.tags if t == "img")
    assert "svg" not in names and "iframe" not in names
    assert [a for t, a in tags.tags if t == "meta" and "http-equiv" in a] == []
    assert tags.handler_attributes() == []
    assert names.count("script") == scripts
    return tags


# Server-side: the HTML each route sends.


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory):
    # A cache of its own: downloads rendered by other code (an older checkout, another test) must not answer here.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TIMELINE_CACHE_DIR", str(tmp_path_factory.mktemp("render-cache")))
        return create_app([PAYLOADS])


@pytest.fixture(scope="module")
def client(payload_app):
    return payload_app.server.test_client()


@pytest.mark.parametrize("path", ["/", "/?event=first", "/present/", "/present/?step=2"])
def test_dash_pages_write_the_dataset_title_as_text(client, path, every_payload):
    page = client.get(path).get_data(as_text=True)
    assert f"<title>{escape(every_payload)}</title>" in page
    assert "<img" not in page and 'http-equiv="refresh"' not in page and "<svg" not in page
    assert "window.__pwned" not in re.sub(r"<title>.*?</title>", "", page, flags=re.S)
    # `{%config%}` in the title stays text: Dash's config script is written once, not again inside the title.
    assert page.count('id="_dash-config"') == 1 and "{%config%}" in page


@pytest.mark.parametrize("path", ["/embed/", "/embed/?event=first"])
def test_the_static_embed_writes_the_dataset_title_as_text(client, path, every_payload):
    page = client.get(path).get_data(as_text=True)
    assert f"<title>{escape(every_payload)}</title>" in page
    assert f'<h1 id="embed-title" class="embed-title">{escape(every_payload)}</h1>' in page
    assert "<img" not in page and 'http-equiv="refresh"' not in page and "<svg" not in page
    # plotly.js, the page's script and the figure as JSON data: the payload is in no attribute and no running script.
    tags = assert_no_markup_from_data(page, scripts=3)
    assert all("pwned" not in (value or "") for _, attrs in tags.tags for value in attrs.values())
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [body for attrs, body in scripts if 'type="application/json"' not in attrs] == ["", ""]
    (figure,) = [body for attrs, body in scripts if 'type="application/json"' in attrs]
    assert not re.search(r"[<>]", figure)
    title = json.loads(figure)["layout"]["title"]["text"]
    # The chart wraps its title into lines with plotly's <br>, the only markup it may hold; the words stay text.
    lines = title.split("<br>")
    assert len(lines) > 1 and not any("<" in line for line in lines)
    # Lines break at spaces, or inside a word too long for one: without the spaces, the text is the payload's.
    assert "".join(html.unescape("".join(lines)).split()) == "".join(every_payload.split())
    # Template syntax in the title stays text: the page is rendered once, the data never as a template.
    assert "{%config%}" in page and "{{7*7}}" in page


def test_handout_has_no_markup_from_data(payload_frame, every_payload):
    positions = matching(payload_frame, Filters())
    page = handout_html(payload_frame, positions, chart_svg=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    tags = assert_no_markup_from_data(page, scripts=0)
    text = "".join(tags.text)
    assert every_payload in text and f"{every_payload} — handout" in text
    assert [a["src"].split(",")[0] for t, a in tags.tags if t == "img"] == ["data:image/svg+xml;base64"]


def test_standalone_page_has_no_markup_from_data(payload_frame, every_payload, short_payload):
    page = standalone_html(payload_frame, matching(payload_frame, Filters()), plotlyjs_url="https://x.example/p.js")
    # The plotly.js loader, the JSON-LD and plotly's own drawing script.
    tags = assert_no_markup_from_data(page, scripts=3)
    text = "".join(tags.text)
    assert every_payload in text and short_payload in text
    sources = [a["href"] for t, a in tags.tags if t == "a"]
    assert sources and set(sources) == {"https://example.org/x?a=\"><img src=x onerror=window.__pwned=1>",
                                        "https://example.org/y", "https://example.org/z"}  # fmt: skip


def test_inline_json_escapes_angle_brackets_and_ampersands(payload_frame, every_payload):
    page = standalone_html(payload_frame, matching(payload_frame, Filters()), plotlyjs_url="https://x.example/p.js")
    ld_block, loader, chart = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    assert not re.search(r"[<>&]", ld_block) and loader == ""
    assert not re.search(r"[<>]", chart)  # plotly's own escaping; `&` is inert in a script
    ld = json.loads(ld_block)
    assert ld["@graph"][0]["name"] == payload_frame.dataset.events[0].title
    assert [item["description"] for item in ld["@graph"]][:2] == [every_payload, "<!--<script>"]


# TimelineJS renders these fields as HTML; only our own tags may appear in them, with data as their text.
TIMELINEJS_TAGS = {"p", "ul", "li", "a", "blockquote", "br"}


def assert_html_field(field: str, expected_text: str | None = None) -> None:
    tags = Tags(field)
    assert set(tags.names()) <= TIMELINEJS_TAGS, field
    assert all(set(a) <= ({"href"} if t == "a" else set()) for t, a in tags.tags), field
    assert all(a["href"].startswith("https://") for t, a in tags.tags if t == "a")
    if expected_text is not None:
        assert html.unescape(field) == expected_text


def test_timelinejs_escapes_every_html_field(payload_frame, every_payload, short_payload):
    data = payload_frame.dataset
    doc = to_timelinejs(payload_frame, matching(payload_frame, Filters()))
    assert_html_field(doc["title"]["text"]["headline"], every_payload)
    assert_html_field(doc["title"]["text"]["text"])
    assert every_payload not in doc["title"]["text"]["text"] and short_payload in html.unescape(
        doc["title"]["text"]["text"]
    )
    events = {e["unique_id"]: e for e in doc["events"]}
    first = events["first"]
    assert_html_field(first["text"]["headline"], short_payload)
    assert_html_field(first["group"], short_payload)  # the first actor's name
    assert_html_field(first["display_date"], every_payload)  # the curator's display_date, day precision
    assert_html_field(first["text"]["text"])
    assert every_payload in html.unescape(first["text"]["text"])
    assert_html_field(events["second"]["group"], "</script><script>window.__pwned=1</script>")
    assert_html_field(events["third"]["group"], "No specific actor")
    assert_html_field(events["third"]["display_date"])
    assert [assert_html_field(e["text"]["headline"], p.label) for e, p in zip(doc["eras"], data.phases, strict=True)]


# In Chromium, with the CSP bypassed: nothing runs, nothing is created, nothing navigates.

INJECTED = """() => {
  const comments = [];
  const walk = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
  while (walk.nextNode()) comments.push(walk.currentNode.textContent);
  return {
    pwned: typeof window.__pwned,
    img: document.querySelectorAll('img[src="x"]').length,
    svgOnload: document.querySelectorAll('svg[onload]').length,
    handlers: document.querySelectorAll('[onerror], [onload], [onmouseover], [onclick]').length,
    httpEquiv: Array.from(document.querySelectorAll('meta[http-equiv]'), m => m.httpEquiv.toLowerCase()),
    scripts: Array.from(document.scripts).filter(s => s.textContent.trim() === 'window.__pwned=1').length,
    comments: comments.filter(c => c.startsWith('<script>') || c.includes('pwned')).length,  // not Dash's [if IE]
    title: document.title,
    text: document.body.innerText,
  };
}"""


@pytest.fixture(scope="module")
def payload_url(payload_app):
    with serving(payload_app) as url:
        yield url


@pytest.fixture
def no_csp(chromium):
    """A tab whose pages' CSP is ignored, recording requests and main-frame navigations."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    tab = context.new_page()
    tab.requests, tab.navigations = [], []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.on("framenavigated", lambda f: f == tab.main_frame and tab.navigations.append(f.url))
    yield tab
    context.close()


def assert_inert(tab, path: str, visible: str, title: str | None) -> None:
    tab.wait_for_timeout(1500)  # a meta refresh of 0 s or an onerror would have fired by now
    found = tab.evaluate(INJECTED)
    assert found["pwned"] == "undefined"
    assert (found["img"], found["svgOnload"], found["handlers"], found["scripts"], found["comments"]) == (0,) * 5
    assert set(found["httpEquiv"]) <= {"x-ua-compatible"}  # Dash's own
    assert urlparse(tab.url).path == path
    assert not [u for u in tab.requests + tab.navigations if "pwned" in u or urlparse(u).path.endswith("/x")]
    if title is not None:
        assert found["title"] == title
    assert visible in found["text"]


ROUTES = {
    "/": "#timeline .js-plotly-plot",
    "/?event=first": "#timeline .js-plotly-plot",
    "/embed/": "#embed-graph .js-plotly-plot",
    "/embed/?event=first": "#embed-graph .js-plotly-plot",
    "/present/": "#present-graph .js-plotly-plot",
    "/present/?step=2": "#present-graph .js-plotly-plot",
}


@pytest.mark.browser
def test_the_csp_is_really_bypassed(no_csp, payload_url):
    # Without this, the tests below would pass on the CSP alone.
    response = no_csp.goto(payload_url + "/")
    assert "script-src" in response.headers["content-security-policy"]
    no_csp.add_script_tag(content="window.__probe = 1")
    assert no_csp.evaluate("window.__probe") == 1


@pytest.mark.browser
@pytest.mark.parametrize("route", ROUTES)
def test_dash_routes_stay_inert_without_csp(no_csp, payload_url, route, every_payload, short_payload):
    no_csp.goto(payload_url + route)
    no_csp.wait_for_function(DRAWN, arg=ROUTES[route], timeout=30_000)
    if route == "/?event=first":
        no_csp.wait_for_selector("#event-detail h2")
        assert no_csp.locator("#event-detail h2").inner_text() == short_payload
    if route == "/present/?step=2":
        no_csp.wait_for_function("() => document.querySelector('#present-progress').textContent.endsWith('2 of 2')")
    assert_inert(no_csp, urlparse(route).path, short_payload if "present" not in route else "window.__pwned=1",
                 every_payload)  # fmt: skip


@pytest.mark.browser
def test_handout_stays_inert_without_csp(no_csp, payload_url, every_payload, short_payload):
    no_csp.goto(payload_url + "/handout/")
    no_csp.wait_for_selector("h1")
    assert no_csp.locator("h1").inner_text() == every_payload
    assert_inert(no_csp, "/handout/", short_payload, f"{every_payload} — handout")


@pytest.mark.browser
def test_downloaded_standalone_page_stays_inert_and_draws(no_csp, payload_url, tmp_path, every_payload, short_payload):
    path = tmp_path / "timeline.html"
    path.write_bytes(no_csp.request.get(payload_url + "/download/html").body())
    no_csp.requests.clear()
    no_csp.goto(path.as_uri())
    no_csp.wait_for_function(DRAWN, arg="#timeline", timeout=30_000)
    assert no_csp.locator("h1").inner_text() == every_payload
    assert no_csp.locator("li.event").count() == 3
    assert_inert(no_csp, path.as_posix(), short_payload, every_payload)


@pytest.mark.browser
def test_a_comment_opener_in_a_summary_does_not_blank_the_standalone_page(page, tmp_path):
    # `<!--<script>` inside an inline script used to swallow the rest of the page, plot and list included.
    hostile = tmp_path / "comment.yaml"
    hostile.write_text(MINI.read_text().replace("summary: A truce held for a week.", "summary: '<!--<script>'"))
    frame = build_frame(load_dataset([hostile]))
    path = tmp_path / "comment.html"
    path.write_text(standalone_html(frame, matching(frame, Filters())), encoding="utf-8")
    page.goto(path.as_uri())
    page.wait_for_function(DRAWN, arg="#timeline", timeout=30_000)
    assert page.locator("li.event").count() == len(frame.events)
    assert page.locator("#truce p", has_text="<!--<script>").count() == 1
    assert page.locator("footer .attribution").is_visible()
    assert page.errors == []
