"""Exports: TimelineJS JSON, standalone HTML, print images, and the download routes."""

from __future__ import annotations

import json
import re
import struct
import zlib

import pytest
from markupsafe import escape

from timeline.data.charsafety import UNSAFE
from timeline.data.frame import build_frame
from timeline.figures.chart import print_figure
from timeline.formats.timelinejs import to_timelinejs
from timeline.query.filters import Filters, matching
from timeline.query.lod import marks
from timeline.render.export import export_events
from timeline.render.handout import handout_html
from timeline.render.standalone import Look, embed_figure, standalone_html
from timeline.web.app import create_app

from .conftest import MINI


def test_timelinejs_round_trip_keeps_events_and_dates(bundled_frame):
    positions = matching(bundled_frame, Filters())
    doc = json.loads(export_events(bundled_frame, positions, "timelinejs"))
    assert doc["title"]["text"]["headline"] == bundled_frame.dataset.title.replace("&", "&amp;")
    by_id = {e["unique_id"]: e for e in doc["events"]}
    assert len(by_id) == len(positions)
    for position in positions:
        event = bundled_frame.event(position)
        slide = by_id[event.id]
        start = slide["start_date"]
        assert (start["year"], start.get("month"), start.get("day")) == (
            event.start.year,
            None if event.precision == "year" else event.start.month,
            None if event.precision in ("month", "year") else event.start.day,
        )
        if event.end:
            assert slide["end_date"]["year"] == event.end.year
        assert slide["text"]["headline"]
        assert all(escape(s.url) in slide["text"]["text"] for s in event.sources)
    assert [e["text"]["headline"] for e in doc["eras"]] == [p.label for p in bundled_frame.dataset.phases]


def test_timelinejs_gives_precision_in_words(mini_frame):
    doc = to_timelinejs(mini_frame, matching(mini_frame, Filters()))
    week = next(e for e in doc["events"] if e["unique_id"] == "resume-expected")
    assert week["display_date"] == "week of 11 Mar 2024 (week)"


def test_timelinejs_escapes_html_from_data():
    from timeline.data.frame import build_frame
    from timeline.formats.loader import load_dataset

    from .conftest import FIXTURES

    frame = build_frame(load_dataset([FIXTURES / "hostile.yaml"]))
    text = json.dumps(to_timelinejs(frame, matching(frame, Filters())))
    assert "<img" not in text and "<script>" not in text and "<a href='javascript" not in text
    assert "&lt;img src=x onerror=window.__pwned=1&gt;" in text


def test_standalone_page_has_title_attribution_list_and_json_ld(bundled_frame):
    positions = matching(bundled_frame, Filters(actors=("hamas",)))
    page = standalone_html(bundled_frame, positions)
    data = bundled_frame.dataset
    assert f"<title>{data.title}</title>" in page and "Curated by" in page and data.licence in page
    assert page.count('<li class="event" id="') == len(positions)
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert len(ld["@graph"]) == len(positions) and ld["@graph"][0]["@type"] == "Event"
    assert "plotly.js (basic - minified)" in page and not re.search(r"<script[^>]+src=", page)


def test_pages_zoomed_in_the_browser_alone_draw_every_mark_and_prints_keep_clusters(bundled_frame):
    positions = matching(bundled_frame, Filters())
    drawn = len(marks(bundled_frame, positions))  # one per event and lane
    embed = embed_figure(bundled_frame, positions, Look(), credit="Source")
    assert "Clusters" not in {t.name for t in embed.data}  # the server never redraws it: a cluster would never open
    assert sum(len(t.customdata) for t in embed.data if t.customdata is not None) == drawn
    assert '"name":"Clusters"' not in standalone_html(bundled_frame, positions)
    printed = print_figure(bundled_frame, positions)  # never zoomed: its dense stretches stay clusters
    (clusters,) = [t for t in printed.data if t.name == "Clusters"]
    singles = sum(len(t.customdata) for t in printed.data if t.customdata is not None and t.name != "Clusters")
    assert singles + sum(int(n) for n in clusters.text) == drawn


def test_standalone_json_ld_never_claims_more_precision(mini_frame):
    page = standalone_html(mini_frame, matching(mini_frame, Filters()))
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    dates = {e["@id"]: (e["startDate"], e.get("endDate")) for e in ld["@graph"]}
    assert dates["#talks-open"] == ("2024-03-03", None)
    assert dates["#resume-expected"] == ("2024-03", None)  # week of 11 March: known only to the month in ISO
    assert dates["#truce"] == ("2024-03-20", "2024-03-27")


def test_standalone_small_file_loads_plotly_from_a_given_url(mini_frame):
    page = standalone_html(mini_frame, matching(mini_frame, Filters()), plotlyjs_url="https://static.example/p.js")
    assert '<script src="https://static.example/p.js"' in page and len(page) < 200_000


def png_size_and_ink(png: bytes) -> tuple[int, int, float]:
    """Width, height and the share of non-white bytes of an 8-bit RGB(A) PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    idat = b"".join(png[i + 8 : i + 8 + struct.unpack(">I", png[i : i + 4])[0]]
                    for i in [m.start() - 4 for m in re.finditer(b"IDAT", png)])  # fmt: skip
    raw = zlib.decompress(idat)
    return width, height, sum(1 for b in raw[::7] if b < 240) / len(raw[::7])


@pytest.mark.browser
def test_png_has_the_requested_size_and_is_not_blank(mini_frame):
    from timeline.render.export import ImageOptions

    png = export_events(mini_frame, matching(mini_frame, Filters()), "png", image=ImageOptions(width=1000, scale=2))
    width, height, ink = png_size_and_ink(png)
    assert width == 2000 and height > 400
    assert ink > 0.01


@pytest.mark.browser
def test_svg_and_pdf_carry_the_title_and_attribution(mini_frame):
    svg = export_events(mini_frame, matching(mini_frame, Filters()), "svg").decode()
    assert "Mini talks" in svg and "Curated by Test curator" in svg and "Round one" in svg
    pdf = export_events(mini_frame, matching(mini_frame, Filters()), "pdf")
    assert pdf.startswith(b"%PDF")


@pytest.fixture(scope="module")
def client():
    return create_app([MINI]).server.test_client()


@pytest.mark.parametrize(
    ("path", "status", "media_type", "filename"),
    [
        ("/download/csv?actors=gamma", 200, "text/csv", "negotiation-timeline.csv"),
        ("/download/json", 200, "application/json", "negotiation-timeline.json"),
        ("/download/timelinejs?q=truce", 200, "application/json", "negotiation-timeline.timelinejs.json"),
        ("/download/html", 200, "text/html", "negotiation-timeline.html"),
    ],
)
def test_download_routes_export_the_view(client, path, status, media_type, filename):
    response = client.get(path)
    assert response.status_code == status and response.mimetype == media_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_download_csv_is_formula_safe(tmp_path):
    hostile = tmp_path / "f.yaml"
    hostile.write_text(MINI.read_text().replace("title: Truce holds", "title: '=cmd|calc'"))
    response = create_app([hostile]).server.test_client().get("/download/csv?q=truce")
    assert "'=cmd|calc" in response.get_data(as_text=True)


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/download/xml", 404, "unknown format 'xml'"),
    ("/download/csv?q=nothing-matches", 400, "no events match these filters"),
])  # fmt: skip
def test_download_errors_are_plain_messages(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status and message in response.get_data(as_text=True)


# Control characters and bidi overrides: the loader refuses them; every writer drops them as well, on its own.
UNSAFE_TITLE = "\x00=cmd|calc\x1b[31m \u202eevil\u2066"


@pytest.fixture(scope="module")
def unsafe_frame(mini_frame):
    """The mini dataset with forbidden characters put in after loading, as a reader that forgot to check would."""
    data = mini_frame.dataset
    events = [e.model_copy(update={"title": UNSAFE_TITLE, "summary": "a\x07b\u202ec"}) if e.id == "truce" else e
              for e in data.events]  # fmt: skip
    return build_frame(data.model_copy(update={"events": events, "curator": "Cur\x1bator\x85"}))


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def test_csv_export_drops_control_and_bidi_characters_and_still_neutralises_formulas(unsafe_frame):
    text = export_events(unsafe_frame, matching(unsafe_frame, Filters()), "csv").decode()
    assert UNSAFE.search(text) is None
    assert "'=cmd|calc[31m evil," in text and ",abc," in text


@pytest.mark.parametrize("fmt", ["json", "timelinejs"])
def test_json_exports_drop_control_and_bidi_characters(unsafe_frame, fmt):
    doc = json.loads(export_events(unsafe_frame, matching(unsafe_frame, Filters()), fmt))
    texts = list(strings(doc))
    assert texts and [t for t in texts if UNSAFE.search(t)] == []
    assert any("=cmd|calc[31m evil" in t for t in texts) and any("Curator" in t for t in texts)


def test_html_pages_drop_control_and_bidi_characters(unsafe_frame):
    positions = matching(unsafe_frame, Filters())
    for page in (standalone_html(unsafe_frame, positions, plotlyjs_url="https://x.example/p.js"),
                 handout_html(unsafe_frame, positions, chart_note="no chart")):  # fmt: skip
        assert UNSAFE.search(page) is None and not re.search(r"\\u00[01][0-9a-f]", page)
        assert "=cmd|calc[31m evil" in page and "Curator" in page and "<p>abc</p>" in page
