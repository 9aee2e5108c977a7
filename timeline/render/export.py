"""Exports of exactly the events a view shows, in every format the CLI and the dashboard offer."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from timeline.data.charsafety import UNSAFE, without_unsafe
from timeline.data.frame import EventFrame
from timeline.data.schema import Event
from timeline.figures.chart import print_figure
from timeline.formats.flatcsv import write_events
from timeline.formats.timelinejs import to_timelinejs
from timeline.query.filters import Filters
from timeline.render.handout import render_handout
from timeline.render.images import IMAGE_FORMATS, render_image
from timeline.render.pdf import html_to_pdf
from timeline.render.standalone import standalone_html

FORMATS = ("csv", "json", "html", *IMAGE_FORMATS, "timelinejs", "handout")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "timelinejs": "application/json",
    "handout": "application/pdf",
}
SUFFIXES = {"timelinejs": "timelinejs.json", "handout": "handout.pdf"}


@dataclass(frozen=True)
class ImageOptions:
    """Size of a PNG, SVG or PDF: CSS pixels wide, and device pixels per CSS pixel (PNG resolution); the
    handout's paper size."""

    width: int = 1600
    scale: float = 2
    paper: str = "a4"


NO_FILTERS = Filters()
PRINT_SIZE = ImageOptions()


def export_events(frame: EventFrame, positions: np.ndarray, fmt: str, *, filters: Filters = NO_FILTERS,
                  image: ImageOptions = PRINT_SIZE, plotlyjs_url: str | None = None,
                  note: str = "") -> bytes:  # fmt: skip
    """The events at `positions` as `fmt`; `note` is an "as known on" banner for the handout's header."""
    if fmt == "csv":
        return _csv([frame.event(p) for p in positions]).encode()
    if fmt == "json":
        data = frame.dataset
        body = {"title": data.title, "curator": data.curator, "licence": data.licence,
                **({"as_known_on": frame.asof.isoformat()} if frame.asof else {}),
                "events": [frame.event(p).model_dump(mode="json", exclude_none=True) for p in positions]}  # fmt: skip
        return (json.dumps(without_unsafe(body), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "timelinejs":
        return (json.dumps(to_timelinejs(frame, positions), ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "html":
        return standalone_html(frame, positions, plotlyjs_url=plotlyjs_url, lanes_of=filters.actors).encode()
    if fmt in IMAGE_FORMATS:
        fig = print_figure(frame, positions, lanes_of=filters.actors, width=image.width)
        return render_image(fig, fmt, width=image.width, scale=image.scale)
    if fmt == "handout":
        return html_to_pdf(render_handout(frame, positions, filters, image.paper, note))
    raise ValueError(f"unknown format {fmt!r}")


def _csv(events: list[Event]) -> str:
    """Flat CSV without control characters or bidi overrides.

    The CSV writes them as they are, so the finished text shows whether there are any (there should be none: the
    loader refuses them). If so, the events are cleaned and written again, rather than the text: cleaning after
    the writer has neutralised formulas would turn a NUL followed by "=cmd" into a live "=cmd".
    """
    text = write_events(events)
    return write_events(without_unsafe(e) for e in events) if UNSAFE.search(text) else text


def file_name(fmt: str) -> str:
    return f"negotiation-timeline.{SUFFIXES.get(fmt, fmt)}"
