"""The heavy web routes (`/download/<png|svg|pdf|html|handout>`) guarded: served from the render cache when they
can be, otherwise rendered in a render slot within the time budget, and rate-limited per client. The `/handout/`
page starts no Chromium (the reader's browser draws its chart): it is only cached and capped in length. The bounds
themselves, and their settings, are in `limits`."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import flask
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from timeline.data.frame import EventFrame
from timeline.query.filters import matching
from timeline.query.state import filters_from_query, query_without_event
from timeline.render.limits import (
    RenderBusy,
    RenderCache,
    Rendered,
    RenderGate,
    RenderSettings,
    dataset_version,
)
from timeline.web.datasets import Datasets
from timeline.web.downloads import ENDPOINT as DOWNLOAD_ENDPOINT
from timeline.web.upload import ENDPOINT as UPLOAD_ENDPOINT

HANDOUT_ENDPOINT = "timeline_handout"  # as handout.register names it
# Formats drawn by Chromium; `html` is also heavy (it inlines plotly.js), so it is limited and cached too.
CHROMIUM_FORMATS = frozenset({"png", "svg", "pdf", "handout"})
HEAVY_FORMATS = CHROMIUM_FORMATS | {"html"}
PAPERS = ("a4", "letter")
CACHED_HEADERS = ("Content-Type", "Content-Disposition")


@dataclass(frozen=True)
class _View:
    """What a request to a heavy route asks for."""

    key: dict[str, object]  # the normalised view, for the cache key
    events: int
    chromium: bool
    handout: bool


def _view_of(frame: EventFrame, endpoint: str, fmt: str | None) -> _View | None:
    """The heavy view a request asks for, or None for a light one (csv, json, timelinejs, unknown formats)."""
    if endpoint == DOWNLOAD_ENDPOINT and fmt not in HEAVY_FORMATS:
        return None
    filters = filters_from_query(flask.request.query_string.decode(), frame)
    # The selected event changes nothing in a rendered file.
    view: dict[str, object] = {"filters": query_without_event(filters)}
    if endpoint == HANDOUT_ENDPOINT:
        paper = flask.request.args.get("paper", "a4")
        view |= {"route": "handout", "paper": paper if paper in PAPERS else "a4"}
    else:
        view |= {"route": "download", "format": fmt}
    handout = endpoint == HANDOUT_ENDPOINT or fmt == "handout"
    return _View(view, len(matching(frame, filters)), fmt in CHROMIUM_FORMATS, handout)


def _response(rendered: Rendered) -> flask.Response:
    return flask.Response(rendered.body, headers=list(rendered.headers))


def _plain(status: int, message: str, **headers: str) -> flask.Response:
    return flask.Response(message + "\n", status=status, mimetype="text/plain", headers=headers)


def guard(view: Callable[..., flask.Response], datasets: Datasets, settings: RenderSettings, *,
          gate: RenderGate, cache: RenderCache, code: str) -> Callable[..., flask.Response]:  # fmt: skip
    """`view` (the download or handout route) served from the cache when it can, and otherwise rendered in a
    render slot within the time budget: `503` with `Retry-After` when no slot comes free in time, `400` for a
    handout too long to print on the web."""

    @functools.wraps(view)
    def guarded(*args: object, **kwargs: object) -> flask.Response:
        started = time.monotonic()
        frame = datasets.for_query(flask.request.query_string.decode())
        asked = _view_of(frame, flask.request.endpoint or "", kwargs.get("fmt"))  # type: ignore[arg-type]
        if asked is None or not asked.events:  # light, or nothing to render: the view answers
            return view(*args, **kwargs)
        if asked.handout and asked.events > settings.handout_max_events:
            return _plain(400, f"this view has {asked.events} events; a handout on the web holds at most "
                               f"{settings.handout_max_events}. Narrow the filters, or print it with "
                               "`timeline export --format handout`.")  # fmt: skip
        version = f"{dataset_version(frame)}+{code}"  # new data or new code: new cache keys
        key = cache.key(version, asked.key)
        cached = cache.get(key)
        if cached is not None:
            return _response(cached)
        holding = gate.hold(wait=settings.wait, deadline=started + settings.timeout)
        try:
            with holding if asked.chromium else contextlib.nullcontext():
                cached = cache.get(key)  # another worker may have drawn it while this one waited
                if cached is not None:
                    return _response(cached)
                flask.g.timeline_rendered = True
                response = view(*args, **kwargs)
        except RenderBusy as exc:
            reason = str(exc)
            return _plain(503, f"{reason[0].upper()}{reason[1:]}; try again in {settings.retry_after} seconds.",
                          **{"Retry-After": str(settings.retry_after)})  # fmt: skip
        if response.status_code == 200 and not response.is_streamed:
            headers = tuple((name, response.headers[name]) for name in CACHED_HEADERS if name in response.headers)
            try:
                cache.put(key, Rendered(response.get_data(), headers))
            except OSError as exc:  # a full or read-only disk costs the next request a render, nothing more
                flask.current_app.logger.warning("render cache: could not store an entry: %s", exc)
        return response

    return guarded


def _is_render_request() -> bool:
    endpoint = flask.request.endpoint
    if endpoint == UPLOAD_ENDPOINT:  # reading and checking a file is as heavy as a render
        return True
    return endpoint == DOWNLOAD_ENDPOINT and (flask.request.view_args or {}).get("fmt") in HEAVY_FORMATS


def _too_many(limit: RequestLimit) -> flask.Response:
    wait = max(1, int(limit.reset_at - time.time()))  # reset_at is already rounded up
    return _plain(429, f"Too many downloads from your address: at most {limit.limit}. Try again in {wait} seconds.",
                  **{"Retry-After": str(wait)})  # fmt: skip


def protect(server: flask.Flask, datasets: Datasets, code: str, settings: RenderSettings | None = None) -> Limiter:
    """Render slots, the render cache and the rate limit on `server`'s download and handout routes. Call once,
    after both routes are registered. `code` is `limits.code_version()`, for the cache keys."""
    settings = settings or RenderSettings.from_env()
    if settings.trusted_proxies:
        # Behind a reverse proxy every request comes from the proxy; the client is in X-Forwarded-For.
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    limiter = Limiter(
        get_remote_address,
        app=server,
        application_limits=[settings.rate_limit] if settings.rate_limit else [],
        application_limits_exempt_when=lambda: not _is_render_request(),
        # Only renders count: a view served from the cache, or a 503 while busy, costs the client nothing.
        application_limits_deduct_when=lambda _response: bool(flask.g.get("timeline_rendered")),
        # Retry-After comes from `_too_many`. flask-limiter's own headers would also put one on every 200 and
        # replace a busy answer's Retry-After with the end of the rate window.
        headers_enabled=False,
        storage_uri=settings.rate_limit_storage,
        on_breach=_too_many,
        strategy="moving-window",
    )
    gate = RenderGate(settings.lock_dir, settings.slots)
    cache = RenderCache(settings.cache_dir, settings.cache_bytes)
    for endpoint in (DOWNLOAD_ENDPOINT, HANDOUT_ENDPOINT):
        if endpoint in server.view_functions:
            server.view_functions[endpoint] = guard(server.view_functions[endpoint], datasets, settings, gate=gate,
                                                    cache=cache, code=code)  # fmt: skip
    return limiter
