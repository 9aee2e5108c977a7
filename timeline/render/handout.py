"""The printable handout: title and attribution, the chart, every event with its sources, disputed claims side
by side, and a glossary of actors and issues. Served at `/handout/` and printed to PDF by Chromium."""

from __future__ import annotations

import base64
import collections
import json

import numpy as np
import plotly.io as pio

from timeline.data.charsafety import without_unsafe
from timeline.data.frame import EventFrame
from timeline.data.schema import Actor
from timeline.data.vocab import ACTOR_KIND_LABEL, ROLE_LABEL
from timeline.errors import TimelineError
from timeline.figures.chart import print_figure
from timeline.render.bundles import BASIC_BUNDLE_URL
from timeline.render.images import render_image
from timeline.text.credits import attribution
from timeline.text.eventhtml import event_text, render

PREFIX = "/handout/"
DRAW_URL = PREFIX + "draw.js"
CHART_WIDTH = 1100  # px: the chart is an SVG image scaled to the printed page's width
PAPERS = {"a4": "A4", "letter": "letter"}


def _glossary(frame: EventFrame, positions: np.ndarray) -> list[tuple[Actor, str, list[tuple[str, int]]]]:
    """Each actor with its kind in words and its roles in these events, with how often it had each."""
    roles: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for position in positions:
        for part in frame.event(position).actors:
            roles[part.actor][ROLE_LABEL[part.role]] += 1
    return [(a, ACTOR_KIND_LABEL[a.kind], list(roles[a.id].items())) for a in frame.dataset.actors]


def handout_html(frame: EventFrame, positions: np.ndarray, *, paper: str = "a4", chart_svg: bytes | None = None,
                 chart_figure: dict | None = None, chart_note: str = "", note: str = "") -> str:  # fmt: skip
    """The handout as one HTML page with print CSS for A4 or Letter. Its chart is `chart_svg`, drawn on the
    server, or `chart_figure`, a figure the reader's browser draws (the web page, which then answers at once)."""
    data = frame.dataset
    return render(
        "handout.html",
        language=data.language,
        title=data.title,
        attribution=attribution(data, frame.asof),
        paper=PAPERS.get(paper, "A4"),
        chart_svg=None if chart_svg is None else base64.b64encode(chart_svg).decode(),
        chart_figure=chart_figure,
        plotly_url=BASIC_BUNDLE_URL,
        draw_url=DRAW_URL,
        chart_note=chart_note,
        note=note,
        events=[event_text(frame, p) for p in positions],
        actors=_glossary(frame, positions),
        issues=data.issues,
    )


def render_handout(frame: EventFrame, positions: np.ndarray, filters, paper: str = "a4", note: str = "") -> str:
    """The handout with its chart drawn by Chromium, or a note saying why the chart is missing. `note` is the
    "as known on" banner, if the view has one."""
    try:
        fig = print_figure(frame, positions, lanes_of=filters.actors, width=CHART_WIDTH)
        svg = render_image(fig, "svg", width=CHART_WIDTH, scale=1)
        return handout_html(frame, positions, paper=paper, chart_svg=svg, note=note)
    except TimelineError as exc:
        return handout_html(frame, positions, paper=paper, chart_note=f"The chart could not be drawn: {exc}", note=note)


def web_handout(frame: EventFrame, positions: np.ndarray, filters, paper: str = "a4", note: str = "") -> str:
    """The handout page for the web: the same page, with a chart the reader's browser draws (no Chromium here)."""
    fig = print_figure(frame, positions, lanes_of=filters.actors, width=CHART_WIDTH)
    fig.update_layout(width=CHART_WIDTH)  # the browser draws it at the size the server lays it out for
    figure = json.loads(pio.to_json(without_unsafe(fig.to_plotly_json()), validate=False))
    return handout_html(frame, positions, paper=paper, chart_figure=figure, note=note)
