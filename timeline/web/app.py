"""The app factory: load and validate the data once, then build the Dash app around it."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import flask
from dash import Dash, html
from markupsafe import escape

from timeline import settings
from timeline.data.frame import EventFrame
from timeline.formats.loader import load_frame
from timeline.query.state import View, view_from_query
from timeline.render.bundles import BASIC_BUNDLE_URL
from timeline.web import callbacks, downloads, guard, handout, share
from timeline.web.embed import create_embed_app
from timeline.web.layout import dashboard
from timeline.web.present import create_present_app
from timeline.web.security import secure

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def create_app(paths: Sequence[str | Path] | None = None, *, frame: EventFrame | None = None,
               embed_ancestors: Sequence[str] | None = None) -> Dash:  # fmt: skip
    """A Dash app serving the dataset at `paths` (the bundled one by default): the dashboard at `/`, the
    embeddable chart at `/embed/` and the downloads at `/download/<format>`.

    `embed_ancestors` lists the sites that may frame `/embed/` (default: `TIMELINE_FRAME_ANCESTORS`, separated
    by spaces, or any site). Raises `DatasetError` for an invalid dataset, so a server never starts on partial data.
    """
    frame = frame or load_frame(paths)
    # The level of detail keeps the chart to a few thousand SVG marks at any size: plotly.js's basic bundle draws
    # everything the dashboard shows, at a quarter of the bytes of the full one, and needs no WebGL.
    app = Dash(__name__, title=frame.dataset.title, assets_folder=str(ASSETS), assets_ignore=r"^(embed|present)\.",
               compress=True, serve_locally=True, update_title=None, external_scripts=[BASIC_BUNDLE_URL])  # fmt: skip
    _page_template(app, frame.dataset.language)
    _preload(app)
    app.layout = first_view(app, frame)
    # Dash would send the first layout it built, chart and all, in every page as `validation_layout`; without
    # one, the renderer checks the callbacks against the layout it fetched, which holds the same components.
    app.validation_layout = None
    callbacks.register(app, frame)
    share.register(app)
    embed = create_embed_app(app.server, frame, str(ASSETS))
    present = create_present_app(app.server, frame, str(ASSETS))
    for extra in (embed, present):
        _page_template(extra, frame.dataset.language)
    downloads.register(app.server, frame)
    handout.register(app.server, frame)
    guard.protect(app.server, frame)  # render slots, render cache and rate limit on the two routes above
    app.server.secret_key = settings.read("secret_key") or os.urandom(32)
    ancestors = embed_ancestors or settings.read("frame_ancestors").split()
    secure(app, embed, present, webgl=False, embed_ancestors=list(ancestors))
    return app


def first_view(app: Dash, frame: EventFrame) -> Callable[[], html.Div]:
    """The dashboard's layout as a function of the request, so that the page's first chart, list and detail come
    with it and nothing waits for a callback before the first paint.

    The renderer fetches the layout without the page's query string, but the browser names the page in the
    `Referer` header: the page's referrer policy (`strict-origin-when-cross-origin`, timeline/web/security.py)
    sends the full URL to the same origin. When a browser or proxy strips it, the layout is built for the
    unfiltered view and `timeline.pageSearch` (assets/dashboard.js) then brings in the page's own URL.
    """
    root = app.config.requests_pathname_prefix

    def layout() -> html.Div:
        if not (flask.has_request_context() and flask.request.path == root + "_dash-layout"):
            return dashboard(frame, View())  # Dash checks the layout at start-up and on the first request
        search = _page_search(flask.request.referrer or "", root)
        view = view_from_query(search, frame)
        return dashboard(frame, view, callbacks.content(frame, view), search=search)

    return layout


def _page_search(referrer: str, root: str) -> str:
    """The query string of the dashboard page that `referrer` names; "" for any other page or a malformed URL."""
    try:
        url = urlsplit(referrer)
    except ValueError:
        return ""
    return f"?{url.query}" if url.path == root and url.query else ""


# Dash links DataTable's bundle into every page, used or not; no page here has a table.
UNUSED_BUNDLE = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/dash_table/[^"]*"></script>\s*')


def _preload(app: Dash) -> None:
    """Start fetching what the renderer asks for once its scripts have run, while they load: the layout (the
    server builds the first chart meanwhile), the callbacks and the graph's code. The renderer's own requests
    then take these answers (same URL, mode and credentials)."""
    prefix = app.config.requests_pathname_prefix
    links = [f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">'
             for path in ("_dash-layout", "_dash-dependencies")]  # fmt: skip
    links.append(f'<link rel="preload" href="{prefix}_dash-component-suites/dash/dcc/async-graph.js" as="script">')
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + "\n        ".join(links), 1)


def _page_template(app: Dash, language: str) -> None:
    """The page Dash serves: a `lang`, one footer landmark, an escaped title and only the bundles it uses."""
    # Dash's page has no lang and wraps its scripts in a second <footer> landmark; fix both for screen readers.
    app.index_string = (
        app.index_string.replace("<html>", f'<html lang="{language}">', 1)
        .replace("<footer>", '<div class="dash-scripts">', 1)
        .replace("</footer>", "</div>", 1)
    )
    # Dash writes the title into its page unescaped, and then fills its other {%placeholders%} in the result. The
    # dataset title is text: escape it, and put it in last, so neither markup nor a "{%config%}" in it is live.
    interpolate = app.interpolate_index

    def interpolate_index(**parts: str) -> str:
        scripts = UNUSED_BUNDLE.sub("", parts.get("scripts", ""))
        page = interpolate(**{**parts, "title": "{%title%}", "scripts": scripts})
        return page.replace("{%title%}", escape(parts.get("title", "")), 1)

    app.interpolate_index = interpolate_index
