"""The app factory: load and validate the data once, then build the Dash app around it."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from dash import Dash
from markupsafe import escape

from timeline import settings
from timeline.data.frame import EventFrame, build_frame
from timeline.figures.chart import GL_THRESHOLD, max_points
from timeline.formats.loader import load_dataset
from timeline.query.filters import Filters
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
    frame = frame or build_frame(load_dataset(paths))
    webgl = max_points(frame) > GL_THRESHOLD
    # Without WebGL, plotly.js's basic bundle draws everything the dashboard shows, at a quarter of the bytes.
    app = Dash(__name__, title=frame.dataset.title, assets_folder=str(ASSETS), assets_ignore=r"^(embed|present)\.",
               compress=True, serve_locally=True, update_title=None,
               external_scripts=[] if webgl else [BASIC_BUNDLE_URL])  # fmt: skip
    _page_template(app, frame.dataset.language)
    # The layout is fetched without the page's query string; a callback sets the controls from the URL.
    app.layout = dashboard(frame, Filters())
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
    secure(app, embed, present, webgl=webgl, embed_ancestors=list(ancestors))
    return app


# Dash links DataTable's bundle into every page, used or not; no page here has a table.
UNUSED_BUNDLE = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/dash_table/[^"]*"></script>\s*')


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
