"""The app factory: load and validate the data once, then build the Dash app around it."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import flask
from dash import Dash, html
from markupsafe import escape

from timeline import settings
from timeline.data.frame import EventFrame
from timeline.formats.uploads import UploadStore
from timeline.query.state import View, dataset_from_params, view_from_query
from timeline.render.bundles import BASIC_BUNDLE_URL, REGENERATOR_URL
from timeline.render.limits import code_version
from timeline.text.eventhtml import render
from timeline.web import callbacks, downloads, embed, guard, handout, share, upload
from timeline.web.datasets import Datasets, UnknownDataset
from timeline.web.layout import dashboard
from timeline.web.present import create_present_app
from timeline.web.security import plain, secure
from timeline.web.upload import dataset_panel

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def create_app(paths: Sequence[str | Path] | None = None, *, frame: EventFrame | None = None,
               embed_ancestors: Sequence[str] | None = None) -> Dash:  # fmt: skip
    """A Dash app serving the datasets in `paths` (files, or folders of them; the bundled dataset by default):
    the dashboard at `/`, the embeddable chart at `/embed/`, the presentation at `/present/`, the handout at
    `/handout/`, the downloads at `/download/<format>` and uploads at `/upload`. `dataset=` in a URL picks one.

    `embed_ancestors` lists the sites that may frame `/embed/` (default: `TIMELINE_FRAME_ANCESTORS`, separated
    by spaces, or any site). Raises `DatasetError` for an invalid dataset, so a server never starts on partial data.
    """
    store = upload_store()
    datasets = Datasets([("bundled", frame)], store) if frame is not None else Datasets.from_paths(paths, store)
    default = datasets.default.dataset
    # The level of detail keeps the chart to a few thousand SVG marks at any size: plotly.js's basic bundle draws
    # everything the dashboard shows, at a quarter of the bytes of the full one, and needs no WebGL.
    app = Dash(__name__, title=default.title, assets_folder=str(ASSETS), assets_ignore=r"^(embed|present)\.",
               compress=True, serve_locally=True, update_title=None, external_scripts=[BASIC_BUNDLE_URL])  # fmt: skip
    _page_template(app, datasets)
    _preload(app)
    app.layout = first_view(app, datasets)
    # Dash would send the first layout it built, chart and all, in every page as `validation_layout`; without
    # one, the renderer checks the callbacks against the layout it fetched, which holds the same components.
    app.validation_layout = None
    callbacks.register(app, datasets)
    share.register(app)
    code = code_version()  # once: it reads every file of the package; the embed's and the renders' cache keys
    embed.register(app.server, datasets, str(ASSETS), code)
    present = create_present_app(app.server, datasets, str(ASSETS))
    _page_template(present, datasets)
    downloads.register(app.server, datasets)
    handout.register(app.server, datasets)
    upload.register(app.server, datasets)
    guard.protect(app.server, datasets, code)  # render slots, render cache and rate limit on the heavy routes
    app.server.secret_key = settings.read("secret_key") or os.urandom(32)
    ancestors = embed_ancestors or settings.read("frame_ancestors").split()
    secure(app, present, webgl=False, embed_ancestors=list(ancestors))
    _unknown_datasets(app.server, datasets, pages=(app, present))  # after `secure`: malformed URLs are refused first
    _remember_search(app.server, app.config.requests_pathname_prefix)
    return app


def upload_store() -> UploadStore | None:
    """The upload store the settings describe, or None when uploads are off (`TIMELINE_MAX_UPLOAD_MB=0`)."""
    if not settings.read("max_upload_mb"):
        return None
    return UploadStore(settings.read("upload_dir"), ttl_seconds=settings.read("upload_hours") * 3600,
                       max_bytes=int(settings.read("upload_store_mb") * 1024 * 1024))  # fmt: skip


def first_view(app: Dash, datasets: Datasets) -> Callable[[], html.Div]:
    """The dashboard's layout as a function of the request, so that the page's first chart, list and detail come
    with it and nothing waits for a callback before the first paint.

    The renderer fetches the layout without the page's query string, but the browser names the page in the
    `Referer` header: the page's referrer policy (`strict-origin-when-cross-origin`, timeline/web/security.py)
    sends the full URL to the same origin. When a browser or proxy strips it, the layout is built for the
    unfiltered view and `timeline.pageSearch` (assets/dashboard.js) then brings in the page's own URL; the
    dataset, though, is the default one's until the page is loaded again with its referrer.
    """
    root = app.config.requests_pathname_prefix

    def layout() -> html.Div:
        if not (flask.has_request_context() and flask.request.path == root + "_dash-layout"):
            return dashboard(datasets.default, View())  # Dash checks the layout at start-up and on the first request
        referrer = flask.request.referrer
        search = _page_search(referrer, root) if referrer else _remembered_search()
        frame = datasets.for_query(search)
        view = view_from_query(search, frame)
        return dashboard(frame, view, callbacks.content(frame, view), search=search,
                         data_bar=dataset_panel(datasets, view.filters.dataset))  # fmt: skip

    return layout


def _unknown_datasets(server: flask.Flask, datasets: Datasets, pages: Sequence[Dash]) -> None:
    """A URL naming a dataset this server does not have (a mistyped link, an expired upload) gets a 404 that says
    so: as a page for the dashboard and the presentation, as plain text for everything else."""
    roots = {page.config.requests_pathname_prefix for page in pages}

    @server.before_request
    def _page_of_unknown_dataset() -> flask.Response | None:
        if flask.request.path not in roots or "dataset" not in flask.request.args:
            return None
        try:
            datasets.frame(dataset_from_params(flask.request.args))
        except UnknownDataset as exc:
            page = render("notice.html", heading="This dataset is not here", summary=str(exc)[:1].upper()
                          + str(exc)[1:] + ".", problems=[])  # fmt: skip
            return flask.Response(page, status=404, mimetype="text/html")
        return None

    server.register_error_handler(UnknownDataset, lambda exc: plain(404, str(exc)))


VIEW_COOKIE = "timeline-view"  # the dashboard page's query, for a layout request that comes without a Referer
MAX_REMEMBERED = 2048  # characters of the cookie's value; a longer query is not remembered


def _remember_search(server: flask.Flask, root: str) -> None:
    """Give the dashboard page's query to its own layout request in a short-lived cookie too, for browsers and
    proxies that strip the `Referer`: without it, a link to an upload would draw the default dataset."""

    @server.after_request
    def _remember(response: flask.Response) -> flask.Response:
        # Percent-encoded, the value needs no quoting in the header, so its length is what the browser is sent:
        # werkzeug would quote any other character as four, past what browsers keep.
        value = quote(flask.request.query_string, safe="=&,")
        page = flask.request.path == root and response.status_code == 200 and response.mimetype == "text/html"
        if page and len(value) <= MAX_REMEMBERED:
            response.set_cookie(VIEW_COOKIE, value, max_age=60, path=root + "_dash-layout", httponly=True,
                                samesite="Strict")  # fmt: skip
        return response


def _remembered_search() -> str:
    value = flask.request.cookies.get(VIEW_COOKIE, "")
    # Back to the query string as WSGI gave it: its bytes read as latin-1.
    return f"?{unquote(value, encoding='latin-1')}" if value and len(value) <= MAX_REMEMBERED else ""


def _page_search(referrer: str, root: str) -> str:
    """The query string of the dashboard page that `referrer` names; "" for any other page or a malformed URL."""
    try:
        url = urlsplit(referrer)
    except ValueError:
        return ""
    return f"?{url.query}" if url.path == root and url.query else ""


# Dash links DataTable's bundle into every page, used or not; no page here has a table.
UNUSED_BUNDLE = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/dash_table/[^"]*"></script>\s*')
# ... and `@babel/polyfill`, of which the pages need only regenerator-runtime (timeline/render/bundles.py).
POLYFILL = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/deps/polyfill@[^"]*"></script>')


def _preload(app: Dash) -> None:
    """Start fetching what the renderer asks for once its scripts have run, while they load: the layout (the
    server builds the first chart meanwhile), the callbacks and the graph's code. The renderer's own requests
    then take these answers (same URL, mode and credentials)."""
    prefix = app.config.requests_pathname_prefix
    links = [f'<link rel="preload" href="{prefix}{path}" as="fetch" crossorigin="anonymous">'
             for path in ("_dash-layout", "_dash-dependencies")]  # fmt: skip
    links.append(f'<link rel="preload" href="{prefix}_dash-component-suites/dash/dcc/async-graph.js" as="script">')
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + "\n        ".join(links), 1)


def _page_template(app: Dash, datasets: Datasets) -> None:
    """The page Dash serves: the dataset's `lang` and title, one footer landmark and only the bundles it uses."""
    # Dash's page has no lang and wraps its scripts in a second <footer> landmark; fix both for screen readers.
    app.index_string = (
        app.index_string.replace("<html>", '<html lang="{%lang%}">', 1)
        .replace("<footer>", '<div class="dash-scripts">', 1)
        .replace("</footer>", "</div>", 1)
    )
    # Dash writes the title into its page unescaped, and then fills its other {%placeholders%} in the result. The
    # dataset title is text: escape it, and put it in last, so neither markup nor a "{%config%}" in it is live.
    interpolate = app.interpolate_index

    def interpolate_index(**parts: str) -> str:
        scripts = UNUSED_BUNDLE.sub("", parts.get("scripts", ""))
        scripts = POLYFILL.sub(f'<script src="{REGENERATOR_URL}"></script>', scripts, count=1)
        head = datasets.default.dataset
        if flask.has_request_context():
            with contextlib.suppress(UnknownDataset):  # answered with a 404 before the page is built
                head = datasets.frame(dataset_from_params(flask.request.args)).dataset
        page = interpolate(**{**parts, "title": "{%title%}", "scripts": scripts})
        return page.replace("{%lang%}", escape(head.language), 1).replace("{%title%}", escape(head.title), 1)

    app.interpolate_index = interpolate_index
