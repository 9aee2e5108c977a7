"""`/embed/`: the chart alone, for an iframe in an article; same URL parameters as the dashboard (its filters, the
chart's `window` and the list's `page`), plus `theme=light|dark`, `title=0|1`, `height=<px>` or `aspect=<w>:<h>`.

A static page, the standalone export's (`render.standalone.embed_html`): one response holds the chart's figure,
and plotly.js and the page's script come from this server at versioned URLs, cached for a year. The page itself
carries `Cache-Control` and an `ETag`, so a CDN can keep it and a browser can revalidate it for nothing. It
reports its height to the parent page with `postMessage`, so a small snippet can size the iframe; on narrow
screens it becomes a readable list; its event list is always there for screen readers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import flask

from timeline.data.frame import EventFrame
from timeline.query.filters import Filters, shown
from timeline.query.state import View, query_from_view, view_from_query
from timeline.render.bundles import (
    BASIC_BUNDLE,
    BASIC_BUNDLE_URL,
    PLOTLY_JS_VERSION,
    REGENERATOR,
    REGENERATOR_VERSION,
)
from timeline.render.limits import dataset_version
from timeline.render.standalone import Embed, Look, embed_html
from timeline.web.datasets import Datasets
from timeline.web.inputs import text

PREFIX = "/embed/"
MESSAGE_TYPE = "negotiation-timeline:resize"  # as the page's script (assets/embed.js) posts it
PAGE_CACHE = "public, max-age=300"  # a CDN serves a page for 5 minutes, then revalidates it by its ETag
IMMUTABLE = "public, max-age=31536000, immutable"  # for files whose URL changes with their content
SCRIPT = "embed.js"


def look_from_query(query: str) -> Look:
    """The embed-only URL parameters, read safely: anything unknown falls back to the default."""
    params = {k: v[-1] for k, v in parse_qs(query.lstrip("?")).items()}
    height = params.get("height", "")
    # [0-9], not isdigit(): "²" is a digit to Python but not to int()
    fixed = int(height) if re.fullmatch(r"[0-9]{3,4}", height) and 200 <= int(height) <= 3000 else None
    aspect = re.fullmatch(r"([0-9]{1,2})[:x/]([0-9]{1,2})", params.get("aspect", ""))
    return Look(
        dark=params.get("theme") == "dark",
        title=params.get("title", "1") != "0",
        height=fixed,
        aspect=(int(aspect[1]), int(aspect[2])) if aspect and int(aspect[1]) and int(aspect[2]) else None,
    )


def chips(frame: EventFrame, filters: Filters) -> list[str]:
    """The active filters, in words, for compact chips."""
    names = frame.actor_names | frame.issue_labels
    parts = []
    if filters.actors:
        parts.append("Actors: " + ", ".join(names[a] for a in filters.actors))
    if filters.issues:
        parts.append("Issues: " + ", ".join(names[i] for i in filters.issues))
    if filters.types:
        parts.append(f"{len(filters.types)} event type(s)")
    if filters.date_from or filters.date_to:
        lo = f"{filters.date_from:%-d %b %Y}" if filters.date_from else "start"
        hi = f"{filters.date_to:%-d %b %Y}" if filters.date_to else "end"
        parts.append(f"{lo} – {hi}")
    if filters.q:
        parts.append(f"Search: {filters.q}")
    return parts


def view_query(view: View, look: Look) -> str:
    """The view's URL parameters as this page understands them, `page` aside (and no `?`)."""
    chart = query_from_view(View(view.filters, view.window)).lstrip("?")
    return "&".join(filter(None, (chart, urlencode(look.params()))))


class _Script:
    """The page's script, read once: its bytes and the versioned URL it is served at."""

    def __init__(self, path: Path) -> None:
        self.body = path.read_bytes()
        self.version = hashlib.sha256(self.body).hexdigest()[:16]
        self.url = f"{PREFIX}{SCRIPT}?v={self.version}"


def render(frame: EventFrame, query: str, *, script_url: str = PREFIX + SCRIPT) -> str:
    """The embed page for the URL query string `query`; `script_url`, the page script's versioned URL."""
    query = text(query)
    view, look = view_from_query(query, frame), look_from_query(query)
    known = shown(frame, view.filters)
    embed = Embed(look=look, chips=tuple(chips(frame, view.filters)), banner=known.banner(),
                  query=view_query(view, look), page=view.page, window=view.window.ms() if view.window else None,
                  plotlyjs_url=BASIC_BUNDLE_URL, script_url=script_url)  # fmt: skip
    return embed_html(known.frame, known.positions, embed, lanes_of=view.filters.actors)


def _vendored(name: str, version: str) -> Callable[[], flask.Response]:
    """A view serving timeline/vendor/`name`, cached for good under the URL naming `version`."""

    def view() -> flask.Response:
        response = flask.send_file(files("timeline").joinpath(f"vendor/{name}"), mimetype="text/javascript",
                                   max_age=31_536_000)  # fmt: skip
        # The URL carries the version; a request naming another one gets this file, but must not keep it there.
        fresh = flask.request.args.get("v") == version
        response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
        return response

    return view


def register(server: flask.Flask, datasets: Datasets, assets_folder: str | Path, code: str) -> None:
    """`/embed/`, its script and plotly.js's basic bundle (a quarter of the full one, and all an SVG timeline
    needs; the dashboard links it too) on `server`. `code` is `limits.code_version()`, for the page's ETag."""
    script = _Script(Path(assets_folder) / SCRIPT)

    def page() -> flask.Response:
        query = text(flask.request.query_string.decode())
        frame = datasets.for_query(query)
        view = view_from_query(query, frame)
        # The dataset's digest reads every event once, on the first request for it, not at start.
        version = f"{dataset_version(frame)}+{code}+{script.version}"
        key = f"{version}\n{view_query(view, look_from_query(query))}\n{view.page}"
        etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        # flask-compress answers a compressed body with the tag `<etag>:<encoding>`: either names this page.
        known = [t for t in flask.request.if_none_match.as_set() if t == etag or t.startswith(etag + ":")]
        if known:
            response = flask.Response(status=304)
            response.set_etag(known[0])
        else:
            response = flask.Response(render(frame, query, script_url=script.url), mimetype="text/html")
            response.set_etag(etag)
        response.headers["Cache-Control"] = PAGE_CACHE
        return response

    def script_file() -> flask.Response:
        response = flask.Response(script.body, mimetype="text/javascript")
        # A request for another version gets this one, but only for a moment: it must not be kept under that URL.
        fresh = flask.request.args.get("v") == script.version
        response.headers["Cache-Control"] = IMMUTABLE if fresh else "no-cache"
        return response

    server.add_url_rule(BASIC_BUNDLE, "timeline_plotly_basic", _vendored("plotly-basic.min.js", PLOTLY_JS_VERSION))
    server.add_url_rule(REGENERATOR, "timeline_regenerator", _vendored("regenerator-runtime.js", REGENERATOR_VERSION))
    server.add_url_rule(PREFIX + SCRIPT, "timeline_embed_script", script_file)
    server.add_url_rule(PREFIX, "timeline_embed", page)
