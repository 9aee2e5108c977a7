"""Security for every route: headers through flask-talisman (strict CSP, framing only for `/embed/`, no sniffing, no
referrer leaks), a size limit on request bodies, a check of callback requests before Dash reads them, and short
plain-text answers for every error, never a traceback."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence

import flask
from dash import Dash
from dash.exceptions import DependencyException
from dash.fingerprint import check_fingerprint
from flask_talisman import Talisman
from werkzeug.exceptions import HTTPException

from timeline import settings
from timeline.web.embed import PREFIX as EMBED_PREFIX

DEFAULT_MAX_REQUEST_BYTES = settings.SETTINGS["max_request_bytes"].default  # callback bodies are a few kB
MAX_JSON_DEPTH = 32  # a real callback body nests 6 levels at most (hover data)
CALLBACK_ROUTE = "_dash-update-component"
COMPONENT_SUITES, ASSETS = "/_dash-component-suites/", "/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"
CONTROL = re.compile("[\x00-\x1f\x7f]")


def content_security_policy(app: Dash | None, *, webgl: bool, frame_ancestors: list[str]) -> dict[str, str | list[str]]:
    """The CSP for one Dash app, or for a static page (`app` None: it runs only script files from this server).
    Call after the app's callbacks are registered, so Dash's inline script hashes are known.

    `'unsafe-eval'` only when `webgl`: plotly's WebGL traces compile shaders through the Function constructor
    and fail silently without it. `style-src 'unsafe-inline'`: Dash and plotly set inline styles.
    """
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *(["'unsafe-eval'"] if webgl else []), *(app.csp_hashes() if app else [])],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }


def secure(dashboard: Dash, *pages: object, webgl: bool, embed_ancestors: list[str]) -> Talisman:
    """Headers on every route: the dashboard and everything else refuse framing; `/embed/`, a static page, may be
    framed by `embed_ancestors` (`*` for any site) and runs no inline script and no `'unsafe-eval'` (it draws SVG
    only). Each other Dash app in `pages` (the presentation) gets a CSP with its own inline-script hashes; anything
    else there is not an app and is passed over. Then `harden` the server that they all share."""
    talisman = Talisman(
        dashboard.server,
        content_security_policy=content_security_policy(dashboard, webgl=webgl, frame_ancestors=["'none'"]),
        force_https=False,  # TLS is the reverse proxy's job; the app also runs on plain localhost
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=False,
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )
    apps = [page for page in pages if isinstance(page, Dash)]
    options = {
        EMBED_PREFIX: talisman(
            frame_options=None,
            content_security_policy=content_security_policy(None, webgl=False, frame_ancestors=embed_ancestors),
        ),
        # Each Dash app has its own inline-script hashes; the presentation draws SVG only.
        **{app.config.routes_pathname_prefix: talisman(
            content_security_policy=content_security_policy(app, webgl=False, frame_ancestors=["'none'"])
        ) for app in apps},
    }  # fmt: skip
    server = dashboard.server
    for rule in server.url_map.iter_rules():
        for prefix, wrap in options.items():
            if rule.rule.startswith(prefix):
                view = server.view_functions[rule.endpoint]
                server.view_functions[rule.endpoint] = wrap(functools.wraps(view)(functools.partial(view)))
    harden(server, (dashboard, *apps))
    cache_forever(server)
    return talisman


def cache_forever(server: flask.Flask) -> None:
    """Files whose URL changes with their content are cached for a year by browsers and any CDN: Dash's
    fingerprinted component bundles (`….v4_4_1m<hash>.js`) and the assets Dash links with their modification time
    (`/assets/x.css?m=…`). Dash itself sends them with only `max-age`, or `no-cache`."""

    @server.after_request
    def _immutable(response: flask.Response) -> flask.Response:
        if response.status_code != 200:  # first: the query string of a refused request may not even decode
            return response
        path = flask.request.path
        versioned = (COMPONENT_SUITES in path and check_fingerprint(path)[1]) or (
            ASSETS in path and flask.request.args.get("m", "").replace(".", "").isdigit()
        )
        if versioned:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def harden(server: flask.Flask, apps: Sequence[Dash]) -> None:
    """Hostile requests get a short 4xx answer and never reach Dash malformed; anything unexpected gets a
    generic 500 answer and a log entry, never a traceback. The Dash apps must all run on `server`."""
    server.config["MAX_CONTENT_LENGTH"] = max_request_bytes()
    callback_routes = {app.config.routes_pathname_prefix + CALLBACK_ROUTE: app for app in apps}

    @server.before_request
    def _refuse_malformed_urls() -> flask.Response | None:
        # No browser sends these. A raw line break echoed into a redirect's Location header makes werkzeug fail the
        # response; a query string that is not UTF-8 fails every route that decodes it.
        path, query = flask.request.environ.get("PATH_INFO", ""), flask.request.environ.get("QUERY_STRING", "")
        if CONTROL.search(path) or CONTROL.search(query):
            return plain(400, "a URL must not contain control characters")
        try:
            query.encode("latin-1").decode("utf-8")  # WSGI passes the raw bytes as latin-1
        except UnicodeError:
            return plain(400, "the query string is not UTF-8")
        return None

    @server.before_request
    def _check_callback_request() -> flask.Response | None:
        app = callback_routes.get(flask.request.path)
        if app is None or flask.request.method != "POST":
            return None
        if not flask.request.is_json:
            return plain(415, "a callback request must be sent as application/json")
        problem = callback_problem(app.callback_map, flask.request.get_data(cache=True))
        return plain(400, f"bad callback request: {problem}") if problem else None

    # A path outside the files Dash serves, such as `/_dash-component-suites/dash/../../etc/passwd`.
    server.register_error_handler(DependencyException, lambda _: plain(404, "no such file"))
    server.register_error_handler(Exception, _unexpected)
    for app in apps:
        _drop_python_version(app)


def max_request_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The largest request body accepted (`TIMELINE_MAX_REQUEST_BYTES`, default 2 MiB)."""
    return settings.read("max_request_bytes", environ)


def plain(status: int, message: str) -> flask.Response:
    """A short plain-text answer; plain text, so nothing echoed from a request can run as HTML."""
    return flask.Response(message + "\n", status=status, mimetype="text/plain")


def _unexpected(error: Exception) -> flask.Response | HTTPException:
    if isinstance(error, HTTPException):  # 404, 405, 413…: werkzeug's own short answer
        return error
    # The path as werkzeug decoded it: the raw query string may be what broke the request.
    flask.current_app.logger.error("Unhandled error on %s %r", flask.request.method, flask.request.path,
                                   exc_info=error)  # fmt: skip
    return plain(500, "Internal server error. It has been logged; please try again later.")


def _drop_python_version(app: Dash) -> None:
    # Dash writes the full Python version into every page's config, for its debug-mode update check only. Dash
    # has no setting for it, so wrap the method that builds the config (`Dash._config`, read in dash 4.4.1).
    build = app._config
    app._config = lambda: {k: v for k, v in build().items() if k != "python_version"}


def callback_problem(callback_map: Mapping[str, dict], body: bytes) -> str | None:
    """What is wrong with a `_dash-update-component` body for these callbacks, or None when Dash can run it.

    The body must be a JSON object that names a server-side callback (`output`), and whose `outputs`, `inputs`
    and `state` are exactly that callback's components and properties; `changedPropIds` names some of its
    inputs. The values are left to the callbacks, which treat a value of the wrong type as no value.
    """
    try:
        data = json.loads(body)
    except RecursionError:
        return f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    except ValueError:
        return "the body is not JSON"
    if _depth(data) > MAX_JSON_DEPTH:
        return f"the body nests deeper than {MAX_JSON_DEPTH} levels"
    if not isinstance(data, dict):
        return "the body must be a JSON object"
    output = data.get("output")
    entry = callback_map.get(output) if isinstance(output, str) else None
    if entry is None or "callback" not in entry:  # clientside callbacks have no server function
        return "no such callback"
    multi = isinstance(entry["output"], list)
    declared_outputs = [o.to_dict() for o in (entry["output"] if multi else [entry["output"]])]
    for name, given, declared in (
        ("outputs", data.get("outputs") if multi else [data.get("outputs")], declared_outputs),
        ("inputs", data.get("inputs"), entry["inputs"]),
        ("state", data.get("state", []), entry["state"]),
    ):  # fmt: skip
        if not _all_match(_without_duplicate_marks(given) if name == "outputs" else given, declared):
            return f"{name} are not the callback's {name}"
    changed = data.get("changedPropIds", [])
    inputs = {_prop_id(item) for item in _flat(data["inputs"])}
    if not isinstance(changed, list) or not all(isinstance(c, str) and c in inputs for c in changed):
        return "changedPropIds must name the callback's inputs"
    return None


def _without_duplicate_marks(outputs: object) -> object:
    """Outputs as declared: the renderer names an `allow_duplicate` output `search@<hash>`; `to_dict` says `search`."""
    if not isinstance(outputs, list):
        return outputs
    return [
        {**o, "property": o["property"].split("@", 1)[0]} if isinstance(o, dict) and isinstance(o.get("property"), str)
        else o
        for o in outputs
    ]  # fmt: skip


def _all_match(given: object, declared: list[dict]) -> bool:
    return (
        isinstance(given, list)
        and len(given) == len(declared)
        and all(_matches(g, d) for g, d in zip(given, declared, strict=True))
    )


def _matches(given: object, declared: dict) -> bool:
    """Whether one received `{id, property}` is the declared one; a pattern id (`ALL`) may stand for a list."""
    pattern = _pattern(declared["id"])
    if isinstance(given, list):
        return pattern is not None and all(_matches(g, declared) for g in given)
    if not isinstance(given, dict) or given.get("property") != declared["property"]:
        return False
    if pattern is None:
        return given.get("id") == declared["id"]
    concrete = given.get("id")
    return (
        isinstance(concrete, dict)
        and concrete.keys() == pattern.keys()
        and all(_scalar(concrete[k]) if isinstance(v, list) else concrete[k] == v for k, v in pattern.items())
    )


def _pattern(component_id: str) -> dict | None:
    # Dash declares pattern-matching ids as JSON text, with wildcards as lists: '{"index":["ALL"],"type":"x"}'.
    return json.loads(component_id) if component_id.startswith("{") else None


def _scalar(value: object) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _flat(items: Iterable) -> Iterable[dict]:
    for item in items:
        yield from item if isinstance(item, list) else [item]


def _prop_id(item: dict) -> str:
    component_id = item["id"]
    if isinstance(component_id, dict):  # as Dash writes it: keys sorted, compact
        component_id = json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return f"{component_id}.{item['property']}"


def _depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value, counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
