"""The dashboard's "Open your data" in a real headless Chromium: a file picked or dropped in the form opens as a
private dataset behind its link, a malformed one gets its problems in the page, and hostile text in an upload stays
text in every view, downloads included."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import secrets
from pathlib import Path
from typing import NamedTuple

import pytest

from timeline import settings
from timeline.formats.loader import load_dataset, load_frame
from timeline.web.app import create_app

from .conftest import FIXTURES, MINI, serving
from .test_browser import (
    DESKTOP,
    PHONE,
    axe_violations,
    lane_labels,
    listed_titles,
    open_view,
    rendered_events,
    wait_for_count,
)
from .test_injection import DRAWN, PAYLOADS, assert_html_field, assert_inert

pytestmark = pytest.mark.browser

READERS = FIXTURES / "readers"
TIMELINEJS = READERS / "timelinejs.json"
ACLED = READERS / "acled.csv"
UPLOADED = re.compile(r"/\?dataset=(u[0-9a-f]{32})$")
# What test_injection.INJECTED does not look for: a link that runs script, and any inline handler at all.
ACTIVE_LINKS_AND_HANDLERS = """() => ({
  javascriptLinks: document.querySelectorAll('a[href^="javascript:" i], [src^="javascript:" i]').length,
  handlers: Array.from(document.querySelectorAll('*')).flatMap(
    el => Array.from(el.attributes).filter(a => a.name.startsWith('on')).map(a => el.tagName + '@' + a.name)),
})"""

# The form is done: the page went to an uploaded dataset, or the status says something other than progress.
SETTLED = """(uploaded) => {
  if (new RegExp(uploaded).test(location.pathname + location.search)) return true;
  const status = (document.getElementById('upload-status') || {}).textContent || '';
  return status !== '' && !/^(Uploading |Uploaded\\. |Opened: )/.test(status);
}"""


@pytest.fixture(scope="module")
def base_url():
    # Uploads and downloads count against the per-address rate limit, and every request here comes from one address.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TIMELINE_RATELIMIT", "off")
        app = create_app([MINI])
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def shared_tab(chromium):
    """One tab for the tests that need no fresh browser state; it records page errors and dialogs."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.errors, tab.dialogs = [], []
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()


@pytest.fixture
def tab(shared_tab):
    shared_tab.errors.clear()
    shared_tab.dialogs.clear()
    yield shared_tab
    assert shared_tab.errors == [] and shared_tab.dialogs == []


def titles_of(path: Path) -> list[str]:
    return load_frame([path]).events["title"].tolist()


def open_upload_form(page, base_url: str) -> None:
    """The dashboard, with its "Open your data" disclosure open and its file input added by the script."""
    open_view(page, base_url + "/")
    page.get_by_text("Open your data", exact=True).click()
    page.locator("#upload-file").wait_for()


def upload_through_form(page, base_url: str, file: Path | dict) -> str:
    """Pick `file` (a path, or Playwright's {name, mimeType, buffer}) in the form and press Open; the dataset's id
    once the page has gone to its dashboard and drawn it."""
    open_upload_form(page, base_url)
    page.locator("#upload-file").set_input_files(file)
    page.get_by_role("button", name="Open", exact=True).click()
    return landed_on_upload(page)


def landed_on_upload(page) -> str:
    """The id of the uploaded dataset whose dashboard the page went to and drew; a failure with the form's own words
    when it stayed."""
    page.wait_for_function(SETTLED, arg=UPLOADED.pattern, timeout=30_000)
    if not UPLOADED.search(page.url):
        pytest.fail(f"the page stayed at {page.url}: {page.locator('#upload-status').inner_text()!r}")
    page.wait_for_selector("#timeline .main-svg", state="attached", timeout=30_000)
    wait_for_count(page, "")
    return UPLOADED.search(page.url).group(1)


def assert_dashboard_of(page, titles: list[str]) -> None:
    """The chart draws a mark for each event and the list names every one of them."""
    assert rendered_events(page) == set(range(len(titles)))
    assert sorted(listed_titles(page)) == sorted(titles)


def upload_note(page, name: str) -> dt.datetime:
    """The header's note on the upload, checked; the time it says the upload is kept until."""
    note = page.locator(".upload-note").inner_text()
    assert note.startswith(
        f"Uploaded data, not published by this site: {name} · private: only people with this link can open it"
    ), note
    until = re.search(r"kept until (\d+ \w+ \d{4}, \d\d:\d\d) UTC\.$", note)
    assert until, note
    return dt.datetime.strptime(until.group(1), "%d %B %Y, %H:%M").replace(tzinfo=dt.UTC)


def test_a_timelinejs_file_picked_in_the_form_opens_as_a_private_dataset(tab, base_url):
    stored = dt.datetime.now(dt.UTC)
    upload_id = upload_through_form(tab, base_url, TIMELINEJS)
    assert_dashboard_of(tab, titles_of(TIMELINEJS))
    kept_until = upload_note(tab, "timelinejs.json")
    expected = stored + dt.timedelta(hours=settings.read("upload_hours"))
    assert abs(kept_until - expected) < dt.timedelta(minutes=2), (kept_until, expected)
    assert tab.title() == "Harbour talks 2024"  # the file's own title, as plain text
    assert tab.get_by_role("link", name="Present").get_attribute("href") == f"/present/?dataset={upload_id}"


def test_an_acled_export_picked_in_the_form_opens_with_its_events(tab, base_url):
    upload_through_form(tab, base_url, ACLED)
    assert_dashboard_of(tab, titles_of(ACLED))
    upload_note(tab, "acled.csv")


@pytest.fixture(scope="module")
def uploaded_query(shared_tab, base_url) -> str:
    """`?dataset=…` of the TimelineJS fixture, uploaded through the form under another name."""
    shared_tab.errors.clear()
    file = {"name": "timeline.json", "mimeType": "application/json", "buffer": TIMELINEJS.read_bytes()}
    query = "?dataset=" + upload_through_form(shared_tab, base_url, file)
    assert shared_tab.errors == []
    return query


def test_only_the_link_reaches_an_upload(chromium, base_url, uploaded_query):
    uploaded = titles_of(TIMELINEJS)
    with_link = chromium.new_context(viewport={"width": 1400, "height": 1000})
    without = chromium.new_context(viewport={"width": 1400, "height": 1000})
    try:
        friend = with_link.new_page()
        open_view(friend, f"{base_url}/{uploaded_query}")
        assert_dashboard_of(friend, uploaded)
        upload_note(friend, "timeline.json")

        stranger = without.new_page()
        open_view(stranger, base_url + "/")
        assert sorted(listed_titles(stranger)) == sorted(titles_of(MINI))
        only_uploaded = set(uploaded) - set(titles_of(MINI))  # the fixtures share a title
        assert only_uploaded and not only_uploaded & set(listed_titles(stranger))
        assert stranger.locator(".upload-note").count() == 0
        assert stranger.locator("a[href*='dataset=u']").count() == 0  # no page lists uploads
        guessed = stranger.goto(f"{base_url}/?dataset=u{secrets.token_hex(16)}")
        assert guessed.status == 404
        text = stranger.locator("body").inner_text()
        assert "This dataset is not here" in text and not any(title in text for title in only_uploaded)
    finally:
        with_link.close()
        without.close()


def bad_year_file() -> dict:
    """The TimelineJS fixture with its first slide's year spelt out."""
    text = TIMELINEJS.read_text()
    bad = text.replace('"year": "2024"', '"year": "twenty"', 1)
    assert bad != text
    return {"name": "bad.json", "mimeType": "application/json", "buffer": bad.encode()}


def test_a_malformed_file_gets_its_problems_in_the_page(tab, base_url):
    open_upload_form(tab, base_url)
    before = tab.url
    navigations = []

    def navigated(frame) -> None:
        if frame == tab.main_frame:
            navigations.append(frame.url)

    tab.on("framenavigated", navigated)
    tab.locator("#upload-file").set_input_files(bad_year_file())
    with tab.expect_response(lambda r: r.url.endswith("/upload")) as answer:
        tab.get_by_role("button", name="Open", exact=True).click()
    assert answer.value.status == 422
    problems = tab.locator("#upload-problems li")
    problems.first.wait_for()
    assert tab.locator("#upload-status").inner_text() == "Could not open bad.json: 1 problem"
    assert problems.all_inner_texts() == ['bad.json: events[0].start_date: year "twenty" is not a whole number']
    assert tab.locator("#upload-progress").is_hidden()
    tab.wait_for_timeout(300)  # a navigation the answer started would have begun by now
    tab.remove_listener("framenavigated", navigated)
    assert tab.url == before and navigations == []


def drop_on(page, selector: str, name: str, text: str) -> None:
    """Drag a file called `name` holding `text` over `selector` and drop it there, as a person drops one."""
    transfer = page.evaluate_handle(
        """([text, name]) => { const transfer = new DataTransfer();
           transfer.items.add(new File([text], name, {type: 'application/json'})); return transfer; }""",
        [text, name],
    )
    zone = page.locator(selector)
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    assert "dragging" in zone.get_attribute("class")  # the zone shows that it takes the file
    zone.dispatch_event("drop", {"dataTransfer": transfer})


def test_a_file_dropped_on_the_form_uploads(tab, base_url):
    open_upload_form(tab, base_url)
    drop_on(tab, "#upload-drop", "dropped.json", TIMELINEJS.read_text())
    landed_on_upload(tab)
    assert_dashboard_of(tab, titles_of(TIMELINEJS))
    upload_note(tab, "dropped.json")


def test_a_dropped_malformed_file_gets_its_problems_in_the_page(tab, base_url):
    # The drop path, checked where it works today: it puts the file in the input and submits the form.
    open_upload_form(tab, base_url)
    drop_on(tab, "#upload-drop", "bad.json", bad_year_file()["buffer"].decode())
    tab.locator("#upload-problems li").first.wait_for()
    assert "dragging" not in tab.locator("#upload-drop").get_attribute("class")
    assert tab.locator("#upload-status").inner_text() == "Could not open bad.json: 1 problem"
    assert tab.locator("#upload-file").evaluate("input => input.files[0].name") == "bad.json"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1920px"])
@pytest.mark.parametrize("state", ["upload form open", "problems listed", "uploaded dataset"])
def test_axe_finds_no_violations_around_uploads(chromium, base_url, uploaded_query, state, viewport):
    context = chromium.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        if state == "uploaded dataset":
            open_view(page, base_url + "/" + uploaded_query)
            upload_note(page, "timeline.json")
        else:
            open_upload_form(page, base_url)
        if state == "problems listed":
            page.locator("#upload-file").set_input_files(bad_year_file())
            page.get_by_role("button", name="Open", exact=True).click()
            page.locator("#upload-problems li").first.wait_for()
        count, report = axe_violations(page)
        assert count == 0, report
        assert errors == []
    finally:
        context.close()


# Hostile text in an upload: TimelineJS fields are HTML, so the reader strips the markup written raw (it must leave
# nothing active behind) and decodes the markup written as entities into plain text (it must stay text everywhere).
RAW = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=1><svg onload="window.__pwned=1"></svg>'
HOSTILE_ID = "hostile"


class Payloads(NamedTuple):
    every: str  # every payload of fixtures/payloads.yaml at once (its dataset title)
    short: str  # the shorter mix that fits an event title


@pytest.fixture(scope="module")
def payloads() -> Payloads:
    data = load_dataset([PAYLOADS])
    return Payloads(data.title, data.events[0].title)


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory, payloads) -> Path:
    """A TimelineJS file with a payload in its title, headlines, texts, media credit and caption, group and era."""
    every, short = html.escape(payloads.every), html.escape(payloads.short)
    slide = {
        "unique_id": HOSTILE_ID,
        "start_date": {"year": 2024, "month": 3, "day": 3},
        "text": {"headline": short + RAW, "text": f'<p>{every}</p>{RAW}<a href="javascript:window.__pwned=1">go</a>'},
        "media": {"url": "https://example.org/media", "credit": short + RAW, "caption": short},
        "group": short,
    }
    other = {
        "unique_id": "other",
        "start_date": {"year": 2024, "month": 3, "day": 5},
        "text": {"headline": "Plain {%config%} {{7*7}}", "text": RAW + "Only text is left."},
        "media": {"url": "javascript:window.__pwned=1", "credit": RAW},
        "group": "<a href='javascript:window.__pwned=1'>Other</a>",
    }
    era = {"start_date": {"year": 2024, "month": 3, "day": 1}, "end_date": {"year": 2024, "month": 3, "day": 10},
           "text": {"headline": short, "text": every + RAW}}  # fmt: skip
    document = {"title": {"text": {"headline": every + RAW, "text": every}}, "events": [slide, other], "eras": [era]}
    path = tmp_path_factory.mktemp("hostile") / "hostile.json"
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def hostile_query(shared_tab, base_url, hostile_file) -> str:
    """`?dataset=…` of the hostile file, uploaded through the form."""
    shared_tab.dialogs.clear()
    query = "?dataset=" + upload_through_form(shared_tab, base_url, hostile_file)
    assert shared_tab.dialogs == []
    return query


@pytest.fixture
def inert_tab(chromium):
    """A tab whose pages' CSP is ignored, as test_injection's: it records what `assert_inert` reads (requests and
    main-frame navigations), and dialogs and page errors."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    tab = context.new_page()
    tab.requests, tab.navigations, tab.dialogs, tab.errors = [], [], [], []
    tab.on("request", lambda r: tab.requests.append(r.url))
    tab.on("framenavigated", lambda f: f == tab.main_frame and tab.navigations.append(f.url))
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


def assert_nothing_injected(tab, path: str, visible: str, title: str) -> None:
    assert_inert(tab, path, visible, title)
    found = tab.evaluate(ACTIVE_LINKS_AND_HANDLERS)
    assert found == {"javascriptLinks": 0, "handlers": []}, found
    assert tab.dialogs == [] and tab.errors == []


def mark_centre(page, row: int) -> tuple[float, float]:
    """Where the chart draws the marker of the event at `row`."""
    return page.evaluate(
        """(row) => { const gd = document.querySelector('#timeline .js-plotly-plot');
           const i = gd._fullData.findIndex(t => t.customdata && Array.from(t.customdata).includes(row));
           const j = Array.from(gd._fullData[i].customdata).indexOf(row);
           const r = gd.querySelectorAll('.scatterlayer .trace')[i].querySelectorAll('path.point')[j]
             .getBoundingClientRect();
           return [r.x + r.width / 2, r.y + r.height / 2]; }""",
        row,
    )


def test_hostile_text_in_an_upload_stays_text_on_the_dashboard(inert_tab, base_url, hostile_query, hostile_file,
                                                               payloads):  # fmt: skip
    tab = inert_tab
    tab.goto(f"{base_url}/{hostile_query}&event={HOSTILE_ID}")
    tab.wait_for_function(DRAWN, arg="#timeline .js-plotly-plot", timeout=30_000)
    detail = tab.locator("#event-detail")
    detail.locator("h2").wait_for()
    assert detail.locator("h2").inner_text() == payloads.short
    assert payloads.every in detail.inner_text()
    assert detail.locator(".sources a").all_inner_texts() == [payloads.short]
    assert detail.locator(".sources a").get_attribute("href") == "https://example.org/media"
    assert "Plain {%config%} {{7*7}}" in listed_titles(tab)
    # The chart's own labels (plotly reads a few tags in them) show the text, shortened to fit.
    drawn_labels = lane_labels(tab) + tab.locator("#timeline .textpoint text").all_text_contents()
    assert any(label.startswith("</title><img src=x") for label in drawn_labels), drawn_labels
    assert "Plain {%config%} {{7*7}}" in drawn_labels
    tab.mouse.move(*mark_centre(tab, load_frame([hostile_file]).position(HOSTILE_ID)))
    tooltip = tab.locator("#timeline-tooltip")
    tooltip.get_by_text(payloads.short, exact=False).first.wait_for()
    assert_nothing_injected(tab, "/", payloads.short, payloads.every)


def test_hostile_text_in_a_malformed_upload_stays_text_in_its_problems(inert_tab, base_url, payloads):
    document = json.loads(TIMELINEJS.read_text())
    document["events"][0]["start_date"]["year"] = payloads.short  # quoted back in the problem's message
    open_upload_form(inert_tab, base_url)
    inert_tab.locator("#upload-file").set_input_files(
        {"name": "hostile.json", "mimeType": "application/json", "buffer": json.dumps(document).encode()}
    )
    inert_tab.get_by_role("button", name="Open", exact=True).click()
    inert_tab.locator("#upload-problems li").first.wait_for()
    problems = inert_tab.locator("#upload-problems li").all_inner_texts()
    (problem,) = problems  # the value is quoted shortened, as text
    quoted = payloads.short[:60]
    assert problem.startswith(f'hostile.json: events[0].start_date: year "{quoted}') and "<img src=x" in quoted
    assert_nothing_injected(inert_tab, "/", quoted, load_dataset([MINI]).title)


HOSTILE_VIEWS = {
    "embed": ("/embed/", "", "#embed-graph .js-plotly-plot"),
    "embed, event chosen": ("/embed/", f"&event={HOSTILE_ID}", "#embed-graph .js-plotly-plot"),
    "present": ("/present/", "", "#present-graph .js-plotly-plot"),
    "handout": ("/handout/", "", None),
}


@pytest.mark.parametrize("view", list(HOSTILE_VIEWS))
def test_hostile_text_in_an_upload_stays_text_in_each_view(inert_tab, base_url, hostile_query, view, payloads):
    path, extra, graph = HOSTILE_VIEWS[view]
    inert_tab.goto(base_url + path + hostile_query + extra)
    if graph:
        inert_tab.wait_for_function(DRAWN, arg=graph, timeout=30_000)
    title = f"{payloads.every} — handout" if view == "handout" else payloads.every
    assert_nothing_injected(inert_tab, path, payloads.short, title)


def test_hostile_text_in_an_upload_stays_text_in_its_downloads(inert_tab, base_url, hostile_query, tmp_path,
                                                               payloads):  # fmt: skip
    downloads = {kind: inert_tab.request.get(f"{base_url}/download/{kind}{hostile_query}")
                 for kind in ("html", "csv", "json", "timelinejs")}  # fmt: skip
    for kind, answer in downloads.items():
        assert answer.status == 200, kind
        assert (
            answer.headers["x-content-type-options"] == "nosniff"
            and "attachment" in answer.headers["content-disposition"]
        ), kind
    assert downloads["csv"].headers["content-type"].startswith("text/csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(downloads["csv"].text()))}
    assert rows[HOSTILE_ID]["title"] == payloads.short and payloads.every in rows[HOSTILE_ID]["summary"]
    # The markup written raw left nothing behind: no script, no handler, no javascript: source.
    assert (rows["other"]["title"], rows["other"]["summary"]) == ("Plain {%config%} {{7*7}}", "Only text is left.")
    assert rows["other"]["source_urls"] == "" and rows[HOSTILE_ID]["source_urls"] == "https://example.org/media"
    assert downloads["json"].headers["content-type"].startswith("application/json")
    dataset = downloads["json"].json()
    assert dataset["title"] == payloads.every
    assert {event["id"]: event["title"] for event in dataset["events"]}[HOSTILE_ID] == payloads.short
    document = downloads["timelinejs"].json()
    assert_html_field(document["title"]["text"]["headline"], payloads.every)
    slides = {slide["unique_id"]: slide for slide in document["events"]}
    assert_html_field(slides[HOSTILE_ID]["text"]["headline"], payloads.short)
    assert_html_field(slides[HOSTILE_ID]["text"]["text"])
    assert_html_field(slides[HOSTILE_ID]["group"], payloads.short)
    (era,) = document["eras"]
    assert_html_field(era["text"]["headline"], payloads.short)
    page = tmp_path / "timeline.html"
    page.write_bytes(downloads["html"].body())
    inert_tab.requests.clear()
    inert_tab.goto(page.as_uri())
    inert_tab.wait_for_function(DRAWN, arg="#timeline", timeout=30_000)
    assert inert_tab.locator("h1").inner_text() == payloads.every
    assert_nothing_injected(inert_tab, page.as_posix(), payloads.short, payloads.every)
