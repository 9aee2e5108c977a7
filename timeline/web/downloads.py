"""`/download/<format>?<view query>`: the dashboard's exports of exactly the view in the URL."""

from __future__ import annotations

import flask

from timeline.data.frame import EventFrame
from timeline.errors import TimelineError
from timeline.query.filters import shown
from timeline.query.state import filters_from_query
from timeline.render.export import FORMATS, MEDIA_TYPES, export_events, file_name
from timeline.web.datasets import Datasets

PREFIX = "/download/"
ENDPOINT = "timeline_download"


def download(frame: EventFrame, fmt: str) -> flask.Response:
    """One export as an attachment; a plain-text 4xx/5xx response says what went wrong."""
    if fmt not in FORMATS:
        return _error(404, f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    filters = filters_from_query(flask.request.query_string.decode(), frame)
    view = shown(frame, filters)
    if not len(view.positions):
        return _error(400, "no events match these filters; nothing to download")
    try:
        body = export_events(view.frame, view.positions, fmt, filters=filters, note=view.banner())
    except TimelineError as exc:
        return _error(503, str(exc))
    # `content_type`, not `mimetype`: Flask appends a charset to a text mimetype, and ours already names one.
    response = flask.Response(body, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(fmt)}"'
    return response


def _error(status: int, message: str) -> flask.Response:
    return flask.Response(message + "\n", status=status, mimetype="text/plain")


def register(server: flask.Flask, datasets: Datasets) -> None:
    server.add_url_rule(PREFIX + "<fmt>", ENDPOINT,
                        lambda fmt: download(datasets.for_query(flask.request.query_string.decode()), fmt))  # fmt: skip
