"""The printable handout: title and attribution, the chart, every event with its sources, disputed claims side
by side, and a glossary of actors and issues. Served at `/handout/` and printed to PDF by Chromium."""

from __future__ import annotations

import base64
import collections
import html

import flask
import numpy as np

from .credits import attribution
from .errors import TimelineError
from .eventhtml import event_item
from .figures import print_figure
from .filters import matching
from .frame import EventFrame
from .images import render_image
from .state import filters_from_query
from .vocab import ACTOR_KIND_LABEL, ROLE_LABEL

PREFIX = "/handout/"
PAPERS = {"a4": "A4", "letter": "letter"}
STYLE = """
@page { size: %(paper)s; margin: 14mm 14mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 10.5pt; line-height: 1.4; color: #111;
       margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 18pt; margin: 0 0 .2em; } h2 { font-size: 13pt; margin: 1.2em 0 .4em; break-after: avoid; }
.attribution, .meta, .url { color: #3d3d3d; font-size: 9pt; }
.chart { width: 100%%; height: auto; border: 1px solid #ccc; }
.events { list-style: none; padding: 0; margin: 0; }
.event { break-inside: avoid; border-top: 1px solid #ccc; padding: .5em 0; }
.event h3 { font-size: 11pt; margin: .1em 0; }
.event p { margin: .2em 0; }
blockquote { margin: .3em 0; padding-left: .7em; border-left: 3px solid #999; font-style: italic; }
.claims { display: grid; grid-template-columns: repeat(auto-fit, minmax(14em, 1fr)); gap: .4em; margin: .3em 0; }
.claim { border: 1px solid #bbb; padding: .3em .5em; break-inside: avoid; }
.sources { margin: .2em 0; padding-left: 1.2em; }
.url { overflow-wrap: anywhere; word-break: break-all; }
dl { margin: 0; } dt { font-weight: 700; break-after: avoid; } dd { margin: 0 0 .5em; break-inside: avoid; }
@media print { .screen-only { display: none; } body { padding: 0; max-width: none; } }
"""


def _glossary(frame: EventFrame, positions: np.ndarray) -> str:
    e = html.escape
    roles: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for position in positions:
        for part in frame.event(position).actors:
            roles[part.actor][ROLE_LABEL[part.role]] += 1
    actors = "".join(
        f"<dt>{e(a.name)} ({ACTOR_KIND_LABEL[a.kind]})</dt><dd>{e(a.description)}"
        + (f" Also: {e(', '.join(a.aliases))}." if a.aliases else "")
        + (f'<br><span class="meta">In these events: {", ".join(f"{r} ×{n}" for r, n in roles[a.id].items())}'
           "</span>" if roles[a.id] else "") + "</dd>"
        for a in frame.dataset.actors
    )  # fmt: skip
    issues = "".join(f"<dt>{e(i.label)}</dt><dd>{e(i.description)}</dd>" for i in frame.dataset.issues)
    return f"<h2>Glossary of actors</h2><dl>{actors}</dl>" + (f"<h2>Issues</h2><dl>{issues}</dl>" if issues else "")


def handout_html(frame: EventFrame, positions: np.ndarray, *, paper: str = "a4", chart_svg: bytes | None = None,
                 chart_note: str = "") -> str:  # fmt: skip
    """The handout as one HTML page with print CSS for A4 or Letter."""
    data, e = frame.dataset, html.escape
    if chart_svg is not None:
        chart = (f'<img class="chart" alt="Timeline chart of the {len(positions)} events listed below" '
                 f'src="data:image/svg+xml;base64,{base64.b64encode(chart_svg).decode()}">')  # fmt: skip
    else:
        chart = f'<p class="meta">{e(chart_note)}</p>'
    events = "".join(event_item(frame, p, links=False) for p in positions)
    return f"""<!doctype html>
<html lang="{e(data.language)}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(data.title)} — handout</title><style>{STYLE % {"paper": PAPERS.get(paper, "A4")}}</style></head>
<body>
<header><h1>{e(data.title)}</h1><p class="attribution">{e(attribution(data))}</p>
<p class="screen-only meta">Print this page (Ctrl+P or ⌘P) for an A4 or Letter handout; add
<code>?paper=letter</code> to the address for US Letter.</p></header>
<main>
<figure style="margin:0">{chart}</figure>
<h2>Events ({len(positions)}, in date order)</h2>
<ol class="events">{events}</ol>
{_glossary(frame, positions)}
</main>
</body>
</html>
"""


def render_handout(frame: EventFrame, positions: np.ndarray, filters, paper: str = "a4") -> str:
    """The handout with its chart drawn by Chromium, or a note saying why the chart is missing."""
    try:
        fig = print_figure(frame, positions, lanes_of=filters.actors, width=1100)
        svg = render_image(fig, "svg", width=1100, scale=1)
        return handout_html(frame, positions, paper=paper, chart_svg=svg)
    except TimelineError as exc:
        return handout_html(frame, positions, paper=paper, chart_note=f"The chart could not be drawn: {exc}")


def register(server: flask.Flask, frame: EventFrame) -> None:
    """`/handout/?<view>&paper=a4|letter`."""

    def view() -> flask.Response:
        filters = filters_from_query(flask.request.query_string.decode(), frame)
        positions = matching(frame, filters)
        if not len(positions):
            return flask.Response("No events match these filters.\n", status=400, mimetype="text/plain")
        paper = flask.request.args.get("paper", "a4")
        return flask.Response(render_handout(frame, positions, filters, paper), mimetype="text/html")

    server.add_url_rule(PREFIX, "timeline_handout", view)
