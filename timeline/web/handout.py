"""The handout on the web: `/handout/?<view>&paper=a4|letter`, whose chart the reader's browser draws."""

from __future__ import annotations

from importlib.resources import files

import flask

from timeline.query.filters import shown
from timeline.query.state import filters_from_query
from timeline.render.handout import DRAW_URL, PREFIX, web_handout
from timeline.web.datasets import Datasets


def _draw_script() -> flask.Response:
    response = flask.send_file(files("timeline").joinpath("web/static/handout.js"), mimetype="text/javascript",
                               max_age=0, conditional=True)  # fmt: skip
    response.headers["Cache-Control"] = "no-cache"  # revalidated by ETag: the URL does not change with the file
    return response


def register(server: flask.Flask, datasets: Datasets) -> None:
    """`/handout/?<view>&paper=a4|letter`, and the script that draws its chart."""
    server.add_url_rule(DRAW_URL, "timeline_handout_draw", _draw_script)

    def view() -> flask.Response:
        query = flask.request.query_string.decode()
        frame = datasets.for_query(query)
        filters = filters_from_query(query, frame)
        view = shown(frame, filters)
        if not len(view.positions):
            return flask.Response("No events match these filters.\n", status=400, mimetype="text/plain")
        paper = flask.request.args.get("paper", "a4")
        return flask.Response(
            web_handout(view.frame, view.positions, filters, paper, view.banner()), mimetype="text/html"
        )

    server.add_url_rule(PREFIX, "timeline_handout", view)
